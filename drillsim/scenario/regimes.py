"""Regulatory regimes and their notification clocks.

Built-in regimes are referable by id; a scenario may add its own under ``regimes:``. A clock is
named ``REGIME/CLOCK``, e.g. ``ca-sb53/imminent-risk``. A clock starts at awareness (detection)
unless it says otherwise in ``starts``: when a task of the incident is done (``task:ID``, e.g. the
task that establishes a causal link) or a decision is taken (``decision:AUTHORITY``). Deadlines come
from the texts cited in each regime's ``source`` (docs/regulations.md quotes them) and should be
checked against the current text before relying on them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from drillsim.scenario.base import ID_PATTERN, Id, StrictModel
from drillsim.scenario.units import Duration

CLOCK_REF_PATTERN = ID_PATTERN[:-1] + "/" + ID_PATTERN[1:]
ClockRef = Annotated[
    str,
    Field(
        pattern=CLOCK_REF_PATTERN,
        description="a regulatory clock, REGIME/CLOCK, e.g. ny-raise/safety-incident",
    ),
]


DETECTION = "detection"
CLOCK_START_PATTERN = r"^(detection|(task|decision):[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$"
ClockStart = Annotated[
    str,
    Field(
        pattern=CLOCK_START_PATTERN,
        description="when the clock starts: detection (awareness), task:ID (when that task of the "
        "incident is done) or decision:AUTHORITY (when that decision is taken)",
    ),
]


class Clock(StrictModel):
    """A reporting duty: its deadline from the event that starts it and who must be notified."""

    title: str = Field(min_length=1)
    deadline: Duration = Field(gt=0, description="from the clock's start (by default, awareness)")
    to: str | None = Field(default=None, description="who must be notified")
    starts: ClockStart = Field(
        default=DETECTION,
        description="detection (default), task:ID or decision:AUTHORITY",
    )

    @property
    def start_event(self) -> tuple[str, str] | None:
        """``("task", id)`` or ``("decision", authority)``; None for a clock starting at detection."""
        if self.starts == DETECTION:
            return None
        kind, _, name = self.starts.partition(":")
        return kind, name


class Regime(StrictModel):
    """A regulatory regime (or your own policy) and its reporting clocks."""

    title: str = Field(min_length=1)
    source: str | None = None
    clocks: dict[Id, Clock] = Field(min_length=1)


def _regime(title: str, source: str, clocks: dict[str, tuple[str, str, str]]) -> Regime:
    return Regime.model_validate(
        {
            "title": title,
            "source": source,
            "clocks": {cid: {"title": t, "deadline": d, "to": to} for cid, (t, d, to) in clocks.items()},
        }
    )


BUILTIN_REGIMES: dict[str, Regime] = {
    "eu-ai-act-73": _regime(
        "EU AI Act, Article 73: serious incidents (high-risk AI systems)",
        "Regulation (EU) 2024/1689, Art. 73(2)-(4)",
        {
            "serious-incident": ("Serious incident", "15d", "market surveillance authority"),
            "widespread-or-critical-infrastructure": (
                "Widespread infringement or serious and irreversible disruption of critical infrastructure",
                "2d",
                "market surveillance authority",
            ),
            "death": ("Death of a person", "10d", "market surveillance authority"),
        },
    ),
    "gpai-cop-9.3": _regime(
        "EU GPAI Code of Practice (Safety & Security), measure 9.3: serious incident reporting",
        "General-Purpose AI Code of Practice, Safety and Security chapter, Commitment 9, measure 9.3",
        {
            "critical-infrastructure": ("Serious disruption of critical infrastructure", "2d", "AI Office"),
            "cyber-breach": (
                "Serious cybersecurity breach, including model-weight exfiltration",
                "5d",
                "AI Office",
            ),
            "death": ("Death of a person", "10d", "AI Office"),
            "other": ("Other serious incident", "15d", "AI Office"),
        },
    ),
    "ca-sb53": _regime(
        "California SB 53 (Transparency in Frontier AI Act): critical safety incidents",
        "California SB 53 (Stats. 2025), Business and Professions Code § 22757.13(c)",
        {
            "critical-safety-incident": (
                "Critical safety incident, within 15 days of discovering it",
                "15d",
                "Office of Emergency Services",
            ),
            "imminent-risk": (
                "Imminent risk of death or serious physical injury, within 24 hours of discovery",
                "24h",
                "an appropriate authority (law enforcement or public safety)",
            ),
        },
    ),
    "ny-raise": _regime(
        "New York RAISE Act, as amended by chapter amendment S.8828: safety incidents",
        "New York General Business Law § 1422 (RAISE Act as amended by S.8828, Chapter 96 of the Laws "
        "of 2026, signed 2026-03-27, effective 2027-01-01)",
        {
            "safety-incident": (
                "Safety incident, within 72 hours of learning of it (or of facts establishing a "
                "reasonable belief that it occurred)",
                "72h",
                "the office established within the Department of Financial Services",
            ),
            "imminent-risk": (
                "Imminent risk of death or serious physical injury",
                "24h",
                "law enforcement or an appropriate authority",
            ),
        },
    ),
}
