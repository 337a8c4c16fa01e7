"""PagerDuty incident history: incidents and their log entries, as saved from the REST API v2.

Files are the JSON bodies of list responses (``GET /incidents``, ``GET /incidents/{id}/log_entries``,
``GET /log_entries``), page by page (``offset``, ``limit``, ``more``), or of single-object responses
(``GET /incidents/{id}``, ``GET /log_entries/{id}``); a folder stands for every ``.json`` file under
it. The fields read, as PagerDuty's OpenAPI description (github.com/PagerDuty/api-schema,
``reference/REST/openapiv3.json``) defines them:

- a log entry (``LogEntry``): ``type``, ``created_at`` (date-time, with an offset), ``incident.id``
  (``IncidentReference``), ``id`` (to drop the same entry saved twice);
- ``notify_log_entry``: ``user`` (``UserReference``: ``id``, ``summary`` = the user's name) — a
  notification sent to that user;
- ``acknowledge_log_entry``: ``agent`` (``AgentReference``; ``type: user_reference`` for a person);
- ``escalate_log_entry``, ``assign_log_entry``, ``delegate_log_entry``,
  ``repeat_escalation_path_log_entry``: the incident was reassigned (``assignees``): the pages of
  those it was assigned to stop waiting for them;
- ``resolve_log_entry``: the incident was resolved;
- an incident (``Incident``): ``id``, ``resolved_at`` (or null);
- pagination (``Pagination``): ``offset``, ``limit``, ``more``.

Pages, per incident, in time order: a person's page starts at their first notification (later
notifications of the same page are their notification rules repeating it) and ends at their own
acknowledgement (answered), or censored at the first escalation, reassignment, acknowledgement by
someone else or resolution — or, when the log stops before any of those, at the incident's
``resolved_at`` if known, else at the log's last entry. Entries with the same time are taken in the
order reassignment, notification, acknowledgement, resolution (a new level's notifications carry
its escalation's second). Other entry types (notes, snoozes, urgency changes…) are counted, not used;
a page of results announced (``more: true``) but not among the files, and an incident without log
entries, are warned about.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.calibration.history import History, HistoryError, Paged, People, classify, parse_instant
from drillsim.scenario.organisation import Organisation

ACKNOWLEDGE = {"acknowledge_log_entry", "acknowledgement_log_entry"}  # the schema spells it both ways
REASSIGN = {
    "escalate_log_entry",
    "assign_log_entry",
    "delegate_log_entry",
    "repeat_escalation_path_log_entry",
}
RESOLVE = "resolve_log_entry"
NOTIFY = "notify_log_entry"
_ORDER = {**dict.fromkeys(REASSIGN, 0), NOTIFY: 1, **dict.fromkeys(ACKNOWLEDGE, 2), RESOLVE: 3}


@dataclass(frozen=True)
class _Entry:
    """A log entry, read and checked: what the pages need of it."""

    type: str
    at: dt.datetime
    incident: str
    user: tuple[str, str] | None  # notify: (id, name); acknowledge: the acknowledging user, if a user
    where: str
    order: int  # its place among the files, for entries with the same time and type


@dataclass
class _Pages:
    """Which pages of each list the files hold: (kind, offset) → the file, and the next offsets they
    announce (``more: true``)."""

    present: set[tuple[str, int]]
    announced: list[tuple[str, int, str]]


def json_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and every ``.json`` file under the folders named (sorted); HistoryError for a
    path that does not exist or a folder without one."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise HistoryError(
                    f"{path}: no .json files in this folder (expected PagerDuty API responses saved as JSON)"
                )
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise HistoryError(f"{path}: no such file or folder")
    return list(dict.fromkeys(files))


def read_pagerduty(paths: Sequence[Path], org: Organisation) -> History:
    """Every page to the organisation's people in the PagerDuty files at ``paths``; HistoryError naming
    the file (and line and column, or JSON path) when one cannot be read."""
    entries: dict[str, _Entry] = {}
    anonymous: list[_Entry] = []
    resolved: dict[str, dt.datetime | None] = {}
    incidents_where: dict[str, str] = {}
    listing = _Pages(set(), [])
    ignored: Counter[str] = Counter()
    duplicates = 0
    files = json_files(paths)
    for file in files:
        body = _load(file)
        for kind, items in _lists(body, file, listing):
            for index, item in enumerate(items):
                where = (
                    f"{file}: $.{kind}[{index}]" if isinstance(body.get(kind), list) else f"{file}: $.{kind}"
                )
                if kind in ("incidents", "incident"):
                    incident, resolved_at = _incident(item, where)
                    resolved[incident] = resolved_at
                    incidents_where.setdefault(incident, where)
                    continue
                entry = _entry(item, where, len(entries) + len(anonymous))
                if entry.type not in _ORDER:
                    ignored[entry.type] += 1
                key = item.get("id")
                if isinstance(key, str) and key:
                    duplicates += key in entries
                    entries.setdefault(key, entry)
                else:
                    anonymous.append(entry)
    by_incident: dict[str, list[_Entry]] = {}
    for entry in [*entries.values(), *anonymous]:
        by_incident.setdefault(entry.incident, []).append(entry)
    people = People(org)
    paged: list[Paged] = []
    for incident, log in by_incident.items():
        paged += _pages(log, resolved.get(incident), people)
    described = f"PagerDuty ({len(files)} file(s), {len(by_incident)} incident(s) with log entries)"
    warnings = [
        f"{file} says more {kind.replace('_', ' ')} follow (more: true) from offset {offset}, but no file "
        "given holds that page: some may be missing"
        for kind, offset, file in listing.announced
        if (kind, offset) not in listing.present
    ]
    warnings += [
        f"incident {incident} ({where}) has no log entries in the files: fetch GET /incidents/"
        f"{incident}/log_entries to use it"
        for incident, where in incidents_where.items()
        if incident not in by_incident
    ]
    notes = (
        [f"{duplicates} log entries appear in more than one file: each was read once"] if duplicates else []
    )
    ignored.pop("trigger_log_entry", None)  # every incident has one: nothing to say
    if ignored:
        notes.append(
            "log entries that neither page anyone nor end a page, not used: "
            + ", ".join(f"{count} {kind}" for kind, count in sorted(ignored.items()))
        )
    return History(described, classify(org, paged), people.unmatched(), warnings, notes)


def _load(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryError(f"{file}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(f"{file}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(body, dict):
        raise HistoryError(f"{file}: {_SHAPE}")
    return body


_SHAPE = (
    "not a PagerDuty response (expected an object with 'incidents' or 'log_entries', as GET /incidents "
    "and GET /incidents/{id}/log_entries return, or 'incident' or 'log_entry')"
)


def _lists(body: dict[str, Any], file: Path, listing: _Pages) -> list[tuple[str, list[Any]]]:
    """The lists of incidents and log entries in a response (a single object as a list of one), and
    its pagination noted in ``listing``."""
    found: list[tuple[str, list[Any]]] = []
    for kind in ("incidents", "log_entries"):
        if kind in body:
            if not isinstance(body[kind], list):
                raise HistoryError(f"{file}: $.{kind}: expected a list")
            found.append((kind, body[kind]))
            offset, limit, more = body.get("offset", 0), body.get("limit"), body.get("more")
            if isinstance(offset, int):
                listing.present.add((kind, offset))
                if more is True:
                    step = limit if isinstance(limit, int) and limit > 0 else len(body[kind])
                    listing.announced.append((kind, offset + step, str(file)))
    for kind in ("incident", "log_entry"):
        if kind in body:
            found.append((kind, [body[kind]]))
    if not found:
        raise HistoryError(f"{file}: {_SHAPE}")
    return found


def _object(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HistoryError(f"{where}: expected {what}, got {type(value).__name__}")
    return value


def _text(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise HistoryError(f"{where}: expected {what}, got {value!r}")
    return value


def _incident(item: Any, where: str) -> tuple[str, dt.datetime | None]:
    incident = _object(item, where, "an incident (an object)")
    key = _text(incident.get("id"), f"{where}.id", "the incident's id")
    resolved_at = incident.get("resolved_at")
    return key, None if resolved_at is None else parse_instant(resolved_at, f"{where}.resolved_at")


def _entry(item: Any, where: str, order: int) -> _Entry:
    entry = _object(item, where, "a log entry (an object)")
    kind = _text(entry.get("type"), f"{where}.type", "the log entry's type (e.g. notify_log_entry)")
    at = parse_instant(entry.get("created_at"), f"{where}.created_at")
    reference = _object(entry.get("incident"), f"{where}.incident", "a reference to its incident")
    incident = _text(reference.get("id"), f"{where}.incident.id", "the incident's id")
    user: tuple[str, str] | None = None
    if kind == NOTIFY:
        who = _object(entry.get("user"), f"{where}.user", "the user notified (a user reference)")
        user = (_text(who.get("id"), f"{where}.user.id", "the user's id"), str(who.get("summary") or ""))
    elif kind in ACKNOWLEDGE:
        agent = entry.get("agent")
        if isinstance(agent, dict) and agent.get("type") == "user_reference":
            user = (
                _text(agent.get("id"), f"{where}.agent.id", "the user's id"),
                str(agent.get("summary") or ""),
            )
    return _Entry(kind, at, incident, user, where, order)


def _pages(log: list[_Entry], resolved_at: dt.datetime | None, people: People) -> list[Paged]:
    """The pages of one incident's log."""
    log = sorted(log, key=lambda e: (e.at, _ORDER.get(e.type, 1), e.order))
    open_: dict[str, tuple[_Entry, str]] = {}  # user id → (the page's first notification, its name)
    found: list[Paged] = []

    def close(at: dt.datetime, answered_by: str | None) -> None:
        for user, (start, name) in open_.items():
            person = people.match(user, name)
            if person is None:
                people.missed(f"{user} ({name})" if name else user, start.where)
                continue
            minutes = (at - start.at).total_seconds() / 60
            found.append(Paged(person, start.at, minutes, user == answered_by, start.where))
        open_.clear()

    for entry in log:
        if entry.type == NOTIFY and entry.user is not None:
            open_.setdefault(entry.user[0], (entry, entry.user[1]))
        elif entry.type in ACKNOWLEDGE:
            close(entry.at, entry.user[0] if entry.user else None)
        elif entry.type in REASSIGN or entry.type == RESOLVE:
            close(entry.at, None)
    if open_:
        last = max(e.at for e in log)
        close(resolved_at if resolved_at is not None and resolved_at > last else last, None)
    return found
