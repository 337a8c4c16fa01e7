"""Improvement plans followed to closure: items from drills' AARs and accepted recommendations kept in
the history, updated and closed, listed overdue first; and readiness before and after a change of a
scenario's contents, called a regression only when an interval says so."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from drill_helpers import FakeTime, play, start
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim import plans
from drillsim.cli import app
from drillsim.drill.hotwash import hotwash_rows
from drillsim.drill.session import DrillSession
from drillsim.plans import ADVISE, DONE, IN_PROGRESS, MANUAL, OPEN, PlanEntry, PlanError, PlanItem
from drillsim.report.aar import improvement_plan, owner_of
from drillsim.room.room import Room
from drillsim.store import MIGRATIONS, SCHEMA_VERSION, HistoryStore, NoSuchPlanItem
from drillsim.trend import IMPROVEMENT, NOT_SIGNIFICANT, REGRESSION, WITHIN_NOISE, version_changes
from drillsim.workspace import Workspace

runner = CliRunner()
TODAY = dt.date(2027, 2, 1)
AT = "2027-01-01T09:00:00+00:00"


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Plans read the date from plans.today() alone: fixed here at TODAY."""
    monkeypatch.setattr(plans, "today", lambda: TODAY)
    return TODAY


def items_of(db: Path) -> list[PlanItem]:
    """Every item of the history, closed ones too, in the order they were recorded."""
    with HistoryStore(db, create=False) as store:
        return store.plan_items(closed=True)


# --- the store ----------------------------------------------------------------------------------


def test_an_older_database_is_migrated_in_place_keeping_every_row(tmp_path: Path) -> None:
    """A history written before plan items existed (schema 1) gains the table; every run and objective
    stays exactly as it was."""
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.executemany(
        "INSERT INTO runs (kind, scenario, scenario_sha256, organisation, seed, replications, at, folder,"
        " readiness, readiness_low, readiness_high, rating) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            ("simulation", "tutorial", "a" * 64, "kestrel-labs", 7, 200, "2026-11-01T10:00:00+00:00",
             "results/r1", 65.2, 61.2, 69.3, "M"),
            ("drill", "tutorial", "b" * 64, "kestrel-labs", 52985, 1, "2026-11-02T10:00:00+00:00",
             "results/drills/d1", 33.3, None, None, "U"),
        ],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO objectives VALUES (?,?,?,?,?,?,?,?)",
        [
            (1, "ack-10m", "time_to_acknowledge", 10.0, 0.7, 0.6, 0.8, "M"),
            (2, "ack-10m", "x", 10.0, 0, 0, 0, "U"),
        ],
    )
    db.commit()
    before = {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in ("runs", "objectives")}
    db.close()

    with HistoryStore(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        for table, rows in before.items():
            assert store.db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() == rows
        assert store.plan_items(closed=True) == []
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r.scenario_sha256 for r in store.runs()] == ["a" * 64, "b" * 64]


def test_items_are_updated_and_closed_keeping_their_story(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.db") as store:
        (item,) = store.add_plan_items(
            "tutorial",
            "kestrel-labs",
            MANUAL,
            None,
            [PlanEntry(None, "Slow pager", "Fix it", None, None)],
            at=AT,
        )
        assert (item.status, item.created, item.updated, item.closed, item.notes) == (OPEN, AT, AT, None, "")
        moved = store.update_plan_item(
            f"#{item.id}", at="2027-01-02T10:00:00+00:00", status="in-progress", owner="Ben", due="2027-01-20"
        )
        assert (moved.status, moved.owner, moved.due, moved.closed) == (
            IN_PROGRESS,
            "Ben",
            "2027-01-20",
            None,
        )
        assert (
            moved.notes
            == "2027-01-02 10:00 UTC: status open → in progress; owner — → Ben; due — → 2027-01-20"
        )
        done = store.update_plan_item(item.id, at="2027-01-03T10:00:00+00:00", status=DONE, note="rota fixed")
        assert (done.status, done.closed, done.updated) == (DONE, "2027-01-03T10:00:00+00:00", done.closed)
        assert done.notes.splitlines()[1] == "2027-01-03 10:00 UTC: status in progress → done: rota fixed"
        with pytest.raises(PlanError, match="already done since 2027-01-03: nothing changed"):
            store.update_plan_item(item.id, at="2027-01-04T10:00:00+00:00", status="done")
        reopened = store.update_plan_item(item.id, at="2027-01-05T10:00:00+00:00", status="open")
        assert (reopened.status, reopened.closed, len(reopened.notes.splitlines())) == (OPEN, None, 3)
        assert reopened.owner == "Ben" and reopened.issue == "Slow pager"  # nothing else moved
        for bad in ({"status": "finished"}, {"due": "next week"}):
            with pytest.raises(PlanError):
                store.update_plan_item(item.id, at=AT, **bad)
        with pytest.raises(NoSuchPlanItem, match=rf"no plan item '4{item.id}'.*items still to do: {item.id}"):
            store.plan_item(f"4{item.id}")
        with pytest.raises(NoSuchPlanItem, match=r"did you mean 1\?"):
            store.plan_item("#1x")  # not a number: the ids containing what was typed


def test_overdue_is_counted_from_today_and_comes_first() -> None:
    def item(number: int, due: str | None, status: str = OPEN) -> PlanItem:
        closed = AT if status in (DONE, plans.DROPPED) else None
        return PlanItem(
            number, "s", None, MANUAL, None, None, "i", "a", None, due, status, AT, AT, closed, ""
        )

    late, later, soon, undated = (
        item(1, "2027-01-30"),
        item(2, "2027-01-05", IN_PROGRESS),
        item(3, "2027-03-01"),
        item(4, None),
    )
    closed, due_today = item(5, "2026-12-01", DONE), item(6, TODAY.isoformat())
    assert [i.days_overdue(TODAY) for i in (late, later, soon, undated, closed, due_today)] == [
        2,
        27,
        0,
        0,
        0,
        0,
    ]
    order = plans.listing_order([closed, undated, soon, late, due_today, later], TODAY)
    assert [i.id for i in order] == [2, 1, 6, 3, 4, 5]  # most overdue first; closed last
    assert plans.due_date("30d", TODAY) == "2027-03-03" and plans.due_date("2w", TODAY) == "2027-02-15"
    assert plans.status_of("In_Progress") == IN_PROGRESS
    with pytest.raises(PlanError, match="expected YYYY-MM-DD"):
        plans.due_date("31/01/2027", TODAY)


# --- items from a drill's AAR --------------------------------------------------------------------


def finished_drill(tmp_path: Path) -> tuple[DrillSession, Room, Path, list[dict[str, object]]]:
    """The tutorial drill played and finished through its room with ack-10m rated M (contain-1h is
    suggested M), and two observations: one on notify-48h, one on no objective."""
    fake = FakeTime()
    session = start(tmp_path, fake)
    play(session, fake, until=200, task_minutes=30)
    session.observe("Counsel was not reachable by phone", "notify-48h")
    session.observe("Nobody knew where the kill-switch runbook was")
    rows = hotwash_rows(session, simulated=20)
    db = tmp_path / "h.db"
    room = Room(session, Workspace(db, root=tmp_path))
    room.finish({"ack-10m": "M"}, rows)
    return session, room, db, rows


def test_a_finished_drill_records_its_improvement_plan_as_the_aar_prints_it(tmp_path: Path) -> None:
    session, room, db, _ = finished_drill(tmp_path)
    room.close()
    folder = session.folder
    hotwash = json.loads((folder / "hotwash.json").read_text(encoding="utf-8"))
    held = dt.datetime.fromisoformat(hotwash["started"].replace("Z", "+00:00"))
    due = (held + dt.timedelta(days=30)).date().isoformat()
    items = items_of(db)
    assert [i.key for i in items] == [
        "objective:ack-10m",
        "objective:contain-1h",
        "observation:200.0:Counsel was not reachable by phone",
        "observation:200.0:Nobody knew where the kill-switch runbook was",
    ]
    assert {(i.source, i.origin, i.scenario, i.organisation, i.status, i.due) for i in items} == {
        ("aar", folder.name, "tutorial", "kestrel-labs", OPEN, due)
    }
    assert [i.owner for i in items] == [
        owner_of(session.scenario, "ack-10m"),  # escalation policy all-incidents
        owner_of(session.scenario, "contain-1h"),  # deployment
        None,
        None,
    ]
    # the AAR's table and the history hold the same rows, from the same function
    assert [(i.issue, i.action, i.owner, i.due) for i in items] == [
        (e.issue, e.action, e.owner, e.due) for e in improvement_plan(folder, session.scenario, hotwash)
    ]
    plan_table = (folder / "report.md").read_text(encoding="utf-8").split("## Improvement plan")[1]
    for i in items:
        assert f"| {i.issue} | {i.action} | {i.owner or '(assign)'} | {due} |" in plan_table
    # the drill's own items are in its plan, not again among the items carried from earlier exercises
    assert "Open improvement items from earlier exercises" not in plan_table


def test_finishing_the_hot_wash_again_adds_nothing_and_keeps_what_people_changed(tmp_path: Path) -> None:
    _, room, db, rows = finished_drill(tmp_path)
    first = items_of(db)
    room.finish({"ack-10m": "M"}, rows)  # the same AAR again
    assert items_of(db) == first
    contain = next(i for i in first if i.key == "objective:contain-1h")
    with HistoryStore(db) as store:
        store.update_plan_item(contain.id, at=AT, status="in progress", note="runbook being rewritten")
    room.finish({"ack-10m": "P", "contain-1h": "P"}, rows)  # rated again: neither objective is weak now
    room.close()
    after = {i.key: i for i in items_of(db)}
    assert "objective:ack-10m" not in after  # untouched, and no longer in the AAR: it followed the AAR
    assert after["objective:contain-1h"].status == IN_PROGRESS  # someone took it on: it stays
    assert [i.id for i in after.values() if i.key.startswith("observation")] == [
        i.id for i in first if i.key and i.key.startswith("observation")
    ]
    with HistoryStore(db) as store:
        assert len(store.runs()) == 1  # one record of the drill, the latest


def test_the_reports_list_the_scenarios_open_items(tmp_path: Path, today: dt.date) -> None:
    session, room, db, _ = finished_drill(tmp_path)
    room.close()
    ours = items_of(db)
    earlier_entry = PlanEntry(
        "objective:ack-10m", "Pages missed at night", "Add a second on-call", "ben", "2027-03-01"
    )
    with HistoryStore(db) as store:  # due dates fixed around TODAY (the AAR's follow the day the test runs)
        for item, due in zip(ours, ("2027-01-01", None, "2027-02-20", "2027-02-25"), strict=True):
            store.update_plan_item(item.id, at=AT, due=due, status="done" if due is None else None)
        (earlier,) = store.add_plan_items(
            "tutorial", "kestrel-labs", "aar", "20260101T000000Z-tutorial", [earlier_entry], at=AT
        )
    result = runner.invoke(
        app, ["simulate", str(SCENARIOS / "tutorial.yaml"), "-n", "20", "--workers", "1",
              "--out", str(tmp_path / "run"), "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    readiness = (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
    section = readiness.split("## Open improvement items")[1].split("\n## ")[0]
    assert "4 items still to do, 1 overdue on 2027-02-01" in section
    listed = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ")][1:]
    assert listed == [str(ours[0].id), str(ours[2].id), str(ours[3].id), str(earlier.id)]  # overdue first
    assert "| 31 days |" in section and "ben" in section and f"AAR of drill {session.folder.name}" in section
    # the AAR, written again: the items carried from the earlier exercise, not the drill's own
    result = runner.invoke(app, ["report", str(session.folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    aar = (session.folder / "report.md").read_text(encoding="utf-8")
    carried = aar.split("## Open improvement items from earlier exercises")[1].split("\n## ")[0]
    assert "Add a second on-call" in carried and "Counsel was not reachable" not in carried


# --- the command line ---------------------------------------------------------------------------


def planned_history(tmp_path: Path) -> Path:
    """A history with one run of the tutorial and five items of it, from every source."""
    db = tmp_path / "h.db"
    workspace = Workspace(db)
    (tmp_path / "run").mkdir()
    summary = {"scenario": "tutorial", "seed": 0, "replications": 10, "readiness": {}, "objectives": []}
    workspace.record("simulation", tmp_path / "run", summary, "kestrel-labs")
    entries = [
        PlanEntry(
            "objective:ack-10m", "ack-10m missed", "Shorten level 1", "escalation policy all", "2027-01-05"
        ),
        PlanEntry(
            "objective:contain-1h", "contain-1h missed", "Rehearse the halt", "deployment", "2027-01-30"
        ),
        PlanEntry("observation:5:x", "Runbook not found", "Link it from the page", None, "2027-03-01"),
        PlanEntry("observation:9:y", "Ticket template missing", "Write one", None, None),
    ]
    workspace.record_plan_items("tutorial", "kestrel-labs", "aar", "20261201T100000Z-tutorial", entries)
    with HistoryStore(db) as store:
        store.update_plan_item(4, at=AT, status="dropped", note="template exists")
    return db


def test_history_plan_lists_open_items_overdue_first(tmp_path: Path, today: dt.date) -> None:
    db = planned_history(tmp_path)
    shown = runner.invoke(app, ["history", "--plan", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    assert "Improvement plan: 3 items still to do, 2 overdue on 2027-02-01; 1 done or dropped" in out
    assert out.index("27 days") < out.index("2 days") < out.index("Runbook not found")
    assert "Ticket template missing" not in out and "drillsim plan close ID" in out
    listed = json.loads(runner.invoke(app, ["history", "--plan", "--json", "--db", str(db)]).stdout)
    assert listed["today"] == "2027-02-01"
    assert [(i["id"], i["days_overdue"], i["status"]) for i in listed["items"]] == [
        (1, 27, OPEN),
        (2, 2, OPEN),
        (3, 0, OPEN),
    ]
    everything = json.loads(
        runner.invoke(app, ["history", "--plan", "--all", "--json", "--db", str(db)]).stdout
    )
    assert [i["id"] for i in everything["items"]] == [1, 2, 3, 4]
    assert everything["items"][3]["notes"].endswith("status open → dropped: template exists")
    other = runner.invoke(app, ["history", "--plan", "--scenario", "tuto", "--db", str(db)])
    assert other.exit_code == 0 and "did you mean tutorial" in other.stdout


def test_plan_commands_change_items_and_refuse_bad_input_with_exit_2(tmp_path: Path, today: dt.date) -> None:
    db = planned_history(tmp_path)
    closed = runner.invoke(app, ["plan", "close", "1", "--note", "timeout now 3m", "--db", str(db)])
    assert closed.exit_code == 0, closed.output
    assert "item 1 (tutorial), " in closed.stdout and "status open → done: timeout now 3m" in closed.stdout
    moved = runner.invoke(
        app, ["plan", "update", "2", "--status", "in-progress", "--owner", "Eli", "--due", "2w", "--json",
              "--db", str(db)],
    )  # fmt: skip
    assert moved.exit_code == 0, moved.output
    item = json.loads(moved.stdout)
    assert (item["status"], item["owner"], item["due"], item["days_overdue"]) == (
        IN_PROGRESS,
        "Eli",
        "2027-02-15",
        0,
    )
    added = runner.invoke(
        app, ["plan", "add", "--scenario", "tutorial", "--issue", "Pager app outage unnoticed",
              "--action", "Alert on delivery failures", "--due", "30d", "--json", "--db", str(db)],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    new = json.loads(added.stdout)
    assert (new["source"], new["origin"], new["organisation"], new["due"]) == (
        MANUAL,
        None,
        "kestrel-labs",
        "2027-03-03",
    )
    bad = {
        ("plan", "close", "12"): "no plan item '12'",
        ("plan", "close", "1"): "already done since",
        ("plan", "update", "2"): "nothing to change",
        ("plan", "update", "2", "--due", "soon"): "due date 'soon'",
        ("plan", "update", "2", "--status", "finished"): "finished",
        ("plan", "add", "--scenario", "tuto", "--issue", "i", "--action", "a"): "did you mean tutorial",
        ("history", "--plan", "--versions", "--scenario", "tutorial"): "do not go together",
        ("history", "--all"): "--all goes with --plan",
        ("history", "--versions"): "name the scenario with --scenario",
    }
    for args, message in bad.items():
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output, (args, result.stderr)
    suggested = runner.invoke(app, ["plan", "close", "12", "--db", str(db)])
    assert "items still to do: 2, 3, 5" in suggested.stderr  # 1 is done and 4 dropped: not suggested
    missing = runner.invoke(app, ["plan", "close", "1", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no history database" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_accepted_recommendations_are_recorded_once(tmp_path: Path) -> None:
    """The API `drillsim advise` records accepted recommendations with."""
    workspace = Workspace(tmp_path / "h.db")
    entry = PlanEntry(
        "set:escalation.all-incidents.levels[0].timeout=3m",
        "ack-10m met in 64% of simulated incidents",
        "drillsim simulate scenarios/tutorial.yaml --set escalation.all-incidents.levels[0].timeout=3m",
        "head-of-safety",
        "2027-03-01",
    )
    first = workspace.record_plan_items("tutorial", "kestrel-labs", ADVISE, "advise-20270110T0900Z", [entry])
    again = workspace.record_plan_items("tutorial", "kestrel-labs", ADVISE, "advise-20270110T0900Z", [entry])
    assert first == again and len(items_of(tmp_path / "h.db")) == 1
    assert first[0].source_text == "advise advise-20270110T0900Z"
    with pytest.raises(PlanError, match="source 'guess'"):
        workspace.record_plan_items("tutorial", None, "guess", None, [entry])


# --- scenario versions --------------------------------------------------------------------------


def versions(tmp_path: Path) -> dict[str, Path]:
    """Four contents of a small scenario, each worse or the same as the one before: the tutorial with
    Chen on call this week (v1); Chen removed from the rotation, so Dara in New York is (v2); the first
    escalation level waiting 8 minutes instead of 5 (v3); v3 with only a comment changed (v4)."""
    text = (SCENARIOS / "tutorial.yaml").read_text(encoding="utf-8").replace("[chen, dara]", "[dara, chen]")
    fewer = text.replace("members: [dara, chen]", "members: [dara]")
    slower = fewer.replace("        - timeout: 5m\n", "        - timeout: 8m\n", 1)
    contents = {
        "v1": text,
        "v2": fewer,
        "v3": slower,
        "v4": slower.replace("# TUTORIAL", "# TUTORIAL (read)", 1),
    }
    assert len(set(contents.values())) == 4
    files = {}
    for name, content in contents.items():
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(content, encoding="utf-8")
    return files


def test_a_change_of_contents_is_a_regression_only_when_an_interval_says_so(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    for name, path in versions(tmp_path).items():
        result = runner.invoke(
            app, ["simulate", str(path), "-n", "100", "--seed", "7", "--workers", "1",
                  "--out", str(tmp_path / name), "--db", str(db)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["history", "--json", "--db", str(db)]).stdout)
    changes = listed["versions"]
    assert [(c["before"]["version"], c["after"]["version"]) for c in changes] == [(1, 2), (2, 3), (3, 4)]
    # unpaired, 100 replications each: every change is within the two runs' intervals
    assert [c["verdict"] for c in changes] == [WITHIN_NOISE] * 3
    snapshots = [tmp_path / name / "scenario.yaml" for name in ("v1", "v2")]
    assert changes[0]["compare"] == f"drillsim compare {snapshots[0]} {snapshots[1]} --seed 7 -n 100"
    shown = runner.invoke(app, ["history", "--scenario", "tutorial", "--db", str(db)])
    assert shown.exit_code == 0 and "Scenario versions" in shown.stdout
    assert "within noise" in shown.stdout and "drillsim compare" in shown.stdout
    assert "│ regression" not in shown.stdout  # no change is called a regression without an interval

    paired = runner.invoke(
        app, ["history", "--scenario", "tutorial", "--versions", "--json", "--db", str(db)]
    )
    assert paired.exit_code == 0, paired.output
    rows = [c["paired"] for c in json.loads(paired.stdout)["versions"]]
    assert [r["verdict"] for r in rows] == [REGRESSION, REGRESSION, NOT_SIGNIFICANT]
    assert rows[0]["ci95"][1] < 0 and rows[1]["ci95"][1] < 0  # both intervals exclude zero, below it
    assert rows[2]["difference"] == 0 and rows[2]["ci95"] == [0, 0]  # a comment changes nothing
    for row, change in zip(rows, changes, strict=True):  # same seed and count: the recorded scores again
        assert (row["base"], row["variant"]) == (change["before"]["readiness"], change["after"]["readiness"])
    text = runner.invoke(app, ["history", "--scenario", "tutorial", "--versions", "--db", str(db)])
    assert text.exit_code == 0 and text.stdout.count("regression") == 2 + 1  # two rows, and the note

    report = (tmp_path / "v4" / "report.md").read_text(encoding="utf-8")
    section = report.split("## Scenario versions")[1].split("\n## ")[0]
    assert section.count("| within noise |") == 3 and section.count("drillsim compare") == 3

    (tmp_path / "v1" / "scenario.yaml").unlink()  # a run folder cleaned away: that change cannot be paired
    lost = runner.invoke(app, ["history", "--scenario", "tutorial", "--versions", "--json", "--db", str(db)])
    assert lost.exit_code == 0
    first = json.loads(lost.stdout)["versions"][0]["paired"]
    assert "no scenario.yaml here" in first["not_run"]


def test_unpaired_runs_call_a_change_only_beyond_both_intervals() -> None:
    from drillsim.store import Run

    def run(sha: str, score: float, half: float, kind: str = "simulation") -> Run:
        return Run(
            kind, "s", "2027-01-01", f"r-{sha}", score, score - half, score + half, "M", 100, 7, sha * 64
        )

    runs = [
        run("a", 70.0, 2.0),
        run("a", 71.0, 2.0),  # same contents: not a change of version
        run("b", 60.0, 2.0),  # 11 below, beyond √(2² + 2²)
        run("c", 20.0, 0.0, kind="drill"),  # drills are not compared
        run("b", 61.0, 2.0),
        run("a", 63.0, 2.0),  # back to the first contents: within noise
        run("d", 75.0, 2.0),  # 12 above
    ]
    found = version_changes(runs)
    assert [(c.versions, c.verdict) for c in found] == [
        ((1, 2), REGRESSION),
        ((2, 1), WITHIN_NOISE),
        ((1, 3), IMPROVEMENT),
    ]
    assert found[0].before is runs[1] and found[0].after is runs[2]
