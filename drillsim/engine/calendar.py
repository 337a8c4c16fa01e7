"""Who is on duty when, at scenario minutes: on-call timelines and working hours.

Scenario minute ``t`` is the calendar instant ``start + t``. Schedules (and team rotations) are
compiled once into a timeline of handovers in minutes — the scenario layer works out local time and
daylight saving (:mod:`drillsim.scenario.oncall`) — so asking who is on call is a binary search.
Working hours are read in the person's time zone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from drillsim.scenario.oncall import Handover
from drillsim.scenario.organisation import WorkingHours


class OnCallClock:
    """Who a schedule (or one layer, or a team's rotation) has on call at a scenario minute: the
    person indexes paged, the on-call person first, then shadows; empty in a gap. ``members``: everyone
    whose duty it decides — the people taking turns in it (``roster``), whether or not the run
    reaches their turn, and anyone it puts on call (an override)."""

    __slots__ = ("members", "people", "points")

    def __init__(
        self,
        handovers: Sequence[Handover],
        index: dict[str, int],
        scenario_start: dt.datetime,
        roster: Sequence[str] = (),
    ) -> None:
        self.points = [-math.inf] + [(h.at - scenario_start).total_seconds() / 60.0 for h in handovers[1:]]
        self.people = [tuple(index[p] for p in h.on_call.paged if p in index) for h in handovers]
        self.members = frozenset(index[p] for p in roster if p in index).union(
            p for people in self.people for p in people
        )

    def on_call(self, t: float) -> tuple[int, ...]:
        return self.people[bisect.bisect_right(self.points, t) - 1]


class HoursClock:
    """Whether a scenario minute falls inside a person's working hours."""

    __slots__ = ("hours", "start", "zone")

    def __init__(self, hours: WorkingHours, default_zone: str, scenario_start: dt.datetime) -> None:
        self.start, self.hours = scenario_start, hours
        self.zone = ZoneInfo(hours.timezone or default_zone)

    def on_duty(self, t: float) -> bool:
        return self.hours.contains((self.start + dt.timedelta(minutes=t)).astimezone(self.zone))
