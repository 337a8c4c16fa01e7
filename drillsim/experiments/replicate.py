"""Replications: one run of the world per (seed, replication), serially or on a process pool.

Replications travel in chunks; results come back in replication order whatever the number of
workers, so everything aggregated from them is identical for any backend or worker count.
Workers receive the validated Scenario (picklable) once and compile their own Model.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from drillsim.engine.model import Model, compile_scenario
from drillsim.engine.world import World
from drillsim.experiments.branches import ReplicationBranches, has_branches, replication_branches
from drillsim.experiments.causes import ReplicationCauses, replication_causes
from drillsim.experiments.streams import Streams
from drillsim.facts import Record, Timeline
from drillsim.metrics import IncidentMetrics, Tally
from drillsim.scenario.model import Scenario

DEFAULT_CHUNK = 25  # runs (a replication of one model) per task
DASK_CHUNK = 100  # a Dask task costs 10-20 ms more than a process-pool call: fewer, larger chunks
IN_FLIGHT_PER_WORKER = (
    3  # chunks submitted ahead per worker: enough to keep workers busy, few enough to bound memory
)


@dataclass
class Replication:
    """One replication's results: a row per incident, its timeline records when traced, where the
    time went in the incidents that missed an objective when causes are asked for, and the branches
    it took when the scenario has triggers or conditional injects."""

    index: int
    incidents: list[IncidentMetrics]
    records: list[Record] | None = None  # kept only when traces are asked for
    causes: ReplicationCauses | None = None  # kept only when causes are asked for
    branches: ReplicationBranches | None = None  # only for scenarios with branches


def run_replication(
    model: Model, seed: int, index: int, trace: bool = False, causes: bool = False
) -> Replication:
    with _collector_paused():
        world = World(model, _streams_for(seed, index))
        world.run()
        tally = Tally(model.kinds)
        tally.update(world.facts)
        rows = tally.metrics(model.horizon)
        found = replication_causes(model, world.facts, tally, rows) if causes else None
        branches = replication_branches(world.facts) if has_branches(model) else None
    records = Timeline([p.id for p in model.people]).update(world.facts) if trace else None
    return Replication(index, rows, records, found, branches)


_local = threading.local()  # per thread: one Streams, re-keyed for each replication it runs


def _streams_for(seed: int, index: int) -> Streams:
    streams: Streams | None = getattr(_local, "streams", None)
    if streams is None:
        streams = _local.streams = Streams(seed, index)
    else:
        streams.rekey(seed, index)
    return streams


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one replication. A replication allocates many
    short-lived objects while the world it builds stays alive, so the collector would scan that
    world again and again (a third of the run time on the M/M/3 benchmark) to find nothing; the
    world's own cycles are collected as usual once the replication is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Backend = Literal["serial", "process", "dask"]
_compiled: dict[str, list[Model]] = {}  # in a worker: models compiled once per set of scenarios


def _models(key: str, scenarios: list[Scenario]) -> list[Model]:
    if key not in _compiled:
        _compiled.clear()  # one set at a time: a worker serves one run
        _compiled[key] = [compile_scenario(scenario) for scenario in scenarios]
    return _compiled[key]


def _run_chunk(
    key: str,
    scenarios: list[Scenario],
    seeds: list[int],
    first: int,
    count: int,
    trace: bool,
    causes: bool = False,
) -> list[list[Replication]]:
    """Replications first..first+count-1 of every scenario. Everything travels in the arguments (Dask
    deduplicates identical calls, and these differ by ``first``)."""
    models = _models(key, scenarios)
    return [
        [run_replication(model, seed, i, trace, causes) for model, seed in zip(models, seeds, strict=True)]
        for i in range(first, first + count)
    ]


def _ignore_ctrl_c() -> None:
    """In a pool worker: Ctrl-C is for the command, which cancels what is queued; a worker finishes
    its chunk (whether it was forked, spawned or started by a fork server)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class BackendError(Exception):
    """The backend asked for cannot be used (Dask not installed, scheduler unreachable)."""


Share = Callable[[Any], Any]


@contextmanager
def executor(
    backend: Backend, workers: int, scheduler: str | None = None
) -> Iterator[tuple[Executor, Share]]:
    """A standard executor for ``backend`` (a process pool, or Dask: a local cluster on loopback, or
    the cluster at ``scheduler``), and ``share(value)``: what to pass for an argument every task
    receives. A process pool takes the value itself; Dask gets it scattered to every worker once, so
    that tasks carry a reference instead of pickling and hashing it again each time."""
    if backend == "process":
        with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_ctrl_c) as pool:
            yield pool, lambda value: value
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise BackendError("the dask backend needs Dask: pip install 'drillsim[dask]'") from None
    try:
        if scheduler:
            client = Client(scheduler, timeout="5s")
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            client = Client(cluster)
    except (OSError, TimeoutError, RuntimeError) as exc:
        raise BackendError(
            f"cannot start or reach the Dask scheduler {scheduler or '(local)'}: {exc}"
        ) from None
    try:
        yield client.get_executor(), lambda value: client.scatter(value, broadcast=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def plan(
    backend: Backend | None, workers: int, chunk: int | None = None, models: int = 1
) -> tuple[Backend, int]:
    """The backend and chunk size (replications per task) a run of ``models`` side by side uses: serial
    for one worker and a process pool for more; about DASK_CHUNK runs per task on Dask, else
    DEFAULT_CHUNK, and at least one replication. A task of one model holds that many replications;
    with 40 models, one replication of each: results then come back (and progress moves) at the
    same pace whatever the number of models."""
    backend = backend or ("serial" if workers <= 1 else "process")
    runs = DASK_CHUNK if backend == "dask" else DEFAULT_CHUNK
    return backend, chunk or max(1, runs // max(1, models))


def replication_sets(
    models: list[Model],
    seeds: list[int],
    count: int,
    workers: int = 1,
    chunk: int | None = None,
    trace: bool = False,
    backend: Backend | None = None,
    scheduler: str | None = None,
    first: int = 0,
    causes: bool = False,
) -> Iterator[list[Replication]]:
    """For each replication first..first+count-1 in order, one Replication per model (run with its
    seed). Several models with the same seed share random numbers: the basis of paired comparisons.
    ``backend`` defaults to serial for one worker and a process pool for more; ``chunk`` (replications
    per task) to what :func:`plan` gives. Results do not depend on either. ``causes``: also
    decompose the incidents that missed an objective (:mod:`drillsim.experiments.causes`)."""
    backend, chunk = plan(backend, workers, chunk, len(models))
    end = first + count
    if backend == "serial" or (backend == "process" and count <= chunk):
        for index in range(first, end):
            yield [
                run_replication(model, seed, index, trace, causes)
                for model, seed in zip(models, seeds, strict=True)
            ]
        return
    scenarios = [model.scenario for model in models]
    key = hashlib.sha256("".join(s.model_dump_json() for s in scenarios).encode()).hexdigest()
    starts = iter(range(first, end, chunk))
    in_flight: deque[Future[list[list[Replication]]]] = deque()
    with executor(backend, workers, scheduler) as (pool, share):
        shared = share(scenarios)

        def submit_next() -> None:
            start = next(starts, None)
            if start is not None:
                in_flight.append(
                    pool.submit(_run_chunk, key, shared, seeds, start, min(chunk, end - start), trace, causes)
                )

        for _ in range(IN_FLIGHT_PER_WORKER * workers):  # bounded: memory does not grow with the count
            submit_next()
        try:
            while in_flight:
                done = in_flight.popleft().result()
                submit_next()
                yield from done
        finally:
            for future in in_flight:
                future.cancel()


def replications(
    model: Model,
    seed: int,
    count: int,
    workers: int = 1,
    chunk: int | None = None,
    trace: bool = False,
    backend: Backend | None = None,
    scheduler: str | None = None,
    causes: bool = False,
) -> Iterator[Replication]:
    """Every replication 0..count-1 of one model, in order."""
    for (replication,) in replication_sets(
        [model], [seed], count, workers, chunk, trace, backend, scheduler, causes=causes
    ):
        yield replication


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
