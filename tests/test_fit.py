"""salesim fit: a company's behaviour recovered from its own CRM export (export-crm of a run with known parameters)."""

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.config.scenario import load_scenario
from sim.crm.reader import read_export
from sim.model.leads import State
from sim.model.model import SalesOrgModel
from tests.console import salesim_in_process

TRUTH = {"win_logit": -1.0, "cycle_days": 50.0}  # defaults: -1.56 and 72 days


def _salesim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return salesim_in_process(*args, cwd=cwd)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> Path:
    """A company run with non-default behaviour, exported as Salesforce would, then fitted on a small budget."""
    root = tmp_path_factory.mktemp("fit")
    (root / "truth.yaml").write_text(
        f"name: truth\nextends: defined\nsimulation: {{days: 120, warmup_days: 14}}\nbehavior: {json.dumps(TRUTH)}\n"
    )
    (root / "base.yaml").write_text("name: base\nextends: defined\nsimulation: {warmup_days: 14}\n")
    for args in (("run", "truth.yaml", "--seed", "5", "--out", "run"), ("export-crm", "run", "--out", "export")):
        assert _salesim(*args, cwd=root).returncode == 0
    proc = _salesim(
        "fit", "export", "--scenario", "base.yaml", "--only", "win_logit", "--only", "cycle_days",
        "--budget", "120", "--population", "30", "--checks", "6", "--workers", "2", "--out", "fit", cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.mark.slow  # the known-truth fit (about 100 s under load): make test-all's
def test_the_identifiable_parameters_are_recovered_with_narrower_posteriors(fitted):
    report = json.loads((fitted / "fit" / "fit.json").read_text())
    for row in report["fitted"]:
        truth = TRUTH[row["parameter"]]
        assert row["p05"] <= truth <= row["p95"], row
        assert row["width_share_of_prior"] < 0.8, row  # narrower than the prior
    assert report["simulations"] <= 120
    assert {s["statistic"] for s in report["statistics"]} >= {"win_rate", "median_cycle_days", "opportunities_per_day"}
    assert report["entry_point"] == "inquiries" and report["not_identified"] == []  # a lead export
    for row in report["fitted"]:  # pinned down only when informed, contracted and off the edges
        assert row["pinned_down"] == (row["informed"] and row["contracted"] and row["at_prior_edge"] is None
                                      and any(s["inside"] for s in report["statistics"]
                                              if s["statistic"] in row["informed_by"]))  # fmt: skip
    for s in report["statistics"]:
        assert s["inside"] is None if s["observed"] is None else (s["inside"] or s["not_reproduced"]), s


@pytest.mark.slow  # the known-truth fit (about 100 s under load): make test-all's
def test_the_fitted_scenario_extends_the_base_and_carries_its_posterior(fitted):
    folder = fitted / "fit"
    scenario = load_scenario(folder / "fitted.yaml")
    assert scenario.posterior == str(folder / "posterior.parquet")
    assert scenario.organization == load_scenario(fitted / "base.yaml").organization  # --scenario keeps its headcounts
    posterior = pd.read_parquet(folder / "posterior.parquet")
    assert list(posterior.columns) == list(TRUTH) and len(posterior) == 30
    doc = yaml.safe_load((folder / "fitted.yaml").read_text())
    assert doc["behavior"]["win_logit"] == pytest.approx(posterior["win_logit"].median(), abs=1e-5)
    assert 35 < doc["market"]["inbound_leads_per_day"] < 45  # defined's 40 a working day, measured
    assert (folder / "check.png").stat().st_size > 20_000


@pytest.mark.slow  # the known-truth fit (about 100 s under load): make test-all's
def test_the_fitted_company_starts_from_its_exports_open_pipeline(fitted):
    """Item 6: the export's open opportunities at its date, as many and as large, are the fitted run's deals."""
    folder = fitted / "fit"
    scenario = load_scenario(folder / "fitted.yaml")
    assert scenario.pipeline == str(folder / "pipeline.parquet")
    pipeline = pd.read_parquet(folder / "pipeline.parquet")
    export = read_export(fitted / "export")
    still_open = export.leads["opp_created_at"].notna() & export.leads["closed_at"].isna()
    from sim.crm.observed import export_funnel
    from sim.experiments.crm_files import open_pipeline

    stale = open_pipeline(export.leads, export_funnel(export)).attrs["stale"]  # open past twice the P90 cycle
    assert len(pipeline) + stale == int(still_open.sum()) > 0 and (pipeline["age_days"] >= 0).all()
    model = SalesOrgModel(scenario, seed=9).warm_up()
    deals = [lead for lead in model.book if lead.state is State.OPPORTUNITY]
    assert sorted(lead.value for lead in deals) == pytest.approx(sorted(pipeline["amount"]))
    assert sum(rep.open_opps for rep in model.field_reps) == len(pipeline)


@pytest.mark.slow  # the known-truth fit (about 100 s under load): make test-all's
def test_a_fit_run_again_resumes_from_its_stored_generations(fitted):
    before = (fitted / "fit" / "posterior.parquet").read_bytes()
    proc = _salesim(
        "fit", "export", "--scenario", "base.yaml", "--only", "win_logit", "--only", "cycle_days",
        "--budget", "120", "--population", "30", "--checks", "0", "--workers", "1", "--out", "fit", cwd=fitted,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads((fitted / "fit" / "fit.json").read_text())
    assert report["seconds_this_call"] < 30, "nothing left to simulate"
    assert pd.read_parquet(fitted / "fit" / "posterior.parquet").equals(pd.read_parquet(pd.io.common.BytesIO(before)))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--only", "sat_start"), "cannot fit sat_start"),
        (("--budget", "10", "--population", "48"), "at least twice the population"),
        (("--scheduler", "tcp://127.0.0.1:1"), "--scheduler needs --executor dask"),
        (("--prior", "win_logit=1,-1"), "LOW must be below HIGH"),
        (("--prior", "contact_max=0,1", "--only", "win_logit"), "not a parameter this fit fits"),
        (("--prior", "win_logit=low,high"), "write PARAM=LOW,HIGH"),
        (("--prior", "cycle_days=-5,100"), "outside what the model allows"),
    ],
)
def test_a_fit_that_cannot_be_done_is_one_line_and_exit_2(fitted, args, needle):
    proc = _salesim("fit", "export", "--scenario", "base.yaml", "--out", "bad", *args, cwd=fitted)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.slow  # a run, an export and a fit: about a minute on an idle machine (make test-all's)
def test_a_misaligned_company_fitted_as_defined_is_told_its_practices_differ(tmp_path: Path):
    """Issue 32: a run of misaligned, fitted without --scenario: the fit names the practices that differ."""
    (tmp_path / "mis.yaml").write_text("name: mis\nextends: misaligned\nsimulation: {days: 120, warmup_days: 14}\n")
    for args in (("run", "mis.yaml", "--seed", "3", "--out", "run"), ("export-crm", "run", "--out", "export")):
        assert _salesim(*args, cwd=tmp_path).returncode == 0
    proc = _salesim("fit", "export", "--only", "win_logit", "--only", "cycle_days", "--budget", "60", "--population",
                    "15", "--checks", "8", "--workers", "2", "--out", "fit", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert "defined's" in report["practices_assumed"] and "acceptance stage yes" in report["practices_assumed"]
    stats = {s["statistic"]: s for s in report["statistics"]}
    # measured: ignored / handed off 0.44 against 0.011-0.023; response 1.09 h against 0.75-0.88 h; handoff to
    # opportunity 5.9 days against 3.4-4.1 (misaligned: an SLA of 48 h, not enforced, no acceptance stage)
    for name, side, lever in (("ignore_rate", "above", "handoff.sla_enforced=false"),
                              ("response_hours", "above", "inside.work_order=oldest_first"),
                              ("acceptance_days", "above", "handoff.sla_enforced=false")):  # fmt: skip
        assert stats[name]["inside"] is False and lever in stats[name]["not_reproduced"], stats[name]
        assert any(stats[name]["label"] in line and f"is {side}" in line and lever in line
                   for line in report["practices_differ"])  # fmt: skip
    assert "its practices likely differ" in proc.stdout
