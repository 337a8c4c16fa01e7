"""The scenario: an organisation, the incidents in play, how they arrive, the MSEL, objectives."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, AwareDatetime, Discriminator, Field, Tag, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from drillsim.scenario.base import ID_PATTERN, Id, StrictModel
from drillsim.scenario.dynamics import Condition, Trigger
from drillsim.scenario.incidents import IncidentKind
from drillsim.scenario.messages import did_you_mean
from drillsim.scenario.organisation import Organisation, Severity, Who
from drillsim.scenario.regimes import ClockRef, Regime
from drillsim.scenario.units import Duration, Rate

Metric = Literal[
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_engage",
    "time_to_mobilize",
    "time_to_authority",
    "time_to_contain",
    "time_to_resolve",
    "time_to_notify",
]
# Metrics computed only for scenarios whose objectives name them, so that adding them changed nothing
# for the others: the people needed up to containment, and one named decision.
MOBILIZE_CONTAIN = "time_to_mobilize_contain"
DECISION_METRIC = "time_to_decision/"  # + an authority id
METRIC_NAMES: tuple[str, ...] = (*get_args(Metric), MOBILIZE_CONTAIN, DECISION_METRIC + "AUTHORITY")


def opt_in_metric(metric: str) -> bool:
    """Whether ``metric`` is computed only when an objective names it."""
    return metric == MOBILIZE_CONTAIN or metric.startswith(DECISION_METRIC)


def _metric(value: str) -> str:
    if value in get_args(Metric) or value == MOBILIZE_CONTAIN:
        return value
    authority = value.removeprefix(DECISION_METRIC)
    if value.startswith(DECISION_METRIC) and re.fullmatch(ID_PATTERN, authority):
        return value
    raise PydanticCustomError(
        "metric",
        "{value} is not a metric{hint} (expected one of: {names})",
        {
            "value": repr(value) if len(value) <= 60 else repr(value[:57] + "..."),
            "hint": did_you_mean(value, METRIC_NAMES),
            "names": ", ".join(METRIC_NAMES),
        },
    )


MetricName = Annotated[
    str,
    AfterValidator(_metric),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": [*get_args(Metric), MOBILIZE_CONTAIN]},
                {"type": "string", "pattern": "^time_to_decision/" + ID_PATTERN[1:]},
            ],
            "description": "a metric; time_to_decision/AUTHORITY times one named decision",
        }
    ),
]


DEFAULT_HORIZON = 30 * 1440.0  # minutes: a month, when the scenario sets no horizon


class Arrival(StrictModel):
    """Stochastic arrivals of one incident kind: a Poisson process from ``start`` to ``until``."""

    incident: Id
    rate: Rate
    start: Duration = 0.0
    until: Duration | None = Field(default=None, description="default: the scenario's horizon")


class InjectBase(StrictModel):
    """One MSEL row: an event released at scenario time ``at``."""

    id: Id = Field(description="the MSEL event number")
    at: Duration = Field(description="scenario time")
    text: str = Field(min_length=1, description="the synopsis read to the players")
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    controller: str | None = None
    expected_action: str | None = None
    objectives: list[Id] = Field(default=[], description="objectives this inject tests")
    notes: str | None = None
    condition: Condition | None = Field(
        default=None, description="released at its time only if this holds (omit: always)"
    )


class IncidentInject(InjectBase):
    """An MSEL entry that makes an incident occur at its time."""

    kind: Literal["incident"]
    incident: Id = Field(description="the incident kind that occurs at this time")


class ComplicationInject(InjectBase):
    """Changes the world from ``at`` for ``for`` (default: to the end): exactly one effect."""

    kind: Literal["complication"]
    unavailable: Who | None = Field(default=None, description="a person, role or team that cannot be reached")
    paging_delay: Duration | None = Field(
        default=None, description="pages arrive this much later (a channel down)"
    )
    disable_source: Id | None = Field(default=None, description="a detection source that stops firing")
    for_: Duration | None = Field(default=None, alias="for", gt=0)
    affects: Who | None = Field(
        default=None,
        description="with paging_delay: only pages to this person, role or team are late (their "
        "channel is down); default: every page",
    )

    @model_validator(mode="after")
    def _one_effect(self) -> ComplicationInject:
        effects = [self.unavailable, self.paging_delay, self.disable_source]
        if sum(e is not None for e in effects) != 1:
            raise ValueError("expected exactly one effect: unavailable, paging_delay or disable_source")
        if self.affects is not None and self.paging_delay is None:
            raise ValueError("'affects' narrows a paging_delay; this complication has none")
        return self


class SeverityInject(InjectBase):
    """Sets the severity of every incident of a kind that has occurred and is not yet resolved."""

    kind: Literal["severity"]
    incident: Id = Field(description="the incident kind whose open incidents change severity")
    severity: Severity


class MessageInject(InjectBase):
    """Information for the players that changes nothing in the simulation (a media enquiry, say)."""

    kind: Literal["message"]


def _inject_tag(value: object) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"kind={kind}"


# Tags read "kind=..." so that error locations never mistake a tag for a field such as `incident`.
Inject = Annotated[
    Annotated[IncidentInject, Tag("kind=incident")]
    | Annotated[ComplicationInject, Tag("kind=complication")]
    | Annotated[MessageInject, Tag("kind=message")]
    | Annotated[SeverityInject, Tag("kind=severity")],
    Discriminator(
        _inject_tag,
        custom_error_type="inject_kind",
        custom_error_message="expected kind: incident, complication, message or severity",
    ),
]


class Objective(StrictModel):
    """What the response should achieve: a metric within a target, for some incident kinds, with a weight."""

    text: str = Field(min_length=1)
    metric: MetricName
    target: Duration = Field(gt=0)
    incidents: list[Id] = Field(default=[], description="incident kinds it applies to; empty: all")
    clock: ClockRef | None = Field(default=None, description="with time_to_notify: which clock")
    weight: float = Field(default=1.0, gt=0, le=1000, allow_inf_nan=False)

    @model_validator(mode="after")
    def _clock_with_notify(self) -> Objective:
        if (self.metric == "time_to_notify") != (self.clock is not None):
            raise ValueError("a clock is needed with time_to_notify, and only with it")
        return self


class RatingThresholds(StrictModel):
    """The lowest probability of meeting an objective that earns each HSEEP rating; below M it is U."""

    P: float = Field(default=0.90, gt=0, le=1, description="performed without challenges")
    S: float = Field(default=0.75, gt=0, le=1, description="performed with some challenges")
    M: float = Field(default=0.50, gt=0, le=1, description="performed with major challenges")

    @model_validator(mode="after")
    def _descending(self) -> RatingThresholds:
        if not self.P > self.S > self.M:
            raise ValueError("expected P > S > M")
        return self


class Scenario(StrictModel):
    """A drill scenario: an organisation, the incidents it faces, how they arrive, the MSEL and the
    objectives."""

    id: Id
    title: str = Field(min_length=1)
    description: str | None = None
    organisation: Organisation
    start: AwareDatetime = Field(description="calendar time at scenario time 0, with time zone")
    horizon: Duration | None = Field(default=None, gt=0, description="how long to simulate")
    cadence: Duration | None = Field(default=None, gt=0, description="how often this drill should be held")
    incidents: dict[Id, IncidentKind] = Field(min_length=1)
    arrivals: list[Arrival] = []
    injects: list[Inject] = []
    triggers: dict[Id, Trigger] = Field(
        default={}, description="cascades: incidents that start or change severity on other incidents' events"
    )
    objectives: dict[Id, Objective] = {}
    regimes: dict[Id, Regime] = Field(default={}, description="regimes beyond the built-in ones")
    ratings: RatingThresholds = Field(
        default=RatingThresholds(), description="thresholds of the P/S/M/U ratings"
    )

    @property
    def run_length(self) -> float:
        """How long a run lasts, in minutes: the horizon, or DEFAULT_HORIZON when the scenario sets none."""
        return self.horizon or DEFAULT_HORIZON
