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


_worker_model: Model | None = None


def _start_worker(scenario: Scenario) -> None:
    global _worker_model
    _worker_model = compile_scenario(scenario)


def _run_chunk(seed: int, first: int, count: int, trace: bool) -> list[Replication]:
    assert _worker_model is not None
    return [run_replication(_worker_model, seed, i, trace) for i in range(first, first + count)]


def replications(model: Model, seed: int, count: int, workers: int = 1, chunk: int = DEFAULT_CHUNK,
                 trace: bool = False) -> Iterator[Replication]:
    """Every replication 0..count-1, in order."""
    if workers <= 1 or count <= chunk:
        for index in range(count):
            yield run_replication(model, seed, index, trace)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(model.scenario,)) as pool:
        futures: list[Future[list[Replication]]] = [
            pool.submit(_run_chunk, seed, first, min(chunk, count - first), trace) for first in range(0, count, chunk)
        ]
        try:
            for future in futures:
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
