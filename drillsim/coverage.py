"""On-call coverage before any incident: the typical week of every escalation level, and the on-call
load per person. Rendered by :mod:`drillsim.report.coverage` (terminal) and the readiness report;
the acknowledgement heatmap, which needs simulation, is :mod:`drillsim.experiments.coverage`.

Pure analysis of a scenario's organisation in calendar time, built on the handover timelines of
:mod:`drillsim.scenario.oncall` and :class:`drillsim.scenario.coverage.LevelCalendar`: nothing is
simulated, nobody's reachability or acknowledgement delay is used.

**The window.** The grid is measured over whole weeks from the scenario's start: the run (start to
horizon) rounded up to whole weeks, so that every hour of the week is counted equally often and a
run shorter than a week still fills the week. Each cell is a share of the time that falls in that
hour of the week (in the time zone asked), so an hour a daylight-saving change removes has no time
in a one-week window, and its share is None.

**A level's state** at a moment: a *gap* when it pages nobody (every target asks a schedule or
rotation with nobody on call); *off duty* when it pages someone but every person it may page is off
duty — not on call in any schedule or team rotation and outside their working hours, as the
simulator reads reachability (someone never on call in the window and without working hours is
always on duty). A ``round_robin`` target counts as off duty only when every member of the team is.

**Load** counts, per schedule and team rotation, the hours each person is its on-call person and,
separately, the hours they shadow it (an ``alongside`` layer). Each is averaged over whole cycles of
that schedule from the scenario's start (a cycle: every layer's turn × members, and a week when a
layer is restricted to days or hours), enough of them to cover the grid's window, so a two-person
weekly rotation gives 84 h a week each however long the run. A schedule whose cycle would exceed a
year is averaged over the grid's window instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from drillsim.scenario.coverage import LevelCalendar, clock_key
from drillsim.scenario.model import Scenario
from drillsim.scenario.oncall import ScheduleClock, aware, schedule_clocks, timeline
from drillsim.scenario.organisation import Level, Organisation, WorkingHours, people_for, select_policy
from drillsim.scenario.schedules import Layer, Restriction, Schedule
from drillsim.scenario.weekly import WEEKDAYS, zone

WEEK = dt.timedelta(days=7)
HOUR = dt.timedelta(hours=1)
LONGEST_CYCLE = 52 * WEEK  # beyond it, load is averaged over the grid's window
Grid = list[list[float | None]]  # 7 days (Monday first) × 24 hours


@dataclass(frozen=True)
class LevelWeek:
    """One escalation level's typical week: per hour of the week, the share of the hour it pages
    nobody (``gap``) and the share it pages only people off duty (``off_duty``); the two are parts of
    the same hour, so they add up to at most 1. Hours per week are averages over the window."""

    level: int  # 1-based
    timeout: float  # minutes
    targets: tuple[str, ...]  # as written: "schedule soc", "role safety-lead"
    gap: Grid
    off_duty: Grid
    gap_hours: float
    off_duty_hours: float

    @property
    def uncovered(self) -> bool:
        """Whether some hour of the week has a gap or only people off duty."""
        return self.gap_hours > 0 or self.off_duty_hours > 0


@dataclass(frozen=True)
class PolicyWeek:
    """A policy's levels, and the incident kinds of the scenario it serves (none: it serves others)."""

    policy: str
    title: str | None
    serves: tuple[str, ...]
    levels: tuple[LevelWeek, ...]


@dataclass(frozen=True)
class ScheduleLoad:
    """A person's hours per week on one schedule (or ``team:ID`` rotation), averaged over ``weeks``."""

    schedule: str
    on_call: float
    shadow: float
    weeks: float


@dataclass(frozen=True)
class PersonLoad:
    """A person's on-call hours per week over every schedule and team rotation, and shadow hours."""

    person: str
    name: str
    on_call: float
    shadow: float
    schedules: tuple[ScheduleLoad, ...]


@dataclass(frozen=True)
class CoverageReport:
    """Everything :func:`analyse_coverage` finds. Policies in file order; load busiest first."""

    scenario: str
    organisation: str
    timezone: str
    first: dt.datetime
    last: dt.datetime
    policies: tuple[PolicyWeek, ...]
    load: tuple[PersonLoad, ...]

    @property
    def weeks(self) -> int:
        return round((self.last - self.first) / WEEK)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values; shares to 4 decimals, hours to 2 (None: no time in that hour)."""
        return {
            "scenario": self.scenario,
            "organisation": self.organisation,
            "timezone": self.timezone,
            "window": {"start": iso_utc(self.first), "end": iso_utc(self.last), "weeks": self.weeks},
            "days": list(WEEKDAYS),
            "policies": [
                {
                    "policy": p.policy,
                    "title": p.title,
                    "serves": list(p.serves),
                    "levels": [
                        {
                            "level": lv.level,
                            "timeout": lv.timeout,
                            "targets": list(lv.targets),
                            "gap_hours_per_week": round(lv.gap_hours, 2),
                            "off_duty_hours_per_week": round(lv.off_duty_hours, 2),
                            "gap": _rounded(lv.gap),
                            "off_duty": _rounded(lv.off_duty),
                        }
                        for lv in p.levels
                    ],
                }
                for p in self.policies
            ],
            "load": [
                {
                    "person": person.person,
                    "name": person.name,
                    "on_call_hours_per_week": round(person.on_call, 2),
                    "shadow_hours_per_week": round(person.shadow, 2),
                    "schedules": {
                        s.schedule: {
                            "on_call": round(s.on_call, 2),
                            "shadow": round(s.shadow, 2),
                            "weeks": round(s.weeks, 2),
                        }
                        for s in person.schedules
                    },
                }
                for person in self.load
            ],
        }


def has_schedules(org: Organisation) -> bool:
    """Whether the organisation has schedules or team rotations (without, every level pages the same
    people at every hour and coverage has nothing to say beyond working hours)."""
    return bool(org.schedules) or any(team.on_call for team in org.teams.values())


def window(scenario: Scenario) -> tuple[dt.datetime, dt.datetime]:
    """The grid's window: from the scenario's start, its run rounded up to whole weeks (at least one)."""
    first = scenario.start.astimezone(dt.UTC)
    weeks = max(1, math.ceil(dt.timedelta(minutes=scenario.run_length) / WEEK - 1e-9))
    return first, first + weeks * WEEK


def analyse_coverage(scenario: Scenario, timezone: str | None = None) -> CoverageReport:
    """The typical week of every level of every policy, in ``timezone`` (an IANA name, already
    checked; default the organisation's), and the load per person."""
    org = scenario.organisation
    tz_name = timezone or org.timezone
    week = duty_week(scenario, tz_name)
    policies = tuple(
        PolicyWeek(
            pid,
            policy.title,
            tuple(
                kid
                for kid, kind in scenario.incidents.items()
                if select_policy(org, kid, kind.severity, kind.risk_area)[0] == pid
            ),
            tuple(week.level(i + 1, level) for i, level in enumerate(policy.levels)),
        )
        for pid, policy in org.escalation.items()
    )
    first, last = week.first, week.last
    return CoverageReport(
        scenario.id, org.id, tz_name, first, last, policies, _load(org, week.calendar.clocks, first, last)
    )


def duty_week(scenario: Scenario, timezone: str | None = None) -> DutyWeek:
    """Who is on duty and who each level pages over the coverage window (:func:`window`), in
    ``timezone`` (default: the organisation's)."""
    org = scenario.organisation
    first, last = window(scenario)
    calendar = LevelCalendar(org, schedule_clocks(org, first), first, last)
    return DutyWeek(org, calendar, zone(timezone or org.timezone), first, last)


def on_call_load(scenario: Scenario) -> tuple[PersonLoad, ...]:
    """Each person's on-call and shadow hours a week over every schedule and team rotation, busiest
    first (the load of :func:`analyse_coverage`, without the week grid)."""
    org = scenario.organisation
    first, last = window(scenario)
    return _load(org, schedule_clocks(org, first), first, last)


def page_times(start: dt.datetime, tz: ZoneInfo) -> list[list[dt.datetime | None]]:
    """For each hour of the week (Monday first, in ``tz``), the first instant at least ``start`` at
    the middle of that local hour (HH:30): within a week of ``start``, or None for an hour a
    daylight-saving change skips that week. An hour that happens twice means its first occurrence."""
    found: list[list[dt.datetime | None]] = [[None] * 24 for _ in WEEKDAYS]
    day = start.astimezone(tz).date()
    for offset in range(8):
        date = day + dt.timedelta(days=offset)
        for hour in range(24):
            local = dt.datetime.combine(date, dt.time(hour, 30))
            instant = aware(local, tz)
            exists = instant.astimezone(tz).replace(tzinfo=None) == local
            if exists and start <= instant < start + WEEK and found[date.weekday()][hour] is None:
                found[date.weekday()][hour] = instant
    return found


# ── The typical week ─────────────────────────────────────────────────────────────────────────────────


class DutyWeek:
    """Who is on duty and who each level pages, segment by segment over [first, last]: between two
    consecutive change points (a handover, a working-hours edge, a local hour) nothing changes.
    ``spans`` gives each segment's length in hours with the people on duty in it; ``paged`` who a
    level pages at a moment."""

    def __init__(
        self, org: Organisation, calendar: LevelCalendar, tz: ZoneInfo, first: dt.datetime, last: dt.datetime
    ) -> None:
        self.org, self.calendar, self.tz = org, calendar, tz
        self.first, self.last = first, last
        self._always_paged: dict[int, frozenset[str]] = {}  # by id(level): who it pages at any hour
        self.duty_keys = list(calendar.clocks)  # schedules and team rotations: on call there is on duty
        hours = {
            f"hours:{pid}": ScheduleClock(_hours_schedule(person.working_hours, first, last), org.timezone)
            for pid, person in org.people.items()
            if person.working_hours is not None and person.working_hours.start != person.working_hours.end
        }
        self.hours = LevelCalendar(org, hours, first, last)
        self.with_hours = {pid for pid, p in org.people.items() if p.working_hours is not None}
        self.scheduled = {
            pid for key in self.duty_keys for h in calendar.handovers(key) for pid in h.on_call.paged
        }
        layer_keys = {
            key
            for policy in org.escalation.values()
            for level in policy.levels
            for target in level.targets
            if (key := clock_key(target)) is not None and "/" in key
        }
        moments = {first, *_hour_starts(tz, first, last)}
        moments |= {h.at for key in [*self.duty_keys, *layer_keys] for h in calendar.handovers(key)}
        moments |= {h.at for key in hours for h in self.hours.handovers(key)}
        ordered = sorted(m for m in moments if first <= m < last)
        self.segments = list(zip(ordered, [*ordered[1:], last], strict=True))
        self.cells = [self._cell(start) for start, _ in self.segments]
        self.exposure = _zero_grid()
        for (start, end), (day, hour) in zip(self.segments, self.cells, strict=True):
            self.exposure[day][hour] += (end - start) / HOUR
        self.weeks = (last - first) / WEEK
        self._always = frozenset(org.people) - self.scheduled - self.with_hours
        self._on_duty = [self._duty_at(start) for start, _ in self.segments]

    def _cell(self, moment: dt.datetime) -> tuple[int, int]:
        local = moment.astimezone(self.tz)
        return local.weekday(), local.hour

    def _duty_at(self, moment: dt.datetime) -> frozenset[str]:
        """Everyone on duty at ``moment`` (whom a page reaches with their on-duty chance)."""
        on_call = {pid for key in self.duty_keys for pid in self.calendar.on_call(key, moment)}
        in_hours = {key.split(":", 1)[1] for key in self.hours.clocks if self.hours.on_call(key, moment)}
        return self._always | on_call | in_hours

    def level(self, number: int, level: Level) -> LevelWeek:
        """The level's gaps and off-duty hours, cell by cell. It may page whoever its schedule targets
        have on call, and everyone its other targets name (every member of a round-robin team)."""
        gap, off_duty = _zero_grid(), _zero_grid()
        for (start, end), (day, hour), on_duty in zip(self.segments, self.cells, self._on_duty, strict=True):
            paged = self.paged(level, start)
            if not paged:
                gap[day][hour] += (end - start) / HOUR
            elif on_duty.isdisjoint(paged):
                off_duty[day][hour] += (end - start) / HOUR
        return LevelWeek(
            number,
            level.timeout,
            tuple(f"{t.wrapper_key} {getattr(t, t.scalar_field)}" for t in level.targets),
            self._shares(gap),
            self._shares(off_duty),
            sum(map(sum, gap)) / self.weeks,
            sum(map(sum, off_duty)) / self.weeks,
        )

    def paged(self, level: Level, moment: dt.datetime) -> frozenset[str]:
        """Everyone the level may page at ``moment``: whoever its schedule targets have on call (and
        their shadows), and everyone its other targets name (every member of a round-robin team)."""
        if id(level) not in self._always_paged:
            self._always_paged[id(level)] = frozenset(
                p for t in level.targets if clock_key(t) is None for p in people_for(self.org, t)
            )
        found = set(self._always_paged[id(level)])
        for target in level.targets:
            if (key := clock_key(target)) is not None:
                found.update(self.calendar.on_call(key, moment))
        return frozenset(found)

    @property
    def spans(self) -> list[tuple[dt.datetime, float, frozenset[str]]]:
        """Each segment's start, its length in hours, and everyone on duty in it."""
        return [
            (start, (end - start) / HOUR, on_duty)
            for (start, end), on_duty in zip(self.segments, self._on_duty, strict=True)
        ]

    def _shares(self, hours: list[list[float]]) -> Grid:
        return [
            [hours[d][h] / self.exposure[d][h] if self.exposure[d][h] > 0 else None for h in range(24)]
            for d in range(7)
        ]


def _hours_schedule(hours: WorkingHours, first: dt.datetime, last: dt.datetime) -> Schedule:
    """Working hours as what they are in calendar time: a one-person layer restricted to those
    hours, with one turn longer than the window (so its timeline is when the person is at work)."""
    layer = Layer(
        members=["at-work"],
        turn=(last - first + WEEK) / dt.timedelta(minutes=1),
        start=first - WEEK,
        # built from validated working hours: the times are already parsed, so no validation again
        restrictions=[Restriction.model_construct(days=hours.days, start=hours.start, end=hours.end)],
        timezone=hours.timezone,
    )
    return Schedule(layers={"hours": layer})


def _hour_starts(tz: ZoneInfo, first: dt.datetime, last: dt.datetime) -> set[dt.datetime]:
    """Every instant a local hour of ``tz`` begins, from a day before ``first`` to a day after ``last``."""
    day, end = first.astimezone(tz).date() - dt.timedelta(days=1), last.astimezone(tz).date()
    found: set[dt.datetime] = set()
    while day <= end + dt.timedelta(days=1):
        found.update(aware(dt.datetime.combine(day, dt.time(hour)), tz) for hour in range(24))
        day += dt.timedelta(days=1)
    return found


def _zero_grid() -> list[list[float]]:
    return [[0.0] * 24 for _ in WEEKDAYS]


# ── Load ─────────────────────────────────────────────────────────────────────────────────────────────


def cycle(clock: ScheduleClock) -> dt.timedelta:
    """How long a schedule takes to come round: the least common multiple of its layers' turn ×
    members (whole minutes), and of a week when a layer is restricted."""
    minutes = [round(layer.turn * len(layer.members)) for layer in clock.schedule.layers.values()]
    if any(layer.restrictions for layer in clock.schedule.layers.values()):
        minutes.append(round(WEEK / dt.timedelta(minutes=1)))
    return dt.timedelta(minutes=math.lcm(*(max(m, 1) for m in minutes)))


def _load(
    org: Organisation, clocks: dict[str, ScheduleClock], first: dt.datetime, last: dt.datetime
) -> tuple[PersonLoad, ...]:
    """Per person, hours per week on call and shadowing, per schedule and in all; busiest first."""
    found: dict[str, list[ScheduleLoad]] = {}
    for key, clock in clocks.items():
        length = cycle(clock)
        span = length * math.ceil((last - first) / length) if length <= LONGEST_CYCLE else last - first
        on_call: dict[str, float] = {}
        shadow: dict[str, float] = {}
        handovers = timeline(clock, first, first + span)
        for handover, end in zip(handovers, [*(h.at for h in handovers[1:]), first + span], strict=True):
            hours = (end - handover.at) / HOUR
            if handover.on_call.person is not None:
                on_call[handover.on_call.person] = on_call.get(handover.on_call.person, 0.0) + hours
            for pid in handover.on_call.alongside:
                shadow[pid] = shadow.get(pid, 0.0) + hours
        weeks = span / WEEK
        for pid in dict.fromkeys([*on_call, *shadow]):
            found.setdefault(pid, []).append(
                ScheduleLoad(key, on_call.get(pid, 0.0) / weeks, shadow.get(pid, 0.0) / weeks, weeks)
            )
    loads = [
        PersonLoad(
            pid,
            org.people[pid].name,
            sum(s.on_call for s in entries),
            sum(s.shadow for s in entries),
            tuple(entries),
        )
        for pid, entries in found.items()
    ]
    return tuple(sorted(loads, key=lambda p: (-p.on_call, -p.shadow, p.person)))


def iso_utc(moment: dt.datetime) -> str:
    """An instant as UTC ISO text, ``2026-09-16T16:20:00Z``."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _rounded(grid: Iterable[Iterable[float | None]]) -> list[list[float | None]]:
    return [[round(v, 4) if v is not None else None for v in row] for row in grid]
