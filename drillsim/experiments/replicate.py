"""Replications: one run of the world per (seed, replication), serially or on a process pool.

Replications travel in chunks; results come back in replication order whatever the number of
workers, so everything aggregated from them is identical for any backend or worker count.
Workers receive the validated Scenario (picklable) once and compile their own Model.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from drillsim.engine.model import Model, compile_scenario
from drillsim.engine.timeline import Record
from drillsim.engine.world import World
from drillsim.experiments.streams import Streams
from drillsim.metrics import IncidentMetrics, incident_metrics
from drillsim.scenario.model import Scenario

DEFAULT_CHUNK = 25


@dataclass
class Replication:
    index: int
    incidents: list[IncidentMetrics]
    records: list[Record] | None = None  # kept only when traces are asked for


def run_replication(model: Model, seed: int, index: int, trace: bool = False) -> Replication:
    world = World(model, Streams(seed, index))
    records = world.run()
    kinds = {incident.number: incident.kind.id for incident in world.incidents}
    rows = incident_metrics(records, model.kinds, kinds, model.horizon)
    return Replication(index, rows, records if trace else None)


_worker_models: list[Model] = []


def _start_worker(scenarios: list[Scenario]) -> None:
    global _worker_models
    _worker_models = [compile_scenario(scenario) for scenario in scenarios]


def _run_chunk(seeds: list[int], first: int, count: int, trace: bool) -> list[list[Replication]]:
    return [[run_replication(model, seed, i, trace) for model, seed in zip(_worker_models, seeds, strict=True)]
            for i in range(first, first + count)]


def replication_sets(models: list[Model], seeds: list[int], count: int, workers: int = 1,
                     chunk: int = DEFAULT_CHUNK, trace: bool = False) -> Iterator[list[Replication]]:
    """For each replication 0..count-1 in order, one Replication per model (run with its seed).
    Several models with the same seed share random numbers: the basis of paired comparisons."""
    if workers <= 1 or count <= chunk:
        for index in range(count):
            yield [run_replication(model, seed, index, trace) for model, seed in zip(models, seeds, strict=True)]
        return
    scenarios = [model.scenario for model in models]
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(scenarios,)) as pool:
        futures: list[Future[list[list[Replication]]]] = [
            pool.submit(_run_chunk, seeds, first, min(chunk, count - first), trace) for first in range(0, count, chunk)
        ]
        try:
            for future in futures:
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def replications(model: Model, seed: int, count: int, workers: int = 1, chunk: int = DEFAULT_CHUNK,
                 trace: bool = False) -> Iterator[Replication]:
    """Every replication 0..count-1 of one model, in order."""
    for (replication,) in replication_sets([model], [seed], count, workers, chunk, trace):
        yield replication


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
