"""Distributions compiled into samplers: plain callables over a numpy Generator.

The scenario's pydantic distribution objects stay at the edge; the event loop only calls
``sampler(rng) -> float minutes``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from drillsim.scenario.distributions import (
    AnyDistribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Triangular,
    Uniform,
)

Sampler = Callable[[np.random.Generator], float]


def compile_distribution(dist: AnyDistribution) -> Sampler:
    if isinstance(dist, Fixed):
        value = dist.value
        return lambda rng: value
    if isinstance(dist, Exponential):
        mean = dist.mean
        return lambda rng: rng.exponential(mean)
    if isinstance(dist, LogNormal):
        mu, sigma = math.log(dist.median), dist.sigma
        return lambda rng: rng.lognormal(mu, sigma)
    if isinstance(dist, Triangular):
        low, mode, high = dist.min, dist.mode, dist.max
        return lambda rng: rng.triangular(low, mode, high)
    if isinstance(dist, Uniform):
        low, high = dist.min, dist.max
        return lambda rng: rng.uniform(low, high)
    if isinstance(dist, Empirical):
        values = tuple(dist.values)
        count = len(values)
        return lambda rng: values[rng.integers(count)]
    raise TypeError(f"no sampler for {type(dist).__name__}")
