import re

import pandas as pd
import pytest

from sim.config.scenario import ScenarioError, load_scenario
from sim.experiments.compare import ExperimentError, compare, explain, lever_differences
from sim.present.report import write_comparison
from tests.console import salesim_in_process

COLUMNS = ["scenario", "kpi", "mean", "ci_low", "ci_high", "delta", "delta_ci_low", "delta_ci_high", "delta_pct"]


def quick(name: str):
    """A built-in with a four-week warm-up: these tests check the comparison's plumbing, not the steady state."""
    return load_scenario(name, ["simulation.warmup_days=28"])


@pytest.fixture(scope="module")
def small():
    mis, ali = quick("misaligned"), quick("aligned")
    return compare([mis, ali], n=4, days=60, workers=1, explain=(mis, ali))  # both in one batch of runs


def test_comparison_table_has_the_contract_columns(small):
    assert list(small.table.columns) == COLUMNS
    base = small.table[small.table["scenario"] == "misaligned"]
    assert (base["delta"] == 0).all()
    revenue = small.table.set_index(["scenario", "kpi"]).loc[("aligned", "revenue")]
    assert revenue["ci_low"] <= revenue["mean"] <= revenue["ci_high"]
    assert revenue["delta_ci_low"] <= revenue["delta"] <= revenue["delta_ci_high"]
    assert len(small.replications) == 8


def test_replication_i_of_every_scenario_shares_a_seed(small):
    seeds = small.replications.pivot(index="replication", columns="scenario", values="seed")
    assert (seeds["misaligned"] == seeds["aligned"]).all()
    assert seeds["aligned"].is_unique


def test_numbers_do_not_depend_on_workers():
    arms = [quick("misaligned"), quick("defined")]
    a = compare(arms, n=3, days=30, seed=9, workers=1).replications
    b = compare(arms, n=3, days=30, seed=9, workers=2).replications
    pd.testing.assert_frame_equal(a, b)


def test_explain_switches_each_differing_lever(small):
    table = small.explanation.table
    differing = {key for key, _, _ in lever_differences(load_scenario("misaligned"), load_scenario("aligned"))}
    levers = set(table["lever"]) - {"all levers together", "interaction"}
    assert levers == differing
    assert "handoff.mode" in levers and "name" not in levers
    # the total of explain equals the paired difference of compare (same seeds, same arms)
    total = table[(table["lever"] == "all levers together") & (table["kpi"] == "revenue")]["effect"].iloc[0]
    delta = small.table.set_index(["scenario", "kpi"]).loc[("aligned", "revenue"), "delta"]
    assert total == pytest.approx(delta)
    # singles + interaction add up to the total
    rev = table[table["kpi"] == "revenue"]
    parts = rev[~rev["lever"].isin(["all levers together"])]["effect"].sum()
    assert parts == pytest.approx(total)


def test_report_is_self_contained(small, tmp_path):
    report = write_comparison(small, tmp_path, "salesim compare misaligned aligned -n 4")
    html = report.read_text()
    assert "data:image/png;base64," in html
    assert not re.search(r"(src|href)=\"(http|//)", html)  # nothing fetched from the network
    for text in ("Misaligned", "Aligned", "Appendix: reproducing the results", "What to do first", "mesa"):
        assert text in html
    for name in ("kpi_deltas", "revenue_over_time", "funnel", "satisfaction", "response_times", "tornado"):
        assert (tmp_path / "figures" / f"{name}.png").stat().st_size > 10_000
    assert list(pd.read_csv(tmp_path / "comparison.csv").columns) == COLUMNS


def test_bad_comparisons_are_refused():
    with pytest.raises(ExperimentError, match="at least 2"):
        compare(["misaligned", "aligned"], n=1)
    with pytest.raises(ExperimentError, match="twice"):
        compare(["aligned", "aligned"], n=2)
    with pytest.raises(ScenarioError, match="did you mean aligned"):
        compare(["misaligned", "alinged"], n=2)
    with pytest.raises(ExperimentError, match="nothing to explain"):
        explain("aligned", "aligned", n=2)


def _cli(*args, cwd):
    return salesim_in_process(*args, cwd=cwd)


def cold_files(folder, *names):
    """Scenario files of built-ins started cold (no warm-up): these command-line tests check what is written."""
    for name in names:
        (folder / f"{name}.yaml").write_text(f"name: {name}\nextends: {name}\nsimulation: {{warmup_days: 0}}\n")
    return [f"{name}.yaml" for name in names]


def test_compare_cli_writes_every_output(tmp_path):
    args = cold_files(tmp_path, "misaligned", "aligned")
    res = _cli("compare", *args, "-n", "2", "--days", "20", "--workers", "1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "outputs" / "compare" / "misaligned-vs-aligned"
    for name in ("comparison.csv", "replications.csv", "report.html", "figures/funnel.png"):
        assert (out / name).is_file(), name
    assert "report:" in res.stdout


def test_explain_cli_writes_csv_and_tornado(tmp_path):
    args = cold_files(tmp_path, "defined", "aligned")
    res = _cli("explain", *args, "-n", "2", "--days", "20", "--workers", "1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "outputs" / "explain" / "defined-to-aligned"
    assert (out / "explain.csv").is_file() and (out / "figures" / "tornado.png").is_file()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("compare", "misaligned", "aligned", "-n", "1"), "at least 2"),
        (("compare", "aligned", "aligned", "-n", "2"), "twice"),
        (("compare", "misaligned", "alinged", "-n", "2"), "did you mean aligned"),
        (("explain", "misalinged", "aligned", "-n", "2"), "did you mean misaligned"),
        (("compare", "misaligned", "aligned", "-n", "2", "--out", "/proc/forbidden"), "cannot write"),
    ],
)
def test_bad_compare_input_is_one_line_exit_2(tmp_path, args, needle):
    res = _cli(*args, cwd=tmp_path)
    assert res.returncode == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert needle in lines[0]
    assert not (tmp_path / "outputs" / "compare").exists() or not any((tmp_path / "outputs" / "compare").iterdir())


def test_a_comparison_with_an_explanation_runs_both_in_one_batch(small):
    """compare(..., explain=...) gives the same explanation as explain() alone, and the same comparison."""
    mis, ali = (load_scenario(s, ["simulation.warmup_days=0"]) for s in ("misaligned", "aligned"))
    both = compare([mis, ali], n=2, days=20, workers=1, explain=(mis, ali))
    alone = compare([mis, ali], n=2, days=20, workers=1)
    pd.testing.assert_frame_equal(both.table, alone.table)
    pd.testing.assert_frame_equal(both.explanation.table, explain(mis, ali, n=2, days=20, workers=1).table)
    assert set(small.replications["scenario"]) == {"misaligned", "aligned"}  # the switched arms stay out of it
