"""The KPI registry, the formatter of each unit and the lever labels."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.config.labels import LEVER_LABELS, describe_lever, lever_label
from sim.config.scenario import Scenario, builtin_names, load_scenario
from sim.experiments.compare import lever_differences
from sim.measure.funnel import latest_rows
from sim.measure.kpis import GROUPS, KPI, KPI_NAMES, KPIS, MONITOR_KPIS, UNITS, kpi
from sim.measure.monitors import Monitor
from sim.model.model import SalesOrgModel
from sim.present.format import (
    CHANGE_UNITS,
    FORMATTERS,
    NA,
    axis_formatter,
    dollars,
    format_change,
    format_change_interval,
    format_interval,
    format_kpi,
    format_value,
)
from sim.present.tables import kpi_table


@pytest.fixture(scope="module")
def summary() -> dict[str, float]:
    return sim.run("aligned", days=30).summary


# --------------------------------------------------------------------- registry


def test_the_registry_is_the_summary_of_a_real_run_in_its_order(summary):
    assert list(summary) == list(KPI_NAMES)


def test_names_are_unique_and_every_group_names_registered_kpis():
    assert len(set(KPI_NAMES)) == len(KPI_NAMES)
    for group, names in GROUPS.items():
        unknown = [n for n in names if n not in KPI_NAMES]
        assert not unknown, f"group {group} names unknown KPIs {unknown}"


def test_the_dashboard_monitors_are_what_the_live_monitor_computes():
    org = SalesOrgModel(load_scenario("aligned"), seed=1, collect=False)
    org.step()
    assert set(Monitor(org).update()) - {"funnel"} == set(MONITOR_KPIS)


def test_an_unknown_kpi_names_the_close_ones():
    with pytest.raises(KeyError, match="did you mean revenue"):
        kpi("revenu")


def test_a_kpi_needs_a_known_unit_and_a_direction():
    with pytest.raises(ValueError, match="unit"):
        KPI("x", "euros", 1, "x", "x", len)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="good"):
        KPI("x", "count", 2, "x", "x", len)  # type: ignore[arg-type]


def test_judge_reads_a_change_by_the_good_direction():
    assert kpi("revenue").judge(5.0) == 1
    assert kpi("revenue").judge(-5.0) == -1
    assert kpi("leads_ignored").judge(3.0) == -1
    assert kpi("leads_created").judge(3.0) == 0
    assert kpi("revenue").judge(0.0) == 0
    assert kpi("share_dissatisfied").judge(np.float64(0.01)) == -1  # the comparison table's numbers


def test_every_kpi_has_a_unit_with_a_formatter_for_its_value_and_its_change(summary):
    assert set(UNITS) <= set(FORMATTERS)
    for k in KPIS:
        assert k.label and k.description.endswith("."), k.name
        shown = format_kpi(k.name, 1.5)
        assert shown != NA and re.search(r"\d", shown), (k.name, shown)
        assert format_change(k.name, 1.5).startswith("+"), k.name
        assert isinstance(format_kpi(k.name, summary[k.name]), str)


# --------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("revenue", 1_234_567.0, "$1.23M"),
        ("revenue", 456_000.0, "$456k"),
        ("revenue", 789.0, "$789"),
        ("revenue", 999_999.0, "$1.00M"),  # rounding that reaches the next scale shows it
        ("revenue", 999.6, "$1k"),
        ("profit", -1_500_000.0, "-$1.50M"),
        ("profit", -0.3, "$0"),  # a value that shows as zero carries no sign
        ("revenue", 2.5e9, "$2.50B"),
        ("win_rate", 0.2345, "23.4%"),
        ("deals_won", 1234.4, "1,234"),
        ("median_response_hours", 12.34, "12.3 h"),
        ("median_response_hours", 0.0523, "0.0523 h"),
        ("field_hours_wasted", 3456.7, "3,457 h"),
        ("prospect_satisfaction", 54.23, "54.2"),
        ("roi", 1.2345, "1.23x"),
        ("field_trust", 0.4772, "0.477"),
        ("revenue", float("nan"), NA),
        ("revenue", None, NA),
        ("win_rate", math.inf, NA),
    ],
)
def test_format_kpi(name, value, text):
    assert format_kpi(name, value) == text


def test_changes_are_signed_and_a_share_moves_in_percentage_points():
    assert format_change("revenue", 1.2e6) == "+$1.20M"
    assert format_change("revenue", -45_000.0) == "-$45k"
    assert format_change("win_rate", 0.0123) == "+1.2 pp"
    assert format_change("win_rate", -0.0001) == "0.0 pp"
    assert format_change("deals_won", 12.0) == "+12"
    assert format_change("median_response_hours", float("nan")) == NA
    assert CHANGE_UNITS["share"] in FORMATTERS


def test_intervals():
    assert format_interval("revenue", 8e5, 1.6e6) == "[$800k, $1.60M]"
    assert format_interval("win_rate", -0.01, 0.02, change=True) == "[-1.0 pp, +2.0 pp]"
    assert format_change_interval("revenue", 1.2e6, 8e5, 1.6e6) == "+$1.20M [+$800k, +$1.60M]"


def test_axis_ticks_come_from_the_same_formatter():
    assert axis_formatter("revenue")(1.5e6) == "$1.5M"
    assert axis_formatter("revenue")(2e6) == "$2M"
    assert axis_formatter("revenue")(7500.0) == "$7.5k"
    assert axis_formatter("revenue", change=True)(5e5) == "+$500k"
    assert axis_formatter("revenue", change=True)(0.0) == "$0"
    assert axis_formatter("win_rate")(0.25) == "25%"
    assert axis_formatter("win_rate", change=True)(-0.02) == "-2 pp"


DOLLARS = re.compile(r"^([+-]?)\$(\d{1,3}(?:,\d{3})*)(?:\.(\d+))?([kMB]?)$")
SCALE = {"": 1.0, "k": 1e3, "M": 1e6, "B": 1e9}


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), st.booleans())
def test_dollars_read_back_within_the_rounding_of_the_digits_shown(value, signed):
    text = dollars(value, signed=signed)
    match = DOLLARS.match(text)
    assert match, text
    sign, whole, decimals, suffix = match.groups()
    shown = float(whole.replace(",", "") + "." + (decimals or "0"))
    assert suffix == "B" or shown < 1000, text  # never $1,000k: the next scale is used
    parsed = (-1 if sign == "-" else 1) * shown * SCALE[suffix]
    resolution = SCALE[suffix] * 10.0 ** -len(decimals or "")
    assert abs(parsed - value) <= resolution / 2 + 1e-9 * abs(value), (value, text)
    assert sign == ("+" if signed and value > 0 else "-" if value < 0 else "") or shown == 0, (value, text)


@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(sorted(FORMATTERS)), st.booleans())
def test_every_formatter_handles_any_float(value, unit, tick):
    text = format_value(unit, value, signed=True, tick=tick)
    shown = value * 100 if unit in ("share", "pp") else value  # a share is shown as a percentage
    assert text == NA if not math.isfinite(shown) else text[:1] in "+-$0123456789", text


# --------------------------------------------------------------------- tables


def test_the_cli_kpi_table_shows_every_kpi_by_its_label(summary):
    lines = kpi_table({"aligned": summary}).splitlines()
    assert len(lines) == 1 + len(KPIS)
    for k, line in zip(KPIS, lines[1:], strict=True):
        assert line.startswith(k.label) and line.endswith(format_kpi(k.name, summary[k.name])), line


# --------------------------------------------------------------------- levers


def _schema_levers() -> set[str]:
    """Every dotted key of the scenario schema that is a lever (not the name, the run or behaviour overrides)."""
    keys = set()
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if section in ("simulation", "behavior") or not hasattr(model, "model_fields"):
            continue
        keys |= {f"{section}.{key}" for key in model.model_fields}
    return keys | {"timeline"}  # dated changes: one lever as a whole (explain switches the plan)


def test_every_lever_label_is_a_real_scenario_key_and_every_lever_has_one():
    assert set(LEVER_LABELS) == _schema_levers()


def test_every_difference_of_the_builtins_reads_in_words():
    scenarios = [load_scenario(name) for name in builtin_names()]
    for a, b in itertools.combinations(scenarios, 2):
        for key, old, new in lever_differences(a, b):
            assert key in LEVER_LABELS, key
            assert "_" not in describe_lever(key, old, new).split(":", 1)[1], (key, old, new)


def test_describe_lever():
    assert describe_lever("handoff.sla_hours", 48.0, 4.0) == "follow-up SLA (business hours): 48 → 4"
    assert describe_lever("handoff.mode", "cold", "warm") == "handoff: cold → warm"
    assert describe_lever("handoff.sla_enforced", False, True) == "follow-up SLA enforced: no → yes"
    teams = [{"name": "east", "field_reps": 5}, {"name": "west", "field_reps": 4}]
    assert describe_lever("organization.field_teams", teams[:1], teams).endswith("east (5 reps), west (4 reps)")
    assert describe_lever("compensation.inside", "per_lead", "hybrid") == "inside reps' pay: per lead → hybrid"
    assert lever_label("behavior.inside_threshold") == "behavior.inside threshold"


def test_a_prospect_back_from_nurture_counts_once_in_satisfaction():
    leads = pd.DataFrame({"lead_id": [0, 1, 2], "recycled_from": [-1, -1, 0], "satisfaction": [30.0, 60.0, 20.0]})
    assert latest_rows(leads)["lead_id"].tolist() == [1, 2]  # lead 0 came back as lead 2


def test_report_cells_read_as_people_read_them():
    from sim.present.format import format_change, format_change_interval, format_interval, format_kpi

    nan = float("nan")
    assert format_change_interval("revenue", nan, nan, nan) == "n/a"  # never "-n/a [-n/a, -n/a]"
    assert format_interval("revenue", nan, nan) == ""
    assert format_interval("leads_ignored", -6.2, 7.1) == "[0, 7]"  # a count's interval never below zero
    assert format_interval("win_rate", 0.95, 1.04) == "[95.0%, 100.0%]"
    assert format_kpi("deals_won", 12.6) == "13"  # counts are whole
    assert format_change("win_rate", 0.012) == "+1.2 pp"  # a share's change in percentage points
    assert format_change("revenue", -200_000) == "-$200k"  # the sign before the dollar
