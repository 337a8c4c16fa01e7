"""The compiled model: a validated Scenario resolved into plain, slotted objects for the event loop.

References become integer indexes, distributions become samplers, escalation targets become lists
of people (or a rotation to ask at page time). Compiling happens once per run; every replication
and every live drill step reads the same Model.
"""

from __future__ import annotations

import datetime as dt
import graphlib

from drillsim.engine.calendar import HoursClock, RotationClock
from drillsim.engine.samplers import Sampler, compile_distribution
from drillsim.scenario.model import ComplicationInject, IncidentInject, Scenario
from drillsim.scenario.organisation import (
    SEVERITIES,
    AnyTarget,
    OnCallTarget,
    Organisation,
    RoundRobinTarget,
    people_for,
    select_policy,
)
from drillsim.scenario.regimes import BUILTIN_REGIMES

DEFAULT_HORIZON = 30 * 1440.0  # minutes: a month, when the scenario sets no horizon


class PersonModel:
    __slots__ = ("index", "id", "name", "roles", "skills", "reach_on", "reach_off", "ack", "hours", "rotations",
                 "reach_stream", "ack_stream")

    def __init__(self, index: int, pid: str, org: Organisation, start: dt.datetime) -> None:
        person = org.people[pid]
        reach = org.reachability_of(pid)
        self.index, self.id, self.name = index, pid, person.name
        self.roles, self.skills = frozenset(person.roles), frozenset(person.skills)
        self.reach_on, self.reach_off = reach.on_duty, reach.off_duty
        self.ack: Sampler = compile_distribution(org.ack_delay_of(pid))
        self.hours = HoursClock(person.working_hours, org.timezone, start) if person.working_hours else None
        self.rotations: list[RotationClock] = []
        self.reach_stream, self.ack_stream = f"reach/{pid}", f"ack/{pid}"  # random stream purposes

    def on_duty(self, t: float) -> bool:
        """On call now, or inside working hours; someone with neither is always on duty."""
        if self.hours is None and not self.rotations:
            return True
        if self.hours is not None and self.hours.on_duty(t):
            return True
        return any(r.on_call(t) == self.index for r in self.rotations)


class TargetModel:
    """Who a level target pages at time t: a rotation's on-call, the next of ``people`` in a round robin,
    or all of ``people``. ``people`` is everyone it may page, in :func:`people_for`'s order."""

    __slots__ = ("people", "rotation", "round_robin")

    def __init__(self, people: list[int], rotation: RotationClock | None = None, round_robin: str | None = None):
        self.people, self.rotation, self.round_robin = people, rotation, round_robin


class LevelModel:
    __slots__ = ("timeout", "targets")

    def __init__(self, timeout: float, targets: list[TargetModel]) -> None:
        self.timeout, self.targets = timeout, targets


class PolicyModel:
    __slots__ = ("id", "levels", "repeat")

    def __init__(self, pid: str, levels: list[LevelModel], repeat: int) -> None:
        self.id, self.levels, self.repeat = pid, levels, repeat


class AuthorityModel:
    """A decision and who may take it: tiers of people, one tier per role, in delegation order."""

    __slots__ = ("id", "title", "tiers")

    def __init__(self, aid: str, title: str, tiers: list[list[int]]) -> None:
        self.id, self.title, self.tiers = aid, title, tiers


class SourceModel:
    __slots__ = ("id", "probability", "delay", "stream")

    def __init__(self, sid: str, probability: float, delay: Sampler, stream: str) -> None:
        self.id, self.probability, self.delay = sid, probability, delay
        self.stream = stream  # random stream purpose


class TaskModel:
    __slots__ = ("index", "id", "title", "need", "candidates", "duration", "after", "decision", "milestone", "notifies",
                 "successors", "stream")

    def __init__(self, index: int, tid: str, title: str, need: str, candidates: tuple[int, ...], duration: Sampler,
                 after: tuple[int, ...], decision: AuthorityModel | None, milestone: str | None,
                 notifies: tuple[str, ...]) -> None:
        self.index, self.id, self.title, self.need, self.candidates = index, tid, title, need, candidates
        self.duration, self.after, self.decision = duration, after, decision
        self.milestone, self.notifies = milestone, notifies
        self.successors: list[TaskModel] = []  # filled once every task exists
        self.stream = ""  # random stream purpose, set by the kind


class KindModel:
    """An incident kind, compiled. ``tasks`` are in an order where predecessors come first."""

    __slots__ = ("id", "title", "severity", "rank", "sources", "fallback", "fallback_stream", "tasks", "roots", "policy",
                 "clocks", "resolved_by", "contained_by", "decision_of")

    def __init__(self, kid: str, title: str, severity: str, sources: list[SourceModel], fallback: Sampler | None,
                 tasks: list[TaskModel], policy: PolicyModel, clocks: dict[str, float]) -> None:
        self.id, self.title, self.severity = kid, title, severity
        self.rank = SEVERITIES.index(severity)  # 0 is the most severe: served first
        self.sources, self.fallback, self.tasks, self.policy, self.clocks = sources, fallback, tasks, policy, clocks
        self.fallback_stream = f"detect/{kid}/fallback"  # random stream purpose
        self.roots = [t for t in tasks if not t.after]  # ready as soon as the incident is acknowledged
        marked = [t.index for t in tasks if t.milestone == "resolved"]
        self.resolved_by = tuple(marked or (t.index for t in tasks))
        self.contained_by = tuple(t.index for t in tasks if t.milestone == "contained")
        self.decision_of = {t.id: t.decision.id for t in tasks if t.decision}  # task id → authority it waits for


class Window:
    """A complication in force from ``start`` to ``end``."""

    __slots__ = ("start", "end", "people", "delay", "source")

    def __init__(self, start: float, end: float, people: frozenset[int] = frozenset(), delay: float = 0.0,
                 source: str | None = None) -> None:
        self.start, self.end, self.people, self.delay, self.source = start, end, people, delay, source


class ArrivalModel:
    __slots__ = ("index", "kind", "rate", "start", "end")

    def __init__(self, index: int, kind: str, rate: float, start: float, end: float) -> None:
        self.index, self.kind, self.rate, self.start, self.end = index, kind, rate, start, end


class Model:
    """Everything one replication needs, resolved. Built by :func:`compile_scenario`."""

    def __init__(self, scenario: Scenario) -> None:
        org = scenario.organisation
        self.scenario = scenario
        self.horizon = scenario.horizon or DEFAULT_HORIZON
        self.people = [PersonModel(i, pid, org, scenario.start) for i, pid in enumerate(org.people)]
        self.index = {p.id: p.index for p in self.people}
        # per person, the staffing queues (task needs) they can serve
        self.needs_of = [[f"role:{r}" for r in p.roles] + [f"skill:{s}" for s in p.skills] for p in self.people]
        self.rotations = {tid: RotationClock(team.on_call, [self.index[m] for m in team.on_call.members], scenario.start)
                          for tid, team in org.teams.items() if team.on_call is not None}
        for rotation in self.rotations.values():
            for member in set(rotation.members):
                self.people[member].rotations.append(rotation)
        self.authorities = {aid: AuthorityModel(aid, a.title, [[self.index[p] for p in org.holders(r)] for r in a.roles])
                            for aid, a in org.authorities.items()}
        self.policies = {pid: self._policy(pid) for pid in org.escalation}
        self.kinds = {kid: self._kind(kid) for kid in scenario.incidents}
        self.arrivals = [ArrivalModel(i, a.incident, a.rate, a.start, min(a.until or self.horizon, self.horizon))
                         for i, a in enumerate(scenario.arrivals)]
        self.scheduled = sorted((i.at, n, i.incident, i.id) for n, i in enumerate(scenario.injects)
                                if isinstance(i, IncidentInject) and i.at <= self.horizon)
        self.windows = [self._window(i) for i in scenario.injects if isinstance(i, ComplicationInject)]
        self._away = [w for w in self.windows if w.people]
        self._delays = [w for w in self.windows if w.delay]
        self._disabled = [w for w in self.windows if w.source]

    def _policy(self, pid: str) -> PolicyModel:
        policy = self.scenario.organisation.escalation[pid]
        return PolicyModel(pid, [LevelModel(level.timeout, [self._target(t) for t in level.targets])
                                 for level in policy.levels], policy.repeat)

    def _target(self, target: AnyTarget) -> TargetModel:
        people = [self.index[p] for p in people_for(self.scenario.organisation, target)]
        if isinstance(target, OnCallTarget):
            return TargetModel(people, rotation=self.rotations[target.on_call])
        if isinstance(target, RoundRobinTarget):
            return TargetModel(people, round_robin=target.round_robin)
        return TargetModel(people)

    def _kind(self, kid: str) -> KindModel:
        kind = self.scenario.incidents[kid]
        org = self.scenario.organisation
        order = list(graphlib.TopologicalSorter({tid: t.after for tid, t in kind.playbook.items()}).static_order())
        position = {tid: i for i, tid in enumerate(order)}
        tasks = []
        for i, tid in enumerate(order):
            task = kind.playbook[tid]
            need = f"role:{task.role}" if task.role else f"skill:{task.skill}"
            holders = org.holders(task.role) if task.role else org.with_skill(task.skill or "")
            tasks.append(TaskModel(
                i, tid, task.title or tid, need, tuple(self.index[p] for p in holders),
                compile_distribution(task.duration), tuple(position[a] for a in task.after),
                self.authorities[task.decision] if task.decision else None, task.milestone, tuple(task.notifies)))
        for task in tasks:
            task.stream = f"task/{kid}/{task.id}"
            for before in task.after:
                tasks[before].successors.append(task)
        regimes = {**BUILTIN_REGIMES, **self.scenario.regimes}
        clocks = {ref: regimes[ref.split("/")[0]].clocks[ref.split("/")[1]].deadline for ref in kind.regulatory}
        policy_id, _ = select_policy(org, kid, kind.severity)
        assert policy_id is not None, "validated scenarios always have a policy"
        sources = [SourceModel(sid, s.probability, compile_distribution(s.delay), f"detect/{kid}/{sid}")
                   for sid, s in kind.detection.sources.items()]
        fallback = compile_distribution(kind.detection.fallback.delay) if kind.detection.fallback else None
        return KindModel(kid, kind.title, kind.severity, sources, fallback, tasks, self.policies[policy_id], clocks)

    def _window(self, inject: ComplicationInject) -> Window:
        end = inject.at + inject.for_ if inject.for_ is not None else float("inf")
        if inject.paging_delay is not None:
            return Window(inject.at, end, delay=inject.paging_delay)
        if inject.disable_source is not None:
            return Window(inject.at, end, source=inject.disable_source)
        assert inject.unavailable is not None, "validated complications have exactly one effect"
        people = people_for(self.scenario.organisation, inject.unavailable)
        return Window(inject.at, end, people=frozenset(self.index[p] for p in people))

    # Complications in force at time t.
    def unavailable(self, person: int, t: float, until: float | None = None) -> bool:
        """Kept away at ``t`` or, with ``until``, at any moment of [t, until)."""
        if not self._away:
            return False
        end = t if until is None else until
        return any(w.start <= end and t < w.end and person in w.people for w in self._away)

    def paging_delay(self, t: float) -> float:
        if not self._delays:
            return 0.0
        return max((w.delay for w in self._delays if w.start <= t < w.end), default=0.0)

    def source_disabled(self, source: str, t: float) -> bool:
        return bool(self._disabled) and any(w.source == source and w.start <= t < w.end for w in self._disabled)


def compile_scenario(scenario: Scenario) -> Model:
    return Model(scenario)
