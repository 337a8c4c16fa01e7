"""Causes: where the time went in the incidents that missed an objective.

For every incident that misses an objective (its metric censored, or above the target), the measured
interval — detection (for a regulatory clock that starts later, the clock's start) to the milestone,
or to the horizon when the milestone was never reached — is cut into consecutive **segments** that
tile it exactly, each given to one part and one cause:

- ``waiting_for_ack``: the escalation policy's pages are out and nobody has acknowledged. The cause is
  the level being paged (the policy, the level, its targets), the detail the local hour band the level
  was paged in (organisation time zone) and the people it paged. After the last level and repeat, the
  level is None: the pages stay open, nobody is left to page.
- ``waiting_for_authority``: a task on the critical path is ready and waits for a decision. The cause is
  the decision, the detail the delegation tier being paged (its role, the people paged); tier None is
  the pause after every tier went unanswered, before the order is asked again.
- ``waiting_for_responder``: the task is ready (and decided) and nobody has started it. The cause is the
  role or skill it needs, the detail what held it up: a page out to someone not yet engaged
  (``paged``), or the person who eventually did it — else the first holder — ``busy`` on another task
  (of this incident or another), kept ``away`` by a complication, or ``free`` (held for someone else's
  page).
- ``working``: the task on the critical path is being worked. The cause is the task, the detail who.
- ``waiting_for_detection``: only for ``time_to_detect`` (occurrence → detection); the detail is the
  source that fired, or None when none did by the horizon.

**The critical path** is walked backwards from the end of the interval: the task whose completion
reached the milestone (the last of its tasks to finish), then the predecessor whose completion made
that task ready (the last of them to finish), and so on to a first task, ready at the acknowledgement;
before that, the acknowledgement wait. Each task on the path contributes, within the interval, its
authority wait, its responder wait and its working time. A milestone not reached by the horizon
(censored) is decomposed up to the horizon along the first unfinished task, in playbook order, among
those that gate it (and, when that task is not ready, its first unfinished predecessor). Incidents
never detected have no measured interval: they are counted (``undetected``), not decomposed.

Every segment is a difference of fact times along one chain, so a missed incident's segments add up
to its measured time (to floating-point rounding). Per objective and replication the minutes are
summed by (cause, detail); :class:`CauseTotals` folds replications in order (the same bytes for any
backend and worker count) into means per missed incident and shares of the missed time, each share
with a 95% interval over replications (the ratio estimator's delta method, as everywhere else).

It is a fold over the fact log, like the metrics, run in the replication's worker and only for
incidents that missed an objective.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import weakref
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from drillsim import facts as T
from drillsim.confidence import t_quantile_975
from drillsim.engine.complications import Complications
from drillsim.engine.model import AuthorityModel, KindModel, Model, TaskModel
from drillsim.experiments.stats import round4, rounded_interval
from drillsim.facts import Fact, ReasonKind
from drillsim.metrics import BREAKDOWN, IncidentFacts, IncidentMetrics, Tally
from drillsim.scenario.model import DECISION_METRIC, MOBILIZE_CONTAIN
from drillsim.scenario.organisation import (
    AnyTarget,
    LayerTarget,
    OnCallTarget,
    PersonTarget,
    RoleTarget,
    RoundRobinTarget,
    ScheduleTarget,
)
from drillsim.scoring import ScoredObjective, scored_objectives

DETECTION = "waiting_for_detection"
ACK, RESPONDER, AUTHORITY, WORKING = BREAKDOWN
PARTS = (DETECTION, *BREAKDOWN)
HOUR_BAND = 4  # hours: the ack wait's time of day is told in bands 00:00–04:00, 04:00–08:00, …
TOP_CAUSES = 8  # causes listed per objective in summary.json; the rest is "other"
TOP_DETAILS = 3  # details listed per cause

Key = tuple[str, ...]  # a cause or a detail: plain strings, "" for none (picklable, sortable)
INF = math.inf


@dataclass(slots=True)
class ObjectiveCauses:
    """One replication's missed incidents for one objective: how many, how many censored (decomposed to
    the horizon) or never detected (not decomposed), their measured minutes, and those minutes by part
    and by (cause, detail); ``incidents`` counts the missed incidents each cause took time from."""

    missed: int = 0
    censored: int = 0
    undetected: int = 0
    minutes: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    causes: dict[tuple[Key, Key], float] = field(default_factory=dict)
    incidents: dict[Key, int] = field(default_factory=dict)


ReplicationCauses = list[ObjectiveCauses | None]  # by objective, in the scenario's order


@dataclass(slots=True)
class Segment:
    """A stretch of a missed incident's measured time: ``part``, ``cause`` (its first element is the
    part), ``detail`` and the minutes."""

    part: str
    cause: Key
    detail: Key
    minutes: float


@dataclass(slots=True)
class Decomposition:
    """A missed incident's measured interval ``[start, end]`` (``end`` the horizon when ``censored``) as
    segments that tile it."""

    start: float
    end: float
    censored: bool
    segments: list[Segment]


@dataclass(slots=True)
class _Timeline:
    """What one incident's facts say beyond the metrics: the escalation's steps (time, level or None,
    people paged), each authority's steps, and the pages sent to recruit people for each task."""

    levels: list[tuple[float, int | None, tuple[int, ...]]] = field(default_factory=list)
    authorities: dict[str, list[tuple[float, int | None, tuple[int, ...]]]] = field(default_factory=dict)
    recruits: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    source: str = ""  # the detection source that fired ("fallback" for the fallback)


def _timelines(facts: list[Fact], wanted: set[int], detected: dict[int, float]) -> dict[int, _Timeline]:
    """The :class:`_Timeline` of each incident in ``wanted`` (detected at ``detected[number]``)."""
    lines = {number: _Timeline() for number in wanted}
    for number, line in lines.items():
        if number in detected:
            line.levels.append((detected[number], 1, ()))
    paged_kind, escalated, exhausted, needed = T.PAGED, T.ESCALATED, T.EXHAUSTED, T.DECISION_NEEDED
    own = [fact for fact in facts if fact[1] in wanted]  # a comprehension: the cheapest filter
    for time, number, _, kind, who, subject, reason in own:
        line = lines[number]
        if kind is paged_kind:
            assert reason is not None and who is not None
            if reason.kind is ReasonKind.TASK:
                line.recruits.setdefault(reason.task or "", []).append((time, who))
                continue
            if reason.kind is ReasonKind.SEVERITY:  # a new severity's first level: not the escalation
                continue
            steps = (
                line.levels if reason.kind is ReasonKind.LEVEL else line.authorities[reason.authority or ""]
            )
            at, step, people = steps[-1]
            if step != reason.step:  # an authority asked again after its order ran out: no ESCALATED
                steps.append((time, reason.step, (who,)))
            elif at == time:
                steps[-1] = (at, step, (*people, who))
        elif kind is escalated or kind is exhausted:
            assert reason is not None
            steps = (
                line.levels if reason.kind is ReasonKind.LEVEL else line.authorities[reason.authority or ""]
            )
            steps.append((time, reason.step, ()))
        elif kind is needed:
            line.authorities[subject] = [(time, 1, ())]
        elif kind is T.DETECTED:
            line.source = subject
    return lines


# A task someone worked: (start, end or INF when unfinished, incident number, incident kind id, task id).
_Work = tuple[float, float, int, str, str]


class Attribution:
    """Decomposes a replication's missed incidents, for one compiled model (built once per model:
    :func:`attribution`)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        scenario = model.scenario
        org = scenario.organisation
        self.objectives: list[ScoredObjective] = scored_objectives(scenario)
        self.zone = ZoneInfo(org.timezone)
        self.start = scenario.start
        self.ids = [p.id for p in model.people]
        self.tasks = {kid: {t.id: t for t in kind.tasks} for kid, kind in model.kinds.items()}
        # per incident kind, the objectives applying to it (index, metric, target): ScoredObjective.outcome
        self.applying = {
            kid: [(i, o.metric, o.target) for i, o in enumerate(self.objectives) if kid in o.kinds]
            for kid in model.kinds
        }

    def replication(self, facts: list[Fact], tally: Tally, rows: list[IncidentMetrics]) -> ReplicationCauses:
        """Every objective's missed incidents of one replication, decomposed and summed."""
        applying = self.applying
        missed = [
            (index, row)
            for row in rows
            for index, metric, target in applying[row.kind]
            if metric in row.values and ((value := row.values[metric]) is None or value > target)
        ]
        result: ReplicationCauses = [None] * len(self.objectives)
        if not missed:
            return result
        incidents = tally.incidents
        wanted = {row.number for _, row in missed}
        detected = {n: d for n in wanted if (d := incidents[n].detected) is not None}
        lines = _timelines(facts, wanted, detected)
        run = _Replication(self, incidents, lines, self.model.in_force(T.released_injects(facts)))
        done: dict[tuple[int, str], Decomposition | None] = {}
        for index, row in missed:
            metric = self.objectives[index].metric
            key = (row.number, metric)
            if key not in done:
                done[key] = run.decompose(incidents[row.number], metric)
            found = done[key]
            totals = result[index]
            if totals is None:
                totals = result[index] = ObjectiveCauses()
            totals.missed += 1
            if found is None:
                totals.undetected += 1
                continue
            totals.censored += found.censored
            totals.minutes += found.end - found.start
            seen: set[Key] = set()
            for segment in found.segments:
                totals.parts[segment.part] = totals.parts.get(segment.part, 0.0) + segment.minutes
                pair = (segment.cause, segment.detail)
                totals.causes[pair] = totals.causes.get(pair, 0.0) + segment.minutes
                seen.add(segment.cause)
            for cause in sorted(seen):
                totals.incidents[cause] = totals.incidents.get(cause, 0) + 1
        return result

    def hours(self, t: float) -> str:
        """The local hour band of scenario minute ``t``: ``"04:00–08:00"``."""
        hour = (self.start + dt.timedelta(minutes=t)).astimezone(self.zone).hour
        first = hour - hour % HOUR_BAND
        return f"{first:02d}:00–{first + HOUR_BAND:02d}:00"


_attributions: weakref.WeakKeyDictionary[Model, Attribution] = weakref.WeakKeyDictionary()


def attribution(model: Model) -> Attribution:
    """The model's :class:`Attribution`, built on first use."""
    found = _attributions.get(model)
    if found is None:
        found = _attributions[model] = Attribution(model)
    return found


def replication_causes(
    model: Model, facts: list[Fact], tally: Tally, rows: list[IncidentMetrics]
) -> ReplicationCauses:
    """The causes of one replication's missed objectives (see the module's docstring)."""
    return attribution(model).replication(facts, tally, rows)


class _Replication:
    """The decomposition of one replication's incidents: the tasks people worked (for what a responder
    was busy with) are gathered on first need."""

    def __init__(
        self,
        attribution: Attribution,
        incidents: dict[int, IncidentFacts],
        lines: dict[int, _Timeline],
        complications: Complications,
    ) -> None:
        self.a = attribution
        self.complications = complications  # in force in this replication
        self.incidents = incidents
        self.lines = lines
        self._work: dict[int, list[_Work]] = {}
        self._hours: dict[float, str] = {}

    def hours(self, t: float) -> str:
        """The attribution's local hour band of minute ``t``, remembered (every objective an incident
        misses asks again for the same pages)."""
        found = self._hours.get(t)
        if found is None:
            found = self._hours[t] = self.a.hours(t)
        return found

    def work(self, person: int) -> list[_Work]:
        """The tasks ``person`` worked in this replication, in incident order."""
        found = self._work.get(person)
        if found is None:
            found = self._work[person] = [
                (start, folded.done.get(task, INF), number, folded.kind.id, task)
                for number, folded in self.incidents.items()
                for task, (start, who) in folded.started.items()
                if who == person
            ]
        return found

    def decompose(self, incident: IncidentFacts, metric: str) -> Decomposition | None:
        """The segments of ``incident``'s measured time for ``metric``; None when never detected."""
        horizon = self.a.model.horizon
        if metric == "time_to_detect":
            end = incident.detected if incident.detected is not None else horizon
            source = self.lines[incident.number].source
            segment = Segment(DETECTION, (DETECTION, incident.kind.id), (source,), end - incident.occurred)
            return Decomposition(incident.occurred, end, incident.detected is None, [segment])
        if incident.detected is None:
            return None
        walk = _Walk(self, incident)
        end, task = walk.target(metric)
        walk.until(task, end)
        return Decomposition(walk.start, end, walk.censored, walk.segments)


class _Walk:
    """One missed incident's walk back along its critical path, emitting segments."""

    def __init__(self, run: _Replication, incident: IncidentFacts) -> None:
        self.run, self.a, self.incident = run, run.a, incident
        self.kind: KindModel = incident.kind
        self.tasks = self.a.tasks[self.kind.id]
        self.line = run.lines[incident.number]
        self.segments: list[Segment] = []
        self.censored = False
        assert incident.detected is not None
        # where the measured time starts: detection, or a later-starting clock's start (see target)
        self.start: float = incident.detected

    # ── where the interval ends, and the task whose chain gates it ─────────────────────────────────
    def target(self, metric: str) -> tuple[float, TaskModel | None]:
        inc, kind, horizon = self.incident, self.kind, self.a.model.horizon
        done = inc.done
        if metric == "time_to_acknowledge":
            return self._end(inc.acknowledged), None
        if metric == "time_to_engage":
            if inc.first_started is not None:
                earliest = min(inc.started, key=lambda tid: (inc.started[tid][0], self.tasks[tid].index))
                return inc.first_started, self.tasks[earliest]
            return self._end(None), self._first_unfinished(kind.roots, inc.started)
        if metric in ("time_to_mobilize", MOBILIZE_CONTAIN):
            needed_tasks = (
                kind.tasks if metric == "time_to_mobilize" else [kind.tasks[i] for i in kind.containment]
            )
            if all(t.id in inc.started for t in needed_tasks):
                engaged, ids = inc.engaged_at, {t.id for t in needed_tasks}
                who, _ = max(
                    ((who, engaged.get(who, horizon)) for tid, (_, who) in inc.started.items() if tid in ids),
                    key=lambda item: item[1],
                )
                own = min(
                    (tid for tid, (_, by) in inc.started.items() if by == who and tid in ids),
                    key=lambda tid: (inc.started[tid][0], self.tasks[tid].index),
                )
                return engaged.get(who, horizon), self.tasks[own]
            return self._end(None), self._first_unfinished(needed_tasks, inc.started)
        if metric == "time_to_authority" or metric.startswith(DECISION_METRIC):
            named = metric.removeprefix(DECISION_METRIC) if metric.startswith(DECISION_METRIC) else None
            gated = [
                t for t in kind.tasks if t.decision is not None and (named is None or t.decision.id == named)
            ]
            needed = {t.decision.id for t in gated if t.decision is not None}
            decided = inc.decided
            if needed <= set(decided):
                last = max(sorted(needed), key=lambda aid: decided[aid])
                asking = [t for t in gated if t.decision is not None and t.decision.id == last]
                # the first of them to be ready asked for the decision
                first = min(
                    (t for t in asking if t.id in inc.ready), key=lambda t: (inc.ready[t.id], t.index)
                )
                return decided[last], first
            open_ = [t for t in gated if t.decision is not None and t.decision.id not in decided]
            return self._end(None), open_[0]
        if metric.startswith("time_to_notify:"):
            clock = metric.partition(":")[2]
            starts = kind.clock_starts.get(clock)
            if starts is not None:  # measured from the task or decision that starts the clock
                what, name = starts
                self.start = (done if what == "task" else inc.decided)[name]
            notifying = [t for t in kind.tasks if clock in t.notifies]
            notified = inc.notified.get(clock)
            if notified is not None:
                finished = [t for t in notifying if t.id in done]  # the first to finish notified
                return notified, min(finished, key=lambda t: (done[t.id], t.index))
            return self._end(None), self._first_unfinished(notifying, done)
        milestone = "contained" if metric == "time_to_contain" else "resolved"
        gating = [
            kind.tasks[i] for i in (kind.contained_by if milestone == "contained" else kind.resolved_by)
        ]
        reached = inc.milestones.get(milestone)
        if reached is not None:
            return reached, max(gating, key=lambda t: (done.get(t.id, -INF), t.index))
        return self._end(None), self._first_unfinished(gating, done)

    def _end(self, at: float | None) -> float:
        if at is None:
            self.censored = True
            return self.a.model.horizon
        return at

    @staticmethod
    def _first_unfinished(tasks: list[TaskModel], finished: dict[str, Any]) -> TaskModel | None:
        return next((t for t in tasks if t.id not in finished), None)

    # ── the walk ─────────────────────────────────────────────────────────────────────────────────
    def until(self, task: TaskModel | None, end: float) -> None:
        """Segments covering [start, end] along the chain that ends with ``task``, in time order
        (the walk goes backwards one task at a time; each task's segments are in time order)."""
        ready, done = self.incident.ready, self.incident.done
        chunks: list[list[Segment]] = []
        while task is not None:
            at = ready.get(task.id)
            if at is not None and end > at:
                self.segments = []
                self._phases(task, max(at, self.start), end)
                chunks.append(self.segments)
                end = at
            if not task.after or end <= self.start:
                break
            before = [self.kind.tasks[i] for i in task.after]
            if at is not None:  # the predecessor whose completion made it ready
                task = max(before, key=lambda t: (done.get(t.id, -INF), t.index))
            else:
                task = next((t for t in before if t.id not in done), None) or max(
                    before, key=lambda t: (done.get(t.id, -INF), t.index)
                )
        self.segments = []
        if end > self.start:
            self._acknowledgement(end)
        for chunk in reversed(chunks):
            self.segments.extend(chunk)

    def _acknowledgement(self, end: float) -> None:
        steps, policy = self.line.levels, self.kind.policy
        for i, (at, step, paged) in enumerate(steps):
            upto = steps[i + 1][0] if i + 1 < len(steps) else INF
            low, high = max(at, self.start), min(upto, end)
            if high > low:
                cause = (ACK, policy.id, "" if step is None else str(step))
                detail = (self.run.hours(at), ",".join(self.a.ids[p] for p in paged))
                self._emit(ACK, cause, detail, high - low)
        if not steps and end > self.start:  # cannot happen for a detected incident; kept whole
            self._emit(ACK, (ACK, policy.id, "1"), ("", ""), end - self.start)

    def _phases(self, task: TaskModel, ready: float, end: float) -> None:
        """The task's authority wait, responder wait and work within [ready, end]."""
        inc = self.incident
        staffed = ready
        if task.decision is not None:
            staffed = max(ready, inc.decided.get(task.decision.id, INF))
            if staffed > ready:
                self._authority(task.decision, ready, min(staffed, end))
        if end <= staffed:
            return
        started, who = inc.started.get(task.id, (INF, None))
        if started > staffed:
            self._responder(task, who, staffed, min(started, end))
        if end > started:
            doer = self.a.ids[who] if who is not None else ""
            self._emit(
                WORKING,
                (WORKING, self.kind.id, task.id),
                (doer,),
                min(inc.done.get(task.id, INF), end) - max(started, ready),
            )

    def _authority(self, authority: AuthorityModel, low: float, high: float) -> None:
        steps = self.line.authorities.get(authority.id) or [(low, 1, ())]
        cause = (AUTHORITY, authority.id)
        covered = low
        for i, (at, step, paged) in enumerate(steps):
            upto = steps[i + 1][0] if i + 1 < len(steps) else INF
            a, b = max(at, low), min(upto, high)
            if b > a:
                detail = ("" if step is None else str(step), ",".join(self.a.ids[p] for p in paged))
                self._emit(AUTHORITY, cause, detail, b - a)
                covered = b
        if high > covered:  # before the decision was asked (cannot happen: asked when first needed)
            self._emit(AUTHORITY, cause, ("", ""), high - covered)

    def _responder(self, task: TaskModel, doer: int | None, low: float, high: float) -> None:
        """[low, high]: the task is ready and decided, and nobody has started it. Cut where what held it
        up changes: a recruiting page out, the doer (or the first holder) busy, away or free."""
        run = self.run
        timeout = self.kind.policy.levels[0].timeout
        engaged = self.incident.engaged_at
        pages = []
        for at, person in self.line.recruits.get(task.id, ()):
            answered = engaged.get(person, INF)
            until = min(at + timeout, answered if answered >= at else INF)
            if until > low and at < high:
                pages.append((at, until, person))
        people = [doer] if doer is not None else list(task.candidates)
        cuts = {low, high}
        for at, until, _ in pages:
            cuts.update((at, until))
        for person in people:
            for start, end, *_ in run.work(person):
                cuts.update((start, end))
        for window in run.complications.windows:
            if window.people and any(p in window.people for p in people):
                cuts.update((window.start, window.end))
        points = sorted(t for t in cuts if low <= t <= high)
        cause = (RESPONDER, task.need)
        for a, b in itertools.pairwise(points):
            if b > a:
                self._emit(RESPONDER, cause, self._holding(a, pages, people), b - a)

    def _holding(self, t: float, pages: list[tuple[float, float, int]], people: list[int]) -> Key:
        """What held the task up at ``t``: (state, person, incident kind, task, same or other incident)."""
        ids = self.a.ids
        for at, until, person in reversed(pages):
            if at <= t < until:
                return ("paged", ids[person], "", "", "")
        for person in people:
            for start, end, number, kind, task in self.run.work(person):
                if start <= t < end:
                    same = "same" if number == self.incident.number else "other"
                    return ("busy", ids[person], kind, task, same)
        for person in people:
            if self.run.complications.unavailable(person, t):
                return ("away", ids[person], "", "", "")
        return ("free", ids[people[0]] if people else "", "", "", "")

    def _emit(self, part: str, cause: Key, detail: Key, minutes: float) -> None:
        if minutes > 0:
            self.segments.append(Segment(part, cause, detail, minutes))


# ── over replications ───────────────────────────────────────────────────────────────────────────────
@dataclass(slots=True)
class _Moments:
    """Σx, Σx² and Σxy over replications of a cause's minutes x, y the objective's missed minutes (a
    replication without the cause adds zeros, so causes first seen late need nothing special)."""

    x: float = 0.0
    xx: float = 0.0
    xy: float = 0.0

    def add(self, x: float, y: float) -> None:
        self.x += x
        self.xx += x * x
        self.xy += x * y


@dataclass(slots=True)
class _ObjectiveTotals:
    missed: int = 0
    censored: int = 0
    undetected: int = 0
    y: float = 0.0
    yy: float = 0.0
    parts: dict[str, _Moments] = field(default_factory=dict)
    causes: dict[Key, _Moments] = field(default_factory=dict)
    details: dict[tuple[Key, Key], float] = field(default_factory=dict)
    incidents: dict[Key, int] = field(default_factory=dict)


class CauseTotals:
    """The causes of every replication, folded in replication order (memory grows with the distinct
    causes, not with the replications)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.objectives = scored_objectives(model.scenario)
        self.replications = 0
        self._totals = [_ObjectiveTotals() for _ in self.objectives]

    def add(self, causes: ReplicationCauses) -> None:
        self.replications += 1
        for totals, found in zip(self._totals, causes, strict=True):
            y = found.minutes if found is not None else 0.0
            totals.y += y
            totals.yy += y * y
            if found is None:
                continue
            totals.missed += found.missed
            totals.censored += found.censored
            totals.undetected += found.undetected
            for part, minutes in found.parts.items():
                totals.parts.setdefault(part, _Moments()).add(minutes, y)
            by_cause: dict[Key, float] = {}
            for (cause, detail), minutes in found.causes.items():
                by_cause[cause] = by_cause.get(cause, 0.0) + minutes
                totals.details[cause, detail] = totals.details.get((cause, detail), 0.0) + minutes
            for cause, minutes in by_cause.items():
                totals.causes.setdefault(cause, _Moments()).add(minutes, y)
            for cause, count in found.incidents.items():
                totals.incidents[cause] = totals.incidents.get(cause, 0) + count

    def summary(self, ratings: dict[str, str | None]) -> dict[str, Any]:
        """summary.json's ``causes``; ``ratings`` are the objectives' ratings (below target: not P)."""
        org = self.model.scenario.organisation
        return {
            "timezone": org.timezone,
            "hour_band": HOUR_BAND,
            "objectives": [
                self._objective(objective, totals, ratings.get(objective.id))
                for objective, totals in zip(self.objectives, self._totals, strict=True)
            ],
        }

    def _objective(
        self, objective: ScoredObjective, totals: _ObjectiveTotals, rating: str | None
    ) -> dict[str, Any]:
        decomposed = totals.missed - totals.undetected
        per = max(decomposed, 1)
        y = totals.y

        def share(moments: _Moments) -> dict[str, Any]:
            return {
                "minutes": round4(moments.x / per),
                "share": round4(moments.x / y) if y else None,
                "ci95": rounded_interval(self._share_interval(moments, totals)),
            }

        ranked = sorted(totals.causes.items(), key=lambda item: (-item[1].x, item[0]))
        listed = ranked[:TOP_CAUSES]
        rest = sum(m.x for _, m in ranked[TOP_CAUSES:])
        causes = []
        for cause, moments in listed:
            details = sorted(
                ((d, m) for (c, d), m in totals.details.items() if c == cause),
                key=lambda item: (-item[1], item[0]),
            )
            causes.append(
                {"part": cause[0]}
                | self._subject(cause)
                | share(moments)
                | {
                    "incidents": round4(totals.incidents.get(cause, 0) / per),
                    "details": [
                        self._detail(cause, detail)
                        | {"minutes": round4(minutes / per), "share": round4(minutes / y) if y else None}
                        for detail, minutes in details[:TOP_DETAILS]
                    ],
                }
            )
        return {
            "id": objective.id,
            "metric": objective.metric,
            "target": objective.target,
            "rating": rating,
            "below_target": rating is not None and rating != "P",
            "missed": totals.missed,
            "censored": totals.censored,
            "undetected": totals.undetected,
            "minutes": round4(y / per) if decomposed else None,
            "parts": {part: share(totals.parts[part]) for part in PARTS if part in totals.parts},
            "causes": causes,
            "other": {"minutes": round4(rest / per), "share": round4(rest / y) if y else None},
        }

    def _share_interval(self, moments: _Moments, totals: _ObjectiveTotals) -> tuple[float, float] | None:
        """The 95% interval of Σx / Σy over replications: the ratio estimator's delta method, Student's
        t on R − 1 degrees of freedom, clipped to [0, 1]."""
        r = self.replications
        if r < 2 or not totals.y:
            return None
        share = moments.x / totals.y
        residual = moments.xx - 2 * share * moments.xy + share * share * totals.yy
        sd = math.sqrt(max(residual, 0.0) / (r - 1) * r) / totals.y
        half = t_quantile_975(r - 1) * sd
        return max(0.0, share - half), min(1.0, share + half)

    # ── causes and details as summary.json names them ───────────────────────────────────────────────
    def _subject(self, cause: Key) -> dict[str, Any]:
        part, org, model = cause[0], self.model.scenario.organisation, self.model
        if part == ACK:
            policy, level = cause[1], int(cause[2]) if cause[2] else None
            spec = org.escalation[policy].levels[level - 1] if level is not None else None
            return {
                "policy": policy,
                "level": level,
                "timeout": spec.timeout if spec is not None else None,
                "targets": [target_text(t) for t in spec.targets] if spec is not None else [],
            }
        if part == AUTHORITY:
            authority = org.authorities[cause[1]]
            return {"authority": cause[1], "title": authority.title, "roles": list(authority.roles)}
        if part == RESPONDER:
            kind, _, name = cause[1].partition(":")
            holders = org.holders(name) if kind == "role" else org.with_skill(name)
            return {"need": cause[1], "holders": holders}
        if part == WORKING:
            task = model.kinds[cause[1]].tasks
            found = next(t for t in task if t.id == cause[2])
            return {"incident": cause[1], "task": cause[2], "title": found.title, "need": found.need}
        return {"incident": cause[1]}

    def _detail(self, cause: Key, detail: Key) -> dict[str, Any]:
        part = cause[0]
        if part == ACK:
            return {"hours": detail[0], "paged": _people(detail[1])}
        if part == AUTHORITY:
            tier = int(detail[0]) if detail[0] else None
            roles = self.model.scenario.organisation.authorities[cause[1]].roles
            role = roles[tier - 1] if tier is not None and tier <= len(roles) else None
            return {"tier": tier, "role": role, "paged": _people(detail[1])}
        if part == RESPONDER:
            state, person, kind, task, same = detail
            return {
                "state": state,
                "person": person or None,
                "incident": kind or None,
                "task": task or None,
                "same_incident": (same == "same") if same else None,
            }
        if part == WORKING:
            return {"person": detail[0] or None}
        return {"source": detail[0] or None}


def _people(joined: str) -> list[str]:
    return joined.split(",") if joined else []


def target_text(target: AnyTarget) -> str:
    """An escalation target as people say it: ``schedule sre-primary``, ``role ciso``, ``team soc on
    call``, ``round robin of team soc``, ``layer soc/london``, ``person ana``."""
    if isinstance(target, PersonTarget):
        return f"person {target.person}"
    if isinstance(target, RoleTarget):
        return f"role {target.role}"
    if isinstance(target, OnCallTarget):
        return f"team {target.on_call} on call"
    if isinstance(target, ScheduleTarget):
        return f"schedule {target.schedule}"
    if isinstance(target, LayerTarget):
        return f"layer {target.layer}"
    if isinstance(target, RoundRobinTarget):
        return f"round robin of team {target.round_robin}"
    return f"team {target.team}"
