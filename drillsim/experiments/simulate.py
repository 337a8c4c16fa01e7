"""A whole simulation run: replications → aggregate, metrics.csv, summary.json, run.json."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import simpy

import drillsim
from drillsim.engine.model import compile_scenario
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import Backend, plan, replications
from drillsim.experiments.rundir import (
    MetricsWriter,
    RunStatus,
    TraceWriter,
    create_run_folder,
    one_step,
    run_record,
    run_status,
    write_json,
)
from drillsim.fsutil import write_atomically
from drillsim.scenario.model import Scenario


@dataclass
class SimulationRun:
    """A finished run: its folder and what summary.json holds."""

    folder: Path
    summary: dict[str, Any]


def simulate(
    scenario: Scenario,
    snapshot: str,
    *,
    count: int,
    seed: int,
    workers: int,
    out: Path | None,
    results: Path,
    trace: bool = False,
    chunk: int | None = None,
    backend: Backend | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> SimulationRun:
    """Run ``count`` replications and write the run folder; ``snapshot`` is the scenario's text as it
    ran (see :func:`drillsim.scenario.snapshot.snapshot_text`), saved as scenario.yaml. On Ctrl-C the
    folder keeps what finished, marked ``"status": "interrupted"`` in run.json, and RunInterrupted (a
    KeyboardInterrupt) is raised."""
    started, clock = dt.datetime.now(dt.UTC), time.perf_counter()
    model = compile_scenario(scenario)
    folder = create_run_folder(out, results, scenario.id, started)
    write_atomically(folder / "scenario.yaml", snapshot)
    aggregate = Aggregate(model, seed, causes=True)
    done, status = 0, RunStatus()
    used, chunk = plan(backend, workers, chunk)
    metrics_path = folder / "metrics.csv"
    with (
        metrics_path.open("w", encoding="utf-8", newline="") as metrics_file,
        (folder / "trace.jsonl").open("w", encoding="utf-8") if trace else nullcontext() as trace_file,
    ):
        severities: dict[str, str] | None = (
            {k.id: k.severity for k in model.kinds.values()} if model.changes_severity else None
        )
        metrics = MetricsWriter(metrics_file, aggregate.names, severities, origins=bool(model.triggers))
        traces = TraceWriter(trace_file) if trace_file is not None else None
        try:
            with run_status(folder) as status:
                for replication in replications(
                    model, seed, count, workers, chunk, trace, used, scheduler, causes=True
                ):
                    with one_step():  # summary.json, metrics.csv and run.json count the same replications
                        aggregate.add(replication)
                        metrics.add(replication)
                        if traces:
                            traces.add(replication)
                        done += 1
                    progress(done)
        finally:
            summary = aggregate.summary()
            write_json(folder / "summary.json", summary)
            write_json(
                folder / "run.json",
                run_record(
                    status,
                    count,
                    done,
                    seed,
                    workers,
                    used,
                    chunk=chunk,
                    started=started.isoformat(timespec="seconds"),
                    elapsed_seconds=round(time.perf_counter() - clock, 3),
                    scenario_sha256=hashlib.sha256(snapshot.encode()).hexdigest(),
                    versions={
                        "drillsim": drillsim.__version__,
                        "python": platform.python_version(),
                        "simpy": simpy.__version__,
                        "numpy": numpy.__version__,
                    },
                    machine={"platform": platform.platform(), "processor": platform.machine()},
                ),
            )
    return SimulationRun(folder, summary)
