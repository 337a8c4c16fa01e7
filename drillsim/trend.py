"""Readiness over time: each scenario's simulations and its drills are separate series, and a change
between two runs of a series is called a change only when their intervals say so.

A simulation's readiness has a 95% interval over its replications; a drill is one replication and
has none. Two simulations differ beyond noise when the difference of their scores exceeds
√(h₁² + h₂²), h the half-widths of their intervals — the 95% interval of the difference of two
independent estimates. Runs with the same seed share random numbers, which only makes this
conservative. Between drills, or when either run has no interval, nothing is claimed.

A scenario's **versions** are the contents of its scenario.yaml (the SHA-256 the history records):
where two consecutive simulations of a scenario ran different contents, the scenario changed between
them. That change is called a **regression** (or an improvement) only when an interval says so: the
rule above for the two recorded runs, or — better — the 95% interval of a paired comparison of the
two contents with common random numbers (``drillsim compare``) excluding zero.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

FIRST, CHANGED, WITHIN_NOISE, NO_INTERVAL = "first", "changed", "within noise", "no interval"
REGRESSION, IMPROVEMENT = "regression", "improvement"
NOT_SIGNIFICANT = "no significant difference"
NO_CONTENT = hashlib.sha256(b"").hexdigest()  # what the history records for a run with no scenario.yaml


class Scored(Protocol):
    """A recorded run as the history keeps it (store.Run); read-only."""

    @property
    def kind(self) -> str: ...
    @property
    def scenario(self) -> str: ...
    @property
    def readiness(self) -> float | None: ...
    @property
    def readiness_low(self) -> float | None: ...
    @property
    def readiness_high(self) -> float | None: ...


class Versioned(Scored, Protocol):
    """A recorded run with what a comparison of its scenario's versions needs (store.Run)."""

    @property
    def at(self) -> str: ...
    @property
    def folder(self) -> str: ...
    @property
    def seed(self) -> int | None: ...
    @property
    def replications(self) -> int | None: ...
    @property
    def scenario_sha256(self) -> str | None: ...


@dataclass(frozen=True)
class Trend:
    """How a run's readiness compares with the previous run of its series (same scenario and kind)."""

    change: float | None  # readiness minus the previous run's; None for the first run or no score
    verdict: str  # FIRST, CHANGED, WITHIN_NOISE or NO_INTERVAL


def trends(runs: Sequence[Scored]) -> list[Trend]:
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


@dataclass(frozen=True)
class VersionChange:
    """Two consecutive simulations of a scenario that ran different contents of it."""

    before: Versioned
    after: Versioned
    versions: tuple[int, int]  # the contents' numbers: 1 for the scenario's first, 2 for the next new one…
    change: float | None  # readiness after minus before; None when either has no score
    verdict: str  # REGRESSION or IMPROVEMENT (beyond the two runs' intervals), WITHIN_NOISE, NO_INTERVAL


def version_changes(runs: Sequence[Versioned]) -> list[VersionChange]:
    """Each change of a scenario's contents between consecutive simulations, for runs in time order.
    Runs whose contents are unknown (no scenario.yaml in their folder) neither start nor end one."""
    last: dict[str, Versioned] = {}
    numbers: dict[str, dict[str, int]] = {}
    found = []
    for run in runs:
        digest = run.scenario_sha256
        if run.kind != "simulation" or not digest or digest == NO_CONTENT:
            continue
        seen = numbers.setdefault(run.scenario, {})
        seen.setdefault(digest, len(seen) + 1)
        before = last.get(run.scenario)
        last[run.scenario] = run
        if before is None or before.scenario_sha256 == digest:
            continue
        versions = (seen[str(before.scenario_sha256)], seen[digest])
        if before.readiness is None or run.readiness is None:
            found.append(VersionChange(before, run, versions, None, NO_INTERVAL))
            continue
        change = run.readiness - before.readiness
        verdict = _verdict(change, _half_width(before), _half_width(run))
        if verdict == CHANGED:
            verdict = REGRESSION if change < 0 else IMPROVEMENT
        found.append(VersionChange(before, run, versions, change, verdict))
    return found


def paired_verdict(ci95: Sequence[float | None] | None) -> str:
    """REGRESSION or IMPROVEMENT when the paired 95% interval of the readiness difference (after minus
    before) excludes zero, else NOT_SIGNIFICANT (also when there is no interval)."""
    if not ci95 or ci95[0] is None or ci95[1] is None:
        return NOT_SIGNIFICANT
    if ci95[1] < 0:
        return REGRESSION
    return IMPROVEMENT if ci95[0] > 0 else NOT_SIGNIFICANT
