"""One drill, many seats: consoles joined to a room served in another process act on the one drill,
see what its journal says, and come back to it after the room is killed and resumed.

The room is ``drillsim drill --serve`` of the tutorial with chen and dara as players (seed
TUTORIAL_SEED: the first page goes to dara at T+14m26s); the consoles are JoinedRoom clients, each
keeping a replica of the drill from what the room sends.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from room_helpers import ServedRoom, join, serve_room, until
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.drill.session import DrillSession
from drillsim.room.client import JoinedRoom, RoomError, SeatLink
from drillsim.store import HistoryStore


def on_disk(room: ServedRoom) -> list[dict[str, Any]]:
    """The room's journal entries, read from its file."""
    lines = (room.folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


def records(session: DrillSession) -> list[tuple[object, ...]]:
    return [(r.time, r.incident, r.kind, r.who, r.subject, str(r.reason)) for r in session.records]


def entries(session: DrillSession) -> list[dict[str, Any]]:
    return [e.as_dict() for e in session.journal.entries]


async def skip_to_a_page(coordinator: JoinedRoom, player: JoinedRoom) -> None:
    """Skip until ``player`` has a page open: a skip stops at an inject or at the first page to a
    player, whichever comes first (the tutorial's inject #2 at T+12m, then dara's page)."""
    for _ in range(3):
        journaled = len(player.session.journal.entries)
        assert await coordinator.act("skip", {}) is None
        await until(lambda n=journaled: len(player.session.journal.entries) > n, "the skip at the player's")
        if player.session.open_pages():
            return
    await until(lambda: bool(player.session.open_pages()), f"{player.seat.id}'s page")


@pytest.fixture
def room(tmp_path: Path) -> Any:
    served = serve_room(tmp_path)
    yield served
    served.stop()


def test_every_seat_acts_on_the_one_drill_and_every_view_agrees_with_the_journal(room: ServedRoom) -> None:
    async def scenario() -> None:
        seats = {s: await join(room, s) for s in ("coordinator", "chen", "dara", "evaluator", "observer")}
        coordinator, chen, dara = seats["coordinator"][0], seats["chen"][0], seats["dara"][0]
        evaluator, observer = seats["evaluator"][0], seats["observer"][0]
        await skip_to_a_page(coordinator, dara)
        (page,) = dara.session.open_pages()
        skipped_to = on_disk(room)[-1]["args"]["to"]
        assert page.person == "dara" and skipped_to == pytest.approx(page.at)  # the skip stopped at her page

        refused = await chen.act("acknowledge", {"page": page.id})
        assert refused == f"page {page.id} is for dara, not for seat chen"
        assert await observer.act("pause", {}) == "the observer seat cannot pause"
        assert await evaluator.act("end", {}) == "the evaluator seat cannot end"
        assert await dara.act("acknowledge", {"page": page.id}) is None
        assert await evaluator.act("observe", {"text": "Dara answered at once", "objective": None}) is None
        assert await coordinator.act("pause", {}) is None

        journal = on_disk(room)
        assert [(e["seat"], e["action"]) for e in journal] == [
            ("coordinator", "skip"),
            ("coordinator", "skip"),
            ("dara", "acknowledge"),
            ("evaluator", "observe"),
            ("coordinator", "pause"),
        ]  # the refusals were never journaled
        late, late_listening = await join(room, "observer")  # a console joining now catches up
        consoles = [joined for joined, _ in seats.values()] + [late]
        await until(lambda: all(len(c.session.journal.entries) == 5 for c in consoles), "every entry")
        await until(lambda: len({c.session.now for c in consoles}) == 1, "one paused clock")
        for console in consoles:
            assert entries(console.session) == journal
            assert records(console.session) == records(coordinator.session)
            assert all(p.id != page.id for p in console.session.open_pages())
        assert any(r.kind == "acknowledged" and r.who == "dara" for r in coordinator.session.records)
        for joined, listening in [*seats.values(), (late, late_listening)]:
            listening.cancel()
            await joined.close()

    asyncio.run(scenario())


def test_a_killed_room_resumes_record_for_record_and_the_seats_rejoin(room: ServedRoom) -> None:
    async def before_the_kill() -> tuple[list[dict[str, Any]], list[tuple[object, ...]]]:
        coordinator, listening = await join(room, "coordinator")
        dara, dara_listening = await join(room, "dara")
        await skip_to_a_page(coordinator, dara)
        assert await dara.act("acknowledge", {"page": dara.session.open_pages()[0].id}) is None
        assert await coordinator.act("skip", {}) is None
        assert await coordinator.act("pause", {}) is None
        await until(lambda: dara.session.clock.paused, "the pause to reach dara")
        shown = entries(dara.session), records(dara.session)
        room.process.kill()  # no goodbye: the journal is all that is left
        with pytest.raises(RoomError, match="closed"):
            await asyncio.wait_for(dara_listening, 20)
        listening.cancel()
        await coordinator.close()
        await dara.close()
        return shown

    shown_entries, shown_records = asyncio.run(before_the_kill())
    room.process.wait(20)
    assert on_disk(room) == shown_entries  # what dara's screen showed as done is on disk

    resumed = serve_room(room.cwd, "--resume", room.drill)
    try:
        assert resumed.drill == room.drill and resumed.links.keys() == room.links.keys()

        async def after() -> None:
            dara, listening = await join(resumed, "dara")
            assert entries(dara.session) == shown_entries
            assert records(dara.session) == shown_records
            listening.cancel()
            await dara.close()

        asyncio.run(after())
    finally:
        resumed.stop()
    assert len(list((room.cwd / "results" / "drills").iterdir())) == 1  # never a second drill


def test_finishing_the_hot_wash_writes_every_result_before_the_room_answers(
    room: ServedRoom, history_in_tmp: Path
) -> None:
    async def scenario() -> list[str]:
        coordinator, listening = await join(room, "coordinator")
        evaluator, evaluator_listening = await join(room, "evaluator")
        finished: list[list[str]] = []
        evaluator.on_finished = finished.append
        assert await coordinator.act("end", {}) is None
        assert (
            await evaluator.finish({})
            == "only the coordinator finishes the hot wash (this is the evaluator seat)"
        )
        assert await coordinator.finish({"ack-10m": "U"}) is None
        await until(lambda: bool(finished), "the finished message")
        for task in (listening, evaluator_listening):
            task.cancel()
        await coordinator.close()
        await evaluator.close()
        return finished[0]

    files = asyncio.run(scenario())
    room.process.kill()  # at once: everything must already be on disk
    room.process.wait(20)
    assert files == ["hotwash.json", "summary.json", "report.md", "report.html"]
    for name in files:
        assert (room.folder / name).stat().st_size > 0
    hotwash = json.loads((room.folder / "hotwash.json").read_text())
    assert {o["id"]: o["rating"] for o in hotwash["objectives"]}["ack-10m"] == "U"
    with HistoryStore(history_in_tmp, create=False) as history:
        assert history.last_drill("tutorial") is not None


def test_a_seat_link_that_is_not_one_or_a_room_that_is_gone_is_a_clear_error(tmp_path: Path) -> None:
    for link, message in [
        ("http://127.0.0.1:9/drills/x", "not a seat's link"),
        ("http://127.0.0.1:9/seat/chen/", "cannot reach the drill room"),
    ]:
        result = CliRunner().invoke(app, ["join", link])
        assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_an_unknown_seat_is_refused_by_the_room(room: ServedRoom) -> None:
    link = SeatLink.parse(str(room.links["chen"]).replace("/seat/chen/", "/seat/zoe/"))
    with pytest.raises(RoomError, match="this drill has no seat 'zoe'"):
        asyncio.run(JoinedRoom.connect(link))


def test_players_naming_nobody_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["drill", "scenarios/tutorial.yaml", "--players", " , "])
    assert result.exit_code == 2 and "--players names nobody" in result.stderr


def test_join_explains_itself() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "drillsim", "join", "--help"], capture_output=True, text=True, check=True
    )
    assert "seat's link" in result.stdout and "drillsim drill --serve" in result.stdout


def test_a_browsers_console_that_cannot_join_says_why_on_its_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    from drillsim.room.seatlinks import SECRET_ENV
    from drillsim.tui.app import ProblemApp

    shown: list[str] = []
    monkeypatch.setattr(ProblemApp, "run", lambda self: shown.append(self.problem))
    monkeypatch.setenv(SECRET_ENV, "the-room-started-this-console")  # as the room starts a browser's console
    result = CliRunner().invoke(app, ["join", "http://127.0.0.1:9/seat/chen/"])
    assert result.exit_code == 2 and len(shown) == 1 and "cannot reach the drill room" in shown[0]


def test_the_problem_screen_shows_the_reason_until_closed() -> None:
    from drillsim.tui.app import ProblemApp

    async def scenario() -> None:
        problem = ProblemApp("Cannot join the drill room", "the room refused seat 'zoe': no such seat")
        async with problem.run_test() as pilot:
            texts = [str(w.render()) for w in problem.screen.query("Static")]
            assert any("no such seat" in t for t in texts)
            await pilot.press("q")
        assert problem.return_code == 0

    asyncio.run(scenario())
