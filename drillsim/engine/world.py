"""One replication of the SimPy world: incidents occur, are detected, escalate, get worked.

The same World serves a Monte Carlo replication (run to the horizon in one go) and a live drill
(stepped to the wall clock, with some people played from the console through a different Cast).
It appends facts (plain tuples, see :data:`drillsim.facts.Fact`) to ``facts`` and nothing
else; metrics, screens and traces derive from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any, Protocol

import numpy as np
import simpy

from drillsim import facts as T
from drillsim.engine.complications import Window
from drillsim.engine.model import (
    ArrivalModel,
    AuthorityModel,
    ConditionModel,
    Key,
    KindModel,
    LevelModel,
    Model,
    PolicyModel,
    TaskModel,
    TriggerModel,
)
from drillsim.engine.staffing import Request, Staffing
from drillsim.facts import Fact, FactKind, PageReason
from drillsim.scenario.organisation import SEVERITIES, Severity, delegation_timeouts


class Streams(Protocol):
    """Keyed random streams: the same purpose always gives the same sequence for a replication."""

    def get(self, purpose: str) -> np.random.Generator: ...


Answer = float | simpy.Event | None


class Cast(Protocol):
    """Who answers pages and does the work: the simulator's samplers, or players in a live drill."""

    def acknowledgement(self, world: World, incident: Incident, person: int, why: PageReason) -> Answer:
        """When ``person`` acknowledges a page sent now for ``why``: a time known in advance
        (simulated), an event that succeeds when they do (a player), or None: never."""

    def work(self, world: World, incident: Incident, task: TaskModel, person: int) -> simpy.Event:
        """An event that succeeds when ``person`` finishes ``task``."""

    def noticing(self, world: World, incident: Incident) -> simpy.Event | None:
        """An event that succeeds if people notice ``incident`` before any detection source fires (a
        live drill's room), or None when only the sources can detect it."""


NOTICED = "the room"  # the detection source named when people noticed an incident first


class SimulatedCast:
    """Everyone is simulated: reachability, acknowledgement delays and durations are sampled."""

    def acknowledgement(self, world: World, incident: Incident, person: int, why: PageReason) -> Answer:
        """Reached with the person's on- or off-duty chance; answers after a sampled delay plus any
        paging delay in force, unless a complication keeps them away before then. When a conditional
        complication not yet decided could keep them away before then, the answer is an event that
        succeeds at that time only if it did not."""
        who, now, complications = world.model.people[person], world.env.now, world.complications
        chance = who.reach_on if who.reach_on == who.reach_off or who.on_duty(now) else who.reach_off
        reached = world.streams.get(who.reach_stream).random() < chance
        delay = who.ack(world.streams.get(who.ack_stream)) + complications.paging_delay(
            now, person, who.paging_delay
        )
        if not reached or complications.unavailable(person, now, now + delay):
            return None  # asleep, away, or called away before answering
        if world.undecided and world.may_keep_away(person, now, now + delay):
            return world.answer_unless_away(person, now, now + delay)
        return now + delay

    def work(self, world: World, incident: Incident, task: TaskModel, person: int) -> simpy.Event:
        """A timeout of the task's sampled duration."""
        return world.env.timeout(task.duration(world.streams.get(task.stream)))

    def noticing(self, world: World, incident: Incident) -> simpy.Event | None:
        """Nobody but the detection sources: None."""
        return None


class Incident:
    """One occurrence of an incident kind during a replication: the World's working state for it
    (who is engaged, tasks waiting on predecessors, tasks done, decisions asked for, its severity and
    the policy that serves it now, the happenings its kind watches that have happened, the triggers
    already decided on it, the incident whose trigger started it). Facts carry its ``number`` and
    kind id, never the Incident itself."""

    __slots__ = (
        "decided",
        "decisions",
        "detected",
        "done",
        "engaged",
        "kind",
        "number",
        "origin",
        "parent",
        "policy",
        "rank",
        "reached",
        "severity",
        "waiting_on",
    )

    def __init__(
        self, number: int, kind: KindModel, origin: str, parent: tuple[int, str] | None = None
    ) -> None:
        self.number, self.kind, self.origin, self.parent = number, kind, origin, parent
        self.engaged: set[int] = set()
        self.waiting_on = [len(t.after) for t in kind.tasks]
        self.done: set[int] = set()
        self.decisions: dict[str, simpy.Event] = {}
        self.severity, self.rank, self.policy = kind.severity, kind.rank, kind.policy
        self.detected = False
        self.reached: set[Key] = set()
        self.decided: set[str] = set()  # triggers that fired or drew not to, on this incident

    @property
    def resolved(self) -> bool:
        return self.done.issuperset(self.kind.resolved_by)


Step = tuple[float, Callable[[float], list[int]], PageReason]  # (timeout, who to page at time t, why)
ProcessGenerator = Generator[simpy.Event, Any, None]  # the body of a SimPy process
INCIDENT_BUDGET = 100_000  # incidents in one replication; beyond it a scenario would run (nearly) without end


def _always(people: list[int]) -> Callable[[float], list[int]]:
    """Who to page at any time: always ``people``."""
    return lambda t: people


class EventBudgetError(Exception):
    """A replication would make more incidents than INCIDENT_BUDGET (a huge rate over a long horizon)."""


def _trigger_over_budget(trigger: TriggerModel) -> EventBudgetError:
    return EventBudgetError(
        f"triggers.{trigger.id} ({trigger.parent} starts {trigger.starts}) makes more than "
        f"{INCIDENT_BUDGET:,} incidents in one replication; triggers that start each other in a loop "
        "need a probability below 1 (drillsim validate names the loop)"
    )


# The happening a fact is, for the kinds a trigger or a condition can watch (see engine.model.Key).
_MILESTONE_OF = {T.OCCURRED: "occurred", T.DETECTED: "detected", T.ACKNOWLEDGED: "acknowledged"}


def _happenings(kind: FactKind, who: int | None, subject: str) -> tuple[Key, ...]:
    if kind in _MILESTONE_OF:
        return (("milestone", _MILESTONE_OF[kind]),)
    if kind is T.MILESTONE:
        return (("milestone", subject),)
    if kind is T.TASK_DONE:
        return (("task", subject),)
    if kind is T.ENGAGED and who is not None:
        return (("person", who),)
    if kind is T.DECISION and who is not None:
        return (("decision", subject), ("person", who))
    return ()


def _over_budget(arrival: ArrivalModel) -> EventBudgetError:
    return EventBudgetError(
        f"arrivals[{arrival.index}] ({arrival.kind}, {arrival.rate * 60:g}/h until {arrival.end / 60:g}h) "
        "make more "
        f"than {INCIDENT_BUDGET:,} incidents in one replication; lower the rate or shorten the horizon"
    )


class World:
    """``facts`` is the log of what happened (see :mod:`drillsim.facts`), in time order."""

    def __init__(self, model: Model, streams: Streams, cast: Cast | None = None) -> None:
        self.model, self.streams = model, streams
        self.cast: Cast = cast or SimulatedCast()
        self.env = simpy.Environment(initial_time=0.0)  # times are float minutes from the start
        self.facts: list[Fact] = []
        self.incidents: list[Incident] = []
        self.round_robin: dict[str, int] = {}
        self._steps: dict[str, list[Step]] = {}  # escalation steps per policy, built on first use
        # the complications in force: the unconditional ones, plus each conditional one once released;
        # `undecided`: the conditional ones whose condition is not checked yet
        self.complications = model.complications
        self.undecided = [i for i in model.scripted if i.window is not None]
        self.staffing = Staffing(
            self.env,
            len(model.people),
            model.needs_of,
            lambda p, t: not self.complications.unavailable(p, t),
            self._recruit,
        )
        if model.scheduled:
            self.env.process(self._injects())
        if model.scripted:
            self.env.process(self._scripted())
        for arrival in model.arrivals:
            if arrival.rate * (arrival.end - arrival.start) > INCIDENT_BUDGET:  # fail fast on average alone
                raise _over_budget(arrival)
            self.env.process(self._arrivals(arrival))
        for window in model.complications.windows:
            self._returns(window)

    def run(self, until: float | None = None) -> None:
        """Advance to ``until`` (default: the horizon). Events at exactly ``until`` are left for the
        next call; asking for the present (or past) does nothing."""
        target = min(until if until is not None else self.model.horizon, self.model.horizon)
        if target > self.env.now:
            self.env.run(until=target)

    def settle(self) -> None:
        """Process every event due now (a live drill calls this after a player's action, so that an
        answer given while the clock is paused takes effect at once)."""
        while self.env.peek() <= self.env.now:
            self.env.step()

    def record(
        self,
        incident: Incident,
        kind: FactKind,
        who: int | None = None,
        subject: str = "",
        reason: PageReason | None = None,
    ) -> None:
        """Log a fact about ``incident``, now (and act on it if the incident's kind watches it)."""
        self.facts.append((self.env.now, incident.number, incident.kind.id, kind, who, subject, reason))
        if incident.kind.watched:
            self._happened(incident, kind, who, subject)

    def _happened(self, incident: Incident, kind: FactKind, who: int | None, subject: str) -> None:
        """Remember what the incident's kind watches; fire the triggers it starts, or start the time
        of those that fire when something does not happen."""
        watched = incident.kind.watched
        for key in _happenings(kind, who, subject):
            if key not in watched or key in incident.reached:
                continue
            incident.reached.add(key)
            for trigger in incident.kind.on.get(key, ()):
                self._fire(incident, trigger)
            for trigger in incident.kind.timers.get(key, ()):
                assert trigger.not_within is not None
                self.env.timeout(trigger.not_within).callbacks.append(self._deadline(incident, trigger))

    def _deadline(self, incident: Incident, trigger: TriggerModel) -> Callable[[object], None]:
        """What to do when ``trigger``'s time runs out: fire unless its event has happened (at that
        very moment too: the check runs after everything else due then)."""

        def check(_: object) -> None:
            if not trigger.event & incident.reached:
                self._fire(incident, trigger)

        def expired(_: object) -> None:
            self._after_due_now().callbacks.append(check)

        return expired

    def _fire(self, incident: Incident, trigger: TriggerModel) -> None:
        """Draw whether ``trigger`` fires on ``incident`` (once per incident) and, if it does, when
        its effect follows, from the stream of the trigger and the incident's number."""
        if trigger.id in incident.decided:
            return
        incident.decided.add(trigger.id)
        rng = self.streams.get(f"{trigger.stream}/{incident.number}")
        if not rng.random() < trigger.probability:
            return
        self.record(incident, T.BRANCHED, subject=trigger.id)
        delay = trigger.delay(rng)
        if delay > 0:
            self.env.timeout(delay).callbacks.append(lambda _: self._branch(incident, trigger))
        else:
            self._branch(incident, trigger)

    def _branch(self, incident: Incident, trigger: TriggerModel) -> None:
        """A fired trigger's effect: the watched incident's new severity, a new incident."""
        if trigger.severity is not None:
            self._set_severity(incident, trigger.severity)
        if trigger.starts is not None:
            if len(self.incidents) >= INCIDENT_BUDGET:
                raise _trigger_over_budget(trigger)
            self._occur(
                trigger.starts, f"trigger {trigger.id} of #{incident.number}", (incident.number, trigger.id)
            )

    def _set_severity(self, incident: Incident, severity: Severity) -> None:
        """``incident`` is now ``severity``; when that changes the policy serving it and the incident
        is detected and not resolved, the new policy's first level is paged (answers engage)."""
        if severity == incident.severity:
            return
        incident.severity, incident.rank = severity, SEVERITIES.index(severity)
        self.record(incident, T.SEVERITY, subject=severity)
        policy = incident.kind.policy_for[severity]
        if policy is incident.policy:
            return
        incident.policy = policy
        if incident.detected and not incident.resolved:
            _, who, _ = self._policy_steps(policy)[0]
            for person in who(self.env.now):
                self._page_to_engage(incident, person, policy.raised)

    def _page_to_engage(self, incident: Incident, person: int, why: PageReason) -> None:
        """Page ``person`` for ``why``; when they answer they join the response."""
        self.record(incident, T.PAGED, person, reason=why)
        answer = self.cast.acknowledgement(self, incident, person, why)
        if answer is None:
            return
        event = answer if isinstance(answer, simpy.Event) else self.env.timeout(answer - self.env.now)
        event.callbacks.append(lambda _: self._engage(incident, person))

    def record_scenario(self, kind: FactKind, subject: str) -> None:
        """Log a fact about the scenario rather than an incident (incident number ``facts.SCENARIO``)."""
        self.facts.append((self.env.now, T.SCENARIO, "", kind, None, subject, None))

    def _scripted(self) -> ProcessGenerator:
        """Conditional injects and severity injects, each at its time: a condition is checked (and its
        outcome recorded) before the inject takes effect."""
        for inject in self.model.scripted:
            if inject.at > self.env.now:
                yield self.env.timeout(inject.at - self.env.now)
            if inject.condition is not None:
                holds = self._holds(inject.condition)
                self.record_scenario(T.RELEASED if holds else T.WITHHELD, inject.id)
                if inject.window is not None:
                    self.undecided.remove(inject)
                if not holds:
                    continue
            if inject.window is not None:
                self.complications = self.complications.plus([inject.window])
                self._returns(inject.window)
            if inject.starts is not None:
                self._occur(inject.starts, f"inject {inject.id}")
            if inject.severity is not None:
                kind, severity = inject.severity
                for incident in [i for i in self.incidents if i.kind.id == kind and not i.resolved]:
                    self._set_severity(incident, severity)

    def _holds(self, condition: ConditionModel) -> bool:
        """Whether ``condition`` holds now: some incident (of its kinds) has reached one of its keys,
        or, negated, none has."""
        happened = any(
            condition.keys & incident.reached
            for incident in self.incidents
            if condition.kinds is None or incident.kind.id in condition.kinds
        )
        return happened != condition.negated

    def _injects(self) -> ProcessGenerator:
        """Incidents the scenario injects, each at its time."""
        for at, _, kind, inject in self.model.scheduled:
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self._occur(kind, f"inject {inject}")

    def _arrivals(self, arrival: ArrivalModel) -> ProcessGenerator:
        """Incidents arriving as a Poisson process, drawn one at a time from the arrival's stream."""
        rng = self.streams.get(f"arrivals/{arrival.index}")
        mean_gap = 1 / arrival.rate
        t = arrival.start + rng.exponential(mean_gap)
        while t < arrival.end:
            yield self.env.timeout(t - self.env.now)
            if len(self.incidents) >= INCIDENT_BUDGET:
                raise _over_budget(arrival)
            self._occur(arrival.kind, f"arrival {arrival.index}")
            t += rng.exponential(mean_gap)

    def _occur(self, kind: str, origin: str, parent: tuple[int, str] | None = None) -> None:
        """An incident occurs now; incidents are numbered in the order they occur. ``parent``: the
        number of the incident whose trigger (named second) started it."""
        incident = Incident(len(self.incidents), self.model.kinds[kind], origin, parent)
        self.incidents.append(incident)
        self.env.process(self._incident(incident))

    def _incident(self, incident: Incident) -> ProcessGenerator:
        env, kind = self.env, incident.kind
        self.record(incident, T.OCCURRED, subject=incident.origin)
        detection = self._detection(incident)
        noticing = self.cast.noticing(self, incident)
        if noticing is not None:  # a live drill: the room may notice it first
            found = env.timeout(*detection) if isinstance(detection, tuple) else detection
            fired = yield env.any_of([noticing, *([found] if found is not None else [])])
            source = NOTICED if noticing in fired or found is None else found.value
            if source is None:  # every source silenced, no fallback: only the room can notice it
                yield noticing
                source = NOTICED
        elif isinstance(detection, simpy.Process):
            source = yield detection
            if source is None:
                return  # undetected
        elif detection is None:
            return  # undetected: every milestone is censored
        else:
            delay, source = detection
            if delay > 0:
                yield env.timeout(delay)
        incident.detected = True
        self.record(incident, T.DETECTED, subject=source)
        policy = incident.policy
        acker = yield from self._escalate(
            incident, self._policy_steps(policy), policy.repeat, policy.escalation
        )
        if acker is None:
            return
        self.record(incident, T.ACKNOWLEDGED, acker)
        self._engage(incident, acker)
        roots = kind.roots
        for task in roots[1:]:
            env.process(self._tasks(incident, task))
        yield from self._tasks(incident, roots[0])

    def _policy_steps(self, policy: PolicyModel) -> list[Step]:
        """The escalation steps of ``policy``, built on first use."""
        steps = self._steps.get(policy.id)
        if steps is None:
            steps = self._steps[policy.id] = [
                (level.timeout, self._level_targets(level), level.reason) for level in policy.levels
            ]
        return steps

    def _detection(self, incident: Incident) -> tuple[float, str] | simpy.Process | None:
        """(delay, source) of the first source to fire, the fallback's, or None: never detected.

        When a conditional complication not yet decided could silence a source before it fires, the
        answer is only known then: a process that waits and returns the source (or None)."""
        kind, now, best = incident.kind, self.env.now, None
        doubtful: list[tuple[float, str]] = []  # sources firing before `best` that may be silenced
        for source in kind.sources:
            rng = self.streams.get(source.stream)
            fires, delay = rng.random() < source.probability, source.delay(rng)
            if (
                fires
                and not self.complications.source_disabled(source.id, now + delay)
                and (best is None or delay < best[0])
            ):
                if self.undecided and self._may_silence(source.id, now + delay):
                    doubtful.append((delay, source.id))
                else:
                    best = (delay, source.id)
        if doubtful:
            doubtful = sorted(d for d in doubtful if best is None or d[0] < best[0])
            if doubtful:
                return self.env.process(self._first_source(incident, doubtful, best))
        if best is None and kind.fallback is not None:
            best = (kind.fallback(self.streams.get(kind.fallback_stream)), "fallback")
        return best

    def _may_silence(self, source: str, t: float) -> bool:
        """Whether a conditional complication whose condition is not checked yet would silence
        ``source`` at ``t`` if released."""
        return any(i.window is not None and i.window.silences(source, t) for i in self.undecided)

    def _first_source(
        self, incident: Incident, doubtful: list[tuple[float, str]], best: tuple[float, str] | None
    ) -> Generator[simpy.Event, Any, str | None]:
        """Wait for each ``doubtful`` source in turn (earliest first) and return the first that fires
        unsilenced; failing that ``best``'s source at its time, or the fallback's at its time (at
        once when that has passed), or None: never detected."""
        env, occurred = self.env, self.env.now
        for delay, source in doubtful:
            if occurred + delay > env.now:
                yield env.timeout(occurred + delay - env.now)
            yield self._after_due_now()
            if not self.complications.source_disabled(source, occurred + delay):
                return source
        kind = incident.kind
        if best is None and kind.fallback is not None:
            best = (kind.fallback(self.streams.get(kind.fallback_stream)), "fallback")
        if best is None:
            return None
        if occurred + best[0] > env.now:
            yield env.timeout(occurred + best[0] - env.now)
        return best[1]

    def _level_targets(self, level: LevelModel) -> Callable[[float], list[int]]:
        """Who the level pages at time t, without repeats: schedules and round robins are asked then."""
        if all(target.schedule is None and target.round_robin is None for target in level.targets):
            return _always(list(dict.fromkeys(p for target in level.targets for p in target.people)))

        def targets(t: float) -> list[int]:
            people: list[int] = []
            for target in level.targets:
                if target.schedule is not None:
                    people.extend(target.schedule.on_call(t))
                elif target.round_robin is not None:
                    turn = self.round_robin.get(target.round_robin, 0)
                    self.round_robin[target.round_robin] = turn + 1
                    people.append(target.people[turn % len(target.people)])
                else:
                    people.extend(target.people)
            return list(dict.fromkeys(people))

        return targets

    def _escalate(
        self, incident: Incident, steps: list[Step], repeat: int, escalation: PageReason
    ) -> Generator[simpy.Event, Any, int | None]:
        """Page step by step until someone acknowledges; returns who, or None when nobody ever does
        (after recording ``escalation`` as exhausted).

        Pages stay open: an acknowledgement arriving after its level timed out still counts.
        Simulated answers are times known in advance, so a level costs one timeout event; players'
        answers are events, waited on alongside.
        """
        env, cast = self.env, self.cast
        first: tuple[float, int] | None = None  # the earliest answer known in advance: (time, person)
        players: list[simpy.Event] = []
        for round_ in range(repeat + 1):
            for index, (timeout, who, why) in enumerate(steps):
                if round_ or index:
                    self.record(incident, T.ESCALATED, reason=why)
                for person in who(env.now):
                    self.record(incident, T.PAGED, person, reason=why)
                    answer = cast.acknowledgement(self, incident, person, why)
                    if isinstance(answer, float):
                        if first is None or answer < first[0]:  # ties go to the first paged
                            first = (answer, person)
                    elif answer is not None:
                        players.append(answer)
                acker = yield from self._first_answer(first, players, env.now + timeout)
                if acker is not None:
                    return acker
        self.record(incident, T.EXHAUSTED, reason=escalation)
        return (yield from self._first_answer(first, players, math.inf))

    def _first_answer(
        self, first: tuple[float, int] | None, players: list[simpy.Event], deadline: float
    ) -> Generator[simpy.Event, Any, int | None]:
        """Wait until the first answer or ``deadline``; returns who answered, or None."""
        env = self.env
        until = deadline if first is None else min(deadline, first[0])
        if players:
            waits = [*players] if until == math.inf else [env.timeout(until - env.now), *players]
            yield env.any_of(waits)
            played = next((e for e in players if e.processed), None)
            if played is not None:
                return played.value
        elif until == math.inf:
            return None
        elif until > env.now:
            yield env.timeout(until - env.now)
        # compare with `until`, not env.now: now + (until - now) may round to just below until
        return first[1] if first is not None and first[0] <= until else None

    def _engage(self, incident: Incident, person: int) -> None:
        """``person`` joins the response to ``incident`` (recorded once)."""
        if person not in incident.engaged:
            incident.engaged.add(person)
            self.record(incident, T.ENGAGED, person)

    def _decision(self, incident: Incident, authority: AuthorityModel) -> simpy.Event:
        """An event that succeeds when someone allowed to take the decision has acknowledged.
        Asked once per incident; every task needing it waits on the same event."""
        if authority.id not in incident.decisions:
            incident.decisions[authority.id] = self.env.process(self._ask_authority(incident, authority))
        return incident.decisions[authority.id]

    def _ask_authority(
        self, incident: Incident, authority: AuthorityModel
    ) -> Generator[simpy.Event, Any, int]:
        """Page the authority's roles in delegation order until someone decides. When every level and
        repeat has gone unanswered, ask again after one more cycle: the gated tasks cannot go on
        without it, and a real incident commander keeps calling."""
        self.record(incident, T.DECISION_NEEDED, subject=authority.id)
        policy = incident.policy
        spec = self.model.scenario.organisation.escalation[policy.id]
        timeouts = delegation_timeouts(spec, len(authority.tiers))
        steps = [
            (timeout, _always(tier), reason)
            for timeout, tier, reason in zip(timeouts, authority.tiers, authority.reasons, strict=True)
        ]
        while True:
            who = yield from self._escalate(incident, steps, policy.repeat, authority.escalation)
            if who is not None:
                break
            yield self.env.timeout(sum(timeouts))
        self.record(incident, T.DECISION, who, authority.id)
        return who

    def _tasks(self, incident: Incident, task: TaskModel) -> ProcessGenerator:
        """Work ``task``, then carry on with the first successor it makes ready (other ready
        successors get processes of their own): a chain of tasks costs one process."""
        while True:
            self.record(incident, T.TASK_READY, subject=task.id)
            if task.decision is not None:
                yield self._decision(incident, task.decision)
            person = self.staffing.request(incident, task)
            if not isinstance(person, int):
                person = yield person
            self.record(incident, T.TASK_STARTED, person, task.id)
            yield self.cast.work(self, incident, task, person)
            self.record(incident, T.TASK_DONE, person, task.id)
            self.staffing.release(person)
            ready = self._finished(incident, task, person)
            if not ready:
                return
            for other in ready[1:]:
                self.env.process(self._tasks(incident, other))
            task = ready[0]

    def _finished(self, incident: Incident, task: TaskModel, person: int) -> list[TaskModel]:
        """Record what finishing ``task`` achieved; returns the successors now ready."""
        incident.done.add(task.index)
        for clock in task.notifies:
            self.record(incident, T.NOTIFIED, person, clock)
        kind = incident.kind
        if task.index in kind.contained_by and incident.done.issuperset(kind.contained_by):
            self.record(incident, T.MILESTONE, subject="contained")
        if task.index in kind.resolved_by and incident.done.issuperset(kind.resolved_by):
            self.record(incident, T.MILESTONE, subject="resolved")
        if task.severity is not None:
            self._set_severity(incident, task.severity)
        ready = []
        for successor in task.successors:
            incident.waiting_on[successor.index] -= 1
            if incident.waiting_on[successor.index] == 0:
                ready.append(successor)
        return ready

    def _recruit(self, request: Request, person: int) -> None:
        """Page ``person`` for a task. Unanswered within the first level's timeout, the task looks for
        someone else; an answer arriving later still engages the person on the incident.

        Driven by callbacks rather than a process: most tasks that need someone not yet engaged
        page them, and a simulated answer is known in advance."""
        incident, env, why = request.incident, self.env, request.task.reason
        self.record(incident, T.PAGED, person, reason=why)
        answer = self.cast.acknowledgement(self, incident, person, why)
        deadline = env.now + incident.policy.levels[0].timeout
        decided = False

        def answered(_: object = None) -> None:
            nonlocal decided
            self._engage(incident, person)
            if decided:  # too late for this task: free for whatever else is waiting
                self.staffing.poke(person)
            else:
                decided = True
                self.staffing.recruited(request, person)

        def timed_out(_: object) -> None:
            nonlocal decided
            if not decided:
                decided = True
                self.staffing.not_recruited(request, person)

        if isinstance(answer, simpy.Event):  # a player: whichever comes first
            answer.callbacks.append(answered)
        elif answer is not None:
            if answer <= deadline:  # an answer exactly at the timeout still counts
                if answer == env.now:
                    answered()
                else:
                    env.timeout(answer - env.now).callbacks.append(answered)
                return
            env.timeout(answer - env.now).callbacks.append(answered)
        env.timeout(deadline - env.now).callbacks.append(timed_out)

    def may_keep_away(self, person: int, t: float, until: float) -> bool:
        """Whether a conditional complication whose condition is not checked yet would keep ``person``
        away at some moment of [t, until] if released."""
        return any(i.window is not None and i.window.keeps_away(person, t, until) for i in self.undecided)

    def answer_unless_away(self, person: int, t: float, at: float) -> simpy.Event:
        """An event that succeeds (with ``person``) at ``at`` unless by then a complication released
        since keeps them away at some moment of [t, at]. It is decided after everything else due at
        ``at``, so that a complication starting at that very time is released first."""
        answer = self.env.event()

        def decide(_: object) -> None:
            if not self.complications.unavailable(person, t, at):
                answer.succeed(person)

        self.env.timeout(at - self.env.now).callbacks.append(
            lambda _: self._after_due_now().callbacks.append(decide)
        )
        return answer

    def _after_due_now(self) -> simpy.Event:
        """An event processed now, after every event already due now."""
        return self.env.event().succeed()

    def _returns(self, window: Window) -> None:
        """When ``window`` keeps people away and ends before the horizon, offer them to the waiting
        tasks then."""
        if window.people and window.end < self.model.horizon:
            self.env.process(self._availability_returns(window.end, window.people))

    def _availability_returns(self, at: float, people: frozenset[int]) -> ProcessGenerator:
        """At ``at``, offer the people a complication kept away to the waiting tasks."""
        yield self.env.timeout(at - self.env.now)
        for person in sorted(people):
            self.staffing.poke(person)
