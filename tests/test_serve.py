"""The drill console served to browsers: a token beyond loopback, guards on loopback. Real servers in
subprocesses, reached over HTTP and websockets."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from paths import SCENARIOS
from typer.testing import CliRunner
from yarl import URL

from drillsim.cli import app
from drillsim.serve import COOKIE, TOKEN_ENV, choose_token, is_loopback, outward_address

TUTORIAL = str(SCENARIOS / "tutorial.yaml")
CONSOLE_PAGE = "data-session-websocket-url"  # in textual-serve's page, which starts the console


@dataclass
class Served:
    url: URL  # as printed for the coordinator, with the token when there is one
    process: subprocess.Popen[str]

    @property
    def base(self) -> URL:
        return self.url.with_query(None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("", 0))
        return int(probe.getsockname()[1])


def serve(cwd: Path, host: str, port: int) -> Served:
    """``drillsim drill --serve`` in a subprocess, once it listens (it prints the console's link)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drillsim",
            "drill",
            TUTORIAL,
            "--players",
            "safety-engineer",
            "--serve",
            "--host",
            host,
            "--port",
            str(port),
        ],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("drill console: "):
            return Served(URL(line.split()[2]), process)
    pytest.fail(f"the server did not start (exit {process.wait()})")


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A console bound to every address with a generated token, reached at this machine's own
    non-loopback address when it has one."""
    served = serve(tmp_path_factory.mktemp("serve"), "0.0.0.0", free_port())
    yield served
    served.process.terminate()
    served.process.wait(10)


async def fetch(
    url: URL, *, method: str = "GET", cookie: str | None = None, **options: object
) -> tuple[int, str, aiohttp.ClientResponse]:
    """One request, redirects not followed: (status, body, response)."""
    cookies = {COOKIE: cookie} if cookie is not None else None
    async with (
        aiohttp.ClientSession(cookies=cookies) as session,
        session.request(method, url, allow_redirects=False, **options) as response,  # type: ignore[arg-type]
    ):
        return response.status, await response.text(), response


async def websocket_status(url: URL, cookie: str | None = None, origin: str | None = None) -> int:
    """The status a websocket handshake gets: 101 when the console's websocket opens."""
    cookies = {COOKIE: cookie} if cookie is not None else None
    async with aiohttp.ClientSession(cookies=cookies) as session:
        try:
            async with session.ws_connect(url.with_path("/ws"), origin=origin):
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


def test_beyond_loopback_a_token_is_generated_and_printed(everywhere: Served) -> None:
    token = everywhere.url.query["token"]
    assert len(token) >= 32
    assert everywhere.url.host == outward_address() and not is_loopback(everywhere.url.host or "")


def test_without_the_token_every_request_gets_the_form_and_no_console(everywhere: Served) -> None:
    for path in ("/", "/static/js/textual.js", "/download/x"):
        status, body, _ = asyncio.run(fetch(everywhere.base.with_path(path)))
        assert status == 401
        assert 'name="token"' in body and CONSOLE_PAGE not in body
    assert asyncio.run(websocket_status(everywhere.base)) == 401


def test_a_wrong_token_is_refused_by_link_form_and_cookie(everywhere: Served) -> None:
    token = everywhere.url.query["token"]
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")  # never the token itself (it is random)
    for status, body, _ in [
        asyncio.run(fetch(everywhere.base.with_query(token=wrong))),
        asyncio.run(fetch(everywhere.base, method="POST", data={"token": wrong})),
        asyncio.run(fetch(everywhere.base, cookie=wrong)),
    ]:
        assert status == 403 and "Wrong token" in body and CONSOLE_PAGE not in body
    assert asyncio.run(websocket_status(everywhere.base, cookie=wrong)) == 403


def test_the_right_token_sets_a_strict_httponly_cookie_and_opens_the_console(everywhere: Served) -> None:
    token = everywhere.url.query["token"]
    for status, _, response in [
        asyncio.run(fetch(everywhere.url)),
        asyncio.run(fetch(everywhere.base, method="POST", data={"token": token})),
    ]:
        assert status == 303 and response.headers["Location"] == "/"  # the token leaves the address bar
        cookie = response.cookies[COOKIE]
        assert cookie.value == token and cookie["httponly"] and cookie["samesite"] == "Strict"
    status, page, _ = asyncio.run(fetch(everywhere.base, cookie=token))
    assert status == 200
    assert f'{CONSOLE_PAGE}="ws://{everywhere.base.authority}/ws"' in page  # the address the browser used
    assert asyncio.run(websocket_status(everywhere.base, cookie=token)) == 101


def test_on_loopback_no_token_but_only_local_names_and_the_consoles_own_page(tmp_path: Path) -> None:
    port = free_port()
    served = serve(tmp_path, "127.0.0.1", port)
    try:
        assert served.url == URL(f"http://127.0.0.1:{port}/")
        status, page, _ = asyncio.run(fetch(served.url))
        assert status == 200 and CONSOLE_PAGE in page
        rebound, _, _ = asyncio.run(fetch(served.url, headers={"Host": f"attacker.example:{port}"}))
        assert rebound == 403  # a DNS-rebinding page reaches the port under its own name
        assert asyncio.run(websocket_status(served.url, origin="http://attacker.example")) == 403
        assert asyncio.run(websocket_status(served.url, origin=f"http://127.0.0.1:{port}")) == 101
    finally:
        served.process.terminate()
        served.process.wait(10)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--serve", "--host", "0.0.0.0", "--token", "short"], "too easy to guess"),
        (["--token", "a-long-enough-token-here"], "--token is for --serve"),
    ],
)
def test_bad_serve_options_exit_2_with_a_message(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["drill", TUTORIAL, *arguments])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_the_token_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "short")
    result = CliRunner().invoke(app, ["drill", TUTORIAL, "--serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "too easy to guess" in result.stderr


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "drillsim", "drill", TUTORIAL, "--serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


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
    assert token == given or given is None
