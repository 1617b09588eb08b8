"""The funnel defined once (sim.model.funnel) and the KPIs registered with their computations."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.scenario import load_scenario
from sim.crm.observed import canonical_from_run, funnel
from sim.crm.reader import CANONICAL
from sim.experiments.runs import digest
from sim.measure import kpis as registry
from sim.measure.funnel import inquiries, inside_funnel, response_delays
from sim.measure.kpis import KPI_NAMES, KPIS, MONITOR_KPIS, kpi
from sim.measure.monitors import STAGES, Monitor
from sim.measure.results import Results
from sim.measure.summary import summarize_model
from sim.model.funnel import CRM_STAGES, INSIDE_STAGES, RESPONSE_FROM, RESPONSE_TO, response_hours, stage
from sim.model.funnel import STAGES as EVERY_STAGE
from sim.model.leads import TIMESTAMPS
from sim.model.model import SalesOrgModel

NAN = float("nan")


def _log(**columns) -> pd.DataFrame:
    """A hand-made lead log: the given columns over defaults (new inbound leads, nothing happened yet)."""
    n = len(next(iter(columns.values())))
    base = {
        "lead_id": np.arange(n),
        "source": ["inbound"] * n,
        "team": ["east"] * n,
        "in_flight": [False] * n,
        "outcome": ["new"] * n,
        **{stamp: [NAN] * n for stamp in TIMESTAMPS},
        "created_at": [0.0] * n,
    }
    return pd.DataFrame(base | columns)


# --------------------------------------------------------------------- the stages


def test_the_stages_are_the_lead_logs_stamps_in_the_lifecycles_order():
    stamps = [s.stamp for s in EVERY_STAGE]
    assert set(stamps) <= set(TIMESTAMPS)
    assert sorted(stamps, key=TIMESTAMPS.index) == stamps  # in the lead's order (docs/MODEL.md's lifecycle)
    assert [s.crm for s in CRM_STAGES] == [c for c in CANONICAL if c in {s.crm for s in CRM_STAGES}]
    assert STAGES == ("created", "contacted", "qualified", "handed off", "accepted", "opportunity", "won")
    assert stage("handed_off").label == "handed off" and stage("touched").stamp == "first_attempt_at"
    assert (RESPONSE_FROM.stamp, RESPONSE_TO.stamp) == ("created_at", "first_attempt_at")
    with pytest.raises(KeyError):
        stage("closed")


def test_the_response_delay_is_the_same_in_hours_and_in_times():
    hours = pd.Series([0.0, 10.0, 30.5]), pd.Series([0.25, np.nan, 54.5])
    start = pd.Timestamp("2026-01-05 00:00", tz="Europe/Paris")
    times = [start + pd.to_timedelta(h, unit="h") for h in hours]
    assert response_hours(*hours).tolist()[::2] == [0.25, 24.0]
    assert response_hours(*times).tolist()[::2] == [0.25, 24.0]  # calendar hours: the night counts
    assert math.isnan(response_hours(*hours)[1]) and math.isnan(response_hours(*times)[1])


def test_only_the_runs_new_inbound_inquiries_are_timed():
    log = _log(
        source=["inbound", "inbound", "outbound", "recycled", "inbound"],
        in_flight=[False, True, False, False, False],
        created_at=[0.0, -5.0, 0.0, 0.0, 3.0],
        first_attempt_at=[2.0, 1.0, 0.5, 0.5, np.nan],
    )
    timed = inquiries(log)
    assert timed["lead_id"].tolist() == [0, 4]  # not in flight, not outbound, not back from nurture
    assert response_delays(timed).tolist()[:1] == [2.0] and response_delays(timed).isna().tolist() == [False, True]
    results = Results(log, model=None)
    assert results["median_response_hours"] == 2.0
    assert results["share_responded_within_1h"] == 0.0  # of all 2 timed inquiries, the unanswered one included


def test_the_funnel_drawn_counts_the_runs_inside_leads_through_every_stage_in_order():
    log = _log(
        source=["inbound", "outbound", "field", "inbound", "recycled"],
        in_flight=[False, False, False, True, False],
        contacted_at=[1.0, 1.0, 1.0, 1.0, np.nan],
        qualified_at=[2.0, np.nan, 2.0, 2.0, 2.0],  # lead 1 skipped qualification: it stops at contacted
        handed_off_at=[3.0, 3.0, 3.0, 3.0, np.nan],
        accepted_at=[4.0, np.nan, 4.0, 4.0, np.nan],
        opportunity_at=[5.0, np.nan, 5.0, 5.0, np.nan],
        outcome=["won", "lost", "won", "won", "new"],
    )
    assert dict(zip(STAGES, inside_funnel(log), strict=True)) == {
        "created": 3, "contacted": 2, "qualified": 1, "handed off": 1, "accepted": 1, "opportunity": 1, "won": 1,
    }  # fmt: skip


def test_a_runs_digest_the_crm_statistics_and_the_summary_count_one_funnel():
    result = sim.run("aligned", seed=3, days=60)
    summary = result.summary
    drawn = digest(result)["funnel"]
    assert len(drawn) == len(INSIDE_STAGES) and list(drawn) == sorted(drawn, reverse=True)
    observed = funnel(canonical_from_run(result.leads), pd.Timestamp("2029-01-01", tz="UTC"))  # the default start
    assert observed["kpis"]["median_response_hours"] == pytest.approx(summary["median_response_hours"], rel=1e-12)
    assert [s["stage"] for s in observed["stages"]] == [s.name for s in CRM_STAGES]
    assert observed["kpis"]["leads_qualified"] == summary["leads_qualified"]


# --------------------------------------------------------------------- the registry


def test_every_kpi_carries_its_computation_and_the_summary_is_the_registry_in_order():
    org = SalesOrgModel(load_scenario("aligned", days=90), seed=2).run()
    leads = org.book.to_frame(org.team_names)
    results = Results(leads, org)
    summary = summarize_model(org, leads)
    assert list(summary) == list(KPI_NAMES)
    for k in KPIS:
        assert callable(k.compute), k.name
        value = k.compute(results)
        assert value == summary[k.name] or (math.isnan(value) and math.isnan(summary[k.name])), k.name


def test_a_kpi_may_ask_for_another_and_a_given_value_is_used():
    results = Results(_log(outcome=["won", "lost", "lost", "new"]), model=None, known={"revenue": 100.0})
    assert results["deals_won"] == 1 and results["win_rate"] == pytest.approx(1 / 3)
    results = Results(_log(outcome=["won"]), model=None, known={"deals_won": 3})
    assert results["win_rate"] == 3.0  # the given count, not the log's
    with pytest.raises(KeyError, match="did you mean"):
        results["win_rat"]


@pytest.fixture
def doctored(monkeypatch):
    """The registry with deals won computed as 42: who computes it somewhere else does not see this."""
    changed = dataclasses.replace(kpi("deals_won"), compute=lambda r: 42)
    monkeypatch.setitem(registry._BY_NAME, "deals_won", changed)
    return changed


def test_the_summary_and_the_monitors_use_the_registrys_computation(doctored):
    org = SalesOrgModel(load_scenario("aligned"), seed=1, collect=False).warm_up()
    monitor = Monitor(org)
    for _ in range(5):
        org.step()
    assert "deals_won" in MONITOR_KPIS and monitor.update()["deals_won"] == 42
    assert summarize_model(org, org.book.to_frame(org.team_names))["deals_won"] == 42
