"""How numbers and names read to a person, the same in the terminal, the console and the reports:
metric names, shares, intervals, rating styles, a time's place among simulated ones. Plain text
(and rich style names); nothing here draws."""

from __future__ import annotations

from drillsim.scenario.units import humanize
from drillsim.scoring import RATING_WORDS, RATINGS

__all__ = [
    "DAY_NAMES",
    "RATINGS",
    "RATING_STYLES",
    "RATING_WORDS",
    "hour_of_week",
    "hours_a_week",
    "hours_of_week",
    "level_name",
    "metric_label",
    "schedule_name",
    "share",
    "share_interval",
    "versus_simulation",
]

METRIC_LABELS = {
    "time_to_detect": "detect (from occurrence)",
    "time_to_acknowledge": "acknowledge",
    "time_to_engage": "engage (first task)",
    "time_to_mobilize": "mobilize (all responders)",
    "time_to_authority": "authority decision",
    "time_to_mobilize_contain": "mobilize (up to containment)",
    "time_to_contain": "contain",
    "time_to_resolve": "resolve",
}
RATING_STYLES = {"P": "green", "S": "cyan", "M": "yellow", "U": "red"}


def metric_label(name: str) -> str:
    """A metric's name as people say it: ``time_to_notify:REGIME/CLOCK`` → ``notify REGIME/CLOCK``,
    ``time_to_decision/AUTHORITY`` → ``decision AUTHORITY``."""
    if name.startswith("time_to_notify:"):
        return "notify " + name.split(":", 1)[1]
    if name.startswith("time_to_decision/"):
        return "decision " + name.split("/", 1)[1]
    return METRIC_LABELS.get(name, name)


def share(p: float | None) -> str:
    """A probability as a percentage with one decimal, or — when there is none."""
    return f"{p:.1%}" if p is not None else "—"


def share_interval(interval: list[float | None]) -> str:
    """A probability interval with the same precision as :func:`share` (99.8% must not read 100%–100%)."""
    low, high = interval
    return f"{low:.1%}–{high:.1%}" if low is not None and high is not None else "—"


def versus_simulation(percentile: float | None) -> str:
    """Where a live time falls among simulated ones (its percentile), in words."""
    if percentile is None:
        return "—"
    if percentile <= 50:
        return f"faster than {100 - percentile:.0f}%"
    return f"slower than {percentile:.0f}%"


DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # coverage grids: Monday first


def hour_of_week(day: int, hour: int) -> str:
    """A cell of a coverage grid as people say it: ``Tue 03:00`` (day 0 is Monday)."""
    return f"{DAY_NAMES[day]} {hour:02d}:00"


def hours_of_week(first: tuple[int, int], last: tuple[int, int]) -> str:
    """A stretch of hours of the week, from the start of ``first`` to the end of ``last`` (each
    (day, hour)): ``Mon 00:00–10:00``, ``Fri 18:00–24:00``, ``Sat 22:00–Sun 02:00``."""
    if first == last:
        return hour_of_week(*first)
    day, hour = last
    end = f"{hour + 1:02d}:00"
    return f"{hour_of_week(*first)}–{end if day == first[0] else f'{DAY_NAMES[day]} {end}'}"


def schedule_name(key: str) -> str:
    """A schedule's key as people say it: ``team:soc`` → ``soc (team rotation)``; a schedule's id
    stays as it is."""
    return f"{key.removeprefix('team:')} (team rotation)" if key.startswith("team:") else key


def level_name(policy: str, level: int, timeout: float) -> str:
    """An escalation level with its timeout: ``sev1-safety level 2 (10m)``."""
    return f"{policy} level {level} ({humanize(timeout)})"


def hours_a_week(hours: float) -> str:
    """Hours per week, to one decimal (a whole number without it): ``84 h``, ``80.5 h``."""
    return f"{hours:.0f} h" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f} h"
