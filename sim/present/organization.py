"""The report's "Organization and assumptions": what was modelled, in a client's words, and what was not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.config.levers import derive
from sim.config.params import Params
from sim.config.scenario import Scenario
from sim.model.policies import field_pay_plan
from sim.present.format import dollars
from sim.present.names import title

# (what, how it reads for one scenario and its parameters); a row whose values all agree reads once.
ROWS: tuple[tuple[str, Callable[[Scenario, Params], str]], ...] = (
    ("Inside sales reps (SDRs)", lambda s, p: f"{s.organization.inside_reps}"),
    ("Field sales reps (AEs), by team",
     lambda s, p: ", ".join(f"{t.name} {t.field_reps}" for t in s.organization.field_teams)),
    ("Teams and management", lambda s, p: f"{s.organization.structure.replace('_', ' ')}, "
     f"{s.organization.management.replace('_', ' ')}; inside sales reports to {s.organization.inside_reports_to}"),
    ("Inbound inquiries", lambda s, p: f"{s.market.inbound_leads_per_day:g} a working day, "
     f"{dollars(s.market.cost_per_inquiry)} each"),
    ("Median deal (first-year contract)", lambda s, p: dollars(s.market.deal_value_median)),
    ("Installed base at the start (recurring revenue)", lambda s, p: dollars(p.installed_base_arr)),
    ("Salaries a year: inside rep, field rep, first-line manager",
     lambda s, p: f"{dollars(p.inside_salary)}, {dollars(p.field_salary)}, {dollars(p.manager_salary)}"),
    ("Field rep's quota and commission", lambda s, p: f"{dollars(p.field_quota)} a year; "
     f"{field_pay_plan(p).rate:.1%} of {p.field_pay} ({dollars(p.field_variable_pay)} at quota), "
     f"{p.accelerator:g}x past quota"),
    ("Cost of goods (share of a contract)", lambda s, p: f"{p.cost_of_goods:.0%}"),
    ("Sales tools a rep a year", lambda s, p: dollars(p.tooling_per_rep)),
    ("R&D and G&A, S&M overhead (share of recurring revenue)",
     lambda s, p: f"{p.other_operating_share:.0%}, {p.sales_marketing_overhead_share:.0%}"),
    ("Period measured", lambda s, p: f"{s.simulation.days} days, after a warm-up of {s.simulation.warmup_days} days "
     "(pipeline, tenure and customers in flight at the start)"),
    ("Changes during the period", lambda s, p: f"{len(s.timeline)} dated" if s.timeline else "none"),
)  # fmt: skip

NOT_MODELLED = (
    "one-off costs of making a change (consultants, the managers' time, severance, lost productivity while "
    "people learn new ways beyond the ramp the model has)",
    "later years: a customer's renewals after the period measured (they are what pays a customer back)",
    "competitors, pricing and product changes, and the economy: the market is the same in every scenario",
    "what makes people join or stay beyond pay, standing against quota, tenure and ramp (culture, managers' quality)",
    "marketing's own decisions: the inquiries bought a day are set, not chosen",
)


def organization(scenarios: list[Scenario]) -> dict[str, Any]:
    """The organization and assumptions of each scenario, rows that agree merged, and what is not modelled."""
    params = [derive(s) for s in scenarios]
    rows = []
    for what, show in ROWS:
        values = [show(s, p) for s, p in zip(scenarios, params, strict=True)]
        rows.append({"what": what, "cells": values, "same": len(set(values)) == 1})
    return {"names": [title(s) for s in scenarios], "rows": rows, "not_modelled": NOT_MODELLED}
