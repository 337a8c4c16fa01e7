"""Backends: the same seed gives byte-identical summary.json serially, on a process pool and on Dask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import SCENARIOS

from drillsim.engine.model import compile_scenario
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import BackendError, replications
from drillsim.scenario.loader import load_scenario

SCENARIO = SCENARIOS / "weight-exfiltration.yaml"


def summary(backend: str, workers: int, chunk: int) -> str:
    model = compile_scenario(load_scenario(SCENARIO))
    aggregate = Aggregate(model, 5)
    for replication in replications(model, 5, 120, workers=workers, chunk=chunk, backend=backend):  # type: ignore[arg-type]
        aggregate.add(replication)
    return json.dumps(aggregate.summary())


def test_serial_process_and_dask_give_the_same_bytes() -> None:
    pytest.importorskip("distributed")
    serial = summary("serial", 1, 25)
    assert summary("process", 2, 7) == serial
    assert summary("dask", 2, 30) == serial  # a local Dask cluster on loopback


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    model = compile_scenario(load_scenario(SCENARIO))
    with pytest.raises(BackendError, match=r"cannot start or reach the Dask scheduler tcp://127\.0\.0\.1:1"):
        list(replications(model, 0, 60, workers=2, chunk=10, backend="dask", scheduler="tcp://127.0.0.1:1"))


def test_a_run_folder_records_its_backend(tmp_path: Path) -> None:
    from drillsim.experiments.simulate import simulate
    from drillsim.scenario.snapshot import snapshot_text

    run = simulate(
        load_scenario(SCENARIO),
        snapshot_text(SCENARIO),
        count=10,
        seed=0,
        workers=1,
        out=tmp_path / "run",
        results=tmp_path,
        backend="serial",
    )
    assert json.loads((run.folder / "run.json").read_text())["backend"] == "serial"


HUGE = """
id: huge
title: A thousand incidents an hour for ten years
start: 2026-01-05T00:00:00Z
horizon: 3650d
organisation:
  id: q
  name: Q
  defaults: {reachability: 1, ack_delay: 0}
  teams: {s: {name: S}}
  people:
    a: {name: A, teams: [s], roles: [server]}
  escalation:
    all: {levels: [{timeout: 5m, targets: [{role: server}]}]}
incidents:
  job:
    title: Job
    risk_area: other
    severity: sev3
    detection: {sources: {i: {probability: 1, delay: 0}}}
    playbook:
      work: {role: server, duration: 1m, milestone: resolved}
arrivals:
  - {incident: job, rate: 1000/h}
"""


def test_a_scenario_that_would_run_without_end_is_stopped_by_the_budget(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from drillsim.cli import app

    (tmp_path / "huge.yaml").write_text(HUGE)
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            str(tmp_path / "huge.yaml"),
            "-n",
            "3",
            "--workers",
            "1",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 2
    assert "more than 100,000 incidents in one replication" in result.stderr
    assert json.loads((tmp_path / "run" / "run.json").read_text())["status"] == "failed"
