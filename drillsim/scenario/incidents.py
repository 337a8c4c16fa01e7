"""Incident kinds: what happens, how it is detected, and the playbook that answers it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from drillsim.scenario.base import Id, Probability, StrictModel
from drillsim.scenario.distributions import Distribution
from drillsim.scenario.organisation import Need, RiskArea, Severity
from drillsim.scenario.regimes import ClockRef

AtlasTactic = Annotated[
    str, Field(pattern=r"^AML\.TA\d{4}$", description="a MITRE ATLAS tactic id, e.g. AML.TA0010")
]
Milestone = Literal["contained", "resolved"]


class DetectionSource(StrictModel):
    """A source that may detect the incident: its chance of firing and its delay."""

    probability: Probability = Field(description="chance that this source fires for the incident")
    delay: Distribution = Field(description="time from occurrence to the source firing")


class Fallback(StrictModel):
    """How the incident is found when no source fires (an external report, say)."""

    delay: Distribution
    text: str | None = None


class Detection(StrictModel):
    """How an incident is detected: the first source to fire, else the fallback."""

    sources: dict[Id, DetectionSource] = {}
    fallback: Fallback | None = Field(default=None, description="omit: the incident may go undetected")

    @model_validator(mode="after")
    def _some_way_to_detect(self) -> Detection:
        if not self.sources and self.fallback is None:
            raise ValueError("expected at least one source or a fallback")
        return self


class Task(StrictModel):
    """One playbook step. It starts when every task in ``after`` is done and someone holding ``role``
    (or ``skill``) is free; with ``decision`` it also waits for that authority."""

    title: str | None = None
    role: Id | None = None
    skill: Id | None = None
    duration: Distribution
    after: list[Id] = []
    decision: Id | None = Field(default=None, description="an authority whose decision the task needs")
    milestone: Milestone | None = None
    notifies: list[ClockRef] = Field(default=[], description="regulatory clocks this task satisfies")
    severity: Severity | None = Field(default=None, description="the incident's new severity once done")

    @model_validator(mode="after")
    def _one_kind_of_person(self) -> Task:
        if (self.role is None) == (self.skill is None):
            raise ValueError("expected exactly one of role or skill")
        return self

    @property
    def need(self) -> Need:
        """Who can do the task: ``("role", id)`` or ``("skill", id)`` (a task has exactly one)."""
        return ("role", self.role) if self.role is not None else ("skill", str(self.skill))


class IncidentKind(StrictModel):
    """An incident the organisation drills for: what it is, how it is detected, its playbook and clocks."""

    title: str = Field(min_length=1)
    risk_area: RiskArea
    severity: Severity
    atlas: list[AtlasTactic] = []
    detection: Detection
    playbook: dict[Id, Task] = Field(min_length=1)
    regulatory: list[ClockRef] = Field(
        default=[], description="clocks that start when the incident is detected"
    )
