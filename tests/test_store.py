"""The history database: schema versions, refusals, concurrent writers, and the history command."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.store import SCHEMA_VERSION, HistoryStore, StoreError

runner = CliRunner()


def summary(scenario: str = "tutorial", score: float = 70.0) -> dict[str, object]:
    return {"scenario": scenario, "seed": 0, "replications": 10,
            "readiness": {"score": score, "ci95": [score - 5, score + 5], "rating": "M"},
            "objectives": [{"id": "ack", "metric": "time_to_acknowledge", "target": 10.0, "p_met": 0.7,
                            "ci95": [0.6, 0.8], "rating": "M"}]}


def test_a_new_database_is_created_at_the_current_schema(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    store.record("simulation", tmp_path / "run1", summary(), at="2026-01-01T00:00:00+00:00", organisation="o",
                 scenario_sha256="x")
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
    store.record("simulation", tmp_path / "run", summary(), at="2026-01-01", organisation="o", scenario_sha256="x")
    with pytest.raises(StoreError, match="already in the history"):
        store.record("simulation", tmp_path / "run", summary(), at="2026-01-02", organisation="o", scenario_sha256="x")
    assert len(store.runs()) == 1
    assert store.db.execute("SELECT count(*) FROM objectives").fetchone()[0] == 1
    store.close()


def _writer(path: str, worker: int) -> None:
    store = HistoryStore(Path(path))
    for i in range(25):
        store.record("simulation", Path(f"run-{worker}-{i}"), summary(score=float(i)), at=f"2026-01-01T00:{i:02d}",
                     organisation="o", scenario_sha256="x")
    store.close()


def test_concurrent_writers_all_land(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    HistoryStore(path).close()
    processes = [multiprocessing.Process(target=_writer, args=(str(path), w)) for w in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    store = HistoryStore(path)
    assert len(store.runs()) == 100
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_simulate_records_history_and_history_shows_the_trend(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for seed in ("1", "2"):
        result = runner.invoke(app, ["simulate", str(SCENARIOS / "tutorial.yaml"), "-n", "20", "--seed", seed,
                                     "--workers", "1", "--out", str(tmp_path / f"run{seed}"), "--db", str(db)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["history", "--db", str(db)])
    assert result.exit_code == 0
    assert result.stdout.count("tutorial") == 2 and "simulation" in result.stdout
    due = runner.invoke(app, ["history", "--due", "--db", str(db), "--scenarios", str(SCENARIOS / "tutorial.yaml")])
    assert due.exit_code == 0 and "never drilled" in due.stdout


def test_history_with_a_newer_database_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    result = runner.invoke(app, ["history", "--db", str(path)])
    assert result.exit_code == 2 and "newer drillsim" in result.stderr and "Traceback" not in result.output


def test_an_older_database_migrates_forward_keeping_its_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import drillsim.store as store_module

    path = tmp_path / "h.db"
    old = HistoryStore(path)  # written at the current schema…
    old.record("simulation", tmp_path / "run", summary(), at="2026-01-01", organisation="o", scenario_sha256="x")
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
