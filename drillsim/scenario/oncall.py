"""Who is on call when: a schedule evaluated in calendar time, and its handover timeline.

This is where local time and daylight saving are handled (through zoneinfo). A layer's turns
advance in its local wall-clock time: turn k begins at the local date and time ``start + k × turn``,
so a weekly or daily handover keeps its local time of day all year (the turn that spans a
daylight-saving change is an hour shorter or longer). A local time that does not exist on a day the
clocks go forward is read with the offset before the change (02:30 becomes 03:30); a local time that
happens twice when they go back means its first occurrence.

:func:`timeline` gives the instants at which who is on call can change, with who is on call from
each one; the engine turns it into minutes and searches it, so that a page never converts a time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from drillsim.scenario.organisation import Organisation, Rotation
from drillsim.scenario.schedules import Layer, Schedule
from drillsim.scenario.weekly import WEEKDAYS, WeeklyWindow, zone

END_OF_DAY = dt.time.max  # how "24:00" is held


@dataclass(frozen=True)
class OnCall:
    """Who is on call at some moment: the schedule's person (None: a gap) and its shadows."""

    person: str | None
    alongside: tuple[str, ...] = ()

    @property
    def paged(self) -> tuple[str, ...]:
        """Everyone a page to the schedule reaches at that moment, the on-call person first."""
        return ((self.person,) if self.person else ()) + self.alongside


@dataclass(frozen=True)
class Handover:
    """From ``at`` (an aware instant) until the next handover, ``on_call`` holds."""

    at: dt.datetime
    on_call: OnCall


def aware(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``moment`` as an instant in UTC: a time without an offset is local to ``tz``. Every instant here
    is held in UTC: Python compares and subtracts two times of the same zone by their wall clocks,
    which is wrong across a daylight-saving change."""
    return (moment.replace(tzinfo=tz) if moment.tzinfo is None else moment).astimezone(dt.UTC)


class LayerClock:
    """One layer of a schedule in calendar time (without the schedule's overrides; with the
    overrides aimed at this layer)."""

    def __init__(self, layer_id: str, layer: Layer, schedule: Schedule, default_zone: str) -> None:
        self.id, self.layer = layer_id, layer
        self.zone = zone(layer.timezone or schedule.timezone or default_zone)
        self.start = aware(layer.start, self.zone)
        # from when the layer has anyone on call: ``start``, unless ``active_from`` says otherwise (the
        # turns still count from ``start``, so before it they continue the cycle backwards)
        self.active = aware(layer.active_from, self.zone) if layer.active_from is not None else self.start
        self.end = aware(layer.end, self.zone) if layer.end is not None else None
        self._local_start = self.start.astimezone(self.zone).replace(tzinfo=None)
        self._turn = dt.timedelta(minutes=layer.turn)
        schedule_zone = zone(schedule.timezone or default_zone)
        self.overrides = [
            (aware(o.start, schedule_zone), aware(o.end, schedule_zone), o.person)
            for o in schedule.overrides
            if o.layer == layer_id
        ]

    def handover(self, turn: int) -> dt.datetime:
        """When turn ``turn`` begins (turn 0 at ``start``), at its local wall-clock time (in UTC)."""
        return aware(self._local_start + turn * self._turn, self.zone)

    def turn_at(self, moment: dt.datetime) -> int:
        """The turn running at ``moment`` (negative before ``start``)."""
        turn = math.floor((moment - self.start) / self._turn)
        while self.handover(turn + 1) <= moment:
            turn += 1
        while self.handover(turn) > moment:
            turn -= 1
        return turn

    def restricted_out(self, moment: dt.datetime) -> bool:
        """Whether the layer's restrictions leave ``moment`` uncovered."""
        if not self.layer.restrictions:
            return False
        local = moment.astimezone(self.zone)
        return not any(window.contains(local) for window in self.layer.restrictions)

    def person_at(self, moment: dt.datetime) -> str | None:
        """Who the layer has on call at ``moment``: an override aimed at it, else its rotation's member
        (None before it starts (or is active), after it ends, or outside its restrictions)."""
        for start, end, person in reversed(self.overrides):  # the last one listed wins
            if start <= moment < end:
                return person
        if (
            moment < self.active
            or (self.end is not None and moment >= self.end)
            or self.restricted_out(moment)
        ):
            return None
        members = self.layer.members
        return members[self.turn_at(moment) % len(members)]

    def roster(self) -> tuple[str, ...]:
        """The people taking turns in this layer (whether or not a run ever reaches their turn)."""
        return tuple(self.layer.members)

    def changes(self, first: dt.datetime, last: dt.datetime) -> set[dt.datetime]:
        """Every instant in [first, last] at which this layer's person can change."""
        found = {self.active, *(moment for start, end, _ in self.overrides for moment in (start, end))}
        if self.end is not None:
            found.add(self.end)
        turn = self.turn_at(max(first, self.active))
        while (moment := self.handover(turn)) <= last:
            found.add(moment)
            turn += 1
        found |= _window_edges(self.layer.restrictions, self.zone, first, last)
        return {moment for moment in found if first <= moment <= last}


def _window_edges(
    windows: Sequence[WeeklyWindow], tz: ZoneInfo, first: dt.datetime, last: dt.datetime
) -> set[dt.datetime]:
    """The instants where weekly windows open and close between ``first`` and ``last`` (a day of
    margin either side, in ``tz``'s local dates)."""
    found: set[dt.datetime] = set()
    day = first.astimezone(tz).date() - dt.timedelta(days=1)
    while day <= last.astimezone(tz).date() + dt.timedelta(days=1):
        for window in windows:
            if WEEKDAYS[day.weekday()] not in window.days:
                continue
            start, end = window.start, window.end
            found.add(_local(day, start, tz))
            found.add(
                _local(
                    day + dt.timedelta(days=1) if end <= start or end == END_OF_DAY else day,
                    dt.time(0) if end == END_OF_DAY else end,
                    tz,
                )
            )
        day += dt.timedelta(days=1)
    return found


def _local(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return aware(dt.datetime.combine(day, time), tz)


class ScheduleClock:
    """A schedule in calendar time: each layer's person, the overrides, and who the schedule has on call."""

    def __init__(self, schedule: Schedule, default_zone: str) -> None:
        self.schedule = schedule
        self.zone = zone(schedule.timezone or default_zone)
        self.layers = {
            lid: LayerClock(lid, layer, schedule, default_zone) for lid, layer in schedule.layers.items()
        }
        self.overrides = [
            (aware(o.start, self.zone), aware(o.end, self.zone), o.person)
            for o in schedule.overrides
            if o.layer is None
        ]

    def roster(self) -> tuple[str, ...]:
        """The people taking turns in the schedule's layers (whether or not a run reaches their turn)."""
        return tuple(dict.fromkeys(p for layer in self.layers.values() for p in layer.roster()))

    def on_call(self, moment: dt.datetime) -> OnCall:
        """Who the schedule has on call at ``moment``: an override over the whole schedule, else the
        highest layer with someone; with the people of ``alongside`` layers as shadows."""
        person = next((p for start, end, p in reversed(self.overrides) if start <= moment < end), None)
        shadows: list[str] = []
        for lid, clock in reversed(self.layers.items()):
            who = clock.person_at(moment)
            if who is None:
                continue
            if self.schedule.layers[lid].alongside:
                shadows.append(who)
            elif person is None:
                person = who
        alongside = tuple(dict.fromkeys(s for s in reversed(shadows) if s != person))
        return OnCall(person, alongside)

    def changes(self, first: dt.datetime, last: dt.datetime) -> set[dt.datetime]:
        """Every instant in [first, last] at which who is on call can change."""
        found = {moment for clock in self.layers.values() for moment in clock.changes(first, last)}
        found |= {
            moment for start, end, _ in self.overrides for moment in (start, end) if first <= moment <= last
        }
        return found


def timeline(clock: ScheduleClock | LayerClock, first: dt.datetime, last: dt.datetime) -> list[Handover]:
    """Who is on call from ``first`` to ``last``: a Handover at ``first`` and at every change after it,
    consecutive equal ones merged. For a LayerClock, the layer's person (with its own overrides)."""
    moments = sorted({first, *clock.changes(first, last)})
    found: list[Handover] = []
    for moment in moments:
        on_call = (
            clock.on_call(moment) if isinstance(clock, ScheduleClock) else OnCall(clock.person_at(moment))
        )
        if not found or found[-1].on_call != on_call:
            found.append(Handover(moment, on_call))
    return found


def rotation_schedule(team: str, rotation: Rotation, not_after: dt.datetime) -> Schedule:
    """A team's ``on_call`` rotation as the one-layer schedule it is: fixed-length shifts counted from
    its start instant (a layer in UTC, where wall-clock and elapsed time agree). The rotation has no
    beginning: turns before ``start`` continue the same cycle, so the layer is moved back whole
    cycles to begin no later than ``not_after``."""
    cycle = dt.timedelta(minutes=rotation.shift * len(rotation.members))
    start = rotation.start
    if start > not_after:
        start -= cycle * math.ceil((start - not_after) / cycle)
    layer = Layer(members=rotation.members, turn=rotation.shift, start=start, timezone="UTC")
    return Schedule(title=f"team {team} on-call rotation", timezone="UTC", layers={team: layer})


def schedule_clocks(org: Organisation, not_after: dt.datetime) -> dict[str, ScheduleClock]:
    """Every schedule of the organisation by id, and every team rotation as ``team:ID``."""
    clocks = {sid: ScheduleClock(schedule, org.timezone) for sid, schedule in org.schedules.items()}
    for tid, team in org.teams.items():
        if team.on_call is not None:
            clocks[f"team:{tid}"] = ScheduleClock(
                rotation_schedule(tid, team.on_call, not_after), org.timezone
            )
    return clocks
