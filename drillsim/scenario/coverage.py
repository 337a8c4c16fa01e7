"""Coverage of escalation levels in calendar time: who a level pages at each moment, and when it
pages nobody — before any incident. Built on the schedules' handover timelines
(:mod:`drillsim.scenario.oncall`); used by ``validate`` (gaps), ``structure --coverage`` and the
readiness report.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from drillsim.scenario.oncall import Handover, ScheduleClock, timeline
from drillsim.scenario.organisation import (
    AnyTarget,
    LayerTarget,
    Level,
    OnCallTarget,
    Organisation,
    ScheduleTarget,
    people_for,
)

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Gap:
    """A stretch of time, from ``start`` to ``end`` (aware instants)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start) / dt.timedelta(hours=1)


def clock_key(target: AnyTarget) -> str | None:
    """The key of the schedule clock a target asks at page time (see ``oncall.schedule_clocks`` and
    the layer keys ``SCHEDULE/LAYER``), or None for a target that pages the same people at any time."""
    if isinstance(target, ScheduleTarget):
        return target.schedule
    if isinstance(target, LayerTarget):
        return target.layer
    if isinstance(target, OnCallTarget):
        return f"team:{target.on_call}"
    return None


class LevelCalendar:
    """Who escalation levels page over a stretch of calendar time, from the organisation's schedules
    (and team rotations) evaluated once."""

    def __init__(
        self, org: Organisation, clocks: dict[str, ScheduleClock], first: dt.datetime, last: dt.datetime
    ) -> None:
        self.org, self.clocks, self.first, self.last = org, clocks, first, last
        self._timelines: dict[str, list[Handover]] = {}
        self._times: dict[str, list[dt.datetime]] = {}

    def handovers(self, key: str) -> list[Handover]:
        """The timeline of a schedule (by id), a team rotation (``team:ID``) or a layer
        (``SCHEDULE/LAYER``) over [first, last]."""
        if key not in self._timelines:
            schedule_id, _, layer_id = key.partition("/")
            clock = self.clocks[schedule_id]
            self._timelines[key] = timeline(
                clock.layers[layer_id] if layer_id else clock, self.first, self.last
            )
            self._times[key] = [h.at for h in self._timelines[key]]
        return self._timelines[key]

    def on_call(self, key: str, moment: dt.datetime) -> tuple[str, ...]:
        """Who the clock ``key`` pages at ``moment`` (the on-call person first, then shadows)."""
        handovers = self.handovers(key)
        return handovers[max(bisect.bisect_right(self._times[key], moment) - 1, 0)].on_call.paged

    def gaps(self, level: Level) -> list[Gap]:
        """When the level pages nobody: only a level whose every target depends on who is on call
        can have gaps (a person, a role or a team is paged at any hour). Targets naming an unknown
        schedule count as paging nobody."""
        if any(clock_key(t) is None and people_for(self.org, t) for t in level.targets):
            return []
        keys = [key for t in level.targets if (key := clock_key(t)) is not None and self._known(key)]
        moments = sorted({self.first, *(h.at for key in keys for h in self.handovers(key))})
        found: list[Gap] = []
        for moment, after in zip(moments, [*moments[1:], self.last], strict=True):
            if after <= moment:
                continue
            if not any(self.on_call(key, moment) for key in keys):
                if found and found[-1].end == moment:
                    found[-1] = Gap(found[-1].start, after)
                else:
                    found.append(Gap(moment, after))
        return found

    def _known(self, key: str) -> bool:
        schedule_id, _, layer_id = key.partition("/")
        return schedule_id in self.clocks and (not layer_id or layer_id in self.clocks[schedule_id].layers)


def hours_per_week(gaps: list[Gap], first: dt.datetime, last: dt.datetime) -> float:
    """How many hours a week the gaps add up to, on average over [first, last]."""
    span = last - first
    return sum(g.hours for g in gaps) * (WEEK / span) if span > dt.timedelta(0) else 0.0


def describe(gap: Gap, tz: dt.tzinfo) -> str:
    """A gap in local time, e.g. ``Sat 14 Mar 00:00 – 09:00`` or ``Fri 13 Mar 22:00 – Mon 16 Mar 09:00``."""
    start, end = gap.start.astimezone(tz), gap.end.astimezone(tz)
    midnight_after = end.time() == dt.time(0) and end.date() == start.date() + dt.timedelta(days=1)
    if start.date() == end.date() or midnight_after:
        tail = "24:00" if midnight_after else end.strftime("%H:%M")
    else:
        tail = end.strftime("%a %d %b %H:%M")
    return f"{start.strftime('%a %d %b %H:%M')} – {tail}"
