"""The drill clock: scenario minutes from a wall-clock time source, with speed, pause and skips.

Scenario time advances ``speed`` scenario seconds per wall second while running. It is computed
from the time source on every reading — never by counting ticks, which a busy UI drops — so the
clock is right however irregularly it is read. Pausing freezes scenario time, which shifts every
later inject; a skip jumps scenario time forward.
"""

from __future__ import annotations

import time
from collections.abc import Callable

TimeSource = Callable[[], float]  # seconds, monotonic


class DrillClock:
    """Scenario time from a wall clock: ``speed`` scenario minutes per real minute, paused or running."""

    def __init__(
        self, speed: float = 1.0, time_source: TimeSource = time.monotonic, start: float = 0.0
    ) -> None:
        if not speed > 0:
            raise ValueError("the speed must be above 0")
        self.time_source = time_source
        self.speed = speed
        self.paused = False
        self._anchor_wall = time_source()
        self._anchor_scenario = start

    def now(self) -> float:
        """Scenario minutes."""
        if self.paused:
            return self._anchor_scenario
        return self._anchor_scenario + (self.time_source() - self._anchor_wall) * self.speed / 60.0

    def _reanchor(self) -> None:
        self._anchor_scenario = self.now()
        self._anchor_wall = self.time_source()

    def pause(self) -> None:
        self._reanchor()
        self.paused = True

    def resume(self) -> None:
        self._anchor_wall = self.time_source()
        self.paused = False

    def set_speed(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError("the speed must be above 0")
        self._reanchor()
        self.speed = speed

    def jump_to(self, scenario_minutes: float) -> None:
        """Move scenario time forward to ``scenario_minutes`` (never backward)."""
        self._reanchor()
        self._anchor_scenario = max(self._anchor_scenario, scenario_minutes)
