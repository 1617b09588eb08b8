"""What prospects feel comes from what happens to them, not from the levers' names."""

import sim
from sim.experiments.stats import paired_difference

N = 6


def _satisfaction(*overrides: str, scenario: str = "aligned"):
    return sim.replicate(scenario, n=N, seed=3, days=150, overrides=list(overrides), workers=2)["prospect_satisfaction"]


def test_a_longer_sla_never_pleases_prospects_more():
    """The prospect hears a promise, not the SLA: a longer SLA only means longer waits."""
    by_sla = {h: _satisfaction(f"handoff.sla_hours={h}") for h in (4, 48, 500)}
    for shorter, longer in ((4, 48), (48, 500)):
        mean, low, high = paired_difference(by_sla[longer], by_sla[shorter])
        assert high < 0, f"SLA {longer} h against {shorter} h: {mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def test_a_company_with_nobody_to_sell_does_not_please_prospects_more():
    nobody = _satisfaction("organization.field_teams=[{name: solo, field_reps: 0}]")
    served = _satisfaction()
    mean, low, high = paired_difference(nobody, served)
    assert high < 0, f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def test_an_ignored_lead_ends_less_satisfied_than_a_rejected_one():
    leads = sim.run("misaligned", seed=2, days=150).leads
    by_outcome = leads.groupby("outcome")["satisfaction"].mean()
    assert by_outcome["ignored"] < by_outcome["rejected"]
