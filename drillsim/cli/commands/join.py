"""``drillsim join``: sit at a drill room from this terminal, in the seat a link opens."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from drillsim.room.client import SeatLink


def join(
    link: Annotated[
        str,
        typer.Argument(
            metavar="LINK",
            help="A seat's link, as the room printed it: http://HOST:PORT/seat/SEAT/ (with ?token=… "
            "beyond loopback). Quote it: the shell would split it at '&' or '?'.",
        ),
    ],
) -> None:
    """Join a drill room (`drillsim drill --serve`) from this terminal, in the seat of LINK.

    The console shows the room's drill as the seat sees it and sends the seat's actions to the room,
    which journals them; leaving the console leaves the room running. RoomError (exit 2) when the
    room cannot be reached or refuses the seat.
    """
    from drillsim.room.client import RoomError, SeatLink
    from drillsim.room.seatlinks import SECRET_ENV

    seat_link = SeatLink.parse(link)
    try:
        asyncio.run(_sit(seat_link, link))
    except RoomError as exc:
        if SECRET_ENV in os.environ:  # a browser's console: say why there, not in the room's log
            from drillsim.tui.app import ProblemApp

            ProblemApp("Cannot join the drill room", str(exc)).run()
        raise


async def _sit(seat_link: SeatLink, link: str) -> None:
    """The console joined to the room, until it is quit (or the room closes)."""
    from drillsim.room.client import JoinedRoom
    from drillsim.room.seated import Joined
    from drillsim.tui.app import DrillApp

    joined = await JoinedRoom.connect(seat_link)
    try:
        app = DrillApp(Joined(joined, link), listen=joined.listen)
        await app.run_async()
    finally:
        await joined.close()
