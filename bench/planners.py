"""What planners wait for, for `make bench`: `structure --criticality` and `advise` on the flagship
scenario, each against `drillsim simulate` of the same scenario with 1,000 replications, on the same
machine in the same round.

Each command runs as a user runs it — a fresh `drillsim` process with its default options (workers:
every core) — so the times include start-up, loading and writing. In each round the three commands
run in turn; the figures are medians over rounds and the ratios come from those medians. The target
(issue 18): criticality and advise within 4× the time of the simulation.

Usage: python bench/planners.py [--rounds N]  (prints the Markdown section)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "flagship-concurrent.yaml"
TARGET = 4.0  # criticality and advise within this many times `simulate -n 1000`


def commands(folder: Path) -> dict[str, list[str]]:
    """The three commands timed, by label; each writes only under ``folder`` (a new one per round)."""
    drillsim = [sys.executable, "-m", "drillsim"]
    history = ["--db", str(folder / "history.db")]
    return {
        "simulate -n 1000": [
            *drillsim,
            "simulate",
            str(FLAGSHIP),
            "-n",
            "1000",
            "--out",
            str(folder / "run"),
            *history,
        ],
        "structure --criticality": [*drillsim, "structure", str(FLAGSHIP), "--criticality"],
        "advise": [*drillsim, "advise", str(FLAGSHIP)],
    }


def timed(command: list[str], folder: Path) -> float:
    """Wall-clock seconds of one run of ``command``; a failure stops the benchmark with its output."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def report(rounds: int = 3) -> str:
    """The Markdown section: median seconds per command and their ratios to the simulation."""
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="drillsim-planners-") as tmp:
        folder = Path(tmp)
        for round_ in range(rounds):
            here = folder / f"round-{round_ + 1}"
            here.mkdir()
            for label, command in commands(here).items():
                times.setdefault(label, []).append(timed(command, here))
            print(
                f"planners round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()),
                flush=True,
            )
    median = {label: statistics.median(values) for label, values in times.items()}
    base = median["simulate -n 1000"]
    rows = "\n".join(
        f"| `drillsim {label}` | {seconds:.1f} s | {min(times[label]):.1f}–{max(times[label]):.1f} s | "
        f"{seconds / base:.2f} |"
        for label, seconds in median.items()
    )
    slowest = max(median["structure --criticality"], median["advise"]) / base
    verdict = (
        f"Target met: both within {TARGET:g}× the simulation (the slower at {slowest:.1f}×)."
        if slowest <= TARGET
        else f"**Target missed:** the slower is {slowest:.1f}× the simulation (target ≤ {TARGET:g}×)."
    )
    return f"""
## What planners wait for: criticality and advise

`scenarios/flagship-concurrent.yaml`, each command in a fresh process with its defaults (every core;
criticality and advise: 200 replications per variant, at most, with early stops), start-up and output
included; medians of {rounds} rounds, the three commands in turn in each round.

| command | median | range | ratio to `simulate -n 1000` |
|---|---:|---:|---:|
{rows}

{verdict}
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    print(report(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
