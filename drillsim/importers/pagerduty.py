"""PagerDuty → organisation: users, teams, schedules (layers, restrictions, overrides), escalation
policies and the services they serve, as PagerDuty's REST API v2 returns them.

:func:`read_api` reads the JSON files a user saved from the API (list responses, several pages of
one list, single-object responses); ``terraform`` builds the same shapes from ``.tf`` files. Both
hand an :class:`Export` to :func:`build`, the one mapping (docs/import.md has it as a table):

- users → people (name; team memberships); notification rules are noted, not represented;
- teams → teams;
- schedules → schedules in their time zone: each layer's users in order, ``rotation_turn_length_seconds``
  → ``turn``, ``rotation_virtual_start`` → ``start`` and the layer's own ``start`` → ``active_from``
  when they differ, ``end``; restrictions → weekly windows (a daily restriction every day, a weekly one
  split into day windows); layers lowest first, ordered by the number in PagerDuty's names
  ("Layer 1", "Layer 2"…), never by the order a GET lists them (which has changed over time);
- overrides → whole-schedule overrides;
- escalation policies → policies: ``escalation_delay_in_minutes`` → ``timeout``, user targets →
  ``{person}``, schedule targets → ``{schedule}``, round robin over users → ``{round_robin}`` of a team
  made for it, ``num_loops`` → ``repeat``; the services a policy serves → a comment on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillsim.importers.common import (
    Draft,
    Note,
    Source,
    annotate,
    files_in,
    instant,
    is_time_zone,
    provenance,
    read_json,
    source_of,
    unique,
)
from drillsim.scenario.loader import display_path
from drillsim.scenario.units import format_duration
from drillsim.scenario.weekly import WEEKDAYS

TOOL = "PagerDuty"
# the API's list keys and the key of its single-object responses
KINDS = {
    "users": "user",
    "teams": "team",
    "schedules": "schedule",
    "escalation_policies": "escalation_policy",
    "services": "service",
    "overrides": "override",
}
USER_TARGETS = {"user_reference", "user"}
SCHEDULE_TARGETS = {"schedule_reference", "schedule"}
DAY, WEEK = 1440, 7 * 1440  # minutes
_LAYER_NAME = re.compile(r"^\s*layer\s*(\d+)\s*$", re.IGNORECASE)
_PD_ID = re.compile(r"\bP[A-Z0-9]{5,13}\b")


@dataclass
class Export:
    """PagerDuty objects by kind and PagerDuty id, each dict carrying its Source (``common.annotate``).
    ``overrides`` are by schedule id. ``layers_listed_in_order``: the layers come in the order they are
    applied, lowest first (Terraform's ``layer`` blocks); otherwise their names must say it."""

    files: list[str] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    escalation_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    overrides: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    errors: list[Note] = field(default_factory=list)
    layers_listed_in_order: bool = False


def read(paths: Sequence[Path]) -> Draft:
    """The organisation in PagerDuty API JSON files (see :func:`read_api` and :func:`build`)."""
    draft = Draft(TOOL)
    build(read_api(paths), draft)
    return draft


# ---- reading the API's JSON ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    kind: str
    offset: int
    count: int
    limit: int
    more: bool
    where: Source


def read_api(paths: Sequence[Path]) -> Export:
    """The PagerDuty objects in the JSON files named (or found in folders named). Each file is one API
    response: a list (``{"schedules": [...], "more": false}``, one page of several) or one object
    (``{"schedule": {...}}``); overrides from ``GET /schedules/{id}/overrides`` name their schedule in
    the file's path (``overrides-PABC123.json``). Files of no kind drillsim reads are noted; a page
    saying ``more: true`` without its next page is noted."""
    export = Export()
    pages: list[_Page] = []
    for path in files_in(paths, {".json"}, "JSON files"):
        shown = display_path(path)
        export.files.append(shown)
        data = read_json(path)
        if not isinstance(data, dict):
            export.errors.append(Note(Source(shown), "expected a PagerDuty API response (a JSON object)"))
            continue
        found = False
        for plural, single in KINDS.items():
            if isinstance(data.get(plural), list):
                found = True
                items = [
                    annotate(item, Source(shown, f"{plural}[{i}]")) for i, item in enumerate(data[plural])
                ]
                _add(export, plural, items, path)
                offset, limit = data.get("offset", 0), data.get("limit", len(items))
                if isinstance(offset, int) and isinstance(limit, int):
                    pages.append(
                        _Page(
                            plural, offset, len(items), limit, data.get("more") is True, Source(shown, "more")
                        )
                    )
            elif isinstance(data.get(single), dict):
                found = True
                _add(export, plural, [annotate(data[single], Source(shown, single))], path)
        if not found:
            keys = ", ".join(k for k in data if isinstance(k, str)) or "none"
            export.notes.append(
                Note(Source(shown), f"not read: not a response drillsim reads (its keys: {keys})")
            )
    for page in pages:
        following = page.offset + (page.limit or page.count)
        if page.more and not any(p.kind == page.kind and p.offset == following for p in pages):
            export.notes.append(
                Note(
                    page.where,
                    f"true: PagerDuty has more {page.kind} after these {page.count}; save the next page "
                    f"(offset={following}) too",
                )
            )
    return export


def _add(export: Export, kind: str, items: list[Any], path: Path) -> None:
    if kind == "overrides":
        schedule = _schedule_named_in(path)
        if schedule is None:
            export.errors.append(
                Note(
                    Source(display_path(path)),
                    "overrides, but which schedule's? name the file after the schedule's id "
                    "(e.g. overrides-PABC123.json)",
                )
            )
            return
        export.overrides.setdefault(schedule, []).extend(i for i in items if isinstance(i, dict))
        return
    table: dict[str, dict[str, Any]] = getattr(export, kind)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            where = source_of(item) if isinstance(item, dict) else Source(display_path(path), kind)
            export.errors.append(Note(where, "expected an object with an id"))
            continue
        table.setdefault(item["id"], item)  # the same object on two pages is one object


def _schedule_named_in(path: Path) -> str | None:
    """The PagerDuty id in an overrides file's name, or in its folder's."""
    for part in (path.stem, path.parent.name):
        found = _PD_ID.findall(part)
        if len(found) == 1:
            return str(found[0])
    return None


# ---- the mapping ---------------------------------------------------------------------------------


def build(export: Export, draft: Draft) -> None:
    """Map ``export`` into ``draft`` (see the module's docstring); what cannot be represented becomes a
    note, what would be wrong an error (``draft.check`` raises them)."""
    draft.files = export.files
    draft.notes.extend(export.notes)
    draft.errors.extend(export.errors)
    for team in export.teams.values():
        _team(draft, team)
    for user in export.users.values():
        _person(draft, user)
    for schedule in export.schedules.values():
        _schedule(draft, export, schedule)
    for schedule_id, overrides in export.overrides.items():
        if schedule_id not in export.schedules:
            draft.note(
                source_of(overrides[0]),
                f"overrides of schedule {schedule_id}, which is not among the schedules read",
            )
    for policy in export.escalation_policies.values():
        _policy(draft, policy)
    for service in export.services.values():
        _service(draft, service)


def _name(obj: dict[str, Any]) -> str:
    name = obj.get("name") or obj.get("summary") or obj.get("id")
    return str(name)


def _team(draft: Draft, team: dict[str, Any]) -> str:
    tid = draft.new_id("team", team["id"], _name(team))
    draft.teams[tid] = {"name": _name(team)}
    draft.comment(("teams", tid), provenance(team))
    return tid


def _person(draft: Draft, user: dict[str, Any]) -> None:
    pid = draft.new_id("person", user["id"], _name(user))
    teams: list[str] = []
    for ref in user.get("teams") or []:
        if isinstance(ref, dict) and isinstance(ref.get("id"), str):
            teams.append(draft.id_of("team", ref["id"]) or _team(draft, ref))
    draft.people[pid] = {"name": _name(user), **({"teams": unique(teams)} if teams else {})}
    draft.comment(("people", pid), provenance(user))
    rules = user.get("notification_rules")
    if isinstance(rules, list) and rules:
        draft.note(
            source_of(user).at("notification_rules"),
            f"{len(rules)} notification rule(s) (how PagerDuty reaches {_name(user)}) not represented: "
            "drillsim models reaching a person by reachability and ack_delay",
        )


def _schedule(draft: Draft, export: Export, schedule: dict[str, Any]) -> None:
    where = source_of(schedule)
    zone = schedule.get("time_zone")
    if not is_time_zone(zone):
        draft.refuse(where.at("time_zone"), f"{zone!r} is not an IANA time zone (e.g. Europe/London)")
        return
    listed = schedule.get("schedule_layers")
    if not isinstance(listed, list) or not listed:
        draft.refuse(
            where,
            "has no schedule_layers: save it from GET /schedules/{id}, or the list with "
            "?include[]=schedule_layers",
        )
        return
    sid = draft.new_id("schedule", schedule["id"], _name(schedule))
    layers: dict[str, dict[str, Any]] = {}
    for layer in _in_order(draft, export, schedule, listed):
        made = _layer(draft, layer)
        if made is not None:
            lid = draft.new_id(f"layer of {sid}", str(layer.get("id") or len(layers)), _name(layer))
            layers[lid] = made
            draft.comment(("schedules", sid, "layers", lid), provenance(layer))
    if not layers:
        draft.note(where, "left out: none of its layers has anyone on call that drillsim can name")
        draft.forget("schedule", schedule["id"])
        return
    out: dict[str, Any] = {"title": _name(schedule), "timezone": zone, "layers": layers}
    overrides = [o for o in (_override(draft, o) for o in export.overrides.get(schedule["id"], [])) if o]
    if overrides:
        out["overrides"] = [o for o, _ in overrides]
        for index, (_, text) in enumerate(overrides):
            draft.comment(("schedules", sid, "overrides", str(index)), text)
    draft.schedules[sid] = out
    draft.comment(("schedules", sid), provenance(schedule))


def _in_order(
    draft: Draft, export: Export, schedule: dict[str, Any], layers: list[Any]
) -> list[dict[str, Any]]:
    """The layers lowest first: as listed when the source lists them so (Terraform), else by the number
    in their names (PagerDuty names them "Layer 1", "Layer 2"…; a GET's order has changed over time);
    when the names do not say it, as listed, noted."""
    found = [layer for layer in layers if isinstance(layer, dict)]
    if export.layers_listed_in_order or len(found) < 2:
        return found
    numbers = [_LAYER_NAME.match(str(layer.get("name") or "")) for layer in found]
    if all(numbers) and len({int(m.group(1)) for m in numbers if m}) == len(found):
        return [
            layer for _, layer in sorted(zip((int(m.group(1)) for m in numbers if m), found, strict=True))
        ]
    draft.note(
        source_of(schedule).at("schedule_layers"),
        "the layers' names do not say their order (PagerDuty names them 'Layer 1', 'Layer 2'…): taken "
        "as listed, lowest first; check which layer wins where they overlap",
    )
    return found


def _layer(draft: Draft, layer: dict[str, Any]) -> dict[str, Any] | None:
    where = source_of(layer)
    members: list[str] = []
    for entry in layer.get("users") or []:
        ref = entry.get("user") if isinstance(entry, dict) else None
        pid = draft.id_of("person", ref.get("id")) if isinstance(ref, dict) else None
        if pid is None:
            missing = ref.get("id") if isinstance(ref, dict) else entry
            draft.note(
                source_of(ref) if isinstance(ref, dict) else where.at("users"),
                f"user {missing} is not among the users read (no longer exists?): left out of the rotation",
            )
            continue
        members.append(pid)
    if not members:
        draft.note(where, "left out: no one in its rotation is among the users read")
        return None
    seconds = layer.get("rotation_turn_length_seconds")
    anchor, begins, end = (instant(layer.get(k)) for k in ("rotation_virtual_start", "start", "end"))
    if not isinstance(seconds, int) or seconds <= 0 or anchor is None or begins is None:
        draft.refuse(
            where, "expected rotation_turn_length_seconds (seconds), rotation_virtual_start and start"
        )
        return None
    if seconds % 60:
        draft.note(where.at("rotation_turn_length_seconds"), f"{seconds}s rounded to the minute")
    out: dict[str, Any] = {
        "members": members,
        "turn": format_duration(max(seconds // 60, 1)),
        "start": layer["rotation_virtual_start"],
    }
    if begins != anchor:
        out["active_from"] = layer["start"]
    if end is not None:
        out["end"] = layer["end"]
    windows: list[dict[str, Any]] = []
    for restriction in layer.get("restrictions") or []:
        if isinstance(restriction, dict):
            windows += restriction_windows(draft, restriction)
    if windows:
        out["restrictions"] = windows
    return out


def restriction_windows(draft: Draft, restriction: dict[str, Any]) -> list[dict[str, Any]]:
    """A PagerDuty restriction as drillsim's weekly windows, in the schedule's time zone.

    A daily restriction (``start_time_of_day`` for ``duration_seconds``) is one window every day (it
    crosses midnight when it runs past it). A weekly one starts on ``start_day_of_week`` (1 Monday … 7
    Sunday): under a day it is one window on that day; longer, a window from its start to midnight,
    the whole days after it as one window, and the last day from midnight to its end. Fri 18:00 for
    63 h: fri 18:00–24:00, sat–sun 00:00–24:00, mon 00:00–09:00. Seconds are rounded down to the
    minute (noted)."""
    where = source_of(restriction)
    kind, seconds = restriction.get("type"), restriction.get("duration_seconds")
    start = _time_of_day(restriction.get("start_time_of_day"))
    if kind not in ("daily_restriction", "weekly_restriction"):
        draft.refuse(where.at("type"), f"{kind!r} is not a restriction drillsim knows (daily or weekly)")
        return []
    if start is None or not isinstance(seconds, int) or seconds <= 0:
        draft.refuse(where, "expected start_time_of_day (HH:MM:SS) and duration_seconds")
        return []
    first, rounded = start
    if rounded or seconds % 60:
        draft.note(where, "seconds rounded down to the minute")
    minutes = seconds // 60
    if kind == "daily_restriction":
        if minutes >= DAY:
            return [{"start": "00:00", "end": "24:00"}]
        return [{"start": _clock(first), "end": _clock(first + minutes, end=True)}]
    day = restriction.get("start_day_of_week")
    if not isinstance(day, int) or not 1 <= day <= 7:
        draft.refuse(where.at("start_day_of_week"), "expected a day from 1 (Monday) to 7 (Sunday)")
        return []
    if minutes >= WEEK:
        return [{"days": list(WEEKDAYS), "start": "00:00", "end": "24:00"}]
    if minutes < DAY:
        return [
            {"days": [WEEKDAYS[day - 1]], "start": _clock(first), "end": _clock(first + minutes, end=True)}
        ]
    windows: list[dict[str, Any]] = []
    whole: list[str] = []
    at, left, index = first, minutes, day - 1
    while left > 0:
        until = min(DAY, at + left)
        name = WEEKDAYS[index % 7]
        if at == 0 and until == DAY:
            whole.append(name)
        else:
            windows.append({"days": [name], "start": _clock(at), "end": _clock(until, end=True)})
        left -= until - at
        at, index = 0, index + 1
    if whole:
        windows.insert(1 if first else 0, {"days": whole, "start": "00:00", "end": "24:00"})
    return windows


def _time_of_day(text: Any) -> tuple[int, bool] | None:
    """``HH:MM[:SS]`` → (minutes after midnight, whether seconds were dropped)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text) if isinstance(text, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return int(match.group(1)) * 60 + int(match.group(2)), bool(match.group(3) and int(match.group(3)))


def _clock(minutes: int, *, end: bool = False) -> str:
    """Minutes after midnight as HH:MM (past midnight wraps; an end at midnight the same day is 24:00)."""
    if end and minutes == DAY:
        return "24:00"
    minutes %= DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _override(draft: Draft, override: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    where = source_of(override)
    ref = override.get("user")
    pid = draft.id_of("person", ref.get("id")) if isinstance(ref, dict) else None
    if pid is None:
        missing = ref.get("id") if isinstance(ref, dict) else None
        draft.note(where.at("user"), f"user {missing} is not among the users read: override left out")
        return None
    if instant(override.get("start")) is None or instant(override.get("end")) is None:
        draft.refuse(where, "expected start and end (ISO 8601 date-times)")
        return None
    return {"person": pid, "start": override["start"], "end": override["end"]}, f"from {where}"


def _policy(draft: Draft, policy: dict[str, Any]) -> None:
    where = source_of(policy)
    rules = policy.get("escalation_rules")
    if not isinstance(rules, list) or not rules:
        draft.refuse(where.at("escalation_rules"), "expected at least one escalation rule")
        return
    eid = draft.new_id("policy", policy["id"], _name(policy))
    levels = [level for index, rule in enumerate(rules) if (level := _level(draft, eid, index, rule))]
    out: dict[str, Any] = {"title": _name(policy), "levels": levels}
    loops = policy.get("num_loops")
    if isinstance(loops, int) and loops > 0:
        out["repeat"] = min(loops, 100)
        if loops > 100:
            draft.note(where.at("num_loops"), f"{loops} loops: drillsim repeats a policy at most 100 times")
    draft.escalation[eid] = out
    draft.comment(("escalation", eid), provenance(policy))


def _level(draft: Draft, policy: str, index: int, rule: Any) -> dict[str, Any] | None:
    if not isinstance(rule, dict):
        return None
    where = source_of(rule)
    delay = rule.get("escalation_delay_in_minutes")
    if not isinstance(delay, int | float) or delay <= 0:
        draft.refuse(where.at("escalation_delay_in_minutes"), "expected a number of minutes above 0")
        return None
    targets: list[dict[str, str]] = []
    for target in rule.get("targets") or []:
        made = _target(draft, target) if isinstance(target, dict) else None
        if made:
            targets.append(made)
    if not targets:
        draft.refuse(where.at("targets"), "no target drillsim can page: this level would page nobody")
        return None
    if _strategy(rule) == "round_robin" and len(targets) > 1:
        people = [t["person"] for t in targets if "person" in t]
        if len(people) == len(targets):
            team = draft.new_id("team", f"{policy}/{index}", f"{policy} level {index + 1} round robin")
            draft.teams[team] = {"name": f"Round robin of {policy}, level {index + 1}"}
            draft.comment(("teams", team), f"made for the round robin at {where}")
            for pid in people:
                draft.people[pid].setdefault("teams", []).append(team)
            targets = [{"round_robin": team}]
        else:
            draft.note(
                where.at("escalation_rule_assignment_strategy"),
                "round robin over schedules is not represented: drillsim pages every target of the level",
            )
    return {"timeout": format_duration(float(delay)), "targets": targets}


def _strategy(rule: dict[str, Any]) -> str | None:
    """The rule's assignment strategy: a string, ``{type: …}`` or ``[{type: …}]`` as sources write it."""
    value = rule.get("escalation_rule_assignment_strategy")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("type")
    return value if isinstance(value, str) else None


def _target(draft: Draft, target: dict[str, Any]) -> dict[str, str] | None:
    where, kind, key = source_of(target), target.get("type"), target.get("id")
    if kind in USER_TARGETS:
        pid = draft.id_of("person", key)
        if pid is None:
            draft.note(where, f"user {key} is not among the users read (no longer exists?): not paged")
            return None
        return {"person": pid}
    if kind in SCHEDULE_TARGETS:
        sid = draft.id_of("schedule", key)
        if sid is None:
            draft.note(where, f"schedule {key} is not among the schedules read: not paged")
            return None
        return {"schedule": sid}
    draft.note(where.at("type"), f"a target of type {kind!r} is not represented (users and schedules are)")
    return None


def _service(draft: Draft, service: dict[str, Any]) -> None:
    where = source_of(service)
    ref = service.get("escalation_policy")
    eid = draft.id_of("policy", ref.get("id")) if isinstance(ref, dict) else None
    if eid is None:
        draft.note(where.at("escalation_policy"), "its escalation policy is not among those read")
    else:
        label = (
            f"{_name(service)} ({service['id']})"
            if not where.path.endswith(service["id"])
            else _name(service)
        )
        draft.serves.setdefault(eid, []).append(label)
        draft.comment(("escalation", eid), f"serves {TOOL} service {label}: {where}")
    rule = service.get("incident_urgency_rule")
    if isinstance(rule, dict) and (rule.get("type"), rule.get("urgency")) != ("constant", "high"):
        draft.note(
            where.at("incident_urgency_rule"),
            f"urgency rule ({rule.get('type')}, {rule.get('urgency') or 'by support hours'}) not "
            "represented: drillsim chooses a policy by incident kind and severity (applies_to)",
        )
