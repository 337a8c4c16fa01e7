"""The results workspace: where drillsim writes what it runs, and the history of what ran.

Paths are relative to the working folder, as the commands take them: run and sweep folders go in
``results/``, live drills in ``results/drills/``, and the history database is the one named with
``--db``, else by ``$DRILLSIM_DB``, else ``results/drillsim.db``. A command makes one
``Workspace(db)`` from its ``--db`` option and asks it for these paths, for the history store (a
context manager), to record a finished run (and a drill's improvement plan) or the plan items another
source proposes, and for what a run's report shows from the history (its trend, its open items).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # sqlite3 and the store load when a command opens the history, not at start
    from drillsim.plans import PlanEntry, PlanItem
    from drillsim.store import HistoryStore, Run

T = TypeVar("T")

RESULTS = Path("results")
HISTORY_FILE = "drillsim.db"
DB_ENV = "DRILLSIM_DB"


@dataclass(frozen=True)
class Workspace:
    """The results folder ``root`` and the history database (``db`` when the user named one)."""

    db: Path | None = None
    root: Path = RESULTS

    @property
    def drills(self) -> Path:
        """The folder holding one folder per live drill."""
        return self.root / "drills"

    def drill_folder(self, drill: str) -> Path:
        """The folder of a drill named on the command line: ``drill`` itself when it is a folder, else
        the drill of that id in ``drills`` (which may not exist; resuming it says so)."""
        return Path(drill) if Path(drill).is_dir() else self.drills / drill

    @property
    def history_path(self) -> Path:
        """``db``, else ``$DRILLSIM_DB`` when set and not empty, else ``root/drillsim.db``."""
        if self.db is not None:
            return self.db
        named = os.environ.get(DB_ENV)
        return Path(named) if named else self.root / HISTORY_FILE

    @property
    def history_named(self) -> bool:
        """Whether the user chose the database (``db`` or ``$DRILLSIM_DB``) rather than the default."""
        return self.db is not None or bool(os.environ.get(DB_ENV))

    def history(self, *, create: bool = True) -> HistoryStore:
        """The history store at ``history_path``, to use in a ``with`` block. ``create=False`` (for
        reading) raises NoHistory when there is no database instead of creating one; StoreError when
        the file cannot be used."""
        from drillsim.store import HistoryStore

        return HistoryStore(self.history_path, create=create)

    def record(
        self,
        kind: str,
        folder: Path,
        summary: dict[str, Any],
        organisation: str,
        *,
        replace: bool = False,
        plan: Sequence[PlanEntry] = (),
    ) -> None:
        """Add a finished simulation or drill (``kind``) to the history: its ``summary`` (summary.json's
        content), the time now (UTC, to the second), its ``organisation`` id and the SHA-256 of the
        folder's scenario.yaml (of nothing when it has none). The database is created if need be.
        ``replace``: a record of the same folder is replaced rather than refused. ``plan``: a drill's
        improvement plan (``report.aar.improvement_plan``), recorded with it in one transaction.
        StoreError, saying that ``folder`` is complete but the history was not updated, when the
        database refuses."""
        from drillsim.store import StoreError

        snapshot = folder / "scenario.yaml"
        digest = hashlib.sha256(snapshot.read_bytes() if snapshot.is_file() else b"").hexdigest()
        try:
            with self.history() as store:
                store.record(
                    kind,
                    folder,
                    summary,
                    at=utc_now(),
                    organisation=organisation,
                    scenario_sha256=digest,
                    replace=replace,
                    plan=plan,
                )
        except StoreError as exc:
            raise StoreError(f"{folder} is complete, but the history was not updated: {exc}") from None

    def record_plan_items(
        self,
        scenario: str,
        organisation: str | None,
        source: str,
        origin: str | None,
        entries: Sequence[PlanEntry],
    ) -> list[PlanItem]:
        """Record improvement plan ``entries`` for ``scenario`` (its id) and ``organisation`` (its id),
        from ``source`` ("aar", "advise" or "manual": ``plans.SOURCES``) and ``origin`` (what proposed
        them, e.g. the advise run's folder name; None for items typed in), created now. Entries whose
        source, origin and key are already recorded add nothing (accepting the same recommendation twice
        keeps one item). Returns the items, one per entry, new or as already recorded. The database is
        created if need be. StoreError when it refuses; PlanError for an unknown source or a due date
        that is not YYYY-MM-DD."""
        with self.history() as store:
            return store.add_plan_items(scenario, organisation, source, origin, entries, at=utc_now())

    def recorded_runs(self, folder: Path) -> list[Run]:
        """The recorded runs of the scenario whose run or drill ``folder`` holds (its summary.json names
        it), oldest first, for the readiness trend in its report. Empty, never an error, when there is
        no history database, it cannot be read, or the folder has no readable summary."""
        return self._of_folder(folder, lambda store, scenario: store.runs(scenario))

    def open_plan_items(self, folder: Path) -> list[PlanItem]:
        """The improvement plan items still to do of the scenario whose run or drill ``folder`` holds,
        for its report. Empty, never an error, as :meth:`recorded_runs`."""
        return self._of_folder(folder, lambda store, scenario: store.plan_items(scenario))

    def _of_folder(self, folder: Path, read: Callable[[HistoryStore, str], list[T]]) -> list[T]:
        from drillsim.store import StoreError

        try:
            scenario = json.loads((folder / "summary.json").read_text(encoding="utf-8")).get("scenario")
            with self.history(create=False) as store:
                return read(store, scenario)
        except (OSError, ValueError, AttributeError, StoreError):
            return []


def utc_now() -> str:
    """The time now, UTC, to the second (ISO 8601): when the history says something was recorded."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
