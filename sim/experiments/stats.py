"""Honest uncertainty: means and paired differences with 95% intervals.

Replications of two scenarios share seeds (common random numbers), so the
difference is taken replication by replication and its interval comes from
the spread of those paired differences (Student t, scipy.stats).
"""

from __future__ import annotations

import math

import numpy as np

CONFIDENCE = 0.95


def mean_ci(values, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and t-interval of the mean; NaNs are dropped, (mean, nan, nan) below 2 values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    from scipy import stats  # here, not at the top: worker processes never need it (start-up time)

    sem = float(stats.sem(x))
    if sem == 0:
        return mean, mean, mean
    low, high = stats.t.interval(confidence, len(x) - 1, loc=mean, scale=sem)
    return mean, float(low), float(high)


def paired_difference(target, base, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean of ``target - base`` over paired replications, with its interval."""
    return mean_ci(np.asarray(target, dtype=float) - np.asarray(base, dtype=float), confidence)
