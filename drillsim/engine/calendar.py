"""Who is on duty when: rotations and working hours, evaluated at scenario minutes.

Scenario minute ``t`` is the calendar instant ``start + t``; working hours are read in the person's
time zone (daylight-saving changes included, through zoneinfo).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from drillsim.scenario.organisation import WEEKDAYS, Rotation, WorkingHours


class RotationClock:
    """Which member of a rotation is on call at a scenario minute."""

    __slots__ = ("members", "offset", "shift")

    def __init__(self, rotation: Rotation, members: list[int], scenario_start: dt.datetime) -> None:
        self.members = members
        self.shift = rotation.shift
        self.offset = (scenario_start - rotation.start).total_seconds() / 60.0

    def on_call(self, t: float) -> int:
        turn = int((self.offset + t) // self.shift)
        return self.members[turn % len(self.members)]


class HoursClock:
    """Whether a scenario minute falls inside a person's working hours."""

    __slots__ = ("begin", "days", "end", "start", "zone")

    def __init__(self, hours: WorkingHours, default_zone: str, scenario_start: dt.datetime) -> None:
        self.start = scenario_start
        self.zone = ZoneInfo(hours.timezone or default_zone)
        self.days = frozenset(WEEKDAYS.index(d) for d in hours.days)
        self.begin, self.end = hours.start, hours.end

    def on_duty(self, t: float) -> bool:
        local = (self.start + dt.timedelta(minutes=t)).astimezone(self.zone)
        now = local.time()
        if self.begin <= self.end:
            return local.weekday() in self.days and self.begin <= now < self.end
        if now >= self.begin:  # a shift that spans midnight belongs to the day it starts
            return local.weekday() in self.days
        return now < self.end and (local.weekday() - 1) % 7 in self.days
