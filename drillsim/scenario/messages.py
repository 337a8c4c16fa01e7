"""Pydantic's validation errors, reworded as 'what is wrong (what was expected)' for people."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic_core import ErrorDetails

from drillsim.scenario.base import ID_PATTERN
from drillsim.scenario.regimes import CLOCK_REF_PATTERN, CLOCK_START_PATTERN

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_PATTERNS = {
    ID_PATTERN: "an identifier: letters, digits, '-', '_' or '.', starting with a letter or digit",
    CLOCK_REF_PATTERN: "a clock as REGIME/CLOCK, e.g. ca-sb53/imminent-risk",
    r"^AML\.TA\d{4}$": "a MITRE ATLAS tactic id such as AML.TA0010",
    CLOCK_START_PATTERN: "detection, task:TASK or decision:AUTHORITY, e.g. task:establish-causal-link",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" when a choice is close to ``word``, else ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def describe(error: ErrorDetails, allowed_fields: list[str] | None) -> str:
    """One error's message. ``allowed_fields``: what the enclosing mapping accepts, if known."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        field = str(error["loc"][-1])
        if value is None and re.search(r"[\s()]", field):  # `{name: Wei (SRE, Singapore)}` split at the comma
            return (
                f"unknown field '{field}': a comma inside {{ }} ends a value, so quote a value that "
                f'holds one (e.g. name: "Wei (SRE, Singapore)")'
            )
        if allowed_fields:
            hint = did_you_mean(field, allowed_fields)
            return f"unknown field '{field}'{hint} (expected one of: {', '.join(allowed_fields)})"
        return f"unknown field '{field}'"
    if kind == "inject_kind":
        given = value.get("kind") if isinstance(value, dict) else None
        if given is None:
            return "required field is missing (expected incident, complication, message or severity)"
        kinds = ["incident", "complication", "message", "severity"]
        return (
            f"{_show(given)} is not an inject kind{did_you_mean(given, kinds)} "
            f"(expected one of: {', '.join(kinds)})"
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (
            f"{_show(value)} is not allowed{did_you_mean(value, choices)} "
            f"(expected one of: {', '.join(choices)})"
        )
    if kind == "string_pattern_mismatch":
        expected = _PATTERNS.get(str(ctx.get("pattern")), f"text matching {ctx.get('pattern')}")
        return f"{_show(value)} is not valid (expected {expected})"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[
            kind
        ]
        limit = next(iter(ctx.values()), "")
        return f"{_show(value)} is out of range (expected {bound} {limit})"
    if kind in ("too_short", "too_long"):
        least = ctx.get("min_length", ctx.get("max_length"))
        size = "at least" if kind == "too_short" else "at most"
        return f"has {ctx.get('actual_length', '?')} entries (expected {size} {least})"
    if kind in ("finite_number",):
        return f"{_show(value)} is not a finite number"
    if kind.startswith("datetime") or kind == "timezone_aware":
        return f"{_show(value)} is not a date and time with a time zone (expected e.g. 2026-03-14T02:30:00Z)"
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"expected text, got the number {value} (quote it: '{value}')"
    if kind in _TYPE_NAMES:
        return f"expected {_TYPE_NAMES[kind]}, got {_show(value)}"
    message = error["msg"]
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _show(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
