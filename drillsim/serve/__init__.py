"""Who may connect to a served drill room (``drillsim drill --serve``; the server is
``drillsim.room.server``, the threat model in docs/drill.md):

- **Bound to a loopback address without a token** (the default, 127.0.0.1): only browsers and consoles
  on this machine. Requests must name the server by a loopback host (a DNS-rebinding page cannot use
  its own name), and a request carrying an ``Origin`` must come from the room's own pages, so a web
  page open in the coordinator's browser cannot open a seat's websocket and drive the drill.
- **Bound to any other address, or given a token**: every seat has its own token, and every request
  for a seat's page, files or websocket needs that seat's token (``drillsim.room.seatlinks``).

Nothing is encrypted: across a network, use an SSH tunnel or a reverse proxy with TLS.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

TOKEN_ENV = "DRILLSIM_SERVE_TOKEN"
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


def public_address(url: str, host: str, with_token: bool) -> str:
    """``--public-url``: the address people reach the room at (a reverse proxy's), as
    ``scheme://host[:port]``. ServeError when it is not an http(s) address of a whole site, or when
    the room would refuse what comes through it: a room on loopback without tokens accepts only
    requests naming a loopback host, so a proxy needs a binding beyond loopback or ``--token``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServeError(
            f"--public-url {url}: expected an http:// or https:// address, e.g. https://drill.example.org"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ServeError(
            f"--public-url {url}: give the site's address only ({parts.scheme}://{parts.netloc}); the room "
            "serves its seats at /seat/…, so the proxy must pass the whole site through"
        )
    if is_loopback(host) and not with_token and not is_loopback(parts.hostname):
        raise ServeError(
            f"--public-url {url}: a room on {host} without tokens refuses requests that name another host; "
            "behind a proxy, listen beyond loopback (--host 0.0.0.0) or give --token"
        )
    return f"{parts.scheme}://{parts.netloc}"


def outward_address() -> str:
    """This machine's address on its default route (found without sending anything), or its host name."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP "connect" only picks the route
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``, opened before anything else is started so that an
    address in use stops the command before a drill is created. ServeError when it cannot listen."""
    try:
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][
            0
        ]
        return socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
