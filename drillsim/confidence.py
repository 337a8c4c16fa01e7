"""Interval formulas used across drillsim: Student's t quantiles, t intervals and Wilson score intervals.

These are the textbook formulas only; which observations they are applied to (replications, never
the incidents inside one) is decided by :mod:`drillsim.experiments.totals`.
"""

from __future__ import annotations

import math
from statistics import NormalDist

Z95 = 1.959963984540054
Interval = tuple[float, float]


# The 97.5% quantiles of Student's t for 1 to 30 degrees of freedom (printed tables, to 1e-9): where
# few replications make the quantile matter most, it is exact.
T975_TABLE = (
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
)


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` ≥ 1 degrees of freedom: from the table up to 30,
    beyond it the Cornish–Fisher expansion in 1/df (within 2e-6 of the exact value)."""
    if df <= len(T975_TABLE):
        return T975_TABLE[df - 1]
    return _cornish_fisher(Z95, df)


def t_quantile(probability: float, df: int) -> float:
    """The ``probability`` quantile (0.5 < p < 1) of Student's t with ``df`` ≥ 1 degrees of freedom, for
    intervals at levels other than 95% (a Bonferroni-adjusted level, say): the Cornish–Fisher expansion
    in 1/df around the normal quantile. Its error shrinks with df and grows with the quantile: for
    df ≥ 19 and p ≤ 1 − 10⁻⁵ it is within 0.1% of the exact value (checked against the incomplete
    beta function), about 0.005 on a quantile of 5."""
    return _cornish_fisher(NormalDist().inv_cdf(probability), df)


def _cornish_fisher(z: float, df: int) -> float:
    """Student's t quantile on ``df`` degrees of freedom whose normal quantile is ``z``: the first four
    terms of the Cornish–Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5)."""
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def t_interval(value: float, variance: float, df: int) -> Interval:
    """``value`` ± the 97.5% t quantile on ``df`` degrees of freedom × the standard error √``variance``."""
    half = t_quantile_975(df) * math.sqrt(max(variance, 0.0))
    return (value - half, value + half)


def wilson(met: float, n: float, z: float = Z95) -> Interval | None:
    """The 95% Wilson score interval of a proportion ``met``/``n``. ``n`` may be an effective sample
    size (not a whole number) and ``met`` the matching count p·n; None when ``n`` is 0."""
    if n <= 0:
        return None
    p, z2 = met / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))
