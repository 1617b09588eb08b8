"""Paired markets: a baseline and a variant organization on the same markets, a day at a time.

Market ``i`` is the seed ``seed + i`` for both sides, so the two organizations meet the same
prospects (common random numbers) and every difference comes from their levers. Each day the
live monitors of every market are reduced to each side's mean and range, and each monitor's
variant - baseline difference to its mean and 95% interval over the paired markets
(:func:`sim.experiments.stats.mean_ci`, Student t). The dashboard draws what this computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config.scenario import Scenario
from sim.experiments.stats import mean_ci
from sim.measure.kpis import MONITOR_KPIS
from sim.measure.monitors import STAGES, Monitor
from sim.model.model import SalesOrgModel

SIDES = ("baseline", "variant")
NAN_PAIR = (math.nan, math.nan)


@dataclass(frozen=True)
class MarketsView:
    """The monitors of paired markets as of one day.

    Attributes:
        kpis: each side's monitors and funnel (the mean over the markets).
        spread: each side's lowest and highest value of each monitor over the markets.
        gap: each monitor's variant - baseline difference: mean and 95% interval over the paired markets.
    """

    kpis: dict[str, dict[str, Any]]
    spread: dict[str, dict[str, tuple[float, float]]]
    gap: dict[str, tuple[float, float, float]]


def markets_view(every: dict[str, list[dict[str, Any]]]) -> MarketsView:
    """Reduce each market's monitors (by side, market ``i`` of both sides paired) to means, ranges and gaps.

    Values that are not finite (a rate with nothing to divide yet) are left out of each mean,
    range and difference; a monitor with none left is NaN.
    """
    kpis: dict[str, dict[str, Any]] = {}
    spread: dict[str, dict[str, tuple[float, float]]] = {}
    for side, values in every.items():
        kpis[side] = {"funnel": {s: float(np.mean([v["funnel"][s] for v in values])) for s in STAGES}}
        spread[side] = {}
        for name in MONITOR_KPIS:
            seen = _finite([v[name] for v in values])
            kpis[side][name] = float(seen.mean()) if seen.size else math.nan
            spread[side][name] = (float(seen.min()), float(seen.max())) if seen.size else NAN_PAIR
    gap = {}
    for name in MONITOR_KPIS:
        pairs = zip(every["baseline"], every["variant"], strict=True)
        gap[name] = mean_ci(_finite([v[name] - b[name] for b, v in pairs]))
    return MarketsView(kpis, spread, gap)


def _finite(values: list[float]) -> np.ndarray:
    column = np.array(values, dtype=float)
    return column[np.isfinite(column)]


class PairedMarkets:
    """A baseline and a variant organization on each of ``markets`` markets, stepped together.

    Args:
        baseline: the baseline organization's scenario.
        variant: the variant organization's scenario.
        seed: the first market's seed; market ``i`` is ``seed + i`` for both sides.
        markets: how many markets run side by side.

    Attributes:
        runs: every market's organizations, by side ("baseline", "variant"), warmed up: day 0
            is the first day after the warm-up.
        monitors: a live :class:`Monitor` of each organization, by side.
        view: the reduced monitors as of the last :meth:`measure`.
    """

    def __init__(self, baseline: Scenario, variant: Scenario, seed: int, markets: int = 1) -> None:
        scenarios = {"baseline": baseline, "variant": variant}
        self.runs: dict[str, list[SalesOrgModel]] = {
            side: [SalesOrgModel(scenario, seed=seed + i, collect=False).warm_up() for i in range(markets)]
            for side, scenario in scenarios.items()
        }
        self.monitors = {side: [Monitor(org) for org in runs] for side, runs in self.runs.items()}
        self.view = self.measure()

    def step(self) -> MarketsView:
        """One day in every organization of every market, then the monitors."""
        for runs in self.runs.values():
            for org in runs:
                org.step()
        return self.measure()

    def measure(self) -> MarketsView:
        """The monitors of every market as they stand, reduced (:func:`markets_view`)."""
        every = {side: [monitor.update() for monitor in monitors] for side, monitors in self.monitors.items()}
        self.view = markets_view(every)
        return self.view
