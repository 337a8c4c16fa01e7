"""The history of simulations and drills, in SQLite: what ran, when, and how ready it found us.

One row per simulation run or live drill, with its readiness and one row per objective. The
database uses WAL mode (readers do not block the writer), a busy timeout (two runs finishing at once
wait for each other instead of failing), one transaction per recorded run, and a schema version
(``PRAGMA user_version``) that migrates forward; a database from a newer drillsim is refused.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The history database cannot be used (newer schema, locked too long, not a database)."""


class NoHistory(StoreError):
    """Reading a history database that does not exist (reading never creates one)."""


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
    ) -> None:
        """Record one run from its summary.json content. Recording the same folder twice is refused,
        unless ``replace`` (a drill whose hot wash was finished again: its record is the latest)."""
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

    def runs(self, scenario: str | None = None) -> list[Run]:
        """Runs in time order, optionally of one scenario."""
        query = (
            "SELECT kind, scenario, at, folder, readiness, readiness_low, readiness_high, rating, "
            "replications,"
            " seed FROM runs"
        )
        rows = self.db.execute(
            query + (" WHERE scenario = ?" if scenario else "") + " ORDER BY at, id",
            (scenario,) if scenario else (),
        ).fetchall()
        return [Run(*row) for row in rows]

    def scenarios(self) -> list[str]:
        """The ids of every scenario with a recorded run, sorted."""
        return [row[0] for row in self.db.execute("SELECT DISTINCT scenario FROM runs ORDER BY scenario")]

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
