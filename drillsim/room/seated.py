"""A console's hold on a drill, from its seat: what it shows (``session``) and how it acts.

Two ways to sit at a drill, one interface for the console:

- :class:`AtTheRoom` — the room is in this process (``drillsim drill SCENARIO`` in a terminal): an
  action is taken at once, and a refusal raises DrillError there and then;
- :class:`Joined` — the room is elsewhere (``drillsim join LINK``, a browser's console): an action is
  sent to the room, and a refusal comes back later, to ``on_refused``.

Either way the action is journaled by the room with the seat that took it, and the console shows it
when the journal entry arrives (at once, for the room in this process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from drillsim.drill.journal import COORDINATOR
from drillsim.drill.seats import Seat
from drillsim.drill.session import DrillSession
from drillsim.room.client import JoinedRoom
from drillsim.room.room import Room


class Seated(Protocol):
    """What a console needs from the drill it shows: the drill (a DrillSession, the room's or a
    replica), the seat it sits in, the seats' links when it may hand them out, and its actions."""

    session: DrillSession
    seat: Seat
    links: dict[str, str]
    on_refused: Callable[[str], None]
    on_finished: Callable[[list[str]], None]

    def tick(self) -> float:
        """Bring the drill to the present; the scenario time."""

    def act(self, action: str, args: dict[str, Any]) -> None:
        """Take ``action`` from the seat (DrillError now, or a reason to ``on_refused`` later)."""

    def finish(self, ratings: dict[str, str], rows: list[dict[str, Any]] | None) -> None:
        """End the hot wash with ``ratings``; the files written go to ``on_finished``."""

    def farewell(self) -> str:
        """What to tell the person leaving this console: where the drill stays and how to come back."""


class AtTheRoom:
    """A console in the room's own process."""

    def __init__(self, room: Room, seat: str = COORDINATOR, links: dict[str, str] | None = None) -> None:
        self.room, self.session = room, room.session
        self.seat, self.links = room.session.seats[seat], links or {}
        self.on_refused: Callable[[str], None] = lambda reason: None
        self.on_finished: Callable[[list[str]], None] = lambda files: None

    def tick(self) -> float:
        self.room.tick()
        return self.session.now

    def act(self, action: str, args: dict[str, Any]) -> None:
        self.room.act(self.seat.id, action, args)

    def finish(self, ratings: dict[str, str], rows: list[dict[str, Any]] | None) -> None:
        files = self.room.finish(ratings, rows)
        self.on_finished([str(f) for f in files])

    def farewell(self) -> str:
        folder = self.session.folder
        if self.session.ended and (folder / "hotwash.json").is_file():
            return f"The drill is over; its results and after-action report are in {folder}"
        return (
            f"The drill's journal is on disk: {self.session.journal.path}\n"
            f"Everything recorded so far is there; resume with: drillsim drill --resume {folder.name}"
        )


class Joined:
    """A console joined to a room elsewhere through its link."""

    def __init__(self, joined: JoinedRoom, link: str) -> None:
        """``link``: the seat's link this console joined by (to come back)."""
        self.joined, self.session, self.seat = joined, joined.session, joined.seat
        self.links, self.link = joined.links, link
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def on_refused(self) -> Callable[[str], None]:
        return self.joined.on_refused

    @on_refused.setter
    def on_refused(self, callback: Callable[[str], None]) -> None:
        self.joined.on_refused = callback

    @property
    def on_finished(self) -> Callable[[list[str]], None]:
        return self.joined.on_finished

    @on_finished.setter
    def on_finished(self, callback: Callable[[list[str]], None]) -> None:
        self.joined.on_finished = callback

    def tick(self) -> float:
        return self.session.now  # the room's clock drives the replica (JoinedRoom.listen)

    def act(self, action: str, args: dict[str, Any]) -> None:
        self._start(self.joined.act(action, args))

    def finish(self, ratings: dict[str, str], rows: list[dict[str, Any]] | None) -> None:
        self._start(self.joined.finish(ratings))

    def farewell(self) -> str:
        return (
            f"You left drill {self.session.folder.name}; the room keeps it running and journaled.\n"
            f"Come back with: drillsim join '{self.link}'"
        )

    def _start(self, request: Any) -> None:
        async def run() -> None:
            await request  # a refusal reaches on_refused from JoinedRoom.listen

        task = asyncio.get_running_loop().create_task(run())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
