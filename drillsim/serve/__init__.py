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

import ipaddress
import secrets
import socket

TOKEN_ENV = "DRILLSIM_SERVE_TOKEN"
COOKIE = "drillsim_token"
MIN_TOKEN_LENGTH = 16
GENERATED_TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


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
            raise ServeError(
                f"--token: {len(given)} characters is too easy to guess; give at least "
                f"{MIN_TOKEN_LENGTH}, or none to have one generated"
            )
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


def serve(command: str, *, host: str, port: int, token: str | None) -> None:
    """Serve the console until Ctrl-C, each browser session running ``command``. ``token``: the one the
    user gave, or None (generated when ``host`` is not loopback). ServeError when it cannot start."""
    from drillsim.serve.server import DrillServer  # aiohttp and textual-serve: only when serving

    server = DrillServer(command, host=host, port=port, token=choose_token(host, token))
    try:
        server.serve()
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
