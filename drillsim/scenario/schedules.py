"""On-call schedules as the on-call tools write them: layers of rotations with restrictions, and
overrides, handing over at local wall-clock times.

A schedule is a stack of **layers**, listed lowest first (like PagerDuty's layers 1, 2, 3…): at any
moment the highest layer that has someone on call wins, and where no layer has anyone there is a
gap. A layer rotates its members, one turn each, from ``start``; turns advance in the layer's local
wall-clock time, so a weekly 09:00 handover stays at 09:00 across daylight-saving changes. A layer
may be **restricted** to windows of the week (business hours, nights, weekends) and may end.
**Overrides** put a person on call for a window, over the whole schedule or over one layer.
A layer marked ``alongside`` is a shadow: its person is paged together with whoever the schedule
has on call, and never instead of them.

Times written without an offset (``2026-03-10T18:00``) are local to the schedule's time zone (a
layer may name its own); with an offset they are that instant.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from drillsim.scenario.base import Id, StrictModel
from drillsim.scenario.units import Duration
from drillsim.scenario.weekly import TimeZone, WeeklyWindow


class Restriction(WeeklyWindow):
    """When a layer may have someone on call: some days of the week, from ``start`` to ``end``
    local time (a window crossing midnight belongs to the day it starts on). Every day by default."""

    @model_validator(mode="after")
    def _has_length(self) -> Restriction:
        if self.start == self.end:
            raise ValueError(
                "the window starts and ends at the same time, so the layer would never be on call"
            )
        return self


class Layer(StrictModel):
    """A rotation in a schedule: ``members`` take turns of ``turn`` (e.g. 1w, 1d, 12h) in order, the
    first member's first turn starting at ``start``; handovers happen at the local time of day
    ``start`` has. With ``active_from``, ``start`` is only the rotation's anchor (turns count from it,
    before and after it, as PagerDuty's ``rotation_virtual_start``) and the layer has someone on
    call from ``active_from`` on (as PagerDuty's layer ``start``)."""

    members: list[Id] = Field(min_length=1, description="people, in rotation order")
    turn: Duration = Field(gt=0, description="how long each member's turn lasts (e.g. 1w, 1d, 12h)")
    start: dt.datetime = Field(
        description="when the first member's first turn begins (local time, or with offset)"
    )
    active_from: dt.datetime | None = Field(
        default=None,
        description="when the layer begins to have anyone on call (omit: at start); turns still count "
        "from start, before or after it",
    )
    end: dt.datetime | None = Field(default=None, description="when the layer stops (omit: never)")
    restrictions: list[Restriction] = Field(
        default=[], description="the windows the layer covers (omit: all the time)"
    )
    alongside: bool = Field(
        default=False,
        description="a shadow: paged together with the schedule's on-call person, never instead",
    )
    timezone: TimeZone | None = Field(default=None, description="default: the schedule's time zone")


class ScheduleOverride(StrictModel):
    """``person`` is on call from ``start`` to ``end``, over the whole schedule, or over one ``layer``."""

    person: Id
    start: dt.datetime
    end: dt.datetime
    layer: Id | None = Field(default=None, description="override only this layer (omit: the whole schedule)")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> ScheduleOverride:
        if self.end <= self.start:
            raise ValueError("the override ends before it starts")
        return self


class Schedule(StrictModel):
    """Layers of rotations (lowest first: a later layer wins where it has someone on call), and
    overrides over them."""

    title: str | None = None
    timezone: TimeZone | None = Field(default=None, description="default: the organisation's time zone")
    layers: dict[Id, Layer] = Field(min_length=1, description="lowest first")
    overrides: list[ScheduleOverride] = []

    def people(self) -> list[str]:
        """Everyone the schedule may put on call: layer members in order, then override people."""
        found = [m for layer in self.layers.values() for m in layer.members]
        found += [o.person for o in self.overrides]
        return list(dict.fromkeys(found))
