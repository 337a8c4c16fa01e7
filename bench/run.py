"""drillsim benchmarks, measured side by side in one run; writes docs/performance.md.

1. M/M/3 (λ = 2.4/h, mean work 1 h, 2,000 h per run): customers per second through drillsim
   (a whole replication: world, records, metrics), a bare SimPy model of the same queue, and Ciw.
2. The flagship scenario: replications per second, serial and on 2 worker processes.
3. The live console: start-up time and the work of one tick (bench/console.py).
4. Scale: organisation size, concurrent incidents, parallel efficiency, memory (bench/scale.py).
5. What planners wait for: criticality and advise against a 1,000-replication simulation
   (bench/planners.py).

Each figure is the median of several rounds; in each round every contender runs once, in turn,
so that ratios come from the same conditions. Usage: python bench/run.py [--rounds N] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import ciw
import numpy as np
import simpy

import drillsim
from drillsim.engine.model import Model, compile_scenario
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import replications, run_replication
from drillsim.scenario.loader import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from console import report as console_report
from planners import report as planners_report
from scale import report as scale_report

ROOT = Path(__file__).resolve().parent.parent
LAMBDA, MU, SERVERS, HOURS = 2.4, 1.0, 3, 2000.0
# sections of docs/performance.md measured by hand, kept when this script rewrites the file
HAND_MEASURED = ("## Block draws: tried, not adopted",)


def erlang_c_wait_hours() -> float:
    a, c = LAMBDA / MU, SERVERS
    top = a**c / math.factorial(c) / (1 - a / c)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * MU - LAMBDA)


def drillsim_mm3(model: object, seed: int) -> tuple[int, float, float]:
    start = time.perf_counter()
    rows = run_replication(model, seed, 0).incidents  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    waits = [r.values["time_to_engage"] for r in rows if r.values["time_to_engage"] is not None]
    return len(rows), elapsed, statistics.fmean(waits) / 60


def simpy_mm3(seed: int) -> tuple[int, float, float]:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []

    def customer(env: simpy.Environment):
        arrived = env.now
        with servers.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(1 / MU))

    def source(env: simpy.Environment):
        while True:
            yield env.timeout(rng.exponential(1 / LAMBDA))
            env.process(customer(env))

    start = time.perf_counter()
    env.process(source(env))
    env.run(until=HOURS)
    return len(waits), time.perf_counter() - start, statistics.fmean(waits)


def ciw_mm3(seed: int) -> tuple[int, float, float]:
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(LAMBDA)],
        service_distributions=[ciw.dists.Exponential(MU)],
        number_of_servers=[SERVERS],
    )
    start = time.perf_counter()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(HOURS)
    elapsed = time.perf_counter() - start
    records = simulation.get_all_records()
    return len(records), elapsed, statistics.fmean(r.waiting_time for r in records)


def per_customer(model: Model) -> dict[str, float]:
    """What one M/M/3 customer costs each engine, counted on one extra run of each (not timed):
    SimPy events scheduled, and for drillsim its facts, pages, and the share of its time spent
    folding facts into metrics rather than running the world."""
    from collections import Counter

    from drillsim.engine.world import World
    from drillsim.experiments.streams import Streams
    from drillsim.facts import PAGED
    from drillsim.metrics import Tally

    scheduled: Counter[str] = Counter()
    schedule = simpy.Environment.schedule

    def counting(env: simpy.Environment, event: simpy.Event, priority: int = 1, delay: float = 0) -> None:
        scheduled["events"] += 1
        schedule(env, event, priority, delay)

    simpy.Environment.schedule = counting  # type: ignore[method-assign]
    try:
        customers, _, _ = simpy_mm3(0)
        simpy_events = scheduled["events"] / customers
        scheduled.clear()
        world = World(model, Streams(0, 0))
        started = time.process_time()
        world.run()
        ran = time.process_time()
        tally = Tally(model.kinds)
        tally.update(world.facts)
        tally.metrics(HOURS * 60)
        folded = time.process_time()
    finally:
        simpy.Environment.schedule = schedule  # type: ignore[method-assign]
    n = len(world.incidents)
    return {
        "simpy_events": simpy_events,
        "events": scheduled["events"] / n,
        "facts": len(world.facts) / n,
        "pages": sum(1 for fact in world.facts if fact[3] is PAGED) / n,
        "metrics_share": (folded - ran) / (folded - started),
    }


def flagship_rate(workers: int, count: int) -> float:
    scenario = load_scenario(ROOT / "scenarios/flagship-concurrent.yaml")
    model = compile_scenario(scenario)
    start = time.perf_counter()
    aggregate = Aggregate(model, 0)
    for replication in replications(model, 0, count, workers=workers):
        aggregate.add(replication)
    return count / (time.perf_counter() - start)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores available, {platform.system()} {platform.release()}"


def measured_by_hand(path: Path) -> str:
    """The sections of ``path`` this script does not measure (headings in HAND_MEASURED), carried over
    as they are, each to the next "## " heading."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = []
    for heading in HAND_MEASURED:
        start = old.find(f"\n{heading}\n")
        if start >= 0:
            end = old.find("\n## ", start + 1)
            kept.append(old[start : end if end >= 0 else len(old)].rstrip("\n") + "\n")
    return "".join(kept)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--flagship-replications", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "docs/performance.md")
    args = parser.parse_args()

    model = compile_scenario(load_scenario(ROOT / "bench/mm3.yaml"))
    rates: dict[str, list[float]] = {"drillsim": [], "simpy": [], "ciw": []}
    waits: dict[str, list[float]] = {"drillsim": [], "simpy": [], "ciw": []}
    for round_ in range(args.rounds):
        for name, run in (
            ("drillsim", lambda s: drillsim_mm3(model, s)),
            ("simpy", simpy_mm3),
            ("ciw", ciw_mm3),
        ):
            customers, elapsed, wait = run(round_)
            rates[name].append(customers / elapsed)
            waits[name].append(wait)
        print(
            f"round {round_ + 1}: " + ", ".join(f"{n} {r[-1]:,.0f}/s" for n, r in rates.items()), flush=True
        )
    serial, parallel = [], []
    for _ in range(max(3, args.rounds // 2)):
        serial.append(flagship_rate(1, args.flagship_replications))
        parallel.append(flagship_rate(2, args.flagship_replications))
        print(f"flagship: serial {serial[-1]:.1f}/s, 2 workers {parallel[-1]:.1f}/s", flush=True)

    cost = per_customer(model)
    median = {name: statistics.median(r) for name, r in rates.items()}
    efficiency = statistics.median(parallel) / (2 * statistics.median(serial))
    text = (
        f"""# Performance

Measured by `make bench` (`bench/run.py`) on {dt.date.today().isoformat()}: medians of {args.rounds}
rounds; in every round each contender runs once, in turn, so ratios come from the same conditions.

- Machine: {machine()}
- Versions: drillsim {drillsim.__version__}, Python {platform.python_version()}, SimPy {simpy.__version__},
  Ciw {ciw.__version__}, NumPy {np.__version__}

## M/M/3 queue: customers per second

λ = 2.4/h, mean work 1 h, 3 servers, {HOURS:,.0f} simulated hours per run (≈ {LAMBDA * HOURS:,.0f} customers).
drillsim runs `bench/mm3.yaml` — the same queue written as an incident scenario — and its figure
includes everything a replication does: paging, staffing, timeline records and per-incident metrics.

| engine | customers/s (median) | ratio to drillsim | mean wait (h), median of rounds |
|---|---:|---:|---:|
| drillsim | {median["drillsim"]:,.0f} | 1.00 | {statistics.median(waits["drillsim"]):.3f} |
| bare SimPy (`simpy.Resource`) | {median["simpy"]:,.0f} | {median["simpy"] / median["drillsim"]:.2f} | {statistics.median(waits["simpy"]):.3f} |
| Ciw | {median["ciw"]:,.0f} | {median["ciw"] / median["drillsim"]:.2f} | {statistics.median(waits["ciw"]):.3f} |

Erlang C mean wait: {erlang_c_wait_hours():.3f} h (one 2,000-hour run is noisy at 80% load; the test
suite checks the mean over 40 runs against Erlang C). drillsim / Ciw = {median["drillsim"] / median["ciw"]:.2f}
(tracked: the first version aimed at ≥ 1.0); drillsim / bare SimPy = {median["drillsim"] / median["simpy"]:.2f}
(tracked: it aimed at ≥ 0.5). These two ratios are followed from run to run, not required: the engine
stays pure Python (no compiled extension), and speed work goes where planners wait — criticality and
comparisons of many variants.

Where drillsim's extra time goes, counted on one more run of each: drillsim schedules
{cost["events"]:.1f} SimPy events per customer and bare SimPy {cost["simpy_events"]:.1f}, so the event
loop is not the difference. The difference is the incident model: per customer drillsim samples a
detection, pages {cost["pages"]:.1f} people (the level pages all three servers, each with a reachability
and an acknowledgement draw; a server not yet engaged on the incident is paged again to take the
task), runs the staffing queue, and logs {cost["facts"]:.1f} facts, which are then folded into the
per-incident metrics ({cost["metrics_share"]:.0%} of its time). A py-spy profile (`py-spy record -f raw` on
repeated `run_replication` calls) shows no single hot spot left: the SimPy loop, paging, staffing and
the fact fold take roughly a fifth each, and collecting the finished replication's garbage a tenth.

## Flagship scenario: replications per second

`scenarios/flagship-concurrent.yaml`, {args.flagship_replications} replications, aggregation included.

| workers | replications/s (median) |
|---:|---:|
| 1 | {statistics.median(serial):.1f} |
| 2 | {statistics.median(parallel):.1f} |

Parallel efficiency on 2 workers: {efficiency:.0%}.
"""
        + console_report(args.rounds)
        + scale_report(args.rounds)
        + planners_report(max(3, args.rounds // 2))
        + measured_by_hand(args.out)
    )
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
