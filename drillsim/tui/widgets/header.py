"""The top band: what is being drilled, and the drill clock (scenario time, calendar time, wall
time, speed, and whether the clock runs)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from drillsim.tui.format import tplus, until


def speed_words(speed: float) -> str:
    """×60 → '1 min/s'; ×1 → 'real time'; ×80 → '1.33 min/s' (three significant figures at most)."""
    if speed == 1:
        return "real time"
    per_second = speed / 60
    if per_second >= 60:
        return f"{per_second / 60:.3g} h/s"
    if per_second >= 1:
        return f"{per_second:.3g} min/s"
    return f"{speed:.3g} s/s"


class DrillHeader(Horizontal):
    """The drill clock, the calendar time, the speed and state, the next inject, and journal saves."""

    def __init__(self, title: str, subtitle: str, *, shows_script: bool = True) -> None:
        """``shows_script``: whether the next inject is shown (not to players: the script is the
        controllers')."""
        super().__init__(id="header")
        self._title, self._subtitle, self._shows_script = title, subtitle, shows_script
        self._shown: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="header-title")
        yield Static(id="header-clock")

    def on_mount(self) -> None:
        self.title_text, self.clock_text = (
            self.query_one("#header-title", Static),
            self.query_one("#header-clock", Static),
        )

    def show(
        self,
        *,
        now: float,
        calendar: str,
        wall: dt.datetime,
        speed: float,
        paused: bool,
        ended: bool,
        at_horizon: bool,
        next_inject: tuple[str, float] | None,
        journaled: int,
    ) -> None:
        state = (
            tplus(now, seconds=True),
            calendar,
            wall.strftime("%H:%M:%S"),
            speed,
            paused,
            ended,
            at_horizon,
            next_inject and (next_inject[0], until(next_inject[1])),
            journaled,
        )
        if state == self._shown:
            return
        if state[-1:] != self._shown[-1:]:
            saved = f"journal: {journaled} action{'s' if journaled != 1 else ''} saved"
            self.title_text.update(
                Text.assemble(
                    (self._title, "bold"), "\n", (f"{self._subtitle} · ", "dim"), (saved, "dim green")
                )
            )
        self._shown = state
        if ended:
            badge = (" ■ ENDED ", "bold white on red")
        elif at_horizon:
            badge = (" ■ HORIZON ", "bold white on red")
        elif paused:
            badge = (" ‖ PAUSED ", "bold black on yellow")
        else:
            badge = (" ▶ RUNNING ", "bold black on green")
        line1 = Text.assemble(badge, "  ", (state[0], "bold"), "  ", (calendar, "bold cyan"))
        coming = f"next #{next_inject[0]} {until(next_inject[1])}" if next_inject else "no inject left"
        line2 = Text.assemble(
            (f"×{round(speed, 2):g} ({speed_words(speed)})", "bold" if not paused else "dim"),
            "  ·  ",
            ("wall " + state[2], ""),
            *(("  ·  ", (coming, "italic")) if self._shows_script else ()),
        )
        self.clock_text.update(Text.assemble(line1, "\n", line2))
