"""The history database: schema versions, refusals, concurrent writers, and the history command."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT, SCENARIOS
from store_driver.write_runs import OBJECTIVES
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.store import SCHEMA_VERSION, HistoryStore, StoreError

runner = CliRunner()
WRITER = ROOT / "tests" / "store_driver" / "write_runs.py"


def summary(scenario: str = "tutorial", score: float = 70.0) -> dict[str, object]:
    return {
        "scenario": scenario,
        "seed": 0,
        "replications": 10,
        "readiness": {"score": score, "ci95": [score - 5, score + 5], "rating": "M"},
        "objectives": [
            {
                "id": "ack",
                "metric": "time_to_acknowledge",
                "target": 10.0,
                "p_met": 0.7,
                "ci95": [0.6, 0.8],
                "rating": "M",
            }
        ],
    }


def test_a_new_database_is_created_at_the_current_schema(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    store.record(
        "simulation",
        tmp_path / "run1",
        summary(),
        at="2026-01-01T00:00:00+00:00",
        organisation="o",
        scenario_sha256="x",
    )
    assert [r.readiness for r in store.runs()] == [70.0]
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_a_database_from_a_newer_drillsim_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer drillsim"):
        HistoryStore(path)
    assert path.read_bytes() == before


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="cannot be used as the history database"):
        HistoryStore(path)


def test_recording_the_same_run_twice_is_refused_and_nothing_half_written(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    store.record(
        "simulation", tmp_path / "run", summary(), at="2026-01-01", organisation="o", scenario_sha256="x"
    )
    with pytest.raises(StoreError, match="already in the history"):
        store.record(
            "simulation", tmp_path / "run", summary(), at="2026-01-02", organisation="o", scenario_sha256="x"
        )
    assert len(store.runs()) == 1
    assert store.db.execute("SELECT count(*) FROM objectives").fetchone()[0] == 1
    store.close()


def start_writer(db: Path, name: str, count: int = 0) -> subprocess.Popen[str]:
    """A writer process (tests/store_driver/write_runs.py), started and waiting to be released."""
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), name, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    return writer


def release(writer: subprocess.Popen[str]) -> None:
    assert writer.stdin is not None
    writer.stdin.write("go\n")
    writer.stdin.flush()


def committed(output: str) -> set[str]:
    """The runs a writer reported as recorded."""
    return {line.split()[1] for line in output.splitlines() if line.startswith("committed ")}


def check_history(db: Path) -> set[str]:
    """Open the history as drillsim does and check it whole: integrity, foreign keys, and every run with
    all its objectives (no half-written run). Returns the runs' folders."""
    store = HistoryStore(db)
    try:
        assert store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        objectives = dict(
            store.db.execute(
                "SELECT folder, (SELECT count(*) FROM objectives WHERE run = runs.id) FROM runs"
            ).fetchall()
        )
    finally:
        store.close()
    assert set(objectives.values()) <= {OBJECTIVES}, "a run was recorded without all its objectives"
    return set(objectives)


def test_concurrent_writer_processes_all_land(tmp_path: Path) -> None:
    """Four processes open a new database at the same moment (each may be the one that creates it) and
    record 50 runs each, interleaved: every run lands, whole."""
    db = tmp_path / "h.db"
    writers = [start_writer(db, f"w{w}", 50) for w in range(4)]
    for writer in writers:
        release(writer)
    outputs = [writer.communicate(timeout=60)[0] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0, 0, 0]
    expected = {f"w{w}-{i}" for w in range(4) for i in range(50)}
    assert set().union(*map(committed, outputs)) == expected
    assert check_history(db) == expected


@pytest.mark.parametrize(
    "kills", [pytest.param(5, id="ci"), pytest.param(50, id="soak", marks=pytest.mark.soak)]
)
def test_a_writer_killed_mid_write_loses_no_committed_run(tmp_path: Path, kills: int) -> None:
    """Writers SIGKILLed at random moments (opening a new database, inside a transaction, between two):
    afterwards the database opens, is intact, holds every run a writer reported and no run half written."""
    rng = random.Random(kills)
    db = tmp_path / "h.db"
    reported: set[str] = set()
    for kill in range(kills):
        writer = start_writer(db, f"w{kill}")
        release(writer)
        time.sleep(rng.uniform(0.0, 0.15))
        writer.send_signal(signal.SIGKILL)
        output = writer.communicate(timeout=60)[0]
        assert writer.returncode == -signal.SIGKILL
        reported |= committed(output)
        assert reported <= check_history(db)
    assert reported, "no writer got as far as a commit: the kills came too early to test anything"


def test_simulate_records_history_and_history_shows_the_trend(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for seed in ("1", "2"):
        result = runner.invoke(
            app,
            [
                "simulate",
                str(SCENARIOS / "tutorial.yaml"),
                "-n",
                "20",
                "--seed",
                seed,
                "--workers",
                "1",
                "--out",
                str(tmp_path / f"run{seed}"),
                "--db",
                str(db),
            ],
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["history", "--db", str(db)])
    assert result.exit_code == 0
    assert result.stdout.count("tutorial") == 2 and "simulation" in result.stdout
    due = runner.invoke(
        app, ["history", "--due", "--db", str(db), "--scenarios", str(SCENARIOS / "tutorial.yaml")]
    )
    assert due.exit_code == 0 and "never drilled" in due.stdout


def test_history_with_a_newer_database_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    result = runner.invoke(app, ["history", "--db", str(path)])
    assert result.exit_code == 2 and "newer drillsim" in result.stderr and "Traceback" not in result.output


def test_an_older_database_migrates_forward_keeping_its_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import drillsim.store as store_module

    path = tmp_path / "h.db"
    old = HistoryStore(path)  # written at the current schema…
    old.record(
        "simulation", tmp_path / "run", summary(), at="2026-01-01", organisation="o", scenario_sha256="x"
    )
    old.close()
    # …then opened by a drillsim one migration newer
    newer = (*store_module.MIGRATIONS, "ALTER TABLE runs ADD COLUMN note TEXT")
    monkeypatch.setattr(store_module, "MIGRATIONS", newer)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(newer))
    store = store_module.HistoryStore(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(newer)
    assert [r.folder for r in store.runs()] == [str(tmp_path / "run")]
    assert "note" in [row[1] for row in store.db.execute("PRAGMA table_info(runs)")]
    store.close()


def test_a_full_disk_is_a_clear_error_and_keeps_what_was_recorded(tmp_path: Path) -> None:
    """SQLite's page limit stands in for a full disk: the write fails as it would, at the same place."""
    store = HistoryStore(tmp_path / "h.db")
    store.record(
        "simulation", tmp_path / "run1", summary(), at="2026-01-01", organisation="o", scenario_sha256="x"
    )
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    big = summary() | {
        "objectives": [
            {
                "id": f"o{i}" * 50,
                "metric": "time_to_acknowledge",
                "target": 10.0,
                "p_met": 0.5,
                "ci95": [0.4, 0.6],
                "rating": "M",
            }
            for i in range(500)
        ]
    }
    with pytest.raises(StoreError, match=r"nothing was recorded.*full"):
        store.record(
            "simulation", tmp_path / "run2", big, at="2026-01-02", organisation="o", scenario_sha256="x"
        )
    assert [r.folder for r in store.runs()] == [str(tmp_path / "run1")]
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_trends_keep_drills_and_simulations_apart_and_call_changes_by_their_intervals() -> None:
    from drillsim.store import Run
    from drillsim.trend import CHANGED, FIRST, NO_INTERVAL, WITHIN_NOISE, trends

    def run(kind: str, score: float, half: float | None) -> Run:
        low, high = (score - half, score + half) if half is not None else (None, None)
        return Run(kind, "s", "2026-01-01", "f", score, low, high, "M", 10, 0)

    runs = [
        run("simulation", 70.0, 3.0),
        run("drill", 40.0, None),
        run("simulation", 73.0, 3.0),
        run("simulation", 80.0, 3.0),
        run("drill", 90.0, None),
    ]
    found = trends(runs)
    assert [t.verdict for t in found] == [FIRST, FIRST, WITHIN_NOISE, CHANGED, NO_INTERVAL]
    # 73 follows 70 (the simulation), not the drill at 40; 3 < √(3² + 3²) = 4.24 is noise, 7 is not
    assert [t.change for t in found] == [None, None, 3.0, 7.0, 50.0]


def test_history_shows_series_apart_keeps_no_history_runs_out_and_never_creates_a_database(
    tmp_path: Path,
) -> None:
    db = tmp_path / "h.db"
    read = runner.invoke(app, ["history", "--db", str(db)])
    assert read.exit_code == 2 and "no history database" in read.stderr and not db.exists()
    args = ["simulate", str(SCENARIOS / "tutorial.yaml"), "-n", "20", "--workers", "1", "--db", str(db)]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "kept")]).exit_code == 0
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "trial"), "--no-history"]).exit_code == 0
    shown = runner.invoke(app, ["history", "--db", str(db)])
    assert shown.exit_code == 0 and "Simulations" in shown.stdout and "Live drills" not in shown.stdout
    assert "kept" in shown.stdout and "trial" not in shown.stdout and "20 (0)" in shown.stdout
    partial = runner.invoke(app, ["history", "--db", str(db), "--scenario", "tuto"])
    assert partial.exit_code == 0 and "did you mean tutorial" in partial.stdout


def test_drills_due_lists_the_valid_scenarios_and_reports_a_broken_draft(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(SCENARIOS / "tutorial.yaml", folder / "tutorial.yaml")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "broken.yaml").write_text("id: broken\ntitle: Draft\nincidents: {}\nhorizon: soon\n")
    result = runner.invoke(
        app, ["history", "--due", "--db", str(tmp_path / "h.db"), "--scenarios", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert "tutorial" in result.stdout and "skipped" in result.stderr and "broken.yaml" in result.stderr
    missing = runner.invoke(app, ["history", "--due", "--scenarios", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_drills_due_skips_the_snapshots_in_run_and_drill_folders(tmp_path: Path) -> None:
    # `--scenarios .` from a project folder also walks results/: the scenario.yaml kept beside a
    # drill's journal or a run's run.json is a copy, not a scenario of its own.
    import shutil

    shutil.copy(SCENARIOS / "tutorial.yaml", tmp_path / "tutorial.yaml")
    for folder, record in (("results/drills/d1", "journal.jsonl"), ("results/runs/r1", "run.json")):
        (tmp_path / folder).mkdir(parents=True)
        shutil.copy(SCENARIOS / "tutorial.yaml", tmp_path / folder / "scenario.yaml")
        (tmp_path / folder / record).write_text("{}\n")
    result = runner.invoke(
        app, ["history", "--due", "--db", str(tmp_path / "h.db"), "--scenarios", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ tutorial ")]
    assert len(rows) == 1 and "results" not in result.stdout
