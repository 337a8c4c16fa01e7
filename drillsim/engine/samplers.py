"""Distributions compiled into samplers, which draw float minutes from a numpy Generator.

The scenario's pydantic distribution objects stay at the edge; the event loop only sees a
:class:`Sampler`. ``sampler.one(rng)`` draws one value; ``sampler.block(rng, n)`` draws n at once, and
those are exactly the values n calls of ``one`` would give in turn, leaving the generator where they
would: numpy fills an array by calling, value by value, the routine a single draw calls, so a stream
read in blocks gives the same numbers as one read value by value (tests/test_samplers.py checks it
for every distribution and several block sizes). A numpy call costs far more than a value it fills,
which is why keyed streams hand out values from blocks
(:meth:`drillsim.experiments.streams.Streams.draw`). A fixed distribution draws nothing: its
``block`` is None and ``fixed`` holds the value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True, eq=False)
class Sampler:
    """A compiled distribution. ``one(rng)`` draws the next value from ``rng``; ``block(rng, n)`` draws
    the next n values as a list, exactly the values n calls of ``one`` would give in turn, and leaves
    ``rng`` in the state those calls would. A fixed value draws nothing: ``block`` is None and ``fixed``
    holds the value (``one`` returns it too)."""

    one: Callable[[np.random.Generator], float]
    block: Callable[[np.random.Generator, int], list[float]] | None
    fixed: float | None = None


def fixed(value: float) -> Sampler:
    """Always ``value``, drawing nothing."""
    return Sampler(lambda rng: value, None, value)


def exponential(mean: float) -> Sampler:
    """Exponential with ``mean`` (numpy's scale)."""
    return Sampler(lambda rng: rng.exponential(mean), lambda rng, n: rng.exponential(mean, n).tolist())


# A uniform number in [0, 1): whether a page reaches someone.
UNIFORM = Sampler(lambda rng: rng.random(), lambda rng, n: rng.random(n).tolist())


def compile_distribution(dist: AnyDistribution) -> Sampler:
    """The sampler of a scenario's distribution, in float minutes.

    An empirical distribution picks an index with ``rng.integers(count)``. Its block uses
    ``integers(count, size=n)``, which gives the same indexes: for the default int64 and a range below
    2**32, numpy's single draw and its array fill both call the same 32-bit Lemire routine once per
    value, whose "buffer" arguments are unused, so both take each 32-bit word from the bit generator's
    own next_uint32, whose spare half lives in the generator's state, not in the call. (The 8- and
    16-bit dtypes do buffer inside one call, and would differ: they are not used.)
    tests/test_samplers.py checks it, rejections and a spare half included."""
    if isinstance(dist, Fixed):
        return fixed(dist.value)
    if isinstance(dist, Exponential):
        return exponential(dist.mean)
    if isinstance(dist, LogNormal):
        mu, sigma = math.log(dist.median), dist.sigma
        return Sampler(
            lambda rng: rng.lognormal(mu, sigma), lambda rng, n: rng.lognormal(mu, sigma, n).tolist()
        )
    if isinstance(dist, Triangular):
        low, mode, high = dist.min, dist.mode, dist.max
        return Sampler(
            lambda rng: rng.triangular(low, mode, high),
            lambda rng, n: rng.triangular(low, mode, high, n).tolist(),
        )
    if isinstance(dist, Uniform):
        low, high = dist.min, dist.max
        return Sampler(lambda rng: rng.uniform(low, high), lambda rng, n: rng.uniform(low, high, n).tolist())
    if isinstance(dist, Empirical):
        values = tuple(dist.values)
        count = len(values)
        return Sampler(
            lambda rng: values[rng.integers(count)],
            lambda rng, n: [values[i] for i in rng.integers(count, size=n).tolist()],
        )
    raise TypeError(f"no sampler for {type(dist).__name__}")
