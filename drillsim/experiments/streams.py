"""Keyed random streams: one numpy Generator per (seed, replication, purpose).

A purpose is a string such as ``ack/ana`` or ``task/weight-exfil/triage``. Its key is a stable
hash of the string (not Python's salted ``hash``), so a stream's numbers do not depend on the
backend, the worker, the order replications run in, or on which other purposes exist. Two variants
of a scenario run with the same seed draw the same numbers for the same purposes: common random
numbers.
"""

from __future__ import annotations

import hashlib

import numpy as np


def purpose_key(purpose: str) -> int:
    return int.from_bytes(hashlib.blake2b(purpose.encode(), digest_size=8).digest(), "little")


class Streams:
    __slots__ = ("seed", "replication", "_streams")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed, self.replication = seed, replication
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, purpose: str) -> np.random.Generator:
        stream = self._streams.get(purpose)
        if stream is None:
            sequence = np.random.SeedSequence([self.seed, self.replication, purpose_key(purpose)])
            stream = self._streams[purpose] = np.random.Generator(np.random.PCG64(sequence))
        return stream
