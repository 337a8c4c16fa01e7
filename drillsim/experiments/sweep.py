"""Sweeps: every combination of a grid of overrides, run with common random numbers, ranked, written
to a folder as ``sweep.csv`` with a ``run.json`` saying whether every replication finished."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.engine.model import Model
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import Backend, plan, replication_sets
from drillsim.experiments.rundir import RunStatus, run_status, write_json
from drillsim.fsutil import write_atomically

KEY_METRICS = ("time_to_acknowledge", "time_to_contain", "time_to_resolve")


@dataclass(frozen=True)
class Axis:
    path: str
    values: list[str]


def combinations(axes: list[Axis]) -> list[list[str]]:
    """Every combination as a list of ``PATH=VALUE`` overrides, in grid order."""
    return [[f"{axis.path}={value}" for axis, value in zip(axes, chosen, strict=True)]
            for chosen in itertools.product(*(axis.values for axis in axes))]


def sweep(models: list[Model], settings: list[list[str]], axes: list[Axis], *, folder: Path, seed: int, count: int,
          workers: int, backend: Backend | None = None, scheduler: str | None = None,
          progress: Callable[[int], None] = lambda done: None) -> list[dict[str, Any]]:
    """Run every combination with the same seed and write ``sweep.csv`` and ``run.json`` into
    ``folder``; return the rows, best readiness first (ties keep grid order). On Ctrl-C both files are
    written from the replications that finished, run.json says ``"status": "interrupted"``, and
    RunInterrupted is raised."""
    aggregates = [Aggregate(model, seed, count) for model in models]
    sets = replication_sets(models, [seed] * len(models), count, workers, backend=backend, scheduler=scheduler)
    done, status = 0, RunStatus()
    try:
        with run_status(folder) as status:
            for replications in sets:
                for aggregate, replication in zip(aggregates, replications, strict=True):
                    aggregate.add(replication)
                done += 1
                progress(done)
    finally:
        rows = _rows(settings, axes, aggregates, done)
        write_atomically(folder / "sweep.csv", rows_csv(rows, axes))
        used, _ = plan(backend, workers)
        write_json(folder / "run.json", {
            "status": status.value, "replications_requested": count, "replications_completed": done, "seed": seed,
            "grid": {axis.path: axis.values for axis in axes}, "workers": workers, "backend": used})
    return rows


def _rows(settings: list[list[str]], axes: list[Axis], aggregates: list[Aggregate], done: int) -> list[dict[str, Any]]:
    """One row per combination from its aggregate of ``done`` replications, best readiness first."""
    rows = []
    for chosen, aggregate in zip(settings, aggregates, strict=True):
        summary = aggregate.summary(done)
        row: dict[str, Any] = {axis.path: setting.split("=", 1)[1] for axis, setting in zip(axes, chosen, strict=True)}
        row["readiness"] = summary["readiness"]
        row["objectives"] = {o["id"]: o["p_met"] for o in summary["objectives"]}
        row["p90"] = {m: summary["metrics"].get(m, {}).get("p90") for m in KEY_METRICS}
        rows.append(row)
    return sorted(rows, key=lambda r: -(r["readiness"]["score"] or 0.0))


def rows_csv(rows: list[dict[str, Any]], axes: list[Axis]) -> str:
    """The sweep as CSV: the grid's values, readiness with its interval and rating, each objective's
    share met, and the 90th percentile (minutes) of the key metrics."""
    objectives = list(rows[0]["objectives"]) if rows else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*(a.path for a in axes), "readiness", "readiness_low", "readiness_high", "rating",
                     *(f"p_met:{o}" for o in objectives), *(f"p90:{m}" for m in KEY_METRICS)])
    for row in rows:
        readiness = row["readiness"]
        writer.writerow([*(row[a.path] for a in axes), readiness["score"], *readiness["ci95"], readiness["rating"],
                         *(row["objectives"][o] for o in objectives), *(row["p90"][m] for m in KEY_METRICS)])
    return buffer.getvalue()
