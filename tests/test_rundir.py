"""Run folders are named from scenario ids, safely: ``results/<UTC time>-<id>``, one folder inside
``results`` whatever the id. A hostile id is refused by validation with its position; the ids that
pass make ordinary folder names; and the naming holds even for text validation would refuse."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
from paths import ROOT

from drillsim.experiments.rundir import MAX_LABEL, create_run_folder
from drillsim.experiments.simulate import simulate
from drillsim.scenario.errors import ScenarioError
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text

VALID = ROOT / "tests" / "corpus" / "valid"
NOW = dt.datetime(2026, 3, 14, 2, 30, tzinfo=dt.UTC)
STAMP = "20260314T023000Z"

HOSTILE = [
    "../../etc",
    "a/b",
    "/abs",
    "a\\b",
    "..",
    ".",
    ".hidden",
    "-rf",
    "~",
    "x" * 65,
    "x" * 5000,
    "résumé",
    "日本",
    "a b",
    "a\x00b",
    "a\nb",
    "",
    "C:evil",
    "a:b",
    "*",
    "$(rm -rf ~)",
]
EDGY_BUT_VALID = ["a..b", "a.", "CON", "nul", "x" * 64, "a-", "9", "a_b.c-d"]


def scenario_with_id(folder: Path, scenario_id: str) -> Path:
    """The valid corpus scenario (and its organisation) in ``folder``, with ``id: scenario_id``."""
    shutil.copy(VALID / "org.yaml", folder / "org.yaml")
    text = (VALID / "base.yaml").read_text(encoding="utf-8")
    path = folder / "scenario.yaml"
    path.write_text(
        text.replace("id: weights-leak-drill", f"id: {json.dumps(scenario_id)}", 1), encoding="utf-8"
    )
    return path


def id_line(path: Path) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith("id:")
    )


@pytest.mark.parametrize("scenario_id", HOSTILE, ids=repr)
def test_a_hostile_id_does_not_validate(tmp_path: Path, scenario_id: str) -> None:
    path = scenario_with_id(tmp_path, scenario_id)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert (Path(problem.file).resolve(), problem.line, problem.column, problem.path) == (
        path,
        id_line(path),
        5,
        "id",
    )


@pytest.mark.parametrize("scenario_id", EDGY_BUT_VALID)
def test_an_id_that_validates_names_one_folder_inside_results(tmp_path: Path, scenario_id: str) -> None:
    scenario = load_scenario(scenario_with_id(tmp_path, scenario_id))
    results = tmp_path / "results"
    run = simulate(
        scenario,
        snapshot_text(tmp_path / "scenario.yaml"),
        count=2,
        seed=0,
        workers=1,
        out=None,
        results=results,
    )
    assert run.folder.parent == results and re.fullmatch(
        r"\d{8}T\d{6}Z-" + re.escape(scenario_id), run.folder.name
    )
    assert [p.name for p in results.iterdir()] == [run.folder.name]


@pytest.mark.parametrize("text", HOSTILE, ids=repr)
def test_any_text_names_one_plain_folder_inside_results(tmp_path: Path, text: str) -> None:
    """Even text that validation refuses (should a caller skip it) cannot leave ``results``."""
    results = tmp_path / "results"
    folder = create_run_folder(None, results, text, NOW)
    assert folder.parent == results and folder.is_dir()
    assert [p.name for p in results.iterdir()] == [folder.name]
    assert folder.name.startswith(f"{STAMP}-") and len(folder.name) <= len(STAMP) + 1 + MAX_LABEL
    assert set(folder.name[len(STAMP) + 1 :]) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
    )


def test_the_same_id_twice_in_one_second_gets_two_folders(tmp_path: Path) -> None:
    first = create_run_folder(None, tmp_path, "drill", NOW)
    second = create_run_folder(None, tmp_path, "drill", NOW)
    assert (first.name, second.name) == (f"{STAMP}-drill", f"{STAMP}-drill-2")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGHUP, signal.SIGTERM], ids=lambda s: s.name)
def test_a_stop_signal_waits_for_the_replication_being_counted(stop: signal.Signals) -> None:
    """A replication's bookkeeping happens whole: a signal in the middle is held until the end of the
    step, then stops the run (a SIGTERM between folding a replication and counting it once left
    summary.json one replication ahead of run.json)."""
    from drillsim.cli.exits import ctrl_c_stops_this_process_only
    from drillsim.experiments.rundir import one_step

    steps: list[str] = []
    with ctrl_c_stops_this_process_only(), pytest.raises(KeyboardInterrupt):
        with one_step():
            steps.append("folded")
            os.kill(os.getpid(), stop)
            steps.append("counted")
        steps.append("next replication")
    assert steps == ["folded", "counted"]
