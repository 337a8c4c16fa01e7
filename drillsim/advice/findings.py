"""What in a scenario's structure costs response time, found before anything is simulated.

A :class:`Finding` names something a change could act on — an escalation level, a decision, a role
or skill that tasks need, a person's on-call load — with an estimate of the minutes it costs per
incident and, in words, why. Candidate changes (:mod:`drillsim.advice.candidates`) are generated
from findings and tried in the order of :func:`priority`.

**The estimates only order the candidates; the simulation ranks the changes.** They read the
coverage window hour by hour (:class:`drillsim.coverage.DutyWeek`: who each level pages, who is on
duty) with each person's chance that a page reaches them on and off duty, and leave out
acknowledgement delays, complications, and the contention of concurrent incidents beyond one
queue per role or skill. Minutes are per incident, averaged over every incident a run expects
(injects, plus arrivals at their rate):

- **level** ``POLICY/N``: the time incidents spend waiting out level N's timeout because nobody it
  pages answers: its timeout × the chance every level up to it stays silent (× the runs again that
  ``repeat`` allows), for the share of incidents the policy serves. A last level followed by
  nothing costs nothing here (shortening it would change nothing).
- **decision** ``AUTHORITY``: the time spent paging its tiers in delegation order until someone
  answers (each tier waits its level's timeout; all silent, the order starts again), for the
  incidents that ask for it.
- **role** / **skill** ``ID``: per task needing it, the time to reach a holder (a first-level timeout
  for each round of pages nobody answers) and the time its holders are busy (one queue fed at the
  expected rate of incidents), for the incidents whose tasks need it.
- **load** ``PERSON``: on call more than half the week. It costs no time in the model (0 minutes),
  but spreading it is a change worth listing.

**Findings measured in a run** (:func:`measured`) come from summary.json's ``causes``
(:mod:`drillsim.experiments.causes`): in the incidents that missed an objective below its target, the
minutes spent waiting for acknowledgement at a policy level (``level:POLICY/N``), for a responder with a
role or skill (``role:ID``, ``skill:ID``) and for an authority (``decision:ID``). They are findings of the
same kinds and keys, with ``source="causes"``, and take the place of the estimate with the same key:
what the run measured outranks what the structure suggests. Their minutes are per incident of the
run, like the estimates' (a missed incident's minutes × the missed incidents ÷ every incident run; the
largest over the objectives that measured it), so the two kinds of finding are ordered together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from drillsim.coverage import DutyWeek, duty_week, on_call_load
from drillsim.metrics import METRICS, notify_metric
from drillsim.scenario.incidents import IncidentKind, Task
from drillsim.scenario.model import DECISION_METRIC, MOBILIZE_CONTAIN, IncidentInject, Scenario, opt_in_metric
from drillsim.scenario.organisation import (
    Need,
    Organisation,
    delegation_timeouts,
    select_policy,
)
from drillsim.scenario.units import humanize

FindingKind = Literal["level", "decision", "role", "skill", "load"]
HEAVY_LOAD = 84.0  # hours a week on call: more than half the week
SILENT_CAP = 0.95  # a chance of silence or a queue's load is capped here, so that waits stay finite
PRESSURE_SCALE = 10.0  # how much a finding on the path of objectives below target counts over the others


@dataclass(frozen=True)
class Finding:
    """Something that costs response time: its ``kind`` and ``subject`` (``POLICY/N`` for a level, an
    authority id, a role or skill id, a person id), the minutes per incident it is estimated (or
    measured) to cost, in words why, and the incident kinds and metrics it delays."""

    kind: FindingKind
    subject: str
    minutes: float
    evidence: str
    incidents: frozenset[str]
    metrics: frozenset[str]
    source: Literal["structure", "causes"] = "structure"

    @property
    def key(self) -> str:
        """``kind:subject``, e.g. ``level:sev1/1``, ``skill:forensics``: one finding per key."""
        return f"{self.kind}:{self.subject}"


def findings(scenario: Scenario, hours: ReachWeek | None = None) -> list[Finding]:
    """Every structural finding of ``scenario``, in a fixed order (levels, decisions, needs, load).
    ``hours``: the scenario's :class:`ReachWeek`, when the caller has it already."""
    hours = hours or ReachWeek(scenario)
    share = incident_shares(scenario)
    return [
        *_level_findings(scenario, hours, share),
        *_decision_findings(scenario, hours, share),
        *_need_findings(scenario, hours, share),
        *_load_findings(scenario),
    ]


def measured(found: Iterable[Finding], scenario: Scenario, summary: Mapping[str, Any]) -> list[Finding]:
    """``found`` with every finding the run's causes measured in its place (see the module's docstring),
    and the measured ones the structure did not find added after them; ``found`` unchanged when the
    summary has no causes (a run folder written before causes existed)."""
    causes = summary.get("causes")
    incidents = summary["replications"] * summary["incidents_per_replication"]
    if not causes or not incidents:
        return list(found)
    estimated = {f.key: f for f in found}
    taken: dict[str, Finding] = {}
    for objective in causes["objectives"]:
        if not objective["below_target"] or objective["id"] not in scenario.objectives:
            continue
        decomposed = objective["missed"] - objective["undetected"]
        kinds = frozenset(scenario.objectives[objective["id"]].incidents or scenario.incidents)
        for cause in objective["causes"]:
            subject = _measured_subject(cause)
            if subject is None:
                continue
            kind, name = subject
            key = f"{kind}:{name}"
            minutes = cause["minutes"] * decomposed / incidents
            if key in taken and taken[key].minutes >= minutes:
                continue
            structural = estimated.get(key)
            taken[key] = Finding(
                kind,
                name,
                minutes,
                f"measured: in the {decomposed:,} incidents that missed {objective['id']}, "
                f"{humanize(cause['minutes'])} each ({cause['share']:.0%} of their time) went "
                f"{_WAITING[cause['part']]} {_measured_what(kind, name)}",
                structural.incidents | kinds if structural else kinds,
                (structural.metrics if structural else frozenset()) | {objective["metric"]},
                "causes",
            )
    return [taken.pop(f.key, f) for f in found] + sorted(taken.values(), key=lambda f: (-f.minutes, f.key))


_WAITING = {
    "waiting_for_ack": "waiting for acknowledgement at",
    "waiting_for_responder": "waiting for someone with",
    "waiting_for_authority": "waiting for",
}


def _measured_subject(cause: Mapping[str, Any]) -> tuple[FindingKind, str] | None:
    """The finding a cause of summary.json's ``causes`` measures: (kind, subject), or None for what no
    change of the structure acts on here (work, detection, pages still open after the last level)."""
    part = cause["part"]
    if part == "waiting_for_ack" and cause.get("level") is not None:
        return "level", f"{cause['policy']}/{cause['level']}"
    if part == "waiting_for_authority":
        return "decision", cause["authority"]
    if part == "waiting_for_responder" and cause.get("need"):
        kind, _, name = cause["need"].partition(":")
        if kind in ("role", "skill"):
            return ("role" if kind == "role" else "skill"), name
    return None


def _measured_what(kind: FindingKind, name: str) -> str:
    policy, _, level = name.rpartition("/")
    return {
        "level": f"level {level} of policy {policy}",
        "decision": f"the decision {name}",
        "role": f"the role {name}",
        "skill": f"the skill {name}",
    }.get(kind, name)


def priority(finding: Finding, scenario: Scenario, summary: Mapping[str, Any] | None) -> float:
    """How soon candidates from ``finding`` are tried: its minutes, raised by how far the objectives it
    delays fall below their P threshold in ``summary`` (a run's summary.json; None: not known)."""
    return finding.minutes * (1 + PRESSURE_SCALE * pressure(finding, scenario, summary))


def pressure(finding: Finding, scenario: Scenario, summary: Mapping[str, Any] | None) -> float:
    """The weighted shortfall below the P threshold of the objectives ``finding`` delays (0 to 1): the sum
    of weight × (P − share met) over them, divided by the sum of every objective's weight."""
    if summary is None or not scenario.objectives:
        return 0.0
    threshold = scenario.ratings.P
    total = sum(o.weight for o in scenario.objectives.values())
    short = 0.0
    for row in summary.get("objectives", []):
        objective = scenario.objectives.get(row["id"])
        if objective is None or row.get("p_met") is None:
            continue
        kinds = set(objective.incidents or scenario.incidents)
        if row["metric"] in finding.metrics and kinds & finding.incidents:
            short += objective.weight * max(0.0, threshold - row["p_met"])
    return short / total


def expected_incidents(scenario: Scenario) -> dict[str, float]:
    """How many incidents of each kind a run expects: its injects up to the horizon, and its arrivals
    at their rate."""
    expected = dict.fromkeys(scenario.incidents, 0.0)
    horizon = scenario.run_length
    for inject in scenario.injects:
        if isinstance(inject, IncidentInject) and inject.at <= horizon:
            expected[inject.incident] += 1
    for arrival in scenario.arrivals:
        end = min(arrival.until or horizon, horizon)
        expected[arrival.incident] += arrival.rate * max(0.0, end - arrival.start)
    return expected


def incident_shares(scenario: Scenario) -> dict[str, float]:
    """Each incident kind's share of the incidents a run expects (equal shares when none is expected)."""
    expected = expected_incidents(scenario)
    total = sum(expected.values())
    if total <= 0:
        return dict.fromkeys(expected, 1 / len(expected))
    return {kid: count / total for kid, count in expected.items()}


class ReachWeek:
    """The coverage window span by span (:attr:`DutyWeek.spans`), with each person's chance that a page
    reaches them on and off duty."""

    def __init__(self, scenario: Scenario) -> None:
        org = scenario.organisation
        self.week: DutyWeek = duty_week(scenario)
        self.spans = self.week.spans
        self.total = sum(hours for _, hours, _ in self.spans) or 1.0
        self.weeks = self.total / 168
        self.reach = {pid: org.reachability_of(pid) for pid in org.people}

    def silent(self, people: Iterable[str], on_duty: frozenset[str]) -> float:
        """The chance a page to ``people`` reaches none of them (1 for nobody)."""
        chance = 1.0
        for person in people:
            reach = self.reach[person]
            chance *= 1 - (reach.on_duty if person in on_duty else reach.off_duty)
        return chance

    def mean(self, value: Callable[[frozenset[str]], float]) -> float:
        """``value(people on duty)`` averaged over the window, weighted by time."""
        return sum(hours * value(duty) for _, hours, duty in self.spans) / self.total

    def mean_silent(self, people: Iterable[str]) -> float:
        """The chance a page to ``people`` at a random moment of the window reaches none of them."""
        return self.mean(partial(self.silent, tuple(people)))

    def off_duty_hours(self, people: Iterable[str]) -> float:
        """Hours a week when none of ``people`` is on duty."""
        group = frozenset(people)
        return sum(hours for _, hours, duty in self.spans if duty.isdisjoint(group)) / self.weeks


# ── Levels ───────────────────────────────────────────────────────────────────────────────────────────


def served_by(scenario: Scenario) -> dict[str, list[str]]:
    """The incident kinds of the scenario each policy serves (policies serving none left out)."""
    org = scenario.organisation
    found: dict[str, list[str]] = {}
    for kid, kind in scenario.incidents.items():
        policy, _ = select_policy(org, kid, kind.severity, kind.risk_area)
        if policy is not None:
            found.setdefault(policy, []).append(kid)
    return found


def _level_findings(scenario: Scenario, hours: ReachWeek, share: dict[str, float]) -> Iterable[Finding]:
    org, week = scenario.organisation, hours.week
    for pid, kinds in served_by(scenario).items():
        policy = org.escalation[pid]
        weight = sum(share[k] for k in kinds)
        affected = _after_acknowledgement(scenario, kinds)
        # per span: its hours, who each level pages, and the chance each level stays silent
        spans = [
            (length, paged, [hours.silent(people, duty) for people in paged], duty)
            for start, length, duty in hours.spans
            for paged in [[week.paged(level, start) for level in policy.levels]]
        ]
        for index, level in enumerate(policy.levels):
            if index == len(policy.levels) - 1 and policy.repeat == 0:
                continue  # nothing follows the last level: its timeout delays nothing
            wasted = silence = gap = off = 0.0
            for length, paged, silent, duty in spans:
                every = math.prod(silent)
                runs = sum(min(every, SILENT_CAP) ** n for n in range(policy.repeat + 1))
                wasted += length * level.timeout * math.prod(silent[: index + 1]) * runs
                silence += length * silent[index]
                gap += length * (not paged[index])
                off += length * (bool(paged[index]) and duty.isdisjoint(paged[index]))
            minutes = weight * wasted / hours.total
            if minutes < 0.05:
                continue
            yield Finding(
                "level",
                f"{pid}/{index + 1}",
                minutes,
                f"level {index + 1} of policy {pid} ({_targets(level.targets)}, timeout "
                f"{humanize(level.timeout)}) goes unanswered {silence / hours.total:.0%} of the time"
                f"{_duty_note(gap / hours.weeks, off / hours.weeks)}; an estimated {humanize(minutes)} "
                "per incident is spent waiting out its timeout",
                frozenset(kinds),
                affected,
            )


def _duty_note(gap: float, off: float) -> str:
    parts = []
    if gap >= 0.05:
        parts.append(f"pages nobody {gap:.0f} h a week")
    if off >= 0.05:
        parts.append(f"pages only people off duty {off:.0f} h a week")
    return f" ({'; '.join(parts)})" if parts else ""


def _targets(targets: Iterable[Any]) -> str:
    return ", ".join(f"{t.wrapper_key} {getattr(t, t.scalar_field)}" for t in targets)


def _after_acknowledgement(scenario: Scenario, kinds: Iterable[str]) -> frozenset[str]:
    """Every metric an acknowledgement delays: all but detection, with the kinds' notification clocks."""
    clocks = {notify_metric(c) for k in kinds for c in scenario.incidents[k].regulatory}
    asked = {o.metric for o in scenario.objectives.values() if opt_in_metric(o.metric)}
    return frozenset(m for m in METRICS if m != "time_to_detect") | clocks | asked


# ── Decisions ────────────────────────────────────────────────────────────────────────────────────────


def _decision_findings(scenario: Scenario, hours: ReachWeek, share: dict[str, float]) -> Iterable[Finding]:
    org = scenario.organisation
    asked: dict[str, list[str]] = {}
    for kid, kind in scenario.incidents.items():
        for task in kind.playbook.values():
            if task.decision is not None and kid not in asked.setdefault(task.decision, []):
                asked[task.decision].append(kid)
    for aid, kinds in asked.items():
        authority = org.authorities[aid]
        tiers = [org.holders(role) for role in authority.roles]
        minutes, metrics = 0.0, {"time_to_authority"}
        for kid in kinds:
            policy_id, _ = select_policy(
                org, kid, scenario.incidents[kid].severity, scenario.incidents[kid].risk_area
            )
            if policy_id is None:
                continue
            policy = org.escalation[policy_id]
            timeouts = delegation_timeouts(policy, len(tiers))
            minutes += share[kid] * hours.mean(partial(_delegation_wait, hours, tiers, timeouts))
            gated = {tid for tid, task in scenario.incidents[kid].playbook.items() if task.decision == aid}
            metrics |= _delayed_metrics(scenario.incidents[kid], gated)
        if minutes < 0.05:
            continue
        deciders = org.deciders(aid)
        first = tiers[0]
        off_first = hours.off_duty_hours(first)
        who = (
            f"only {_names(org, deciders)} can take it"
            if len(deciders) == 1
            else f"{_names(org, deciders)} can take it ({' then '.join(authority.roles)})"
        )
        yield Finding(
            "decision",
            aid,
            minutes,
            f"decision {aid} ({authority.title}): {who}; the first asked "
            f"{'is' if len(first) == 1 else 'are'} off duty {off_first:.0f} h a week; an estimated "
            f"{humanize(minutes)} per incident passes before someone takes it",
            frozenset(kinds),
            frozenset(metrics),
        )


def _delegation_wait(
    hours: ReachWeek, tiers: list[list[str]], timeouts: list[float], duty: frozenset[str]
) -> float:
    """Minutes spent on tiers nobody answers before one does: each silent tier waits its timeout; when
    every tier is silent the order starts again (as the engine keeps asking)."""
    wait, reached = 0.0, 1.0
    for tier, timeout in zip(tiers, timeouts, strict=True):
        reached *= hours.silent(tier, duty)
        wait += timeout * reached
    return wait / (1 - min(reached, SILENT_CAP))


def _names(org: Organisation, people: Iterable[str]) -> str:
    return ", ".join(org.people[p].name for p in people)


def _delayed_metrics(kind: IncidentKind, tasks: set[str]) -> frozenset[str]:
    """The metrics of an incident kind that wait for ``tasks``: the milestones and notifications their
    descendants reach, the decisions asked after them, engagement when one is a first task, and
    mobilisation (every task)."""
    below = set(tasks)
    changed = True
    while changed:
        changed = False
        for tid, task in kind.playbook.items():
            if tid not in below and below.intersection(task.after):
                below.add(tid)
                changed = True
    found = {"time_to_mobilize"}
    if any(not kind.playbook[t].after for t in tasks):
        found.add("time_to_engage")
    resolved = [tid for tid, t in kind.playbook.items() if t.milestone == "resolved"] or list(kind.playbook)
    if below.intersection(resolved):
        found.add("time_to_resolve")
    for tid in below:
        task = kind.playbook[tid]
        if task.milestone == "contained":
            found.update(("time_to_contain", MOBILIZE_CONTAIN))
        found.update(notify_metric(c) for c in task.notifies)
        if task.decision is not None and tid not in tasks:
            found.update(("time_to_authority", DECISION_METRIC + task.decision))
    return frozenset(found)


# ── Roles and skills ─────────────────────────────────────────────────────────────────────────────────


def needs_of(scenario: Scenario) -> dict[Need, list[tuple[str, str, Task]]]:
    """Every role or skill the playbooks need, with the tasks needing it: (incident kind, task id, task)."""
    found: dict[Need, list[tuple[str, str, Task]]] = {}
    for kid, kind in scenario.incidents.items():
        for tid, task in kind.playbook.items():
            found.setdefault(task.need, []).append((kid, tid, task))
    return found


def _need_findings(scenario: Scenario, hours: ReachWeek, share: dict[str, float]) -> Iterable[Finding]:
    org = scenario.organisation
    for need, tasks in sorted(needs_of(scenario).items()):
        holders = org.able(need)
        if not holders:
            continue  # validation already refuses a task nobody can do
        silence = min(hours.mean_silent(holders), SILENT_CAP)
        expected = expected_incidents(scenario)
        work = sum(expected[kid] / scenario.run_length * task.duration.mean for kid, _, task in tasks)
        busy = min(work / len(holders), SILENT_CAP)
        mean_work = sum(task.duration.mean for _, _, task in tasks) / len(tasks)
        minutes, metrics = 0.0, set[str]()
        kinds = list(dict.fromkeys(kid for kid, _, _ in tasks))
        for kid in kinds:
            count = sum(1 for k, _, _ in tasks if k == kid)
            policy_id, _ = select_policy(
                org, kid, scenario.incidents[kid].severity, scenario.incidents[kid].risk_area
            )
            first_timeout = org.escalation[policy_id].levels[0].timeout if policy_id else 0.0
            per_task = first_timeout * silence / (1 - silence) + mean_work * busy / (1 - busy)
            minutes += share[kid] * count * per_task
            metrics |= _delayed_metrics(scenario.incidents[kid], {t for k, t, _ in tasks if k == kid})
        if minutes < 0.05:
            continue
        kind, name = need
        yield Finding(
            kind,
            name,
            minutes,
            f"{kind} {name} is needed by {len(tasks)} task{'s' if len(tasks) > 1 else ''} "
            f"({', '.join(f'{k}/{t}' for k, t, _ in tasks[:4])}{', …' if len(tasks) > 4 else ''}) and "
            f"held by {len(holders)} ({_names(org, holders[:4])}{', …' if len(holders) > 4 else ''}); "
            f"at the expected rate of incidents they are busy {busy:.0%} of the time and a page reaches "
            f"none of them {silence:.0%} of the time; an estimated {humanize(minutes)} per incident is "
            "spent waiting for them",
            frozenset(kinds),
            frozenset(metrics),
        )


# ── Load ─────────────────────────────────────────────────────────────────────────────────────────────


def _load_findings(scenario: Scenario) -> Iterable[Finding]:
    for entry in on_call_load(scenario):
        hours = entry.on_call + entry.shadow
        if hours > HEAVY_LOAD:
            yield Finding(
                "load",
                entry.person,
                0.0,
                f"{entry.name} is on call {hours:.0f} h a week "
                f"({', '.join(s.schedule for s in entry.schedules)})",
                frozenset(),
                frozenset(),
            )
