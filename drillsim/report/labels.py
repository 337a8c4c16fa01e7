"""How numbers and names read to a person, the same in the terminal, the console and the reports:
metric names, shares, intervals, rating styles, a time's place among simulated ones. Plain text
(and rich style names); nothing here draws."""

from __future__ import annotations

from drillsim.scoring import RATING_WORDS, RATINGS

__all__ = [
    "RATINGS",
    "RATING_STYLES",
    "RATING_WORDS",
    "metric_label",
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
    "time_to_contain": "contain",
    "time_to_resolve": "resolve",
}
RATING_STYLES = {"P": "green", "S": "cyan", "M": "yellow", "U": "red"}


def metric_label(name: str) -> str:
    """A metric's name as people say it: ``time_to_notify:REGIME/CLOCK`` → ``notify REGIME/CLOCK``."""
    if name.startswith("time_to_notify:"):
        return "notify " + name.split(":", 1)[1]
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
