"""Keyed random streams: one numpy Generator per (seed, replication, purpose).

A purpose is a string such as ``ack/ana`` or ``task/weight-exfil/triage``. Its stream is a PCG64
whose 128-bit state and increment are a BLAKE2b hash of ``seed/replication/purpose`` (not Python's
salted ``hash``), so a stream's numbers do not depend on the backend, the worker, the order
replications run in, or on which other purposes exist. Two variants of a scenario run with the same
seed draw the same numbers for the same purposes: common random numbers.

Keying a stream costs a hash and a state assignment; building a Generator through a SeedSequence
costs seven times more, which a scenario with a hundred purposes pays on every replication. So
:meth:`Streams.rekey` moves a Streams object to another replication and reuses its Generators.
"""

from __future__ import annotations

import hashlib

import numpy as np


def keyed_state(seed: int, replication: int, purpose: str) -> dict[str, object]:
    """The PCG64 state of a stream: state and (odd) increment from a 256-bit hash of its key."""
    digest = hashlib.blake2b(f"{seed}/{replication}/{purpose}".encode(), digest_size=32).digest()
    return {
        "bit_generator": "PCG64",
        "has_uint32": 0,
        "uinteger": 0,
        "state": {
            "state": int.from_bytes(digest[:16], "little"),
            "inc": int.from_bytes(digest[16:], "little") | 1,
        },
    }


class Streams:
    """The streams of one replication, made on first use."""

    __slots__ = ("_spare", "_streams", "replication", "seed")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed, self.replication = seed, replication
        self._streams: dict[str, np.random.Generator] = {}
        self._spare: dict[str, np.random.Generator] = {}  # Generators of earlier replications, to re-key

    def get(self, purpose: str) -> np.random.Generator:
        stream = self._streams.get(purpose)
        if stream is None:
            stream = self._spare.pop(purpose, None) or np.random.Generator(np.random.PCG64(0))
            stream.bit_generator.state = keyed_state(self.seed, self.replication, purpose)
            self._streams[purpose] = stream
        return stream

    def rekey(self, seed: int, replication: int) -> None:
        """Serve (seed, replication) from now on. Every stream handed out before must no longer be used."""
        self.seed, self.replication = seed, replication
        self._spare.update(self._streams)
        self._streams = {}
