"""Scenario discovery: PRIM (EMA Workbench) finds where a change does not pay."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.experiments.discover import DiscoveryError, cases, discover
from tests.console import salesim_in_process


def _planted(n: int = 300, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """Five assumptions; the gain is negative exactly where contact_max < 0.3 and decay > 0.6."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 5)), columns=["contact_max", "field_fit_a", "decay", "x4", "market_volume"])
    bad = (x["contact_max"] < 0.3) & (x["decay"] > 0.6)
    return x, pd.Series(np.where(bad, -1.0, 1.0) + 0.1 * rng.standard_normal(n))


def test_prim_finds_a_planted_condition_and_says_it_in_words():
    x, gain = _planted()
    found = discover(x, gain, "the profit gain of aligned over misaligned")
    limits = found.limits.set_index("input")
    assert set(limits.index) == {"contact_max", "decay"}
    assert limits.loc["contact_max", "high"] == pytest.approx(0.3, abs=0.05)
    assert limits.loc["decay", "low"] == pytest.approx(0.6, abs=0.05)
    assert found.density >= 0.8 and found.coverage >= 0.8
    words = found.sentence()
    assert "contact_max is below 0.3" in words and ("decay is above 0.5" in words or "decay is above 0.6" in words)


def test_nothing_to_discover_is_a_clear_error():
    x, gain = _planted()
    with pytest.raises(DiscoveryError, match="in none of the 300 cases"):
        discover(x, gain.abs() + 1, "the gain")


def test_the_cli_reads_an_uncertainty_folder(tmp_path):
    x, gain = _planted()
    table = x.assign(set=range(len(x)), **{"gain_profit__aligned": gain})
    table.to_csv(tmp_path / "assumption_sets.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"scenarios": [{"name": "misaligned"}]}))
    inputs, _, what = cases(tmp_path, "profit")
    assert list(inputs.columns) == list(x.columns) and what == "the profit gain of aligned over misaligned"
    done = salesim_in_process("discover", str(tmp_path), "--kpi", "profit", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The profit gain of aligned over misaligned is at or below 0 in")
    assert (tmp_path / "discovery_profit.csv").is_file()
    bad = salesim_in_process("discover", str(tmp_path), "--kpi", "profits", cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_a_folder_without_cases_is_refused(tmp_path):
    with pytest.raises(DiscoveryError, match=r"no assumption_sets\.csv"):
        cases(tmp_path, "profit")
