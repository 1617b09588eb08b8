"""The one registry of KPIs: name, unit, which way is good, a label for people, what it measures, how it is computed.

Every KPI of summary.json is here, in its order (and that of the replications' columns),
with its computation: a function of the run's :class:`sim.measure.results.Results` (the
lead frame, the reps' tallies, the model's books) that may ask for other KPIs. The summary
is a loop over this registry; the dashboard's monitors call the same computations. The
presentation layer formats a KPI by its unit (``sim.present.format``) and colours a change
by its good direction; the groups at the end name the KPIs each table, figure and sweep
shows, by name, so they are checked against the registry instead of being copied.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

    from sim.measure.results import Results

Unit = Literal["dollars", "share", "count", "hours", "points", "ratio", "months", "score"]
UNITS: tuple[Unit, ...] = typing.get_args(Unit)


@dataclass(frozen=True)
class KPI:
    """One KPI of a run.

    Attributes:
        name: the key in summary.json.
        unit: how its value reads: dollars, share (0-1, shown as %), count,
            hours (calendar hours), points (satisfaction, 0-100), ratio, months, score.
        good: +1 more is better, -1 less is better, 0 neither (for the business or the prospect).
        label: its name for people, in running text (lower case unless a proper abbreviation).
        description: what it measures, in one line.
        compute: its value from a run's results (a float, or an int for a count; NaN where undefined).
    """

    name: str
    unit: Unit
    good: Literal[-1, 0, 1]
    label: str
    description: str
    compute: Callable[[Results], float] = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"KPI {self.name}: unit {self.unit!r} is not one of {', '.join(UNITS)}")
        if self.good not in (-1, 0, 1):
            raise ValueError(f"KPI {self.name}: good must be -1, 0 or +1, got {self.good!r}")

    def judge(self, change: float) -> int:
        """+1 if ``change`` is good news, -1 if bad, 0 if it is neither or there is no change."""
        return self.good * (int(change > 0) - int(change < 0))  # int(): numpy booleans do not subtract


# ------------------------------------------------------------ computations

NAN = float("nan")
DISSATISFIED_AT = 40.0  # satisfaction at or under this (10 points below neutral) is dissatisfied


def ratio(num: float, den: float) -> float:
    """``num / den`` as a float; NaN when ``den`` is 0."""
    return float(num / den) if den else NAN


def _median_acceptance_hours(r: Results) -> float:
    leads = r.leads
    return float((leads["accepted_at"] - leads["handed_off_at"])[r.happened("handed_off_at")].dropna().median())


def _team_response_gap_hours(r: Results) -> float:
    medians = r.delays.groupby(r.inquiries["team"], observed=True).median().dropna()
    return float(medians.max() - medians.min()) if len(medians) > 1 else NAN


def _repeat_question_rate(r: Results) -> float:
    followed = r.happened("followed_up_at") & r.leads["handed_off_at"].notna()  # handoffs the field met
    return ratio(int((r.leads["repeated_questions"] & followed).sum()), int(followed.sum()))


def _spend(r: Results) -> float:
    """Sales and marketing: what winning customers cost (reps, managers, channels, and the S&M overhead)."""
    return r["cost_of_sales"] + r["marketing_cost"] + r["sales_marketing_overhead"]


def _operating_profit(r: Results) -> float:
    renewals = r.model.customers.renewed * (1.0 - r.model.params.cost_of_goods)  # renewed contracts, less goods
    return r["margin"] + renewals - _spend(r) - r["account_management_cost"] - r["other_operating_cost"]


def _cost_per_lead(r: Results) -> float:
    qualified = r.happened("qualified_at") & (r.leads["source"] == "inbound")  # what marketing paid for
    return ratio(r["marketing_cost"], int(qualified.sum()))


def _customer_lifetime_value(r: Results) -> float:
    gross_margin = r["margin"] / r["revenue"] if r["revenue"] > 0 else NAN
    return float(r.model.customers.lifetime_value(gross_margin, r["customer_churn_rate"]))


def _sla_met_share(r: Results) -> float:
    reps = r.model.field_reps
    reviews = sum(rep.reviews for rep in reps)
    return sum(rep.reviews_on_time for rep in reps) / reviews if reviews else NAN


def _field_utilisation(r: Results) -> float:
    reps = r.model.field_reps
    available = sum(rep.hours_available for rep in reps)
    return float(sum(rep.hours_used for rep in reps) / available) if available else NAN


def _field_overbooked_share(r: Results) -> float:
    reps = r.model.field_reps
    days = sum(rep.days_worked for rep in reps)
    return sum(rep.days_overbooked for rep in reps) / days if days else NAN


def _no_show_share(r: Results) -> float:
    reps = r.model.field_reps
    return ratio(sum(rep.no_shows for rep in reps), sum(rep.meetings for rep in reps))


def _open_opportunities_per_rep(r: Results) -> float:
    reps = r.model.field_reps
    return float(sum(rep.open_opps for rep in reps) / len(reps)) if reps else NAN


def _share_at_quota(attainment: np.ndarray) -> float:
    return float((attainment >= 1.0).mean()) if len(attainment) else NAN


def _median_quota_attainment(r: Results) -> float:
    import numpy as np  # here: the registry is read where numpy is not loaded (the command line's start)

    return float(np.median(r.field_attainment)) if len(r.field_attainment) else NAN


# ------------------------------------------------------------ the registry

# In the order of summary.json: funnel, speed, satisfaction, money, then the organization's state.
KPIS: tuple[KPI, ...] = (
    KPI("revenue", "dollars", 1, "revenue", "Dollars won from closed deals over the run.",
        lambda r: float(r.model.revenue)),
    KPI("deals_won", "count", 1, "deals won", "Deals closed as won.", lambda r: r.ended("won")),
    KPI("win_rate", "share", 1, "win rate", "Won deals as a share of closed (won or lost) opportunities.",
        lambda r: ratio(r["deals_won"], int(r.outcome.isin(["won", "lost"]).sum()))),
    KPI("leads_created", "count", 0, "leads created",
        "Leads of every source: inbound inquiries, inside outbound calling, field prospecting.",
        lambda r: int((r.created["source"] != "recycled").sum())),
    KPI("leads_recycled", "count", 0, "leads back from nurture",
        "Rejected, lapsed or unreached leads that came back as new inquiries through nurture "
        "(not new prospects: each row of the lead log is a new prospect or a recycled lead).",
        lambda r: int((r.created["source"] == "recycled").sum())),
    KPI("leads_contacted", "count", 1, "leads contacted", "Leads reached in a real conversation.",
        lambda r: r.count("contacted_at")),
    KPI("leads_qualified", "count", 0, "leads qualified",
        "Leads inside judged qualified (more is not better in itself: the bar decides).",
        lambda r: r.count("qualified_at")),
    KPI("leads_handed_off", "count", 0, "leads handed off", "Qualified leads passed from inside to a field rep.",
        lambda r: r.count("handed_off_at")),
    KPI("leads_accepted", "count", 0, "leads accepted by the field", "Handed-off leads the field accepted.",
        lambda r: int((r.happened("accepted_at") & r.leads["handed_off_at"].notna()).sum())),
    KPI("leads_rejected", "count", -1, "leads rejected by the field", "Handed-off leads the field sent back.",
        lambda r: r.ended("rejected")),
    KPI("leads_ignored", "count", -1, "leads ignored by the field",
        "Handed-off leads never followed up: the black hole.", lambda r: r.ended("ignored")),
    KPI("opportunities", "count", 1, "opportunities", "Leads that became a sales opportunity.",
        lambda r: r.count("opportunity_at")),
    KPI("median_response_hours", "hours", -1, "median first response (hours)",
        "Median time from an inbound inquiry to the first attempt, over attempted inquiries.",
        lambda r: float(r.responses.median())),
    KPI("share_responded_within_1h", "share", 1, "inquiries attempted within 1 hour",
        "Share of all inbound inquiries first attempted within one hour (calendar time: nights and weekends count).",
        lambda r: ratio(int((r.responses <= 1.0).sum()), len(r.inquiries))),
    KPI("sla_met_share", "share", 1, "handoffs reviewed within the SLA",
        "Share of handed-off leads the field reviewed (accepted, rejected or left) within the SLA, "
        "in business hours: compliance as it comes out of enforcement, load and trust.", _sla_met_share),
    KPI("median_acceptance_hours", "hours", -1, "median time to field acceptance (hours)",
        "Median time from a handoff to the field accepting the lead.", _median_acceptance_hours),
    KPI("team_response_gap_hours", "hours", -1, "response gap between field teams (hours)",
        "Largest minus smallest field team's median first response (undefined with one team).",
        _team_response_gap_hours),
    KPI("prospect_satisfaction", "points", 1, "prospect satisfaction (0-100)",
        "Mean satisfaction at the end of the run of every prospect who came in during it, each once (a prospect "
        "back from nurture at its latest lead; 50 is neutral).", lambda r: float(r.prospects["satisfaction"].mean())),
    KPI("share_dissatisfied", "share", -1, "prospects dissatisfied",
        "Share of the run's prospects at 40 or less at the end (10 points below neutral).",
        lambda r: ratio(int((r.prospects["satisfaction"] <= DISSATISFIED_AT).sum()), len(r.prospects))),
    KPI("repeat_question_rate", "share", -1, "prospects asked to repeat themselves",
        "Share of met handed-off leads whose field rep asked the same questions again.", _repeat_question_rate),
    KPI("cost_of_sales", "dollars", -1, "cost of sales",
        "What the sales organization cost: salaries (managers included), commissions, tools and hiring.",
        lambda r: float(r.model.cost_of_sales)),
    KPI("salaries", "dollars", -1, "salaries", "Salaries paid over the run, first-line managers and heads included.",
        lambda r: float(r.model.salaries)),
    KPI("commissions", "dollars", 0, "commissions", "Commissions paid (they rise with what is sold).",
        lambda r: float(r.model.commissions)),
    KPI("profit", "dollars", 1, "profit", "Revenue minus cost of sales.",
        lambda r: float(r["revenue"] - r["cost_of_sales"])),
    KPI("roi", "ratio", 1, "ROI (profit / cost of sales)", "Profit per dollar of cost of sales.",
        lambda r: ratio(r["revenue"] - r["cost_of_sales"], r["cost_of_sales"])),
    KPI("margin", "dollars", 1, "margin", "Revenue minus the cost of goods of the won deals.",
        lambda r: float(r["revenue"] - r.model.params.cost_of_goods * r.leads.loc[r.won, "value"].sum())),
    KPI("manager_cost", "dollars", -1, "of which managers and heads",
        "First-line managers (one per reps_per_manager inside reps and one per reps_per_manager field reps) and "
        "the heads above them (one for both teams under one manager, one each under two), part of salaries.",
        lambda r: float(r.model.manager_cost)),
    KPI("tooling_cost", "dollars", -1, "sales tools", "CRM and sales tools of the reps in post.",
        lambda r: float(r.model.tooling_cost)),
    KPI("hiring_cost", "dollars", -1, "hiring", "Recruiting cost of the replacements hired for reps who left.",
        lambda r: float(r.model.hiring_cost)),
    KPI("marketing_cost", "dollars", -1, "marketing",
        "What marketing spent on its inbound channels: the inquiries a budget buys (market.inbound_leads_per_day) "
        "at market.cost_per_inquiry, whatever number arrived.",
        lambda r: float(r.model.marketing_cost)),
    KPI("operating_profit", "dollars", 1, "operating profit",
        "Margin of new and renewed contracts (less cost of goods) minus cost of sales, marketing, account "
        "management and the rest of the company's operating costs (R&D, G&A): the P&L's bottom line.",
        _operating_profit),
    KPI("account_management_cost", "dollars", -1, "account management",
        "Customer success and account managers for the contracts under management (one per "
        "arr_per_account_manager of recurring revenue), over the run.",
        lambda r: float(r.model.customers.account_management_cost())),
    KPI("sales_marketing_overhead", "dollars", -1, "sales and marketing overhead",
        "Sales and marketing beyond the reps, their managers and the channels' spend (marketing's people "
        "and tools, sales engineers, operations, enablement), budgeted at the start as a share of the "
        "recurring revenue (sales_marketing_overhead_share), the same whatever sales does.",
        lambda r: float(r.model.customers.sales_marketing_overhead())),
    KPI("other_operating_cost", "dollars", -1, "R&D and G&A",
        "The rest of the company's operating costs, budgeted at the start as a share of its recurring revenue "
        "(other_operating_share), the same whatever sales does.",
        lambda r: float(r.model.customers.other_operating_cost())),
    KPI("total_revenue", "dollars", 1, "total revenue",
        "New business plus the renewals (expansion included) of the customers under contract.",
        lambda r: float(r["revenue"] + r.model.customers.renewed)),
    KPI("cost_per_lead", "dollars", -1, "marketing cost per qualified lead",
        "Marketing cost per inbound inquiry qualified (by the inside team, or the field where it answers).",
        _cost_per_lead),
    KPI("cac", "dollars", -1, "customer acquisition cost",
        "Sales and marketing cost per new customer (won deal).", lambda r: ratio(_spend(r), r["deals_won"])),
    KPI("cac_payback_months", "months", -1, "CAC payback",
        "Months of a new customer's gross margin that pay back their acquisition cost (a deal's value is a "
        "year's contract).", lambda r: ratio(12 * _spend(r), r["margin"]) if r["margin"] > 0 else NAN),
    KPI("sales_cost_per_revenue", "ratio", -1, "sales and marketing cost per $1 of new revenue",
        "Cost of sales, marketing and the S&M overhead over new revenue.", lambda r: ratio(_spend(r), r["revenue"])),
    KPI("mean_discount", "share", -1, "mean discount", "Mean discount given on won deals.",
        lambda r: float(r.leads.loc[r.won, "discount"].mean())),
    KPI("deals_pulled_in", "count", 0, "deals pulled into the quarter",
        "Won deals whose signature a field rep brought forward to the quarter's last working day with a "
        "discount, because the accelerator paid for it (Larkin 2014).",
        lambda r: int((r.won & (r.leads["pull_in_discount"] > 0)).sum())),
    KPI("quarter_end_discount_cost", "dollars", -1, "revenue given away to close by quarter's end",
        "List value times the extra discount of the deals pulled into a quarter.",
        lambda r: float((r.leads["value"] * r.leads["pull_in_discount"])[r.won].sum())),
    KPI("customers", "count", 1, "customers at the end",
        "Customers under contract at the end: the installed base and the run's own wins (a won deal is a yearly "
        "contract).",
        lambda r: len(r.model.customers.active)),
    KPI("recurring_revenue", "dollars", 1, "recurring revenue at the end (ARR)",
        "The yearly contracts of the customers still with the company at the end (installed base included).",
        lambda r: float(r.model.customers.recurring_revenue)),
    KPI("renewal_revenue", "dollars", 1, "renewal revenue",
        "Dollars of contracts renewed during the run, expansion included (the installed base's and the run's own).",
        lambda r: float(r.model.customers.renewed)),
    KPI("churned_revenue", "dollars", -1, "churned revenue",
        "Yearly contracts lost when customers left at a renewal during the run.",
        lambda r: float(r.model.customers.churned)),
    KPI("expansion_revenue", "dollars", 1, "expansion revenue",
        "Dollars a year that renewing customers added to their contracts during the run.",
        lambda r: float(r.model.customers.expanded)),
    KPI("customer_churn_rate", "share", -1, "customers expected to leave a year",
        "The run's customers' chance to leave at a renewal, each at their own fit and buying experience.",
        lambda r: float(r.model.customers.churn_rate())),
    KPI("customer_lifetime_value", "dollars", 1, "customer lifetime value",
        "A customer's first-year contract times the gross margin share over their expected yearly churn.",
        _customer_lifetime_value),
    KPI("ltv_to_cac", "ratio", 1, "LTV / CAC", "Customer lifetime value over customer acquisition cost.",
        lambda r: ratio(r["customer_lifetime_value"], r["cac"])),
    KPI("pipeline_value", "dollars", 1, "weighted open pipeline",
        "Open deals at the end, each at its price times its chance to win the stages still ahead as it "
        "stands then: the revenue the pipeline is expected to bring after the run.",
        lambda r: float(r.model.pipeline_value)),
    KPI("field_hours_wasted", "hours", -1, "field hours wasted",
        "Field time spent on leads that came to nothing: reviews of rejected or ignored leads, "
        "meetings with lapsed or disqualified prospects.", lambda r: float(r.model.field_hours_wasted)),
    KPI("meeting_no_show_share", "share", -1, "first meetings the prospect missed",
        "Share of the first meetings field reps went to at which the prospect did not show "
        "(most book again, once).", _no_show_share),
    KPI("inside_bar_gap", "score", -1, "qualification bar gap, inside vs field (fit)",
        "Mean distance of active inside reps' qualification bars from the mean field bar, at the end.",
        lambda r: r.model.mean_inside_bar_gap()),
    KPI("field_trust", "score", 1, "field's trust in inside's leads (0-1)",
        "Mean trust of field reps in inside-sourced leads, at the end.", lambda r: r.model.mean_trust()),
    KPI("field_utilisation", "share", 0, "field selling hours used",
        "Share of the field reps' selling hours spent on reviews, answers, meetings, opportunities and "
        "prospecting (high is busy, not better: 100% is a field that cannot take more).", _field_utilisation),
    KPI("field_overbooked_share", "share", -1, "field rep-days overbooked",
        "Share of field reps' working days on which reviews, first meetings and deal work asked for more "
        "than the selling hours: the deals were squeezed (lower win rates, longer stages).", _field_overbooked_share),
    KPI("open_opportunities_per_rep", "score", 0, "open opportunities per field rep",
        "Open opportunities per field rep at the end of the run (capacity: field_capacity).",
        _open_opportunities_per_rep),
    KPI("leads_returned_for_capacity", "count", -1, "leads the field had no room for",
        "Wanted leads the field handed back to nurture because its reps were over capacity.",
        lambda r: sum(rep.returned for rep in r.model.field_reps)),
    KPI("quota_attainment_share", "share", 1, "field reps making quota",
        "Share of field reps (a quarter or more in post, leavers included) whose revenue reached their quota "
        "(compensation.field_quota, prorated to their days in post).", lambda r: _share_at_quota(r.field_attainment)),
    KPI("median_quota_attainment", "share", 1, "median field quota attainment",
        "The median field rep's revenue as a share of their prorated quota.", _median_quota_attainment),
    KPI("inside_quota_attainment_share", "share", 1, "inside reps making quota",
        "Share of inside reps (a quarter or more in seat) credited with their quota on their plan's metric "
        "(leads handed off under per_lead, opportunities from their leads otherwise).",
        lambda r: _share_at_quota(r.inside_attainment)),
    KPI("field_quits", "count", -1, "field reps who left",
        "Field reps who left during the run (each seat is refilled after field_hiring_days, and the new "
        "hire ramps).", lambda r: r.model.field_quits),
    KPI("leads_reassigned", "count", -1, "leads and deals reassigned",
        "Open leads, booked first meetings and open deals handed to a teammate when their field rep left.",
        lambda r: r.model.reassigned),
)  # fmt: skip

KPI_NAMES: tuple[str, ...] = tuple(k.name for k in KPIS)
_BY_NAME = {k.name: k for k in KPIS}


def kpi(name: str) -> KPI:
    """The registry entry of a KPI; KeyError naming close matches for an unknown name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, KPI_NAMES, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise KeyError(f"unknown KPI {name!r}{hint}") from None


# ---------------------------------------------------------------- named groups

# The key figures of the HTML report, in its table's order.
REPORT_KPIS: tuple[str, ...] = (
    "revenue", "profit", "cost_of_sales", "roi", "deals_won", "win_rate", "prospect_satisfaction",
    "share_dissatisfied", "median_response_hours", "leads_qualified", "leads_handed_off", "leads_rejected",
    "leads_ignored", "repeat_question_rate", "mean_discount", "field_hours_wasted",
)  # fmt: skip
# The report's P&L: a year's money, top line to bottom line, then what a customer costs.
PNL_KPIS: tuple[str, ...] = (
    "revenue", "pipeline_value", "margin", "salaries", "manager_cost", "commissions", "tooling_cost", "hiring_cost",
    "cost_of_sales", "profit", "marketing_cost", "renewal_revenue", "account_management_cost", "other_operating_cost",
    "operating_profit", "cac", "cac_payback_months",
    "sales_cost_per_revenue", "customers", "recurring_revenue", "customer_lifetime_value", "ltv_to_cac",
)  # fmt: skip
# The report's one-sentence findings per scenario.
FINDING_KPIS: tuple[str, ...] = ("revenue", "profit", "prospect_satisfaction")
# The panels of the KPI-change figure.
DELTA_KPIS: tuple[str, ...] = (
    "revenue", "profit", "deals_won", "win_rate", "prospect_satisfaction", "share_dissatisfied",
    "leads_ignored", "median_response_hours", "cost_of_sales",
)  # fmt: skip
# The comparison printed by ``salesim compare`` and ``salesim demo``.
COMPARISON_KPIS: tuple[str, ...] = ("revenue", "profit", "roi", "prospect_satisfaction", "leads_ignored")
# What explain measures each lever on.
EXPLAIN_KPIS: tuple[str, ...] = ("revenue", "profit", "prospect_satisfaction", "cost_of_sales")
# The panels of the tornado (explain's figure).
TORNADO_KPIS: tuple[str, ...] = ("revenue", "profit", "prospect_satisfaction")
# What a sweep keeps when its spec names no KPIs.
SWEEP_KPIS: tuple[str, ...] = (
    "revenue", "profit", "roi", "deals_won", "win_rate", "prospect_satisfaction", "leads_ignored",
)  # fmt: skip
# The dashboard's live monitors: sim.measure.monitors.Monitor asks these of the lead log as it stands, each day.
MONITOR_KPIS: tuple[str, ...] = (
    "revenue", "deals_won", "win_rate", "leads_ignored", "median_response_hours", "prospect_satisfaction", "roi",
    "customers", "recurring_revenue",
)  # fmt: skip

GROUPS: dict[str, tuple[str, ...]] = {
    "report": REPORT_KPIS,
    "pnl": PNL_KPIS,
    "findings": FINDING_KPIS,
    "deltas": DELTA_KPIS,
    "comparison": COMPARISON_KPIS,
    "explain": EXPLAIN_KPIS,
    "sweep": SWEEP_KPIS,
    "monitors": MONITOR_KPIS,
}
