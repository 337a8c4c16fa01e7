"""On-call coverage, drawn: for the terminal, a compact week grid per escalation level (one row per
day, one character per hour), the load per person, and the acknowledgement heatmap when there is
one; for the readiness report, the same as SVG pictures and tables (:func:`coverage_section`).

Everything is drawn from the coverage document's plain JSON (``CoverageReport.to_json()``, with
``"heatmap"`` from :func:`drillsim.experiments.coverage.acknowledgement_heatmap`), the same data
``structure --coverage --json`` prints and ``coverage.json`` holds. In both grids a darker character
is worse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from drillsim.confidence import wilson
from drillsim.report import charts
from drillsim.report.document import Document
from drillsim.report.labels import (
    DAY_NAMES,
    hours_a_week,
    hours_of_week,
    level_name,
    schedule_name,
    share,
    share_interval,
)
from drillsim.scenario.units import humanize

Cell = tuple[str, str]  # (character, rich style)

COVERAGE_LEGEND = (
    "[red]█[/] nobody paged (a gap) all the hour  [red]▓[/] a gap part of the hour  "
    "[yellow]▒[/] everyone paged off duty all the hour  [yellow]░[/] off duty part of the hour  "
    "[green]·[/] someone on duty"
)
# (lowest share, character, style): the first row the share reaches
ACK_SHADES = ((0.95, "·", "green"), (0.8, "░", "yellow"), (0.5, "▒", "yellow"), (0.2, "▓", "red"))
ACK_LEGEND = (
    "[green]·[/] 95% or more  [yellow]░[/] 80–95%  [yellow]▒[/] 50–80%  [red]▓[/] 20–50%  [red]█[/] under 20%"
)
WORST_SHOWN = 3


def coverage_cell(gap: float | None, off_duty: float | None) -> Cell:
    """How one hour of a level's week is drawn: a gap wins over off duty, a whole hour is darker."""
    if gap is None or off_duty is None:
        return " ", ""
    if gap > 0:
        return ("█" if gap >= 1 else "▓"), "red"
    if off_duty > 0:
        return ("▒" if off_duty >= 1 else "░"), "yellow"
    return "·", "green"


def ack_cell(p: float | None) -> Cell:
    """How one hour of the acknowledgement heatmap is drawn: darker the less likely in time."""
    if p is None:
        return " ", ""
    return next(((char, style) for low, char, style in ACK_SHADES if p >= low), ("█", "red"))


def week_lines(cells: list[list[Cell]]) -> Iterator[str]:
    """A 7 × 24 grid of cells as rich text lines: an hour ruler, then one line per day, Monday first."""
    yield "      " + "".join(f"{h:<6}" for h in range(0, 24, 6)).rstrip()
    for name, row in zip(DAY_NAMES, cells, strict=True):
        yield f"  {name} " + "".join(f"[{style}]{char}[/]" if style else char for char, style in row)


def render_coverage(data: dict[str, Any], console: Console) -> None:
    """Print the coverage document: the grid of every level with a gap or off-duty hour, the levels
    covered at every hour, the load table, then the heatmap if the document has one."""
    console.print(
        f"[bold]On-call coverage[/] of {data['scenario']} (organisation {data['organisation']}): "
        f"{window_text(data)}; nothing simulated"
    )
    covered: list[str] = []
    for policy in data["policies"]:
        for level in policy["levels"]:
            name = level_name(policy["policy"], level["level"], level["timeout"])
            gap, off = level["gap_hours_per_week"], level["off_duty_hours_per_week"]
            if not gap and not off:
                covered.append(name)
                continue
            console.print(
                f"\n[bold]{name}[/] [dim]→ {', '.join(level['targets'])}[/]: {uncovered_text(gap, off)}"
            )
            grid = [
                list(map(coverage_cell, g, o)) for g, o in zip(level["gap"], level["off_duty"], strict=True)
            ]
            console.print("\n".join(week_lines(grid)))
    if covered:
        console.print(f"\n[green]Someone on duty at every hour:[/] {', '.join(covered)}")
    else:
        console.print()
    console.print(COVERAGE_LEGEND)
    console.print(load_table(data["load"]))
    if data.get("heatmap"):
        render_heatmap(data["heatmap"], console)


def window_text(data: dict[str, Any]) -> str:
    """Which week the grids show: ``a typical week in Europe/London (Mon–Sun, local time), over 3
    weeks from Wed 16 Sep 2026 17:20 (the run rounded up to whole weeks)``."""
    weeks = data["window"]["weeks"]
    start = dt.datetime.fromisoformat(data["window"]["start"]).astimezone(ZoneInfo(data["timezone"]))
    return (
        f"a typical week in {data['timezone']} time, over {weeks} week{'s' if weeks > 1 else ''} from "
        f"{start:%a %d %b %Y %H:%M} (the run rounded up to whole weeks)"
    )


def uncovered_text(gap: float, off_duty: float) -> str:
    """A level's uncovered hours a week in words: ``pages nobody 40 h a week, only people off duty
    8 h``."""
    parts = [f"pages nobody {hours_a_week(gap)}"] if gap else []
    parts += [f"pages only people off duty {hours_a_week(off_duty)}"] if off_duty else []
    return " and ".join(parts) + " a week"


def schedules_text(schedules: dict[str, dict[str, float]]) -> str:
    """Where a person's load comes from: the schedules' names, each with its hours when several."""
    if len(schedules) == 1:
        return schedule_name(next(iter(schedules)))
    return ", ".join(
        f"{schedule_name(key)} {hours_a_week(hours['on_call'] + hours['shadow'])}"
        for key, hours in schedules.items()
    )


def load_table(load: list[dict[str, Any]]) -> Table:
    table = Table(
        title="On-call load (hours a week, averaged over whole rotations; shadows apart)",
        title_justify="left",
    )
    table.add_column("person")
    table.add_column("on call", justify="right")
    table.add_column("shadow", justify="right")
    table.add_column("schedules and rotations")
    for person in load:
        table.add_row(
            person["name"],
            hours_a_week(person["on_call_hours_per_week"]),
            hours_a_week(person["shadow_hours_per_week"]) if person["shadow_hours_per_week"] else "—",
            schedules_text(person["schedules"]),
        )
    if not load:
        table.add_row("[dim]nobody is on a schedule or rotation[/]", "", "", "")
    return table


@dataclass(frozen=True)
class Stretch:
    """Consecutive hours of the week (Monday 00:00 first) with the same share acknowledged in time
    and the same interval: ``first`` and ``last`` are (day, hour)."""

    first: tuple[int, int]
    last: tuple[int, int]
    share: float
    ci95: list[float | None]  # [None, None] without one

    @property
    def when(self) -> str:
        return hours_of_week(self.first, self.last)


def worst_stretches(threshold: dict[str, Any], count: int = WORST_SHOWN) -> list[Stretch]:
    """The ``count`` stretches of hours least likely to see a page acknowledged in time (the lowest
    share first, then the earliest in the week)."""
    found: list[Stretch] = []
    for day, row in enumerate(threshold["share"]):
        for hour, p in enumerate(row):
            if p is None:
                continue
            ci95 = threshold["ci95"][day][hour] or [None, None]
            last = found[-1] if found else None
            follows = last is not None and last.last == ((day, hour - 1) if hour else (day - 1, 23))
            if last is not None and follows and (last.share, last.ci95) == (p, ci95):
                found[-1] = Stretch(last.first, (day, hour), p, ci95)
            else:
                found.append(Stretch((day, hour), (day, hour), p, ci95))
    return sorted(found, key=lambda s: (s.share, s.first))[:count]


def render_heatmap(heatmap: dict[str, Any], console: Console) -> None:
    """Print each policy's grid per threshold, with its least likely hours and their intervals."""
    console.print(
        f"\n[bold]Acknowledged in time[/], by the hour of the week a page is sent ({heatmap['timezone']}; "
        f"{heatmap['replications']} replications per hour, spread over the {_weeks(heatmap)} of the run, "
        f"seed {heatmap['seed']}, 95% Wilson intervals)"
    )
    for policy in heatmap["policies"]:
        for threshold in policy["thresholds"]:
            console.print(
                f"\n[bold]{policy['policy']}[/] ({policy['incident']}): acknowledged within "
                f"{humanize(threshold['minutes'])} ({threshold['label']})"
            )
            console.print("\n".join(week_lines([list(map(ack_cell, row)) for row in threshold["share"]])))
            lowest = [
                f"{s.when} {share(s.share)} ({share_interval(s.ci95)})" for s in worst_stretches(threshold)
            ]
            console.print(f"  [dim]least likely:[/] {'; '.join(lowest)}")
    console.print(ACK_LEGEND)


# ── The readiness report's section ───────────────────────────────────────────────────────────────────


def coverage_section(doc: Document, data: dict[str, Any]) -> None:
    """Add "On-call coverage" to a report: one picture of the levels with a gap or off-duty hour (a
    panel each), the load table, and the acknowledgement heatmap when ``data`` has one (else how to
    get it)."""
    doc.heading("On-call coverage")
    serving = "; ".join(
        f"{p['policy']} serves {', '.join(p['serves'])}" for p in data["policies"] if p["serves"]
    )
    doc.paragraph(
        "When each escalation level pages nobody (a gap), or only people who are off duty — neither "
        "on call nor inside their working hours, so a page reaches them with their off-duty chance — "
        f"hour by hour in {window_text(data)}. Worked out from the schedules, rotations and working "
        f"hours alone: nothing simulated. In this scenario {serving or 'no policy serves an incident'}."
    )
    shown = [
        (policy, level)
        for policy in data["policies"]
        for level in policy["levels"]
        if level["gap_hours_per_week"] or level["off_duty_hours_per_week"]
    ]
    if shown:
        panels = [
            (
                f"{level_name(policy['policy'], lv['level'], lv['timeout'])} → {', '.join(lv['targets'])}: "
                f"{uncovered_text(lv['gap_hours_per_week'], lv['off_duty_hours_per_week'])}",
                lv["gap"],
                lv["off_duty"],
            )
            for policy, lv in shown
        ]
        doc.figure(
            charts.coverage_week(panels, data["timezone"]),
            f"The share of each hour of a typical week ({data['timezone']} time) each escalation level "
            "pages nobody (red) or only people off duty (amber); white where someone on duty is paged "
            "all the hour. Levels paging someone on duty at every hour are not drawn.",
        )
    covered = [
        level_name(policy["policy"], lv["level"], lv["timeout"])
        for policy in data["policies"]
        for lv in policy["levels"]
        if (policy, lv) not in shown
    ]
    if covered:
        doc.paragraph(f"Someone on duty is paged at every hour of the week by: {', '.join(covered)}.")
    doc.paragraph(
        "On-call load: hours a week each person is a schedule's or rotation's on-call person (and, "
        "apart, its shadow), averaged over whole turns of the rotation."
    )
    doc.table(
        ["person", "on call a week", "shadow a week", "schedules and rotations"],
        [
            [
                p["name"],
                hours_a_week(p["on_call_hours_per_week"]),
                hours_a_week(p["shadow_hours_per_week"]) if p["shadow_hours_per_week"] else "—",
                schedules_text(p["schedules"]),
            ]
            for p in data["load"]
        ],
        numeric={1, 2},
    )
    heatmap = data.get("heatmap")
    if heatmap:
        heatmap_section(doc, heatmap)
    else:
        doc.paragraph(
            "The chance a page is acknowledged in time at each hour of the week is simulated on demand: "
            "run drillsim simulate with --coverage, or write coverage.json into this folder with "
            "drillsim structure SCENARIO --coverage --heatmap --json."
        )


def _weeks(heatmap: dict[str, Any]) -> str:
    weeks = heatmap.get("weeks", 1)  # heatmaps saved before pages were spread over weeks: the first
    return "week" if weeks == 1 else f"{weeks} weeks"


def heatmap_section(doc: Document, heatmap: dict[str, Any]) -> None:
    """The acknowledgement heatmap: one picture (a panel per policy and time), the least likely hours."""
    count = heatmap["replications"]
    doc.paragraph(
        "Acknowledged in time, by the hour of the week a page is sent: for each policy, one incident "
        "it serves is paged at the middle of each hour of the week, with nothing else going on, "
        f"{count} times per hour, shared equally by the {_weeks(heatmap)} of the week grid's window "
        f"(seed {heatmap['seed']}, the same random draws at every hour of a week), so that a gap "
        "found only in some weeks (an override, a daylight-saving change in one of the cities) counts "
        "here as in the grid above. The times are the policy's first-level timeout and the targets of "
        f"objectives on the time to acknowledge. With {count} pages an hour, a share's 95% interval is "
        f"about ±{_half_width(count):.0%} at 50% and narrower near 0% or 100%."
    )
    panels = [
        (
            f"{policy['policy']} ({policy['incident']}): acknowledged within {humanize(t['minutes'])} "
            f"({t['label']})",
            t["share"],
        )
        for policy in heatmap["policies"]
        for t in policy["thresholds"]
    ]
    skipped = any(p is None for _, shares in panels for row in shares for p in row)
    doc.figure(
        charts.acknowledgement_week(
            panels, heatmap["timezone"], "chance a page sent in that hour is acknowledged in time"
        ),
        f"The chance a page sent at each hour of the week ({heatmap['timezone']} time) is acknowledged "
        f"within the time shown, from {count} simulated pages per hour, per policy and time."
        + (" Grey: an hour the clocks skip that week." if skipped else ""),
    )
    rows = [
        [policy["policy"], humanize(t["minutes"]), s.when, share(s.share), share_interval(s.ci95)]
        for policy in heatmap["policies"]
        for t in policy["thresholds"]
        for s in worst_stretches(t)
    ]
    doc.paragraph(
        "Where a page is least likely to be acknowledged in time: per policy and time, the "
        f"{WORST_SHOWN} stretches of the week with the lowest share (the hours of a stretch share one "
        "estimate: the same people are paged, with the same random draws)."
    )
    doc.table(["policy", "within", "page sent", "acknowledged", "95% CI"], rows, numeric={1, 3, 4})


def _half_width(count: int) -> float:
    interval = wilson(count / 2, count)
    return (interval[1] - interval[0]) / 2 if interval else 1.0
