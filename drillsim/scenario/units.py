"""Durations and rates as people write them, parsed once into float minutes.

``90s``, ``5m``, ``1h30m``, ``2d``, ``1w`` and a bare number (minutes) are durations;
``2.4/h``, ``10/d``, ``1/30m`` are rates (events per minute inside drillsim).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

MINUTES_PER_UNIT = {"w": 7 * 1440.0, "d": 1440.0, "h": 60.0, "m": 1.0, "s": 1.0 / 60.0}
MAX_MINUTES = 10 * 365 * 1440.0  # ten years: longer than any drill, exercise or deadline
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"({_NUMBER})\s*([wdhms])")
_DURATION = re.compile(rf"^\s*(?:{_NUMBER}\s*[wdhms]\s*)+$")
_RATE = re.compile(rf"^\s*({_NUMBER})\s*/\s*({_NUMBER})?\s*([wdhms])\s*$")
DURATION_EXAMPLES = "e.g. 90s, 5m, 1h30m, 2d, or a number of minutes"


def parse_duration(value: Any) -> float:
    """Return ``value`` as float minutes, or raise ValueError with a message for people."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration ({DURATION_EXAMPLES})")
    if isinstance(value, int | float):
        minutes = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            minutes = float(text)
        except ValueError:
            if text.startswith("-"):
                raise ValueError(f"'{value}' is negative (expected a duration of zero or more)") from None
            if not _DURATION.match(text):
                raise ValueError(f"'{value}' is not a duration ({DURATION_EXAMPLES})") from None
            minutes = sum(float(n) * MINUTES_PER_UNIT[u] for n, u in _PART.findall(text))
    else:
        raise ValueError(f"expected a duration ({DURATION_EXAMPLES}), got {_kind(value)}")
    if math.isnan(minutes):
        raise ValueError(f"'{value}' is not a duration ({DURATION_EXAMPLES})")
    if minutes < 0:
        raise ValueError(f"'{value}' is negative (expected a duration of zero or more)")
    if minutes > MAX_MINUTES:
        raise ValueError(f"'{value}' is too long (at most 3650d)")
    return minutes


def parse_rate(value: Any) -> float:
    """Return ``value`` ("2.4/h") as events per minute, or raise ValueError."""
    match = _RATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a rate (expected e.g. 2.4/h, 10/d, 1/30m)")
    count, per_count, unit = match.groups()
    per_minutes = float(per_count or 1) * MINUTES_PER_UNIT[unit]
    if per_minutes <= 0:
        raise ValueError(f"'{value}' divides by zero (expected e.g. 2.4/h)")
    rate = float(count) / per_minutes
    if not math.isfinite(rate):
        raise ValueError(f"'{value}' is too large")
    return rate


def format_duration(minutes: float) -> str:
    """The shortest exact way people write ``minutes``: 90 → '1h30m', 0.5 → '30s', 2880 → '2d'."""
    seconds = minutes * 60.0
    whole = round(seconds)
    if abs(seconds - whole) > 1e-6:
        return f"{Decimal(repr(minutes)):f}m"  # positional: the parser takes no exponents
    if whole == 0:
        return "0m"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def _kind(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"


def _pydantic(parse: Callable[[Any], float], error_type: str) -> Any:
    def validate(value: Any) -> float:
        try:
            return parse(value)
        except ValueError as exc:
            raise PydanticCustomError(error_type, str(exc)) from None

    return BeforeValidator(validate)


Duration = Annotated[
    float,
    _pydantic(parse_duration, "duration"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _DURATION.pattern},
            ],
            "description": f"a duration: {DURATION_EXAMPLES}",
        }
    ),
]
Rate = Annotated[
    float,
    _pydantic(parse_rate, "rate"),
    WithJsonSchema(
        {"type": "string", "pattern": _RATE.pattern, "description": "a rate, e.g. 2.4/h, 10/d, 1/30m"}
    ),
]


def humanize(minutes: float | None) -> str:
    """A duration for reading, to two units: '45s', '12m 30s', '3h 5m', '2d 4h'. None → '—'."""
    if minutes is None or math.isnan(minutes):
        return "—"
    seconds = round(minutes * 60)
    if seconds < 60:
        return f"{minutes * 60:.0f}s" if minutes >= 1 / 60 or minutes == 0 else f"{minutes * 60:.1f}s"
    parts = [
        (seconds // 86400, "d"),
        (seconds % 86400 // 3600, "h"),
        (seconds % 3600 // 60, "m"),
        (seconds % 60, "s"),
    ]
    first = next(i for i, (count, _) in enumerate(parts) if count)
    shown = [f"{count}{unit}" for count, unit in parts[first : first + 2] if count]
    return " ".join(shown)
