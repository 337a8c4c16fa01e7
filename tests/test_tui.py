"""The live drill console, driven with Textual's Pilot and a time source advanced by hand.

At speed 60 a wall second is a scenario minute, so ``advance(minutes)`` moves the fake time source
by that many seconds and waits for the console's own timer to pick it up (it is the only way time
moves). The tutorial scenario with TUTORIAL_SEED detects its incident at T+14m and pages Dara (a player).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from drill_helpers import TUTORIAL_SEED
from paths import SCENARIOS
from textual.pilot import Pilot

from drillsim import facts as T
from drillsim.drill.session import DrillSession
from drillsim.facts import PageReason, ReasonKind, Record
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text
from drillsim.tui.app import DrillApp, ScenarioPickerApp
from drillsim.tui.format import AMBER, RED, Names, Narrator, clock_status, elapsed_style, tplus
from drillsim.tui.screens.confirm import ConfirmModal
from drillsim.tui.screens.console import ACTIONS, ConsoleScreen
from drillsim.tui.screens.hotwash import HotWashScreen, HotWashTable, versus_simulation
from drillsim.tui.screens.observation import ObservationModal
from drillsim.tui.screens.picker import DrillChoice
from drillsim.tui.widgets.header import DrillHeader
from drillsim.tui.widgets.incidents import IncidentBoard
from drillsim.tui.widgets.msel import MselPanel
from drillsim.tui.widgets.pages import PagesTable
from drillsim.tui.widgets.tasks import TasksTable

SIZE = (120, 40)
WALL = dt.datetime(2026, 4, 7, 10, 30, tzinfo=dt.UTC)


class FakeTime:
    """A monotonic time source that moves only when told to."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


class FakeHotWash:
    """The hot-wash contract (drillsim.drill.hotwash), answering at once."""

    def hotwash_rows(self, session: DrillSession, simulated: Any = None) -> list[dict[str, Any]]:
        return [
            {
                "id": "ack-10m",
                "text": "The on-call engineer acknowledges within 10 minutes",
                "metric": "time_to_acknowledge",
                "target": 10.0,
                "live": 3.5,
                "met": True,
                "result": "met",
                "suggested": "P",
                "percentile": 20.0,
            },
            {
                "id": "contain-1h",
                "text": "The agent is halted within an hour of detection",
                "metric": "time_to_contain",
                "target": 60.0,
                "live": 70.0,
                "met": False,
                "result": "missed",
                "suggested": "S",
                "percentile": 80.0,
            },
            {
                "id": "notify-48h",
                "text": "The RAISE Act report is filed within 48 hours",
                "metric": "time_to_notify:ny-raise/safety-incident",
                "target": 2880.0,
                "live": None,
                "met": False,
                "result": "not reached",
                "suggested": "U",
                "percentile": None,
            },
        ]


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def tutorial_drill(tmp_path: Path, clock: FakeTime, players: list[str]) -> DrillSession:
    """The tutorial drill with seed TUTORIAL_SEED, ``players`` in the room, a minute a second."""
    path = SCENARIOS / "tutorial.yaml"
    return DrillSession.start(
        load_scenario(path),
        snapshot_text(path),
        players=players,
        speed=60,
        seed=TUTORIAL_SEED,
        results=tmp_path,
        time_source=clock,
    )


@pytest.fixture
def session(tmp_path: Path, clock: FakeTime) -> Iterator[DrillSession]:
    drill = tutorial_drill(tmp_path, clock, ["safety-engineer"])
    yield drill
    drill.close()


def pilot_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test in its own event loop (no pytest async plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def make_app(session: DrillSession, hotwash: Any = None) -> DrillApp:
    return DrillApp(session, hotwash=hotwash or FakeHotWash(), wall_clock=lambda: WALL, tick_seconds=0.02)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Let the app run until ``condition`` holds (its timer does the work)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the console never got there")


async def advance(pilot: Pilot[Any], clock: FakeTime, session: DrillSession, minutes: float) -> None:
    target = session.now + minutes
    clock.seconds += minutes * 60 / session.clock.speed
    await until(
        pilot,
        lambda: (
            session.now >= target - 1e-9
            and pilot.app.screen.query_one(DrillHeader)._shown
            and pilot.app.screen.query_one(DrillHeader)._shown[0] == tplus(session.now, seconds=True)
        ),
    )
    await pilot.pause()


def journal_lines(session: DrillSession) -> list[dict[str, Any]]:
    return [json.loads(line) for line in session.journal.path.read_text(encoding="utf-8").splitlines()[1:]]


def notes(app: Any) -> list[tuple[str, str]]:
    """(severity, message) of every notification shown so far (they arrive as messages: wait with
    ``until``)."""
    return [(n.severity, n.message) for n in app._notifications]


def header_text(app: DrillApp) -> str:
    header = app.screen.query_one(DrillHeader)
    return str(header.query_one("#header-clock").render())


# --- plain words ------------------------------------------------------------------------------------


def test_tplus_reads_like_a_coordinator() -> None:
    assert tplus(0) == "T+0m"
    assert tplus(14.2) == "T+14m"
    assert tplus(65) == "T+1h05m"
    assert tplus(65.5, seconds=True) == "T+1h05m30s"
    assert tplus(60 * 24 + 130) == "T+1d02h10m"


def test_records_in_plain_words(session: DrillSession) -> None:
    narrator = Narrator(Names(session.scenario, session.players))
    assert narrator.sentence(Record(14, 0, T.DETECTED, None, "cot-monitor"))[0] == "#0 detected (cot-monitor)"
    level_2 = PageReason(ReasonKind.LEVEL, 2)
    assert narrator.sentence(Record(19, 0, T.ESCALATED, reason=level_2))[0] == "#0 escalated to level 2"
    halt_2 = PageReason(ReasonKind.AUTHORITY, 2, authority="halt")
    assert (
        narrator.sentence(Record(19, 0, T.ESCALATED, reason=halt_2))[0] == "#0: decision halt goes to step 2"
    )
    assert narrator.sentence(Record(20, 0, T.ACKNOWLEDGED, "ben"))[0] == "Ben Marsh acknowledged #0 (level 2)"
    assert narrator.sentence(Record(20, 0, T.TASK_READY, None, "triage")) is None


def test_colours_follow_targets_and_deadlines() -> None:
    assert elapsed_style(7.0, 10.0) == ""
    assert elapsed_style(7.5, 10.0) == AMBER
    assert elapsed_style(10.0, 10.0) == RED
    assert elapsed_style(30.0, None) == ""
    row = {"deadline": 100.0, "left": 5.0, "notified": None}
    assert clock_status(row, 0.0, 95.0) == ("5m", RED)  # under 10% of the 100 minutes
    assert clock_status({**row, "left": 50.0}, 0.0, 50.0)[1] == ""
    assert clock_status({**row, "left": -30.0}, 0.0, 130.0) == ("MISSED 30m ago", RED)
    assert clock_status({**row, "notified": 80.0}, 0.0, 90.0) == ("notified T+1h20m", "green")
    assert versus_simulation(20.0) == "faster than 80%"
    assert versus_simulation(75.0) == "slower than 75%"


# --- the console ------------------------------------------------------------------------------------


@pilot_test
async def test_advancing_time_makes_pages_appear(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        pages = app.screen.query_one(PagesTable)
        assert pages.row_count == 0
        assert "T+0m00s" in header_text(app)
        await advance(pilot, clock, session, 20)
        assert "T+20m00s" in header_text(app)
        assert pages.row_count == 1
        assert pages.selected_page() == 1
        assert "Dara Walsh" in str(pages.get_row_at(0)[0])
        board = app.screen.query_one(IncidentBoard)
        assert "paging L2" in str(board.get_row_at(0)[2])  # level 1 (Dara) timed out at 19m


@pilot_test
async def test_acknowledge_is_journaled_before_the_screen_changes(
    session: DrillSession, clock: FakeTime
) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 20)
        pages = app.screen.query_one(PagesTable)
        seen: list[tuple[int, bool]] = []  # (rows shown, acknowledgement already in the journal file)
        original = pages.sync

        def spy(rows: Any) -> bool:
            rows = list(rows)
            on_disk = any(e["action"] == "acknowledge" for e in journal_lines(session))
            seen.append((len(rows), on_disk))
            return original(rows)

        pages.sync = spy  # type: ignore[method-assign]
        await pilot.press("a")
        await pilot.pause()
        assert pages.row_count == 0
        first_without_page = next(on_disk for rows, on_disk in seen if rows == 0)
        assert first_without_page, "the page left the screen before the journal had the acknowledgement"
        assert journal_lines(session)[-1]["action"] == "acknowledge"
        assert journal_lines(session)[-1]["args"] == {"page": 1}
        await advance(pilot, clock, session, 1)
        row = app.screen.query_one(IncidentBoard).get_row_at(0)
        assert str(row[2]) == "responding" and str(row[3]) == "Dara Walsh"


@pilot_test
async def test_repeated_pages_are_one_row(session: DrillSession, clock: FakeTime) -> None:
    """Nobody answers: the level pages go, then triage pages Chen and Dara in turn every 5 minutes;
    each player keeps one open page for the task however often it is repeated."""
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 60)
        pages = app.screen.query_one(PagesTable)
        open_pages = session.open_pages()
        assert sorted(p.person for p in open_pages) == ["chen", "dara"]
        assert pages.row_count == 2
        assert str(pages.get_row_at(0)[2]) == "1" and "task triage" in str(pages.get_row_at(0)[4])
        selected = pages.selected_page()
        assert selected in {p.id for p in open_pages}
        await pilot.press("a")
        await pilot.pause()
        assert journal_lines(session)[-1]["args"] == {"page": selected}


@pilot_test
async def test_complete_a_task(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 20)
        await pilot.press("a")
        await advance(pilot, clock, session, 1)
        tasks = app.screen.query_one(TasksTable)
        await until(pilot, lambda: tasks.row_count == 1)
        assert "triage" in str(tasks.get_row_at(0)[3])
        await pilot.press("c")
        await pilot.pause()
        # triage is done at once (even before the clock moves); the player may go straight on to the next task
        assert all("triage" not in str(tasks.get_row_at(i)[3]) for i in range(tasks.row_count))
        assert journal_lines(session)[-1]["action"] == "complete"


@pilot_test
async def test_space_pauses_the_clock(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 5)
        await pilot.press("space")
        await pilot.pause()
        assert session.clock.paused
        assert "PAUSED" in header_text(app)
        frozen = session.now
        clock.seconds += 600  # ten wall minutes pass in the room
        await pilot.pause(0.1)
        assert session.now == frozen
        assert "T+5m00s" in header_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert not session.clock.paused and "RUNNING" in header_text(app)
        await advance(pilot, clock, session, 2)
        assert session.now == pytest.approx(frozen + 2)
        assert [e["action"] for e in journal_lines(session)] == ["pause", "resume"]


@pilot_test
async def test_n_skips_to_the_next_inject(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert session.now == pytest.approx(12.0)  # inject 2 at 12m
        msel = app.screen.query_one(MselPanel)
        assert "#2" in str(msel.query_one("#msel-current").render())
        assert journal_lines(session)[-1] == {
            **journal_lines(session)[-1],
            "action": "skip",
            "args": {"to": 12.0},
        }
        # from here each n goes to the next inject, or stops at the first page to a player before it,
        # so that the room gets to answer it instead of the escalation timing out unseen
        stops = 0
        while upcoming := session.msel_view()[1]:
            pages = len(session.cast.pages)
            await pilot.press("n")
            await pilot.pause()
            if len(session.cast.pages) > pages:
                newest = session.cast.pages[-1]
                assert session.now == pytest.approx(newest.at) and newest.at <= upcoming[0]["at"]
                assert newest in session.open_pages()
                session.acknowledge(newest.id)
                stops += 1
            else:
                assert session.now == pytest.approx(upcoming[0]["at"])
        assert stops >= 1 and session.now == pytest.approx(24 * 60)
        times = [r.time for r in session.records]
        assert times == sorted(times)  # the event log stays in time order across skips
        await pilot.press("n")
        await pilot.pause()
        await until(pilot, lambda: ("warning", "No inject left to skip to.") in notes(app))


@pilot_test
async def test_faster_and_slower(session: DrillSession) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus")
        await pilot.pause()
        assert session.clock.speed == 120
        await pilot.press("minus", "minus")
        await pilot.pause()
        assert session.clock.speed == 30
        assert "×30" in header_text(app)
        assert [e["args"]["speed"] for e in journal_lines(session)] == [120, 60, 30]


@pilot_test
async def test_observation_attaches_to_the_current_time(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 15)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ObservationModal)
        app.screen.query_one("#observe-objective").value = "ack-10m"
        app.screen.query_one("#observe-text").value = "Dara saw the page at "
        await pilot.press(*"once")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        entry = journal_lines(session)[-1]
        assert entry["action"] == "observe"
        assert entry["args"] == {"text": "Dara saw the page at once", "objective": "ack-10m"}
        assert entry["time"] == pytest.approx(15.0)


@pilot_test
async def test_e_asks_then_opens_the_hot_wash(session: DrillSession, clock: FakeTime) -> None:
    hotwash = FakeHotWash()
    app = make_app(session, hotwash)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 20)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen) and not session.ended
        await pilot.press("e", "y")
        await pilot.pause()
        assert session.ended
        assert isinstance(app.screen, HotWashScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(HotWashTable)
        assert table.row_count == 3
        assert str(table.get_row_at(0)[6]).startswith("P  performed without challenges")
        await pilot.press("s")  # the evaluators think ack-10m had some challenges
        await pilot.pause()
        assert str(table.get_row_at(0)[6]).startswith("S")
        assert journal_lines(session)[-1]["args"] == {"objective": "ack-10m", "rating": "S"}
        await pilot.press("f")
        await pilot.pause()
        # finishing writes everything at once: the hot wash, the summary and the after-action report
        written = json.loads((session.folder / "hotwash.json").read_text())
        assert {r["id"]: r["rating"] for r in written["objectives"]} == {
            "ack-10m": "S",
            "contain-1h": "S",
            "notify-48h": "U",
        }
        assert (session.folder / "summary.json").is_file() and (session.folder / "report.html").is_file()
        assert str(session.folder) in str(app.screen.query_one("#hotwash-result").render())


@pilot_test
async def test_invalid_actions_notify_and_do_not_crash(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "a")  # nothing to complete, nothing to acknowledge
        await pilot.pause()
        await until(pilot, lambda: ("warning", "No task in progress to complete.") in notes(app))
        await until(pilot, lambda: ("warning", "No open page to acknowledge.") in notes(app))
        await advance(pilot, clock, session, 20)
        session.end()  # ended elsewhere (say, the lead's script): the page is still on screen
        await pilot.press("a")
        await pilot.pause()
        await until(pilot, lambda: ("error", "the drill has ended") in notes(app))
        assert app.is_running and isinstance(app.screen, ConsoleScreen)
        assert [e["action"] for e in journal_lines(session)] == ["end"]


@pilot_test
async def test_elapsed_turns_amber_then_red_against_the_tightest_target(
    session: DrillSession, clock: FakeTime
) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        board = app.screen.query_one(IncidentBoard)
        await advance(pilot, clock, session, 20)  # detected at 14.3: 5.7 of ack-10m's 10 minutes
        assert board.get_row_at(0)[4].style == ""
        await advance(pilot, clock, session, 2.5)  # 8.2 ≥ 75%
        assert board.get_row_at(0)[4].style == AMBER
        await advance(pilot, clock, session, 3)  # 11.2 past the target
        assert board.get_row_at(0)[4].style == RED


@pilot_test
async def test_every_action_has_a_binding_id_and_a_palette_entry(session: DrillSession) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        ids = {b.id for b in ConsoleScreen.BINDINGS}  # type: ignore[union-attr]
        assert ids == {a.id for a in ACTIONS} | {"drill.next_table"} and None not in ids
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ACTIONS:  # the links are there when the room is served
            assert any(title.startswith(action.title) for title in titles) == (action.name != "links")
        app.set_keymap({"drill.skip": "k"})
        await pilot.press("k")
        await pilot.pause()
        assert session.now == pytest.approx(12.0)


@pilot_test
async def test_q_quits_saying_the_journal_is_on_disk(session: DrillSession) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app.goodbye is not None and str(session.journal.path) in app.goodbye


@pilot_test
async def test_real_hot_wash_writes_results(session: DrillSession, clock: FakeTime) -> None:
    pytest.importorskip("drillsim.drill.hotwash")
    from drillsim.drill import hotwash

    app = DrillApp(session, simulated=20, hotwash=hotwash, wall_clock=lambda: WALL, tick_seconds=0.02)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, session, 20)
        await pilot.press("a")
        await advance(pilot, clock, session, 10)
        await pilot.press("e", "y")
        await until(
            pilot, lambda: isinstance(app.screen, HotWashScreen) and app.screen.rows != [], timeout=20
        )
        await pilot.press("f")
        await pilot.pause()
        assert (session.folder / "hotwash.json").is_file()
        ratings = {
            row["id"]: row["rating"]
            for row in json.loads((session.folder / "hotwash.json").read_text())["objectives"]
        }
        assert ratings["ack-10m"] == "P"


@pilot_test
async def test_a_resumed_drill_opens_paused_with_its_history(session: DrillSession, clock: FakeTime) -> None:
    clock.seconds += 20
    session.tick()
    session.acknowledge(1)
    session.observe("Dara answered from the train", None)
    session.close()
    resumed = DrillSession.resume(session.folder, time_source=clock)
    app = make_app(resumed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "PAUSED" in header_text(app)
        log = "\n".join(line.text for line in app.screen.query_one("#log").lines)
        assert "Dara Walsh answered page 1 (#0 level 1)" in log
        assert "observation: Dara answered from the train" in log
        await pilot.press("space")  # the engine takes the answer in once the clock moves again
        await advance(pilot, clock, resumed, 1)
        log = "\n".join(line.text for line in app.screen.query_one("#log").lines)
        assert log.index("Dara Walsh answered page 1") < log.index("Dara Walsh acknowledged #0")
    resumed.close()


@pilot_test
async def test_the_horizon_is_announced(session: DrillSession, clock: FakeTime) -> None:
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        clock.seconds += session.model.horizon + 60  # speed 60: seconds are scenario minutes
        await until(pilot, lambda: "HORIZON" in header_text(app))
        assert session.now == session.model.horizon
        assert "HORIZON" in header_text(app)
        await until(pilot, lambda: any("horizon is reached" in message for _, message in notes(app)))


# --- the scenario picker ------------------------------------------------------------------------------


@pilot_test
async def test_picker_returns_the_choice(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Not a scenario\n", encoding="utf-8")
    app = ScenarioPickerApp([SCENARIOS / "tutorial.yaml", broken])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        players = app.screen.query_one("#picker-players")
        assert players.value == "safety"  # the on-call team, by default
        await pilot.press("down")  # the broken file says why it cannot be drilled
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "cannot be drilled" in str(app.screen.query_one("#picker-info").render())
        await pilot.press("up")
        await pilot.pause()
        players.value = "nobody-here"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await until(pilot, lambda: any(severity == "error" for severity, _ in notes(app)))
        assert app.is_running
        players.value = "safety, ben"
        app.screen.query_one("#picker-speed").value = "120"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.return_value == DrillChoice(SCENARIOS / "tutorial.yaml", ("safety", "ben"), 120.0)


# --- seats ------------------------------------------------------------------------------------------


def test_speed_reads_in_three_figures_at_most() -> None:
    from drillsim.tui.widgets.header import speed_words

    assert speed_words(80) == "1.33 min/s"
    assert speed_words(60) == "1 min/s"
    assert speed_words(14400) == "4 h/s"
    assert speed_words(1) == "real time"


def seated_app(session: DrillSession, seat: str) -> DrillApp:
    from drillsim.room.room import Room
    from drillsim.room.seated import AtTheRoom

    seated = AtTheRoom(Room(session, None), seat)
    return DrillApp(seated, hotwash=FakeHotWash(), wall_clock=lambda: WALL, tick_seconds=0.02)


@pytest.fixture
def two_players(tmp_path: Path, clock: FakeTime) -> Iterator[DrillSession]:
    drill = tutorial_drill(tmp_path, clock, ["chen", "dara"])
    yield drill
    drill.close()


@pytest.mark.parametrize("seat", ["dara", "chen"])
@pilot_test
async def test_a_players_console_shows_their_own_pages_and_what_was_released(
    two_players: DrillSession, clock: FakeTime, seat: str
) -> None:
    app = seated_app(two_players, seat)
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, two_players, 15)  # dara is paged at T+14m26s
        (page,) = two_players.open_pages()
        pages = app.screen.query_one(PagesTable)
        assert pages.row_count == (1 if seat == "dara" else 0)
        msel = app.screen.query_one(MselPanel)
        released, upcoming = two_players.msel_view()
        player_injects = [i for i in released if i["kind"] != "incident"]
        assert msel.table.row_count == len(player_injects) and upcoming  # nothing of the script ahead
        assert "next #" not in header_text(app)
        assert "read out" not in str(msel.current.render()).lower()
        visible = {key for key, b in app.screen.active_bindings.items() if b.binding.show and b.enabled}
        assert "a" in visible and not {"n", "e", "space", "o"} & visible
        await pilot.press("a")
        await pilot.pause()
    acknowledged = [e for e in journal_lines(two_players) if e["action"] == "acknowledge"]
    if seat == "dara":
        assert [(e["seat"], e["args"]["page"]) for e in acknowledged] == [("dara", page.id)]
    else:
        assert acknowledged == []  # chen has no page to answer (and may not answer dara's)


@pilot_test
async def test_an_observer_sees_everything_and_can_do_nothing(
    two_players: DrillSession, clock: FakeTime
) -> None:
    app = seated_app(two_players, "observer")
    async with app.run_test(size=SIZE) as pilot:
        await advance(pilot, clock, two_players, 15)
        assert app.screen.query_one(PagesTable).row_count == 1
        assert "next #" in header_text(app)
        visible = {key for key, b in app.screen.active_bindings.items() if b.binding.show and b.enabled}
        assert visible <= {"tab", "q"}
