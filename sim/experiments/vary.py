"""``compare --vary KEY=V1,V2,...``: the arms of the values tried, and which value is best.

Each value is BASE with the key set to it (BASE's own value is BASE itself, not run twice);
the best is told from the others on the same markets, and for values not told apart from it,
about how many replications would separate them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario, scenario_to_dict, validate, with_values
from sim.experiments.explanation import lever_values
from sim.experiments.names import derived_name
from sim.experiments.plan import ExperimentError
from sim.experiments.stats import paired_difference

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison

VARY_KPI = "profit"


def vary_arms(base: Scenario, key: str, values: list[Any]) -> list[Scenario]:
    """BASE as it is, then BASE with ``key`` set to each other value (validated like any override).

    A value equal to BASE's own is BASE itself: it is not run again as an arm of its own
    (:func:`best_values` counts BASE among the values when ``include_base``).
    """
    import re

    if not values:
        raise ExperimentError(f"--vary {key}: give the values to try, e.g. --vary {key}=2,4,8")
    if len(values) != len({repr(v) if isinstance(v, list | dict) else v for v in values}):
        raise ExperimentError(f"--vary {key}: each value once")
    own = lever_values(base).get(key)
    arms = [base]
    for value in values:
        if value == own:
            continue
        tag = re.sub(r"[^A-Za-z0-9_\-.]", "_", f"{key.rsplit('.', 1)[-1]}-{value}")
        data = with_values(scenario_to_dict(base), {key: value, "name": derived_name(f"{base.name}-{tag}")})
        arms.append(validate(data, source=f"--vary {key}={value}"))
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        raise ExperimentError(f"--vary {key}: each value once")
    return arms


def base_is_tried(base: Scenario, key: str, values: list[Any]) -> bool:
    """Whether BASE's own value of ``key`` is among the values tried (BASE then stands for it)."""
    return lever_values(base).get(key) in values


Z95 = 1.96  # the normal quantile of a two-sided 95% interval


def replications_to_separate(differences: np.ndarray) -> float:
    """Replications after which a paired difference this size would be told from zero, about.

    With the paired standard deviation ``sd`` and the mean difference ``d``, an interval of
    half-width 1.96 sd / sqrt(n) excludes zero when n ~ (2 x 1.96 x sd / d)^2 (twice: so that it
    usually does, not half the time). Infinite when the runs do not differ at all.
    """
    diffs = differences[~np.isnan(differences)]
    if len(diffs) < 2:
        return math.inf
    d, sd = abs(float(np.mean(diffs))), float(np.std(diffs, ddof=1))
    if d == 0:
        return math.inf
    return float(max(2, math.ceil((2 * Z95 * sd / d) ** 2)))


def best_values(comparison: Comparison, kpi_name: str = VARY_KPI, include_base: bool = False) -> pd.DataFrame:
    """Each tried value's mean and paired change against the base, and whether it is among the best.

    The best is the value with the highest mean (lowest for a KPI where less is better); a
    value is "among the best" when the 95% interval of its paired difference from the best
    includes zero: on these markets it cannot be told apart from the best, and
    ``replications_to_separate`` says about how many replications would tell them apart
    (:func:`replications_to_separate`). With ``include_base``, BASE is one of the values (its own).
    """
    from sim.measure.kpis import kpi as kpi_info

    reps = comparison.replications
    arms = comparison.names if include_base else comparison.names[1:]
    values = {a: reps[reps["scenario"] == a].sort_values("replication")[kpi_name].to_numpy(float) for a in arms}
    sign = -1.0 if kpi_info(kpi_name).good < 0 else 1.0
    best = max(arms, key=lambda a: sign * np.nanmean(values[a]))
    table = comparison.table.set_index(["scenario", "kpi"])
    rows = []
    for a in arms:
        r = table.loc[(a, kpi_name)]
        _, low, high = paired_difference(values[a], values[best])
        tied = a == best or (low <= 0 <= high)
        separate = replications_to_separate(values[a] - values[best]) if tied and a != best else math.nan
        rows.append((a, r["mean"], r["ci_low"], r["ci_high"], r["delta"], r["delta_ci_low"], r["delta_ci_high"],
                     a == best, tied, separate))  # fmt: skip
    columns = ["scenario", "mean", "ci_low", "ci_high", "delta", "delta_ci_low", "delta_ci_high", "best", "among_best",
               "replications_to_separate"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
