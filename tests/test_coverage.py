"""On-call coverage: the typical week of each escalation level, the load per person, and the
acknowledgement heatmap, against answers worked out by hand.

Dates: Mon 13 Apr 2026 is a Monday; Europe/London is on BST (UTC+1) from 29 Mar to 25 Oct 2026,
Asia/Tokyo is UTC+9 all year.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from engine_helpers import load_text
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.coverage import analyse_coverage, page_times
from drillsim.experiments.coverage import acknowledgement_heatmap
from drillsim.scenario.weekly import zone

runner = CliRunner()
WEEKDAYS = range(5)  # Monday to Friday
DAYTIME = range(8, 20)


def scenario(
    organisation: str,
    *,
    targets: str,
    start: str = "2026-04-13T00:00:00Z",
    horizon: str = "14d",
    timezone: str = "UTC",
    objectives: str = "",
) -> str:
    """A scenario whose organisation is ``organisation`` (YAML: people, teams, schedules; dedented)
    with one one-level policy paging ``targets``."""
    body = textwrap.indent(textwrap.dedent(organisation).strip(), "  ")
    return (
        f"id: cov\ntitle: Coverage\nstart: {start}\nhorizon: {horizon}\norganisation:\n  id: org\n"
        f"  name: Org\n  timezone: {timezone}\n{body}\n"
        f"  escalation:\n    only:\n      levels:\n        - {{timeout: 5m, targets: {targets}}}\n"
        "incidents:\n  inc:\n    title: Incident\n    risk_area: other\n    severity: sev2\n"
        "    detection: {sources: {mon: {probability: 0.5, delay: 10m}}}\n"
        "    playbook: {work: {role: responder, duration: 30m}}\n"
        "arrivals: [{incident: inc, rate: 1/d}]\n" + objectives
    )


BUSINESS_HOURS = """
teams: {ops: {name: Ops}}
people:
  ana: {name: Ana, teams: [ops], roles: [responder]}
schedules:
  office:
    layers:
      day:
        members: [ana]
        turn: 1w
        start: 2026-01-05T00:00
        restrictions: [{days: mon-fri, start: "09:00", end: "17:00"}]
"""


@pytest.mark.parametrize(
    ("start", "timezone"), [("2026-04-13T00:00:00Z", "UTC"), ("2026-03-23T00:00:00Z", "Europe/London")]
)
def test_a_business_hours_layer_leaves_128_hours_a_week_uncovered(
    tmp_path: Path, start: str, timezone: str
) -> None:
    """Mon–Fri 09:00–17:00 is 40 h of the week's 168: the other 128 are a gap, and not one hour of
    them is 'off duty' (nobody is paged at all). In London, the two weeks from 23 Mar hold the
    spring change (Sunday 29 Mar has no 01:00 hour): still 128 h a week, and every cell whole."""
    text = scenario(BUSINESS_HOURS, targets="[{schedule: office}]", start=start, timezone=timezone)
    report = analyse_coverage(load_text(tmp_path, text))
    (level,) = report.policies[0].levels
    assert level.gap_hours == pytest.approx(128.0) and level.off_duty_hours == 0.0
    for day in range(7):
        for hour in range(24):
            covered = day in WEEKDAYS and 9 <= hour < 17
            assert level.gap[day][hour] == (0.0 if covered else 1.0), (day, hour)
            assert level.off_duty[day][hour] == 0.0
    assert report.weeks == 2


def test_the_week_is_drawn_in_the_time_zone_asked(tmp_path: Path) -> None:
    """09:00–17:00 UTC is 18:00–02:00 in Tokyo: Monday's cover runs to 02:00 on Tuesday, Friday's to
    02:00 on Saturday, and Monday 00:00–02:00 Tokyo (Sunday night UTC) is a gap."""
    loaded = load_text(tmp_path, scenario(BUSINESS_HOURS, targets="[{schedule: office}]"))
    (level,) = analyse_coverage(loaded, "Asia/Tokyo").policies[0].levels
    covered = {(d, h) for d in WEEKDAYS for h in range(18, 24)} | {
        (d + 1, h) for d in WEEKDAYS for h in (0, 1)
    }
    assert {(d, h) for d in range(7) for h in range(24) if level.gap[d][h] == 0.0} == covered
    assert level.gap_hours == pytest.approx(128.0)


ROLE_IN_OFFICE_HOURS = """
teams: {ops: {name: Ops}}
people:
  ana: {name: Ana, teams: [ops], roles: [responder, lead], working_hours: {start: "09:00", end: "17:00"}}
  ben: {name: Ben, teams: [ops], roles: [responder, lead], working_hours: {start: "13:00", end: "21:30"}}
  cy: {name: Cy, teams: [ops], roles: [responder]}
"""


def test_a_role_target_is_off_duty_exactly_outside_its_holders_working_hours(tmp_path: Path) -> None:
    """Two leads, at work Mon–Fri 09:00–17:00 and 13:00–21:30: the role pages someone at every hour
    (never a gap), but only people off duty outside 09:00–21:30 on weekdays and all weekend:
    168 − 5 × 12.5 = 105.5 h a week, and half of each weekday's 21:00 hour."""
    report = analyse_coverage(load_text(tmp_path, scenario(ROLE_IN_OFFICE_HOURS, targets="[{role: lead}]")))
    (level,) = report.policies[0].levels
    assert level.gap_hours == 0.0 and level.off_duty_hours == pytest.approx(105.5)
    for day in range(7):
        for hour in range(24):
            at_work = day in WEEKDAYS and 9 <= hour < 21
            expected = 0.5 if day in WEEKDAYS and hour == 21 else 0.0 if at_work else 1.0
            assert level.off_duty[day][hour] == expected, (day, hour)
    with_cy = analyse_coverage(
        load_text(tmp_path, scenario(ROLE_IN_OFFICE_HOURS, targets="[{role: lead}, {person: cy}]"))
    )
    assert not with_cy.policies[0].levels[0].uncovered  # cy has no working hours: always on duty


TWO_PERSON_WEEKLY = """
teams:
  ops: {name: Ops, on_call: {members: [ana, ben], shift: 1w, start: "2026-01-05T09:00:00Z"}}
people:
  ana: {name: Ana, teams: [ops], roles: [responder]}
  ben: {name: Ben, teams: [ops], roles: [responder]}
  cy: {name: Cy, teams: [ops], roles: [responder]}
schedules:
  watch:
    layers:
      primary: {members: [ana, ben], turn: 1d, start: 2026-01-05T09:00}
      shadow: {members: [cy], turn: 1w, start: 2026-01-05T09:00, alongside: true}
"""


@pytest.mark.parametrize("horizon", ["5d", "14d", "3w"])
def test_a_two_person_weekly_rotation_is_84_hours_a_week_each_however_long_the_run(
    tmp_path: Path, horizon: str
) -> None:
    """Load is averaged over whole turns of each rotation, so a run of 5 days or 3 weeks gives the
    long-run 168 / 2 = 84 h each; the shadow layer's 168 h count apart, as shadow hours."""
    report = analyse_coverage(
        load_text(tmp_path, scenario(TWO_PERSON_WEEKLY, targets="[{on_call: ops}]", horizon=horizon))
    )
    load = {p.person: p for p in report.load}
    by_schedule = {p: {s.schedule: (s.on_call, s.shadow) for s in load[p].schedules} for p in load}
    assert by_schedule["ana"] == {"team:ops": (84.0, 0.0), "watch": (84.0, 0.0)}
    assert by_schedule["ben"] == by_schedule["ana"]
    assert load["ana"].on_call == 168.0 and load["ana"].shadow == 0.0
    assert by_schedule["cy"] == {"watch": (0.0, 168.0)}
    assert [p.person for p in report.load] == ["ana", "ben", "cy"]  # busiest first


def test_a_page_time_a_spring_change_skips_has_none(tmp_path: Path) -> None:
    """London's clocks go from 01:00 to 02:00 on Sun 29 Mar 2026: in the week from Mon 23 Mar there
    is no 01:30 that Sunday, and every other hour has its middle exactly once."""
    times = page_times(
        load_text(
            tmp_path, scenario(BUSINESS_HOURS, targets="[{schedule: office}]", start="2026-03-23T00:00:00Z")
        ).start,
        zone("Europe/London"),
    )
    assert times[6][1] is None
    assert sum(t is not None for row in times for t in row) == 167
    assert times[0][9] is not None and times[0][9].isoformat() == "2026-03-23T09:30:00+00:00"


DAY_SCHEDULE = """
teams: {ops: {name: Ops}}
defaults: {reachability: REACH, ack_delay: 1m}
people:
  ana: {name: Ana, teams: [ops], roles: [responder]}
schedules:
  day:
    layers:
      day:
        members: [ana]
        turn: 1w
        start: 2026-01-05T00:00
        restrictions: [{start: "08:00", end: "20:00"}]
"""


def heatmap_scenario(tmp_path: Path, reach: float) -> object:
    objective = (
        "objectives:\n  ack-2m: {text: Quick, metric: time_to_acknowledge, target: 2m}\n"
        "  slow: {text: Slow, metric: time_to_resolve, target: 1d}\n"
    )
    org = DAY_SCHEDULE.replace("REACH", str(reach))
    return load_text(tmp_path, scenario(org, targets="[{schedule: day}]", objectives=objective))


def test_a_page_is_acknowledged_by_day_and_never_in_the_nightly_gap(tmp_path: Path) -> None:
    """Ana is reached every time and answers in a minute, 08:00–20:00 every day; nobody is on call at
    night. Within the 5m timeout and the 2m objective: 100% by day, 0% at night."""
    data = acknowledgement_heatmap(heatmap_scenario(tmp_path, 1.0), seed=3, count=10)
    (policy,) = data["policies"]
    assert policy["policy"] == "only" and policy["incident"] == "inc"
    assert [(t["minutes"], t["first_level"], t["objectives"]) for t in policy["thresholds"]] == [
        (5.0, True, []),
        (2.0, False, ["ack-2m"]),
    ]
    for threshold in policy["thresholds"]:
        for day in range(7):
            for hour in range(24):
                expected = 1.0 if hour in DAYTIME else 0.0
                assert threshold["share"][day][hour] == expected, (day, hour)
        low, high = threshold["ci95"][0][12]
        assert low > 0.65 and high == 1.0  # Wilson for 10 of 10
    assert policy["paged_at"][0][8] == "2026-04-13T08:30:00Z"  # the middle of the hour, in the first week


def test_the_heatmap_pages_in_every_week_of_the_window_like_the_grid(tmp_path: Path) -> None:
    """A two-week run whose day layer ends after the first week (Monday 20 April 00:00): the heatmap
    pages each hour in both weeks, half the replications each, so a daytime hour is acknowledged in
    exactly half of them (every one in week 1, none in week 2) and night hours never; the grid's
    window is the same two weeks."""
    org = DAY_SCHEDULE.replace("REACH", "1").replace(
        "start: 2026-01-05T00:00", "start: 2026-01-05T00:00\n        end: 2026-04-20T00:00"
    )
    data = acknowledgement_heatmap(
        load_text(tmp_path, scenario(org, targets="[{schedule: day}]")), seed=3, count=10
    )
    assert data["weeks"] == 2
    share = data["policies"][0]["thresholds"][0]["share"]
    for day in range(7):
        for hour in range(24):
            assert share[day][hour] == (0.5 if hour in DAYTIME else 0.0), (day, hour)


def test_half_the_pages_reach_someone_reached_half_the_time(tmp_path: Path) -> None:
    """Reachability 0.5: each daytime hour's share has 0.5 inside its 95% interval; with common random
    numbers every daytime hour draws the same, so they all show the same share."""
    data = acknowledgement_heatmap(heatmap_scenario(tmp_path, 0.5), seed=11, count=80)
    first = data["policies"][0]["thresholds"][0]
    daytime = {first["share"][d][h] for d in range(7) for h in DAYTIME}
    assert len(daytime) == 1
    low, high = first["ci95"][2][10]
    assert low < 0.5 < high and 0.3 < daytime.pop() < 0.7


def test_the_heatmap_does_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    """30 replications travel in two chunks on a process pool, and come back the same."""
    loaded = heatmap_scenario(tmp_path, 0.5)
    serial = acknowledgement_heatmap(loaded, seed=5, count=30, workers=1)
    pooled = acknowledgement_heatmap(loaded, seed=5, count=30, workers=2)
    assert serial == pooled


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.exit_code, output


def test_structure_coverage_prints_grids_legend_and_load(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(scenario(BUSINESS_HOURS, targets="[{schedule: office}]"), encoding="utf-8")
    code, output = invoke("structure", path, "--coverage")
    assert code == 0, output
    assert "only level 1 (5m) → schedule office: pages nobody 128 h a week" in output
    assert "  Mon █████████········███████" in output
    assert "  Sat ████████████████████████" in output
    assert "nobody paged (a gap)" in output and "On-call load" in output and "Ana" in output


def test_structure_coverage_json_has_the_documented_shape(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        scenario(DAY_SCHEDULE.replace("REACH", "1"), targets="[{schedule: day}]"), encoding="utf-8"
    )
    code, output = invoke("structure", path, "--coverage", "--heatmap", "-n", "3", "--json", "--workers", "1")
    assert code == 0, output
    data = json.loads(output)
    assert set(data) == {
        "scenario",
        "organisation",
        "timezone",
        "window",
        "days",
        "policies",
        "load",
        "heatmap",
    }
    assert data["window"] == {"start": "2026-04-13T00:00:00Z", "end": "2026-04-27T00:00:00Z", "weeks": 2}
    (level,) = data["policies"][0]["levels"]
    assert level["gap_hours_per_week"] == 84.0 and level["targets"] == ["schedule day"]
    assert len(level["gap"]) == 7 and all(len(row) == 24 for row in level["gap"])
    assert data["load"][0] == {
        "person": "ana",
        "name": "Ana",
        "on_call_hours_per_week": 84.0,
        "shadow_hours_per_week": 0.0,
        "schedules": {"day": {"on_call": 84.0, "shadow": 0.0, "weeks": 2.0}},
    }
    heatmap = data["heatmap"]
    assert heatmap["replications"] == 3 and heatmap["timezone"] == "UTC"
    threshold = heatmap["policies"][0]["thresholds"][0]
    assert threshold["share"][0][12] == 1.0 and threshold["share"][0][2] == 0.0
    assert len(threshold["ci95"]) == 7 and len(threshold["ci95"][0][0]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coverage", "--timezone", "Mars/Olympus"], "--timezone 'Mars/Olympus' is not a time zone"),
        (["--coverage", "--timezone", "America"], "--timezone 'America' is not a time zone"),
        (["--heatmap"], "--heatmap and --timezone go with --coverage"),
        (["--coverage", "--mermaid"], "--coverage is a view of its own"),
    ],
)
def test_structure_coverage_refuses_bad_options_with_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(scenario(BUSINESS_HOURS, targets="[{schedule: office}]"), encoding="utf-8")
    code, output = invoke("structure", path, *args)
    assert code == 2 and message in output


def test_simulate_coverage_writes_coverage_json_and_the_report_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        scenario(DAY_SCHEDULE.replace("REACH", "1"), targets="[{schedule: day}]"), encoding="utf-8"
    )
    out = tmp_path / "run"
    code, output = invoke(
        "simulate", path, "-n", "3", "--workers", "1", "--no-history", "--out", out, "--coverage"
    )
    assert code == 0, output
    data = json.loads((out / "coverage.json").read_text(encoding="utf-8"))
    assert (
        data["heatmap"]["replications"] == 3 and data["policies"][0]["levels"][0]["gap_hours_per_week"] == 84
    )
    markdown = (out / "report.md").read_text(encoding="utf-8")
    section = markdown.split("## On-call coverage")[1]
    assert "In this scenario only serves inc." in section
    assert "The share of each hour of a typical week (UTC time) each escalation level pages nobody" in section
    assert "| only | 5m | Mon 00:00–08:00 | 0.0% | 0.0%–56.1% |" in section  # Wilson for 0 of 3
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "only level 1 (5m) → schedule day: pages nobody 84 h a week" in html  # the picture's title
    assert "only (inc): acknowledged within 5m (the first level's timeout)" in html
    (out / "coverage.json").unlink()
    invoke("report", out)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## On-call coverage" in markdown and "--coverage --heatmap --json" in markdown
