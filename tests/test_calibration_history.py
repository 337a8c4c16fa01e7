"""Incident histories: PagerDuty API responses and the documented CSV read into pages (the fixtures in
tests/history/ say where every field comes from), people matched or reported, duty read from the
scenario's rotation and hours, and a synthetic history with a known truth given back. Bad input and
the command itself are tested in test_calibrate.py."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

from history_helpers import NOTIFY_ENTRY, TUTORIAL, Truth, synthetic_history, write_csv, write_pagerduty
from paths import ROOT

from drillsim.calibration.calibrate import calibrate
from drillsim.calibration.csvhistory import read_csv_history
from drillsim.calibration.fitting import OFF, ON
from drillsim.calibration.history import DutyCalendar, History, People
from drillsim.calibration.pagerduty import read_pagerduty
from drillsim.scenario.loader import load_scenario

FIXTURES = ROOT / "tests" / "history"
ORG = load_scenario(TUTORIAL).organisation
# person, minutes, answered, duty: the table in tests/history/README.md
EXPECTED = [
    ("chen", 3.25, True, ON),
    ("dara", 5.0, False, OFF),
    ("ben", 2.5, True, OFF),
    ("chen", 3 + 55 / 60, False, ON),
]


def _pages(history: History) -> list[tuple[str, float, bool, int]]:
    return [(p.person, round(p.minutes, 6), p.answered, p.duty) for p in history.pages]


def test_pagerduty_responses_give_the_documented_pages(in_root: Path) -> None:
    history = read_pagerduty([Path("tests/history/pagerduty")], ORG)
    assert _pages(history) == [(p, round(m, 6), a, d) for p, m, a, d in EXPECTED]
    assert history.pages[0].where == "tests/history/pagerduty/log-entries-page-1.json: $.log_entries[4]"
    [gone] = history.unmatched
    assert (gone.who, gone.pages) == ("PGONE99 (Former Employee)", 1)
    assert gone.where == "tests/history/pagerduty/log-entries-page-2.json: $.log_entries[5]"
    assert "1 log entries appear in more than one file: each was read once" in history.notes
    assert any(note.endswith("not used: 1 annotate_log_entry") for note in history.notes)
    assert not history.warnings
    assert history.described == "PagerDuty (4 file(s), 3 incident(s) with log entries)"


def test_the_csv_gives_the_same_pages(in_root: Path) -> None:
    history = read_csv_history([Path("tests/history/csv/pages.csv")], ORG)
    assert _pages(history) == [(p, round(m, 6), a, d) for p, m, a, d in EXPECTED]
    [zoe] = history.unmatched
    assert (zoe.who, zoe.where, zoe.pages) == ("zoe", "tests/history/csv/pages.csv: row 6", 1)


def test_a_page_of_results_that_is_missing_is_noted(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "pagerduty" / "log-entries-page-1.json", tmp_path)
    history = read_pagerduty([tmp_path], ORG)
    assert any("says more log entries follow (more: true) from offset 8" in w for w in history.warnings)


def test_duty_follows_the_rotation_and_working_hours() -> None:
    """Chen and Dara take weekly turns on the safety rotation from Monday 5 January 09:00 UTC (Chen
    first); working hours are local (Dara's in New York); Fay has neither, so is always on duty."""
    calendar = DutyCalendar(ORG, [dt.datetime(2026, 3, 1, tzinfo=dt.UTC)])
    at = lambda text: dt.datetime.fromisoformat(text)  # noqa: E731
    assert calendar.duty("chen", at("2026-03-02T10:00:00+00:00")) == ON  # Monday, in his hours
    assert calendar.duty("dara", at("2026-03-04T02:00:00+00:00")) == OFF  # Chen's week, night
    assert calendar.duty("chen", at("2026-03-07T13:30:00+00:00")) == ON  # Saturday, his week on call
    assert calendar.duty("dara", at("2026-03-07T13:30:00+00:00")) == OFF
    assert calendar.duty("dara", at("2026-03-04T15:00:00+00:00")) == ON  # 10:00 in New York
    assert calendar.duty("ada", at("2026-03-08T12:00:00+00:00")) == OFF  # Sunday
    assert calendar.duty("fay", at("2026-03-08T03:00:00+00:00")) == ON


def test_a_synthetic_pagerduty_history_gives_back_its_truth(tmp_path: Path) -> None:
    """400 incidents over ten weeks from a known model (median 3m, p95 15m, reached 0.9 on duty and 0.5
    off, escalation after 5m), saved as paginated API responses: the organisation's fit holds the
    truth in each 95% interval. The same history as CSV gives the same pages."""
    incidents = synthetic_history(7, 400)
    write_pagerduty(incidents, tmp_path / "pd")
    history = read_pagerduty([tmp_path / "pd"], ORG)
    assert not history.unmatched
    assert not history.warnings and not history.notes
    csv_history = read_csv_history([write_csv(incidents, tmp_path / "pages.csv")], ORG)
    assert sorted(_pages(history)) == sorted(_pages(csv_history))
    result = calibrate(load_scenario(TUTORIAL), [history], samples=0)
    organisation = result.hierarchy.groups[0]
    assert organisation.label == "organisation" and organisation.intervals is not None
    truth = Truth()
    spans = organisation.intervals
    assert spans.median is not None and spans.median.low < truth.median < spans.median.high
    assert spans.p95 is not None and spans.p95.low < truth.p95 < spans.p95.high
    assert spans.reach_on is not None and spans.reach_on.low < truth.reach_on < spans.reach_on.high
    assert spans.reach_off is not None and spans.reach_off.low < truth.reach_off < spans.reach_off.high
    # Chen and Dara are only ever paged on call: their off-duty reachability stays the assumption
    groups = {g.label: g for g in result.hierarchy.groups}
    for who in ("role safety-engineer", "person chen", "person dara"):
        estimate = groups[who].estimate
        assert estimate is not None and estimate.reach_on is not None and estimate.reach_off is None
    assert result.overrides["people.chen.reachability"]["off_duty"] == ORG.reachability_of("chen").off_duty
    assert "people.ben.reachability" in result.overrides


def test_an_acknowledgement_by_someone_else_ends_the_page_even_when_they_are_unknown() -> None:
    """A page ends when anyone acknowledges, matched or not; acknowledgements by a service (an
    integration) end pages too."""
    entries = [
        {**NOTIFY_ENTRY, "id": "A"},
        {**NOTIFY_ENTRY, "id": "B", "type": "acknowledge_log_entry", "created_at": "2026-03-02T10:02:05Z",
         "agent": {"id": "PSVC", "type": "service_reference"}},
    ]  # fmt: skip
    from drillsim.calibration.pagerduty import _entry, _pages

    log = [_entry(e, f"x: $.log_entries[{i}]", i) for i, e in enumerate(entries)]
    [page] = _pages(log, None, People(ORG))
    assert (page.person, page.answered) == ("chen", False) and math.isclose(page.minutes, 2.0)
