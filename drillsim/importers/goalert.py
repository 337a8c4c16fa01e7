"""GoAlert → organisation: users, rotations, schedules, escalation policies and services, as GoAlert's
GraphQL API answers the queries in docs/import.md (saved as JSON: ``{"data": {...}}``, lists as
connections with ``nodes``, several pages welcome).

The mapping:

- users → people; GoAlert has no teams, so the team is a placeholder;
- a rotation (hourly, daily or weekly turns of ``shiftLength``, in its ``timeZone``) → a layer: its
  users in order, anchored at the turn running when the answer was saved (``activeUserIndex`` until
  ``nextHandoffTimes[0]``) and active from the rotation's ``start``; monthly rotations are noted;
- a schedule → a schedule: one layer per target (a user, or a rotation), restricted to its rules'
  weekly windows (``weekdayFilter`` from Sunday, ``start``–``end`` in the schedule's time zone; an
  end not after the start runs past midnight). GoAlert puts every matching target on call together:
  the first target's layer is the schedule's person, the others are ``alongside`` it, so a page
  reaches them all. A temporary schedule's shifts → overrides (noted: its gaps, and the other
  targets, which GoAlert silences and drillsim still pages);
- an escalation policy → a policy: each step's ``delayMinutes`` → ``timeout``, user, schedule and
  rotation targets (``targets`` or ``actions``) → ``{person}``, ``{schedule}``, and ``{schedule}`` of a
  one-layer schedule made from the rotation; ``repeat`` → ``repeat``; the services using it → a comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drillsim.importers.common import (
    Draft,
    ImportRefused,
    Note,
    Source,
    annotate,
    files_in,
    instant,
    is_time_zone,
    provenance,
    read_json,
    source_of,
)
from drillsim.scenario.loader import display_path
from drillsim.scenario.units import format_duration
from drillsim.scenario.weekly import WEEKDAYS

TOOL = "GoAlert"
KINDS = {
    "users": "user",
    "rotations": "rotation",
    "schedules": "schedule",
    "escalationPolicies": "escalationPolicy",
    "services": "service",
}
UNIT = {"hourly": 60, "daily": 1440, "weekly": 7 * 1440}  # minutes per turn of shiftLength 1
ACTION_KINDS = {"builtin-user": ("user", "user_id"), "builtin-schedule": ("schedule", "schedule_id"),
                "builtin-rotation": ("rotation", "rotation_id")}  # fmt: skip
SUNDAY_FIRST = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
ALWAYS_FROM = "2000-01-03T00:00"  # a Monday long ago: a layer of one person, on call whenever its rules say


def read(paths: Sequence[Path]) -> Draft:
    """The organisation in saved GoAlert GraphQL answers."""
    objects = _read_answers(paths)
    draft = Draft(TOOL, files=objects.pop("files"))
    draft.notes.extend(objects.pop("notes"))
    for user in objects["users"].values():
        pid = draft.new_id("person", user["id"], str(user.get("name") or user["id"]))
        draft.people[pid] = {"name": str(user.get("name") or user["id"])}
        draft.comment(("people", pid), provenance(user))
    rotations = {key: _rotation(draft, r) for key, r in objects["rotations"].items()}
    for schedule in objects["schedules"].values():
        _schedule(draft, schedule, rotations)
    made: dict[str, str] = {}
    for policy in objects["escalationPolicies"].values():
        _policy(draft, policy, rotations, objects["rotations"], made)
    for service in objects["services"].values():
        policy_id = service.get("escalationPolicyID") or (service.get("escalationPolicy") or {}).get("id")
        eid = draft.id_of("policy", policy_id)
        if eid is None:
            draft.note(source_of(service), "its escalation policy is not among those read")
        else:
            draft.serves.setdefault(eid, []).append(str(service.get("name")))
            draft.comment(
                ("escalation", eid), f'serves {TOOL} service "{service.get("name")}": {source_of(service)}'
            )
    return draft


def _read_answers(paths: Sequence[Path]) -> dict[str, Any]:
    """Objects by kind and id, each annotated with its Source; ``files`` and ``notes`` besides."""
    found: dict[str, Any] = {kind: {} for kind in KINDS}
    found["files"], found["notes"] = [], []
    problems: list[Note] = []
    pages: dict[str, list[tuple[bool, Source]]] = {}
    for path in files_in(paths, {".json"}, "JSON files"):
        shown = display_path(path)
        found["files"].append(shown)
        answer = read_json(path)
        data = answer.get("data", answer) if isinstance(answer, dict) else None
        if isinstance(answer, dict) and answer.get("errors"):
            problems.append(Note(Source(shown, "errors"), "the answer holds GraphQL errors: save it again"))
            continue
        if not isinstance(data, dict) or not any(k in data for k in (*KINDS, *KINDS.values())):
            found["notes"].append(Note(Source(shown), "not read: not an answer drillsim reads"))
            continue
        for plural, single in KINDS.items():
            listed = data.get(plural)
            if isinstance(listed, dict) and isinstance(listed.get("nodes"), list):
                where = Source(shown, "data" if "data" in answer else "").at(plural)
                annotate(listed, where)
                items = listed["nodes"]
                more = (listed.get("pageInfo") or {}).get("hasNextPage") is True
                pages.setdefault(plural, []).append((more, where.at("pageInfo", "hasNextPage")))
            elif isinstance(data.get(single), dict):
                items = [annotate(data[single], Source(shown, "data" if "data" in answer else "").at(single))]
            else:
                continue
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    found[plural].setdefault(item["id"], item)
    if problems:
        raise ImportRefused(problems)
    for plural, seen in pages.items():
        if all(more for more, _ in seen):
            found["notes"].append(
                Note(seen[-1][1], f"true: GoAlert has more {plural} than these pages; save the next page too")
            )
    return found


def _rotation(draft: Draft, rotation: dict[str, Any]) -> dict[str, Any] | None:
    """The layer a rotation makes (without restrictions), or None when it cannot be one (noted)."""
    where = source_of(rotation)
    kind, length, zone = rotation.get("type"), rotation.get("shiftLength"), rotation.get("timeZone")
    if kind not in UNIT or not isinstance(length, int) or length <= 0:
        draft.note(where.at("type"), f"a {kind} rotation (turns of calendar months) is not represented")
        return None
    if not is_time_zone(zone):
        draft.refuse(where.at("timeZone"), f"{zone!r} is not an IANA time zone")
        return None
    ids = [u for u in rotation.get("userIDs") or [] if isinstance(u, str)]
    if not ids:
        draft.note(where.at("userIDs"), "a rotation with nobody in it: left out")
        return None
    turn = length * UNIT[kind]
    start, active_from = _anchor(draft, rotation, ids, turn)
    members = [draft.id_of("person", u) for u in ids]
    for index, (user, pid) in enumerate(zip(ids, members, strict=True)):
        if pid is None:
            draft.note(where.at("userIDs", index), f"user {user} is not among the users read: left out")
    kept = [pid for pid in members if pid]
    if not kept:
        return None
    layer: dict[str, Any] = {"members": kept, "turn": format_duration(turn), "start": start, "timezone": zone}
    if active_from:
        layer["active_from"] = active_from
    return layer


def _anchor(draft: Draft, rotation: dict[str, Any], ids: list[str], turn: int) -> tuple[str, str | None]:
    """The rotation's anchor, reordering ``ids`` in place so that the first is on call from it: the
    turn running when the answer was saved (``activeUserIndex`` until ``nextHandoffTimes[0]``), the
    layer active from the rotation's ``start``. Without them, the turns count from ``start`` (noted)."""
    where, start = source_of(rotation), str(rotation.get("start"))
    handoffs = rotation.get("nextHandoffTimes") or []
    active = rotation.get("activeUserIndex")
    following = instant(handoffs[0]) if handoffs else None
    if following is None or not isinstance(active, int) or not 0 <= active < len(ids):
        draft.note(
            where, "no activeUserIndex and nextHandoffTimes: turns counted from its start, first user first"
        )
        return start, None
    local = following.astimezone(ZoneInfo(str(rotation["timeZone"]))).replace(tzinfo=None)
    current = local - dt.timedelta(minutes=turn)  # wall-clock, as drillsim's turns advance
    ids[:] = ids[active:] + ids[:active]
    begins = instant(start)
    active_from = start if begins is not None and begins < following - dt.timedelta(minutes=turn) else None
    return current.isoformat(timespec="minutes"), active_from


def _schedule(draft: Draft, schedule: dict[str, Any], rotations: dict[str, dict[str, Any] | None]) -> None:
    where = source_of(schedule)
    zone = schedule.get("timeZone")
    if not is_time_zone(zone):
        draft.refuse(where.at("timeZone"), f"{zone!r} is not an IANA time zone")
        return
    sid = draft.new_id("schedule", schedule["id"], str(schedule.get("name") or schedule["id"]))
    layers: dict[str, dict[str, Any]] = {}
    for entry in schedule.get("targets") or []:
        target = entry.get("target") if isinstance(entry, dict) else None
        if not isinstance(target, dict):
            continue
        layer = _target_layer(draft, target, rotations)
        windows = [w for rule in entry.get("rules") or [] for w in _windows(draft, rule)]
        if layer is None or not windows:
            if layer is not None:
                draft.note(source_of(entry).at("rules"), "never on call (no weekday in its rules): left out")
            continue
        if windows != [{"start": "00:00", "end": "24:00"}]:
            layer["restrictions"] = windows
        if layers:
            layer["alongside"] = True  # GoAlert puts every target on call together
        lid = draft.new_id(
            f"layer of {sid}", str(target.get("id")), str(target.get("name") or target.get("id"))
        )
        layers[lid] = layer
        draft.comment(
            ("schedules", sid, "layers", lid),
            f"from {source_of(entry)} ({target.get('type')} {target.get('name') or ''})",
        )
    if not layers:
        draft.note(where, "left out: no target drillsim can put on call")
        draft.forget("schedule", schedule["id"])
        return
    out: dict[str, Any] = {
        "title": schedule.get("name") or schedule["id"],
        "timezone": zone,
        "layers": layers,
    }
    overrides = _temporary(draft, schedule, len(layers))
    if overrides:
        out["overrides"] = overrides
    draft.schedules[sid] = out
    draft.comment(("schedules", sid), provenance(schedule))


def _target_layer(
    draft: Draft, target: dict[str, Any], rotations: dict[str, dict[str, Any] | None]
) -> dict[str, Any] | None:
    where, kind, key = source_of(target), target.get("type"), target.get("id")
    if kind == "user":
        pid = draft.id_of("person", key)
        if pid is None:
            draft.note(where, f"user {key} is not among the users read: left out")
            return None
        return {"members": [pid], "turn": "1w", "start": ALWAYS_FROM}
    if kind == "rotation":
        layer = rotations.get(str(key))
        if layer is None:
            draft.note(where, f"rotation {key} is not among the rotations drillsim could read: left out")
            return None
        return dict(layer)
    draft.note(where.at("type"), f"a target of type {kind!r} is not represented")
    return None


def _windows(draft: Draft, rule: Any) -> list[dict[str, Any]]:
    """A schedule rule's weekly windows: its days (``weekdayFilter`` from Sunday), ``start`` to ``end``;
    the same start and end is a whole day from that time."""
    if not isinstance(rule, dict):
        return []
    days = [SUNDAY_FIRST[i] for i, on in enumerate(rule.get("weekdayFilter") or []) if on and i < 7]
    start, end = str(rule.get("start", ""))[:5], str(rule.get("end", ""))[:5]
    if not days:
        return []
    ordered = [d for d in WEEKDAYS if d in days]
    if start == end and start == "00:00":
        return (
            [{"days": ordered, "start": "00:00", "end": "24:00"}]
            if len(days) < 7
            else [{"start": "00:00", "end": "24:00"}]
        )
    if start == end:
        after = [WEEKDAYS[(WEEKDAYS.index(d) + 1) % 7] for d in ordered]
        return [
            {"days": ordered, "start": start, "end": "24:00"},
            {"days": after, "start": "00:00", "end": end},
        ]
    return [{"days": ordered, "start": start, "end": end}]


def _temporary(draft: Draft, schedule: dict[str, Any], layers: int) -> list[dict[str, Any]]:
    overrides: list[dict[str, Any]] = []
    for index, temporary in enumerate(schedule.get("temporarySchedules") or []):
        where = source_of(schedule).at("temporarySchedules", index)
        covered = dt.timedelta(0)
        for shift in temporary.get("shifts") or []:
            pid = draft.id_of("person", shift.get("userID"))
            begins, ends = instant(shift.get("start")), instant(shift.get("end"))
            if pid is None or begins is None or ends is None:
                draft.note(
                    source_of(shift), f"shift of user {shift.get('userID')} left out (unknown user or times)"
                )
                continue
            covered += ends - begins
            overrides.append({"person": pid, "start": shift["start"], "end": shift["end"]})
        begins, ends = instant(temporary.get("start")), instant(temporary.get("end"))
        if begins and ends and covered < ends - begins:
            draft.note(where, "its gaps are not represented: the regular rules show through them in drillsim")
        if layers > 1:
            draft.note(
                where, "GoAlert pages only its shifts; drillsim still pages the alongside targets then"
            )
    return overrides


def _policy(
    draft: Draft,
    policy: dict[str, Any],
    rotations: dict[str, dict[str, Any] | None],
    rotation_objects: dict[str, dict[str, Any]],
    made: dict[str, str],
) -> None:
    where = source_of(policy)
    steps = sorted(
        (s for s in policy.get("steps") or [] if isinstance(s, dict)), key=lambda s: s.get("stepNumber", 0)
    )
    if not steps:
        draft.refuse(where.at("steps"), "expected at least one step")
        return
    eid = draft.new_id("policy", policy["id"], str(policy.get("name") or policy["id"]))
    levels: list[dict[str, Any]] = []
    for step in steps:
        here = source_of(step)
        delay = step.get("delayMinutes")
        targets = [
            t
            for t in (_step_target(draft, ref, rotations, rotation_objects, made) for ref in _refs(step))
            if t
        ]
        if not isinstance(delay, int) or delay <= 0:
            draft.refuse(here.at("delayMinutes"), "expected a number of minutes above 0")
        elif not targets:
            draft.refuse(here, "no target drillsim can page: this level would page nobody")
        else:
            levels.append({"timeout": format_duration(delay), "targets": targets})
    out: dict[str, Any] = {"title": policy.get("name") or policy["id"], "levels": levels}
    if isinstance(policy.get("repeat"), int) and policy["repeat"] > 0:
        out["repeat"] = min(policy["repeat"], 100)
    draft.escalation[eid] = out
    draft.comment(("escalation", eid), provenance(policy))


def _refs(step: dict[str, Any]) -> list[tuple[str, str, Source]]:
    """(type, id, source) of a step's targets, from ``targets`` or the newer ``actions``."""
    found: list[tuple[str, str, Source]] = []
    for target in step.get("targets") or []:
        if isinstance(target, dict):
            found.append((str(target.get("type")), str(target.get("id")), source_of(target)))
    for action in step.get("actions") or []:
        if isinstance(action, dict):
            kind, field = ACTION_KINDS.get(str(action.get("type")), (str(action.get("type")), ""))
            args = action.get("args") or {}
            found.append((kind, str(args.get(field, "")), source_of(action)))
    return found


def _step_target(
    draft: Draft,
    ref: tuple[str, str, Source],
    rotations: dict[str, dict[str, Any] | None],
    rotation_objects: dict[str, dict[str, Any]],
    made: dict[str, str],
) -> dict[str, str] | None:
    kind, key, where = ref
    if kind == "user":
        pid = draft.id_of("person", key)
        if pid is None:
            draft.note(where, f"user {key} is not among the users read (no longer exists?): not paged")
        return {"person": pid} if pid else None
    if kind == "schedule":
        sid = draft.id_of("schedule", key)
        if sid is None:
            draft.note(where, f"schedule {key} is not among the schedules read: not paged")
        return {"schedule": sid} if sid else None
    if kind == "rotation":
        layer = rotations.get(key)
        if layer is None:
            draft.note(where, f"rotation {key} is not among the rotations drillsim could read: not paged")
            return None
        if key not in made:
            rotation = rotation_objects[key]
            sid = made[key] = draft.new_id(
                "schedule", f"rotation:{key}", f"rotation {rotation.get('name') or key}"
            )
            draft.schedules[sid] = {
                "title": f"rotation {rotation.get('name')}",
                "timezone": layer["timezone"],
                "layers": {"rotation": dict(layer)},
            }
            draft.comment(("schedules", sid), f"the rotation paged at {where}: {provenance(rotation)}")
        return {"schedule": made[key]}
    draft.note(where, f"a target of type {kind!r} is not represented (users, schedules and rotations are)")
    return None
