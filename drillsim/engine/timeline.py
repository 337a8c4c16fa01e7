"""Timeline records: the facts a replication (or a live drill) emits, in time order.

Everything else — metrics, scores, the drill console, reports, the journal — derives from these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillsim.engine.world import Incident

# What happened. `who` is a person id where one is involved; `detail` says which level, task,
# source, authority, milestone or clock.
OCCURRED = "occurred"
DETECTED = "detected"  # detail: the source that fired, or "fallback"
PAGED = "paged"  # who; detail: why ("level 2", "task triage", "authority halt-deployment")
ESCALATED = "escalated"  # detail: the level now paged, after a timeout
EXHAUSTED = "exhausted"  # every level and repeat ran out without an acknowledgement
ACKNOWLEDGED = "acknowledged"  # who: first acknowledgement of the incident's escalation
ENGAGED = "engaged"  # who joined the response (acknowledged a page for this incident)
TASK_READY = "task_ready"  # detail: task id; predecessors done
TASK_STARTED = "task_started"
TASK_DONE = "task_done"
DECISION_NEEDED = "decision_needed"  # detail: authority id
DECISION = "decision"  # who took it; detail: authority id
MILESTONE = "milestone"  # detail: contained | resolved
NOTIFIED = "notified"  # detail: REGIME/CLOCK


class Record:
    """One fact: at ``time`` (minutes), for incident number ``incident``, ``kind`` happened."""

    __slots__ = ("time", "incident", "kind", "who", "detail")

    def __init__(self, time: float, incident: int, kind: str, who: str | None = None, detail: str | None = None):
        self.time, self.incident, self.kind, self.who, self.detail = time, incident, kind, who, detail

    def as_dict(self) -> dict[str, object]:
        return {"time": self.time, "incident": self.incident, "kind": self.kind, "who": self.who, "detail": self.detail}

    def __repr__(self) -> str:
        return f"Record({self.time:.3f}, #{self.incident}, {self.kind}, {self.who}, {self.detail})"


# A fact as the World logs it: (time, incident, kind, person index or None, detail or None).
Fact = tuple[float, "Incident", str, "int | None", "str | None"]


class Timeline:
    """The records of a World's facts (person indexes become ids), for traces and live drills."""

    __slots__ = ("records", "_ids")

    def __init__(self, people_ids: list[str]) -> None:
        self.records: list[Record] = []
        self._ids = people_ids

    def update(self, facts: list[Fact]) -> list[Record]:
        """Add the facts logged since the last call; returns every record so far."""
        ids, records = self._ids, self.records
        for time, incident, kind, who, detail in facts[len(records):]:
            records.append(Record(time, incident.number, kind, ids[who] if who is not None else None, detail))
        return records
