"""Escalation-structure analysis: worst-case reach times, single points of failure, paging load, and the
escalation graph as Mermaid or DOT (rendered by :mod:`drillsim.report.graphtext`; the terminal tables
are :mod:`drillsim.report.structure`).

Pure analysis of a scenario's organisation and playbooks: nothing is simulated, nobody's reachability
or acknowledgement delay is used. Times are minutes, as everywhere in drillsim.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

from drillsim.coverage import on_call_load
from drillsim.scenario.incidents import Task
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import (
    SEVERITIES,
    EscalationPolicy,
    Level,
    Organisation,
    RoleTarget,
    delegation_timeouts,
    people_for,
    select_policy,
)

# Not a valid id, so no policy can name it: select_policy matches it by severity or catch-all only.
_UNNAMED = "(an incident no policy names)"

K = TypeVar("K", bound=Hashable)
ReachKind = Literal["severity", "incident", "decision"]
LossKind = Literal["decision", "role", "skill", "policy"]


@dataclass(frozen=True)
class Step:
    """One level of a policy, or one tier of a decision (the holders of one role, in delegation order)."""

    label: str  # "level N", or the tier's role
    timeout: float  # minutes waited for an acknowledgement before the next step
    reached_after: float  # worst case: minutes from the first page until this step is paged
    pages: tuple[str, ...]  # person ids it may page; on_call and round_robin targets: every member


@dataclass(frozen=True)
class Reach:
    """How an escalation runs when nobody answers, for one severity, incident kind or decision.

    ``policy`` is None when no policy serves the subject (``unserved`` says why); there are then no
    steps and no times. ``last_step_after`` is the worst-case time to page the last step (every
    earlier step unanswered); ``no_answer_after`` is when the policy is exhausted, every step timed
    out ``repeat + 1`` times.
    """

    kind: ReachKind
    subject: str  # a severity, an incident kind, or an authority id
    incident: str | None  # for a decision: the incident kind asking for it
    policy: str | None
    unserved: str | None
    repeat: int
    hops: int
    steps: tuple[Step, ...]
    last_step_after: float | None
    no_answer_after: float | None


@dataclass(frozen=True)
class Loss:
    """Something left with nobody while one person is away."""

    kind: LossKind
    id: str
    needed_by: tuple[str, ...]  # tasks ("INCIDENT/TASK"); a policy: the severities and incidents it serves


@dataclass(frozen=True)
class SinglePoint:
    """A person whose absence leaves ``losses`` with nobody."""

    person: str
    name: str
    losses: tuple[Loss, ...]


@dataclass(frozen=True)
class SoleRole:
    """A role that matters (a task needs it, a policy targets it, an authority lists it) held by one
    person."""

    role: str
    person: str
    used_by: tuple[str, ...]  # "task INCIDENT/TASK", "policy ID level N", "authority ID"


@dataclass(frozen=True)
class Load:
    """The policies that can page a person, the schedules and team rotations (``team:ID``) that put
    them on call, and their on-call hours a week over all of them (shadowing included), as
    :func:`drillsim.coverage.on_call_load` counts them."""

    person: str
    name: str
    policies: tuple[str, ...]
    schedules: tuple[str, ...]
    on_call_hours: float


@dataclass(frozen=True)
class StructureReport:
    """Everything ``analyse`` finds. Sequences are in a fixed order, so equal scenarios give equal reports.

    ``reach``: severities sev1..sev4, then incident kinds, then decisions (per incident kind, in
    playbook order). ``single_points``: people with at least one loss, most losses first.
    ``sole_roles``: by role. ``load``: everyone who can be paged or is on a rotation, busiest first.
    """

    scenario: str
    organisation: str
    reach: tuple[Reach, ...]
    single_points: tuple[SinglePoint, ...]
    sole_roles: tuple[SoleRole, ...]
    load: tuple[Load, ...]

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (lists, not tuples), so it equals its own JSON round trip."""
        plain: dict[str, Any] = _plain(asdict(self))
        return plain


def analyse(scenario: Scenario) -> StructureReport:
    """The escalation structure of ``scenario``: reach times, single points of failure, load. (The
    escalation graph itself is ``scenario.graph.escalation_graph``; ``report.graphtext`` draws it.)"""
    org = scenario.organisation
    reach = _reach_all(scenario)
    return StructureReport(
        scenario=scenario.id,
        organisation=org.id,
        reach=reach,
        single_points=_single_points(scenario, reach),
        sole_roles=_sole_roles(scenario),
        load=_load(scenario),
    )


# ── Reach times ──────────────────────────────────────────────────────────────────────────────────────


def _level_pages(org: Organisation, level: Level) -> tuple[str, ...]:
    """Everyone a level may page, in target order, each once."""
    return tuple(dict.fromkeys(p for target in level.targets for p in people_for(org, target)))


def _reach_all(scenario: Scenario) -> tuple[Reach, ...]:
    org = scenario.organisation
    by_severity = [
        _policy_reach(org, "severity", sev, None, *_severity_policy(org, sev)) for sev in SEVERITIES
    ]
    by_incident = [
        _policy_reach(
            org, "incident", iid, None, *select_policy(org, iid, incident.severity, incident.risk_area)
        )
        for iid, incident in scenario.incidents.items()
    ]
    by_decision = [
        _decision_reach(org, iid, aid, *select_policy(org, iid, incident.severity, incident.risk_area))
        for iid, incident in scenario.incidents.items()
        for aid in dict.fromkeys(t.decision for t in incident.playbook.values() if t.decision)
    ]
    return (*by_severity, *by_incident, *by_decision)


def _severity_policy(org: Organisation, severity: str) -> tuple[str | None, str | None]:
    """The policy serving an incident of ``severity`` that no policy names, or (None, why not)."""
    policy_id, why = select_policy(org, _UNNAMED, severity, None)
    if why is not None:
        why = why.replace(f"incident '{_UNNAMED}' ({severity})", f"a {severity} incident")
        why = why.replace(f"'{_UNNAMED}' ({severity})", f"{severity} incidents")
    return policy_id, why


def _policy_reach(
    org: Organisation,
    kind: ReachKind,
    subject: str,
    incident: str | None,
    policy_id: str | None,
    unserved: str | None,
) -> Reach:
    if policy_id is None:
        return _unserved(kind, subject, incident, unserved)
    policy = org.escalation[policy_id]
    steps = [
        (f"level {i + 1}", level.timeout, _level_pages(org, level)) for i, level in enumerate(policy.levels)
    ]
    return _reach(kind, subject, incident, policy_id, policy, steps)


def _decision_reach(
    org: Organisation, incident: str, authority: str, policy_id: str | None, unserved: str | None
) -> Reach:
    """Tier i pages the holders of the authority's i-th role and waits the policy's level i timeout
    (the last level's beyond), as the simulator does."""
    if policy_id is None:
        return _unserved("decision", authority, incident, unserved)
    policy = org.escalation[policy_id]
    roles = org.authorities[authority].roles
    steps = [
        (role, timeout, tuple(org.holders(role)))
        for role, timeout in zip(roles, delegation_timeouts(policy, len(roles)), strict=True)
    ]
    return _reach("decision", authority, incident, policy_id, policy, steps)


def _reach(
    kind: ReachKind,
    subject: str,
    incident: str | None,
    policy_id: str,
    policy: EscalationPolicy,
    steps: list[tuple[str, float, tuple[str, ...]]],
) -> Reach:
    built: list[Step] = []
    elapsed = 0.0
    for label, timeout, pages in steps:
        built.append(Step(label, timeout, elapsed, pages))
        elapsed += timeout
    return Reach(
        kind,
        subject,
        incident,
        policy_id,
        None,
        policy.repeat,
        len(built),
        tuple(built),
        built[-1].reached_after,
        elapsed * (policy.repeat + 1),
    )


def _unserved(kind: ReachKind, subject: str, incident: str | None, why: str | None) -> Reach:
    return Reach(kind, subject, incident, None, why, 0, 0, (), None, None)


# ── Single points of failure ─────────────────────────────────────────────────────────────────────────


def _single_points(scenario: Scenario, reach: tuple[Reach, ...]) -> tuple[SinglePoint, ...]:
    """People whose absence leaves something with nobody, most losses first, then by id."""
    org = scenario.organisation
    losses: dict[str, list[Loss]] = {pid: [] for pid in org.people}
    for person, loss in (*_decision_losses(scenario), *_need_losses(scenario), *_policy_losses(org, reach)):
        losses[person].append(loss)
    ranked = sorted((pid for pid in org.people if losses[pid]), key=lambda pid: (-len(losses[pid]), pid))
    return tuple(SinglePoint(pid, org.people[pid].name, tuple(losses[pid])) for pid in ranked)


def _decision_losses(scenario: Scenario) -> Iterable[tuple[str, Loss]]:
    org = scenario.organisation
    gated = _tasks_by(scenario, lambda task: task.decision)
    for aid in sorted(org.authorities):
        holders = org.deciders(aid)
        if len(holders) == 1:
            yield holders[0], Loss("decision", aid, gated.get(aid, ()))


def _need_losses(scenario: Scenario) -> Iterable[tuple[str, Loss]]:
    org = scenario.organisation
    needs = _tasks_by(scenario, lambda task: task.need)
    for need in sorted(needs):
        holders = org.able(need)
        if len(holders) == 1:
            yield holders[0], Loss(need[0], need[1], needs[need])


def _policy_losses(org: Organisation, reach: tuple[Reach, ...]) -> Iterable[tuple[str, Loss]]:
    """Policies whose every level pages only one person (so, without them, nobody)."""
    for pid in sorted(org.escalation):
        paged = {p for level in org.escalation[pid].levels for p in _level_pages(org, level)}
        if len(paged) == 1:
            served = tuple(r.subject for r in reach if r.kind != "decision" and r.policy == pid)
            yield next(iter(paged)), Loss("policy", pid, served)


def _tasks_by(scenario: Scenario, key: Callable[[Task], K | None]) -> dict[K, tuple[str, ...]]:
    """Tasks ("INCIDENT/TASK", in scenario order) grouped by ``key``; tasks keyed None are left out."""
    found: dict[K, list[str]] = {}
    for iid, incident in scenario.incidents.items():
        for tid, task in incident.playbook.items():
            value = key(task)
            if value is not None:
                found.setdefault(value, []).append(f"{iid}/{tid}")
    return {value: tuple(tasks) for value, tasks in found.items()}


def _sole_roles(scenario: Scenario) -> tuple[SoleRole, ...]:
    """Roles held by exactly one person among those a task needs, a policy targets or an authority lists."""
    org = scenario.organisation
    by_role = _tasks_by(scenario, lambda task: task.role)
    uses = {role: [f"task {t}" for t in tasks] for role, tasks in by_role.items()}
    for pid, policy in org.escalation.items():
        for i, level in enumerate(policy.levels):
            for target in level.targets:
                if isinstance(target, RoleTarget):
                    uses.setdefault(target.role, []).append(f"policy {pid} level {i + 1}")
    for aid, authority in org.authorities.items():
        for role in authority.roles:
            uses.setdefault(role, []).append(f"authority {aid}")
    return tuple(
        SoleRole(role, org.holders(role)[0], tuple(dict.fromkeys(uses[role])))
        for role in sorted(uses)
        if len(org.holders(role)) == 1
    )


# ── Load ─────────────────────────────────────────────────────────────────────────────────────────────


def _load(scenario: Scenario) -> tuple[Load, ...]:
    """Everyone a policy can page or a schedule or team rotation puts on call: most policies, then most
    schedules, then most on-call hours, then by id."""
    org = scenario.organisation
    policies: dict[str, set[str]] = {pid: set() for pid in org.people}
    for policy_id, policy in org.escalation.items():
        for level in policy.levels:
            for person in _level_pages(org, level):
                policies[person].add(policy_id)
    on_call = {entry.person: entry for entry in on_call_load(scenario)}
    schedules = {
        pid: tuple(sorted(s.schedule for s in on_call[pid].schedules)) if pid in on_call else ()
        for pid in org.people
    }
    hours = {pid: on_call[pid].on_call + on_call[pid].shadow if pid in on_call else 0.0 for pid in org.people}
    busy = [pid for pid in org.people if policies[pid] or schedules[pid]]
    busy.sort(key=lambda pid: (-len(policies[pid]), -len(schedules[pid]), -hours[pid], pid))
    return tuple(
        Load(pid, org.people[pid].name, tuple(sorted(policies[pid])), schedules[pid], hours[pid])
        for pid in busy
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
