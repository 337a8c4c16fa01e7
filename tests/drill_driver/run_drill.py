"""A headless drill for the crash test: plays every page and task as soon as it appears, fast, ends the
drill and writes its hot wash, printing after each step what a console would have shown; then, like
a console left open, it waits until it is killed. Usage: run_drill.py RESULTS_DIR

It prints ``folder PATH`` first, then ``shown N DIGEST`` for each state shown (N actions journaled,
DIGEST of the timeline), ``hotwash`` when play stops and the hot wash begins, and ``written`` once
summary.json and hotwash.json are on disk.
"""

from __future__ import annotations

import hashlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from drillsim.drill.hotwash import finish, hotwash_rows
from drillsim.drill.session import DrillError, DrillSession
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "flagship-concurrent.yaml"
SPEED = 28_800.0  # eight scenario hours a second
PLAY_UNTIL = (
    12 * 60.0
)  # scenario minutes: the players' pages and tasks of this drill all come in its first 12 hours
SIMULATED = 30  # simulated runs the hot wash places the live times among


def digest(session: DrillSession) -> str:
    text = "|".join(f"{r.time:.9f},{r.incident},{r.kind},{r.who},{r.detail}" for r in session.records)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def show(session: DrillSession) -> None:
    print(f"shown {len(session.journal.entries)} {digest(session)}", flush=True)


def act(session: DrillSession, action: Callable[[int], None], target: int) -> None:
    """Act on a page or task as the coordinator would, then show the new state. One that closed in the
    instant between being listed and acted on is refused and not journaled, as on the console."""
    try:
        action(target)
    except DrillError:
        return
    show(session)


def main() -> None:
    session = DrillSession.start(
        load_scenario(SCENARIO),
        snapshot_text(SCENARIO),
        players=["soc-analyst", "safety-responder"],
        speed=SPEED,
        seed=11,
        results=Path(sys.argv[1]),
    )
    print(
        f"folder {session.folder}"
    )  # written with the first state, in one write: a reader never has one alone
    show(session)
    while session.now < PLAY_UNTIL:
        session.tick()
        # Each action moves the clock on, which can close other pages: ask again after each one.
        while pages := session.open_pages():
            act(session, session.acknowledge, pages[0].id)
        while tasks := session.open_tasks():
            act(session, session.complete, tasks[0].id)
    print("hotwash", flush=True)
    session.end()
    show(session)
    finish(session, {}, hotwash_rows(session, simulated=SIMULATED))
    show(session)
    print("written", flush=True)
    signal.pause()


if __name__ == "__main__":
    main()
