"""The compiled model: a validated Scenario resolved into slotted dataclasses for the event loop.

References become integer indexes, distributions become samplers, escalation targets and
complications become lists of people (resolved by the scenario's own ``people_for``, then turned into
indexes), with a rotation or a round robin to ask at page time. Compiling happens once per run; every
replication and every live drill step reads the same Model, which nothing changes after compiling.
"""

from __future__ import annotations

import datetime as dt
import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from drillsim.engine.calendar import HoursClock, OnCallClock
from drillsim.engine.complications import Complications, Window
from drillsim.engine.samplers import Sampler, compile_distribution
from drillsim.facts import PageReason, ReasonKind
from drillsim.scenario.dynamics import Condition, Happening, Trigger
from drillsim.scenario.model import (
    DECISION_METRIC,
    ComplicationInject,
    IncidentInject,
    Inject,
    Scenario,
    SeverityInject,
    opt_in_metric,
)
from drillsim.scenario.oncall import LayerClock, ScheduleClock, schedule_clocks, timeline
from drillsim.scenario.organisation import (
    SEVERITIES,
    AnyTarget,
    LayerTarget,
    OnCallTarget,
    Organisation,
    RoundRobinTarget,
    ScheduleTarget,
    Severity,
    people_for,
    select_policy,
)
from drillsim.scenario.regimes import BUILTIN_REGIMES


@dataclass(frozen=True, slots=True, eq=False)
class PersonModel:
    """A person, compiled. ``index`` is their place in ``Model.people`` (file order); ``reach_on`` and
    ``reach_off`` are the chances a page reaches them on and off duty; ``ack`` samples minutes from page
    to acknowledgement, once the page has reached them (``paging_delay`` minutes after it went out);
    ``hours`` is None for someone without working hours; ``schedules`` are the schedules and team
    rotations that can put them on call. ``reach_stream`` and ``ack_stream`` name their random
    streams."""

    index: int
    id: str
    name: str
    roles: frozenset[str]
    skills: frozenset[str]
    reach_on: float
    reach_off: float
    ack: Sampler
    hours: HoursClock | None
    schedules: tuple[OnCallClock, ...]
    reach_stream: str
    ack_stream: str
    paging_delay: float = 0.0  # minutes every page takes to reach them

    def on_duty(self, t: float) -> bool:
        """On call now (or shadowing), or inside working hours; someone with neither is always on duty."""
        if self.hours is None and not self.schedules:
            return True
        if self.hours is not None and self.hours.on_duty(t):
            return True
        return any(self.index in s.on_call(t) for s in self.schedules)


@dataclass(frozen=True, slots=True, eq=False)
class TargetModel:
    """Who a level target pages at time t: whoever ``schedule`` has on call then (a schedule, one of its
    layers, or a team's rotation); the next of ``people`` in turn when ``round_robin`` names the team
    taking turns; otherwise all of ``people``. ``people`` is everyone the target may page, in
    :func:`people_for`'s order."""

    people: list[int]
    schedule: OnCallClock | None = None
    round_robin: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class LevelModel:
    """One escalation level: its targets are paged together, for ``reason``, then ``timeout`` minutes
    pass before the next level (an acknowledgement arriving later still counts)."""

    timeout: float
    targets: list[TargetModel]
    reason: PageReason


@dataclass(frozen=True, slots=True, eq=False)
class PolicyModel:
    """An escalation policy: ``levels`` in order, the whole run ``repeat`` more times when nobody answers.
    ``escalation`` names the whole run (what EXHAUSTED reports); ``raised`` is why its first level is
    paged when a severity change chose it for an incident already detected."""

    id: str
    levels: list[LevelModel]
    repeat: int
    escalation: PageReason
    raised: PageReason


@dataclass(frozen=True, slots=True, eq=False)
class AuthorityModel:
    """A decision and who may take it: tiers of people (indexes), one tier per role, in delegation order,
    each paged for its own reason in ``reasons``; ``escalation`` names the whole delegation order (what
    EXHAUSTED reports)."""

    id: str
    title: str
    tiers: list[list[int]]
    reasons: tuple[PageReason, ...]
    escalation: PageReason


@dataclass(frozen=True, slots=True, eq=False)
class SourceModel:
    """A detection source: fires with ``probability``, after ``delay`` minutes, drawing from ``stream``."""

    id: str
    probability: float
    delay: Sampler
    stream: str


@dataclass(slots=True, eq=False)
class TaskModel:
    """A playbook task, compiled. ``index`` is its place in ``KindModel.tasks``; ``need`` names the
    staffing queue ("role:X" or "skill:Y") and ``candidates`` who can do it, in file order; ``after``
    holds the indexes of its predecessors and ``successors`` the tasks waiting on it (filled once every
    task exists, and never changed after compiling); ``decision`` is the authority it waits for, if any.
    ``duration`` samples minutes of work from ``stream``; once done it sets the incident's severity to
    ``severity``, if any. Someone not yet engaged is paged for it for ``reason`` (derived on creation)."""

    index: int
    id: str
    title: str
    need: str
    candidates: tuple[int, ...]
    duration: Sampler
    after: tuple[int, ...]
    decision: AuthorityModel | None
    milestone: str | None
    notifies: tuple[str, ...]
    stream: str
    severity: Severity | None = None
    successors: list[TaskModel] = field(default_factory=list)
    reason: PageReason = field(init=False)

    def __post_init__(self) -> None:
        self.reason = PageReason(ReasonKind.TASK, task=self.id)


@dataclass(slots=True, eq=False)
class KindModel:
    """An incident kind, compiled. ``tasks`` are in an order where predecessors come first.

    Derived on creation: ``rank`` (0 is the most severe: served first), ``roots`` (ready as soon as the
    incident is acknowledged), ``resolved_by`` and ``contained_by`` (the task indexes whose completion
    reaches each milestone: the tasks marked so, and for resolution every task when none is marked),
    ``containment`` (the tasks up to containment: the tasks marked ``contained`` and every task they wait
    for, directly or not) and ``decision_of`` (task id → the authority it waits for).

    ``policy_for`` maps each severity some policy serves the kind at to that policy (``policy`` is
    the one for ``severity``). Filled by the Model when the scenario has dynamics: ``watched`` (the
    happenings an incident of this kind remembers, see :data:`Key`), ``on`` (happening → triggers
    it fires) and ``timers`` (happening → ``not_within`` triggers whose time starts then)."""

    id: str
    title: str
    severity: Severity
    sources: list[SourceModel]
    fallback: Sampler | None
    tasks: list[TaskModel]
    policy: PolicyModel
    clocks: dict[str, float]  # regulatory clock ("REGIME/CLOCK") → deadline in minutes from its start
    policy_for: dict[Severity, PolicyModel]
    # the clocks that do not start at detection → ("task", task id) or ("decision", authority id)
    clock_starts: dict[str, tuple[str, str]] = field(default_factory=dict)
    # opt-in metrics objectives ask for: time_to_decision/AUTHORITY for these authorities (those the
    # kind's tasks wait for), and time_to_mobilize_contain
    timed_decisions: tuple[str, ...] = ()
    mobilize_contain: bool = False
    watched: frozenset[Key] = frozenset()
    on: dict[Key, tuple[TriggerModel, ...]] = field(default_factory=dict)
    timers: dict[Key, tuple[TriggerModel, ...]] = field(default_factory=dict)
    fallback_stream: str = field(init=False)
    rank: int = field(init=False)
    roots: list[TaskModel] = field(init=False)
    resolved_by: tuple[int, ...] = field(init=False)
    contained_by: tuple[int, ...] = field(init=False)
    containment: tuple[int, ...] = field(init=False)
    decision_of: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        tasks = self.tasks
        self.fallback_stream = f"detect/{self.id}/fallback"  # random stream purpose
        self.rank = SEVERITIES.index(self.severity)
        self.roots = [t for t in tasks if not t.after]
        marked = [t.index for t in tasks if t.milestone == "resolved"]
        self.resolved_by = tuple(marked or (t.index for t in tasks))
        self.contained_by = tuple(t.index for t in tasks if t.milestone == "contained")
        needed = set(self.contained_by)
        for task in reversed(tasks):  # predecessors come first, so walk back from the last
            if task.index in needed:
                needed.update(task.after)
        self.containment = tuple(sorted(needed))
        self.decision_of = {t.id: t.decision.id for t in tasks if t.decision}


# A happening an incident can remember: ("milestone", occurred|detected|acknowledged|contained|resolved),
# ("task", task id) done, ("decision", authority id) taken, ("person", person index) acknowledged a page.
Key = tuple[str, str | int]


def happening_keys(org: Organisation, index: dict[str, int], happening: Happening) -> frozenset[Key]:
    """The keys any of which means ``happening`` happened (one per person for ``acknowledged``)."""
    if happening.milestone is not None:
        return frozenset({("milestone", happening.milestone)})
    if happening.task is not None:
        return frozenset({("task", happening.task)})
    if happening.decision is not None:
        return frozenset({("decision", happening.decision)})
    assert happening.acknowledged is not None, "validated happenings have exactly one"
    return frozenset(("person", index[p]) for p in people_for(org, happening.acknowledged))


@dataclass(frozen=True, slots=True, eq=False)
class TriggerModel:
    """``scenario.triggers[id]``, compiled: it watches incidents of kind ``parent`` for any of
    ``event``; with ``not_within`` it fires when none has happened that many minutes after ``since``.
    Firing draws ``random() < probability`` and then ``delay`` from the stream ``stream/NUMBER`` (the
    watched incident's number); its effect starts ``starts`` and/or sets the severity ``severity``."""

    id: str
    parent: str
    event: frozenset[Key]
    not_within: float | None
    since: Key
    probability: float
    delay: Sampler
    starts: str | None
    severity: Severity | None
    stream: str


@dataclass(frozen=True, slots=True, eq=False)
class ConditionModel:
    """An inject's condition, compiled: whether any incident (of ``kinds``; None: any kind) has reached
    any of ``keys`` — released when that is true, or when it is false if ``negated``."""

    kinds: frozenset[str] | None
    keys: frozenset[Key]
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class ScriptedInject:
    """An inject the World acts on besides the unconditional incident injects and complications: at
    ``at`` it checks ``condition`` (recording RELEASED or WITHHELD), then starts an incident of kind
    ``starts``, sets the open incidents of kind ``severity[0]`` to severity ``severity[1]`` or puts
    the complication ``window`` in force."""

    at: float
    id: str
    condition: ConditionModel | None
    starts: str | None = None
    severity: tuple[str, Severity] | None = None
    window: Window | None = None


@dataclass(frozen=True, slots=True, eq=False)
class ArrivalModel:
    """``scenario.arrivals[index]``: incidents of ``kind`` arriving as a Poisson process at ``rate`` per
    minute from ``start`` until ``end`` (never past the horizon)."""

    index: int
    kind: str
    rate: float
    start: float
    end: float


class Model:
    """Everything one replication needs, resolved. Built by :func:`compile_scenario`; read-only after."""

    def __init__(self, scenario: Scenario) -> None:
        org = scenario.organisation
        self.scenario = scenario
        self.horizon = scenario.run_length
        self.index = {pid: i for i, pid in enumerate(org.people)}
        # who is on call, over the whole run: schedules by id, team rotations as "team:ID", layers as
        # "SCHEDULE/LAYER" (compiled when a target asks for one)
        self._calendar = schedule_clocks(org, scenario.start)
        self._until = scenario.start + dt.timedelta(minutes=self.horizon)
        self.schedules = {key: self._on_call(clock) for key, clock in self._calendar.items()}
        # per person, the schedules and rotations that decide their duty (in schedule order)
        schedules_of: list[list[OnCallClock]] = [[] for _ in org.people]
        for clock in self.schedules.values():
            for member in clock.members:
                schedules_of[member].append(clock)
        self.people = [self._person(pid, tuple(schedules_of[i])) for i, pid in enumerate(org.people)]
        # per person, the staffing queues (task needs) they can serve
        self.needs_of = [
            [f"role:{r}" for r in p.roles] + [f"skill:{s}" for s in p.skills] for p in self.people
        ]
        self.authorities = {aid: self._authority(aid) for aid in org.authorities}
        self.policies = {pid: self._policy(pid) for pid in org.escalation}
        # metrics only computed when an objective asks for them (so that a scenario without such an
        # objective measures exactly what it always did): time_to_mobilize_contain and
        # time_to_decision/AUTHORITY, in the order objectives name them
        self.extra_metrics = tuple(
            dict.fromkeys(o.metric for o in scenario.objectives.values() if opt_in_metric(o.metric))
        )
        self.timed_decisions = tuple(
            m.removeprefix(DECISION_METRIC) for m in self.extra_metrics if m.startswith(DECISION_METRIC)
        )
        self.kinds = {kid: self._kind(kid) for kid in scenario.incidents}
        self.arrivals = [
            ArrivalModel(i, a.incident, a.rate, a.start, min(a.until or self.horizon, self.horizon))
            for i, a in enumerate(scenario.arrivals)
        ]
        self.scheduled = sorted(
            (i.at, n, i.incident, i.id)
            for n, i in enumerate(scenario.injects)
            if isinstance(i, IncidentInject) and i.condition is None and i.at <= self.horizon
        )
        self.triggers = [self._trigger(tid, t) for tid, t in scenario.triggers.items()]
        self.scripted = [
            self._scripted(i)
            for i in sorted(scenario.injects, key=lambda i: i.at)  # stable: file order on a tie
            if (i.condition is not None or isinstance(i, SeverityInject)) and i.at <= self.horizon
        ]
        self._watch()
        # whether an incident's severity can change while it runs (metrics.csv then says at which
        # severity each milestone was reached)
        self.changes_severity = (
            any(t.severity is not None for t in self.triggers)
            or any(i.severity is not None for i in self.scripted)
            or any(t.severity is not None for k in self.kinds.values() for t in k.tasks)
        )
        complications = [i for i in scenario.injects if isinstance(i, ComplicationInject)]
        # the unconditional complications, in force whatever happens; the conditional ones by inject id
        self.complications = Complications(
            len(self.people), [self._window(i) for i in complications if i.condition is None]
        )
        self.conditional = {i.id: w for i in self.scripted if (w := i.window) is not None}

    def _person(self, pid: str, schedules: tuple[OnCallClock, ...]) -> PersonModel:
        org, index = self.scenario.organisation, self.index[pid]
        person, reach = org.people[pid], org.reachability_of(pid)
        working = person.working_hours
        hours = HoursClock(working, org.timezone, self.scenario.start) if working is not None else None
        return PersonModel(
            index,
            pid,
            person.name,
            frozenset(person.roles),
            frozenset(person.skills),
            reach.on_duty,
            reach.off_duty,
            compile_distribution(org.ack_delay_of(pid)),
            hours,
            schedules,
            f"reach/{pid}",
            f"ack/{pid}",
            org.paging_delay_of(pid),
        )  # random stream purposes

    def _on_call(self, clock: ScheduleClock | LayerClock) -> OnCallClock:
        """A schedule's (or a layer's) handovers from the start to the horizon, in minutes."""
        return OnCallClock(
            timeline(clock, self.scenario.start, self._until), self.index, self.scenario.start, clock.roster()
        )

    def _authority(self, aid: str) -> AuthorityModel:
        org = self.scenario.organisation
        authority = org.authorities[aid]
        tiers = [[self.index[p] for p in org.holders(role)] for role in authority.roles]
        reasons = tuple(
            PageReason(ReasonKind.AUTHORITY, step, authority=aid) for step in range(1, len(tiers) + 1)
        )
        whole = PageReason(ReasonKind.AUTHORITY, authority=aid)
        return AuthorityModel(aid, authority.title, tiers, reasons, whole)

    def _policy(self, pid: str) -> PolicyModel:
        policy = self.scenario.organisation.escalation[pid]
        levels = [
            LevelModel(
                level.timeout, [self._target(t) for t in level.targets], PageReason(ReasonKind.LEVEL, step)
            )
            for step, level in enumerate(policy.levels, start=1)
        ]
        return PolicyModel(
            pid,
            levels,
            policy.repeat,
            PageReason(ReasonKind.LEVEL),
            PageReason(ReasonKind.SEVERITY, 1, policy=pid),
        )

    def _target(self, target: AnyTarget) -> TargetModel:
        people = [self.index[p] for p in people_for(self.scenario.organisation, target)]
        if isinstance(target, OnCallTarget):
            return TargetModel(people, schedule=self.schedules[f"team:{target.on_call}"])
        if isinstance(target, ScheduleTarget):
            return TargetModel(people, schedule=self.schedules[target.schedule])
        if isinstance(target, LayerTarget):
            if target.layer not in self.schedules:
                schedule_id, layer_id = target.parts
                self.schedules[target.layer] = self._on_call(self._calendar[schedule_id].layers[layer_id])
            return TargetModel(people, schedule=self.schedules[target.layer])
        if isinstance(target, RoundRobinTarget):
            return TargetModel(people, round_robin=target.round_robin)
        return TargetModel(people)

    def _kind(self, kid: str) -> KindModel:
        kind = self.scenario.incidents[kid]
        org = self.scenario.organisation
        order = list(
            graphlib.TopologicalSorter({tid: t.after for tid, t in kind.playbook.items()}).static_order()
        )
        position = {tid: i for i, tid in enumerate(order)}
        tasks = []
        for i, tid in enumerate(order):
            spec = kind.playbook[tid]
            need = f"role:{spec.role}" if spec.role else f"skill:{spec.skill}"
            holders = org.holders(spec.role) if spec.role else org.with_skill(spec.skill or "")
            tasks.append(
                TaskModel(
                    i,
                    tid,
                    spec.title or tid,
                    need,
                    tuple(self.index[p] for p in holders),
                    compile_distribution(spec.duration),
                    tuple(position[a] for a in spec.after),
                    self.authorities[spec.decision] if spec.decision else None,
                    spec.milestone,
                    tuple(spec.notifies),
                    f"task/{kid}/{tid}",
                    spec.severity,
                )
            )  # random stream purpose
        for task in tasks:
            for before in task.after:
                tasks[before].successors.append(task)
        regimes = {**BUILTIN_REGIMES, **self.scenario.regimes}
        specs = {ref: regimes[ref.split("/")[0]].clocks[ref.split("/")[1]] for ref in kind.regulatory}
        clocks = {ref: spec.deadline for ref, spec in specs.items()}
        clock_starts = {ref: spec.start_event for ref, spec in specs.items() if spec.start_event is not None}
        decisions = {t.decision for t in kind.playbook.values() if t.decision}
        timed = tuple(a for a in self.timed_decisions if a in decisions)
        contains = "time_to_mobilize_contain" in self.extra_metrics and any(
            t.milestone == "contained" for t in kind.playbook.values()
        )
        policy_id, _ = select_policy(org, kid, kind.severity, kind.risk_area)
        assert policy_id is not None, "validated scenarios always have a policy"
        sources = [
            SourceModel(sid, s.probability, compile_distribution(s.delay), f"detect/{kid}/{sid}")
            for sid, s in kind.detection.sources.items()
        ]
        fallback = compile_distribution(kind.detection.fallback.delay) if kind.detection.fallback else None
        policy_for = {
            severity: self.policies[pid]
            for severity in SEVERITIES
            if (pid := select_policy(org, kid, severity, kind.risk_area)[0]) is not None
        }
        return KindModel(
            kid,
            kind.title,
            kind.severity,
            sources,
            fallback,
            tasks,
            self.policies[policy_id],
            clocks,
            policy_for,
            clock_starts,
            timed,
            contains,
        )

    def _trigger(self, tid: str, trigger: Trigger) -> TriggerModel:
        org = self.scenario.organisation
        return TriggerModel(
            tid,
            str(trigger.when.incident),
            happening_keys(org, self.index, trigger.when),
            trigger.not_within,
            ("milestone", trigger.since),
            trigger.probability,
            compile_distribution(trigger.delay),
            trigger.starts,
            trigger.severity,
            f"trigger/{tid}",
        )  # random stream purpose (and the watched incident's number)

    def _condition(self, condition: Condition) -> ConditionModel:
        happening = condition.happening
        kinds = frozenset({happening.incident}) if happening.incident is not None else None
        keys = happening_keys(self.scenario.organisation, self.index, happening)
        return ConditionModel(kinds, keys, condition.negated)

    def _scripted(self, inject: Inject) -> ScriptedInject:
        condition = self._condition(inject.condition) if inject.condition is not None else None
        if isinstance(inject, IncidentInject):
            return ScriptedInject(inject.at, inject.id, condition, starts=inject.incident)
        if isinstance(inject, SeverityInject):
            return ScriptedInject(
                inject.at, inject.id, condition, severity=(inject.incident, inject.severity)
            )
        if isinstance(inject, ComplicationInject):
            return ScriptedInject(inject.at, inject.id, condition, window=self._window(inject))
        return ScriptedInject(inject.at, inject.id, condition)

    def _watch(self) -> None:
        """Tell each kind which happenings its incidents remember and which triggers they fire."""
        watched: dict[str, set[Key]] = {kid: set() for kid in self.kinds}
        for trigger in self.triggers:
            kind = self.kinds[trigger.parent]
            watched[kind.id] |= trigger.event
            if trigger.not_within is None:
                for key in trigger.event:
                    kind.on[key] = (*kind.on.get(key, ()), trigger)
            else:
                watched[kind.id].add(trigger.since)
                kind.timers[trigger.since] = (*kind.timers.get(trigger.since, ()), trigger)
        for inject in self.scripted:
            if inject.condition is not None:
                for kid in inject.condition.kinds or self.kinds:
                    watched[kid] |= inject.condition.keys
        for kid, keys in watched.items():
            self.kinds[kid].watched = frozenset(keys)

    def _window(self, inject: ComplicationInject) -> Window:
        end = inject.at + inject.for_ if inject.for_ is not None else float("inf")
        if inject.paging_delay is not None:
            delayed = (
                frozenset(self.index[p] for p in people_for(self.scenario.organisation, inject.affects))
                if inject.affects is not None
                else None
            )
            return Window(inject.at, end, delay=inject.paging_delay, delayed=delayed)
        if inject.disable_source is not None:
            return Window(inject.at, end, source=inject.disable_source)
        assert inject.unavailable is not None, "validated complications have exactly one effect"
        people = people_for(self.scenario.organisation, inject.unavailable)
        return Window(inject.at, end, people=frozenset(self.index[p] for p in people))

    def in_force(self, released: Iterable[str]) -> Complications:
        """The complications in force in a replication where the conditional complications with the
        inject ids ``released`` were released."""
        if not self.conditional:
            return self.complications
        windows = [self.conditional[i] for i in released if i in self.conditional]
        return self.complications.plus(windows) if windows else self.complications


def compile_scenario(scenario: Scenario) -> Model:
    """The Model of a validated scenario (nothing is checked again here)."""
    return Model(scenario)
