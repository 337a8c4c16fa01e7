"""From facts to response times, one row per incident, folded as the facts happen.

Every time is in minutes. ``time_to_detect`` runs from occurrence to detection; every other metric
runs from detection (awareness), as regulatory clocks do by default; ``time_to_notify`` of a clock
that starts at a task or a decision runs from that event, and is absent while it has not happened.
A metric whose milestone was not reached by the end of the run is *censored* (None): it did not
happen in the time simulated, and must never be averaged as if it had. A metric that does not
apply (containment for an incident with no containment task) is absent.

:class:`Tally` folds the World's fact log and keeps per incident only what the metrics need, so a
Monte Carlo replication never builds timeline records it would read once; a live drill folds the
new facts each time it is asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, get_args

from drillsim import facts as T
from drillsim.scenario.model import DECISION_METRIC, MOBILIZE_CONTAIN, Metric

if TYPE_CHECKING:
    from drillsim.engine.model import KindModel
    from drillsim.facts import Fact, FactKind

# Every metric measured for every incident: what objectives can name but time_to_notify, which is kept
# per clock (notify_metric), and the opt-in metrics (scenario.model.opt_in_metric), measured only for
# scenarios whose objectives name them.
METRICS: tuple[str, ...] = tuple(m for m in get_args(Metric) if m != "time_to_notify")
BREAKDOWN = ("waiting_for_ack", "waiting_for_responder", "waiting_for_authority", "working")


def notify_metric(clock: str) -> str:
    return f"time_to_notify:{clock}"


# The milestones whose severity is recorded when an incident's severity changes, and the metric that
# says each was reached.
SEVERITY_MILESTONES = {
    "detected": "time_to_detect",
    "acknowledged": "time_to_acknowledge",
    "contained": "time_to_contain",
    "resolved": "time_to_resolve",
}


class IncidentMetrics:
    """The response to one incident: ``values[metric]`` is minutes, or None when censored.
    ``origin`` says what started it (``inject 1``, ``arrival 0``, ``trigger T of #N``).
    ``severities`` is None unless the incident's severity changed: then, for each milestone of
    :data:`SEVERITY_MILESTONES` it reached, the severity it had then."""

    __slots__ = (
        "breakdown",
        "deadlines",
        "escalations",
        "kind",
        "not_started",
        "number",
        "occurred",
        "origin",
        "pages",
        "severities",
        "values",
    )

    def __init__(self, number: int, kind: str, occurred: float, origin: str = "") -> None:
        self.number, self.kind, self.occurred, self.origin = number, kind, occurred, origin
        self.severities: dict[str, str] | None = None
        self.values: dict[str, float | None] = {}
        self.deadlines: dict[str, bool] = {}  # clock → met (only for detected incidents)
        # clocks starting at a task or decision that had not happened by the end (detected incidents)
        self.not_started: list[str] = []
        self.pages = 0
        self.escalations = 0
        self.breakdown = dict.fromkeys(BREAKDOWN, 0.0)


class IncidentFacts:
    """What the metrics need from one incident's facts, kept as they arrive (in time order)."""

    __slots__ = (
        "acknowledged",
        "decided",
        "decisions_needed",
        "detected",
        "done",
        "engaged_at",
        "escalations",
        "first_started",
        "kind",
        "milestones",
        "notified",
        "number",
        "occurred",
        "origin",
        "pages",
        "ready",
        "severity",
        "severity_at",
        "started",
    )

    def __init__(self, number: int, kind: KindModel, occurred: float, origin: str = "") -> None:
        self.number, self.kind, self.occurred, self.origin = number, kind, occurred, origin
        self.detected: float | None = None
        self.acknowledged: float | None = None
        self.first_started: float | None = None
        self.milestones: dict[str, float] = {}
        self.notified: dict[str, float] = {}
        self.engaged_at: dict[int | None, float] = {}  # by person index
        self.ready: dict[str, float] = {}
        self.started: dict[str, tuple[float, int | None]] = {}
        self.done: dict[str, float] = {}
        self.decisions_needed: dict[str, float] = {}
        self.decided: dict[str, float] = {}
        self.pages = self.escalations = 0
        self.severity: str = kind.severity
        self.severity_at: dict[str, str] | None = None  # milestone → severity, once the severity changed

    def add(self, time: float, fact: FactKind, who: int | None, subject: str) -> None:
        """Fold one fact in (its time, kind, person and subject; most frequent kinds first)."""
        if fact is T.PAGED:
            self.pages += 1
        elif fact is T.TASK_READY:
            self.ready[subject] = time
        elif fact is T.TASK_STARTED:
            self.started[subject] = (time, who)
            if self.first_started is None:
                self.first_started = time
        elif fact is T.TASK_DONE:
            self.done[subject] = time
        elif fact is T.ENGAGED:
            self.engaged_at.setdefault(who, time)
        elif fact is T.ESCALATED:
            self.escalations += 1
        elif fact is T.DETECTED:
            self.detected = time
            self._at_severity("detected")
        elif fact is T.ACKNOWLEDGED:
            if self.acknowledged is None:
                self.acknowledged = time
                self._at_severity("acknowledged")
        elif fact is T.MILESTONE:
            if subject not in self.milestones:
                self.milestones[subject] = time
                self._at_severity(subject)
        elif fact is T.NOTIFIED:
            self.notified.setdefault(subject, time)
        elif fact is T.DECISION_NEEDED:
            self.decisions_needed[subject] = time
        elif fact is T.DECISION:
            self.decided[subject] = time
        elif fact is T.SEVERITY:
            if self.severity_at is None:  # every milestone so far was reached at the first severity
                reached = [*self.milestones, *(["detected"] if self.detected is not None else [])]
                reached += ["acknowledged"] if self.acknowledged is not None else []
                self.severity_at = dict.fromkeys(reached, self.severity)
            self.severity = subject

    def _at_severity(self, milestone: str) -> None:
        if self.severity_at is not None:
            self.severity_at[milestone] = self.severity

    def metrics(self, end: float) -> IncidentMetrics:
        """The metrics as they stand when the run stops at ``end``: what has not happened is censored."""
        kind, detected = self.kind, self.detected
        result = IncidentMetrics(self.number, kind.id, self.occurred, self.origin)
        result.pages, result.escalations = self.pages, self.escalations
        if self.severity_at is not None:
            result.severities = dict(self.severity_at)
        values = result.values

        def since_detection(at: float | None) -> float | None:
            return None if at is None or detected is None else at - detected

        values["time_to_detect"] = None if detected is None else detected - self.occurred
        values["time_to_acknowledge"] = since_detection(self.acknowledged)
        values["time_to_engage"] = since_detection(self.first_started)
        started, engaged_at = self.started, self.engaged_at
        if len(started) == len(kind.tasks):
            values["time_to_mobilize"] = since_detection(
                max(engaged_at.get(who, end) for _, who in started.values())
            )
        else:
            values["time_to_mobilize"] = None
        decided = self.decided
        if kind.decision_of:
            needed = set(kind.decision_of.values())
            values["time_to_authority"] = (
                since_detection(max(decided.values())) if needed <= set(decided) else None
            )
        if kind.contained_by:
            values["time_to_contain"] = since_detection(self.milestones.get("contained"))
        values["time_to_resolve"] = since_detection(self.milestones.get("resolved"))
        if kind.mobilize_contain:  # the people of the tasks up to containment have all acknowledged
            chain = [kind.tasks[i].id for i in kind.containment]
            values[MOBILIZE_CONTAIN] = (
                since_detection(max(engaged_at.get(started[t][1], end) for t in chain))
                if all(t in started for t in chain)
                else None
            )
        for authority in kind.timed_decisions:
            values[DECISION_METRIC + authority] = since_detection(decided.get(authority))
        for clock, deadline in kind.clocks.items():
            start = kind.clock_starts.get(clock)
            if start is None:  # from awareness
                taken = since_detection(self.notified.get(clock))
                values[notify_metric(clock)] = taken
                if detected is not None and (taken is not None or detected + deadline <= end):
                    result.deadlines[clock] = (
                        taken is not None and taken <= deadline
                    )  # unknown while still running
                continue
            what, name = start
            began = (self.done if what == "task" else decided).get(name)
            if began is None:  # never started: neither met nor missed, and no time to notify
                if detected is not None:
                    result.not_started.append(clock)
                continue
            notified = self.notified.get(clock)
            # a notification made before the clock started meets its duty the moment it starts
            taken = None if notified is None else max(0.0, notified - began)
            values[notify_metric(clock)] = taken
            if taken is not None or began + deadline <= end:
                result.deadlines[clock] = taken is not None and taken <= deadline

        breakdown = result.breakdown
        if detected is not None:
            breakdown["waiting_for_ack"] = (
                self.acknowledged if self.acknowledged is not None else end
            ) - detected
        for task, at in self.ready.items():
            decision = kind.decision_of.get(task)
            staffed_from = (
                max(at, decided.get(decision, end)) if decision else at
            )  # a decision taken earlier costs nothing
            breakdown["waiting_for_responder"] += max(0.0, started.get(task, (end, None))[0] - staffed_from)
        for authority, at in self.decisions_needed.items():
            breakdown["waiting_for_authority"] += decided.get(authority, end) - at
        done = self.done
        for task, (at, _) in started.items():
            breakdown["working"] += done.get(task, end) - at
        return result


class Tally:
    """Folds a World's facts into :class:`IncidentFacts`, one per incident that has occurred.
    ``kinds`` is the compiled model's incident kinds, by id (facts name an incident's kind by id)."""

    __slots__ = ("_kinds", "_seen", "incidents")

    def __init__(self, kinds: Mapping[str, KindModel]) -> None:
        self.incidents: dict[int, IncidentFacts] = {}  # by incident number
        self._kinds = kinds
        self._seen = 0

    def update(self, facts: list[Fact]) -> None:
        """Fold in the facts logged since the last call."""
        incidents, kinds = self.incidents, self._kinds
        for time, number, kind, fact, who, subject, _ in facts[self._seen :]:
            if number < 0:  # a fact about the scenario (facts.SCENARIO), not an incident
                continue
            folded = incidents.get(number)
            if folded is None:  # the first fact of an incident is its occurrence (subject: its origin)
                folded = incidents[number] = IncidentFacts(number, kinds[kind], time, subject)
            folded.add(time, fact, who, subject)
        self._seen = len(facts)

    def metrics(self, end: float) -> list[IncidentMetrics]:
        """One row per incident that has occurred, by incident number, measured up to ``end``."""
        return [self.incidents[number].metrics(end) for number in sorted(self.incidents)]
