"""Reports: readiness reports for simulations, AAR/IP for drills, from the folder alone."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from drill_helpers import FakeTime, play, start
from paths import SCENARIOS

from drillsim.drill.hotwash import finish, hotwash_rows
from drillsim.drill.session import DrillSession
from drillsim.experiments.simulate import simulate
from drillsim.report.writer import ReportError, write_report
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))


class Structure(HTMLParser):
    """Counts elements and checks that every opened element is closed (void elements aside)."""

    VOID: ClassVar[set[str]] = {
        "meta",
        "br",
        "img",
        "link",
        "path",
        "use",
        "stop",
        "rect",
        "circle",
        "line",
        "polyline",
        "polygon",
        "ellipse",
    }

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.counts: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def parse(html: str) -> Structure:
    structure = Structure()
    structure.feed(html)
    structure.close()
    assert structure.open == ["html"] or structure.open == [], structure.open[-5:]
    return structure


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_scenario_gets_a_readiness_report_with_its_charts(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    run = simulate(
        scenario, snapshot_text(path), count=12, seed=0, workers=1, out=tmp_path / "run", results=tmp_path
    )
    html_path = write_report(run.folder)
    html = html_path.read_text(encoding="utf-8")
    structure = parse(html)
    charts = len(scenario.objectives) + (1 if run.summary["deadlines"] else 0) + 2  # + breakdown + graph
    assert structure.counts.get("svg", 0) >= charts
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # self-contained: nothing fetched
    markdown = (run.folder / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Readiness",
        "## Findings that matter",
        "## Where the time went",
        "## Escalation structure",
    ):
        assert heading in markdown
    for oid in scenario.objectives:
        assert oid in markdown


def test_a_finished_drill_gets_an_after_action_report(tmp_path: Path) -> None:
    fake = FakeTime()
    session = start(tmp_path, fake)
    play(session, fake, until=200, task_minutes=30)
    session.observe("Counsel was not reachable by phone", "notify-48h")
    rows = hotwash_rows(session, simulated=20)
    finish(session, {rows[0]["id"]: "M"}, rows)
    session.close()
    html = write_report(session.folder).read_text(encoding="utf-8")
    parse(html)
    markdown = (session.folder / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## Exercise overview",
        "## Analysis of objectives",
        "## Strengths",
        "## Areas for improvement",
        "## Improvement plan",
        "## Evaluator observations",
    ):
        assert heading in markdown
    assert "Counsel was not reachable by phone" in markdown
    assert (
        f"{rows[0]['id']}: " in markdown.split("## Improvement plan")[1]
    )  # the M-rated objective is in the plan
    for row in rows:  # how many of the room's incidents met each objective, as "k of n"
        assert f"| {row['incidents_met']} of {row['incidents']} |" in markdown
    captions = re.findall(
        r"\*Figure: ([^*]+)\*", markdown.split("## Analysis of objectives")[1].split("## Strengths")[0]
    )
    assert len(captions) == len(rows) and len(set(captions)) == len(
        captions
    )  # one caption per chart, none repeated


def test_an_unfinished_drill_or_damaged_run_is_a_clear_error(tmp_path: Path) -> None:
    path = SCENARIOS / "tutorial.yaml"
    session = DrillSession.start(
        load_scenario(path),
        snapshot_text(path),
        players=["safety-engineer"],
        speed=60,
        seed=1,
        results=tmp_path,
    )
    session.close()
    with pytest.raises(ReportError, match="hot wash"):
        write_report(session.folder)
    run = simulate(
        load_scenario(path),
        snapshot_text(path),
        count=5,
        seed=0,
        workers=1,
        out=tmp_path / "run",
        results=tmp_path,
    )
    (run.folder / "summary.json").write_text(json.dumps({"scenario": "tutorial"}))
    with pytest.raises(ReportError, match="damaged"):
        write_report(run.folder)
    (run.folder / "summary.json").write_text("{not json")
    with pytest.raises(ReportError, match="damaged"):
        write_report(run.folder)


def test_chart_labels_have_the_precision_of_their_tables() -> None:
    from drillsim.report import charts

    svg = charts.deadline_risk({"gpai-cop-9.3/cyber-breach": 0.998, "ny-raise/safety-incident": 0.5})
    assert "99.8%" in svg and "100%" not in svg and "50.0%" in svg


def test_where_the_time_went_says_its_unit_once_and_that_parallel_tasks_add_up(tmp_path: Path) -> None:
    path = SCENARIOS / "weight-exfiltration.yaml"
    run = simulate(
        load_scenario(path),
        snapshot_text(path),
        count=8,
        seed=0,
        workers=1,
        out=tmp_path / "run",
        results=tmp_path,
    )
    write_report(run.folder)
    markdown = (run.folder / "report.md").read_text(encoding="utf-8")
    html = (run.folder / "report.html").read_text(encoding="utf-8")
    caption = re.search(
        r"\*Figure: Average (\w+) per incident by what the response was waiting for[^*]*\*", markdown
    )
    assert (
        caption is not None
        and "parallel" in caption.group(0)
        and "can exceed the time to resolve" in caption.group(0)
    )
    assert f"{caption.group(1)} per incident (tasks in parallel" in html  # the axis is in the caption's unit
    assert "computed over the 8 replications" in markdown and "pooled" in markdown


def test_the_readiness_trend_never_joins_a_drill_to_a_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    from drillsim.report import readiness
    from drillsim.store import Run

    drawn: dict[str, object] = {}
    monkeypatch.setattr(
        readiness.charts,
        "readiness_trend",
        lambda simulations, drills, labels: drawn.update(s=simulations, d=drills, l=labels) or "<svg/>",
    )
    history = [
        Run("simulation", "s", "2026-01-01T10:00", "a", 60.0, 55.0, 65.0, "M", 100, 0),
        Run("drill", "s", "2026-01-02T10:00", "b", 100.0, None, None, "P", 1, 0),
        Run("simulation", "s", "2026-01-03T10:00", "c", 70.0, 66.0, 74.0, "M", 100, 1),
    ]
    assert readiness.trend_figure(history) == "<svg/>"
    assert drawn["s"] == [(0, 60.0, 55.0, 65.0), (2, 70.0, 66.0, 74.0)]  # one line through the simulations
    assert drawn["d"] == [(1, 100.0)]  # the drill is a marker of its own
    assert readiness.trend_figure(history[:1]) is None


def test_an_aar_from_an_older_hot_wash_takes_the_seed_from_the_journal(tmp_path: Path) -> None:
    """hotwash.json files written before it carried the seed and start time still give the same AAR."""
    fake = FakeTime()
    session = start(tmp_path, fake)
    play(session, fake, until=120, task_minutes=30)
    finish(session, {}, hotwash_rows(session, simulated=20))
    session.close()
    write_report(session.folder)
    current = (session.folder / "report.md").read_text(encoding="utf-8")
    hotwash = json.loads((session.folder / "hotwash.json").read_text(encoding="utf-8"))
    assert hotwash["seed"] == session.seed and hotwash["started"]
    del hotwash["seed"], hotwash["started"]
    (session.folder / "hotwash.json").write_text(json.dumps(hotwash), encoding="utf-8")
    write_report(session.folder)
    assert (session.folder / "report.md").read_text(encoding="utf-8") == current


def test_the_improvement_plan_names_who_answers_for_each_objective() -> None:
    from drillsim.report.aar import owner_of

    tutorial = load_scenario(SCENARIOS / "tutorial.yaml")
    assert owner_of(tutorial, "ack-10m") == "escalation policy all-incidents"
    assert owner_of(tutorial, "contain-1h") == "deployment"  # the halt task reaches `contained`
    assert owner_of(tutorial, "notify-48h") == "regulatory-reporting"  # the task that files the report
    exfiltration = load_scenario(SCENARIOS / "weight-exfiltration.yaml")
    # both decisions' first roles in the delegation order (revoke: ciso first; isolate: ciso first)
    assert owner_of(exfiltration, "authority-1h") == "ciso"
    assert owner_of(exfiltration, "contain-2h") == "cloud-iam, network-isolation"
