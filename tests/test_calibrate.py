"""`drillsim calibrate`: from drills it recovers known distributions (synthetic drill journals) and keeps
pages the room did not answer as censored; from incident history (PagerDuty, CSV) it writes overrides
and a report, reports people it cannot match, and refuses bad input naming file and place, writing
nothing. The statistics are tested in test_calibration_fit.py, the readers in
test_calibration_history.py."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from history_helpers import NOTIFY_ENTRY, synthetic_history, write_pagerduty
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.calibration.calibrate import calibrate
from drillsim.calibration.fitting import REACHED, Sample, fit
from drillsim.cli import app
from drillsim.drill.calibrate import drill_history
from drillsim.drill.session import DrillSession
from drillsim.scenario.distributions import Z95
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.overrides import load_with_overrides
from drillsim.scenario.snapshot import snapshot_text

TUTORIAL = SCENARIOS / "tutorial.yaml"
ACK_MEDIAN, ACK_P95 = 4.0, 16.0  # minutes: what the synthetic room does


def synthetic_drills(tmp_path: Path, count: int) -> list[Path]:
    """Drills in which the players answer every page after a lognormal delay (median 4m, p95 16m)
    and finish every task after 20–40 minutes."""
    rng = np.random.default_rng(2026)
    sigma = math.log(ACK_P95 / ACK_MEDIAN) / Z95
    folders = []
    for drill in range(count):
        fake = [0.0]
        session = DrillSession.start(
            load_scenario(TUTORIAL),
            snapshot_text(TUTORIAL),
            players=["safety-engineer"],
            speed=60,
            seed=drill,
            results=tmp_path,
            time_source=lambda fake=fake: fake[0],  # type: ignore[misc]
        )
        answer_at: dict[int, float] = {}
        finish_at: dict[int, float] = {}
        while fake[0] < 400:
            fake[0] += 0.05
            session.tick()
            for page in session.open_pages():
                answer_at.setdefault(page.id, page.at + rng.lognormal(math.log(ACK_MEDIAN), sigma))
                if answer_at[page.id] <= session.now:
                    session.acknowledge(page.id)
            for task in session.open_tasks():
                finish_at.setdefault(task.id, task.started + rng.uniform(20, 40))
                if finish_at[task.id] <= session.now:
                    session.complete(task.id)
        session.end()
        session.close()
        folders.append(session.folder)
    return folders


def test_an_uncensored_fit_is_the_closed_form_lognormal_drill_calibration_always_used() -> None:
    """Without censoring the likelihood is the plain lognormal's: its maximum is the mean and the
    standard deviation (n denominator) of the logs, as drill calibration computed it before."""
    rng = np.random.default_rng(1)
    values = rng.lognormal(math.log(5.0), math.log(30 / 5) / Z95, 4000)
    found = fit(Sample.build(values, [True] * len(values)))
    assert found is not None
    logs = np.log(values)
    assert found.estimate.mu == pytest.approx(logs.mean(), abs=1e-6)
    assert found.estimate.sigma == pytest.approx(logs.std(), rel=1e-5)
    assert found.estimate.median == pytest.approx(5.0, rel=0.05) and found.estimate.p95 == pytest.approx(
        30.0, rel=0.08
    )
    assert fit(Sample.build([3.0], [True])) is None  # one answer fixes no spread: no fit


def test_calibration_recovers_the_rooms_acknowledgement_delays(tmp_path: Path) -> None:
    folders = synthetic_drills(tmp_path, 8)
    scenario = load_scenario(TUTORIAL)
    history, durations = drill_history(folders, scenario.organisation)
    assert {page.duty for page in history.pages} == {REACHED}  # players are in the room: reached
    result = calibrate(scenario, [history], durations, samples=0)
    role = next(g for g in result.hierarchy.groups if g.label == "role safety-engineer")
    assert role.sample.answers >= 10
    assert role.estimate is not None and role.intervals is not None
    assert role.estimate.median == pytest.approx(ACK_MEDIAN, rel=0.35)
    assert role.estimate.p95 == pytest.approx(ACK_P95, rel=0.6)
    assert {"people.chen.ack_delay", "people.dara.ack_delay"} <= set(result.overrides)
    # drills say nothing about reachability: the players were in the room
    assert not any(key.endswith(".reachability") for key in result.overrides)
    # roles nobody in the room played have no observations and keep their assumption
    assert not any(g.label == "role ceo" for g in result.hierarchy.groups)
    assert "people.ada.ack_delay" not in result.overrides
    triage = next(t for t in result.tasks if t.task == "triage")
    assert triage.fit is not None and 20 <= triage.fit.estimate.median <= 40


def test_pages_the_room_did_not_answer_are_censored_not_dropped(tmp_path: Path) -> None:
    """In the tutorial drill with TUTORIAL_SEED nobody in the room answers; Fay (simulated) acknowledges
    level 3 at T+40m10s. The players' pages stay in the calibration as censored when Fay answered, and
    the drill's tasks still running at its end are censored at the end."""
    from drill_helpers import FakeTime, start

    fake = FakeTime()
    session = start(tmp_path, fake)
    while fake.seconds < 90:
        fake.seconds += 5
        session.tick()
    session.end()
    session.close()
    history, durations = drill_history([session.folder], load_scenario(TUTORIAL).organisation)
    assert history.pages and not any(page.answered for page in history.pages)
    replayed = DrillSession.resume(session.folder)
    sent = {page.id: page for page in replayed.cast.pages}
    replayed.close()
    fay = 40 + 10 / 60
    level_pages = 0
    for page in history.pages:
        number = int(page.where.split(": page ")[1].split()[0])
        if sent[number].why.kind == "level":
            level_pages += 1
            assert sent[number].at + page.minutes == pytest.approx(fay, abs=1 / 60)  # when Fay answered
    assert level_pages >= 1
    assert all(not sample.answered.all() for sample in durations.values())  # still running at the end


def test_calibrate_command_writes_overrides_that_simulate_accepts(tmp_path: Path) -> None:
    folders = synthetic_drills(tmp_path, 4)
    out = tmp_path / "calibrated.yaml"
    runner = CliRunner()
    args = ["calibrate", str(TUTORIAL), "--out", str(out), "-n", "20", "--workers", "1", "--bootstrap", "0"]
    for folder in folders:
        args += ["--drills", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Readiness with the scenario's assumptions" in result.stdout
    calibrated = load_with_overrides(TUTORIAL, [], (out,))
    engineer = next(
        p for p, person in calibrated.organisation.people.items() if "safety-engineer" in person.roles
    )
    assert calibrated.organisation.people[engineer].ack_delay.wrapper_key == "lognormal"
    assert "# drillsim calibrate: fitted from 4 recorded drill(s)" in out.read_text()
    assert (tmp_path / "calibrated.md").is_file() and (tmp_path / "calibrated.html").is_file()


def test_calibrate_without_drills_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["calibrate", str(TUTORIAL), "--db", str(tmp_path / "empty.db")])
    assert result.exit_code == 2 and "no recorded drill" in result.stderr


def test_overrides_go_beside_the_results_unless_named_and_a_bad_place_is_explained(tmp_path: Path) -> None:
    from drillsim.calibration.overrides import overrides_path, write_overrides
    from drillsim.fsutil import WriteError

    scenario = load_scenario(TUTORIAL)
    assert overrides_path(tmp_path, scenario) == tmp_path / f"{scenario.id}.calibrated.yaml"
    target = tmp_path / "new" / "folder" / "calibrated.yaml"
    overrides = {
        "people.ana.ack_delay": {"lognormal": {"median": "4m", "p95": "16m"}},
        "people.ana.reachability": {"on_duty": 0.93, "off_duty": 0.41},
    }
    write_overrides(target, overrides, scenario, "3 recorded drill(s)")
    assert target.read_text().endswith(
        "people.ana.ack_delay: {lognormal: {median: 4m, p95: 16m}}\n"
        "people.ana.reachability: {on_duty: 0.93, off_duty: 0.41}\n"
    )
    (tmp_path / "a-file").write_text("")
    with pytest.raises(WriteError, match=r"a-file/calibrated.yaml: cannot be written: "):
        write_overrides(tmp_path / "a-file" / "calibrated.yaml", overrides, scenario, "3 drills")


def test_out_must_name_a_yaml_file_since_the_report_goes_beside_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["calibrate", str(TUTORIAL), "--out", str(tmp_path / "x.md"), "--drills", str(tmp_path)]
    )
    assert result.exit_code == 2 and "name a .yaml file" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- incident histories through the command ------------------------------------------------------


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


HEADER = "incident,person,paged_at,acknowledged_at,escalated_at,resolved_at\n"


def test_calibrate_learns_from_pagerduty_and_writes_overrides_and_a_report(tmp_path: Path) -> None:
    write_pagerduty(synthetic_history(11, 150), tmp_path / "pd")
    out = tmp_path / "out" / "kestrel.yaml"
    code, stdout, stderr = invoke(
        "calibrate", str(TUTORIAL), "--pagerduty", str(tmp_path / "pd"), "--out", str(out),
        "-n", "10", "--workers", "1", "--bootstrap", "19",
    )  # fmt: skip
    assert code == 0, stderr
    assert "Acknowledgement delay" in stdout and "Reachability" in stdout and "Goodness of fit" in stdout
    assert "Readiness with the scenario's assumptions" in stdout
    calibrated = load_with_overrides(TUTORIAL, [], (out,))
    assert calibrated.organisation.people["chen"].ack_delay is not None
    assert calibrated.organisation.people["ben"].reachability is not None
    markdown, page = out.with_suffix(".md"), out.with_suffix(".html")
    assert "## Goodness of fit" in markdown.read_text() and "## Reachability" in markdown.read_text()
    assert page.read_text().count("<svg") >= 2 and "http" not in page.read_text().split("<svg", 1)[0]


def test_people_the_scenario_does_not_know_are_reported_with_file_and_path(
    in_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "calibrated.yaml"
    code, stdout, stderr = invoke(
        "calibrate", "scenarios/tutorial.yaml", "--pagerduty", "tests/history/pagerduty",
        "--history-csv", "tests/history/csv/pages.csv", "--out", str(out), "--bootstrap", "0",
    )  # fmt: skip
    assert code == 0, stderr
    flat = " ".join(stderr.split())
    assert (
        "PGONE99 (Former Employee) is none of the scenario's people: 1 page(s) left out (first at "
        "tests/history/pagerduty/log-entries-page-2.json: $.log_entries[5])" in flat
    )
    assert (
        "zoe is none of the scenario's people: 1 page(s) left out (first at "
        "tests/history/csv/pages.csv: row 6)" in flat
    )
    assert "fewer than 5" in stdout and "nothing was written" in stdout
    assert not tmp_path.joinpath("calibrated.yaml").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", '{"log_entries": [', r"bad.json:1:18: not JSON: Expecting value"),
        ("list.json", "[1, 2]", r"list.json: not a PagerDuty response \(expected an object with 'incidents'"),
        (
            "local.json",
            json.dumps({"log_entries": [{**NOTIFY_ENTRY, "created_at": "2026-03-02T10:00:05"}]}),
            r"local.json: \$.log_entries\[0\].created_at: '2026-03-02T10:00:05' has no UTC offset",
        ),
        (
            "nouser.json",
            json.dumps({"log_entries": [{**NOTIFY_ENTRY, "user": None}]}),
            r"nouser.json: \$.log_entries\[0\].user: expected the user notified",
        ),
        (
            "noincident.json",
            json.dumps({"log_entries": [{k: v for k, v in NOTIFY_ENTRY.items() if k != "incident"}]}),
            r"noincident.json: \$.log_entries\[0\].incident: expected a reference to its incident",
        ),
        ("columns.csv", "incident,pager,paged_at\n", r"columns.csv: row 1: unknown column 'pager'"),
        ("missing.csv", "incident,person\n", r"missing.csv: row 1: no column paged_at"),
        (
            "offset.csv",
            HEADER + "I1,chen,2026-03-02 10:00,,2026-03-02T10:05:00Z,\n",
            r"offset.csv: row 2, paged_at: '2026-03-02 10:00' has no UTC offset",
        ),
        (
            "early.csv",
            HEADER + "I1,chen,2026-03-02T10:00:00Z,2026-03-02T09:59:00Z,,\n",
            r"early.csv: row 2: acknowledged_at 2026-03-02T09:59:00Z is before paged_at 2026-03-02T10:00:00Z",
        ),
        ("fields.csv", HEADER + "I1,chen,2026-03-02T10:00:00Z,,,\nI2,dara\n", r"fields.csv: row 3: 2 fields"),
        ("quote.csv", HEADER + 'I1,"chen,2026-03-02T10:00:00Z,,,\n', r"quote.csv: row \d+: not CSV"),
        ("open.csv", HEADER + "I1,chen,2026-03-02T10:00:00Z,,,\n", r"open.csv: row 2: the page never ends"),
        (
            "clash.csv",
            HEADER + "I1,chen,2026-03-02T10:00:00Z,,,2026-03-02T11:00Z\nI1,dara,2026-03-02T10:00:00Z,,,"
            "2026-03-02T12:00Z\n",
            r"clash.csv: row 3: resolved_at differs from row 2 of the same incident 'I1'",
        ),
    ],
)
def test_bad_input_is_refused_naming_file_and_place_and_nothing_is_written(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    source = tmp_path / "in" / name
    source.parent.mkdir()
    source.write_text(text)
    out = tmp_path / "out" / "calibrated.yaml"
    option = "--pagerduty" if name.endswith(".json") else "--history-csv"
    code, _, stderr = invoke("calibrate", str(TUTORIAL), option, str(source), "--out", str(out))
    assert code == 2
    assert re.search(message, " ".join(stderr.split())), stderr
    assert not out.parent.exists()


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    code, _, stderr = invoke("calibrate", str(TUTORIAL), "--pagerduty", str(tmp_path), "--bootstrap", "0")
    assert code == 2 and "no .json files in this folder" in stderr
