"""Who gets into a served drill room: on loopback only this machine (Host and Origin guards); beyond
loopback every seat has its own token, which opens that seat and no other. Real rooms in
subprocesses, reached over HTTP and websockets."""

from __future__ import annotations

import asyncio
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from drill_helpers import TUTORIAL
from room_helpers import ServedRoom, free_port, serve_room
from typer.testing import CliRunner
from yarl import URL

from drillsim.cli import app
from drillsim.room.client import JoinedRoom, RoomError, SeatLink
from drillsim.room.seatlinks import SeatTokens
from drillsim.room.server import seat_cookie
from drillsim.serve import TOKEN_ENV, choose_token, is_loopback, outward_address

CONSOLE_PAGE = "data-session-websocket-url"  # in textual-serve's page, which starts the console


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedRoom]:
    """A room bound to every address, reached at this machine's own non-loopback address when it has
    one."""
    served = serve_room(tmp_path_factory.mktemp("serve"), host="0.0.0.0")
    yield served
    served.stop()


async def fetch(
    url: URL, *, cookies: dict[str, str] | None = None, **options: object
) -> tuple[int, str, aiohttp.ClientResponse]:
    """One GET, redirects not followed: (status, body, response)."""
    async with (
        aiohttp.ClientSession(cookies=cookies) as session,
        session.get(url, allow_redirects=False, **options) as response,  # type: ignore[arg-type]
    ):
        return response.status, await response.text(), response


async def websocket_status(url: URL, cookies: dict[str, str] | None = None, origin: str | None = None) -> int:
    """The status a websocket handshake gets: 101 when it opens."""
    async with aiohttp.ClientSession(cookies=cookies) as session:
        try:
            async with session.ws_connect(url, origin=origin):
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


def page(link: URL) -> URL:
    return link.with_query(None)


def test_beyond_loopback_every_seat_has_its_own_token_kept_with_the_drill(everywhere: ServedRoom) -> None:
    tokens = {seat: link.query["token"] for seat, link in everywhere.links.items()}
    assert set(tokens) == {"coordinator", "chen", "dara", "evaluator", "observer"}
    assert all(len(t) >= 32 for t in tokens.values()) and len(set(tokens.values())) == len(tokens)
    host = everywhere.links["chen"].host or ""
    assert host == outward_address() and not is_loopback(host)
    saved = everywhere.folder / "seats.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # the drill's owner only


def test_without_its_token_a_seat_gets_nothing(everywhere: ServedRoom) -> None:
    chen = page(everywhere.links["chen"])
    for url in (chen, chen.with_path("/"), chen.with_path("/seat/chen/ws")):
        status, body, _ = asyncio.run(fetch(url))
        assert status == 403 and CONSOLE_PAGE not in body
    assert "open the link you were given" in asyncio.run(fetch(chen))[1]
    assert asyncio.run(websocket_status(chen.with_path("/seat/chen/ws"))) == 403


def test_one_seats_token_opens_no_other_seat(everywhere: ServedRoom) -> None:
    chen_token = everywhere.links["chen"].query["token"]
    dara = page(everywhere.links["dara"])
    assert asyncio.run(fetch(dara.with_query(token=chen_token)))[0] == 403
    assert asyncio.run(fetch(dara, cookies={seat_cookie("dara"): chen_token}))[0] == 403
    ws = dara.with_path("/seat/dara/ws")
    assert asyncio.run(websocket_status(ws, cookies={seat_cookie("dara"): chen_token})) == 403
    link = SeatLink.parse(str(dara.with_query(token=chen_token)))
    with pytest.raises(RoomError, match="wrong or missing token for seat 'dara'"):
        asyncio.run(JoinedRoom.connect(link))


def test_the_right_token_sets_a_strict_httponly_cookie_for_that_seat_and_opens_it(
    everywhere: ServedRoom,
) -> None:
    link = everywhere.links["chen"]
    token = link.query["token"]
    status, _, response = asyncio.run(fetch(link))
    assert status == 303 and response.headers["Location"] == "/seat/chen/"  # the token leaves the address bar
    cookie = response.cookies[seat_cookie("chen")]
    assert cookie.value == token and cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/seat/chen/"  # the browser sends it to this seat's pages only
    status, body, _ = asyncio.run(fetch(page(link), cookies={seat_cookie("chen"): token}))
    assert status == 200
    assert f'{CONSOLE_PAGE}="ws://{link.authority}/seat/chen/ws"' in body  # the address the browser used
    ws = page(link).with_path("/seat/chen/ws")
    assert asyncio.run(websocket_status(ws, cookies={seat_cookie("chen"): token})) == 101


def test_on_loopback_no_tokens_but_only_local_names_and_the_rooms_own_pages(tmp_path: Path) -> None:
    port = free_port()
    served = serve_room(tmp_path, port=port)
    try:
        assert served.links["chen"] == URL(f"http://127.0.0.1:{port}/seat/chen/")
        status, landing, _ = asyncio.run(fetch(served.links["chen"].with_path("/")))
        assert status == 200 and all(f"/seat/{seat}/" in landing for seat in served.links)
        status, body, _ = asyncio.run(fetch(served.links["chen"]))
        assert status == 200 and CONSOLE_PAGE in body
        rebound, _, _ = asyncio.run(fetch(served.links["chen"], headers={"Host": f"attacker.example:{port}"}))
        assert rebound == 403  # a DNS-rebinding page reaches the port under its own name
        ws = served.links["chen"].with_path("/seat/chen/ws")
        assert asyncio.run(websocket_status(ws, origin="http://attacker.example")) == 403
        assert asyncio.run(websocket_status(ws, origin=f"http://127.0.0.1:{port}")) == 101
    finally:
        served.stop()


def test_a_token_given_on_loopback_turns_on_seat_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "a-token-of-my-own-choosing")
    served = serve_room(tmp_path)
    try:
        assert served.links["coordinator"].query["token"] == "a-token-of-my-own-choosing"
        assert len(served.links["chen"].query["token"]) >= 32
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--serve", "--host", "0.0.0.0", "--token", "short"], "too easy to guess"),
        (["--token", "a-long-enough-token-here"], "--token is for --serve"),
        (["--public-url", "https://drill.example.org"], "--public-url is for --serve"),
        (["--serve", "--host", "0.0.0.0", "--public-url", "drill.example.org"], "expected an http:// or"),
        (
            ["--serve", "--host", "0.0.0.0", "--public-url", "https://example.org/drill/"],
            "site's address only",
        ),
        (["--serve", "--public-url", "https://drill.example.org"], "listen beyond loopback"),
    ],
)
def test_bad_serve_options_exit_2_with_a_message(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["drill", str(TUTORIAL), *arguments])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_behind_a_proxy_the_links_name_its_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A room on loopback with a token, reached through a reverse proxy at https://drill.example.org:
    # every link names the proxy, with the seat's path and token; the same path and token open the
    # seat on the room itself (what the proxy passes through).
    monkeypatch.setenv(TOKEN_ENV, "a-token-of-my-own-choosing")
    port = free_port()
    served = serve_room(
        tmp_path,
        str(TUTORIAL),
        "--players",
        "chen,dara",
        "--public-url",
        "https://drill.example.org/",
        port=port,
    )
    try:
        assert all(str(link).startswith("https://drill.example.org/seat/") for link in served.links.values())
        chen = served.links["chen"]
        assert chen.path == "/seat/chen/" and chen.query["token"]
        direct = URL.build(scheme="http", host="127.0.0.1", port=port, path=chen.path, query=chen.query)
        status, _, response = asyncio.run(fetch(direct))
        assert status == 303 and response.headers["Location"] == "/seat/chen/"
    finally:
        served.stop()


def test_the_token_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "short")
    result = CliRunner().invoke(app, ["drill", str(TUTORIAL), "--serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "too easy to guess" in result.stderr


def test_a_port_in_use_is_a_clear_error_and_starts_no_drill(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "drillsim", "drill", str(TUTORIAL), "--serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("host", "given", "asks"),
    [
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("::1", None, False),
        ("127.0.0.1", "a-token-of-my-own-choosing", True),  # on a shared machine, a token on loopback too
        ("0.0.0.0", None, True),
        ("192.168.1.20", None, True),
        ("drills.example.org", None, True),
    ],
)
def test_which_bindings_ask_for_a_token(host: str, given: str | None, asks: bool) -> None:
    token = choose_token(host, given)
    assert (token is not None) == asks


def test_a_resumed_room_keeps_its_seats_links(tmp_path: Path) -> None:
    first = SeatTokens.for_room(tmp_path, ["coordinator", "chen"], True)
    again = SeatTokens.for_room(tmp_path, ["coordinator", "chen"], True)
    assert first.tokens == again.tokens and first.secret != again.secret  # the secret is per process
    assert first.admits("chen", first.tokens["chen"]) and not first.admits(
        "chen", first.tokens["coordinator"]
    )
    assert first.admits("chen", first.secret)  # the consoles the room starts itself
