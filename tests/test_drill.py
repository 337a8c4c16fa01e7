"""Live drills: the clock, the journal, players, resume by replay, a crash at any moment, the hot wash."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from drill_helpers import TUTORIAL_SEED, FakeTime, play, start
from paths import ROOT, SCENARIOS

from drillsim.drill.clock import DrillClock
from drillsim.drill.hotwash import finish, hotwash_rows, suggested_rating
from drillsim.drill.journal import Journal, JournalError, read_journal
from drillsim.drill.session import DrillError, DrillSession, players_of
from drillsim.scenario.loader import load_scenario

TUTORIAL = SCENARIOS / "tutorial.yaml"


def records(session: DrillSession) -> list[tuple[object, ...]]:
    return [(r.time, r.incident, r.kind, r.who, r.detail) for r in session.records]


def test_clock_runs_at_speed_pauses_and_jumps() -> None:
    fake = FakeTime()
    clock = DrillClock(speed=60, time_source=fake)
    fake.seconds = 30
    assert clock.now() == pytest.approx(30)  # 60× real time: 30 s → 30 scenario minutes
    clock.pause()
    fake.seconds = 100
    assert clock.now() == pytest.approx(30)
    clock.resume()
    fake.seconds = 110
    assert clock.now() == pytest.approx(40)
    clock.set_speed(6)
    fake.seconds = 120
    assert clock.now() == pytest.approx(41)
    clock.jump_to(90)
    assert clock.now() == pytest.approx(90)
    clock.jump_to(10)  # never backward
    assert clock.now() == pytest.approx(90)
    with pytest.raises(ValueError, match="above 0"):
        clock.set_speed(0)


def test_players_are_named_by_role_team_or_person() -> None:
    org = load_scenario(TUTORIAL).organisation
    assert players_of(org, ["safety-engineer"]) == frozenset(org.holders("safety-engineer"))
    team = next(iter(org.teams))
    assert players_of(org, [team]) == frozenset(org.members(team))
    with pytest.raises(
        DrillError, match=r"no person, role or team 'safety-enginer'.*did you mean 'safety-engineer'"
    ):
        players_of(org, ["safety-enginer"])


def test_bad_speed_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(DrillError, match="speed"):
        start(tmp_path, FakeTime(), speed=0)
    assert not (tmp_path / "drills").exists()


def test_each_action_is_on_disk_before_it_takes_effect(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    while not session.open_pages():
        fake.seconds += 1
        session.tick()
    page = session.open_pages()[0]
    session.acknowledge(page.id)
    header, entries, _ = read_journal(session.journal.path)
    assert header["players"] == sorted(session.players) and header["seed"] == TUTORIAL_SEED
    assert [(e.action, e.args) for e in entries] == [("acknowledge", {"page": page.id})]
    assert entries[0].time == pytest.approx(session.now)
    with pytest.raises(DrillError, match="not open"):
        session.acknowledge(page.id)  # already answered
    assert len(read_journal(session.journal.path)[1]) == 1  # a refused action is not journaled


def test_players_pages_escalate_on_their_own_when_the_room_is_slow(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    while not session.open_pages():
        fake.seconds += 1
        session.tick()
    first = session.open_pages()[0]
    fake.seconds += 60  # an hour of scenario time with nobody answering
    session.tick()
    assert any(r.kind == "escalated" for r in session.records)
    assert first.person in session.players


def test_resume_rebuilds_the_same_state(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    play(session, fake, until=200)
    session.observe("The IC asked for the logs twice", "contain-1h")
    session.close()
    resumed = DrillSession.resume(session.folder, time_source=fake)
    assert resumed.clock.paused and resumed.now == pytest.approx(session.journal.entries[-1].time)
    resumed.clock.jump_to(session.now)
    resumed.tick()
    assert records(resumed) == records(session)


def test_a_torn_last_line_is_recovered_and_a_damaged_middle_reported(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    play(session, fake, until=120)
    session.close()
    path = session.journal.path
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"seq": 99, "time": 1')  # a crash in the middle of a write
    resumed = DrillSession.resume(session.folder, time_source=fake)
    assert len(resumed.journal.entries) == len(session.journal.entries)
    assert path.read_bytes() == whole  # the torn tail is cut, nothing else changes
    resumed.close()
    lines = whole.split(b"\n")
    lines[2] = b"garbage"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(JournalError, match=r"journal.jsonl:3: damaged line"):
        DrillSession.resume(session.folder, time_source=fake)


def test_one_console_per_drill(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    with pytest.raises(JournalError, match="open in another console"):
        DrillSession.resume(session.folder, time_source=fake)
    session.close()
    DrillSession.resume(session.folder, time_source=fake).close()


def test_a_journal_entry_that_cannot_apply_is_reported_not_a_traceback(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    session.close()
    path = session.journal.path
    for bad in (
        '{"seq": 1, "time": 1.0, "action": "speed", "args": {"speed": 0}, "wall": "x"}',
        '{"seq": 1, "time": 1.0, "action": "acknowledge", "args": {}, "wall": "x"}',
        '{"seq": 1, "time": 1.0, "action": "dance", "args": {}, "wall": "x"}',
    ):
        header = path.read_text().splitlines()[0]
        path.write_text(header + "\n" + bad + "\n")
        with pytest.raises(JournalError, match=r"journal.jsonl:2: cannot be replayed"):
            DrillSession.resume(session.folder, time_source=fake)


def test_a_journal_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    Journal.create(path, {"scenario": "x"}).close()
    with pytest.raises(FileExistsError):
        Journal.create(path, {"scenario": "y"})


def test_resume_of_a_missing_drill_says_so(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no drill here"):
        DrillSession.resume(tmp_path / "nope")


@pytest.mark.parametrize(("live", "rating"), [(5.0, "P"), (10.0, "P"), (12.5, "S"), (12.6, "M"), (None, "U")])
def test_suggested_ratings(live: float | None, rating: str) -> None:
    assert suggested_rating(live, 10.0) == rating


def test_hot_wash_scores_the_drill_and_writes_results_beside_the_journal(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    play(session, fake, until=400)
    session.observe("Counsel was paged late", "notify-48h")
    rows = hotwash_rows(session, simulated=50)
    assert {r["id"] for r in rows} == set(session.scenario.objectives)
    assert all(r["percentile"] is None or 0 <= r["percentile"] <= 100 for r in rows)
    folder = finish(session, {rows[0]["id"]: "S"}, rows)
    hotwash = json.loads((folder / "hotwash.json").read_text())
    assert hotwash["objectives"][0]["rating"] == "S"
    assert hotwash["observations"] == [
        {
            "time": pytest.approx(session.journal.entries[-len(rows) - 2].time),
            "objective": "notify-48h",
            "text": "Counsel was paged late",
        }
    ]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["replications"] == 1 and summary["readiness"]["score"] is not None
    assert session.ended
    with pytest.raises(DrillError, match="ended"):
        session.pause()


# Where a kill lands, cycling over the drill's phases: (line the driver prints that opens the phase, how
# many such lines to wait for, at most, and the longest delay after it, in seconds). tests/drill_driver
# plays the flagship drill in about 1.5 s (most actions in the first 0.2 s) and its hot wash in 0.35 s.
KILL_PHASES = {"start": ("folder", 1, 0.25), "play": ("shown", 16, 1.5), "hot wash": ("hotwash", 1, 0.5)}


def run_until_killed(results: Path, phase: str, rng: random.Random) -> tuple[Path, list[str]]:
    """Start the drill driver, kill it (SIGKILL) at a random moment of ``phase``, and return its folder
    and every line it printed."""
    marker, most, delay = KILL_PHASES[phase]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "drill_driver" / "run_drill.py"), str(results)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    wanted = rng.randint(1, most)
    while sum(line.startswith(marker) for line in lines) < wanted:
        lines.append(process.stdout.readline())
        assert lines[-1], "the drill driver stopped on its own"
    time.sleep(rng.uniform(0.0, delay))
    process.send_signal(signal.SIGKILL)
    lines += process.stdout.read().splitlines()
    assert process.wait() == -signal.SIGKILL
    return Path(lines[0].split(" ", 1)[1].strip()), lines


@pytest.mark.parametrize(
    "kills", [pytest.param(3, id="ci"), pytest.param(50, id="soak", marks=pytest.mark.soak)]
)
def test_killing_a_drill_at_any_moment_loses_nothing_shown(tmp_path: Path, kills: int) -> None:
    """A real drill process killed with SIGKILL at random moments, cycling over its start, its play and
    its hot wash: every action it showed is in the journal, resuming rebuilds exactly the state it
    showed last, the hot wash's files are whole or absent, and the same journal always gives the
    same state."""
    from drill_driver.run_drill import digest

    rng = random.Random(7)
    for kill in range(kills):
        folder, lines = run_until_killed(
            tmp_path / f"run{kill}", list(KILL_PHASES)[kill % len(KILL_PHASES)], rng
        )
        last_count, last_digest = [line.split()[1:] for line in lines if line.startswith("shown")][-1]
        journal = read_journal(folder / "journal.jsonl")[1]
        assert len(journal) >= int(last_count)
        for name in ("summary.json", "hotwash.json"):
            if (folder / name).exists() or "written" in lines:
                json.loads((folder / name).read_text())
        resumed = DrillSession.resume(folder)
        first = records(resumed)
        if len(journal) == int(last_count):  # killed after showing its last action: same state as shown
            assert digest(resumed) == last_digest
        resumed.close()
        replayed = DrillSession.resume(folder)
        assert records(replayed) == first
        replayed.close()


def test_an_answer_given_while_paused_takes_effect_at_once(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    while not session.open_pages():
        fake.seconds += 1
        session.tick()
    session.pause()
    page = session.open_pages()[0]
    session.acknowledge(page.id)
    assert any(r.kind == "acknowledged" and r.who == page.person for r in session.records)
    assert session.open_tasks(), "the player's first task starts as soon as they acknowledge"


def test_a_player_paged_again_for_the_same_thing_keeps_one_open_page(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    fake.seconds = 90  # nobody answers for an hour and a half of scenario time
    session.tick()
    keys = [(p.person, p.incident, p.why) for p in session.open_pages()]
    assert len(keys) == len(set(keys))
    assert sum(1 for r in session.records if r.kind == "paged") > len(keys)  # the pages were repeated
