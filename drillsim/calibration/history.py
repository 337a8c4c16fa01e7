"""Pages from an incident history: what every reader produces, and what they share.

A **page** is one person asked to acknowledge one incident: it starts when they are first notified
and ends either with their acknowledgement (answered) or, right-censored, when it stopped waiting
for them — the incident escalated away from them, someone else acknowledged it, it was resolved, or
the history ends. Readers (``pagerduty``, ``csvhistory``) turn files into pages in calendar time;
``duty`` says whether each page found its person on duty, by the scenario's schedules, rotations and
working hours at that instant.

Readers check everything before anything is fitted or written: a file that cannot be read whole
raises ``HistoryError`` naming the file and the row or JSON path. People the scenario does not know
are not an error: they are listed (``Unmatched``), with where they were first seen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from drillsim.calibration.fitting import OFF, ON
from drillsim.scenario.oncall import ScheduleClock, schedule_clocks
from drillsim.scenario.organisation import Organisation
from drillsim.scenario.weekly import zone


class HistoryError(Exception):
    """An incident history cannot be read; the message names the file and the row or JSON path, and
    says what was expected."""


@dataclass(frozen=True)
class Page:
    """One page to one of the scenario's people: ``minutes`` from the page to its end, ``answered``
    when that end was their acknowledgement, the duty class (``fitting.ON``, ``OFF`` or ``REACHED``)
    and where it was read (for messages)."""

    person: str
    minutes: float
    answered: bool
    duty: int
    where: str


@dataclass(frozen=True)
class Paged:
    """A page read from a history, in calendar time, before its duty class is known."""

    person: str
    at: dt.datetime
    minutes: float
    answered: bool
    where: str


def classify(org: Organisation, paged: list[Paged]) -> list[Page]:
    """The pages with their duty classes, by the organisation's schedules and working hours. A page
    watched for no time at all (it ended the moment it began, unanswered) says nothing and is left
    out."""
    calendar = DutyCalendar(org, (p.at for p in paged))
    return [
        Page(p.person, p.minutes, p.answered, calendar.duty(p.person, p.at), p.where)
        for p in paged
        if p.answered or p.minutes > 0
    ]


@dataclass(frozen=True)
class Unmatched:
    """Someone paged in the history who is none of the scenario's people: how they were named, where
    they were first seen, and how many of their pages were left out."""

    who: str
    where: str
    pages: int


@dataclass
class History:
    """Pages read from one kind of source, the people who were not matched, warnings (what may be
    missing) and notes (what was read and not used)."""

    described: str  # what was read, for people: "PagerDuty (3 files)", "2 recorded drill(s)"
    pages: list[Page] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_instant(text: object, where: str) -> dt.datetime:
    """An ISO 8601 time with a UTC offset (``2026-03-10T09:15:00+00:00``, or ``Z``), as an aware
    datetime; HistoryError naming ``where`` otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise HistoryError(f"{where}: expected an ISO 8601 time with a UTC offset, got {text!r}")
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise HistoryError(
            f"{where}: {text!r} is not an ISO 8601 time (expected e.g. 2026-03-10T09:15:00+00:00)"
        ) from None
    if moment.tzinfo is None:
        raise HistoryError(
            f"{where}: {text!r} has no UTC offset, so the instant is unknown (expected e.g. "
            f"{text.strip()}+00:00 or {text.strip()}Z)"
        )
    return moment.astimezone(dt.UTC)


def _folded(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


class People:
    """Matches people named in a history to the scenario's: by id (exactly, then ignoring case), then
    by name (ignoring case and spacing) when exactly one person has it. Counts the misses."""

    def __init__(self, org: Organisation) -> None:
        self.ids = set(org.people)
        self.lower: dict[str, list[str]] = {}
        self.names: dict[str, list[str]] = {}
        for pid, person in org.people.items():
            self.lower.setdefault(pid.casefold(), []).append(pid)
            self.names.setdefault(_folded(person.name), []).append(pid)
        self._missed: dict[str, tuple[str, int]] = {}

    def match(self, key: str, name: str | None = None) -> str | None:
        """The scenario person for history id ``key`` (and display name ``name``), or None."""
        if key in self.ids:
            return key
        for table, text in ((self.lower, key.casefold()), (self.names, _folded(name or ""))):
            found = table.get(text, [])
            if len(found) == 1:
                return found[0]
        return None

    def missed(self, who: str, where: str) -> None:
        """Note a page to someone unmatched (``who`` as the history names them), first seen at ``where``."""
        first, count = self._missed.get(who, (where, 0))
        self._missed[who] = (first, count + 1)

    def unmatched(self) -> list[Unmatched]:
        return [Unmatched(who, where, count) for who, (where, count) in self._missed.items()]


class DutyCalendar:
    """Whether a person was on duty at a calendar instant, as the engine decides it (see
    ``engine.model.PersonModel.on_duty``): on call then in one of the organisation's schedules or team
    rotations (shadows included), or inside their working hours in their time zone; someone with
    neither is always on duty. The scenario's schedules are taken to be the ones that were in force."""

    def __init__(self, org: Organisation, moments: Iterable[dt.datetime]) -> None:
        self.org = org
        earliest = min(moments, default=dt.datetime.now(dt.UTC))
        clocks = schedule_clocks(org, earliest)
        self.clocks: dict[str, list[ScheduleClock]] = {
            pid: [c for c in clocks.values() if pid in c.schedule.people()] for pid in org.people
        }

    def duty(self, person: str, moment: dt.datetime) -> int:
        """ON or OFF (``fitting``'s duty classes)."""
        hours = self.org.people[person].working_hours
        clocks = self.clocks[person]
        if hours is None and not clocks:
            return ON
        if hours is not None and hours.contains(moment.astimezone(zone(hours.timezone or self.org.timezone))):
            return ON
        return ON if any(person in clock.on_call(moment).paged for clock in clocks) else OFF
