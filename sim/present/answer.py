"""The one answer a comparison gives, as a CFO reads it: the same in the terminal, the report and the workbook.

The headline names its measure: the sales contribution (new-business revenue less what the sales
organization costs, the KPI ``profit``), with operating profit (the P&L's bottom line) beside it and
why a one-year P&L reads as it does. With an uncertainty study the headline leads with the median
and P10-P90 across the assumption sets; the figure at the default assumptions follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from sim.experiments.stats import paired_difference
from sim.present.format import format_change, format_kpi, format_value
from sim.present.names import title

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison
    from sim.experiments.uncertainty import Uncertainty

# The measures of the answer, in the order they are stated: the sales contribution leads.
HEADLINE = ("profit", "operating_profit")
ALSO = ("revenue", "prospect_satisfaction")
ANSWER_MEASURES = (*HEADLINE, *ALSO)
NAMES = {
    "profit": "sales contribution",
    "operating_profit": "operating profit",
    "revenue": "new-business revenue",
    "prospect_satisfaction": "prospect satisfaction",
}
DEFINITIONS = {
    "profit": "new-business revenue less the cost of sales (reps' and managers' salaries, commissions, sales tools, "
    "hiring)",
    "operating_profit": "the P&L's bottom line: the margin of new and renewed contracts less the cost of sales, "
    "marketing, account management, the sales and marketing overhead, R&D and G&A",
    "revenue": "first-year value of the contracts won in the period",
    "prospect_satisfaction": "mean satisfaction of the prospects met (0-100, 50 neutral)",
}
# What operating profit counts beyond the sales contribution: (label, KPI subtracted or its computation).
_BRIDGE = (
    ("cost of goods of the deals won", lambda d: -(d["revenue"] - d["margin"])),
    ("marketing's inquiries", lambda d: -d["marketing_cost"]),
    ("sales and marketing overhead", lambda d: -d["sales_marketing_overhead"]),
    ("account management", lambda d: -d["account_management_cost"]),
    ("R&D and G&A", lambda d: -d["other_operating_cost"]),
)


@dataclass
class Answer:
    """What changing BASE into TARGET is worth.

    Attributes:
        base: the baseline's name; ``target`` the changed organization's.
        days: the period measured.
        n: replications (markets) per scenario.
        noise: KPI -> (mean paired change, 95% low, 95% high) at the default assumptions.
        levels: KPI -> (BASE's mean, TARGET's mean) at the default assumptions.
        bridge: (what, change in dollars): what separates the change of operating profit from that
            of the sales contribution, largest first (the rest is renewals, net of their cost of goods).
        spread: KPI -> (median, P10, P90, share of sets positive) across the assumption sets, or None.
        sets: the number of assumption sets (0 without a study).
        breakeven: when TARGET's cumulative profit is ahead for good (a timeline's), in words, or "".
    """

    base: str
    target: str
    days: int
    n: int
    noise: dict[str, tuple[float, float, float]]
    levels: dict[str, tuple[float, float]]
    bridge: list[tuple[str, float]] = field(default_factory=list)
    spread: dict[str, tuple[float, float, float, float]] | None = None
    sets: int = 0
    breakeven: str = ""

    @property
    def pair(self) -> str:
        """The question in words: ``Misaligned into Aligned``."""
        return f"{title(self.base)} into {title(self.target)}"

    def headline(self) -> str:
        """The first sentence: the gain in sales contribution with operating profit beside it.

        A gain reads "adds +$X to the sales contribution"; a loss "changes the sales contribution by -$X".
        """
        period = "a year" if self.days == 365 else f"over {self.days} days"
        if self.spread is not None:
            c, o = self.spread["profit"], self.spread["operating_profit"]
            first = _moves(f"a median {format_change('profit', c[0])} {period}", "the sales contribution", c[0])
            second = _moves(f"a median {format_change('profit', o[0])}", "operating profit", o[0])
            return (
                f"Changing {self.pair} {first} (P10 to P90 across the plausible assumptions: "
                f"{_range('profit', c[1], c[2])}; positive in {c[3]:.0%} of {self.sets} sets) and {second} "
                f"({_range('profit', o[1], o[2])}; positive in {o[3]:.0%})."
            )
        n, m = self.noise["profit"], self.noise["operating_profit"]
        first = _moves(f"{format_change('profit', n[0])} {period}", "the sales contribution", n[0])
        second = _moves(format_change("profit", m[0]), "operating profit", m[0])
        return (
            f"Changing {self.pair} {first} (95% interval {_range('profit', n[1], n[2])}) and {second} "
            f"({_range('profit', m[1], m[2])})."
        )

    def lines(self) -> list[str]:
        """The answer as sentences: the headline, the defaults' figure, the measures, why the P&L reads so."""
        lines = [self.headline()]
        c, o, r, s = (self.noise[k] for k in ("profit", "operating_profit", "revenue", "prospect_satisfaction"))
        sat = f"{format_value('score', s[0], signed=True)} points of prospect satisfaction"
        sat += f" ({_range_points(s[1], s[2])})"
        if self.spread is not None:
            lines.append(
                f"At the default assumptions, on {self.n} simulated markets: {format_change('profit', c[0])} "
                f"(95% interval {_range('profit', c[1], c[2])}) in sales contribution and "
                f"{format_change('profit', o[0])} ({_range('profit', o[1], o[2])}) in operating profit; "
                f"{format_change('revenue', r[0])} of new-business revenue and {sat}."
            )
        else:
            lines.append(
                f"That is {format_change('revenue', r[0])} of new-business revenue "
                f"({_range('revenue', r[1], r[2])}) and {sat}, on {self.n} simulated markets; the intervals cover "
                "the simulation's noise at the default assumptions, not what we do not know about behaviour."
            )
        lines.append(self.measures())
        if self.breakeven:
            lines.append(f"On the same markets, {self.breakeven}.")
        return lines

    def measures(self) -> str:
        """What the two measures are, why they differ, and why a one-year P&L reads as it does."""
        text = (
            f"The sales contribution is {DEFINITIONS['profit']}; operating profit is {DEFINITIONS['operating_profit']}."
        )
        parts = [f"{what} {format_change('profit', amount)}" for what, amount in self.bridge]
        if parts:
            c, o = self.noise["profit"][0], self.noise["operating_profit"][0]
            text += (
                f" Operating profit moves by {format_change('profit', o)} rather than "
                f"{format_change('profit', c)}: {'; '.join(parts)}."
            )
        base, target = self.levels["operating_profit"]
        if base < 0 and target < 0:
            text += (
                f" Both organizations show an operating loss over the {self.days} days ({title(self.base)} "
                f"{format_kpi('operating_profit', base)}, "
                f"{title(self.target)} {format_kpi('operating_profit', target)}):"
            )
        elif base < 0 or target < 0:
            loser, value = (self.base, base) if base < 0 else (self.target, target)
            text += f" {title(loser)} shows an operating loss ({format_kpi('operating_profit', value)}):"
        else:
            return text
        return (
            text + " the period books each new customer's first-year contract only, while the whole cost of winning "
            "it, and the company's fixed costs, fall within the period; the renewals that pay a customer back come "
            "in later years and are not counted. The change between the two is what the decision moves."
        )

    def table(self) -> pd.DataFrame:
        """The answer as rows for the workbook: each measure, its basis, the value and its range (numbers)."""
        rows = []
        for k in ANSWER_MEASURES:
            base, target = self.levels[k]
            if self.spread is not None:
                m, p10, p90, pos = self.spread.get(k, (math.nan,) * 4)
                rows.append((NAMES[k], "across the assumption sets: median, P10, P90", m, p10, p90, pos, base, target))
            e, low, high = self.noise[k]
            rows.append((NAMES[k], "default assumptions: mean, 95% interval", e, low, high, math.nan, base, target))
        columns = ["measure", "basis", "change", "low", "high", "share of sets positive", "baseline", "changed"]
        return pd.DataFrame(rows, columns=columns)


def _moves(amount: str, measure: str, value: float) -> str:
    """``adds AMOUNT to MEASURE`` for a gain, ``changes MEASURE by AMOUNT`` otherwise."""
    return f"adds {amount} to {measure}" if value >= 0 else f"changes {measure} by {amount}"


def _range(name: str, low: float, high: float) -> str:
    return f"{format_change(name, low)} to {format_change(name, high)}"


def _range_points(low: float, high: float) -> str:
    return f"{format_value('score', low, signed=True)} to {format_value('score', high, signed=True)}"


BRIDGE_KPIS = ("revenue", "margin", "marketing_cost", "sales_marketing_overhead", "account_management_cost",
               "other_operating_cost")  # fmt: skip


def build_answer(
    comparison: Comparison, base: str, target: str, study: Uncertainty | None = None, breakeven: str = ""
) -> Answer:
    """The answer for BASE -> TARGET from a comparison's replications (paired by replication) and a study."""
    reps = comparison.replications.set_index(["scenario", "replication"])
    b, t = reps.loc[base], reps.loc[target]
    t = t.reindex(b.index)
    noise = {k: paired_difference(t[k], b[k]) for k in (*ANSWER_MEASURES, *BRIDGE_KPIS)}
    levels = {k: (float(b[k].mean()), float(t[k].mean())) for k in ANSWER_MEASURES}
    change = {k: noise[k][0] for k in BRIDGE_KPIS}
    bridge = [(what, float(f(change))) for what, f in _BRIDGE]
    gap = noise["operating_profit"][0] - noise["profit"][0]
    bridge.append(("renewals of existing contracts, net of their cost of goods", gap - sum(v for _, v in bridge)))
    scale = max(abs(noise["profit"][0]), abs(noise["operating_profit"][0]), 1.0)
    bridge = sorted([(w, v) for w, v in bridge if abs(v) >= 0.01 * scale], key=lambda x: -abs(x[1]))
    spread, sets = None, 0
    if study is not None and target in study.names and study.names[0] == base:
        u = study.table.set_index(["scenario", "kpi"])
        spread = {
            k: (float(r["median"]), float(r["p10"]), float(r["p90"]), float(r["p_positive"]))
            for k in ANSWER_MEASURES
            if (target, k) in u.index
            for r in [u.loc[(target, k)]]
        }
        sets = int(u["sets"].max())
        if not {"profit", "operating_profit"} <= set(spread):
            spread, sets = None, 0
    days = next(s.simulation.days for s in comparison.scenarios if s.name == base)
    return Answer(base, target, days, comparison.n, noise, levels, bridge, spread, sets, breakeven)
