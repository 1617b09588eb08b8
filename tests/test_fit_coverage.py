"""Simulation-based check of the fit: companies of known behaviour, exported and fitted; the truth inside its band.

Three truths across the priors (win rates of about 15% to 60%, cycles of 45 to 110 days), each a run of
`defined` exported as Salesforce would and fitted on 60 simulations (`--only win_logit cycle_days`). Fixed
seeds: the runner gives the same numbers on any number of workers, so the figures below are reproducible
(docs/CRM.md quotes them).
"""

import json

import pytest

from tests.console import salesim_in_process

TRUTHS = [
    {"win_logit": -1.8, "cycle_days": 45.0},
    {"win_logit": -0.6, "cycle_days": 80.0},
    {"win_logit": 0.4, "cycle_days": 110.0},
]


# three known-truth fits, about 45 s of CPU: make test-all's (tests/test_fit.py recovers one truth in make test)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fits(tmp_path_factory) -> list[dict]:
    root = tmp_path_factory.mktemp("coverage")
    (root / "base.yaml").write_text("name: base\nextends: defined\nsimulation: {warmup_days: 14}\n")
    reports = []
    for i, truth in enumerate(TRUTHS):
        (root / f"truth{i}.yaml").write_text(
            f"name: truth{i}\nextends: defined\nsimulation: {{days: 150, warmup_days: 14}}\n"
            f"behavior: {json.dumps(truth)}\n"
        )
        for args in (("run", f"truth{i}.yaml", "--seed", str(20 + i), "--out", f"run{i}"),
                     ("export-crm", f"run{i}", "--out", f"export{i}")):  # fmt: skip
            assert salesim_in_process(*args, cwd=root).returncode == 0
        proc = salesim_in_process(
            "fit", f"export{i}", "--scenario", "base.yaml", "--only", "win_logit", "--only", "cycle_days",
            "--budget", "60", "--population", "15", "--checks", "8", "--workers", "2", "--out", f"fit{i}", cwd=root,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        reports.append(json.loads((root / f"fit{i}" / "fit.json").read_text()))
    return reports


def test_each_known_truth_lies_inside_its_90_percent_interval(fits):
    for truth, report in zip(TRUTHS, fits, strict=True):
        for row in report["fitted"]:
            assert row["p05"] <= truth[row["parameter"]] <= row["p95"], (truth, row)


def test_the_fits_claims_hold_on_known_truths(fits):
    for report in fits:
        stats = {s["statistic"]: s for s in report["statistics"]}
        for row in report["fitted"]:
            assert row["informed"]  # a lead export measures what both parameters answer to
            if row["pinned_down"]:
                assert row["contracted"] and row["at_prior_edge"] is None
                assert any(stats[s]["inside"] for s in row["informed_by"])


def test_simulation_based_calibration_over_truths_drawn_from_the_prior():
    """Talts et al. 2018: ten companies drawn from the prior, fitted; most truths inside their 90% intervals.

    docs/CRM.md's figure runs 24 (``python -m sim.experiments.fit_calibration``: 79% inside); ten at a small
    budget check that a change of the engine has not made the fit sure of what it does not know (a fit too sure
    of itself misses the truth far more often).
    """
    from sim.experiments.fit_calibration import calibrate_fit, coverage

    table = calibrate_fit(10, budget=60, population=15, seed=3)
    assert len(table) == 10 and (table["draws"] == 15).all()
    for name, share in coverage(table).items():
        # a calibrated fit's 5-95% interval from 15 draws holds the truth about 84% of the time (order statistics);
        # five or fewer of ten then happen 1% of the time, and a fit too sure of itself (as averaging seeds was)
        assert share >= 0.6, (name, table[[name, f"{name}_p05", f"{name}_p95"]])
        ranks = table[f"{name}_rank"]
        assert ranks.between(1, 14).mean() >= 0.6, ranks.tolist()  # not piled at the extreme ranks
