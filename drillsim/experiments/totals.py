"""Intervals over replications: the replication, not the incident, is the independent unit.

Incidents of one replication share people, queues and random draws, so they are correlated, and
an interval that treats them as independent observations is too narrow. Every interval drillsim
prints is therefore built from **per-replication totals**: for a quantity averaged over incidents
(a metric's mean, an objective's share met, a deadline's probability met) each replication
contributes a numerator (the sum of the values, or the number of incidents meeting the target)
and a denominator (the number of incidents), and the estimate is the **ratio estimator**
Σ numerators / Σ denominators — exactly the pooled mean or share.

Its variance comes from the delta method over replications (the cluster variance of Law,
*Simulation Modeling and Analysis*, ch. 9; Cochran, *Sampling Techniques*, §6.4): for a smooth
function f of the per-replication means with gradient g, Var f ≈ gᵀ S g / R, S the sample
covariance of the replication totals and R the number of replications; the interval is f ± t·√Var
with Student's t on R − 1 degrees of freedom. For a ratio A/B this is the familiar
Var = s²(a − R̂b) / (R b̄²). When every replication contributes exactly one incident it is the usual
t interval of a mean.

Shares (probabilities between 0 and 1) use the Wilson score interval with an effective sample
size — Kish's design effect — and the degrees-of-freedom correction of Korn & Graubard (1998):
n* = min(N, N / deff × (t(N − 1) / t(R − 1))²), deff = Var_cluster / Var_independent ≥ 1 (N incidents).
It stays inside [0, 1], has width even when every incident met the target, and with one incident
per replication it is the usual Wilson interval of met/N.

Totals are folded one replication at a time (Welford's update of the means and co-moments), in
replication order, so results are deterministic and memory does not grow with the replications.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from drillsim.confidence import Interval, t_interval, t_quantile_975, wilson


class ReplicationTotals:
    """Per-replication totals of ``size`` quantities: their sums, means and co-moments over the
    replications added so far. Quantities are addressed by index (see :class:`Layout`)."""

    __slots__ = ("_comoments", "_means", "replications", "sums")

    def __init__(self, size: int) -> None:
        self.replications = 0
        self.sums = np.zeros(size)
        self._means = np.zeros(size)
        self._comoments = np.zeros((size, size))

    def add(self, totals: np.ndarray) -> None:
        """Fold in one replication's totals (a vector of ``size`` numbers)."""
        self.replications += 1
        self.sums += totals
        delta = totals - self._means
        self._means += delta / self.replications
        self._comoments += np.outer(delta, totals - self._means)

    def mean(self, index: int) -> float:
        return float(self.sums[index]) / self.replications

    def variance(self, gradient: dict[int, float]) -> float:
        """The delta-method variance gᵀ S g / R of a function of the per-replication means whose
        gradient is ``gradient`` (index → partial derivative), S the sample covariance (R − 1)."""
        r = self.replications
        items = sorted(gradient.items())
        total = 0.0
        for i, gi in items:
            row = self._comoments[i]
            for j, gj in items:
                total += gi * gj * float(row[j])
        return total / ((r - 1) * r)


@dataclass(frozen=True)
class Linear:
    """An estimate linearised for the delta method: its value and its gradient with respect to the
    per-replication means of the totals (index → partial derivative)."""

    value: float
    gradient: dict[int, float]

    def __sub__(self, other: Linear) -> Linear:
        gradient = dict(self.gradient)
        for index, slope in other.gradient.items():
            gradient[index] = gradient.get(index, 0.0) - slope
        return Linear(self.value - other.value, gradient)


def ratio(totals: ReplicationTotals, numerator: int, denominator: int) -> Linear | None:
    """Σ numerator / Σ denominator over the replications; None when the denominator sums to 0."""
    below = float(totals.sums[denominator])
    if below == 0:
        return None
    value = float(totals.sums[numerator]) / below
    mean_below = below / totals.replications
    return Linear(value, {numerator: 1 / mean_below, denominator: -value / mean_below})


def weighted_shares(
    totals: ReplicationTotals, parts: Iterable[tuple[int, int, float]], scale: float = 100.0
) -> Linear | None:
    """``scale`` × the weighted mean of the ratios ``met/n`` of ``parts`` (met index, n index, weight),
    leaving out parts with no observations; None when every part is empty (the readiness score)."""
    shares = [(share, weight) for met, n, weight in parts if (share := ratio(totals, met, n)) is not None]
    weight_sum = sum(weight for _, weight in shares)
    if not weight_sum:
        return None
    value, gradient = 0.0, dict[int, float]()
    for share, weight in shares:
        factor = scale * weight / weight_sum
        value += factor * share.value
        for index, slope in share.gradient.items():
            gradient[index] = gradient.get(index, 0.0) + factor * slope
    return Linear(value, gradient)


def interval(
    totals: ReplicationTotals, estimate: Linear | None, bounds: tuple[float, float] | None = None
) -> Interval | None:
    """The 95% t interval (R − 1 degrees of freedom) of ``estimate``, clipped to ``bounds``; None
    with fewer than two replications or no estimate."""
    if estimate is None or totals.replications < 2:
        return None
    low, high = t_interval(estimate.value, totals.variance(estimate.gradient), totals.replications - 1)
    return (max(low, bounds[0]), min(high, bounds[1])) if bounds else (low, high)


def share_interval(totals: ReplicationTotals, met: int, n: int) -> Interval | None:
    """The 95% interval of the share Σ met / Σ n: Wilson's score interval with the effective sample
    size (design effect over replications, Korn–Graubard degrees of freedom). None with fewer than
    two replications or no observations."""
    share = ratio(totals, met, n)
    replications = totals.replications
    if share is None or replications < 2:
        return None
    incidents, p = float(totals.sums[n]), share.value
    design_effect = 1.0
    if 0 < p < 1 and incidents > 1:
        design_effect = max(1.0, totals.variance(share.gradient) * (incidents - 1) / (p * (1 - p)))
    degrees = (t_quantile_975(max(round(incidents) - 1, 1)) / t_quantile_975(replications - 1)) ** 2
    effective = min(incidents, incidents / design_effect * degrees)
    return wilson(p * effective, effective)


class Layout:
    """Names the quantities a replication contributes to a :class:`ReplicationTotals`, each a
    (numerator, denominator) pair at consecutive indexes, in the order they were declared."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def declare(self, key: str) -> int:
        """The index of ``key``'s numerator (its denominator is the next one)."""
        if key not in self.index:
            self.index[key] = 2 * len(self.index)
        return self.index[key]

    @property
    def size(self) -> int:
        return 2 * len(self.index)
