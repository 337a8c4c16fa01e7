"""The drill room in real browsers: headless Chromium (Debian's, driven by Playwright) on two seats.
Dara's browser answers her page, the coordinator's browser shows it; reloading keeps Dara's seat.

The terminal in a seat's page is drawn on a canvas, so what a browser shows is read from what its
console sends it (the websocket frames of textual-serve); what the room recorded is read from the
journal on disk.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from room_helpers import ServedRoom, serve_room

CHROMIUM = Path(os.environ.get("DRILLSIM_CHROMIUM", "/usr/bin/chromium"))

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (make test installs it)"
)
if not CHROMIUM.is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's chromium (.ci/run does) or set DRILLSIM_CHROMIUM",
        allow_module_level=True,
    )


class Screen:
    """What one browser's console has drawn so far: the text of every frame it received."""

    def __init__(self, page: Any) -> None:
        self.page, self.frames = page, []
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: str | bytes) -> None:
        self.frames.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload)

    def shows(self, text: str) -> bool:
        return any(text in frame for frame in self.frames)

    def press(self, key: str) -> None:
        self.page.locator("#terminal").click()
        self.page.keyboard.press(key)


def journal(room: ServedRoom) -> list[dict[str, Any]]:
    lines = (room.folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


def wait_for(condition: Callable[[], bool], what: str, page: Any, seconds: float = 30.0) -> None:
    """Wait, letting the browser's events run, until ``condition``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:g} s for {what}")
        page.wait_for_timeout(100)


@pytest.fixture
def room(tmp_path: Path) -> Iterator[ServedRoom]:
    served = serve_room(tmp_path)
    yield served
    served.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def open_seat(browser: Any, room: ServedRoom, seat: str) -> Screen:
    """A browser of its own (no shared cookies) on the seat's link, once its console has drawn."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    screen = Screen(page)
    page.goto(str(room.links[seat]))
    wait_for(lambda: screen.shows("Incidents"), f"the {seat}'s console", page)
    return screen


def test_two_browsers_on_two_seats_share_the_drill_and_a_reload_keeps_the_seat(
    room: ServedRoom, browser: Any
) -> None:
    coordinator, dara = open_seat(browser, room, "coordinator"), open_seat(browser, room, "dara")
    assert dara.shows("your seat: player: dara") and not coordinator.shows("your seat")
    assert "player: dara" in dara.page.title()

    for skips in (1, 2):  # to inject #2, then to the first page to a player (dara's)
        coordinator.press("n")
        wait_for(lambda n=skips: len(journal(room)) == n, f"skip {skips} in the journal", coordinator.page)
    assert journal(room)[-1]["args"]["to"] == pytest.approx(14.428, abs=0.01)

    def answered() -> bool:
        if not any(e["action"] == "acknowledge" for e in journal(room)):
            dara.press("a")  # again, if her console had not drawn the page yet
            dara.page.wait_for_timeout(500)
        return any(e["action"] == "acknowledge" for e in journal(room))

    wait_for(answered, "dara's answer in the journal", dara.page)
    (ack,) = [e for e in journal(room) if e["action"] == "acknowledge"]
    assert ack["seat"] == "dara"  # journaled as dara's, from her own browser
    wait_for(
        lambda: coordinator.shows("Dara Walsh answered page 1"),
        "the answer on the coordinator's screen",
        coordinator.page,
    )

    dara.frames.clear()
    dara.page.reload()
    wait_for(lambda: dara.shows("Incidents"), "dara's console after the reload", dara.page)
    assert dara.shows("your seat: player: dara")
    assert len(list(room.folder.parent.iterdir())) == 1  # the reload started no second drill
    assert [e["seat"] for e in journal(room)] == ["coordinator", "coordinator", "dara"]
