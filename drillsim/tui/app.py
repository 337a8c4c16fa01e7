"""The live drill console: ``DrillApp(session).run()``.

A timer calls :meth:`DrillApp.tick` every ``tick_seconds``: it advances the session to its clock's
time (the only way time moves; ticks are never counted) and refreshes the console in place. The wall
clock shown in the header is injectable, like the session's time source, so a test can freeze both.

``ScenarioPickerApp().run()`` returns a :class:`DrillChoice` (scenario, players, speed) or None, for
``drillsim drill`` without a scenario.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from drillsim.drill.session import DrillSession
from drillsim.room.room import Room
from drillsim.room.seated import AtTheRoom, Seated
from drillsim.tui.screens.console import ConsoleScreen
from drillsim.tui.screens.hotwash import HotWashProvider, HotWashScreen
from drillsim.tui.screens.picker import DrillChoice, ScenarioPicker

TICK_SECONDS = 0.25


def local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class DrillApp(App[None]):
    """The live drill console: the console screen, ticking the session to its clock, then the hot wash."""

    CSS_PATH = "app.tcss"
    TITLE = "drillsim — live drill"

    def __init__(
        self,
        seated: Seated | DrillSession,
        *,
        simulated: Any = None,
        hotwash: HotWashProvider | None = None,
        wall_clock: Callable[[], dt.datetime] = local_now,
        tick_seconds: float = TICK_SECONDS,
        listen: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``seated``: the drill from a seat (a bare DrillSession is the coordinator's, in a room of its
        own, recording no history); ``simulated`` is handed to the hot wash to place live results among
        simulated ones; ``hotwash`` defaults to ``drillsim.drill.hotwash``; ``listen`` keeps a joined
        console's replica current (JoinedRoom.listen), run while the app runs."""
        super().__init__()
        self.seated: Seated = AtTheRoom(Room(seated, None)) if isinstance(seated, DrillSession) else seated
        self.session = self.seated.session
        self.simulated, self.wall_clock = simulated, wall_clock
        self.tick_seconds, self._listen = tick_seconds, listen
        self._hotwash = hotwash
        self.goodbye: str | None = None  # what quitting printed
        self.tick_durations: deque[float] = deque(maxlen=2000)  # seconds of work per tick, newest last
        self.console_screen = ConsoleScreen(self.seated, wall_clock)
        self.seated.on_refused = lambda reason: self.notify(reason, title="Not done", severity="error")

    def on_mount(self) -> None:
        self.push_screen(self.console_screen)
        self.set_interval(self.tick_seconds, self.tick, name="drill-tick")
        if self._listen is not None:
            self.run_worker(self._keep_listening(self._listen), name="room", exclusive=True)

    async def _keep_listening(self, listen: Callable[[], Awaitable[None]]) -> None:
        from drillsim.room.client import RoomError

        try:
            await listen()
        except RoomError as exc:
            self.sub_title = "disconnected from the drill room"
            self.notify(f"{exc}", title="Disconnected", severity="error", timeout=60)

    def tick(self) -> float:
        """Advance the drill to the clock's time and show it. Returns the scenario time."""
        started = time.perf_counter()
        now = self.seated.tick()
        if self.console_screen.is_mounted:
            self.console_screen.refresh_views()
        self.tick_durations.append(time.perf_counter() - started)
        return now

    # --- the hot wash and leaving ---------------------------------------------------------------------

    def hotwash_provider(self) -> HotWashProvider:
        """The hot wash's scoring: ``drillsim.drill.hotwash`` unless a test gave another. Imported on
        first use: it brings the simulator, which the console does not need until play ends."""
        if self._hotwash is None:
            from drillsim.drill import hotwash

            self._hotwash = hotwash
        return self._hotwash

    def open_hotwash(self) -> None:
        if isinstance(self.screen, HotWashScreen):
            return
        self.push_screen(HotWashScreen(self.seated, self.hotwash_provider(), self.simulated))

    def quit_drill(self) -> None:
        self.goodbye = self.seated.farewell()
        self.exit(message=self.goodbye)

    # --- the command palette --------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, ConsoleScreen | HotWashScreen):
            yield from screen.commands()
        yield from super().get_system_commands(screen)


class ScenarioPickerApp(App[DrillChoice | None]):
    """Just the scenario picker: ``run()`` returns the choice, or None when cancelled."""

    CSS_PATH = "app.tcss"
    TITLE = "drillsim — start a drill"

    def __init__(self, paths: list[Any] | None = None, organisation_from: Sequence[Path] = ()) -> None:
        super().__init__()
        self.paths = paths
        self.organisation_from = organisation_from

    def on_mount(self) -> None:
        self.push_screen(ScenarioPicker(self.paths, self.organisation_from), self.exit)


class ProblemApp(App[None]):
    """A console that could not open, saying why until it is closed: where the person reads it in a
    browser, an exit message would be lost."""

    CSS_PATH = "app.tcss"
    TITLE = "drillsim"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q,escape,enter", "quit", "Close")]

    def __init__(self, title: str, problem: str) -> None:
        super().__init__()
        self.problem_title, self.problem = title, problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="problem"):
            yield Static(self.problem_title, classes="modal-title")
            yield Static(self.problem, classes="modal-detail")
            yield Static("Ask the coordinator for the room's link; q closes this.", classes="modal-detail")
