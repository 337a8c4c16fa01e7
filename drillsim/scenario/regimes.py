"""Regulatory regimes and their notification clocks, which start at awareness (detection).

Built-in regimes are referable by id; a scenario may add its own under ``regimes:``. A clock is
named ``REGIME/CLOCK``, e.g. ``ca-sb53/imminent-risk``. Deadlines come from the texts cited in each
regime's ``source`` and should be checked against the current text before relying on them.
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


class Clock(StrictModel):
    """A reporting duty: its deadline from awareness and who must be notified."""

    title: str = Field(min_length=1)
    deadline: Duration = Field(gt=0, description="from awareness (detection)")
    to: str | None = Field(default=None, description="who must be notified")


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
                "Widespread infringement or serious disruption of critical infrastructure",
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
        "California SB 53 (2025), Business and Professions Code § 22757.13",
        {
            "critical-safety-incident": ("Critical safety incident", "15d", "Office of Emergency Services"),
            "imminent-risk": (
                "Imminent risk of death or serious physical injury",
                "24h",
                "an appropriate authority (law enforcement or public safety)",
            ),
        },
    ),
    "ny-raise": _regime(
        "New York RAISE Act: safety incidents",
        "New York RAISE Act (S6953B/A6453B, 2025)",
        {
            "safety-incident": (
                "Safety incident",
                "72h",
                "Division of Homeland Security and Emergency Services",
            ),
            "imminent-risk": ("Imminent risk of death or serious injury", "24h", "law enforcement"),
        },
    ),
}
