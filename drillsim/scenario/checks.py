"""Checks beyond types: references, cycles, reachability, and smells.

Each check reports a location (a path of YAML keys) and a message; errors make a file unusable,
warnings point at something a planner probably wants to know (a role held by one person, a level
timeout shorter than anyone can acknowledge).
"""

from __future__ import annotations

import datetime as dt
import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from drillsim.scenario.coverage import LevelCalendar, describe, hours_per_week
from drillsim.scenario.dynamics import Happening
from drillsim.scenario.errors import Severity
from drillsim.scenario.graph import escalation_graph, reachable_people
from drillsim.scenario.incidents import IncidentKind
from drillsim.scenario.messages import did_you_mean
from drillsim.scenario.model import (
    DECISION_METRIC,
    MOBILIZE_CONTAIN,
    ComplicationInject,
    IncidentInject,
    Scenario,
    SeverityInject,
)
from drillsim.scenario.oncall import ScheduleClock, aware, schedule_clocks
from drillsim.scenario.organisation import (
    PLACEHOLDER,
    LayerTarget,
    OnCallTarget,
    Organisation,
    PersonTarget,
    RoleTarget,
    RoundRobinTarget,
    ScheduleTarget,
    TeamTarget,
    people_for,
    select_policy,
)
from drillsim.scenario.regimes import BUILTIN_REGIMES
from drillsim.scenario.units import format_duration
from drillsim.scenario.weekly import zone

Loc = tuple[str | int, ...]
NOBODY_HOLDS = "no one in the organisation has the {what} '{name}'"


@dataclass(frozen=True)
class Finding:
    """A problem a check found: where (a field path), what, and whether it is an error or a warning."""

    loc: Loc
    message: str
    severity: Severity = "error"


@dataclass
class _Findings:
    items: list[Finding] = field(default_factory=list)

    def error(self, loc: Loc, message: str) -> None:
        self.items.append(Finding(loc, message))

    def warn(self, loc: Loc, message: str) -> None:
        self.items.append(Finding(loc, message, "warning"))

    def ref(
        self, loc: Loc, what: str, name: str, known: Iterable[str], unknown: str = "unknown {what} '{name}'"
    ) -> bool:
        """Report ``name`` (with a did-you-mean) unless it is in ``known``; True when it is known."""
        known = list(known)
        if name in known:
            return True
        self.error(loc, unknown.format(what=what, name=name) + did_you_mean(name, known))
        return False


def check_organisation(org: Organisation, at: Loc = ()) -> list[Finding]:
    found = _Findings()
    roles_held = org.roles_held()
    for pid, person in org.people.items():
        here = (*at, "people", pid)
        for i, team_id in enumerate(person.teams):
            found.ref((*here, "teams", i), "team", team_id, org.teams)
        if person.reports_to == pid:
            found.error((*here, "reports_to"), "a person cannot report to themselves")
        elif person.reports_to is not None:
            found.ref((*here, "reports_to"), "person", person.reports_to, org.people)
    _check_reporting_cycles(org, at, found)
    for tid, team in org.teams.items():
        members = set(org.members(tid))
        if team.on_call is not None:
            for i, member in enumerate(team.on_call.members):
                loc = (*at, "teams", tid, "on_call", "members", i)
                if found.ref(loc, "person", member, org.people) and member not in members:
                    found.warn(loc, f"'{member}' is on the rotation but not a member of team '{tid}'")
                if member in team.on_call.members[:i]:
                    found.warn(loc, f"'{member}' is on the rotation twice (two shifts per cycle)")
        elif not members:
            found.warn((*at, "teams", tid), "the team has no members and no on-call rotation")
    for aid, authority in org.authorities.items():
        if aid == PLACEHOLDER:
            continue  # not a decision yet: _check_placeholders says to write one
        here = (*at, "authorities", aid)
        holders = org.deciders(aid)
        for i, role in enumerate(authority.roles):
            if role not in roles_held:
                found.warn(
                    (*here, "roles", i), f"nobody holds the role '{role}'{did_you_mean(role, roles_held)}"
                )
        if not holders:
            found.error((*here, "roles"), "nobody can take this decision: no person holds any of these roles")
        elif len(holders) == 1:
            found.warn(here, f"only {holders[0]} can take this decision: a single point of failure")
    for schedule_id in org.schedules:
        _check_schedule(org, (*at, "schedules", schedule_id), schedule_id, found)
    for policy_id, policy in org.escalation.items():
        for index, level in enumerate(policy.levels):
            _check_level(org, (*at, "escalation", policy_id, "levels", index), level, roles_held, found)
    _check_placeholders(org, at, found)
    return found.items


def _check_placeholders(org: Organisation, at: Loc, found: _Findings) -> None:
    """A warning at every ``fill-in`` (PLACEHOLDER) the file still holds, saying what to write there."""
    for pid, person in org.people.items():
        for what in ("roles", "skills"):
            if PLACEHOLDER in getattr(person, what):
                found.warn(
                    (*at, "people", pid, what),
                    f"placeholder: say which {what} {person.name} has (replace '{PLACEHOLDER}')",
                )
    if PLACEHOLDER in org.teams:
        found.warn((*at, "teams", PLACEHOLDER), "placeholder: name the teams and their members")
    if PLACEHOLDER in org.authorities:
        found.warn(
            (*at, "authorities", PLACEHOLDER),
            "placeholder: name the decisions your incidents need (halt a deployment, notify a regulator…) "
            "and the roles that may take them",
        )
    for policy_id, policy in org.escalation.items():
        if PLACEHOLDER in policy.applies_to.incidents:
            found.warn(
                (*at, "escalation", policy_id, "applies_to", "incidents"),
                "placeholder: name the incident kinds (or severities) this policy serves",
            )


def _check_schedule(org: Organisation, here: Loc, schedule_id: str, found: _Findings) -> None:
    """People and layers a schedule names exist; layers end after they start; overrides of the same
    layer (or of the whole schedule) do not overlap."""
    schedule = org.schedules[schedule_id]
    tz = zone(schedule.timezone or org.timezone)
    for layer_id, layer in schedule.layers.items():
        loc = (*here, "layers", layer_id)
        for i, member in enumerate(layer.members):
            found.ref((*loc, "members", i), "person", member, org.people)
            if member in layer.members[:i]:
                found.warn((*loc, "members", i), f"'{member}' is in the layer twice (two turns per cycle)")
        layer_zone = zone(layer.timezone or schedule.timezone or org.timezone)
        begins = layer.active_from if layer.active_from is not None else layer.start
        if layer.end is not None and aware(layer.end, layer_zone) <= aware(begins, layer_zone):
            found.error((*loc, "end"), "the layer ends before it starts, so it never has anyone on call")
    windows: dict[str | None, list[tuple[int, dt.datetime, dt.datetime]]] = {}
    for i, override in enumerate(schedule.overrides):
        loc = (*here, "overrides", i)
        found.ref((*loc, "person"), "person", override.person, org.people)
        if override.layer is not None:
            found.ref(
                (*loc, "layer"),
                "layer",
                override.layer,
                schedule.layers,
                f"schedule '{schedule_id}' has no layer '{{name}}'",
            )
        start, end = aware(override.start, tz), aware(override.end, tz)
        for j, other_start, other_end in windows.get(override.layer, []):
            if start < other_end and other_start < end:
                found.warn(loc, f"overlaps override {j} (the later one listed wins where they overlap)")
        windows.setdefault(override.layer, []).append((i, start, end))


def _check_reporting_cycles(org: Organisation, at: Loc, found: _Findings) -> None:
    edges = {
        pid: [p.reports_to]
        for pid, p in org.people.items()
        if p.reports_to in org.people and p.reports_to != pid
    }
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1][::-1]  # graphlib lists each node before the one depending on it
        found.error(
            (*at, "people", cycle[0], "reports_to"),
            f"reporting lines form a cycle: {cycle[0]} reports to " + ", who reports to ".join(cycle[1:]),
        )


def _check_level(org: Organisation, here: Loc, level: Any, roles_held: set[str], found: _Findings) -> None:
    reached: set[str] = set()
    for i, target in enumerate(level.targets):
        loc = (*here, "targets", i)
        if isinstance(target, PersonTarget):
            found.ref((*loc, "person"), "person", target.person, org.people)
        elif isinstance(target, RoleTarget):
            if (
                found.ref((*loc, "role"), "role", target.role, roles_held, NOBODY_HOLDS)
                and len(org.holders(target.role)) == 1
            ):
                found.warn((*loc, "role"), f"only one person holds the role '{target.role}'")
        elif isinstance(target, TeamTarget | RoundRobinTarget):
            team = target.team if isinstance(target, TeamTarget) else target.round_robin
            found.ref(loc, "team", team, org.teams)
        elif (
            isinstance(target, OnCallTarget)
            and found.ref(loc, "team", target.on_call, org.teams)
            and org.teams[target.on_call].on_call is None
        ):
            found.error(loc, f"team '{target.on_call}' has no on-call rotation")
        elif isinstance(target, ScheduleTarget):
            found.ref((*loc, "schedule"), "schedule", target.schedule, org.schedules)
        elif isinstance(target, LayerTarget):
            schedule_id, layer_id = target.parts
            if found.ref((*loc, "layer"), "schedule", schedule_id, org.schedules):
                found.ref(
                    (*loc, "layer"),
                    "layer",
                    layer_id,
                    org.schedules[schedule_id].layers,
                    f"schedule '{schedule_id}' has no layer '{{name}}'",
                )
        reached.update(people_for(org, target))
    if not reached:
        found.error((*here, "targets"), "no target in this level reaches anyone")
        return
    fastest = min(org.ack_delay_of(p).fast for p in reached)
    if level.timeout < fastest:
        found.warn(
            (*here, "timeout"),
            f"the timeout {format_duration(level.timeout)} is shorter than the fastest acknowledgement "
            f"of anyone in this level ({format_duration(fastest)}): it will almost always escalate",
        )


def check_scenario(scenario: Scenario) -> list[Finding]:
    org = scenario.organisation
    found = _Findings(check_organisation(org, ("organisation",)))
    clocks = {
        f"{rid}/{cid}" for rid, r in {**BUILTIN_REGIMES, **scenario.regimes}.items() for cid in r.clocks
    }
    for rid, regime in scenario.regimes.items():
        if rid in BUILTIN_REGIMES:
            found.error(("regimes", rid), f"'{rid}' is a built-in regime; give your own regime another id")
        for cid, clock in regime.clocks.items():
            start = clock.start_event
            if start is not None and start[0] == "decision":
                found.ref(("regimes", rid, "clocks", cid, "starts"), "authority", start[1], org.authorities)
    graph = escalation_graph(org)
    for iid, incident in scenario.incidents.items():
        _check_incident(scenario, iid, incident, clocks, graph, found)
    _check_arrivals_and_injects(scenario, found)
    _check_dynamics(scenario, found)
    _check_objectives(scenario, clocks, found)
    _check_coverage(scenario, found)
    return found.items


def _check_coverage(scenario: Scenario, found: _Findings) -> None:
    """Over the scenario's run (start to horizon): levels that page nobody at times, layers that
    never have anyone on call, people on call in two layers of a schedule at once."""
    org = scenario.organisation
    if not org.schedules and not any(team.on_call for team in org.teams.values()):
        return
    if any(item.severity == "error" for item in found.items):
        return  # coverage of a schedule that names unknown people or layers would only repeat those errors
    first = scenario.start
    last = first + dt.timedelta(minutes=scenario.run_length)
    clocks = schedule_clocks(org, first)
    calendar = LevelCalendar(org, clocks, first, last)
    tz = zone(org.timezone)
    for policy_id, policy in org.escalation.items():
        for index, level in enumerate(policy.levels):
            gaps = calendar.gaps(level)
            if gaps:
                found.warn(
                    ("organisation", "escalation", policy_id, "levels", index, "targets"),
                    f"pages nobody for {sum(g.hours for g in gaps):.0f}h of the run "
                    f"({hours_per_week(gaps, first, last):.0f}h a week), first {describe(gaps[0], tz)} "
                    f"({org.timezone}): a coverage gap",
                )
    for schedule_id in org.schedules:
        _check_layers_in_use(
            clocks[schedule_id], ("organisation", "schedules", schedule_id), first, last, found
        )


def _check_layers_in_use(
    clock: ScheduleClock, here: Loc, first: dt.datetime, last: dt.datetime, found: _Findings
) -> None:
    moments = sorted({first, *clock.changes(first, last)})
    used: set[str] = set()
    double: dict[str, tuple[tuple[str, str], dt.datetime]] = {}
    for moment in moments:
        on_call: dict[str, str] = {}
        for layer_id, layer in clock.layers.items():
            person = layer.person_at(moment)
            if person is None:
                continue
            used.add(layer_id)
            if person in on_call and not clock.schedule.layers[layer_id].alongside:
                double.setdefault(person, ((on_call[person], layer_id), moment))
            if not clock.schedule.layers[layer_id].alongside:
                on_call[person] = layer_id
    for layer_id in clock.layers:
        if layer_id not in used:
            found.warn(
                (*here, "layers", layer_id),
                "never has anyone on call during the run (its start, end and restrictions leave it empty)",
            )
    for person, ((one, other), moment) in double.items():
        found.warn(
            (*here, "layers", other, "members"),
            f"'{person}' is on call in layers {one} and {other} at once, first at "
            f"{moment.astimezone(clock.zone).strftime('%a %d %b %H:%M')} ({clock.zone.key})",
        )


def _check_incident(
    scenario: Scenario, iid: str, incident: IncidentKind, clocks: set[str], graph: Any, found: _Findings
) -> None:
    org, here = scenario.organisation, ("incidents", iid)
    held = {"role": org.roles_held(), "skill": org.skills_held()}
    for i, clock in enumerate(incident.regulatory):
        if found.ref((*here, "regulatory", i), "regulatory clock", clock, clocks):
            _check_clock_start(scenario, incident, clock, (*here, "regulatory", i), found)
    policy_id, why_not = select_policy(org, iid, incident.severity, incident.risk_area)
    if policy_id is None:
        found.error((*here, "severity"), str(why_not))
    reachable = reachable_people(graph, policy_id) if policy_id else set()
    for tid, task in incident.playbook.items():
        loc = (*here, "playbook", tid)
        kind, need = task.need
        if found.ref((*loc, kind), kind, need, held[kind], NOBODY_HOLDS) and len(org.able(task.need)) == 1:
            found.warn(
                (*loc, kind),
                f"only one person {'holds the role' if kind == 'role' else 'has the skill'} '{need}'",
            )
        for i, before in enumerate(task.after):
            if before == tid:
                found.error((*loc, "after", i), "a task cannot come after itself")
            else:
                found.ref((*loc, "after", i), "task", before, incident.playbook)
        for i, clock in enumerate(task.notifies):
            if clock not in incident.regulatory:
                found.error(
                    (*loc, "notifies", i), f"'{clock}' is not among this incident's regulatory clocks"
                )
        if task.decision is not None and found.ref(
            (*loc, "decision"), "authority", task.decision, org.authorities
        ):
            deciders = set(org.deciders(task.decision))
            if policy_id and deciders and not deciders & reachable:
                found.error(
                    (*loc, "decision"),
                    f"no one who can take '{task.decision}' is reachable from escalation "
                    f"policy '{policy_id}' (its levels and reporting lines)",
                )
    dependencies = {
        tid: [b for b in t.after if b in incident.playbook and b != tid]
        for tid, t in incident.playbook.items()
    }
    try:
        graphlib.TopologicalSorter(dependencies).prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1][::-1]  # graphlib lists each task before the one waiting for it
        found.error(
            (*here, "playbook", cycle[0], "after"),
            "tasks wait for each other in a cycle: " + " waits for ".join(cycle),
        )
    else:
        if all(b in incident.playbook for t in incident.playbook.values() for b in t.after):
            _check_contained_before_resolved(incident, here, found)
    notified = {c for t in incident.playbook.values() for c in t.notifies}
    for i, clock in enumerate(incident.regulatory):
        if clock in clocks and clock not in notified:
            found.warn(
                (*here, "regulatory", i),
                f"no playbook task notifies '{clock}': its deadline is always missed",
            )


def _check_clock_start(
    scenario: Scenario, incident: IncidentKind, ref: str, loc: Loc, found: _Findings
) -> None:
    """A clock that starts at a task or a decision can start for this incident: the task is in its
    playbook, or one of its tasks needs the decision."""
    regime, _, clock_id = ref.partition("/")
    clock = {**BUILTIN_REGIMES, **scenario.regimes}[regime].clocks[clock_id]
    start = clock.start_event
    if start is None:
        return
    what, name = start
    if what == "task" and name not in incident.playbook:
        found.error(
            loc,
            f"the clock '{ref}' starts when task '{name}' is done, and this incident's playbook has no "
            f"task '{name}'{did_you_mean(name, incident.playbook)}: the clock would never start",
        )
    elif (
        what == "decision"
        and name in scenario.organisation.authorities  # else the regime's clock is the error
        and not any(t.decision == name for t in incident.playbook.values())
    ):
        found.error(
            loc,
            f"the clock '{ref}' starts when the decision '{name}' is taken, and no task of this "
            "incident needs that decision: the clock would never start",
        )


def _check_contained_before_resolved(incident: IncidentKind, here: Loc, found: _Findings) -> None:
    """Warn when a containment task need not be done before the tasks that resolve the incident."""
    resolving = [tid for tid, t in incident.playbook.items() if t.milestone == "resolved"]
    if not resolving:
        return  # resolved when every task is done, containment included
    before: dict[str, set[str]] = {}

    def ancestors(tid: str) -> set[str]:
        if tid not in before:
            before[tid] = set()
            for parent in incident.playbook[tid].after:
                before[tid] |= {parent} | ancestors(parent)
        return before[tid]

    for tid, task in incident.playbook.items():
        if task.milestone == "contained" and not any(tid == r or tid in ancestors(r) for r in resolving):
            found.warn(
                (*here, "playbook", tid, "milestone"),
                "the incident can be resolved before it is contained: "
                "no task marked resolved comes after this one",
            )


def _check_arrivals_and_injects(scenario: Scenario, found: _Findings) -> None:
    org, incidents = scenario.organisation, scenario.incidents
    occurs: set[str] = set()
    for i, arrival in enumerate(scenario.arrivals):
        if found.ref(("arrivals", i, "incident"), "incident", arrival.incident, incidents):
            occurs.add(arrival.incident)
        end = arrival.until if arrival.until is not None else scenario.horizon
        if end is None:
            found.error(
                ("arrivals", i),
                "arrivals at a rate need an end: set 'until' here or the scenario's 'horizon'",
            )
        elif end <= arrival.start:
            found.error(("arrivals", i, "until"), "the arrivals end before they start")
    sources = {s for inc in incidents.values() for s in inc.detection.sources}
    seen: dict[str, int] = {}
    for i, inject in enumerate(scenario.injects):
        loc = ("injects", i)
        if inject.id in seen:
            found.error((*loc, "id"), f"duplicate inject id '{inject.id}' (also injects[{seen[inject.id]}])")
        seen.setdefault(inject.id, i)
        for j, objective in enumerate(inject.objectives):
            found.ref((*loc, "objectives", j), "objective", objective, scenario.objectives)
        if scenario.horizon is not None and inject.at > scenario.horizon:
            found.warn((*loc, "at"), "after the scenario's horizon: it is never released")
        if isinstance(inject, IncidentInject):
            if found.ref((*loc, "incident"), "incident", inject.incident, incidents):
                occurs.add(inject.incident)
        elif isinstance(inject, ComplicationInject):
            for field_name in ("unavailable", "affects"):
                who = getattr(inject, field_name)
                if who is not None:
                    _check_who(org, (*loc, field_name), who, found)
            if inject.disable_source is not None:
                found.ref((*loc, "disable_source"), "detection source", inject.disable_source, sources)
    occurs.update(t.starts for t in scenario.triggers.values() if t.starts is not None)
    for iid in incidents:
        if iid not in occurs:
            found.warn(("incidents", iid), "never occurs: no inject or arrival brings this incident")


def _check_who(
    org: Organisation, loc: Loc, who: PersonTarget | RoleTarget | TeamTarget, found: _Findings
) -> None:
    """The person, role or team ``who`` names exists."""
    if isinstance(who, PersonTarget):
        found.ref((*loc, "person"), "person", who.person, org.people)
    elif isinstance(who, RoleTarget):
        found.ref((*loc, "role"), "role", who.role, {r for p in org.people.values() for r in p.roles})
    else:
        found.ref((*loc, "team"), "team", who.team, org.teams)


def _check_dynamics(scenario: Scenario, found: _Findings) -> None:
    """Triggers, conditions and severity changes name what exists; a new severity has a policy for
    the incident; triggers that start each other in a loop are reported (the engine's incident budget
    bounds such a loop at run time)."""
    incidents = scenario.incidents
    for tid, trigger in scenario.triggers.items():
        here = ("triggers", tid)
        parent = _check_happening(scenario, (*here, "when"), trigger.when, found)
        if trigger.starts is not None:
            found.ref((*here, "starts"), "incident", trigger.starts, incidents)
        if trigger.severity is not None and parent is not None:
            _check_severity_policy(scenario, (*here, "severity"), parent, trigger.severity, found)
        if (
            trigger.not_within is not None
            and trigger.when.milestone == "detected"
            and trigger.since == "detected"
        ):
            found.error(
                (*here, "since"), "'detected' cannot be missed within a time that starts at detection"
            )
    for i, inject in enumerate(scenario.injects):
        loc = ("injects", i)
        if inject.condition is not None:
            key = "if" if inject.condition.if_ is not None else "unless"
            _check_happening(scenario, (*loc, "condition", key), inject.condition.happening, found)
        if isinstance(inject, SeverityInject) and found.ref(
            (*loc, "incident"), "incident", inject.incident, incidents
        ):
            _check_severity_policy(scenario, (*loc, "severity"), inject.incident, inject.severity, found)
    for iid, incident in incidents.items():
        for task_id, task in incident.playbook.items():
            if task.severity is not None:
                where: Loc = ("incidents", iid, "playbook", task_id, "severity")
                _check_severity_policy(scenario, where, iid, task.severity, found)
    _check_trigger_loops(scenario, found)


def _check_happening(scenario: Scenario, loc: Loc, happening: Happening, found: _Findings) -> str | None:
    """The incident kind, task, decision, milestone and people a happening names exist and can
    happen; returns its incident kind when known."""
    org, incidents = scenario.organisation, scenario.incidents
    kind_id = happening.incident
    if kind_id is not None and not found.ref((*loc, "incident"), "incident", kind_id, incidents):
        return None
    kinds = [incidents[kind_id]] if kind_id is not None else list(incidents.values())
    if happening.task is not None:
        if kind_id is None:
            found.error((*loc, "task"), "a task needs `incident`: the incident kind whose playbook has it")
        else:
            found.ref((*loc, "task"), "task", happening.task, incidents[kind_id].playbook)
    elif happening.decision is not None:
        if found.ref((*loc, "decision"), "authority", happening.decision, org.authorities) and not any(
            t.decision == happening.decision for k in kinds for t in k.playbook.values()
        ):
            found.error(
                (*loc, "decision"),
                f"no task of {kind_id or 'any incident'} needs the decision '{happening.decision}': "
                "it is never taken",
            )
    elif happening.acknowledged is not None:
        _check_who(org, (*loc, "acknowledged"), happening.acknowledged, found)
    elif happening.milestone == "contained" and not any(
        t.milestone == "contained" for k in kinds for t in k.playbook.values()
    ):
        found.error((*loc, "milestone"), f"{kind_id or 'no incident'} has no task with milestone: contained")
    return kind_id


def _check_severity_policy(
    scenario: Scenario, loc: Loc, kind_id: str, severity: str, found: _Findings
) -> None:
    """An escalation policy serves incident ``kind_id`` at ``severity``."""
    kind = scenario.incidents[kind_id]
    policy_id, why_not = select_policy(scenario.organisation, kind_id, severity, kind.risk_area)
    if policy_id is None:
        found.error(loc, str(why_not))


def _check_trigger_loops(scenario: Scenario, found: _Findings) -> None:
    """A warning naming each loop of incident kinds that start each other through triggers, at the
    trigger that closes it."""
    starts: dict[str, list[tuple[str, str]]] = {}  # kind → [(trigger id, the kind it starts)]
    for tid, trigger in scenario.triggers.items():
        parent, child = trigger.when.incident, trigger.starts
        if parent in scenario.incidents and child in scenario.incidents:
            starts.setdefault(str(parent), []).append((tid, str(child)))
    reported: set[frozenset[str]] = set()

    def walk(kinds: list[str], triggers: list[str]) -> None:
        for tid, child in starts.get(kinds[-1], []):
            if child in kinds:
                loop = kinds[kinds.index(child) :]
                used = frozenset([*triggers[kinds.index(child) :], tid])
                if used not in reported:
                    reported.add(used)
                    found.warn(
                        ("triggers", tid, "starts"),
                        "triggers form a loop: "
                        + " starts ".join([*loop, child])
                        + "; the incident budget stops it at run time",
                    )
            else:
                walk([*kinds, child], [*triggers, tid])

    for kind in sorted(starts):
        walk([kind], [])


def _check_objectives(scenario: Scenario, clocks: set[str], found: _Findings) -> None:
    for oid, objective in scenario.objectives.items():
        here = ("objectives", oid)
        for i, iid in enumerate(objective.incidents):
            found.ref((*here, "incidents", i), "incident", iid, scenario.incidents)
        kinds = [
            scenario.incidents[i]
            for i in objective.incidents or scenario.incidents
            if i in scenario.incidents
        ]
        if (
            objective.clock is not None
            and found.ref((*here, "clock"), "regulatory clock", objective.clock, clocks)
            and not any(objective.clock in k.regulatory for k in kinds)
        ):
            found.error(
                (*here, "clock"), f"no incident this objective covers runs the clock '{objective.clock}'"
            )
        if objective.metric in ("time_to_contain", MOBILIZE_CONTAIN) and not any(
            t.milestone == "contained" for k in kinds for t in k.playbook.values()
        ):
            found.error(
                (*here, "metric"), "no incident this objective covers has a task with milestone: contained"
            )
        if objective.metric == "time_to_authority" and not any(
            t.decision for k in kinds for t in k.playbook.values()
        ):
            found.error(
                (*here, "metric"), "no incident this objective covers has a task that needs a decision"
            )
        authority = objective.metric.removeprefix(DECISION_METRIC)
        if (
            objective.metric.startswith(DECISION_METRIC)
            and found.ref(
                (*here, "metric"),
                "authority",
                authority,
                scenario.organisation.authorities,
                f"unknown authority '{{name}}' in {objective.metric}",
            )
            and not any(t.decision == authority for k in kinds for t in k.playbook.values())
        ):
            found.error(
                (*here, "metric"),
                f"no incident this objective covers has a task that needs the decision '{authority}'",
            )
