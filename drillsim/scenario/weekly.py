"""Times of the week, read in a time zone: days, times of day, and windows such as working hours or
a schedule layer's restrictions. The scenario layer owns local time and daylight saving (zoneinfo);
the engine only ever sees minutes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from drillsim.scenario.base import StrictModel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, "America"
        raise PydanticCustomError(
            "time_zone",
            "'{name}' is not a time zone (expected an IANA name such as Europe/London or UTC)",
            {"name": name},
        ) from None
    return name


TimeZone = Annotated[str, AfterValidator(_time_zone)]


def _time_of_day(value: Any) -> dt.time:
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(p) for p in value.strip().split(":"))
        if hours == 24 and minutes == 0:
            return dt.time.max
        if hours < 24 and minutes < 60:
            return dt.time(hours, minutes)
    raise PydanticCustomError("time_of_day", f"{value!r} is not a time of day (expected HH:MM, e.g. 09:00)")


TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "description": "HH:MM"}),
]


def _day_range(value: Any) -> Any:
    """Accept ``mon-fri`` (or ``fri-mon``, across the weekend) as well as a list of days."""
    if not isinstance(value, str):
        return value
    first, dash, last = (part.strip() for part in value.partition("-"))
    if not dash:
        return [value]
    if first not in WEEKDAYS or last not in WEEKDAYS:
        raise PydanticCustomError(
            "day_range",
            f"{value!r} is not a range of days (expected e.g. mon-fri, or a list such as [mon, wed])",
        )
    i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
    return [WEEKDAYS[k % 7] for k in range(i, j + 1 if j >= i else j + 8)]


Days = Annotated[list[Weekday], BeforeValidator(_day_range, json_schema_input_type=list[Weekday] | str)]


class WeeklyWindow(StrictModel):
    """A window of time on some days of the week, from ``start`` to ``end`` local time. A window whose
    ``end`` is not after its ``start`` crosses midnight and belongs to the day it starts on
    (``{days: [fri], start: "22:00", end: "06:00"}`` is Friday night into Saturday morning);
    ``end: "24:00"`` is the end of the day."""

    days: Days = Field(default=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], min_length=1)
    start: TimeOfDay
    end: TimeOfDay

    def describe(self) -> str:
        """The window as people write it: ``mon–fri 08:00–16:00``, ``sat–sun 00:00–24:00``."""
        return f"{describe_days(self.days)} {clock_time(self.start)}–{clock_time(self.end)}"

    def contains(self, local: dt.datetime) -> bool:
        """Whether the local time ``local`` falls inside the window (start included, end excluded)."""
        day, now = WEEKDAYS[local.weekday()], local.time()
        if self.start <= self.end:
            return day in self.days and self.start <= now < self.end
        if now >= self.start:
            return day in self.days
        return now < self.end and WEEKDAYS[(local.weekday() - 1) % 7] in self.days


def zone(name: str) -> ZoneInfo:
    """The time zone named (already validated as an IANA name)."""
    return ZoneInfo(name)


def clock_time(time: dt.time) -> str:
    """HH:MM, with the end of the day as 24:00."""
    return "24:00" if time == dt.time.max else time.strftime("%H:%M")


def describe_days(days: list[Weekday]) -> str:
    """Days as runs in week order: ``mon–fri``, ``mon, wed``, ``every day``."""
    chosen = [day in days for day in WEEKDAYS]
    if all(chosen):
        return "every day"
    runs: list[str] = []
    index = 0
    while index < 7:
        if not chosen[index]:
            index += 1
            continue
        end = index
        while end + 1 < 7 and chosen[end + 1]:
            end += 1
        runs.append(WEEKDAYS[index] if end == index else f"{WEEKDAYS[index]}–{WEEKDAYS[end]}")
        index = end + 1
    return ", ".join(runs)
