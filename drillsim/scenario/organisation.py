"""The organisation: teams, people, on-call rotations, authorities and escalation policies.

An organisation lives in its own YAML file so that many scenarios can share it, or inline under a
scenario's ``organisation:`` key. Cross-references (a person's team, a policy's targets, an
authority's roles) are checked in checks.py, after every type here has validated.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from drillsim.scenario.base import Id, Probability, StrictModel, single_key_union
from drillsim.scenario.distributions import Distribution, LogNormal
from drillsim.scenario.schedules import Schedule
from drillsim.scenario.units import Duration
from drillsim.scenario.weekly import Days, TimeZone, WeeklyWindow

# The id that marks what an organisation file still has to say: where an importer's source holds
# nothing (a person's roles and skills, the authorities, the teams, which incidents a policy serves), it
# writes `fill-in`. It is an ordinary id, so the file validates; `validate` warns at each one.
PLACEHOLDER = "fill-in"

Severity = Literal["sev1", "sev2", "sev3", "sev4"]
SEVERITIES: tuple[Severity, ...] = ("sev1", "sev2", "sev3", "sev4")  # most severe first
# The risk areas of the Frontier AI Risk Management Framework (Shanghai AI Lab & Concordia AI, 2025):
# what an incident kind is about, and what an escalation policy may serve.
RiskArea = Literal[
    "cyber-offense",
    "biological-chemical",
    "persuasion-manipulation",
    "strategic-deception-scheming",
    "uncontrolled-ai-rnd",
    "self-replication",
    "collusion",
    "other",
]


class WorkingHours(WeeklyWindow):
    """When a person is on duty without being on call. ``end`` before ``start`` spans midnight."""

    days: Days = Field(default=["mon", "tue", "wed", "thu", "fri"], min_length=1)
    timezone: TimeZone | None = Field(default=None, description="default: the organisation's time zone")


class DutyReachability(StrictModel):
    """Probability that a page reaches the person, on duty (on call or in working hours) and off."""

    on_duty: Probability = 0.95
    off_duty: Probability = 0.5


def _reachability(value: Any) -> Any:
    """One number stands for both duty states."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise PydanticCustomError(
                "probability", f"{value} is out of range (expected a probability from 0 to 1)"
            )
        return {"on_duty": value, "off_duty": value}
    return value


Reachability = Annotated[
    DutyReachability, BeforeValidator(_reachability, json_schema_input_type=Probability | DutyReachability)
]


class PersonDefaults(StrictModel):
    """What a person has unless they say otherwise."""

    reachability: Reachability = DutyReachability()
    ack_delay: Distribution = LogNormal(median=3.0, p95=15.0)
    paging_delay: Duration = Field(
        default=0.0, description="how long a page takes to reach the person (their channel), always"
    )


class Person(StrictModel):
    """Someone who can be paged: their teams, roles, skills, working hours, reachability and delays."""

    name: str = Field(min_length=1)
    teams: list[Id] = []
    roles: list[Id] = []
    skills: list[Id] = []
    reports_to: Id | None = None
    working_hours: WorkingHours | None = Field(
        default=None, description="omit for someone on duty at all hours (unless on a rotation)"
    )
    reachability: Reachability | None = None
    ack_delay: Distribution | None = Field(default=None, description="time from page to acknowledgement")
    paging_delay: Duration | None = Field(
        default=None,
        description="how long a page takes to reach this person (a slow channel); default: the defaults'",
    )


class Rotation(StrictModel):
    """A team's on-call rotation: members take ``shift``-long turns in order from ``start``."""

    members: list[Id] = Field(min_length=1)
    shift: Duration = Field(gt=0)
    start: AwareDatetime = Field(description="when the first member's first shift begins (with time zone)")


class Team(StrictModel):
    """A team, and its on-call rotation if it has one."""

    name: str = Field(min_length=1)
    on_call: Rotation | None = None


class Authority(StrictModel):
    """A named decision and the roles allowed to take it, in delegation order."""

    title: str = Field(min_length=1)
    roles: list[Id] = Field(min_length=1)


class PersonTarget(StrictModel):
    """Page one person."""

    wrapper_key: ClassVar[str] = "person"
    scalar_field: ClassVar[str] = "person"
    person: Id


class RoleTarget(StrictModel):
    """Everyone holding the role."""

    wrapper_key: ClassVar[str] = "role"
    scalar_field: ClassVar[str] = "role"
    role: Id


class TeamTarget(StrictModel):
    """Everyone in the team."""

    wrapper_key: ClassVar[str] = "team"
    scalar_field: ClassVar[str] = "team"
    team: Id


class OnCallTarget(StrictModel):
    """The team's current on-call person."""

    wrapper_key: ClassVar[str] = "on_call"
    scalar_field: ClassVar[str] = "on_call"
    on_call: Id


def _schedule_layer(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", value):
        raise PydanticCustomError(
            "schedule_layer", f"'{value}' does not name a layer (expected SCHEDULE/LAYER, e.g. soc/london)"
        )
    return value


class ScheduleTarget(StrictModel):
    """Whoever the schedule has on call (and its shadows), at the moment of the page."""

    wrapper_key: ClassVar[str] = "schedule"
    scalar_field: ClassVar[str] = "schedule"
    schedule: Id


class LayerTarget(StrictModel):
    """Whoever one layer of a schedule has on call, written ``SCHEDULE/LAYER``."""

    wrapper_key: ClassVar[str] = "layer"
    scalar_field: ClassVar[str] = "layer"
    layer: Annotated[str, AfterValidator(_schedule_layer)] = Field(description="SCHEDULE/LAYER")

    @property
    def parts(self) -> tuple[str, str]:
        """(schedule id, layer id)."""
        schedule, _, layer = self.layer.partition("/")
        return schedule, layer


class RoundRobinTarget(StrictModel):
    """One member of the team, taking turns page by page."""

    wrapper_key: ClassVar[str] = "round_robin"
    scalar_field: ClassVar[str] = "round_robin"
    round_robin: Id


AnyTarget = (
    PersonTarget | RoleTarget | TeamTarget | OnCallTarget | ScheduleTarget | LayerTarget | RoundRobinTarget
)
if TYPE_CHECKING:  # for the type checker, the unions are what pydantic builds from them
    Target = AnyTarget
    Who = PersonTarget | RoleTarget | TeamTarget
else:
    Target = single_key_union(
        PersonTarget,
        RoleTarget,
        TeamTarget,
        OnCallTarget,
        ScheduleTarget,
        LayerTarget,
        RoundRobinTarget,
        what="an escalation target",
    )
    Who = single_key_union(PersonTarget, RoleTarget, TeamTarget, what="a person, role or team")


class AppliesTo(StrictModel):
    """Which incidents a policy serves: every filter it names must match. The most specific policy
    wins: naming the incident kind beats naming its risk area, which beats naming its severity, which
    beats no filter (see :func:`select_policy`)."""

    severities: list[Severity] = []
    incidents: list[Id] = []
    risk_areas: list[RiskArea] = Field(default=[], description="risk areas of the incidents it serves")


class Level(StrictModel):
    """One level of an escalation policy: who it pages and how long it waits for an acknowledgement."""

    timeout: Duration = Field(gt=0, description="how long to wait for an acknowledgement")
    targets: list[Target] = Field(min_length=1)


class EscalationPolicy(StrictModel):
    """Levels paged in turn until someone acknowledges; the whole policy runs again `repeat` times."""

    title: str | None = None
    applies_to: AppliesTo = AppliesTo()
    levels: list[Level] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=100, description="times the whole policy runs again")


Need = tuple[Literal["role", "skill"], str]  # what a playbook task needs: a role or a skill, by id


class Organisation(StrictModel):
    """The people, teams, decision authorities and escalation policies of an organisation."""

    id: Id
    name: str = Field(min_length=1)
    timezone: TimeZone = "UTC"
    defaults: PersonDefaults = PersonDefaults()
    teams: dict[Id, Team] = Field(min_length=1)
    people: dict[Id, Person] = Field(min_length=1)
    authorities: dict[Id, Authority] = {}
    schedules: dict[Id, Schedule] = Field(default={}, description="on-call schedules: layers and overrides")
    escalation: dict[Id, EscalationPolicy] = Field(min_length=1)

    def holders(self, role: str) -> list[str]:
        """People holding ``role``, in file order."""
        return [pid for pid, p in self.people.items() if role in p.roles]

    def with_skill(self, skill: str) -> list[str]:
        """People with ``skill``, in file order."""
        return [pid for pid, p in self.people.items() if skill in p.skills]

    def able(self, need: Need) -> list[str]:
        """People who can do what a task needs (``("role", id)`` or ``("skill", id)``), in file order."""
        kind, name = need
        return self.holders(name) if kind == "role" else self.with_skill(name)

    def deciders(self, authority: str) -> list[str]:
        """People who can take an authority's decision (hold any of its roles), in file order."""
        roles = set(self.authorities[authority].roles)
        return [pid for pid, p in self.people.items() if roles.intersection(p.roles)]

    def roles_held(self) -> set[str]:
        """Every role someone holds."""
        return {role for person in self.people.values() for role in person.roles}

    def skills_held(self) -> set[str]:
        """Every skill someone has."""
        return {skill for person in self.people.values() for skill in person.skills}

    def members(self, team: str) -> list[str]:
        return [pid for pid, p in self.people.items() if team in p.teams]

    def reachability_of(self, person: str) -> DutyReachability:
        return self.people[person].reachability or self.defaults.reachability

    def ack_delay_of(self, person: str) -> Any:
        return self.people[person].ack_delay or self.defaults.ack_delay

    def paging_delay_of(self, person: str) -> float:
        """Minutes every page to ``person`` takes to reach them (0 unless the file says otherwise)."""
        own = self.people[person].paging_delay
        return own if own is not None else self.defaults.paging_delay


def people_for(org: Organisation, target: AnyTarget) -> list[str]:
    """Everyone a target may page, in file order (for a rotation: its members, in rotation order; for
    a schedule: its layers' members in order, then the people of its overrides).

    The one resolution of targets to people: the compiled model turns it into indexes (escalation
    levels, complications keeping people away), and checks, the escalation graph, the structure
    analysis and ``--players`` read it as is. An unknown person resolves to nobody."""
    if isinstance(target, PersonTarget):
        return [target.person] if target.person in org.people else []
    if isinstance(target, RoleTarget):
        return org.holders(target.role)
    if isinstance(target, TeamTarget):
        return org.members(target.team)
    if isinstance(target, ScheduleTarget | LayerTarget):
        return [p for p in _schedule_people(org, target) if p in org.people]
    team_id = target.on_call if isinstance(target, OnCallTarget) else target.round_robin
    team = org.teams.get(team_id)
    if isinstance(target, OnCallTarget):
        rotation = team.on_call if team else None
        return [m for m in rotation.members if m in org.people] if rotation else []
    return org.members(team_id)


def describe_target(org: Organisation, target: AnyTarget) -> str:
    """A target in words, with how many people it stands for: "schedule sre-primary (9 people)",
    "on-call of team safety (4 people)", "Ana Ruiz"."""
    if isinstance(target, PersonTarget):
        person = org.people.get(target.person)
        return person.name if person else target.person
    what = {
        "role": "role",
        "team": "team",
        "on_call": "on-call of team",
        "schedule": "schedule",
        "layer": "layer",
        "round_robin": "round robin over team",
    }[target.wrapper_key]
    count = len(people_for(org, target))
    return f"{what} {getattr(target, target.scalar_field)} ({count} {'person' if count == 1 else 'people'})"


def _schedule_people(org: Organisation, target: ScheduleTarget | LayerTarget) -> list[str]:
    if isinstance(target, ScheduleTarget):
        schedule = org.schedules.get(target.schedule)
        return schedule.people() if schedule else []
    schedule_id, layer_id = target.parts
    schedule = org.schedules.get(schedule_id)
    layer = schedule.layers.get(layer_id) if schedule else None
    if schedule is None or layer is None:
        return []
    overrides = [o.person for o in schedule.overrides if o.layer == layer_id]
    return list(dict.fromkeys([*layer.members, *overrides]))


def select_policy(
    org: Organisation, incident: str, severity: str, risk_area: str | None
) -> tuple[str | None, str | None]:
    """The policy serving an incident of kind ``incident``, ``severity`` and ``risk_area`` (None: a
    hypothetical incident of no risk area, which no policy filtering by risk area serves):
    ``(policy id, None)``, or ``(None, why not)``.

    A policy serves the incident when every filter of its ``applies_to`` matches. Most specific wins,
    filter by filter: naming the incident kind outweighs everything else, then naming its risk area,
    then its severity; a catch-all comes last. Two equally specific matches are ambiguous.
    """
    scored: list[tuple[int, str]] = []
    for pid, policy in org.escalation.items():
        applies = policy.applies_to
        kinds, severities, areas = applies.incidents, applies.severities, applies.risk_areas
        if (
            (kinds and incident not in kinds)
            or (severities and severity not in severities)
            or (areas and risk_area not in areas)
        ):
            continue
        scored.append((4 * bool(kinds) + 2 * bool(areas) + bool(severities), pid))
    by_area = risk_area and any(p.applies_to.risk_areas for p in org.escalation.values())
    what = f"{severity}, {risk_area}" if by_area else severity
    if not scored:
        return None, f"no escalation policy applies to incident '{incident}' ({what})"
    best = max(score for score, _ in scored)
    winners = [pid for score, pid in scored if score == best]
    if len(winners) > 1:
        return (
            None,
            f"escalation policies {', '.join(winners)} all apply to '{incident}' ({what}); make one "
            "more specific",
        )
    return winners[0], None


def delegation_timeouts(policy: EscalationPolicy, tiers: int) -> list[float]:
    """How long a decision waits at each tier of its delegation order: the policy's level i timeout
    for tier i, the last level's for tiers beyond the policy's levels."""
    levels = policy.levels
    return [levels[min(i, len(levels) - 1)].timeout for i in range(tiers)]
