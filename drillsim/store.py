"""The history of simulations and drills, in SQLite: what ran, when, and how ready it found us; and
the improvement plan items that followed, until they are closed.

One row per simulation run or live drill, with its readiness and one row per objective; one row per
plan item (see :mod:`drillsim.plans`). The database uses WAL mode (readers do not block the writer),
a busy timeout (two runs finishing at once wait for each other instead of failing), one transaction
per recorded run, and a schema version (``PRAGMA user_version``) that migrates forward; a database
from a newer drillsim is refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.plans import AAR, OPEN, SOURCES, TO_DO, PlanEntry, PlanError, PlanItem, status_of

BUSY_TIMEOUT_MS = 30_000
WAL_RETRY_SECONDS = 0.01

# Each migration takes the schema from version i to i + 1. Never edit one that has shipped: add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('simulation', 'drill')),
        scenario TEXT NOT NULL,
        scenario_sha256 TEXT,
        organisation TEXT,
        seed INTEGER,
        replications INTEGER,
        at TEXT NOT NULL,
        folder TEXT NOT NULL UNIQUE,
        readiness REAL,
        readiness_low REAL,
        readiness_high REAL,
        rating TEXT
    );
    CREATE INDEX runs_by_scenario ON runs (scenario, at);
    CREATE TABLE objectives (
        run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        objective TEXT NOT NULL,
        metric TEXT NOT NULL,
        target REAL NOT NULL,
        p_met REAL,
        low REAL,
        high REAL,
        rating TEXT,
        PRIMARY KEY (run, objective)
    );
    """,
    # 2: improvement plan items. No foreign key to runs: an item outlives the record of the run that
    # proposed it (a drill's record is replaced when its hot wash is finished again). One item per
    # source, origin and key: recording the same AAR twice adds nothing (NULLs are distinct, so items
    # typed in, without origin or key, are never merged).
    """
    CREATE TABLE plan_items (
        id INTEGER PRIMARY KEY,
        scenario TEXT NOT NULL,
        organisation TEXT,
        source TEXT NOT NULL CHECK (source IN ('aar', 'advise', 'manual')),
        origin TEXT,
        key TEXT,
        issue TEXT NOT NULL,
        action TEXT NOT NULL,
        owner TEXT,
        due TEXT,
        status TEXT NOT NULL CHECK (status IN ('open', 'in progress', 'done', 'dropped')),
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        closed TEXT,
        notes TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX plan_items_by_origin ON plan_items (source, origin, key);
    CREATE INDEX plan_items_by_scenario ON plan_items (scenario, status);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The history database cannot be used (newer schema, locked too long, not a database)."""


class NoHistory(StoreError):
    """Reading a history database that does not exist (reading never creates one)."""


class NoSuchPlanItem(StoreError):
    """A plan item id that the history does not hold; the message suggests the ones it does."""


@dataclass(frozen=True)
class Run:
    """A recorded simulation or drill, as the history lists it."""

    kind: str
    scenario: str
    at: str
    folder: str
    readiness: float | None
    readiness_low: float | None
    readiness_high: float | None
    rating: str | None
    replications: int | None
    seed: int | None
    scenario_sha256: str | None = None


class HistoryStore:
    """The history database at ``path``. ``create=False`` (for commands that only read) refuses a
    missing database with :class:`NoHistory` instead of creating it and its folder."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not path.is_file():
            raise NoHistory(
                f"{path}: no history database here (drillsim simulate and drillsim drill create it)"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._refuse_newer()  # before anything writes to the file
            self._use_wal()
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot be used as the history database: {exc}") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot be opened: {exc.strerror or exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"{self.path}: busy for {BUSY_TIMEOUT_MS // 1000} s ({exc}); try again"
            ) from None
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise StoreError(f"{self.path}: nothing was recorded ({exc})") from None  # a full disk, say
            raise

    def _use_wal(self) -> None:
        """Put the database in WAL mode (a property of the file, so this changes something only the first
        time). The switch needs the file to itself, and SQLite refuses it at once instead of waiting when
        another process is opening the same new database, so it is retried until the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(WAL_RETRY_SECONDS)

    def _refuse_newer(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.db.close()
            raise StoreError(
                f"{self.path}: written by a newer drillsim (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade drillsim or use another --db"
            )

    def _migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION in one transaction. The version is read again under the
        write lock, so processes opening a new database at the same moment migrate it once."""
        if self.db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return  # the usual case, without taking the write lock
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")

    def record(
        self,
        kind: str,
        folder: Path,
        summary: dict[str, Any],
        *,
        at: str,
        organisation: str | None,
        scenario_sha256: str | None,
        replace: bool = False,
        plan: Sequence[PlanEntry] = (),
    ) -> None:
        """Record one run from its summary.json content. Recording the same folder twice is refused,
        unless ``replace`` (a drill whose hot wash was finished again: its record is the latest).
        A drill's ``plan`` (its AAR's improvement plan) is recorded in the same transaction, as items
        from source ``aar`` whose origin is the drill's id (the folder's name): see :meth:`_sync_aar`."""
        readiness = summary.get("readiness", {})
        low, high = readiness.get("ci95", [None, None])
        with self._transaction() as db:
            if replace:
                db.execute("DELETE FROM runs WHERE folder = ?", (str(folder),))
            try:
                cursor = db.execute(
                    "INSERT INTO runs (kind, scenario, scenario_sha256, organisation, seed, replications, "
                    "at, folder,"
                    " readiness, readiness_low, readiness_high, rating) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        kind,
                        summary["scenario"],
                        scenario_sha256,
                        organisation,
                        summary.get("seed"),
                        summary.get("replications"),
                        at,
                        str(folder),
                        readiness.get("score"),
                        low,
                        high,
                        readiness.get("rating"),
                    ),
                )
            except sqlite3.IntegrityError:
                raise StoreError(f"{folder} is already in the history") from None
            db.executemany(
                "INSERT INTO objectives (run, objective, metric, target, p_met, low, high, rating) VALUES "
                "(?,?,?,?,?,?,?,?)",
                [
                    (cursor.lastrowid, o["id"], o["metric"], o["target"], o["p_met"], *o["ci95"], o["rating"])
                    for o in summary.get("objectives", [])
                ],
            )
            if kind == "drill":
                self._sync_aar(db, summary["scenario"], organisation, folder.name, plan, at)

    def runs(self, scenario: str | None = None) -> list[Run]:
        """Runs in time order, optionally of one scenario."""
        query = (
            "SELECT kind, scenario, at, folder, readiness, readiness_low, readiness_high, rating, "
            "replications, seed, scenario_sha256 FROM runs"
        )
        rows = self.db.execute(
            query + (" WHERE scenario = ?" if scenario else "") + " ORDER BY at, id",
            (scenario,) if scenario else (),
        ).fetchall()
        return [Run(*row) for row in rows]

    def scenarios(self) -> list[str]:
        """The ids of every scenario with a recorded run or plan item, sorted."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT scenario FROM runs UNION SELECT scenario FROM plan_items ORDER BY scenario"
            )
        ]

    def organisation_of(self, scenario: str) -> str | None:
        """The organisation id of the scenario's latest recorded run (None when none is recorded)."""
        row = self.db.execute(
            "SELECT organisation FROM runs WHERE scenario = ? ORDER BY at DESC, id DESC LIMIT 1", (scenario,)
        ).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def last_drill(self, scenario: str) -> str | None:
        """When the scenario's last live drill was recorded (ISO time), or None if it never was."""
        row = self.db.execute(
            "SELECT max(at) FROM runs WHERE kind = 'drill' AND scenario = ?", (scenario,)
        ).fetchone()
        return str(row[0]) if row[0] is not None else None

    def drill_folders(self, organisation: str) -> list[Path]:
        """Folders of the live drills recorded for an organisation, oldest first."""
        rows = self.db.execute(
            "SELECT folder FROM runs WHERE kind = 'drill' AND organisation = ? ORDER BY at, id",
            (organisation,),
        ).fetchall()
        return [Path(row[0]) for row in rows]

    # --- improvement plans --------------------------------------------------------------------------

    def add_plan_items(
        self,
        scenario: str,
        organisation: str | None,
        source: str,
        origin: str | None,
        entries: Sequence[PlanEntry],
        *,
        at: str,
    ) -> list[PlanItem]:
        """Record ``entries`` as open items of ``scenario`` from ``source`` (one of plans.SOURCES) and
        ``origin`` (what proposed them: a drill id, an advise run), created ``at`` (UTC ISO time), in one
        transaction. An entry whose source, origin and key are already recorded adds nothing: the item
        recorded is returned as it stands (whatever its status). Returns one item per entry, in order.
        PlanError for an unknown source or a due date that is not an ISO date."""
        with self._transaction() as db:
            ids = self._insert_plan(db, scenario, organisation, source, origin, entries, at)
        return [self._item(i) for i in ids]

    def plan_items(self, scenario: str | None = None, *, closed: bool = False) -> list[PlanItem]:
        """Items still to do (and with ``closed`` the done and dropped ones too), optionally of one
        scenario, in the order they were recorded."""
        where = [] if closed else [f"status IN ({', '.join('?' * len(TO_DO))})"]
        args: list[str] = [] if closed else list(TO_DO)
        if scenario:
            where.append("scenario = ?")
            args.append(scenario)
        query = f"SELECT {_ITEM_COLUMNS} FROM plan_items"
        query += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [PlanItem(*row) for row in self.db.execute(query, args)]

    def plan_item(self, ref: str | int) -> PlanItem:
        """The item ``ref`` names: its id, as a number or as typed ('12', '#12'). NoSuchPlanItem, with
        the ids that come close, when there is none."""
        text = str(ref).strip().lstrip("#")
        item = (
            self.db.execute(f"SELECT {_ITEM_COLUMNS} FROM plan_items WHERE id = ?", (int(text),)).fetchone()
            if text.isdigit()
            else None
        )
        if item is None:
            raise NoSuchPlanItem(self._unknown_item(str(ref)))
        return PlanItem(*item)

    def update_plan_item(
        self,
        ref: str | int,
        *,
        at: str,
        status: str | None = None,
        owner: str | None = None,
        due: str | None = None,
        note: str | None = None,
    ) -> PlanItem:
        """Change an item's status, owner or due date (an ISO date) and note why, ``at`` (UTC ISO time).
        The change is appended to the item's notes with what the fields were before, so nothing
        recorded is lost; closing (done, dropped) sets ``closed``, reopening clears it. PlanError when
        nothing would change (e.g. closing an item already closed that way) or a value is not valid;
        NoSuchPlanItem for an unknown item."""
        with self._transaction() as db:
            item = self.plan_item(ref)
            wanted = {
                "status": status_of(status) if status is not None else None,
                "owner": owner,
                "due": _iso_date(due) if due is not None else None,
            }
            changes = {k: v for k, v in wanted.items() if v is not None and v != getattr(item, k)}
            if not changes and not note:
                state = f"{item.status} since {item.closed[:10]}" if item.closed else item.status
                raise PlanError(f"plan item {item.id} is already {state}: nothing changed")
            line = "; ".join(f"{k} {getattr(item, k) or '—'} → {v}" for k, v in changes.items())
            line = f"{at[:16].replace('T', ' ')} UTC: {line}{': ' if line and note else ''}{note or ''}"
            new_status = changes.get("status", item.status)
            closed = item.closed if new_status == item.status else None if new_status in TO_DO else at
            db.execute(
                "UPDATE plan_items SET status = ?, owner = ?, due = ?, updated = ?, closed = ?, notes = ? "
                "WHERE id = ?",
                (
                    new_status,
                    changes.get("owner", item.owner),
                    changes.get("due", item.due),
                    at,
                    closed,
                    f"{item.notes}\n{line}" if item.notes else line,
                    item.id,
                ),
            )
        return self._item(item.id)

    def _item(self, item: int) -> PlanItem:
        return PlanItem(
            *self.db.execute(f"SELECT {_ITEM_COLUMNS} FROM plan_items WHERE id = ?", (item,)).fetchone()
        )

    def _insert_plan(
        self,
        db: sqlite3.Connection,
        scenario: str,
        organisation: str | None,
        source: str,
        origin: str | None,
        entries: Sequence[PlanEntry],
        at: str,
    ) -> list[int]:
        if source not in SOURCES:
            raise PlanError(f"plan item source {source!r}: expected one of {', '.join(SOURCES)}")
        ids = []
        for entry in entries:
            known = db.execute(
                "SELECT id FROM plan_items WHERE source = ? AND origin = ? AND key = ?",
                (source, origin, entry.key),
            ).fetchone()
            if known is not None:
                ids.append(int(known[0]))
                continue
            cursor = db.execute(
                "INSERT INTO plan_items (scenario, organisation, source, origin, key, issue, action,"
                " owner, due, status, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    scenario,
                    organisation,
                    source,
                    origin,
                    entry.key,
                    entry.issue,
                    entry.action,
                    entry.owner,
                    _iso_date(entry.due) if entry.due is not None else None,
                    OPEN,
                    at,
                    at,
                ),
            )
            ids.append(int(cursor.lastrowid or 0))  # always set after an INSERT
        return ids

    def _sync_aar(
        self,
        db: sqlite3.Connection,
        scenario: str,
        organisation: str | None,
        drill: str,
        plan: Sequence[PlanEntry],
        at: str,
    ) -> None:
        """Make the history's items from ``drill``'s AAR those of its latest ``plan``. New keys are added;
        keys already recorded are kept as they stand. An item the plan no longer lists (the hot wash
        was finished again with other ratings) is removed only while nobody has touched it (still open,
        no notes): until then it is part of that AAR's record, which is being replaced; once someone
        has updated it, it is theirs and stays."""
        keys = [entry.key for entry in plan]
        db.execute(
            "DELETE FROM plan_items WHERE source = ? AND origin = ? AND status = ? AND notes = ''"
            f" AND key NOT IN ({', '.join('?' * len(keys))})",
            (AAR, drill, OPEN, *keys),
        )
        self._insert_plan(db, scenario, organisation, AAR, drill, plan, at)

    def _unknown_item(self, ref: str) -> str:
        """What to say about a plan item id the history does not hold: the ids to do that contain the
        digits typed, else every id still to do (at most ten)."""
        typed = "".join(c for c in ref if c.isdigit())
        to_do = [
            str(row[0])
            for row in self.db.execute(
                f"SELECT id FROM plan_items WHERE status IN ({', '.join('?' * len(TO_DO))}) ORDER BY id",
                TO_DO,
            )
        ]
        close = [i for i in to_do if typed and typed in i]
        if close:
            hint = f"did you mean {', '.join(close[:10])}?"
        elif to_do:
            more = f" and {len(to_do) - 10} more" if len(to_do) > 10 else ""
            hint = f"items still to do: {', '.join(to_do[:10])}{more} (drillsim history --plan lists them)"
        else:
            hint = "no item is still to do (drillsim history --plan --all lists every item)"
        return f"no plan item {ref!r} in {self.path}; {hint}"


_ITEM_COLUMNS = (
    "id, scenario, organisation, source, origin, key, issue, action, owner, due, status, created, updated,"
    " closed, notes"
)


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise PlanError(f"due date {text!r}: expected an ISO date, YYYY-MM-DD") from None
