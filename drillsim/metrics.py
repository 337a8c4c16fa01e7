"""From a timeline to response times, one row per incident.

Every time is in minutes. ``time_to_detect`` runs from occurrence to detection; every other metric
runs from detection (awareness), as regulatory clocks do. A metric whose milestone was not reached
by the end of the run is *censored* (None): it did not happen in the time simulated, and must
never be averaged as if it had. A metric that does not apply (containment for an incident with no
containment task) is absent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import get_args

from drillsim.engine import timeline as T
from drillsim.engine.model import KindModel
from drillsim.engine.timeline import Record
from drillsim.scenario.model import Metric

# Every metric objectives can name, but time_to_notify, which is kept per clock (notify_metric).
METRICS: tuple[str, ...] = tuple(m for m in get_args(Metric) if m != "time_to_notify")
BREAKDOWN = ("waiting_for_ack", "waiting_for_responder", "waiting_for_authority", "working")


def notify_metric(clock: str) -> str:
    return f"time_to_notify:{clock}"


class IncidentMetrics:
    """The response to one incident: ``values[metric]`` is minutes, or None when censored."""

    __slots__ = ("number", "kind", "occurred", "values", "deadlines", "pages", "escalations", "breakdown")

    def __init__(self, number: int, kind: str, occurred: float) -> None:
        self.number, self.kind, self.occurred = number, kind, occurred
        self.values: dict[str, float | None] = {}
        self.deadlines: dict[str, bool] = {}  # clock → met (only for detected incidents)
        self.pages = 0
        self.escalations = 0
        self.breakdown = dict.fromkeys(BREAKDOWN, 0.0)


def incident_metrics(records: Iterable[Record], kinds: dict[str, KindModel], origin_kinds: dict[int, str],
                     end: float) -> list[IncidentMetrics]:
    """Metrics for every incident that occurred in ``records``; ``end`` is when the run stopped.

    ``origin_kinds`` maps incident number → kind id.
    """
    by_incident: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        by_incident[record.incident].append(record)
    return [_one(number, rows, kinds[origin_kinds[number]], end) for number, rows in sorted(by_incident.items())]


def _one(number: int, rows: list[Record], kind: KindModel, end: float) -> IncidentMetrics:
    first: dict[tuple[str, str | None], float] = {}
    engaged_at: dict[str, float] = {}
    ready: dict[str, float] = {}
    started: dict[str, tuple[float, str | None]] = {}
    done: dict[str, float] = {}
    decisions_needed: dict[str, float] = {}
    decided: dict[str, float] = {}
    result: IncidentMetrics | None = None
    pages = escalations = 0
    for r in rows:
        first.setdefault((r.kind, r.detail if r.kind in (T.MILESTONE, T.NOTIFIED) else None), r.time)
        if r.kind == T.OCCURRED:
            result = IncidentMetrics(number, kind.id, r.time)
        elif r.kind == T.PAGED:
            pages += 1
        elif r.kind == T.ESCALATED:
            escalations += 1
        elif r.kind == T.ENGAGED and r.who is not None:
            engaged_at.setdefault(r.who, r.time)
        elif r.kind == T.TASK_READY and r.detail is not None:
            ready[r.detail] = r.time
        elif r.kind == T.TASK_STARTED and r.detail is not None:
            started[r.detail] = (r.time, r.who)
        elif r.kind == T.TASK_DONE and r.detail is not None:
            done[r.detail] = r.time
        elif r.kind == T.DECISION_NEEDED and r.detail is not None:
            decisions_needed[r.detail] = r.time
        elif r.kind == T.DECISION and r.detail is not None:
            decided[r.detail] = r.time
    assert result is not None, "every incident's records start with its occurrence"
    result.pages, result.escalations = pages, escalations
    detected = first.get((T.DETECTED, None))
    values = result.values

    def since_detection(at: float | None) -> float | None:
        return None if at is None or detected is None else at - detected

    values["time_to_detect"] = None if detected is None else detected - result.occurred
    values["time_to_acknowledge"] = since_detection(first.get((T.ACKNOWLEDGED, None)))
    values["time_to_engage"] = since_detection(first.get((T.TASK_STARTED, None)))
    all_started = len(started) == len(kind.tasks)
    mobilized = max((engaged_at.get(who or "", end) for _, who in started.values()), default=None)
    values["time_to_mobilize"] = since_detection(mobilized) if all_started else None
    if kind.decision_of:
        needed = set(kind.decision_of.values())
        values["time_to_authority"] = since_detection(max(decided.values())) if needed <= set(decided) else None
    if kind.contained_by:
        values["time_to_contain"] = since_detection(first.get((T.MILESTONE, "contained")))
    values["time_to_resolve"] = since_detection(first.get((T.MILESTONE, "resolved")))
    for clock, deadline in kind.clocks.items():
        taken = since_detection(first.get((T.NOTIFIED, clock)))
        values[notify_metric(clock)] = taken
        if detected is not None and (taken is not None or detected + deadline <= end):
            result.deadlines[clock] = taken is not None and taken <= deadline  # unknown while still running

    breakdown = result.breakdown
    if detected is not None:
        breakdown["waiting_for_ack"] = first.get((T.ACKNOWLEDGED, None), end) - detected
    for task, at in ready.items():
        decision = kind.decision_of.get(task)
        staffed_from = max(at, decided.get(decision, end)) if decision else at  # a decision taken earlier costs nothing
        breakdown["waiting_for_responder"] += max(0.0, started.get(task, (end, None))[0] - staffed_from)
    for authority, at in decisions_needed.items():
        breakdown["waiting_for_authority"] += decided.get(authority, end) - at
    for task, (at, _) in started.items():
        breakdown["working"] += done.get(task, end) - at
    return result
