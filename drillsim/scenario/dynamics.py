"""Scenario dynamics: incidents that evolve while the response runs.

- A **happening** is something that happens to an incident: a milestone reached (detected,
  acknowledged, contained, resolved), a playbook task done, a decision taken, or a person, role or
  team acknowledging a page for it.
- A **trigger** (a cascade) watches every incident of one kind for a happening — or for its absence
  ``not_within`` a time after detection (or occurrence) — and then, with a probability and after a
  delay, starts another incident and/or changes the watched incident's severity.
- A **condition** makes an MSEL entry conditional: released at its time only ``if`` a happening has
  happened by then (to some incident of the kind it names, or of any kind), or only ``unless`` it has.

Cross-references (kinds, tasks, decisions, people) are checked in :mod:`drillsim.scenario.checks`;
the engine compiles these models in ``engine/model.py``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from drillsim.scenario.base import Id, Probability, StrictModel
from drillsim.scenario.distributions import Distribution, Fixed
from drillsim.scenario.organisation import Severity, Who
from drillsim.scenario.units import Duration, format_duration

Reached = Literal["detected", "acknowledged", "contained", "resolved"]
Since = Literal["occurred", "detected"]


class Happening(StrictModel):
    """Something that happens to an incident of kind ``incident``: exactly one of ``milestone``,
    ``task`` (done), ``decision`` (taken) or ``acknowledged`` (someone it names acknowledged a page for
    the incident). In a condition, ``incident`` may be left out (any incident); a trigger names it."""

    incident: Id | None = Field(default=None, description="the incident kind; in a condition, omit: any")
    milestone: Reached | None = None
    task: Id | None = Field(default=None, description="a playbook task of the incident kind, done")
    decision: Id | None = Field(default=None, description="an authority's decision, taken")
    acknowledged: Who | None = Field(
        default=None, description="a person, role or team that acknowledged a page for the incident"
    )

    @model_validator(mode="after")
    def _one_happening(self) -> Happening:
        what = [self.milestone, self.task, self.decision, self.acknowledged]
        if sum(w is not None for w in what) != 1:
            raise ValueError("expected exactly one of milestone, task, decision or acknowledged")
        return self

    def describe(self) -> str:
        """In words, e.g. ``weight-exfiltration contained``, ``task forensics of X done``."""
        of = self.incident or "any incident"
        if self.milestone is not None:
            return f"{of} {self.milestone}"
        if self.task is not None:
            return f"task {self.task} of {of} done"
        if self.decision is not None:
            return f"decision {self.decision} taken on {of}"
        assert self.acknowledged is not None
        key = self.acknowledged.wrapper_key
        return f"{key} {getattr(self.acknowledged, key)} acknowledged {of}"


class Trigger(StrictModel):
    """A cascade: when an incident of kind ``when.incident`` sees ``when`` happen — or, with
    ``not_within``, when it has not happened that long after ``since`` — the trigger fires with
    ``probability``; after ``delay`` it starts an incident of kind ``starts`` and/or sets the watched
    incident's severity to ``severity``. It fires at most once per watched incident."""

    when: Happening
    not_within: Duration | None = Field(
        default=None, gt=0, description="fire when `when` has NOT happened this long after `since`"
    )
    since: Since = Field(default="detected", description="with not_within: where the time runs from")
    probability: Probability = 1.0
    delay: Distribution = Field(default=Fixed(value=0.0), description="from firing to its effect")
    starts: Id | None = Field(default=None, description="the incident kind it starts")
    severity: Severity | None = Field(default=None, description="the watched incident's new severity")

    @model_validator(mode="after")
    def _shape(self) -> Trigger:
        if self.when.incident is None:
            raise ValueError("expected `incident` in `when`: the incident kind whose event fires the trigger")
        if self.starts is None and self.severity is None:
            raise ValueError("expected an effect: starts (an incident kind) and/or severity")
        return self

    def describe(self) -> str:
        """The trigger's event in words: ``weight-exfiltration contained`` or ``weight-exfiltration
        not contained within 4h``."""
        if self.not_within is None:
            return self.when.describe()
        happening = self.when.model_copy(update={"incident": None}).describe().replace("any incident ", "")
        return f"{self.when.incident} not {happening} within {format_duration(self.not_within)}"


class Condition(StrictModel):
    """When an MSEL entry is released: ``if`` the happening has happened by the entry's time, or
    ``unless`` it has (exactly one)."""

    if_: Happening | None = Field(default=None, alias="if")
    unless: Happening | None = None

    @model_validator(mode="after")
    def _one(self) -> Condition:
        if (self.if_ is None) == (self.unless is None):
            raise ValueError("expected exactly one of if or unless")
        return self

    @property
    def happening(self) -> Happening:
        """The happening the condition asks about."""
        happening = self.if_ if self.if_ is not None else self.unless
        assert happening is not None, "validated conditions have exactly one"
        return happening

    @property
    def negated(self) -> bool:
        """True for ``unless``: released when the happening has not happened."""
        return self.unless is not None

    def describe(self) -> str:
        return ("unless " if self.negated else "if ") + self.happening.describe()
