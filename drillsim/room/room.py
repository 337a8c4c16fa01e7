"""The room: the one owner of a drill. Actions from every seat go through it, one at a time; what it
journals and where its clock stands go out to every console connected; finishing the hot wash
writes every result at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drillsim.drill.journal import COORDINATOR, Entry
from drillsim.drill.seats import Seat, SeatKind
from drillsim.drill.session import DrillError, DrillSession
from drillsim.room.protocol import message
from drillsim.workspace import Workspace

Listener = Callable[[dict[str, Any]], None]


class Room:
    """A drill and the consoles listening to it. ``workspace`` is where the history is recorded when
    the hot wash is finished (None: not recorded, as ``--no-history`` asks)."""

    def __init__(self, session: DrillSession, workspace: Workspace | None) -> None:
        self.session, self.workspace = session, workspace
        self.listeners: list[Listener] = []
        self.links: dict[str, str] = {}  # each seat's link, once the room is served
        self._clock_sent: tuple[float, float, bool] | None = None

    # --- what consoles are told ------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        clock = self.session.clock
        return message("clock", now=self.session.now, speed=clock.speed, paused=clock.paused)

    def welcome(self, seat: Seat) -> dict[str, Any]:
        """Everything a console needs to rebuild the drill from ``seat`` (and, for the coordinator, the
        seats' links to hand out)."""
        session = self.session
        return message(
            "welcome",
            seat={"id": seat.id, "kind": seat.kind.value, "people": sorted(seat.people)},
            drill=session.folder.name,
            snapshot=(session.folder / "scenario.yaml").read_text(encoding="utf-8"),
            header=session.journal.header,
            entries=[e.as_dict() for e in session.journal.entries],
            clock=self.clock(),
            links=self.links if seat.kind is SeatKind.COORDINATOR else {},
        )

    def _broadcast(self, data: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(data)

    # --- what happens ------------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance the drill to its clock's time; tell the consoles when the clock moved."""
        self.session.tick()
        clock = self.clock()
        state = (clock["now"], clock["speed"], clock["paused"])
        if state != self._clock_sent:
            self._clock_sent = state
            self._broadcast(clock)

    def act(self, seat: str, action: str, args: dict[str, Any]) -> Entry:
        """Take ``action`` from ``seat``: journaled, applied, sent to every console (with the clock).
        DrillError, with nothing journaled, when the seat may not take it or it cannot apply."""
        entry = self.session.act_as(seat, action, args)
        self._broadcast(message("entry", entry=entry.as_dict()))
        self._clock_sent = None
        self.tick()
        return entry

    def finish(self, ratings: dict[str, str], rows: list[dict[str, Any]] | None = None) -> list[Path]:
        """End the hot wash with the coordinator's ``ratings``: hotwash.json and summary.json, the
        after-action report (report.md, report.html) and the history record with the AAR's improvement
        plan, all written now, before this returns — a kill after it loses none of them. Returns the
        files written."""
        from drillsim.drill.hotwash import finish
        from drillsim.report.aar import improvement_plan
        from drillsim.report.writer import write_report

        session = self.session
        before = len(session.journal.entries)
        try:
            finish(session, ratings, rows)
        except ValueError as exc:
            raise DrillError(str(exc)) from None
        for entry in session.journal.entries[before:]:
            self._broadcast(message("entry", entry=entry.as_dict()))
        folder = session.folder
        if self.workspace is not None:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            hotwash = json.loads((folder / "hotwash.json").read_text(encoding="utf-8"))
            self.workspace.record(
                "drill",
                folder,
                summary,
                session.scenario.organisation.id,
                replace=True,
                plan=improvement_plan(folder, session.scenario, hotwash),
            )
            html = write_report(
                folder, self.workspace.recorded_runs(folder), self.workspace.open_plan_items(folder)
            )
        else:
            html = write_report(folder)
        files = [folder / "hotwash.json", folder / "summary.json", folder / "report.md", html]
        self._broadcast(message("finished", folder=folder.name, files=[f.name for f in files]))
        return files

    def close(self) -> None:
        self.session.close()


def coordinator_only(seat: str) -> None:
    """DrillError unless ``seat`` is the coordinator's (finishing the hot wash is theirs alone)."""
    if seat != COORDINATOR:
        raise DrillError(f"only the coordinator finishes the hot wash (this is the {seat} seat)")
