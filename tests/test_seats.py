"""Seats at a drill: every action journaled with the seat that took it, and refused before the journal
when the seat may not take it; the room noticing an incident first; suggested ratings.

The tutorial, seed TUTORIAL_SEED, with two player seats: chen (a person) and dara (a person). The
cot-monitor detects the incident at T+14m26s and its first level pages the safety engineers' rotation
(drill_helpers says Dara); see drill_helpers.TUTORIAL_SEED.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from drill_helpers import TUTORIAL, TUTORIAL_SEED, FakeTime, start

from drillsim import facts as T
from drillsim.drill.journal import JournalError
from drillsim.drill.seats import SeatKind
from drillsim.drill.session import DrillError, DrillSession
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text


def first_page(session: DrillSession, fake: FakeTime) -> None:
    while not session.open_pages():
        fake.seconds += 5
        session.tick()


def journal(session: DrillSession) -> list[dict[str, object]]:
    return [json.loads(line) for line in session.journal.path.read_text().splitlines()[1:]]


def test_a_seat_per_player_entry_and_the_header_keeps_them(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake, players=("chen", "dara"))
    assert {s.id: s.kind for s in session.seats.values()} == {
        "coordinator": SeatKind.COORDINATOR,
        "chen": SeatKind.PLAYER,
        "dara": SeatKind.PLAYER,
        "evaluator": SeatKind.EVALUATOR,
        "observer": SeatKind.OBSERVER,
    }
    assert session.seats["chen"].people == {"chen"} and session.players == {"chen", "dara"}
    header = json.loads(session.journal.path.read_text().splitlines()[0])
    assert header["seats"] == {"chen": ["chen"], "dara": ["dara"]}
    session.close()


def test_players_answer_their_own_pages_only_and_refusals_are_not_journaled(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake, players=("chen", "dara"))
    first_page(session, fake)
    (page,) = session.open_pages()
    other = "chen" if page.person == "dara" else "dara"
    with pytest.raises(DrillError, match=f"is for {page.person}, not for seat {other}"):
        session.act_as(other, "acknowledge", {"page": page.id})
    for seat in (other, "evaluator", "observer"):
        with pytest.raises(DrillError, match="cannot pause"):
            session.act_as(seat, "pause", {})
    with pytest.raises(DrillError, match="the observer seat cannot observe"):
        session.act_as("observer", "observe", {"text": "hm"})
    assert journal(session) == []
    entry = session.act_as(page.person, "acknowledge", {"page": page.id})
    session.act_as("evaluator", "observe", {"text": "Fast answer", "objective": None})
    assert [(e["action"], e["seat"]) for e in journal(session)] == [
        ("acknowledge", page.person),
        ("observe", "evaluator"),
    ]
    assert entry.seat == page.person and not session.open_pages()
    session.close()


def test_resume_restores_the_seats_and_who_took_each_action(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake, players=("chen", "dara"))
    first_page(session, fake)
    page = session.open_pages()[0]
    session.act_as(page.person, "acknowledge", {"page": page.id})
    session.close()
    resumed = DrillSession.resume(session.folder)
    assert resumed.seats == session.seats
    assert [(e.action, e.seat) for e in resumed.journal.entries] == [("acknowledge", page.person)]
    assert [r.as_dict() for r in resumed.records] == [r.as_dict() for r in session.records]
    resumed.close()


def test_a_journal_from_before_seats_resumes_with_one_player_seat(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    first_page(session, fake)
    session.acknowledge(session.open_pages()[0].id)
    session.close()
    path = session.journal.path
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    del header["seats"]
    entries = [{k: v for k, v in json.loads(line).items() if k != "seat"} for line in lines[1:]]
    path.write_text("\n".join(json.dumps(x) for x in [header, *entries]) + "\n")
    resumed = DrillSession.resume(session.folder)
    assert resumed.seats["players"].people == {"chen", "dara"}
    assert [e.seat for e in resumed.journal.entries] == ["coordinator"]
    resumed.close()


def test_players_cannot_be_named_like_a_seat(tmp_path: Path) -> None:
    with pytest.raises(DrillError, match="'observer' names a seat of its own"):
        start(tmp_path, FakeTime(), players=("observer",))


def test_the_room_can_notice_an_incident_before_any_source(tmp_path: Path) -> None:
    """The cot-monitor would detect the incident at T+14m26s; the coordinator marks it at T+5m: it is
    detected then, by "the room", its first level pages at once, and the replay agrees."""
    fake = FakeTime()
    session = start(tmp_path, fake)
    fake.seconds = 5.0  # the drill runs at 60: a scenario minute a second
    session.tick()
    assert session.now == pytest.approx(5.0)
    (incident,) = session.world.incidents
    session.detect(incident.number)
    detected = [r for r in session.records if r.kind is T.DETECTED]
    assert [(r.time, r.subject) for r in detected] == [(pytest.approx(5.0), "the room")]
    assert session.live_metrics()[0].values["time_to_detect"] == pytest.approx(5.0 - incident_time(session))
    with pytest.raises(DrillError, match="already detected"):
        session.detect(incident.number)
    with pytest.raises(DrillError, match="no incident #7"):
        session.detect(7)
    fake.seconds = 40.0
    session.tick()
    assert [r.subject for r in session.records if r.kind is T.DETECTED] == [
        "the room"
    ]  # the monitor is too late
    session.close()
    resumed = DrillSession.resume(session.folder)
    resumed.world.run(session.now)
    assert [r.as_dict() for r in resumed.records] == [r.as_dict() for r in session.records]
    resumed.close()


def incident_time(session: DrillSession) -> float:
    return next(r.time for r in session.records if r.kind is T.OCCURRED)


def test_the_evaluator_suggests_ratings_and_only_the_coordinator_rates(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    session.end()
    session.act_as("evaluator", "suggest", {"objective": "ack-15m", "rating": "S"})
    with pytest.raises(DrillError, match="the evaluator seat cannot rate"):
        session.act_as("evaluator", "rate", {"objective": "ack-15m", "rating": "S"})
    session.act("rate", objective="ack-15m", rating="M")
    assert [(e["action"], e["seat"]) for e in journal(session)] == [
        ("end", "coordinator"),
        ("suggest", "evaluator"),
        ("rate", "coordinator"),
    ]
    session.close()


def test_an_unknown_seat_is_refused(tmp_path: Path) -> None:
    session = DrillSession.start(
        load_scenario(TUTORIAL),
        snapshot_text(TUTORIAL),
        players=["chen"],
        speed=60,
        seed=TUTORIAL_SEED,
        results=tmp_path,
        time_source=FakeTime(),
    )
    with pytest.raises(DrillError, match="no seat 'dara'"):
        session.act_as("dara", "pause", {})
    session.close()
    with pytest.raises(JournalError):
        DrillSession.resume(tmp_path / "nowhere")
