"""Samplers and keyed streams read in blocks give exactly the numbers read value by value.

Every summary.json depends on it: block draws are a speed-up, never a change of results. Each check
compares bits (``==`` on Python floats, and the generator's state afterwards), not approximations.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from drillsim.engine.samplers import UNIFORM, Sampler, compile_distribution
from drillsim.experiments.streams import LARGEST_BLOCK, Streams, keyed_state
from drillsim.scenario.distributions import (
    AnyDistribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Triangular,
    Uniform,
)

DISTRIBUTIONS: dict[str, AnyDistribution] = {
    "fixed": Fixed(value=5),
    "exponential": Exponential(mean=10),
    "lognormal": LogNormal(median=3, p95=20),
    "triangular": Triangular(min=1, mode=3, max=10),
    "triangular-at-min": Triangular(min=1, mode=1, max=10),
    "uniform": Uniform(min=1, max=5),
    "empirical": Empirical(values=[2, 3, 11]),
    "empirical-one": Empirical(values=[7]),
    "empirical-many": Empirical(values=[float(v) for v in range(1, 1001)]),
}
SAMPLERS: dict[str, Sampler] = {
    **{name: compile_distribution(dist) for name, dist in DISTRIBUTIONS.items()},
    "UNIFORM": UNIFORM,
}
BLOCK_SIZES = [1, 2, 3, 7, 8, 64, 255, LARGEST_BLOCK, 1001]


def generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def blocks(sampler: Sampler, rng: np.random.Generator, n: int) -> list[float]:
    if sampler.block is None:  # a fixed value draws nothing
        assert sampler.fixed is not None
        return [sampler.fixed] * n
    return sampler.block(rng, n)


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize("size", BLOCK_SIZES)
@pytest.mark.parametrize("seed", [0, 7, 2**63 + 5])
def test_a_block_is_the_values_one_at_a_time(name: str, size: int, seed: int) -> None:
    sampler = SAMPLERS[name]
    singly, together = generator(seed), generator(seed)
    expected = [sampler.one(singly) for _ in range(size)]
    got = blocks(sampler, together, size)
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert together.bit_generator.state == singly.bit_generator.state


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_blocks_of_any_sizes_continue_one_sequence(name: str) -> None:
    # Blocks of uneven sizes after single draws of other kinds (one of them leaves the generator with
    # a spare 32-bit half, which the empirical distribution's indexes use next).
    sampler, pick = SAMPLERS[name], random.Random(name)
    singly, together = generator(11), generator(11)
    for rng in (singly, together):
        rng.random()
        rng.integers(5)
    expected = [sampler.one(singly) for _ in range(3000)]
    got: list[float] = []
    while len(got) < len(expected):
        got += blocks(sampler, together, min(pick.choice(BLOCK_SIZES), len(expected) - len(got)))
    assert got == expected
    assert together.bit_generator.state == singly.bit_generator.state


@pytest.mark.parametrize("count", [2, 3, 1000, 3 * 2**30, 2**32 - 1, 2**32 + 1, 3 * 2**40])
def test_integer_indexes_in_an_array_are_the_indexes_one_at_a_time(count: int) -> None:
    # What the empirical sampler's block relies on, over ranges where numpy rejects often (3·2**30:
    # a quarter of the 32-bit words) and past 32 bits, starting with and without a spare half.
    for spare in (False, True):
        singly, together = generator(3), generator(3)
        if spare:
            singly.integers(5)
            together.integers(5)
        expected = [int(singly.integers(count)) for _ in range(999)]
        assert together.integers(count, size=999).tolist() == expected
        assert together.bit_generator.state == singly.bit_generator.state


def test_a_fixed_value_draws_nothing() -> None:
    sampler, rng = compile_distribution(Fixed(value=5)), generator(1)
    before = rng.bit_generator.state
    assert (sampler.block, sampler.fixed, sampler.one(rng)) == (None, 5, 5)
    assert rng.bit_generator.state == before


def test_a_stream_is_keyed_by_the_hash_of_seed_replication_and_purpose() -> None:
    digest = hashlib.blake2b(b"7/3/ack/ana", digest_size=32).digest()
    assert keyed_state(7, 3, "ack/ana")["state"] == {
        "state": int.from_bytes(digest[:16], "little"),
        "inc": int.from_bytes(digest[16:], "little") | 1,
    }


# Purposes as the engine uses them: arrivals and busy people draw many values, most purposes a few,
# some never in a replication; "detect/k/fallback" is also the stream of a source named fallback,
# read through get() before draw() in each incident.
PURPOSES: dict[str, Sampler] = {
    "arrivals/0": SAMPLERS["exponential"],
    "ack/ana": SAMPLERS["lognormal"],
    "reach/ana": UNIFORM,
    "ack/ben": SAMPLERS["empirical"],
    "reach/ben": UNIFORM,
    "task/k/triage": SAMPLERS["triangular"],
    "task/k/fix": SAMPLERS["uniform"],
    "task/k/notify": SAMPLERS["fixed"],
    "task/k/lookup": SAMPLERS["empirical-many"],
    "detect/k/fallback": SAMPLERS["exponential"],
}
WEIGHTS = [400, 60, 60, 3, 3, 30, 1, 5, 20, 0]


def plan(seed: int, draws: int) -> list[tuple[str, str]]:
    """A replication's reads in order: ("draw", purpose) or ("get", "detect/k/fallback") before the
    fallback's draw, as the engine detects an incident."""
    pick = random.Random(seed)
    reads: list[tuple[str, str]] = []
    for purpose in pick.choices(list(PURPOSES), WEIGHTS, k=draws):
        reads.append(("draw", purpose))
        if pick.random() < 0.02:
            reads += [("get", "detect/k/fallback"), ("draw", "detect/k/fallback")]
    return reads


def by_value(seed: int, replication: int, reads: list[tuple[str, str]]) -> list[float]:
    """The values a replication reads, each stream a fresh keyed Generator read value by value."""
    streams: dict[str, np.random.Generator] = {}
    values = []
    for how, purpose in reads:
        rng = streams.get(purpose)
        if rng is None:
            rng = streams[purpose] = generator(0)
            rng.bit_generator.state = keyed_state(seed, replication, purpose)
        values.append(rng.random() if how == "get" else PURPOSES[purpose].one(rng))
    return values


def through(streams: Streams, reads: list[tuple[str, str]]) -> list[float]:
    return [
        streams.get(purpose).random() if how == "get" else streams.draw(purpose, PURPOSES[purpose])
        for how, purpose in reads
    ]


def test_draw_interleaved_across_purposes_gives_the_values_one_at_a_time() -> None:
    # Replication after replication on one re-keyed Streams (first blocks sized by the last
    # replication), with another seed in between and a replication that reads less than the last.
    streams = Streams(7, 0)
    for seed, replication, draws in [(7, 0, 5000), (7, 1, 5000), (8, 1, 300), (7, 2, 8000), (7, 9, 40)]:
        if (seed, replication) != (7, 0):
            streams.rekey(seed, replication)
        reads = plan(seed * 1000 + replication, draws)
        assert through(streams, reads) == by_value(seed, replication, reads)
        # A fresh Streams (another worker) gives the same values whatever ran before.
        assert through(Streams(seed, replication), reads) == by_value(seed, replication, reads)


def test_a_stream_read_after_its_blocks_is_refused() -> None:
    streams = Streams(1, 0)
    for _ in range(20):
        streams.draw("ack/ana", PURPOSES["ack/ana"])
    with pytest.raises(ValueError, match="after draw"):
        streams.get("ack/ana")


def test_a_purpose_keeps_its_sampler() -> None:
    streams = Streams(1, 0)
    streams.draw("ack/ana", PURPOSES["ack/ana"])
    with pytest.raises(ValueError, match="two different distributions"):
        streams.draw("ack/ana", PURPOSES["arrivals/0"])
