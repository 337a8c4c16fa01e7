"""Serving the drill console to browsers with textual-serve: each browser session runs ``drillsim drill``.

Who gets in (the threat model is in docs/drill.md):

- **Bound to a loopback address without a token** (the default, 127.0.0.1): only browsers on this
  machine. Requests must name the server by a loopback host (a DNS-rebinding page cannot use its own
  name), and a request carrying an ``Origin`` must come from the console's own page, so a web page
  open in the coordinator's browser cannot open the console's websocket and drive the drill.
- **Bound to any other address, or given a token**: every request — page, static files, websocket —
  needs the token. Without it the answer is a small form asking for it (401; 403 for a wrong one).
  The token comes from the link printed at start (``/?token=…``) or the form; once it matches
  (compared in constant time), an HttpOnly, SameSite=Strict cookie carries it and the address bar
  loses it.

Nothing is encrypted: across a network, use an SSH tunnel or a reverse proxy with TLS.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import ipaddress
import secrets
import signal
import socket
from collections.abc import Awaitable, Callable

from aiohttp import typedefs, web
from textual_serve.server import Server
from yarl import URL

TOKEN_ENV = "DRILLSIM_SERVE_TOKEN"
COOKIE = "drillsim_token"
MIN_TOKEN_LENGTH = 16
GENERATED_TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = typedefs.Middleware

FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>drillsim drill</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;line-height:1.4}}
input,button{{font-size:1rem;padding:.4rem}}input{{width:100%;box-sizing:border-box;margin:.4rem 0 .8rem}}
.wrong{{color:#b00020}}</style></head>
<body><h1>drillsim drill</h1>
<p>This drill console needs the token printed where it was started.</p>{message}
<form method="post" action="/"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" autofocus required>
<button type="submit">Open the console</button></form></body></html>
"""


class ServeError(Exception):
    """The console cannot be served as asked (a token too short, an address it cannot listen on)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1); False for anything else,
    names included, since a name may resolve anywhere."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def choose_token(host: str, given: str | None) -> str | None:
    """The token browsers must give: ``given`` (at least MIN_TOKEN_LENGTH characters), else a random one
    when ``host`` is not loopback, else None (loopback stays tokenless). ServeError for a short token."""
    if given is not None:
        if len(given) < MIN_TOKEN_LENGTH:
            raise ServeError(f"--token: {len(given)} characters is too easy to guess; give at least "
                             f"{MIN_TOKEN_LENGTH}, or none to have one generated")
        return given
    return None if is_loopback(host) else secrets.token_urlsafe(GENERATED_TOKEN_BYTES)


def outward_address() -> str:
    """This machine's address on its default route (found without sending anything), or its host name."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP "connect" only picks the route
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def console_url(host: str, port: int, token: str | None) -> str:
    """The link to give the people who will open the console (with the token, when there is one)."""
    shown = outward_address() if host in WILDCARD_HOSTS else host
    url = URL.build(scheme="http", host=shown, port=port, path="/")
    return str(url.with_query(token=token) if token else url)


def _form(status: int, message: str = "") -> web.Response:
    """The page asking for the token. It posts to the console's page, never to an address taken from
    the request (a path such as ``//elsewhere.example`` would send the token elsewhere)."""
    paragraph = f'<p class="wrong">{html.escape(message)}</p>' if message else ""
    return web.Response(status=status, content_type="text/html", headers={"Cache-Control": "no-store"},
                        text=FORM.format(message=paragraph))


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def token_gate(token: str) -> Middleware:
    """Middleware letting through only requests with the token's cookie. A token given by the link
    (``?token=``) or the form is checked; if right, the answer sets the cookie and redirects to the
    console's page, without the token in the address; if wrong (or only a stale cookie), 403 and the form again. No token
    at all: 401 and the form."""

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        cookie = request.cookies.get(COOKIE)
        if _matches(cookie, token):
            return await handler(request)
        given = request.query.get("token")
        if request.method == "POST":
            given = str((await request.post()).get("token", ""))
        if given is None and cookie is None:
            return _form(401)
        if not _matches(given, token):  # a wrong one, or the cookie of an earlier console
            return _form(403, "Wrong token: give the one printed where this console was started.")
        response = web.HTTPSeeOther(location="/", headers={"Cache-Control": "no-store"})
        response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="Strict")
        return response

    return gate


def loopback_guard() -> Middleware:
    """Middleware for a tokenless console on loopback: refuse (403) requests that name the server by a
    host that is not loopback, and requests whose ``Origin`` is not the console's own page."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            named = URL(f"//{request.host}").host or ""
        except ValueError:
            named = ""
        origin = request.headers.get("Origin")
        if not is_loopback(named):
            raise web.HTTPForbidden(text="This console answers only as localhost or 127.0.0.1. To serve other "
                                         "machines or a reverse proxy, start it with --host and a token.\n")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text="Only the console's own page may connect to it.\n")
        return await handler(request)

    return guard


class DrillServer(Server):
    """textual-serve's Server with a gate in front of every route (the token, or the loopback guard) and
    page addresses taken from each request — the address the browser used — so that the page works
    from other machines and behind a proxy (textual-serve would write its bind address, 0.0.0.0, in it)."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None) -> None:
        super().__init__(command, host=host, port=port, title="drillsim drill")
        self.token = token
        self.url = console_url(host, port, token)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(token_gate(self.token) if self.token else loopback_guard())
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        # The page template reads public_url synchronously, without yielding to another request.
        forwarded = request.headers.get("X-Forwarded-Proto")
        scheme = forwarded if forwarded in ("http", "https") else request.scheme
        self.public_url = f"{scheme}://{request.host}"
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: textual-serve's banner would name the bind address before it listens; ``serve``
        prints the link once it does."""

    def serve(self, debug: bool = False) -> None:
        """Listen until Ctrl-C or SIGTERM, as textual-serve does, printing ``drill console: LINK`` once
        the port is open (textual-serve's own ``serve`` silences that moment)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                    print=lambda _: self.console.print(f"drill console: {self.url} (Ctrl-C to stop)",
                                                       highlight=False, soft_wrap=True))


def serve(command: str, *, host: str, port: int, token: str | None) -> None:
    """Serve the console until Ctrl-C, each browser session running ``command``. ``token``: the one the
    user gave, or None (generated when ``host`` is not loopback). ServeError when it cannot start."""
    server = DrillServer(command, host=host, port=port, token=choose_token(host, token))
    try:
        server.serve()
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
