"""Readiness over time: each scenario's simulations and its drills are separate series, and a change
between two runs of a series is called a change only when their intervals say so.

A simulation's readiness has a 95% interval over its replications; a drill is one replication and
has none. Two simulations differ beyond noise when the difference of their scores exceeds
√(h₁² + h₂²), h the half-widths of their intervals — the 95% interval of the difference of two
independent estimates. Runs with the same seed share random numbers, which only makes this
conservative. Between drills, or when either run has no interval, nothing is claimed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

FIRST, CHANGED, WITHIN_NOISE, NO_INTERVAL = "first", "changed", "within noise", "no interval"


class Scored(Protocol):
    """A recorded run as the history keeps it (store.Run)."""

    kind: str
    scenario: str
    readiness: float | None
    readiness_low: float | None
    readiness_high: float | None


@dataclass(frozen=True)
class Trend:
    """How a run's readiness compares with the previous run of its series (same scenario and kind)."""

    change: float | None  # readiness minus the previous run's; None for the first run or no score
    verdict: str  # FIRST, CHANGED, WITHIN_NOISE or NO_INTERVAL


def trends(runs: list[Scored]) -> list[Trend]:
    """One Trend per run, for runs in time order."""
    previous: dict[tuple[str, str], Scored] = {}
    found = []
    for run in runs:
        series = (run.scenario, run.kind)
        before = previous.get(series)
        if run.readiness is None:
            found.append(Trend(None, NO_INTERVAL))
            continue
        previous[series] = run
        if before is None or before.readiness is None:
            found.append(Trend(None, FIRST))
            continue
        change = run.readiness - before.readiness
        found.append(Trend(change, _verdict(change, _half_width(before), _half_width(run))))
    return found


def _half_width(run: Scored) -> float | None:
    if run.readiness_low is None or run.readiness_high is None:
        return None
    return (run.readiness_high - run.readiness_low) / 2


def _verdict(change: float, first: float | None, second: float | None) -> str:
    if first is None or second is None:
        return NO_INTERVAL
    return CHANGED if abs(change) > math.hypot(first, second) else WITHIN_NOISE
