"""Intervals over replications, checked against formulas computed here from the raw totals.

The estimators of drillsim.experiments.totals fold replication totals as they stream in (Welford
co-moments and a delta-method gradient). These tests keep every replication's totals in a list and
compute the textbook answer directly: the usual t interval when each replication has one incident,
the ratio estimator's cluster variance s²(a − R̂b) / (R b̄²) (Cochran, Sampling Techniques §6.4), a
jackknife for the readiness score, and Wilson's interval with published values.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from engine_helpers import T975, t_quantile

from drillsim.confidence import t_quantile as adjusted_t_quantile
from drillsim.confidence import wilson
from drillsim.experiments.totals import (
    Layout,
    ReplicationTotals,
    interval,
    ratio,
    share_interval,
    weighted_shares,
)


def totals_of(rows: list[list[float]]) -> ReplicationTotals:
    totals = ReplicationTotals(len(rows[0]))
    for row in rows:
        totals.add(np.array(row, dtype=float))
    return totals


def test_one_incident_per_replication_gives_the_usual_t_interval() -> None:
    values = [12.0, 7.5, 30.0, 4.0, 9.0, 15.5, 22.0, 3.0, 11.0, 8.0]  # ten replications, one incident each
    totals = totals_of([[v, 1.0] for v in values])
    low, high = interval(totals, ratio(totals, 0, 1))  # type: ignore[misc]
    mean, half = statistics.mean(values), T975[9] * statistics.stdev(values) / math.sqrt(len(values))
    assert (low, high) == (pytest.approx(mean - half, rel=1e-4), pytest.approx(mean + half, rel=1e-4))


@pytest.mark.parametrize(
    ("met", "n", "low", "high"),
    [(7, 10, 0.3968, 0.8922), (10, 10, 0.7225, 1.0), (0, 10, 0.0, 0.2775), (50, 100, 0.4038, 0.5962)],
)
def test_a_share_with_one_incident_per_replication_is_the_usual_wilson_interval(
    met: int, n: int, low: float, high: float
) -> None:
    totals = totals_of([[1.0 if i < met else 0.0, 1.0] for i in range(n)])
    bounds = share_interval(totals, 0, 1)
    assert bounds is not None
    assert bounds == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_ratio_interval_is_the_cluster_variance_of_the_ratio_estimator() -> None:
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 30, size=40).astype(float)  # incidents per replication, some with none
    sums = [float(rng.gamma(2.0, 10.0, size=int(c)).sum()) for c in counts]
    totals = totals_of([[s, c] for s, c in zip(sums, counts, strict=True)])
    estimate = ratio(totals, 0, 1)
    assert estimate is not None
    r_hat = sum(sums) / counts.sum()
    residuals = [s - r_hat * c for s, c in zip(sums, counts, strict=True)]
    variance = statistics.variance(residuals) / (len(sums) * statistics.mean(counts) ** 2)
    half = t_quantile(0.975, len(sums) - 1) * math.sqrt(variance)
    assert estimate.value == pytest.approx(r_hat, rel=1e-12)
    assert interval(totals, estimate) == (
        pytest.approx(r_hat - half, rel=1e-4),
        pytest.approx(r_hat + half, rel=1e-4),
    )


def test_readiness_interval_agrees_with_a_jackknife_over_replications() -> None:
    rng = np.random.default_rng(11)
    weights = [3.0, 1.0, 2.0]
    rows = []
    for _ in range(400):
        shared = rng.random()  # incidents of a replication do well or badly together
        row = []
        for k in range(3):
            n = int(rng.integers(1, 8))
            row += [float(rng.binomial(n, min(1.0, 0.3 + 0.15 * k + 0.4 * shared))), float(n)]
        rows.append(row)
    totals = totals_of(rows)
    estimate = weighted_shares(totals, [(2 * k, 2 * k + 1, w) for k, w in enumerate(weights)])
    assert estimate is not None

    def score(subset: list[list[float]]) -> float:
        shares = [sum(r[2 * k] for r in subset) / sum(r[2 * k + 1] for r in subset) for k in range(3)]
        return 100 * sum(w * s for w, s in zip(weights, shares, strict=True)) / sum(weights)

    assert estimate.value == pytest.approx(score(rows), rel=1e-12)
    leave_one_out = [score(rows[:i] + rows[i + 1 :]) for i in range(len(rows))]
    centre = statistics.mean(leave_one_out)
    jackknife_sd = math.sqrt((len(rows) - 1) / len(rows) * sum((v - centre) ** 2 for v in leave_one_out))
    assert math.sqrt(totals.variance(estimate.gradient)) == pytest.approx(jackknife_sd, rel=0.02)


def test_correlated_incidents_widen_a_share_and_a_certain_share_keeps_a_width() -> None:
    together = totals_of(
        [[5.0, 5.0] if r % 2 else [0.0, 5.0] for r in range(20)]
    )  # all or none met per replication
    low, high = share_interval(together, 0, 1)  # type: ignore[misc]
    naive_low, naive_high = wilson(50, 100)  # type: ignore[misc]
    assert high - low > 1.8 * (naive_high - naive_low)  # effectively 20 observations, not 100
    always = totals_of([[3.0, 3.0] for _ in range(20)])
    low, high = share_interval(always, 0, 1)  # type: ignore[misc]
    assert high == 1.0 and 0.9 < low < 1.0


def test_no_interval_below_two_replications_or_without_observations() -> None:
    one = totals_of([[4.0, 2.0, 0.0, 0.0]])
    assert ratio(one, 0, 1).value == 2.0  # type: ignore[union-attr]
    assert interval(one, ratio(one, 0, 1)) is None and share_interval(one, 0, 1) is None
    empty = totals_of([[4.0, 2.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    assert (
        ratio(empty, 2, 3) is None and share_interval(empty, 2, 3) is None and interval(empty, None) is None
    )
    assert weighted_shares(empty, [(2, 3, 1.0)]) is None


def test_paired_difference_of_identical_measures_is_exactly_zero() -> None:
    rows = [[float(r % 3), 2.0, float(r % 3), 2.0] for r in range(10)]
    totals = totals_of(rows)
    difference = ratio(totals, 2, 3) - ratio(totals, 0, 1)  # type: ignore[operator]
    assert difference.value == 0.0 and interval(totals, difference) == (0.0, 0.0)


def test_layout_gives_each_key_a_numerator_and_a_denominator() -> None:
    layout = Layout()
    assert [layout.declare("a"), layout.declare("b"), layout.declare("a")] == [0, 2, 0]
    assert layout.size == 4


@pytest.mark.parametrize(("p", "df"), [(0.995, 19), (0.9995, 30), (0.9999, 49), (0.99999, 99), (0.999, 199)])
def test_t_quantiles_at_adjusted_levels_are_within_a_tenth_of_a_percent(p: float, df: int) -> None:
    exact = t_quantile(p, df)  # the density integrated, independently of drillsim
    assert adjusted_t_quantile(p, df) == pytest.approx(exact, rel=1e-3)
