"""Every alignment lever of the article moves the organization through a mechanism.

Each claim of ``sim.experiments.claims`` compares two arms on the same seeds (common
random numbers), 20 one-year replications each, and holds only where the 95%
interval of the paired difference excludes zero in the claimed direction (``make test-all``).
``make test`` checks the direction of every claim at a reduced size: fewer, shorter runs
from a cold start, whose paired mean must lie on the claimed side of zero.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sim.config import levers
from sim.config.params import Params
from sim.config.scenario import load_scenario
from sim.experiments.claims import CLAIMS, Claim
from sim.experiments.runs import replicate, run
from sim.experiments.stats import paired_difference
from sim.model.model import SalesOrgModel

N = 20
SEED = 2026
# The reduced size: 8 pairs of 120 days from a cold start (no warm-up), about 1/25 of the full
# size's model-days. Chosen where every claim's paired mean lay 2.3 standard errors or more on
# its side of zero (the mechanisms act from day one; the warm-up only sets where a run starts).
# A claim about the first quarter (its arms set their own days) is checked over the first month,
# where learning from a cold start shows the most (t = 3.6 at 8 pairs; 0.2 over 90 days).
QUICK_N = 8
QUICK_DAYS, QUICK_FIRST_MONTH = 120, 30


@cache
def _replications(arm: tuple[str, ...], n: int = N, workers: int = 2):
    return replicate(arm[0], n=n, seed=SEED, overrides=list(arm[1:]), workers=workers)


def _reduced(arm: tuple[str, ...]) -> tuple[str, ...]:
    """The arm at the fast tier's size: no warm-up, 120 days (the first month if it sets its own days)."""
    own_days = any(change.startswith("simulation.days=") for change in arm[1:])
    days = QUICK_FIRST_MONTH if own_days else QUICK_DAYS
    return (*arm, "simulation.warmup_days=0", f"simulation.days={days}")


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.label)
def test_lever_moves_kpi_in_claimed_direction_at_reduced_size(claim: Claim):
    """The fast tier's check of every claim: the mean of the paired differences lies on the claimed side."""
    # in this process: 8 short runs cost less than starting a pool's workers (about 3 s of CPU)
    base, target = (_replications(_reduced(arm), QUICK_N, workers=1) for arm in (claim.base, claim.target))
    assert (base["seed"].to_numpy() == target["seed"].to_numpy()).all()  # common random numbers
    mean, low, high = paired_difference(target[claim.kpi], base[claim.kpi])
    got = f"{mean:.4g} [{low:.4g}, {high:.4g}] at {QUICK_N} pairs of {' '.join(_reduced(claim.target)[-2:])}"
    way = "rise" if claim.direction > 0 else "fall"
    assert mean * claim.direction > 0, f"{claim.question}: {claim.kpi} should {way} ({claim.why}); got {got}"


@pytest.mark.slow
@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.label)
def test_lever_moves_kpi_in_claimed_direction(claim: Claim):
    base, target = _replications(claim.base, claim.n), _replications(claim.target, claim.n)
    assert (base["seed"].to_numpy() == target["seed"].to_numpy()).all()  # common random numbers
    mean, low, high = paired_difference(target[claim.kpi], base[claim.kpi])
    interval = f"{mean:.4g} [{low:.4g}, {high:.4g}]"
    if claim.direction > 0:
        assert low > 0, f"{claim.question}: {claim.kpi} should rise ({claim.why}); got {interval}"
    else:
        assert high < 0, f"{claim.question}: {claim.kpi} should fall ({claim.why}); got {interval}"


def test_feedback_learning_curve_is_in_daily_table():
    """With a continuous loop the inside bars close in on the field's over the year, seed by seed.

    New hires arrive with the old bar, so the gap never reaches 0; a single run is noisy, so each
    seed is paired with the same organization without feedback.
    """
    late_with, late_without = [], []
    for seed in (1, 2, 3, 4):
        with_loop = run("misaligned", seed=seed, overrides=["feedback.mode=continuous"]).daily
        without = run("misaligned", seed=seed).daily
        assert with_loop["field_trust"].notna().all()
        late_with.append(with_loop["inside_bar_gap"].iloc[-50:].mean())
        late_without.append(without["inside_bar_gap"].iloc[-50:].mean())
    assert all(w < wo for w, wo in zip(late_with, late_without, strict=True)), (late_with, late_without)
    assert sum(late_with) < 0.8 * sum(late_without)


def test_the_fields_verdicts_re_tune_the_lead_score_only_where_a_loop_passes_them_on():
    """Rules re-weighted on what the field said of the leads: sharper through the year, never past the
    best a score of the form can do; without a loop (two teams, no word of mouth) the score stays as built."""
    p = Params()
    noise = {}
    for mode in ("none", "periodic"):
        scenario = load_scenario("defined", ["organization.structure=two_teams", f"feedback.mode={mode}"])
        noise[mode] = SalesOrgModel(scenario, seed=3).run(days=180).market.score_noise
    assert noise["none"] == p.score_noise_rules
    assert p.score_noise_tuned < noise["periodic"] < p.score_noise_rules - 0.03


def test_every_lever_table_names_its_source_or_its_range():
    """Each lever-to-parameter table in sim/config/levers.py says where it comes from; an assumption gives a range."""
    tables = {name for name, value in vars(levers).items() if name.isupper() and isinstance(value, dict | float)}
    tables.discard("EVIDENCE")
    assert tables == set(levers.EVIDENCE), tables ^ set(levers.EVIDENCE)
    model_md = (Path(__file__).resolve().parent.parent / "docs" / "MODEL.md").read_text()
    for name, (source, plausible) in levers.EVIDENCE.items():
        assert source and any(ch.isdigit() for ch in plausible), name
        assert f"| `{name}` | {source} | {plausible} |" in model_md, f"docs/MODEL.md, Levers: the row of {name}"


def test_every_question_of_the_article_has_a_claim():
    questions = {c.question.split()[0] for c in CLAIMS}
    assert {str(i) for i in range(1, 10)} <= questions
