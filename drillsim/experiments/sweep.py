"""Sweeps: every combination of a grid of overrides, run with common random numbers, ranked, written
to a folder as ``sweep.csv`` with a ``run.json`` saying whether every replication finished.

Rows are ranked by readiness, but a ranking of estimates is not a ranking of the truth: each row
also carries its paired difference from the best row (same seeds, so the same draws), with a 95%
interval over replications (:mod:`drillsim.experiments.totals`). A row is ``worse`` than the best
only when that interval excludes zero; otherwise it cannot be told apart from the best with this
many replications."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from drillsim.engine.model import Model
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import Backend, plan, replication_sets
from drillsim.experiments.rundir import RunStatus, one_step, run_record, run_status, write_json
from drillsim.experiments.stats import round4, rounded_interval
from drillsim.experiments.totals import Linear, ReplicationTotals, interval, weighted_shares
from drillsim.fsutil import write_atomically
from drillsim.scenario.overrides import split_values

KEY_METRICS = ("time_to_acknowledge", "time_to_contain", "time_to_resolve")
BEST, WORSE, TIED = "best", "worse", "not distinguishable"


class GridError(ValueError):
    """A grid written wrongly on the command line; the message names the entry and what is expected."""


@dataclass(frozen=True)
class Axis:
    """One setting of a sweep's grid and the values it takes."""

    path: str
    values: list[str]


def parse_grid(entries: list[str], flag: str = "--grid") -> list[Axis]:
    """One Axis per ``PATH=V1,V2,...`` entry, in order (values split as ``split_values`` does).
    GridError, naming ``flag`` and the entry, for an entry without a path, with fewer than two values
    or an empty one, or whose path an earlier entry already has. The values themselves are checked
    when the overrides are applied."""
    axes: list[Axis] = []
    for entry in entries:
        path, equals, values = entry.partition("=")
        path = path.strip()
        if not equals or not path:
            raise GridError(
                f"{flag} {entry}: expected PATH=V1,V2,..., e.g. escalation.sev1.levels[0].timeout=2m,5m"
            )
        choices = split_values(values)
        if len(choices) < 2 or any(not c for c in choices):
            raise GridError(f"{flag} {entry}: a grid needs at least two values, separated by commas")
        if path in {axis.path for axis in axes}:
            raise GridError(f"{flag} {entry}: {path} is in the grid twice; list all its values in one {flag}")
        axes.append(Axis(path, choices))
    return axes


def combinations(axes: list[Axis]) -> list[list[str]]:
    """Every combination as a list of ``PATH=VALUE`` overrides, in grid order."""
    return [
        [f"{axis.path}={value}" for axis, value in zip(axes, chosen, strict=True)]
        for chosen in itertools.product(*(axis.values for axis in axes))
    ]


def sweep(
    models: list[Model],
    settings: list[list[str]],
    axes: list[Axis],
    *,
    folder: Path,
    seed: int,
    count: int,
    workers: int,
    backend: Backend | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> list[dict[str, Any]]:
    """Run every combination with the same seed and write ``sweep.csv`` and ``run.json`` into
    ``folder``; return the rows, best readiness first (ties keep grid order). On Ctrl-C both files are
    written from the replications that finished, run.json says ``"status": "interrupted"``, and
    RunInterrupted is raised."""
    aggregates = [Aggregate(model, seed) for model in models]
    paired = PairedReadiness(aggregates)
    sets = replication_sets(
        models, [seed] * len(models), count, workers, backend=backend, scheduler=scheduler
    )
    done, status = 0, RunStatus()
    try:
        with run_status(folder) as status:
            for replications in sets:
                with one_step():  # every combination's aggregate counts the same replications
                    paired.add(
                        [
                            aggregate.add(replication)
                            for aggregate, replication in zip(aggregates, replications, strict=True)
                        ]
                    )
                    done += 1
                progress(done)
    finally:
        rows = _rows(settings, axes, aggregates, paired)
        write_atomically(folder / "sweep.csv", rows_csv(rows, axes))
        used, _ = plan(backend, workers)
        write_json(
            folder / "run.json",
            run_record(status, count, done, seed, workers, used, grid={a.path: a.values for a in axes}),
        )
    return rows


class PairedReadiness:
    """The objectives' totals of every combination side by side, replication by replication, so that
    any two combinations' readiness can be compared pairwise (they ran with the same seeds)."""

    def __init__(self, aggregates: list[Aggregate]) -> None:
        self.aggregates = aggregates
        self.offsets: list[int] = []
        size = 0
        for aggregate in aggregates:
            self.offsets.append(size)
            size += 2 * len(aggregate.scores.objectives)
        self.totals = ReplicationTotals(size)

    def add(self, vectors: list[list[float]]) -> None:
        """One replication: each combination's totals as its Aggregate returned them."""
        joint: list[float] = []
        for aggregate, vector in zip(self.aggregates, vectors, strict=True):
            for at in aggregate.scores.objective_at:
                joint += vector[at : at + 2]
        self.totals.add(np.array(joint))

    def readiness(self, combination: int) -> Linear | None:
        scores = self.aggregates[combination].scores
        offset = self.offsets[combination]
        return weighted_shares(
            self.totals,
            [(offset + 2 * i, offset + 2 * i + 1, o.weight) for i, o in enumerate(scores.objectives)],
        )


def _rows(
    settings: list[list[str]], axes: list[Axis], aggregates: list[Aggregate], paired: PairedReadiness
) -> list[dict[str, Any]]:
    """One row per combination, best readiness first (ties keep grid order), each with its paired
    difference from the best row."""
    scores = [paired.readiness(i) for i in range(len(aggregates))]
    order = sorted(range(len(aggregates)), key=lambda i: -(score.value if (score := scores[i]) else 0.0))
    best = scores[order[0]] if order else None
    rows = []
    for i in order:
        summary = aggregates[i].summary()
        row: dict[str, Any] = {
            axis.path: setting.split("=", 1)[1] for axis, setting in zip(axes, settings[i], strict=True)
        }
        row["readiness"] = summary["readiness"]
        row["vs_best"] = _versus(paired.totals, scores[i], best, i == order[0])
        row["objectives"] = {o["id"]: o["p_met"] for o in summary["objectives"]}
        row["p90"] = {m: summary["metrics"].get(m, {}).get("p90") for m in KEY_METRICS}
        rows.append(row)
    return rows


def _versus(
    totals: ReplicationTotals, score: Linear | None, best: Linear | None, is_best: bool
) -> dict[str, Any]:
    """A row's readiness minus the best row's, with its paired 95% interval and what it says."""
    if is_best:
        return {"difference": 0.0, "ci95": [None, None], "verdict": BEST}
    if score is None or best is None:
        return {"difference": None, "ci95": [None, None], "verdict": TIED}
    difference = score - best
    bounds = interval(totals, difference)
    verdict = WORSE if bounds is not None and bounds[1] < 0 else TIED
    return {"difference": round4(difference.value), "ci95": rounded_interval(bounds), "verdict": verdict}


def rows_csv(rows: list[dict[str, Any]], axes: list[Axis]) -> str:
    """The sweep as CSV: the grid's values, readiness with its interval and rating, the paired
    difference from the best row with its interval and verdict, each objective's share met, and the
    90th percentile (minutes, pooled over incidents) of the key metrics."""
    objectives = list(rows[0]["objectives"]) if rows else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            *(a.path for a in axes),
            "readiness",
            "readiness_low",
            "readiness_high",
            "rating",
            "vs_best",
            "vs_best_low",
            "vs_best_high",
            "vs_best_verdict",
            *(f"p_met:{o}" for o in objectives),
            *(f"p90:{m}" for m in KEY_METRICS),
        ]
    )
    for row in rows:
        readiness, versus = row["readiness"], row["vs_best"]
        writer.writerow(
            [
                *(row[a.path] for a in axes),
                readiness["score"],
                *readiness["ci95"],
                readiness["rating"],
                versus["difference"],
                *versus["ci95"],
                versus["verdict"],
                *(row["objectives"][o] for o in objectives),
                *(row["p90"][m] for m in KEY_METRICS),
            ]
        )
    return buffer.getvalue()
