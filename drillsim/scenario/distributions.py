"""Distributions of durations, written the way people estimate them.

YAML forms (all values are durations)::

    5m                                   # fixed
    {fixed: 5m}
    {exponential: {mean: 10m}}
    {lognormal: {median: 3m, p95: 20m}}  # how people estimate response times
    {triangular: {min: 1m, mode: 3m, max: 10m}}
    {uniform: {min: 1m, max: 5m}}
    {empirical: [2m, 3m, 11m]}           # observed values, resampled

Sampling lives in the engine; these models only state parameters and two summaries the
checks use: ``mean`` and ``fast`` (a quick case: the minimum of a bounded distribution, the 5th
percentile of an unbounded one).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field, model_validator

from drillsim.scenario.base import StrictModel, single_key_union
from drillsim.scenario.units import Duration, format_duration

Z95 = 1.6448536269514722  # standard normal quantile at 0.95


class Fixed(StrictModel):
    """Always the same duration (written as the duration alone, e.g. 5m)."""

    wrapper_key: ClassVar[str] = "fixed"
    scalar_field: ClassVar[str] = "value"
    bare_scalar: ClassVar[bool] = True
    value: Duration

    @property
    def mean(self) -> float:
        return self.value

    @property
    def fast(self) -> float:
        return self.value

    def describe(self) -> str:
        return format_duration(self.value)


class Exponential(StrictModel):
    """Exponential durations with the given mean (memoryless: arrivals, waits)."""

    wrapper_key: ClassVar[str] = "exponential"
    mean: Duration = Field(gt=0)

    @property
    def fast(self) -> float:
        return -self.mean * math.log(0.95)

    def describe(self) -> str:
        return f"exponential, mean {format_duration(self.mean)}"


class LogNormal(StrictModel):
    """Lognormal durations given by their median and 95th percentile."""

    wrapper_key: ClassVar[str] = "lognormal"
    median: Duration = Field(gt=0)
    p95: Duration

    @model_validator(mode="after")
    def _p95_above_median(self) -> LogNormal:
        if self.p95 <= self.median:
            raise ValueError("p95 must be greater than the median")
        return self

    @property
    def sigma(self) -> float:
        return math.log(self.p95 / self.median) / Z95

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    @property
    def fast(self) -> float:
        return self.median**2 / self.p95  # the 5th percentile, by symmetry of the log

    def describe(self) -> str:
        return f"lognormal, median {format_duration(self.median)}, p95 {format_duration(self.p95)}"


class Triangular(StrictModel):
    """Triangular durations between min and max, most often mode."""

    wrapper_key: ClassVar[str] = "triangular"
    min: Duration
    mode: Duration
    max: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.min <= self.mode <= self.max) or self.min == self.max:
            raise ValueError("expected min ≤ mode ≤ max with min < max")
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3

    @property
    def fast(self) -> float:
        return self.min

    def describe(self) -> str:
        return "triangular " + "/".join(format_duration(v) for v in (self.min, self.mode, self.max))


class Uniform(StrictModel):
    """Durations equally likely anywhere between min and max."""

    wrapper_key: ClassVar[str] = "uniform"
    min: Duration
    max: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.min >= self.max:
            raise ValueError("expected min < max")
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2

    @property
    def fast(self) -> float:
        return self.min

    def describe(self) -> str:
        return f"uniform {format_duration(self.min)}–{format_duration(self.max)}"


class Empirical(StrictModel):
    """Durations drawn with equal chance from observed values."""

    wrapper_key: ClassVar[str] = "empirical"
    scalar_field: ClassVar[str] = "values"
    values: list[Duration] = Field(min_length=1)

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    @property
    def fast(self) -> float:
        return min(self.values)

    def describe(self) -> str:
        return f"empirical, {len(self.values)} observations"


AnyDistribution = Fixed | Exponential | LogNormal | Triangular | Uniform | Empirical
if TYPE_CHECKING:  # for the type checker, the union is what pydantic builds from it
    Distribution = AnyDistribution
else:
    Distribution = single_key_union(
        Fixed,
        Exponential,
        LogNormal,
        Triangular,
        Uniform,
        Empirical,
        default="fixed",
        what="a duration or a distribution",
    )
