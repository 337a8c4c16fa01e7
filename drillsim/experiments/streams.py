"""Keyed random streams: one numpy Generator per (seed, replication, purpose).

A purpose is a string such as ``ack/ana`` or ``task/weight-exfil/triage``. Its stream is a PCG64
whose 128-bit state and increment are a BLAKE2b hash of ``seed/replication/purpose`` (not Python's
salted ``hash``), so a stream's numbers do not depend on the backend, the worker, the order
replications run in, or on which other purposes exist. Two variants of a scenario run with the same
seed draw the same numbers for the same purposes: common random numbers.

Keying a stream costs a hash and a state assignment; building a Generator through a SeedSequence
costs seven times more, which a scenario with a hundred purposes pays on every replication. So
:meth:`Streams.rekey` moves a Streams object to another replication and reuses its Generators.

Most purposes draw from one distribution only (a person's acknowledgement delays, a task's
durations). :meth:`Streams.draw` serves those from blocks: one numpy call fills the next values of the
stream, and each draw takes the next one. A block gives exactly the numbers single draws would
(:mod:`drillsim.engine.samplers`), so results are the same to the last bit; a numpy call per value
costs several times a value taken from a block. A stream whose purpose mixes distributions (a
detection source: whether it fires, then its delay) is read value by value through :meth:`Streams.get`.
"""

from __future__ import annotations

import hashlib

import numpy as np

from drillsim.engine.samplers import Sampler

SINGLE = 2  # a purpose that drew at most this many values in the last replication draws one at a time
LARGEST_BLOCK = 256  # blocks grow up to this size for purposes that draw many (arrivals, busy people)
_MASK_128 = (1 << 128) - 1


def keyed_state(seed: int, replication: int, purpose: str) -> dict[str, object]:
    """The PCG64 state of a stream: state and (odd) increment from a 256-bit hash of its key."""
    return _state(f"{seed}/{replication}/".encode(), purpose.encode())


def _state(prefix: bytes, purpose: bytes) -> dict[str, object]:
    """:func:`keyed_state` from the key's bytes: ``seed/replication/`` and the purpose."""
    digest = int.from_bytes(hashlib.blake2b(prefix + purpose, digest_size=32).digest(), "little")
    return {
        "bit_generator": "PCG64",
        "has_uint32": 0,
        "uinteger": 0,
        "state": {"state": digest & _MASK_128, "inc": (digest >> 128) | 1},
    }


class Streams:
    """The streams of one replication, made on first use.

    A purpose is read either through :meth:`get` (its Generator, value by value) or through
    :meth:`draw` (the next value of one sampler). Both give the numbers of the same keyed stream; once
    :meth:`get` has handed out a purpose's stream in a replication, :meth:`draw` reads that purpose value
    by value too, so a stream shared by both (a detection source named ``fallback`` and the fallback)
    reads as it always did. Reading it through :meth:`get` after :meth:`draw` in the same replication
    raises ValueError: values drawn ahead would be skipped."""

    __slots__ = (
        "_ahead",
        "_by_value",
        "_drawn",
        "_names",
        "_prefix",
        "_samplers",
        "_spare",
        "_streams",
        "_usual",
        "replication",
        "seed",
    )

    def __init__(self, seed: int, replication: int) -> None:
        self.seed, self.replication = seed, replication
        self._prefix = f"{seed}/{replication}/".encode()
        self._names: dict[str, bytes] = {}  # purposes, encoded once
        self._streams: dict[str, np.random.Generator] = {}
        self._spare: dict[str, np.random.Generator] = {}  # Generators of earlier replications, to re-key
        self._by_value: set[str] = set()  # purposes get() handed out in this replication
        # per purpose draw() serves from blocks, in this replication: values drawn ahead (last first),
        # values drawn so far from its stream, its sampler; and how many values it used in the last
        # replication that drew it
        self._ahead: dict[str, list[float]] = {}
        self._drawn: dict[str, int] = {}
        self._samplers: dict[str, Sampler] = {}
        self._usual: dict[str, int] = {}

    def get(self, purpose: str) -> np.random.Generator:
        """The stream of ``purpose``, to draw from value by value; :meth:`draw` then reads ``purpose``
        value by value for the rest of the replication. ValueError if :meth:`draw` read it first."""
        if purpose not in self._by_value:
            if purpose in self._drawn:
                raise ValueError(f"stream {purpose!r} is read through get() after draw()")
            self._by_value.add(purpose)
        return self._stream(purpose)

    def _stream(self, purpose: str) -> np.random.Generator:
        """The Generator of ``purpose`` in this replication, keyed on first use."""
        stream = self._streams.get(purpose)
        if stream is None:
            name = self._names.get(purpose)
            if name is None:
                name = self._names[purpose] = purpose.encode()
            stream = self._spare.pop(purpose, None) or np.random.Generator(np.random.PCG64(0))
            stream.bit_generator.state = _state(self._prefix, name)
            self._streams[purpose] = stream
        return stream

    def draw(self, purpose: str, sampler: Sampler) -> float:
        """The next value of ``sampler`` from ``purpose``'s stream: the value ``sampler.one`` would draw
        from it now, whatever was drawn ahead. A purpose is always drawn with the same sampler (ValueError
        when a block is due with another)."""
        ahead = self._ahead.get(purpose)
        if ahead:
            return ahead.pop()
        return self._refill(purpose, sampler)

    def _refill(self, purpose: str, sampler: Sampler) -> float:
        """The next value of ``purpose`` when none is drawn ahead (nothing is drawn for a fixed value).
        A purpose that used more than SINGLE values in the last replication that drew it gets that many
        (at most LARGEST_BLOCK) in its first block; otherwise it draws one at a time until it has drawn
        SINGLE, then in blocks of 8, 16, … up to LARGEST_BLOCK. The size of a block never changes a
        value, only what it costs; a purpose :meth:`get` handed out is read one value at a time."""
        if sampler.block is None:
            assert sampler.fixed is not None, "a sampler without blocks is a fixed value"
            return sampler.fixed
        if purpose in self._by_value:
            return sampler.one(self._stream(purpose))
        drawn = self._drawn.get(purpose)
        if drawn is None:
            self._samplers[purpose] = sampler
            drawn, usual = 0, self._usual.get(purpose, 0)
            size = min(usual, LARGEST_BLOCK) if usual > SINGLE else 1
        else:
            if self._samplers[purpose] is not sampler:
                raise ValueError(f"stream {purpose!r} is drawn with two different distributions")
            size = 1 if drawn < SINGLE else min(max(8, drawn), LARGEST_BLOCK)
        self._drawn[purpose] = drawn + size
        if size == 1:
            self._ahead[purpose] = []
            return sampler.one(self._stream(purpose))
        values = sampler.block(self._stream(purpose), size)
        values.reverse()  # pop() from the end gives them in order
        self._ahead[purpose] = values
        return values.pop()

    def rekey(self, seed: int, replication: int) -> None:
        """Serve (seed, replication) from now on. Every stream handed out before must no longer be used;
        values drawn ahead are dropped."""
        for purpose, drawn in self._drawn.items():
            self._usual[purpose] = drawn - len(self._ahead[purpose])
        self.seed, self.replication = seed, replication
        self._prefix = f"{seed}/{replication}/".encode()
        self._spare.update(self._streams)
        self._streams, self._by_value = {}, set()
        self._ahead, self._drawn, self._samplers = {}, {}, {}
