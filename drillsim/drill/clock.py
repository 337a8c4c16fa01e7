"""The drill clock: scenario minutes from a wall-clock time source, with speed, pause and skips.

Scenario time advances ``speed`` scenario seconds per wall second while running. It is computed
from the time source on every reading — never by counting ticks, which a busy UI drops — so the
clock is right however irregularly it is read. Pausing freezes scenario time, which shifts every
later inject; a skip jumps scenario time forward.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

TimeSource = Callable[[], float]  # seconds, monotonic


class Clock(Protocol):
    """A drill's scenario clock: the room's own (DrillClock) or a joined console's (FollowedClock)."""

    speed: float
    paused: bool

    def now(self) -> float: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def set_speed(self, speed: float) -> None: ...

    def jump_to(self, scenario_minutes: float) -> None: ...


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


class FollowedClock:
    """The clock of a console joined to a drill room elsewhere: it reads what the room last said (the
    room's clock is the only one that runs), and takes the room's actions' effects as they arrive."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed, self.paused, self._now = speed, True, 0.0

    def now(self) -> float:
        return self._now

    def follow(self, now: float, speed: float, paused: bool) -> None:
        """What the room's clock said: never backwards."""
        self._now, self.speed, self.paused = max(self._now, now), speed, paused

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def set_speed(self, speed: float) -> None:
        self.speed = speed

    def jump_to(self, scenario_minutes: float) -> None:
        self._now = max(self._now, scenario_minutes)
