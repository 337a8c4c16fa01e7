"""Drills played by tests: a fake time source, a tutorial drill, and a room that answers at once."""

from __future__ import annotations

from pathlib import Path

from paths import SCENARIOS

from drillsim.drill.session import DrillSession
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text

TUTORIAL = SCENARIOS / "tutorial.yaml"


# The tutorial with this seed and the safety engineers as players: cot-monitor detects the incident
# at T+14m26s and pages Dara; nobody answers levels 1 and 2; Fay acknowledges level 3 at T+40m10s.
# (Found by search when random streams were re-keyed: it tells the story seed 1 told before.)
TUTORIAL_SEED = 52985


class FakeTime:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def start(
    tmp_path: Path, fake: FakeTime, players: tuple[str, ...] = ("safety-engineer",), speed: float = 60
) -> DrillSession:
    return DrillSession.start(
        load_scenario(TUTORIAL),
        snapshot_text(TUTORIAL),
        players=players,
        speed=speed,
        seed=TUTORIAL_SEED,
        results=tmp_path,
        time_source=fake,
    )


def play(
    session: DrillSession, fake: FakeTime, until: float, step: float = 5.0, task_minutes: float = 10
) -> None:
    """Answer every page at once and finish every task ``task_minutes`` after it starts."""
    while fake.seconds < until:
        fake.seconds += step
        session.tick()
        for page in session.open_pages():
            session.acknowledge(page.id)
        for task in session.open_tasks():
            if session.now - task.started >= task_minutes:
                session.complete(task.id)
