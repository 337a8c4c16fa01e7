"""An incident history as CSV, for any on-call tool: one row per page.

Columns (the header row names them, in any order; no others):

============== ======== ==================================================================
column         needed   meaning
============== ======== ==================================================================
incident       yes      the incident's id (any text): rows with the same id are one incident
person         yes      the scenario person paged (their id, or their name as the scenario has it)
paged_at       yes      when the page went out
acknowledged_at no      when this person acknowledged it (empty: they did not)
escalated_at   no       when the page escalated away from them, unacknowledged (empty: it did not)
resolved_at    no       when the incident was resolved (the same on every row of the incident)
============== ======== ==================================================================

Times are ISO 8601 with a UTC offset (``2026-03-02T10:04:00+00:00`` or ``…Z``). A page is answered
at ``acknowledged_at`` unless it ended before: it escalated, someone else acknowledged the incident
(another row's ``acknowledged_at``, after this page went out), or the incident was resolved — then it
is censored at the first of those (at the same instant, the escalation, resolution or other
acknowledgement comes first). A page with no end at all is an error: the history cannot say how
long it waited.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drillsim.calibration.history import History, HistoryError, Paged, People, classify, parse_instant
from drillsim.scenario.organisation import Organisation

REQUIRED = ("incident", "person", "paged_at")
OPTIONAL = ("acknowledged_at", "escalated_at", "resolved_at")
COLUMNS = REQUIRED + OPTIONAL


@dataclass(frozen=True)
class _Row:
    where: str
    incident: str
    person: str
    paged_at: dt.datetime
    acknowledged_at: dt.datetime | None
    escalated_at: dt.datetime | None
    resolved_at: dt.datetime | None


def read_csv_history(files: Sequence[Path], org: Organisation) -> History:
    """Every page to the organisation's people in the CSV files; HistoryError naming the file, row and
    column of the first problem."""
    rows = [row for file in files for row in _rows(file)]
    incidents: dict[str, list[_Row]] = {}
    for row in rows:
        incidents.setdefault(row.incident, []).append(row)
    people = People(org)
    paged: list[Paged] = []
    for group in incidents.values():
        resolved = _resolved(group)
        for row in group:
            person = people.match(row.person, row.person)
            if person is None:
                people.missed(row.person, row.where)
                continue
            end, answered = _end(row, group, resolved)
            paged.append(
                Paged(person, row.paged_at, (end - row.paged_at).total_seconds() / 60, answered, row.where)
            )
    described = f"CSV ({', '.join(str(f) for f in files)}: {len(incidents)} incident(s))"
    return History(described, classify(org, paged), people.unmatched())


def _rows(file: Path) -> list[_Row]:
    found: list[_Row] = []
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    raise HistoryError(f"{file}: empty (expected a header row: {','.join(COLUMNS)})")
                columns = _columns(file, [h.strip() for h in header])
                for cells in reader:
                    if not any(c.strip() for c in cells):
                        continue
                    where = f"{file}: row {reader.line_num}"
                    if len(cells) != len(columns):
                        raise HistoryError(
                            f"{where}: {len(cells)} fields (expected {len(columns)}, as in the header)"
                        )
                    found.append(_row(dict(zip(columns, (c.strip() for c in cells), strict=True)), where))
            except csv.Error as exc:
                raise HistoryError(f"{file}: row {reader.line_num}: not CSV: {exc}") from None
    except OSError as exc:
        raise HistoryError(f"{file}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise HistoryError(f"{file}: not UTF-8 text") from None
    return found


def _columns(file: Path, header: list[str]) -> list[str]:
    expected = f"expected {', '.join(REQUIRED)}, and optionally {', '.join(OPTIONAL)}"
    for name in header:
        if name not in COLUMNS:
            raise HistoryError(f"{file}: row 1: unknown column {name!r} ({expected})")
        if header.count(name) > 1:
            raise HistoryError(f"{file}: row 1: column {name!r} appears twice")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise HistoryError(f"{file}: row 1: no column {', '.join(missing)} ({expected})")
    return header


def _row(cells: dict[str, str], where: str) -> _Row:
    for name in ("incident", "person"):
        if not cells[name]:
            raise HistoryError(f"{where}, {name}: empty (expected the {name}'s id)")
    paged_at = parse_instant(cells["paged_at"], f"{where}, paged_at")
    times = {
        name: parse_instant(cells[name], f"{where}, {name}") if cells.get(name) else None for name in OPTIONAL
    }
    for name, moment in times.items():
        if moment is not None and moment < paged_at:
            raise HistoryError(
                f"{where}: {name} {cells[name]} is before paged_at {cells['paged_at']} (a page ends after "
                "it goes out)"
            )
    return _Row(where, cells["incident"], cells["person"], paged_at, *times.values())


def _resolved(group: list[_Row]) -> dt.datetime | None:
    """The incident's resolution time, the same on every row that gives one."""
    given = [row for row in group if row.resolved_at is not None]
    for row in given[1:]:
        if row.resolved_at != given[0].resolved_at:
            raise HistoryError(
                f"{row.where}: resolved_at differs from {given[0].where.rpartition(': ')[2]} of the same "
                f"incident {row.incident!r}"
            )
    return given[0].resolved_at if given else None


def _end(row: _Row, group: list[_Row], resolved: dt.datetime | None) -> tuple[dt.datetime, bool]:
    """When the page ended, and whether in this person's acknowledgement."""
    others = [
        other.acknowledged_at
        for other in group
        if other is not row and other.acknowledged_at is not None and other.acknowledged_at >= row.paged_at
    ]
    stops = [moment for moment in (row.escalated_at, resolved, *others) if moment is not None]
    stop = min(stops, default=None)
    if row.acknowledged_at is not None and (stop is None or row.acknowledged_at < stop):
        return row.acknowledged_at, True
    if stop is None:
        raise HistoryError(
            f"{row.where}: the page never ends (give acknowledged_at, escalated_at or resolved_at, or the "
            "acknowledgement of another row of the incident)"
        )
    return stop, False
