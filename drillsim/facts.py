"""Facts: what a replication (or a live drill) emits, in time order, and the records read from them.

The World appends each fact to its log as a plain tuple of plain data (:data:`Fact`): appending is
the hot path. Everything else — metrics, scores, the drill console, reports, the journal — derives
from the log, reading fields, never text: a fact's kind is a :class:`FactKind`, the reason a page went
out a :class:`PageReason`, and the incident is its number and kind id (never the live Incident).
:class:`Timeline` turns facts into :class:`Record`s for traces and the console.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class FactKind(enum.StrEnum):
    """What happened. A fact names ``who`` where a person is involved, its ``subject`` (a source, task,
    authority, milestone, clock or origin) or, for pages and escalations, its ``reason``."""

    OCCURRED = "occurred"  # subject: the origin ("inject ID" or "arrival N")
    DETECTED = "detected"  # subject: the source that fired, or "fallback"
    PAGED = "paged"  # who; reason: why
    ESCALATED = "escalated"  # reason: the step now paged, after a timeout
    EXHAUSTED = "exhausted"  # reason: the escalation as a whole; every step and repeat ran out
    ACKNOWLEDGED = "acknowledged"  # who: first acknowledgement of the incident's escalation
    ENGAGED = "engaged"  # who joined the response (acknowledged a page for this incident)
    TASK_READY = "task_ready"  # subject: task id; predecessors done
    TASK_STARTED = "task_started"  # who; subject: task id
    TASK_DONE = "task_done"  # who; subject: task id
    DECISION_NEEDED = "decision_needed"  # subject: authority id
    DECISION = "decision"  # who took it; subject: authority id
    MILESTONE = "milestone"  # subject: contained | resolved
    NOTIFIED = "notified"  # who; subject: REGIME/CLOCK
    BRANCHED = "branched"  # subject: the trigger that fired on this incident (its effect follows its delay)
    SEVERITY = "severity"  # subject: the incident's new severity
    RELEASED = "released"  # incident SCENARIO; subject: a conditional inject whose condition held
    WITHHELD = "withheld"  # incident SCENARIO; subject: a conditional inject whose condition did not


# The kinds as module attributes, for the hot path: compare a fact's kind with `is` against these. In
# Python 3.11 reading FactKind.PAGED costs about 110 ns (the enum's metaclass has a __getattr__), a
# module attribute about 10 ns.
OCCURRED = FactKind.OCCURRED
DETECTED = FactKind.DETECTED
PAGED = FactKind.PAGED
ESCALATED = FactKind.ESCALATED
EXHAUSTED = FactKind.EXHAUSTED
ACKNOWLEDGED = FactKind.ACKNOWLEDGED
ENGAGED = FactKind.ENGAGED
TASK_READY = FactKind.TASK_READY
TASK_STARTED = FactKind.TASK_STARTED
TASK_DONE = FactKind.TASK_DONE
DECISION_NEEDED = FactKind.DECISION_NEEDED
DECISION = FactKind.DECISION
MILESTONE = FactKind.MILESTONE
NOTIFIED = FactKind.NOTIFIED
BRANCHED = FactKind.BRANCHED
SEVERITY = FactKind.SEVERITY
RELEASED = FactKind.RELEASED
WITHHELD = FactKind.WITHHELD

# The incident number of a fact about the scenario rather than an incident (a conditional inject's
# outcome); its kind id is "". Readers of incidents skip it.
SCENARIO = -1


class ReasonKind(enum.StrEnum):
    """What a page is for: a level of the incident's escalation policy, a task looking for someone, a
    tier of an authority's delegation order, or the first level of the policy a new severity chose."""

    LEVEL = "level"
    TASK = "task"
    AUTHORITY = "authority"
    SEVERITY = "severity"


@dataclass(frozen=True, slots=True)
class PageReason:
    """Why someone is paged: the same reason for every page sent for the same thing.

    ``step`` is the 1-based level (LEVEL) or delegation tier (AUTHORITY); a repeat of the whole
    escalation pages for the same reasons again. ``step`` None stands for the escalation as a whole
    (what EXHAUSTED reports), and for TASK. ``task`` is the task id (TASK), ``authority`` the
    authority id (AUTHORITY), ``policy`` the policy whose first level a severity change pages
    (SEVERITY). The compiled model holds one per level, task, tier and policy, so paging allocates
    none. ``str()`` writes it for people (and traces): "level 2", "task triage", "authority halt 1",
    "severity policy sev1"; "level" and "authority halt" for a whole escalation.
    """

    kind: ReasonKind
    step: int | None = None
    task: str | None = None
    authority: str | None = None
    policy: str | None = None

    def __str__(self) -> str:
        if self.kind is ReasonKind.TASK:
            return f"task {self.task}"
        if self.kind is ReasonKind.SEVERITY:
            return f"severity policy {self.policy}"
        head = "level" if self.kind is ReasonKind.LEVEL else f"authority {self.authority}"
        return head if self.step is None else f"{head} {self.step}"


# A fact as the World logs it: (time in minutes, incident number, incident kind id, fact kind,
# person index or None, subject or "" when the kind has none, reason or None).
Fact = tuple[float, int, str, FactKind, int | None, str, PageReason | None]


def released_injects(facts: Iterable[Fact]) -> Iterator[str]:
    """The ids of the conditional injects released in a replication's facts, in time order."""
    return (f[5] for f in facts if f[3] is FactKind.RELEASED)


@dataclass(slots=True, eq=False)
class Record:
    """One fact as traces and the console read it: at ``time`` (minutes), for incident number
    ``incident``, ``kind`` happened; ``who`` is a person id, ``subject`` and ``reason`` as in the fact
    (a missing subject is None)."""

    time: float
    incident: int
    kind: FactKind
    who: str | None = None
    subject: str | None = None
    reason: PageReason | None = None

    @property
    def detail(self) -> str | None:
        """The fact's detail in words: the reason, written out, or the subject."""
        return str(self.reason) if self.reason is not None else self.subject

    def as_dict(self) -> dict[str, object]:
        """The record as trace.jsonl writes it."""
        return {
            "time": self.time,
            "incident": self.incident,
            "kind": self.kind,
            "who": self.who,
            "detail": self.detail,
        }


class Timeline:
    """The records of a World's facts (person indexes become ids), for traces and live drills."""

    __slots__ = ("_ids", "records")

    def __init__(self, people_ids: list[str]) -> None:
        self.records: list[Record] = []
        self._ids = people_ids

    def update(self, facts: list[Fact]) -> list[Record]:
        """Add the facts logged since the last call; returns every record so far."""
        ids, records = self._ids, self.records
        for time, number, _, kind, who, subject, reason in facts[len(records) :]:
            person = ids[who] if who is not None else None
            records.append(Record(time, number, kind, person, subject or None, reason))
        return records
