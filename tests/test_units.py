"""Durations and rates as people write them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillsim.scenario.units import format_duration, parse_duration, parse_rate


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90s", 1.5),
        ("5m", 5),
        ("1h30m", 90),
        ("2d", 2880),
        ("1w", 10080),
        (7, 7),
        ("7", 7),
        ("1.5h", 90),
        (".5h", 30),
        (" 3 h ", 180),
        ("1d2h3m4s", 1440 + 120 + 3 + 4 / 60),
        (0, 0),
    ],
)
def test_parses_durations_people_write(text: object, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5m", "negative"),
        ("5q", "not a duration"),
        ("", "not a duration"),
        (True, "not a duration"),
        (None, "got an empty value"),
        ("1e999", "too long"),
        ("nan", "not a duration"),
        ("4000d", "too long"),
        ([1], "got a list"),
    ],
)
def test_rejects_bad_durations_with_a_reason(text: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "per_minute"), [("2.4/h", 0.04), ("10/d", 10 / 1440), ("1/30m", 1 / 30), ("6 / m", 6)]
)
def test_parses_rates(text: str, per_minute: float) -> None:
    assert parse_rate(text) == pytest.approx(per_minute)


@pytest.mark.parametrize("text", ["2.4", "fast", "2.4/q", "1/0m", 5])
def test_rejects_bad_rates(text: object) -> None:
    with pytest.raises(ValueError, match=r"rate|zero"):
        parse_rate(text)


@pytest.mark.parametrize(
    ("minutes", "text"), [(90, "1h30m"), (0.5, "30s"), (2880, "2d"), (0, "0m"), (61.5, "1h1m30s")]
)
def test_formats_durations_the_short_way(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text


@given(st.floats(min_value=0, max_value=3650 * 1440, allow_nan=False))
def test_formatting_round_trips(minutes: float) -> None:
    assert math.isclose(parse_duration(format_duration(minutes)), minutes, rel_tol=1e-9, abs_tol=1e-6)
