"""The drill room served: one process, one drill. Consoles join it over a websocket (``/room``, the
protocol of ``protocol.py``); browsers open a seat's page (``/seat/SEAT/``), whose terminal is a
``drillsim join`` console the room starts for that browser (textual-serve). Imported only when a room
is served: aiohttp and textual-serve take a while to import.

Who gets in (the rules in ``drillsim.serve``): on loopback without tokens, only this machine, with
the Host and Origin guards; beyond loopback every seat has its own token (see ``seatlinks.py``) — a
seat's page needs its token (from its link, then an HttpOnly SameSite=Strict cookie scoped to that
seat's path), and a console joining ``/room`` gives it in its first message.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, WSMsgType, typedefs, web
from textual_serve.app_service import AppService
from textual_serve.server import Server
from yarl import URL

from drillsim.drill.session import DrillError
from drillsim.room.protocol import MAX_MESSAGE, ProtocolError, encode, message, parse
from drillsim.room.room import Room, coordinator_only
from drillsim.room.seatlinks import SECRET_ENV, SeatTokens
from drillsim.serve import WILDCARD_HOSTS, is_loopback, outward_address

TICK_SECONDS = 0.2  # how often the room's clock is read and sent to the consoles
log = logging.getLogger("drillsim.room")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = typedefs.Middleware


def room_address(host: str, port: int) -> str:
    """The room's address as people reach it: ``http://HOST:PORT`` (this machine's outward address for
    a wildcard binding)."""
    shown = outward_address() if host in WILDCARD_HOSTS else host
    return str(URL.build(scheme="http", host=shown, port=port))


def loopback_guard() -> Middleware:
    """Middleware for a tokenless room on loopback: refuse (403) requests that name the server by a
    host that is not loopback, and requests whose ``Origin`` is not the room's own page."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            named = URL(f"//{request.host}").host or ""
        except ValueError:
            named = ""
        origin = request.headers.get("Origin")
        if not is_loopback(named):
            raise web.HTTPForbidden(
                text="This drill room answers only as localhost or 127.0.0.1. To serve other "
                "machines or a reverse proxy, start it with --host (every seat then has a token).\n"
            )
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text="Only the room's own pages may connect to it.\n")
        return await handler(request)

    return guard


def seat_cookie(seat: str) -> str:
    return f"drillsim_seat_{seat.encode().hex()}"


def seat_gate(tokens: SeatTokens) -> Middleware:
    """Middleware for a room served beyond loopback: a seat's pages need that seat's token, from its
    link (``?token=``: the answer sets a cookie scoped to the seat's path and redirects to the link
    without the token) or from that cookie; ``/room`` checks tokens itself, in the join message;
    everything else is refused."""

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/room":
            return await handler(request)
        seat = request.match_info.get("seat")
        if seat is None:
            raise web.HTTPForbidden(text="Open the link of your seat, as the coordinator gave it.\n")
        if tokens.admits(seat, request.cookies.get(seat_cookie(seat))):
            return await handler(request)
        given = request.query.get("token")
        if given is None or not tokens.admits(seat, given):
            raise web.HTTPForbidden(
                text="Wrong or missing token for this seat: open the link you were given\n"
            )
        response = web.HTTPSeeOther(location=f"/seat/{seat}/", headers={"Cache-Control": "no-store"})
        response.set_cookie(seat_cookie(seat), given, path=f"/seat/{seat}/", httponly=True, samesite="Strict")
        return response

    return gate


class RoomServer(Server):
    """The room's web server: the protocol websocket, each seat's page and terminal (textual-serve's
    page and app service, with page addresses taken from each request — the address the browser used
    — so that the page works from other machines and behind a proxy), and the clock."""

    def __init__(
        self, room: Room, tokens: SeatTokens, listener: socket.socket, public_url: str | None = None
    ) -> None:
        host, port = listener.getsockname()[:2]
        super().__init__("", host=host, port=port, title="drillsim drill")
        self.room, self.tokens, self.listener = room, tokens, listener
        self.open_sockets: set[web.WebSocketResponse] = set()  # closed when the room stops
        self.lock = asyncio.Lock()  # actions from every seat, one at a time
        self.base = public_url or room_address(host, port)  # what the links name
        room.links = self.links()

    def links(self) -> dict[str, str]:
        """Each seat's link."""
        return {seat: self.tokens.link(self.base, seat) for seat in self.room.session.seats}

    def announce(self) -> None:
        """Each seat's link, once the port is open."""
        session, say = self.room.session, self.console.print
        say(f"drill room {session.folder.name}: {session.scenario.title}", highlight=False, soft_wrap=True)
        for seat, link in self.links().items():
            say(f"  {session.seats[seat].label}: {link}", highlight=False, soft_wrap=True)
        say(
            "Open the coordinator's link in a browser (or: drillsim join 'LINK'); its console shows "
            "every link, with QR codes. Ctrl-C stops the room; the journal keeps everything.",
            highlight=False,
            soft_wrap=True,
        )

    def serve(self, debug: bool = False) -> None:
        """Listen until Ctrl-C or SIGTERM, as textual-serve does, printing the links once the port is
        open (textual-serve's own ``serve`` would announce its bind address before it listens)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self.request_exit)
        web.run_app(
            self._make_app(),
            sock=self.listener,
            handle_signals=False,
            access_log=None,
            shutdown_timeout=5,
            loop=loop,
            print=lambda _: self.announce(),
        )

    async def _close_sockets(self, app: web.Application) -> None:
        """Tell every console the room is stopping (their handlers would otherwise hold the exit)."""
        for websocket in list(self.open_sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"the drill room stopped")

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: :meth:`announce` says where the room is once it listens."""

    # --- the web application -------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE)
        aiohttp_jinja2.setup(app, loader=jinja2.PackageLoader("drillsim.room"), autoescape=True)
        app.add_routes(
            [
                web.get("/", self.handle_landing),
                web.get("/room", self.handle_room),
                web.get("/seat/{seat}/", self.handle_seat_page),
                web.get("/seat/{seat}/ws", self.handle_websocket),
                web.get("/seat/{seat}/static/{file:.+}", self.handle_static),
            ]
        )
        app.middlewares.append(seat_gate(self.tokens) if self.tokens.tokens is not None else loopback_guard())
        app.on_startup.append(self._start_ticking)
        app.on_shutdown.append(self._close_sockets)
        app.on_cleanup.append(self._stop_ticking)
        return app

    async def handle_landing(self, request: web.Request) -> web.StreamResponse:
        """The room's front page: on loopback, a link per seat; beyond it, a pointer to one's own link."""
        if self.tokens.tokens is not None:
            raise web.HTTPForbidden(text="Open the link of your seat, as the coordinator gave it.\n")
        base = f"{request.scheme}://{request.host}"
        items = "".join(
            f'<li><a href="{html.escape(self.tokens.link(base, s.id))}">{html.escape(s.label)}</a></li>'
            for s in self.room.session.seats.values()
        )
        title = html.escape(self.room.session.scenario.title)
        return web.Response(
            content_type="text/html",
            text=(
                "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<title>drillsim room</title></head>"
                "<body style='font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto'>"
                f"<h1>{title}</h1>"
                f"<p>Drill {html.escape(self.room.session.folder.name)}: choose your seat.</p>"
                f"<ul>{items}</ul></body></html>"
            ),
        )

    async def handle_seat_page(self, request: web.Request) -> web.StreamResponse:
        """A seat's page: a terminal whose console (``drillsim join``) sits in that seat. Its addresses
        are the ones the browser used (so it works from other machines and behind a proxy), under the
        seat's path (so the seat's cookie goes with them); its fonts come from the room."""
        seat = request.match_info["seat"]
        if seat not in self.room.session.seats:
            raise web.HTTPNotFound(text=f"This drill has no seat '{seat}'.\n")
        forwarded = request.headers.get("X-Forwarded-Proto")
        scheme = forwarded if forwarded in ("http", "https") else request.scheme
        base = f"{request.host}/seat/{quote(seat, safe='')}/"
        context = {
            "seat_label": self.room.session.seats[seat].label,
            "drill": self.room.session.folder.name,
            "static_url": f"{scheme}://{base}static/",
            "websocket_url": f"{'wss' if scheme == 'https' else 'ws'}://{base}ws",
            "font_size": _number(request.query.get("fontsize"), 16),
        }
        response = aiohttp_jinja2.render_template("seat.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_static(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's scripts, styles and fonts, under each seat's path (where its cookie goes)."""
        root = Path(self.statics_path).resolve()
        path = (root / request.match_info["file"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    def console_command(self, seat: str) -> str:
        """What runs behind a browser's terminal for ``seat``: a console joined to this room."""
        link = f"http://127.0.0.1:{self.port}/seat/{seat}/"
        return " ".join(shlex.quote(p) for p in [sys.executable, "-m", "drillsim", "join", link])

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A browser's terminal: a ``drillsim join`` console for the seat of the page it came from."""
        seat = request.match_info["seat"]
        if seat not in self.room.session.seats:
            raise web.HTTPNotFound(text=f"This drill has no seat '{seat}'.\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _number(request.query.get("width"), 80)
        height = _number(request.query.get("height"), 24)
        service: AppService | None = None

        async def close() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            self.open_sockets.add(websocket)
            service = AppService(
                self.console_command(seat),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            self.open_sockets.discard(websocket)
            if service is not None:
                await service.stop()
        return websocket

    # --- the protocol ------------------------------------------------------------------------------

    async def handle_room(self, request: web.Request) -> web.WebSocketResponse:
        """One console joined to the room: its seat's welcome, then every entry and clock, and its actions."""
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        self.open_sockets.add(websocket)
        try:
            return await self._seated(websocket)
        finally:
            self.open_sockets.discard(websocket)

    async def _seated(self, websocket: web.WebSocketResponse) -> web.WebSocketResponse:
        outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        try:
            first = await websocket.receive(timeout=30)
            hello = parse(first.data, "join") if first.type == WSMsgType.TEXT else {}
            seat = str(hello.get("seat", ""))
            if seat not in self.room.session.seats:
                raise ProtocolError(f"this drill has no seat '{seat}'")
            if not self.tokens.admits(seat, hello.get("token")):
                raise ProtocolError(f"wrong or missing token for seat '{seat}'")
        except (ProtocolError, TimeoutError) as exc:
            await websocket.send_str(encode(message("error", reason=str(exc) or "no join message")))
            await websocket.close()
            return websocket
        async with self.lock:
            await websocket.send_str(encode(self.room.welcome(self.room.session.seats[seat])))
            self.room.listeners.append(outbox.put_nowait)
        sender = asyncio.create_task(self._send(websocket, outbox))
        try:
            async for incoming in websocket:
                if incoming.type == WSMsgType.TEXT:
                    await self._answer(seat, incoming.data, outbox)
        finally:
            self.room.listeners.remove(outbox.put_nowait)
            sender.cancel()
        return websocket

    async def _answer(self, seat: str, text: str, outbox: asyncio.Queue[dict[str, Any]]) -> None:
        try:
            data = parse(text, "act", "finish")
        except ProtocolError as exc:
            outbox.put_nowait(message("refused", id=None, reason=str(exc)))
            return
        ident = data.get("id")
        async with self.lock:
            try:
                if data["type"] == "finish":
                    coordinator_only(seat)
                    ratings = {str(k): str(v) for k, v in dict(data.get("ratings", {})).items()}
                    self.room.finish(ratings)
                else:
                    args = data.get("args", {})
                    self.room.act(seat, str(data.get("action")), dict(args) if isinstance(args, dict) else {})
            except DrillError as exc:
                outbox.put_nowait(message("refused", id=ident, reason=str(exc)))
                return
        outbox.put_nowait(message("done", id=ident))

    @staticmethod
    async def _send(websocket: web.WebSocketResponse, outbox: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            data = await outbox.get()
            with contextlib.suppress(ConnectionResetError):
                await websocket.send_str(encode(data))

    # --- the clock ---------------------------------------------------------------------------------

    async def _start_ticking(self, app: web.Application) -> None:
        app["ticker"] = asyncio.create_task(self._tick_forever())

    async def _stop_ticking(self, app: web.Application) -> None:
        app["ticker"].cancel()
        self.room.close()

    async def _tick_forever(self) -> None:
        while True:
            async with self.lock:
                self.room.tick()
            await asyncio.sleep(TICK_SECONDS)


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def serve_room(
    room: Room,
    listener: socket.socket,
    *,
    with_tokens: bool,
    coordinator_token: str | None = None,
    public_url: str | None = None,
) -> RoomServer:
    """The server for ``room`` on ``listener`` (``serve()`` it), with seat tokens when ``with_tokens``
    (the coordinator's being ``coordinator_token`` when given); its links name ``public_url`` when
    given, else the address it listens on. The room's secret goes into this process's environment,
    which the consoles it starts inherit."""
    seats = list(room.session.seats)
    tokens = SeatTokens.for_room(room.session.folder, seats, with_tokens, coordinator=coordinator_token)
    os.environ[SECRET_ENV] = tokens.secret
    return RoomServer(room, tokens, listener, public_url)
