"""The web server behind ``drillsim.serve``: textual-serve's server with the token gate or the loopback
guards in front of every route (the rules are in ``drillsim/serve/__init__.py``). Imported only when a
console is served: aiohttp and textual-serve take a while to import."""

from __future__ import annotations

import asyncio
import hmac
import html
import signal
from collections.abc import Awaitable, Callable

from aiohttp import typedefs, web
from textual_serve.server import Server
from yarl import URL

from drillsim.serve import COOKIE, WILDCARD_HOSTS, is_loopback, outward_address

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = typedefs.Middleware

FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>drillsim drill</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;
line-height:1.4}}
input,button{{font-size:1rem;padding:.4rem}}input{{width:100%;box-sizing:border-box;margin:.4rem 0 .8rem}}
.wrong{{color:#b00020}}</style></head>
<body><h1>drillsim drill</h1>
<p>This drill console needs the token printed where it was started.</p>{message}
<form method="post" action="/"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" autofocus required>
<button type="submit">Open the console</button></form></body></html>
"""


def console_url(host: str, port: int, token: str | None) -> str:
    """The link to give the people who will open the console (with the token, when there is one)."""
    shown = outward_address() if host in WILDCARD_HOSTS else host
    url = URL.build(scheme="http", host=shown, port=port, path="/")
    return str(url.with_query(token=token) if token else url)


def _form(status: int, message: str = "") -> web.Response:
    """The page asking for the token. It posts to the console's page, never to an address taken from
    the request (a path such as ``//elsewhere.example`` would send the token elsewhere)."""
    paragraph = f'<p class="wrong">{html.escape(message)}</p>' if message else ""
    return web.Response(
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
        text=FORM.format(message=paragraph),
    )


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def token_gate(token: str) -> Middleware:
    """Middleware letting through only requests with the token's cookie. A token given by the link
    (``?token=``) or the form is checked; if right, the answer sets the cookie and redirects to the
    console's page, without the token in the address; if wrong (or only a stale cookie), 403 and the
    form again. No token at all: 401 and the form."""

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
            raise web.HTTPForbidden(
                text="This console answers only as localhost or 127.0.0.1. To serve other "
                "machines or a reverse proxy, start it with --host and a token.\n"
            )
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
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda _: self.console.print(
                f"drill console: {self.url} (Ctrl-C to stop)", highlight=False, soft_wrap=True
            ),
        )
