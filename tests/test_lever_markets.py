"""What prospects feel from the levers a sales leader argues about, in a scarce, a default and a rich market.

A claim that holds at the default market proves little (docs/MODEL.md, "The levers in a scarce
and a rich market"); these hold in all three, on paired replications (``make test-all``).
``make test`` checks their direction at a reduced size: 4 pairs of 120 days from a cold start,
where every paired mean lay 3 standard errors or more on its side of zero.
"""

import pytest

import sim
from sim.experiments.stats import paired_difference

N = 6
QUICK_N, QUICK = 4, ("simulation.warmup_days=0", "simulation.days=120")
# a small effect (about -0.12 points in the default market, where the field rejects only some of the
# extra handoffs) needs more pairs to be told from noise: [-0.16, -0.07] at 16 pairs, [-0.24, 0.00] at 6
REPLICATIONS = {"marketing's volume bar": 12}
MARKETS = {
    "default": [],
    "scarce": ["market.inbound_leads_per_day=10", "organization.field_teams=[{name: all, field_reps: 8}]"],
    "rich": ["market.inbound_leads_per_day=80"],
}
CHANGES = {  # name: (scenario, base setting, changed setting, direction of satisfaction, why)
    "a joint standard": ("misaligned", "qualification.standard_set_by=none", "qualification.standard_set_by=joint", +1,
                         "fewer prospects handed to a field that turns them down"),
    "marketing's volume bar": ("misaligned", "qualification.standard_set_by=none",
                               "qualification.standard_set_by=marketing", -1, "more prospects rejected by the field"),
    "feedback from the field": ("misaligned", "feedback.mode=none", "feedback.mode=periodic", +1,
                                "the inside bar moves toward the field's"),
    "paying inside per lead": ("defined", "compensation.inside=per_opportunity", "compensation.inside=per_lead", -1,
                               "weak leads passed on, then dropped or rejected"),
}  # fmt: skip


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("change", CHANGES)
def test_prospects_feel_the_lever_in_every_market_at_reduced_size(change, market):
    scenario, base, changed, direction, why = CHANGES[change]
    runs = {
        setting: sim.replicate(scenario, n=QUICK_N, seed=9, overrides=[*QUICK, *MARKETS[market], setting], workers=1)
        for setting in (base, changed)
    }
    mean, low, high = paired_difference(runs[changed]["prospect_satisfaction"], runs[base]["prospect_satisfaction"])
    where = f"{change} in the {market} market ({why}): {mean:+.2f} [{low:+.2f}, {high:+.2f}] at {QUICK_N} short pairs"
    assert mean * direction > 0, where


@pytest.mark.slow  # about two minutes: `make test-all` (docs/MODEL.md's table is scripts/lever_markets.py)
@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("change", CHANGES)
def test_prospects_feel_the_lever_in_every_market(change, market):
    scenario, base, changed, direction, why = CHANGES[change]
    runs = {
        setting: sim.replicate(
            scenario, n=REPLICATIONS.get(change, N), seed=9, overrides=[*MARKETS[market], setting], workers=2
        )
        for setting in (base, changed)
    }
    mean, low, high = paired_difference(runs[changed]["prospect_satisfaction"], runs[base]["prospect_satisfaction"])
    where = f"{change} in the {market} market ({why}): {mean:+.2f} [{low:+.2f}, {high:+.2f}]"
    assert (low > 0) if direction > 0 else (high < 0), where
