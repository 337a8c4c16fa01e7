"""The results workspace: where runs, drills and the history database are, and recording a run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from drillsim.store import NoHistory, StoreError
from drillsim.workspace import DB_ENV, Workspace

SUMMARY = {
    "scenario": "tutorial",
    "seed": 3,
    "replications": 20,
    "readiness": {"score": 71.5, "ci95": [70.0, 73.0], "rating": "S"},
    "objectives": [],
}


def test_drills_live_in_the_results_folder_and_are_named_by_id_or_folder(tmp_path: Path) -> None:
    workspace = Workspace(root=tmp_path / "results")
    assert workspace.drills == tmp_path / "results" / "drills"
    drill = "20260101T000000Z-tutorial"
    assert workspace.drill_folder(drill) == workspace.drills / drill
    assert workspace.drill_folder(str(tmp_path)) == tmp_path  # a folder is taken as it is


def test_the_history_is_the_named_database_else_the_environments_else_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DB_ENV, raising=False)
    assert Workspace().history_path == Path("results") / "drillsim.db" and not Workspace().history_named
    monkeypatch.setenv(DB_ENV, "")  # set but empty: the default
    assert Workspace().history_path == Path("results") / "drillsim.db" and not Workspace().history_named
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.db"))
    assert Workspace().history_path == tmp_path / "env.db" and Workspace().history_named
    assert Workspace(tmp_path / "given.db").history_path == tmp_path / "given.db"


def test_recording_a_run_creates_the_history_with_the_scenarios_hash(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "history" / "h.db")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "scenario.yaml").write_text("id: tutorial\n")
    (folder / "summary.json").write_text('{"scenario": "tutorial"}')
    assert workspace.recorded_runs(folder) == []  # no database yet, and reading made none
    assert not workspace.history_path.exists()
    with pytest.raises(NoHistory):
        workspace.history(create=False)
    workspace.record("simulation", folder, SUMMARY, "kestrel-labs")
    (run,) = workspace.recorded_runs(folder)
    assert (run.kind, run.folder, run.readiness, run.seed) == ("simulation", str(folder), 71.5, 3)
    with workspace.history(create=False) as store:
        row = store.db.execute("SELECT organisation, scenario_sha256, at FROM runs").fetchone()
    assert row[:2] == ("kestrel-labs", hashlib.sha256(b"id: tutorial\n").hexdigest())
    assert row[2].endswith("+00:00")  # UTC
    assert workspace.recorded_runs(tmp_path / "elsewhere") == []  # no summary: no trend, no error


def test_a_database_that_refuses_says_the_run_is_complete_but_not_recorded(tmp_path: Path) -> None:
    (tmp_path / "h.db").write_text("not a database " * 20)
    workspace = Workspace(tmp_path / "h.db")
    refused = r"run is complete, but the history was not updated: .*h.db: cannot be used"
    with pytest.raises(StoreError, match=refused):
        workspace.record("simulation", tmp_path / "run", SUMMARY, "kestrel-labs")
    assert workspace.recorded_runs(tmp_path) == []
