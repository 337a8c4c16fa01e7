"""The distribution of one metric pooled over every incident of every replication: bounded memory,
deterministic. Its mean's interval is not here: intervals are over replications (see
:mod:`drillsim.experiments.totals`); percentiles, the standard deviation and the maximum describe
the pooled distribution of response times.

Mean and variance use Welford's update. Quantiles are exact (linear interpolation, as numpy's
default) while at most ``EXACT_LIMIT`` values have been seen; past that, values go into a
log-spaced histogram whose buckets are 0.1% wide, so memory stays bounded at any number of
replications and quantiles stay within 0.1%. Results depend only on the values and their order.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter

import numpy as np

EXACT_LIMIT = 100_000
_BUCKET_GROWTH = math.log1p(0.001)
_FLOOR = 1e-6  # minutes; smaller values (including zero) share the lowest bucket


class MetricStats:
    """A metric's values over incidents (None = censored): count, mean, spread, quantiles, maximum."""

    __slots__ = ("_buckets", "_exact", "_m2", "censored", "max", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.censored = 0
        self.mean = 0.0
        self._m2 = 0.0
        self.max = -math.inf
        self._exact: array[float] | None = array("d")
        self._buckets: Counter[int] = Counter()

    def add(self, value: float | None) -> None:
        """One observation; None means censored (the milestone was not reached in time)."""
        if value is None:
            self.censored += 1
            return
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (value - self.mean)
        self.max = max(self.max, value)
        if self._exact is not None:
            self._exact.append(value)
            if len(self._exact) > EXACT_LIMIT:
                for v in self._exact:
                    self._buckets[_bucket(v)] += 1
                self._exact = None
        else:
            self._buckets[_bucket(value)] += 1

    @property
    def sd(self) -> float:
        return math.sqrt(self._m2 / (self.n - 1)) if self.n > 1 else 0.0

    def quantile(self, q: float) -> float:
        if self.n == 0:
            return math.nan
        if self._exact is not None:
            return float(np.quantile(np.frombuffer(self._exact, dtype=float), q))
        rank, seen = q * (self.n - 1), 0
        for bucket in sorted(self._buckets):
            seen += self._buckets[bucket]
            if seen > rank:
                return min(_bucket_value(bucket), self.max)
        return self.max

    def summary(self, mean: float | None, interval: tuple[float, float] | None) -> dict[str, object]:
        """The fields of summary.json, values rounded to 1e-4 minutes: ``mean`` and its 95% ``interval``
        come from the replication totals, the rest from the pooled values."""
        if self.n == 0:
            return {
                "n": 0,
                "censored": self.censored,
                "mean": None,
                "sd": None,
                "p50": None,
                "p90": None,
                "p95": None,
                "max": None,
                "ci95": [None, None],
            }
        return {
            "n": self.n,
            "censored": self.censored,
            "mean": round4(mean),
            "sd": round4(self.sd),
            "p50": round4(self.quantile(0.5)),
            "p90": round4(self.quantile(0.9)),
            "p95": round4(self.quantile(0.95)),
            "max": round4(self.max),
            "ci95": rounded_interval(interval),
        }


def _bucket(value: float) -> int:
    return math.floor(math.log(max(value, _FLOOR) / _FLOOR) / _BUCKET_GROWTH)


def _bucket_value(bucket: int) -> float:
    return _FLOOR * math.exp((bucket + 0.5) * _BUCKET_GROWTH)


def round4(value: float | None) -> float | None:
    """A value as summary.json writes it: rounded to 1e-4; None (null) for no value or NaN."""
    if value is None or math.isnan(value):
        return None
    return round(value, 4) + 0.0  # + 0.0 turns -0.0 into 0.0


def rounded_interval(interval: tuple[float, float] | None) -> list[float | None]:
    """An interval as summary.json writes it: ``[low, high]``, or ``[null, null]`` when there is none."""
    return [round4(interval[0]), round4(interval[1])] if interval else [None, None]
