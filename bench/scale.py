"""Scale figures for `make bench`: how the cost of a replication grows with the organisation and
with the number of concurrent incidents, parallel efficiency, and memory while aggregating.

1. Organisation size: synthetic scenarios with N people (teams of 10, each team an on-call rotation),
   one escalation policy (a team's on-call, then a role), one incident kind with a 3-task playbook and
   a fixed number of scripted incidents; seconds per replication vs N and the log-log exponent, and the
   time `check_file` takes on the largest scenario.
2. Concurrent incidents: a fixed organisation with K scripted incidents in the first hour; seconds per
   replication and per timeline record vs K, and the exponent.
3. Parallel efficiency: the flagship scenario, serial vs a 2-worker process pool, and Dask vs the pool.
4. Memory: peak resident memory of streaming flagship replications through `Aggregate` in a fresh
   process, at two replication counts ten times apart (10,000 and 100,000).

Usage: python bench/scale.py  (prints the Markdown section with 3 rounds)
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "flagship-concurrent.yaml"

ORG_SIZES = (10, 100, 1000, 10000)
ORG_INCIDENTS = 20
FIXED_PEOPLE = 200
CONCURRENCY = (1, 10, 100, 1000)
PARALLEL_REPLICATIONS = 1000
DASK_REPLICATIONS = 10_000
MEMORY_COUNTS = (10_000, 100_000)
MEMORY_LIMIT_KIB = 1024 * 1024  # the target: under 1 GiB resident at 100,000 flagship replications
TEAM = 10


def scenario_yaml(people: int, incidents: int, within_minutes: float) -> str:
    """A synthetic scenario: `people` people in teams of 10 (each team a daily on-call rotation; the
    first member of each team leads, every other member holds the `fix` skill), one policy (team t0's
    on-call, then every `lead`), one incident kind (triage → fix → review) and `incidents` scripted
    injects spread evenly over the first `within_minutes`."""
    teams = math.ceil(people / TEAM)
    lines = [
        f"id: scale-{people}-{incidents}",
        f"title: Synthetic scale scenario ({people} people, {incidents} incidents)",
        "start: 2026-01-05T00:00:00Z",
        "horizon: 3d",
        "organisation:",
        "  id: synthetic",
        "  name: Synthetic",
        "  defaults: {reachability: {on_duty: 0.9, off_duty: 0.5}, ack_delay: {lognormal: {median: 3m, p95: 15m}}}",
        "  teams:",
    ]
    for t in range(teams):
        members = ", ".join(f"p{i}" for i in range(t * TEAM, min((t + 1) * TEAM, people)))
        lines.append(
            f"    t{t}: {{name: Team {t}, on_call: {{members: [{members}], shift: 1d, "
            f"start: 2026-01-05T00:00:00Z}}}}"
        )
    lines.append("  people:")
    for i in range(people):
        roles = "[engineer, lead]" if i % TEAM == 0 else "[engineer]"
        skills = "[fix]" if i % 2 else "[]"
        lines.append(
            f"    p{i}: {{name: Person {i}, teams: [t{i // TEAM}], roles: {roles}, skills: {skills}}}"
        )
    lines += [
        "  escalation:",
        "    all:",
        "      levels:",
        "        - {timeout: 10m, targets: [{on_call: t0}]}",
        "        - {timeout: 15m, targets: [{role: lead}]}",
        "      repeat: 1",
        "incidents:",
        "  outage:",
        "    title: Outage",
        "    risk_area: other",
        "    severity: sev2",
        (
            "    detection: {sources: {monitor: {probability: 0.95, delay: {lognormal: {median: 5m, p95: 30m}}}},"
            " fallback: {delay: 2h}}"
        ),
        "    playbook:",
        "      triage: {role: engineer, duration: {lognormal: {median: 15m, p95: 1h}}}",
        "      fix: {skill: fix, after: [triage], duration: {lognormal: {median: 1h, p95: 4h}}, milestone: contained}",
        "      review: {role: lead, after: [fix], duration: {triangular: {min: 10m, mode: 20m, max: 1h}}}",
        "injects:",
    ]
    for k in range(incidents):
        at = within_minutes * k / incidents
        lines.append(f'  - {{id: "i{k}", at: {at:.2f}m, kind: incident, incident: outage, text: Outage {k}}}')
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def exponent(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def replication_seconds(model: object, rounds: int, trace: bool = False) -> tuple[float, int]:
    """Median seconds of one replication over `rounds` replications, and the records of the first."""
    from drillsim.experiments.replicate import run_replication

    times, records = [], 0
    for index in range(rounds):
        started = time.perf_counter()
        replication = run_replication(model, 0, index, trace)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
        if trace and index == 0:
            records = len(replication.records or [])
    return statistics.median(times), records


def organisation_scaling(folder: Path, rounds: int) -> tuple[list[tuple[int, float, float, int]], float]:
    """[(N, load + compile s, s per replication, incidents)], check_file seconds on the largest."""
    from drillsim.engine.model import compile_scenario
    from drillsim.scenario.loader import check_file, load_scenario

    rows = []
    for people in ORG_SIZES:
        path = write(folder, f"org-{people}.yaml", scenario_yaml(people, ORG_INCIDENTS, 20 * 60))
        started = time.perf_counter()
        model = compile_scenario(load_scenario(path))
        setup = time.perf_counter() - started
        seconds, _ = replication_seconds(model, rounds)
        rows.append((people, setup, seconds, ORG_INCIDENTS))
        print(
            f"org {people}: setup {setup:.2f} s, {seconds * 1000:.1f} ms/replication",
            file=sys.stderr,
            flush=True,
        )
    largest = folder / f"org-{ORG_SIZES[-1]}.yaml"
    checks = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = check_file(largest)
        checks.append(time.perf_counter() - started)
        assert not result.errors, result.errors
    return rows, statistics.median(checks)


def concurrency_scaling(folder: Path, rounds: int) -> list[tuple[int, float, int]]:
    """[(K, s per replication, timeline records)]."""
    from drillsim.engine.model import compile_scenario
    from drillsim.scenario.loader import load_scenario

    rows = []
    for incidents in CONCURRENCY:
        path = write(folder, f"k-{incidents}.yaml", scenario_yaml(FIXED_PEOPLE, incidents, 60))
        model = compile_scenario(load_scenario(path))
        seconds, _ = replication_seconds(model, rounds)
        _, records = replication_seconds(model, 1, trace=True)
        rows.append((incidents, seconds, records))
        print(
            f"K {incidents}: {seconds * 1000:.1f} ms/replication, {records} records",
            file=sys.stderr,
            flush=True,
        )
    return rows


AGGREGATE = """
import sys, time
from pathlib import Path
from drillsim.engine.model import compile_scenario
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import replications
from drillsim.scenario.loader import load_scenario
if __name__ == "__main__":
    count, workers, backend = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    model = compile_scenario(load_scenario(Path(sys.argv[1])))
    started = time.perf_counter()
    aggregate = Aggregate(model, 0)
    for replication in replications(model, 0, count, workers=workers, backend=backend):
        aggregate.add(replication)
    aggregate.summary()
    print(time.perf_counter() - started)
"""


def aggregate_seconds(folder: Path, count: int, workers: int, backend: str) -> float:
    """Seconds to run and aggregate ``count`` flagship replications in a fresh process, as
    `drillsim simulate` does (a lean parent: forking a large one costs the pool more)."""
    script = write(folder, "aggregate.py", AGGREGATE)  # a file, not -c: Dask's workers import __main__
    out = subprocess.run(
        [sys.executable, str(script), str(FLAGSHIP), str(count), str(workers), backend],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def parallel(folder: Path, rounds: int) -> dict[str, list[float]]:
    """Seconds per run: serial / process at PARALLEL_REPLICATIONS, process / dask at DASK_REPLICATIONS."""
    times: dict[str, list[float]] = {"serial": [], "process": [], "process-dask": [], "dask": []}
    for _ in range(rounds):
        times["serial"].append(aggregate_seconds(folder, PARALLEL_REPLICATIONS, 1, "serial"))
        times["process"].append(aggregate_seconds(folder, PARALLEL_REPLICATIONS, 2, "process"))
        times["process-dask"].append(aggregate_seconds(folder, DASK_REPLICATIONS, 2, "process"))
        times["dask"].append(aggregate_seconds(folder, DASK_REPLICATIONS, 2, "dask"))
        print(
            "parallel: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()),
            file=sys.stderr,
            flush=True,
        )
    return times


MEMORY = """
import json, resource, sys, time
from pathlib import Path
from drillsim.engine.model import compile_scenario
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import replications
from drillsim.scenario.loader import load_scenario
count, workers = int(sys.argv[2]), int(sys.argv[3])
model = compile_scenario(load_scenario(Path(sys.argv[1])))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
aggregate = Aggregate(model, 0)
if workers:
    stream = replications(model, 0, count, workers=workers)
else:  # Aggregate alone: 50 real replications replayed under new indices
    sample = list(replications(model, 0, 50))
    def stream():
        for index in range(count):
            replication = sample[index % 50]
            replication.index = index
            yield replication
    stream = stream()
for replication in stream:
    aggregate.add(replication)
aggregate.summary()
print(json.dumps({"before": before, "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "incidents": aggregate.incidents, "seconds": time.perf_counter() - started}))
"""


def memory() -> list[dict[str, float]]:
    """Peak RSS (KiB) of a fresh process aggregating each count of replications: run on 2 worker processes,
    and (workers 0) the Aggregate alone fed replayed replications. Run while this process is still small:
    on Linux a child's ru_maxrss starts from its parent's peak at fork and survives exec."""
    path = FLAGSHIP
    rows = []
    for workers in (2, 0):
        for count in MEMORY_COUNTS:
            out = subprocess.run(
                [sys.executable, "-c", MEMORY, str(path), str(count), str(workers)],
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout
            row = json.loads(out.strip().splitlines()[-1]) | {"count": count, "workers": workers}
            rows.append(row)
            print(f"memory {workers} workers, {count}: {row}", file=sys.stderr, flush=True)
    return rows


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def report(rounds: int = 3) -> str:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drillsim-scale-") as tmp:
        folder = Path(tmp)
        mem = memory()  # first, while this process is small (see memory())
        org, check_seconds = organisation_scaling(folder, rounds)
        conc = concurrency_scaling(folder, rounds)
        par = parallel(folder, rounds)
    total = time.perf_counter() - started

    org_exp = exponent([float(n) for n, *_ in org], [s for _, _, s, _ in org])
    conc_exp = exponent([float(k) for k, *_ in conc], [s for _, s, _ in conc])
    per_event = [s / r for _, s, r in conc]
    event_exp = exponent([float(r) for *_, r in conc], [s for _, s, _ in conc])
    serial, process = statistics.median(par["serial"]), statistics.median(par["process"])
    pool, dask = statistics.median(par["process-dask"]), statistics.median(par["dask"])
    efficiency = serial / process / 2
    dask_ratio = dask / pool

    def verdict(ok: bool, missed: str) -> str:
        return "Target met." if ok else f"**Target missed:** {missed}"

    org_rows = "\n".join(
        f"| {n:,} | {setup:.2f} s | {s * 1000:,.1f} ms | {s / incidents * 1000:,.2f} ms |"
        for n, setup, s, incidents in org
    )
    conc_rows = "\n".join(
        f"| {k:,} | {s * 1000:,.1f} ms | {r:,} | {s / r * 1e6:,.1f} µs |" for k, s, r in conc
    )
    mem_rows = "\n".join(
        f"| {'2 worker processes' if m['workers'] else 'Aggregate alone (replayed)'} | {m['count']:,} | {m['incidents']:,} | {m['seconds']:.1f} s | {mib(m['before'])} | {mib(m['self'])} | "
        f"{mib(m['children'])} |"
        for m in mem
    )
    growth = mem[1]["self"] - mem[0]["self"]
    child_growth = mem[1]["children"] - mem[0]["children"]
    alone_growth = mem[3]["self"] - mem[2]["self"]
    flat = growth < 0.1 * mem[0]["self"] and child_growth < 0.1 * max(mem[0]["children"], 1)
    largest = mem[1]["self"] + mem[1]["children"]

    org_verdict = verdict(
        org_exp <= 1.15, "a replication's cost grows faster than linearly with the organisation size."
    )
    conc_verdict = verdict(
        conc_exp <= 1.15,
        "cost per replication grows faster than linearly with the "
        "number of concurrent incidents, so the cost per event is not flat.",
    )
    par_verdict = verdict(
        efficiency >= 0.85,
        "the 2-worker pool does not reach 85% of a perfect 2× speedup "
        "(pool start-up, pickling scenarios and results, and the aggregating parent sharing "
        "the 2 cores with the workers).",
    )
    dask_verdict = verdict(dask_ratio <= 1.15, "Dask is more than 15% slower than the process pool here.")
    mem_verdict = (
        "Memory stays flat."
        if flat
        else "Memory grows with the number of replications (more than 10% from the smaller to the larger "
        f"run; `Aggregate` alone, fed replayed replications, grows by {mib(alone_growth)})."
    )
    mem_verdict += (
        f" At {MEMORY_COUNTS[-1]:,} replications the aggregating process and its largest worker hold "
        f"{mib(largest)} together (target < 1 GiB). " + verdict(largest < MEMORY_LIMIT_KIB, "over 1 GiB.")
    )

    return f"""
## Scale

`bench/scale.py`, medians of {rounds} runs ({total:.0f} s in all). Synthetic scenarios: N people in
teams of 10 (each team a daily on-call rotation; one lead per team; half the people hold the `fix`
skill), one escalation policy (team t0's on-call for 10 minutes, then every `lead`; repeated once),
one incident kind with a 3-task playbook (triage by any engineer → fix by a `fix` holder → review by
a lead), scripted injects, 3-day horizon.

### Organisation size

{ORG_INCIDENTS} scripted incidents over the first 20 hours; time of one whole replication (world,
records, metrics), and the time to load and compile the scenario once.

| people | load + compile | per replication | per incident |
|---:|---:|---:|---:|
{org_rows}

Fitted exponent of time per replication vs N: **{org_exp:.2f}** (target ≤ 1.15). {org_verdict}
Validation (`check_file`) of the {ORG_SIZES[-1]:,}-person scenario: **{check_seconds:.2f} s**.

### Concurrent incidents

{FIXED_PEOPLE} people, K scripted incidents spread over the first hour (they compete for the same
responders). Events are the timeline records of the replication.

| incidents K | per replication | timeline records | per record |
|---:|---:|---:|---:|
{conc_rows}

Fitted exponent of time per replication vs K: **{conc_exp:.2f}** (target ≤ 1.15); vs the number of
records: {event_exp:.2f}. Cost per record from K = 1 to K = {CONCURRENCY[-1]:,}: {per_event[0] * 1e6:.1f} →
{per_event[-1] * 1e6:.1f} µs. {conc_verdict}

### Parallel efficiency

`scenarios/flagship-concurrent.yaml`, aggregation included, 2 workers, each run in a fresh process
as `drillsim simulate` runs; chunks of 25 replications on the process pool, 100 on Dask (a Dask task
costs more to send), the scenario scattered to Dask's workers once.

| run | replications | seconds (median) | replications/s |
|---|---:|---:|---:|
| serial | {PARALLEL_REPLICATIONS:,} | {serial:.1f} | {PARALLEL_REPLICATIONS / serial:.1f} |
| process pool, 2 workers | {PARALLEL_REPLICATIONS:,} | {process:.1f} | {PARALLEL_REPLICATIONS / process:.1f} |
| process pool, 2 workers | {DASK_REPLICATIONS:,} | {pool:.1f} | {DASK_REPLICATIONS / pool:.1f} |
| Dask local cluster, 2 workers (start-up included) | {DASK_REPLICATIONS:,} | {dask:.1f} | {DASK_REPLICATIONS / dask:.1f} |

Parallel efficiency at {PARALLEL_REPLICATIONS:,} replications (speedup / 2): **{efficiency:.1%}**
(target ≥ 85%). {par_verdict}
Dask / process pool at {DASK_REPLICATIONS:,} replications: **{dask_ratio:.2f}×** the time (target ≤ 1.15;
Dask's time includes starting and closing its local cluster, as a `--backend dask` run does).
{dask_verdict}

### Memory

`scenarios/flagship-concurrent.yaml`, streamed through `Aggregate` without keeping replications,
in a fresh process: run on 2 worker processes (`replications(..., workers=2)`), and, to isolate the
aggregation, `Aggregate` alone fed 50 real replications replayed under new indices. Peak resident set
(`ru_maxrss`) of the aggregating process after compiling the scenario and at the end, and of its
largest worker (`RUSAGE_CHILDREN`).

| run | replications | incidents | time | before aggregating | aggregating process | largest worker |
|---|---:|---:|---:|---:|---:|---:|
{mem_rows}

On 2 workers, from {MEMORY_COUNTS[0]:,} to {MEMORY_COUNTS[-1]:,} replications the aggregating process's
peak grows by {mib(growth)} and the workers' by {mib(child_growth)}. {mem_verdict}
"""


if __name__ == "__main__":
    print(report(3))
