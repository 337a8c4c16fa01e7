"""Live-console figures for `make bench`: start-up time and the work of one tick on the flagship.

- start-up: a fresh process that imports drillsim, starts a drill session on the flagship scenario
  and shows the console (headless), until the first tick has run; median of several processes.
- tick: the console's tick (advance the engine to the clock, update every panel) over a simulated
  drill of the flagship with nobody in the room answering (pages and records pile up, the heavy
  case), one tick per quarter of a scenario minute, median and 90th percentile.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "flagship-concurrent.yaml"

STARTUP = f"""
import asyncio, sys, tempfile
from pathlib import Path
from drillsim.drill.session import DrillSession
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text
from drillsim.tui.app import DrillApp
path = Path({str(FLAGSHIP)!r})
session = DrillSession.start(load_scenario(path), snapshot_text(path), players=["soc-analyst"], speed=60, seed=0,
                             results=Path(tempfile.mkdtemp()))
async def main():
    app = DrillApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.tick_durations:
            await pilot.pause(0.01)
asyncio.run(main())
"""


def startup_seconds(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP], check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return times


def tick_milliseconds(scenario_minutes: float = 240.0) -> list[float]:
    from drillsim.drill.session import DrillSession
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.snapshot import snapshot_text
    from drillsim.tui.app import DrillApp

    fake = [0.0]
    session = DrillSession.start(
        load_scenario(FLAGSHIP),
        snapshot_text(FLAGSHIP),
        players=["soc-analyst", "safety-responder", "infra-engineer"],
        speed=60,
        seed=0,
        results=Path(tempfile.mkdtemp()),
        time_source=lambda: fake[0],
    )

    async def run() -> list[float]:
        app = DrillApp(session, tick_seconds=3600)  # ticks driven by hand below
        async with app.run_test(size=(120, 40)) as pilot:
            durations = []
            while fake[0] < scenario_minutes:
                fake[0] += 0.25  # a quarter of a scenario minute per tick at ×60
                started = time.perf_counter()
                app.tick()
                durations.append((time.perf_counter() - started) * 1000)
                await pilot.pause()
            return durations

    return asyncio.run(run())


def report(runs: int = 5) -> str:
    startup = startup_seconds(runs)
    ticks = tick_milliseconds()
    p90 = statistics.quantiles(ticks, n=10)[-1]
    return f"""
## Live console

Flagship scenario, players: SOC analysts, safety responders and infrastructure engineers, nobody
answering (pages and records pile up: the heavy case), one tick per quarter of a scenario minute
over the first four hours.

| measure | median | other |
|---|---:|---|
| start-up to the first tick (fresh process, headless) | {statistics.median(startup):.2f} s | {runs} runs, max {max(startup):.2f} s (target < 2 s) |
| one tick (advance the engine, update every panel) | {statistics.median(ticks):.2f} ms | p90 {p90:.2f} ms over {len(ticks)} ticks (target < 20 ms) |
"""


if __name__ == "__main__":
    print(report())
