"""Synthetic incident histories with a known truth, written as PagerDuty API responses and as CSV.

The tutorial's escalation, played on a calendar: level 1 pages whoever the safety rotation has on
call; reached (with the on- or off-duty chance), they acknowledge after a lognormal delay; after
``timeout`` unacknowledged the incident escalates to Ben; it is resolved an hour after it began.
The JSON uses only fields of PagerDuty's OpenAPI description (see tests/history/README.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from paths import SCENARIOS

from drillsim.calibration.fitting import ON, Sample
from drillsim.calibration.history import DutyCalendar
from drillsim.scenario.distributions import Z95
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.model import Scenario
from drillsim.scenario.oncall import schedule_clocks

TUTORIAL = SCENARIOS / "tutorial.yaml"
FIRST = dt.datetime(2026, 1, 12, tzinfo=dt.UTC)
NOTIFY_ENTRY = {  # one PagerDuty log entry (NotifyLogEntry), to vary in tests
    "id": "E1",
    "type": "notify_log_entry",
    "created_at": "2026-03-02T10:00:05Z",
    "user": {"id": "PCHEN01", "type": "user_reference", "summary": "Chen Li (Safety engineer)"},
    "incident": {"id": "P1", "type": "incident_reference"},
}


@dataclass(frozen=True)
class Truth:
    """The acknowledgement model the history is drawn from."""

    median: float = 3.0
    p95: float = 15.0
    reach_on: float = 0.9
    reach_off: float = 0.5
    timeout: float = 5.0  # minutes before level 1 escalates to level 2

    @property
    def sigma(self) -> float:
        return math.log(self.p95 / self.median) / Z95


@dataclass
class Event:
    """One thing that happened to an incident: a PagerDuty log entry type, when, who."""

    type: str
    at: dt.datetime
    user: str | None = None


@dataclass
class Incident:
    """An incident's events, in time order."""

    id: str
    start: dt.datetime
    events: list[Event] = field(default_factory=list)


def synthetic_history(seed: int, count: int, truth: Truth = Truth()) -> list[Incident]:
    """``count`` incidents at random times over ten weeks, played out as described above."""
    scenario = load_scenario(TUTORIAL)
    rng = np.random.default_rng(seed)
    starts = sorted(
        FIRST + dt.timedelta(minutes=float(m)) for m in rng.uniform(0, 10 * 7 * 1440, count).round()
    )
    calendar = DutyCalendar(scenario.organisation, starts)
    rotation = schedule_clocks(scenario.organisation, starts[0])["team:safety"]
    incidents = []
    for number, start in enumerate(starts):
        incident = Incident(f"PSYN{number:04d}", start, [Event("trigger_log_entry", start)])
        first = rotation.on_call(start).person
        assert first is not None
        plan = [(first, start, start + dt.timedelta(minutes=truth.timeout))]
        plan.append(("ben", plan[0][2], start + dt.timedelta(minutes=60)))
        for person, paged, ends in plan:
            if person == "ben":
                incident.events.append(Event("escalate_log_entry", paged, "ben"))
            incident.events.append(Event("notify_log_entry", paged, person))
            chance = truth.reach_on if calendar.duty(person, paged) == ON else truth.reach_off
            reached = rng.random() < chance
            delay = rng.lognormal(math.log(truth.median), truth.sigma)
            answered_at = paged + dt.timedelta(seconds=round(delay * 60))
            if reached and answered_at < ends:
                incident.events.append(Event("acknowledge_log_entry", answered_at, person))
                break
        incident.events.append(Event("resolve_log_entry", start + dt.timedelta(minutes=60)))
        incidents.append(incident)
    return incidents


def _user(person: str, scenario: Scenario) -> dict[str, str]:
    """A PagerDuty user reference: chen and ben by name (their ids are PagerDuty's), others by id."""
    name = scenario.organisation.people[person].name
    ids = {"chen": "PCHEN01", "ben": "PBEN001"}
    return {"id": ids.get(person, person), "type": "user_reference", "summary": name}


def write_pagerduty(incidents: list[Incident], folder: Path, per_page: int = 100) -> list[Path]:
    """The history as GET /incidents and GET /log_entries responses, ``per_page`` items a file, log
    entries newest first (as the API lists them)."""
    scenario = load_scenario(TUTORIAL)
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for incident in incidents:
        reference = {"id": incident.id, "type": "incident_reference", "summary": incident.id}
        for index, event in enumerate(incident.events):
            entry = {
                "id": f"{incident.id}E{index:02d}",
                "type": event.type,
                "created_at": event.at.isoformat().replace("+00:00", "Z"),
                "agent": {"id": "PSERVICE", "type": "service_reference", "summary": "monitor"},
                "channel": {"type": "api"},
                "incident": reference,
            }
            if event.type == "notify_log_entry" and event.user:
                entry["user"] = _user(event.user, scenario)
            if event.type == "acknowledge_log_entry" and event.user:
                entry["agent"] = _user(event.user, scenario)
            if event.type == "escalate_log_entry" and event.user:
                entry["assignees"] = [_user(event.user, scenario)]
            entries.append(entry)
    entries.sort(key=lambda e: e["created_at"], reverse=True)
    records = [
        {
            "id": i.id,
            "type": "incident",
            "created_at": i.start.isoformat(),
            "status": "resolved",
            "resolved_at": i.events[-1].at.isoformat(),
        }
        for i in incidents
    ]
    written = []
    for kind, items in (("incidents", records), ("log_entries", entries)):
        for offset in range(0, len(items), per_page):
            body = {
                kind: items[offset : offset + per_page],
                "limit": per_page,
                "offset": offset,
                "more": offset + per_page < len(items),
                "total": None,
            }
            path = folder / f"{kind}-{offset // per_page + 1}.json"
            path.write_text(json.dumps(body, indent=1))
            written.append(path)
    return written


def write_csv(incidents: list[Incident], path: Path) -> Path:
    """The history as the documented CSV: one row per page."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["incident", "person", "paged_at", "acknowledged_at", "escalated_at", "resolved_at"])
        for incident in incidents:
            resolved = incident.events[-1].at.isoformat()
            pages = [e for e in incident.events if e.type == "notify_log_entry"]
            escalation = next((e.at for e in incident.events if e.type == "escalate_log_entry"), None)
            ack = next((e for e in incident.events if e.type == "acknowledge_log_entry"), None)
            for page in pages:
                answered = ack.at.isoformat() if ack is not None and ack.user == page.user else ""
                escalated = escalation.isoformat() if escalation is not None and page.at < escalation else ""
                writer.writerow([incident.id, page.user, page.at.isoformat(), answered, escalated, resolved])
    return path


def synthetic_sample(seed: int, pages: int, truth: Truth = Truth(), off_share: float = 0.3) -> Sample:
    """Pages drawn straight from the model (no calendar): each off duty with chance ``off_share``,
    reached with its class's chance, answered after a lognormal delay unless it escalated first at
    ``truth.timeout`` (right-censored there)."""
    rng = np.random.default_rng(seed)
    duty = (rng.random(pages) < off_share).astype(np.int8)
    reach = np.where(duty == ON, truth.reach_on, truth.reach_off)
    delay = np.where(
        rng.random(pages) < reach, rng.lognormal(math.log(truth.median), truth.sigma, pages), np.inf
    )
    answered = delay <= truth.timeout
    return Sample.build(np.minimum(delay, truth.timeout), answered, duty)
