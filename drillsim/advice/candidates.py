"""Candidate changes to a scenario, each made of ``--set`` overrides, generated from findings.

Every candidate is exactly the overrides that make it (:attr:`Candidate.sets`: the ``PATH=VALUE``
texts ``drillsim compare SCENARIO --set ...`` takes; :attr:`Candidate.overrides`: the same as the
mapping an overrides file holds). Values are whole (a list is written out in full, never ``+=``) so
that the two forms are the same change. Each finding kind has its changes:

- **level** ``POLICY/N``: *timeout* — shorten the level's timeout to at most half, and to at most a
  third of the tightest acknowledgement or engagement target of the incidents it serves, but not
  below the mean acknowledgement delay of the people it pages (rounded up to 1, 2, 3, 5, 10, 15, 20,
  30… minutes); *second on-call* — page a second person with the level's rotation or schedule (the
  next person in turn: a new schedule beside a team's rotation, a shadow layer beside each layer of a
  schedule); *handover* — where the level has hours with nobody on call right after a restricted
  layer's window ends, move that layer's handover later to close them (gaps up to 12 hours).
- **decision**: *delegate* — append to the authority's delegation order a role that other decisions
  or the serving policy's levels already turn to: the two whose holders most often answer when the
  current ones do not, weighted by that standing (how many decisions and levels turn to the role,
  and whether its holders report to a current decider).
- **role** / **skill**: *cross-train* — give it to colleagues of its holders (same team or same role)
  best placed to use it: paged first for those incidents, on duty when no holder is, able to do other
  tasks of them (up to two); *hire* — when one person holds it, a second person with it, in the
  holder's team and hours.
- **load**: *rotation* — add a team-mate with the same role to the person's rotation.

Candidates are tried in order of the finding's :func:`~drillsim.advice.findings.priority`, the
second choice for a finding at 0.8 of the first (and so on), a hire at 0.7; at most ``limit``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from drillsim.advice.findings import Finding, ReachWeek, needs_of, priority, served_by
from drillsim.coverage import on_call_load
from drillsim.scenario.model import Scenario
from drillsim.scenario.oncall import rotation_schedule
from drillsim.scenario.organisation import (
    Need,
    OnCallTarget,
    Organisation,
    Person,
    RoleTarget,
    ScheduleTarget,
    WorkingHours,
    people_for,
)
from drillsim.scenario.overrides import override_text
from drillsim.scenario.schedules import Layer
from drillsim.scenario.units import format_duration, humanize
from drillsim.scenario.weekly import WeeklyWindow

CandidateKind = Literal[
    "timeout", "second-on-call", "handover", "delegate", "cross-train", "hire", "rotation"
]
NICE_MINUTES = (1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440)
LONGEST_GAP = 12 * 60.0  # minutes: a longer stretch with nobody on call is not a handover to move
NEXT_CHOICE = 0.8  # a finding's second candidate is tried at this share of the first's priority
HIRE = 0.7  # a hire, against cross-training someone already there
LIMIT = 20  # candidates tried by default
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Change:
    """One override: the whole ``value`` put at ``path`` (as ``--set`` writes it)."""

    path: str
    value: Any

    @property
    def text(self) -> str:
        """``PATH=VALUE`` for ``--set``."""
        return override_text(self.path, self.value)


@dataclass(frozen=True)
class Candidate:
    """A change to try: ``id`` (stable, e.g. ``timeout:sev1/1``), what it does in plain words
    (``title``), the overrides that make it, the finding it answers, what else it changes (``note``),
    and how soon it is tried (``priority``)."""

    id: str
    kind: CandidateKind
    title: str
    changes: tuple[Change, ...]
    finding: Finding
    note: str
    priority: float

    @property
    def sets(self) -> list[str]:
        """The ``--set`` texts, in order."""
        return [change.text for change in self.changes]

    @property
    def overrides(self) -> dict[str, Any]:
        """The overrides file's mapping: path → value."""
        return {change.path: change.value for change in self.changes}


def candidates(
    scenario: Scenario,
    found: Iterable[Finding],
    summary: Mapping[str, Any] | None = None,
    *,
    limit: int = LIMIT,
    hours: ReachWeek | None = None,
) -> list[Candidate]:
    """The candidate changes for ``found`` (findings of ``scenario``), most promising first, each set
    of overrides once, at most ``limit``. ``summary``: a run's summary.json, whose objectives below
    target raise the findings on their path (:func:`~drillsim.advice.findings.priority`)."""
    hours = hours or ReachWeek(scenario)
    made: list[Candidate] = []
    for finding in found:
        weight = priority(finding, scenario, summary)
        for choice, (cid, kind, title, changes, note, factor) in enumerate(
            _generate(scenario, hours, finding)
        ):
            made.append(
                Candidate(cid, kind, title, changes, finding, note, weight * factor * NEXT_CHOICE**choice)
            )
    made.sort(key=lambda c: (-c.priority, c.id))
    chosen: list[Candidate] = []
    seen: set[tuple[str, ...]] = set()
    for candidate in made:
        key = tuple(candidate.sets)
        if key not in seen:
            seen.add(key)
            chosen.append(candidate)
    return chosen[:limit]


Made = tuple[
    str, CandidateKind, str, tuple[Change, ...], str, float
]  # id, kind, title, changes, note, factor


def _generate(scenario: Scenario, hours: ReachWeek, finding: Finding) -> list[Made]:
    if finding.kind == "level":
        policy, level = finding.subject.rsplit("/", 1)
        index = int(level) - 1
        return [
            *_timeout(scenario, finding, policy, index),
            *_second_on_call(scenario, policy, index),
            *_handover(scenario, hours, policy, index),
        ]
    if finding.kind == "decision":
        return _delegates(scenario, hours, finding)
    if finding.kind in ("role", "skill"):
        need: Need = ("role" if finding.kind == "role" else "skill", finding.subject)
        return [*_cross_train(scenario, hours, finding, need), *_hire(scenario, need)]
    return _rotation(scenario, finding.subject)


def path(*segments: str | int) -> str:
    """An override path from its segments: names joined by dots, list positions and ids that are not
    plain names (``first.last``) in brackets."""
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _PLAIN_SEGMENT.fullmatch(segment):
            text += f".{segment}" if text else segment
        else:
            text += f"[{segment}]"
    return text


# ── Levels ───────────────────────────────────────────────────────────────────────────────────────────


def _timeout(scenario: Scenario, finding: Finding, policy_id: str, index: int) -> list[Made]:
    policy = scenario.organisation.escalation[policy_id]
    timeout = policy.levels[index].timeout
    targets = [
        o.target
        for o in scenario.objectives.values()
        if o.metric in ("time_to_acknowledge", "time_to_engage")
        and finding.incidents.intersection(o.incidents or scenario.incidents)
    ]
    bound = min([timeout / 2, *(t / 3 for t in targets)])
    paged = _paged(scenario.organisation, policy.levels[index].targets)
    typical = sum(scenario.organisation.ack_delay_of(p).mean for p in paged) / max(len(paged), 1)
    floor = min([m for m in NICE_MINUTES if m >= typical], default=NICE_MINUTES[-1])
    shorter = max([floor, *(m for m in NICE_MINUTES if m <= bound)])
    if shorter >= timeout:
        return []
    following = f"level {index + 2}" if index + 1 < len(policy.levels) else "the policy's next run (repeat)"
    return [
        (
            f"timeout:{policy_id}/{index + 1}",
            "timeout",
            f"Shorten level {index + 1} of policy {policy_id} from {humanize(timeout)} to "
            f"{humanize(shorter)}",
            (Change(path("escalation", policy_id, "levels", index, "timeout"), format_duration(shorter)),),
            f"{following} is paged {humanize(timeout - shorter)} sooner when level {index + 1} does not "
            "answer (more pages)",
            1.0,
        )
    ]


def _second_on_call(scenario: Scenario, policy_id: str, index: int) -> list[Made]:
    org = scenario.organisation
    level = org.escalation[policy_id].levels[index]
    changes: list[Change] = []
    schedules: dict[str, Any] = {}  # new schedules beside team rotations, by id
    words: list[str] = []
    for target in level.targets:
        if isinstance(target, OnCallTarget) and (rotation := org.teams[target.on_call].on_call):
            second = _next_in_turn(org, rotation.members)
            if second is None:
                continue
            sid = _unique(f"{target.on_call}-second", {**org.schedules, **schedules})
            start = rotation_schedule(target.on_call, rotation, scenario.start).layers[target.on_call].start
            schedules[sid] = {
                "title": f"Second on call beside the {target.on_call} rotation",
                "timezone": "UTC",
                "layers": {
                    "second": {
                        "members": second,
                        "turn": format_duration(rotation.shift),
                        "start": start.isoformat(),
                        "timezone": "UTC",
                    }
                },
            }
            words.append(f"the next person in team {target.on_call}'s rotation")
        elif isinstance(target, ScheduleTarget):
            schedule = org.schedules[target.schedule]
            for lid, layer in schedule.layers.items():
                second = None if layer.alongside else _next_in_turn(org, layer.members)
                if second is None:
                    continue
                new_id = _unique(f"{lid}-second", schedule.layers)
                raw_layer = _raw_layer(layer) | {"members": second, "alongside": True}
                changes.append(Change(path("schedules", target.schedule, "layers", new_id), raw_layer))
                words.append(f"a shadow beside layer {lid} of schedule {target.schedule}")
    if schedules:
        if org.schedules:
            changes += [Change(path("schedules", sid), raw) for sid, raw in schedules.items()]
        else:  # the organisation has no schedules to add to: they come as the whole mapping
            changes.append(Change("schedules", schedules))
        targets = [_raw_target(t) for t in level.targets] + [{"schedule": sid} for sid in schedules]
        changes.append(Change(path("escalation", policy_id, "levels", index, "targets"), targets))
    if not changes:
        return []
    return [
        (
            f"second-on-call:{policy_id}/{index + 1}",
            "second-on-call",
            f"Page a second on-call person at level {index + 1} of policy {policy_id}: {', '.join(words)}",
            tuple(changes),
            "two people paged at once at that level (more pages, more on-call hours)",
            1.0,
        )
    ]


def _next_in_turn(org: Organisation, members: list[str]) -> list[str] | None:
    """Members for a second layer turning with ``members``: the next person in turn, or, for a
    rotation of one, a team-mate sharing their role (None: nobody)."""
    if len(dict.fromkeys(members)) >= 2:
        return [*members[1:], members[0]]
    only = org.people[members[0]]
    for pid, person in org.people.items():
        if pid != members[0] and set(person.teams) & set(only.teams) and set(person.roles) & set(only.roles):
            return [pid]
    return None


def _unique(wanted: str, taken: Mapping[str, Any]) -> str:
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}-{n}", n + 1
    return name


def _handover(scenario: Scenario, hours: ReachWeek, policy_id: str, index: int) -> list[Made]:
    org = scenario.organisation
    level = org.escalation[policy_id].levels[index]
    calendar = hours.week.calendar
    longest: dict[tuple[str, str, int], float] = {}
    closed: dict[tuple[str, str, int], float] = {}
    for gap in calendar.gaps(level):
        length = (gap.end - gap.start) / dt.timedelta(minutes=1)
        if length > LONGEST_GAP:
            continue
        before = gap.start - dt.timedelta(minutes=1)
        for target in level.targets:
            if not isinstance(target, ScheduleTarget):
                continue
            clock = calendar.clocks[target.schedule]
            for lid, layer_clock in clock.layers.items():
                layer = layer_clock.layer
                if layer.alongside or not layer.restrictions or layer_clock.person_at(before) is None:
                    continue
                local = before.astimezone(layer_clock.zone)
                window = next((i for i, r in enumerate(layer.restrictions) if r.contains(local)), None)
                if window is not None:
                    key = (target.schedule, lid, window)
                    longest[key] = max(longest.get(key, 0.0), length)
                    closed[key] = closed.get(key, 0.0) + length / 60
    made: list[Made] = []
    for (sid, lid, window), extra in sorted(longest.items()):
        layer = org.schedules[sid].layers[lid]
        restriction = layer.restrictions[window]
        start, end = _minutes(restriction.start), _minutes(restriction.end)
        span = (end - start) % 1440 or 1440
        if span + extra >= 1440:
            continue
        new_end = _clock_text(end + extra)
        zone = layer.timezone or org.schedules[sid].timezone or org.timezone
        made.append(
            (
                f"handover:{sid}/{lid}/{window}",
                "handover",
                f"Move the handover at the end of layer {lid} of schedule {sid} from "
                f"{_clock_text(end)} to {new_end} ({zone}): it closes "
                f"{closed[(sid, lid, window)] / hours.weeks:.1f} h a week with nobody on call",
                (Change(path("schedules", sid, "layers", lid, "restrictions", window, "end"), new_end),),
                f"layer {lid}'s people are on call {humanize(extra)} longer on those days",
                1.0,
            )
        )
    return made


def _minutes(time: dt.time) -> float:
    return 1440.0 if time == dt.time.max else time.hour * 60.0 + time.minute


def _clock_text(minutes: float) -> str:
    """A time of day as HH:MM (minutes past midnight, wrapping; midnight at the end of a day is 24:00)."""
    whole = round(minutes)
    if whole == 1440:
        return "24:00"
    whole %= 1440
    return f"{whole // 60:02d}:{whole % 60:02d}"


# ── Decisions ────────────────────────────────────────────────────────────────────────────────────────


def _delegates(scenario: Scenario, hours: ReachWeek, finding: Finding) -> list[Made]:
    org = scenario.organisation
    authority = org.authorities[finding.subject]
    tiers = [org.holders(role) for role in authority.roles]
    serving = {pid for pid, kinds in served_by(scenario).items() if finding.incidents.intersection(kinds)}
    turned_to = [r for aid, a in org.authorities.items() if aid != finding.subject for r in a.roles]
    turned_to += [
        t.role
        for pid in sorted(serving)
        for level in org.escalation[pid].levels
        for t in level.targets
        if isinstance(t, RoleTarget)
    ]
    deciders = set(org.deciders(finding.subject))
    scored = []
    for role in dict.fromkeys(turned_to):
        holders = org.holders(role)
        if role in authority.roles or not holders:
            continue
        answers = hours.mean(partial(_answers_instead, hours, tiers, holders))
        # standing: other decisions already turn to the role, or its holders report to a decider
        standing = turned_to.count(role) + any(org.people[h].reports_to in deciders for h in holders)
        scored.append((answers * (1 + standing), answers, role, holders))
    scored.sort(key=lambda item: (-item[0], item[1]))
    current = _listed(org.people[p].name for p in org.deciders(finding.subject))
    return [
        (
            f"delegate:{finding.subject}:{role}",
            "delegate",
            f"Delegate decision {finding.subject} to the {role} role after {authority.roles[-1]}: "
            f"{_listed(org.people[p].name for p in holders)} {'takes' if len(holders) == 1 else 'take'} it "
            f"when {current} "
            f"{'does' if len(org.deciders(finding.subject)) == 1 else 'do'} not answer",
            (Change(path("authorities", finding.subject, "roles"), [*authority.roles, role]),),
            f"{len(holders)} more {'person' if len(holders) == 1 else 'people'} can take the decision",
            1.0,
        )
        for _, answers, role, holders in scored[:2]
        if answers >= 0.005
    ]


def _answers_instead(
    hours: ReachWeek, tiers: list[list[str]], people: list[str], duty: frozenset[str]
) -> float:
    """The chance ``people`` answer a page when every tier of a decision stays silent."""
    silent = 1.0
    for tier in tiers:
        silent *= hours.silent(tier, duty)
    return silent * (1 - hours.silent(people, duty))


# ── Roles and skills ─────────────────────────────────────────────────────────────────────────────────


def _cross_train(scenario: Scenario, hours: ReachWeek, finding: Finding, need: Need) -> list[Made]:
    org = scenario.organisation
    kind, name = need
    holders = set(org.able(need))
    kinds = finding.incidents
    serving = [pid for pid, served in served_by(scenario).items() if kinds.intersection(served)]
    first = {p for pid in serving for p in _paged(org, org.escalation[pid].levels[0].targets)}
    second = {p for pid in serving for lv in org.escalation[pid].levels[1:2] for p in _paged(org, lv.targets)}
    other_needs = {
        task.need for need_, tasks in needs_of(scenario).items() for k, _, task in tasks if k in kinds
    }
    teams = {t for h in holders for t in org.people[h].teams}
    roles = {r for h in holders for r in org.people[h].roles}
    scored = []
    for pid, person in org.people.items():
        if pid in holders or not (teams.intersection(person.teams) or roles.intersection(person.roles)):
            continue  # only colleagues of the holders: same team or same role
        alone = hours.mean(partial(_alone, pid, frozenset(holders)))
        useful = any(pid in org.able(n) for n in other_needs)
        score = 2.0 * (pid in first) + 1.0 * (pid in second) + 2.0 * alone + 0.5 * useful
        scored.append((score, pid, person))
    scored.sort(key=lambda item: (-item[0], item[1]))
    made: list[Made] = []
    for _, pid, person in scored[:2]:
        field = "roles" if kind == "role" else "skills"
        current = list(person.roles if kind == "role" else person.skills)
        made.append(
            (
                f"cross-train:{kind}:{name}:{pid}",
                "cross-train",
                f"Give {person.name} the {kind} {name} (cross-training)",
                (Change(path("people", pid, field), [*current, name]),),
                f"nobody added; {person.name} can do {name} work too",
                1.0,
            )
        )
    return made


def _alone(person: str, holders: frozenset[str], duty: frozenset[str]) -> float:
    """1 when ``person`` is on duty and none of ``holders`` is, else 0."""
    return float(person in duty and duty.isdisjoint(holders))


def _listed(names: Iterable[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _paged(org: Organisation, targets: Iterable[Any]) -> set[str]:
    return {p for t in targets for p in people_for(org, t)}


def _hire(scenario: Scenario, need: Need) -> list[Made]:
    org = scenario.organisation
    kind, name = need
    holders = org.able(need)
    if len(holders) != 1:
        return []
    like = org.people[holders[0]]
    pid = _unique(f"new-{name}", org.people)
    raw: dict[str, Any] = {
        "name": f"New {name} hire",
        "teams": list(like.teams),
        "roles": [name] if kind == "role" else [],
        "skills": [name] if kind == "skill" else [],
    }
    if like.working_hours is not None:
        raw["working_hours"] = _raw_hours(like.working_hours)
    return [
        (
            f"hire:{kind}:{name}",
            "hire",
            f"Hire a second person with the {kind} {name}, in {like.name}'s team and hours",
            (Change(path("people", pid), raw),),
            "one person added",
            HIRE,
        )
    ]


# ── Load ─────────────────────────────────────────────────────────────────────────────────────────────


def _rotation(scenario: Scenario, person_id: str) -> list[Made]:
    org = scenario.organisation
    person = org.people[person_id]
    load = next(entry for entry in on_call_load(scenario) if entry.person == person_id)
    made: list[Made] = []
    for entry in load.schedules:
        if entry.schedule.startswith("team:"):
            team = entry.schedule.split(":", 1)[1]
            rotation = org.teams[team].on_call
            if rotation is None:
                continue
            places = [
                (f"team {team}'s rotation", path("teams", team, "on_call", "members"), rotation.members)
            ]
        else:
            schedule = org.schedules[entry.schedule]
            places = [
                (
                    f"layer {lid} of schedule {entry.schedule}",
                    path("schedules", entry.schedule, "layers", lid, "members"),
                    layer.members,
                )
                for lid, layer in schedule.layers.items()
                if person_id in layer.members
            ]
        for where, at, members in places:
            newcomer = _team_mate(org, person_id, person, members)
            if newcomer is None:
                continue
            made.append(
                (
                    f"rotation:{at}:{newcomer}",
                    "rotation",
                    f"Add {org.people[newcomer].name} to {where}, so that {person.name} is on call less",
                    (Change(at, [*members, newcomer]),),
                    "the rotation's hours are shared by one more person",
                    1.0,
                )
            )
    return made


def _team_mate(org: Organisation, person_id: str, person: Person, members: list[str]) -> str | None:
    """The first person (in file order) sharing a team and a role with ``person`` and not in ``members``."""
    for pid, other in org.people.items():
        shares = set(other.teams) & set(person.teams) and set(other.roles) & set(person.roles)
        if pid != person_id and pid not in members and shares:
            return pid
    return None


# ── Raw values, as the scenario file writes them ─────────────────────────────────────────────────────


def _raw_target(target: Any) -> dict[str, str]:
    return {target.wrapper_key: getattr(target, target.scalar_field)}


def _time_text(time: dt.time) -> str:
    return "24:00" if time == dt.time.max else f"{time.hour:02d}:{time.minute:02d}"


def _raw_window(window: WeeklyWindow) -> dict[str, Any]:
    return {"days": list(window.days), "start": _time_text(window.start), "end": _time_text(window.end)}


def _raw_hours(hours: WorkingHours) -> dict[str, Any]:
    return _raw_window(hours) | ({"timezone": hours.timezone} if hours.timezone else {})


def _raw_layer(layer: Layer) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "members": list(layer.members),
        "turn": format_duration(layer.turn),
        "start": layer.start.isoformat(),
    }
    if layer.active_from is not None:
        raw["active_from"] = layer.active_from.isoformat()
    if layer.end is not None:
        raw["end"] = layer.end.isoformat()
    if layer.restrictions:
        raw["restrictions"] = [_raw_window(r) for r in layer.restrictions]
    if layer.timezone is not None:
        raw["timezone"] = layer.timezone
    return raw
