"""A console joined to a drill room: its seat, a replica of the drill, and the actions it sends.

The replica is a DrillSession rebuilt from what the room sends — the scenario it runs, its journal
header, every entry journaled so far, then each new entry and the clock — exactly as a resume rebuilds
a drill from its journal, so a joined console shows what the room's journal says, record for record.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp

from drillsim.drill.journal import Entry, JournalError
from drillsim.drill.seats import Seat, SeatKind
from drillsim.drill.session import DrillError, DrillSession
from drillsim.room.protocol import MAX_MESSAGE, ProtocolError, encode, message, parse
from drillsim.room.seatlinks import SECRET_ENV


class RoomError(Exception):
    """A drill room that cannot be joined, or that closed: the message says why."""


@dataclass(frozen=True)
class SeatLink:
    """Where a seat's link points: the room's protocol address, the seat, and its token."""

    room: str  # ws://host:port/room
    seat: str
    token: str | None

    @classmethod
    def parse(cls, link: str) -> SeatLink:
        """``http://host:port/seat/SEAT/?token=T`` (as the room prints it). The token may come from
        the environment instead (the room's own consoles). RoomError when it is not a seat's link."""
        parts = urlsplit(link)
        pieces = [p for p in parts.path.split("/") if p]
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or len(pieces) != 2
            or pieces[0] != "seat"
        ):
            raise RoomError(
                f"{link}: not a seat's link (expected http://HOST:PORT/seat/SEAT/, as the room prints it)"
            )
        scheme = "wss" if parts.scheme == "https" else "ws"
        token = parse_qs(parts.query).get("token", [None])[0] or os.environ.get(SECRET_ENV)
        return cls(f"{scheme}://{parts.netloc}/room", unquote(pieces[1]), token)


@dataclass
class JoinedRoom:
    """The room as a console sees it from its seat. ``session`` is the replica to draw; ``act`` sends an
    action (its refusal, if any, comes back to ``on_refused``); ``listen`` keeps the replica current
    until the room closes."""

    websocket: aiohttp.ClientWebSocketResponse
    http: aiohttp.ClientSession
    seat: Seat
    session: DrillSession
    links: dict[str, str] = field(default_factory=dict)  # the seats' links (the coordinator's only)
    on_refused: Callable[[str], None] = lambda reason: None
    on_finished: Callable[[list[str]], None] = lambda files: None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[int, asyncio.Future[str | None]] = field(default_factory=dict)

    @classmethod
    async def connect(cls, link: SeatLink, *, timeout: float = 10.0) -> JoinedRoom:
        """Join the room at ``link``; RoomError, saying why, when it cannot be reached or refuses."""
        http = aiohttp.ClientSession()
        websocket: aiohttp.ClientWebSocketResponse | None = None
        try:
            websocket = await http.ws_connect(
                link.room, max_msg_size=MAX_MESSAGE, timeout=aiohttp.ClientWSTimeout(ws_close=timeout)
            )
            await websocket.send_str(encode(message("join", seat=link.seat, token=link.token)))
            first = await websocket.receive(timeout=timeout)
            if first.type != aiohttp.WSMsgType.TEXT:
                raise RoomError(f"{link.room}: the room closed the connection")
            welcome = parse(first.data, "welcome", "error")
            if welcome["type"] == "error":
                raise RoomError(f"the room refused seat '{link.seat}': {welcome.get('reason')}")
            session = _replica(welcome)
        except BaseException as exc:
            if websocket is not None:
                await websocket.close()
            await http.close()
            if isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
                raise RoomError(
                    f"cannot reach the drill room at {link.room}: {exc or type(exc).__name__}"
                ) from None
            if isinstance(exc, ProtocolError | DrillError | JournalError | KeyError | TypeError | ValueError):
                raise RoomError(f"{link.room}: {exc}") from None
            raise
        seat = welcome["seat"]
        links = {str(k): str(v) for k, v in dict(welcome.get("links") or {}).items()}
        return cls(
            websocket,
            http,
            Seat(seat["id"], SeatKind(seat["kind"]), frozenset(seat["people"])),
            session,
            links,
        )

    async def listen(self) -> None:
        """Apply what the room sends until it closes the connection (RoomError then)."""
        async for incoming in self.websocket:
            if incoming.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                data = parse(incoming.data)
            except ProtocolError as exc:
                raise RoomError(f"the drill room sent what this console cannot read: {exc}") from None
            kind = data.get("type")
            if kind == "entry":
                self.session.receive(Entry.from_dict(data["entry"]))
            elif kind == "clock":
                self.session.follow(float(data["now"]), float(data["speed"]), bool(data["paused"]))
            elif kind in ("done", "refused"):
                reason = data.get("reason") if kind == "refused" else None
                waiting = self._waiting.pop(data.get("id") or 0, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(reason)
                if reason:
                    self.on_refused(str(reason))
            elif kind == "finished":
                self.on_finished([str(f) for f in data.get("files", [])])
        raise RoomError("the drill room closed (it may have been stopped; resume it and join again)")

    async def request(self, kind: str, **fields: Any) -> str | None:
        """Send a message and wait for the room's answer: the refusal's reason, or None when done (the
        entries it journaled arrive through :meth:`listen`, which must be running)."""
        ident = next(self._ids)
        waiting: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = waiting
        await self.websocket.send_str(encode(message(kind, id=ident, **fields)))
        return await waiting

    async def act(self, action: str, args: dict[str, Any]) -> str | None:
        """Ask the room to take ``action`` from this seat; the refusal's reason, or None when done."""
        return await self.request("act", action=action, args=args)

    async def finish(self, ratings: dict[str, str]) -> str | None:
        """Ask the room to end the hot wash with ``ratings`` and write every result (coordinator only)."""
        return await self.request("finish", ratings=ratings)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close()
        await self.http.close()


def _replica(welcome: dict[str, Any]) -> DrillSession:
    """The drill rebuilt from the room's welcome: its scenario, header and every entry so far, then its
    clock."""
    session = DrillSession.replica(
        str(welcome["snapshot"]), dict(welcome["header"]), Path(str(welcome["drill"]))
    )
    for data in welcome["entries"]:
        session.receive(Entry.from_dict(data))
    clock = welcome["clock"]
    session.follow(float(clock["now"]), float(clock["speed"]), bool(clock["paused"]))
    return session
