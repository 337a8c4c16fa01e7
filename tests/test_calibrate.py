"""Calibration recovers known distributions from synthetic drill journals."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.drill.calibrate import MIN_OBSERVATIONS, calibrate, fit_lognormal
from drillsim.drill.session import DrillSession
from drillsim.scenario.distributions import Z95
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.overrides import load_with_overrides
from drillsim.scenario.snapshot import snapshot_text

TUTORIAL = SCENARIOS / "tutorial.yaml"
ACK_MEDIAN, ACK_P95 = 4.0, 16.0  # minutes: what the synthetic room does


def synthetic_drills(tmp_path: Path, count: int) -> list[Path]:
    """Drills in which the players answer every page after a lognormal delay (median 4m, p95 16m)
    and finish every task after 20–40 minutes."""
    rng = np.random.default_rng(2026)
    sigma = math.log(ACK_P95 / ACK_MEDIAN) / Z95
    folders = []
    for drill in range(count):
        fake = [0.0]
        session = DrillSession.start(
            load_scenario(TUTORIAL),
            snapshot_text(TUTORIAL),
            players=["safety-engineer"],
            speed=60,
            seed=drill,
            results=tmp_path,
            time_source=lambda fake=fake: fake[0],  # type: ignore[misc]
        )
        answer_at: dict[int, float] = {}
        finish_at: dict[int, float] = {}
        while fake[0] < 400:
            fake[0] += 0.05
            session.tick()
            for page in session.open_pages():
                answer_at.setdefault(page.id, page.at + rng.lognormal(math.log(ACK_MEDIAN), sigma))
                if answer_at[page.id] <= session.now:
                    session.acknowledge(page.id)
            for task in session.open_tasks():
                finish_at.setdefault(task.id, task.started + rng.uniform(20, 40))
                if finish_at[task.id] <= session.now:
                    session.complete(task.id)
        session.end()
        session.close()
        folders.append(session.folder)
    return folders


def test_fit_lognormal_recovers_median_and_p95() -> None:
    rng = np.random.default_rng(1)
    values = list(rng.lognormal(math.log(5.0), math.log(30 / 5) / Z95, 4000))
    median, p95 = fit_lognormal(values)  # type: ignore[misc]
    assert median == pytest.approx(5.0, rel=0.05) and p95 == pytest.approx(30.0, rel=0.08)
    assert fit_lognormal(values[: MIN_OBSERVATIONS - 1]) is None  # too few: no fit


def test_calibration_recovers_the_rooms_acknowledgement_delays(tmp_path: Path) -> None:
    folders = synthetic_drills(tmp_path, 8)
    fits, overrides = calibrate(load_scenario(TUTORIAL), folders)
    ack = next(f for f in fits if f.what == "acknowledgement · role safety-engineer")
    assert ack.n >= 10
    assert ack.median == pytest.approx(ACK_MEDIAN, rel=0.35)
    assert ack.p95 == pytest.approx(ACK_P95, rel=0.6)
    assert any(key.endswith(".ack_delay") for key in overrides)
    # roles nobody in the room played have no observations and keep their assumption
    assert all(not f.fitted for f in fits if f.what == "acknowledgement · role ceo")


def test_calibrate_command_writes_overrides_that_simulate_accepts(tmp_path: Path) -> None:
    folders = synthetic_drills(tmp_path, 4)
    out = tmp_path / "calibrated.yaml"
    runner = CliRunner()
    args = ["calibrate", str(TUTORIAL), "--out", str(out), "-n", "20", "--workers", "1"]
    for folder in folders:
        args += ["--drills", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Readiness with the scenario's assumptions" in result.stdout
    calibrated = load_with_overrides(TUTORIAL, [], (out,))
    engineer = next(
        p for p, person in calibrated.organisation.people.items() if "safety-engineer" in person.roles
    )
    assert calibrated.organisation.people[engineer].ack_delay.wrapper_key == "lognormal"


def test_calibrate_without_drills_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["calibrate", str(TUTORIAL), "--db", str(tmp_path / "empty.db")])
    assert result.exit_code == 2 and "no recorded drill" in result.stderr


def test_overrides_go_beside_the_results_unless_named_and_a_bad_place_is_explained(tmp_path: Path) -> None:
    from drillsim.drill.calibrate import overrides_path, write_overrides
    from drillsim.fsutil import WriteError

    scenario = load_scenario(TUTORIAL)
    assert overrides_path(tmp_path, scenario) == tmp_path / f"{scenario.id}.calibrated.yaml"
    target = tmp_path / "new" / "folder" / "calibrated.yaml"
    overrides = {"people.ana.ack_delay": {"lognormal": {"median": "4m", "p95": "16m"}}}
    write_overrides(target, overrides, scenario, 3)
    assert target.read_text().endswith("people.ana.ack_delay: {lognormal: {median: 4m, p95: 16m}}\n")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(WriteError, match=r"a-file/calibrated.yaml: cannot be written: "):
        write_overrides(tmp_path / "a-file" / "calibrated.yaml", overrides, scenario, 3)
