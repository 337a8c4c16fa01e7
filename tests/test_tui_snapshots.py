"""SVG snapshots of the drill console (pytest-textual-snapshot), with every clock frozen.

The session's time source and the header's wall clock are fixed functions, and the seed is fixed,
so the picture depends on nothing but the code. Regenerate after a deliberate change with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at the SVGs before committing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from drill_helpers import TUTORIAL_SEED
from paths import SCENARIOS
from textual.pilot import Pilot

from drillsim.drill.session import DrillSession
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text
from drillsim.tui.app import DrillApp

SIZE = (120, 40)
WALL = dt.datetime(2026, 9, 16, 17, 25, 12, tzinfo=dt.UTC)


class Frozen:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


NIGHTJAR_SEED = 372  # every injected incident detected and responding at T+1h05m, two pages waiting


def start(tmp_path: Path, name: str, players: list[str], seed: int = 1) -> tuple[DrillSession, Frozen]:
    clock = Frozen()
    path = SCENARIOS / name
    session = DrillSession.start(
        load_scenario(path),
        snapshot_text(path),
        players=players,
        speed=60,
        seed=seed,
        results=tmp_path,
        time_source=clock,
    )
    return session, clock


def at(session: DrillSession, clock: Frozen, minutes: float) -> None:
    """Move the frozen clock to scenario time ``minutes`` (speed 60: a second is a minute)."""
    clock.seconds = minutes
    session.tick()


def test_console_mid_drill(snap_compare: Any, tmp_path: Path) -> None:
    """Operation Nightjar at T+1h05m: three incidents, the safety responders in the room, one page
    answered, one observation, pages waiting and clocks running."""
    session, clock = start(tmp_path, "flagship-concurrent.yaml", ["safety-responder"], NIGHTJAR_SEED)
    at(session, clock, 52)
    session.acknowledge(session.open_pages()[0].id)
    at(session, clock, 58)
    session.observe("Kenji took the page but waited for Slack before starting triage", "sev1-engage-15m")
    at(session, clock, 65)
    app = DrillApp(session, wall_clock=lambda: WALL)
    try:
        assert snap_compare(app, terminal_size=SIZE)
    finally:
        session.close()


def test_hot_wash(snap_compare: Any, tmp_path: Path) -> None:
    """The tutorial drill ended at T+1h30m: acknowledged late, triage done, the kill switch pending."""
    pytest.importorskip("drillsim.drill.hotwash")
    from drillsim.drill import hotwash

    session, clock = start(tmp_path, "tutorial.yaml", ["safety-engineer"], TUTORIAL_SEED)
    at(session, clock, 20)
    session.acknowledge(session.open_pages()[0].id)
    at(session, clock, 40)
    session.complete(session.open_tasks()[0].id)
    at(session, clock, 45)
    session.observe("Dara answered the first page, but only after five minutes", "ack-10m")
    at(session, clock, 90)
    session.end()

    async def open_hot_wash(pilot: Pilot[Any]) -> None:
        await pilot.press("e")  # the drill has ended: straight to the hot wash
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = DrillApp(session, simulated=100, hotwash=hotwash, wall_clock=lambda: WALL)
    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=open_hot_wash)
    finally:
        session.close()
