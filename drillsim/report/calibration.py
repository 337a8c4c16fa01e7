"""A calibration for people: terminal tables, and a report (Markdown + self-contained HTML) written beside
the overrides file, with the fits, their intervals, how much each was shrunk, and the goodness of fit
drawn as Kaplan–Meier curves against the fitted model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.calibration.calibrate import Calibration
from drillsim.calibration.fitting import OFF, ON, Interval
from drillsim.calibration.goodness import expected_curve, kaplan_meier
from drillsim.calibration.hierarchy import MIN_ANSWERS, GroupFit
from drillsim.fsutil import write_file
from drillsim.report import charts
from drillsim.report.document import Document
from drillsim.scenario.units import humanize

Rows = tuple[list[str], list[list[str]]]  # headers, rows of text
SIGNIFICANCE = 0.05  # a goodness-of-fit p-value below this says the model does not describe the pages


def _minutes(interval: Interval | None) -> str:
    if interval is None:
        return ""
    low = "…" if interval.open_low else humanize(interval.low)
    high = "…" if interval.open_high else humanize(interval.high)
    return f" ({low}–{high})"


def _share(p: float | None, interval: Interval | None = None) -> str:
    if p is None:
        return "—"
    if interval is None:
        return f"{p:.2f}"
    return f"{p:.2f} ({interval.low:.2f}–{interval.high:.2f})"


def _holders(calibration: Calibration, group: GroupFit) -> list[str]:
    org = calibration.scenario.organisation
    if group.kind == "person":
        return [group.id]
    if group.kind == "organisation":
        return list(org.people)
    roles = set(group.id.split("+"))
    return [pid for pid, person in org.people.items() if roles.intersection(person.roles)]


def _assumed_delay(calibration: Calibration, group: GroupFit) -> str:
    org = calibration.scenario.organisation
    if group.kind == "organisation":
        return f"default {org.defaults.ack_delay.describe()}"
    return "; ".join(sorted({org.ack_delay_of(p).describe() for p in _holders(calibration, group)}))


def _assumed_reach(calibration: Calibration, group: GroupFit) -> str:
    org = calibration.scenario.organisation
    if group.kind == "organisation":
        reach = org.defaults.reachability
        return f"default {reach.on_duty:.2f} / {reach.off_duty:.2f}"
    described = {
        f"{org.reachability_of(p).on_duty:.2f} / {org.reachability_of(p).off_duty:.2f}"
        for p in _holders(calibration, group)
    }
    return "; ".join(sorted(described))


def _shrinkage(group: GroupFit, weight: float) -> str:
    if group.parent is None:
        return "—"
    if group.fit is None:
        return f"too few pages: {group.parent}'s fit used"
    if weight <= 0:
        return "none (--prior-pages 0)"
    return f"{group.fit.prior_share:.0%} toward {group.parent}"


def delay_rows(calibration: Calibration) -> Rows:
    """The acknowledgement delay table: every group fitted, its pages, assumption, own fit, shrunk fit
    with intervals, and how far it was shrunk."""
    headers = [
        "who",
        "pages (answered + censored)",
        "scenario assumes",
        "own pages alone (median, p95)",
        "fitted median (95% interval)",
        "fitted p95 (95% interval)",
        "shrunk",
    ]
    rows = []
    for group in calibration.hierarchy.groups:
        raw = group.raw.estimate if group.raw else None
        fitted, span = group.estimate, group.intervals
        rows.append(
            [
                group.label,
                f"{group.sample.answers} + {group.sample.censored}",
                _assumed_delay(calibration, group),
                f"{humanize(raw.median)}, {humanize(raw.p95)}" if raw else "— (too few answers)",
                humanize(fitted.median) + _minutes(span.median if span else None) if fitted else "—",
                humanize(fitted.p95) + _minutes(span.p95 if span else None) if fitted else "—",
                _shrinkage(group, calibration.hierarchy.weight),
            ]
        )
    return headers, rows


def reach_rows(calibration: Calibration) -> Rows:
    """The reachability table, for groups paged on or off duty (drill pages say nothing about it)."""
    headers = [
        "who",
        "on-duty pages (answered/all)",
        "off-duty pages (answered/all)",
        "scenario assumes (on / off)",
        "fitted on duty (95% interval)",
        "fitted off duty (95% interval)",
    ]
    rows = []
    for group in calibration.hierarchy.groups:
        sample, fitted, span = group.sample, group.estimate, group.intervals
        if not (sample.count(ON) or sample.count(OFF)):
            continue
        cells = [group.label]
        cells += [f"{sample.count(duty, True)}/{sample.count(duty)}" for duty in (ON, OFF)]
        cells.append(_assumed_reach(calibration, group))
        for duty, interval in (
            (ON, span.reach_on if span else None),
            (OFF, span.reach_off if span else None),
        ):
            value = fitted.reach(duty) if fitted else None
            text = _share(value, interval)
            if value is not None and not sample.count(duty):
                text = f"{value:.2f} (from {group.parent})"
            cells.append(text)
        rows.append(cells)
    return headers, rows


def goodness_rows(calibration: Calibration) -> Rows:
    """Goodness of fit of each group's own fit: the Kolmogorov–Smirnov distance and its p-value."""
    headers = ["who", "answered pages", "distance (KS)", "p-value (bootstrap samples)", "reading"]
    rows = []
    for group in calibration.hierarchy.groups:
        found = group.goodness
        if found is None:
            continue
        p = found.p_value
        reading = (
            "not tested"
            if p is None
            else "consistent with the model"
            if p >= SIGNIFICANCE
            else "the model does not describe these pages"
        )
        rows.append(
            [
                group.label,
                str(group.sample.answers),
                f"{found.distance:.3f}",
                f"{p:.3f} ({found.samples})" if p is not None else "—",
                reading,
            ]
        )
    return headers, rows


def task_rows(calibration: Calibration) -> Rows:
    """Task durations from drills: completed and unfinished (censored), assumption and fit."""
    headers = ["task", "completed + unfinished", "scenario assumes", "fitted median (95% interval)", "p95"]
    rows = []
    for task in calibration.tasks:
        found, span = task.fit, task.intervals
        rows.append(
            [
                f"{task.kind}/{task.task}",
                f"{task.sample.answers} + {task.sample.censored}",
                task.assumed,
                humanize(found.estimate.median) + _minutes(span.median if span else None)
                if found
                else f"not fitted: fewer than {MIN_ANSWERS} completed",
                humanize(found.estimate.p95) + _minutes(span.p95 if span else None) if found else "—",
            ]
        )
    return headers, rows


def warnings(calibration: Calibration) -> list[str]:
    """Who in the histories is not in the scenario, and what may be missing."""
    found = []
    for history in calibration.histories:
        found += [
            f"{history.described}: {u.who} is none of the scenario's people: {u.pages} page(s) left out "
            f"(first at {u.where})"
            for u in history.unmatched
        ]
        found += [f"{history.described}: {warning}" for warning in history.warnings]
    return found


def notes(calibration: Calibration) -> list[str]:
    """What was read and not used."""
    return [f"{history.described}: {note}" for history in calibration.histories for note in history.notes]


def borrowed(calibration: Calibration) -> list[str]:
    """People without pages of their own who take a role's fit: ``ana (role ceo)``."""
    own = {g.id for g in calibration.hierarchy.groups if g.kind == "person"}
    return [f"{pid} ({label})" for pid, (_, label) in calibration.hierarchy.people.items() if pid not in own]


def print_calibration(calibration: Calibration, console: Console) -> None:
    """The calibration's tables and notes on the terminal."""
    hierarchy = calibration.hierarchy
    console.print(f"Calibration from {escape(calibration.provenance)}.")
    if hierarchy.not_fitted:
        console.print(f"Acknowledgements not fitted: {hierarchy.not_fitted}; the assumptions are kept.")
    else:
        _table(
            console,
            "Acknowledgement delay: lognormal fits, 95% profile-likelihood intervals",
            delay_rows(calibration),
        )
        if reach_rows(calibration)[1]:
            _table(console, "Reachability: the share of pages that reach the person", reach_rows(calibration))
        if goodness_rows(calibration)[1]:
            _table(console, "Goodness of fit (Kaplan–Meier against the model)", goodness_rows(calibration))
        if borrowed(calibration):
            console.print(
                "Without pages of their own, taking their role's fit: " + ", ".join(borrowed(calibration))
            )
    if calibration.tasks:
        _table(console, "Task durations from the drills: lognormal fits", task_rows(calibration))


def _table(console: Console, title: str, rows: Rows) -> None:
    headers, body = rows
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header)
    for row in body:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def report_paths(overrides: Path) -> tuple[Path, Path]:
    """Where the report goes: beside the overrides file, with its name, as ``.md`` and ``.html``."""
    return overrides.with_suffix(".md"), overrides.with_suffix(".html")


def calibration_report(calibration: Calibration, overrides: Path, readiness: str | None = None) -> Document:
    """The calibration as a report document."""
    scenario = calibration.scenario
    doc = Document(
        f"Calibration — {scenario.title}",
        [
            f"Scenario {scenario.id} · organisation {scenario.organisation.name}",
            f"Fitted from {calibration.provenance}",
            f"Overrides: {overrides.name} (use: drillsim simulate SCENARIO --overrides {overrides.name})",
        ],
    )
    if readiness:
        doc.paragraph(readiness)
    doc.heading("How to read this")
    doc.paragraph(
        "A page reaches its person with some probability (on duty or off); reached, they answer after "
        "a lognormal delay. A page that stopped waiting for its person before they answered (it "
        "escalated, someone else answered, the incident was resolved, the drill ended) is censored: it "
        "says only that they had not answered by then, and is fitted as such. Fits are by maximum "
        "likelihood with 95% profile-likelihood intervals; an interval end shown as … could not be "
        "bounded (the pages cannot tell a slow person from an unreachable one)."
    )
    weight = calibration.hierarchy.weight
    doc.paragraph(
        f"Each role's fit is shrunk toward the organisation's, each person's toward their role's, with the "
        f"parent worth {weight:g} pages: the 'shrunk' column says what share of the fitted log-median's "
        "precision came from the parent (0% own pages only, 100% the parent's fit)."
    )
    warned = [["warning", w] for w in warnings(calibration)] + [["note", n] for n in notes(calibration)]
    if warned:
        doc.heading("Left out, or possibly missing")
        doc.table(["", "what"], warned)
    hierarchy = calibration.hierarchy
    if hierarchy.not_fitted:
        doc.paragraph(f"Acknowledgements not fitted: {hierarchy.not_fitted}; the assumptions are kept.")
    else:
        doc.heading("Acknowledgement delay")
        doc.table(*delay_rows(calibration))
        if borrowed(calibration):
            doc.paragraph(
                "Without pages of their own, taking their role's fit: " + ", ".join(borrowed(calibration))
            )
        if reach_rows(calibration)[1]:
            doc.heading("Reachability")
            doc.table(*reach_rows(calibration))
        if goodness_rows(calibration)[1]:
            doc.heading("Goodness of fit")
            doc.paragraph(
                "The Kolmogorov–Smirnov distance between the Kaplan–Meier curve of the pages and the "
                "fitted model's curve (weighted, at each time, by the duty of the pages still waiting), "
                "with a parametric-bootstrap p-value: samples drawn from the fitted model under the "
                "observed censoring, refitted. A p-value below "
                f"{SIGNIFICANCE:g} says the lognormal-with-reachability model does not describe the pages."
            )
            doc.table(*goodness_rows(calibration))
            for group in hierarchy.groups:
                if group.goodness is not None and group.raw is not None:
                    doc.figure(
                        _survival_chart(group), f"{group.label}: answered by each time, observed and fitted"
                    )
    if calibration.tasks:
        doc.heading("Task durations")
        doc.table(*task_rows(calibration))
    doc.heading("Overrides")
    doc.table(["path", "value"], [[path, str(value)] for path, value in calibration.overrides.items()])
    return doc


def _survival_chart(group: GroupFit) -> str:
    assert group.raw is not None
    km = kaplan_meier(group.sample)
    first, last = float(group.sample.minutes.min()), float(group.sample.minutes.max())
    grid = np.exp(np.linspace(math.log(first * 0.8), math.log(last * 1.05), 120))
    model = expected_curve(group.sample, group.raw.estimate, grid)
    assert km.low is not None and km.high is not None
    return charts.survival_fit(
        (km.times.tolist(), (1 - km.survival).tolist(), (1 - km.high).tolist(), (1 - km.low).tolist()),
        (grid.tolist(), (1 - model.survival).tolist()),
        f"{group.label}: {group.sample.answers} answered, {group.sample.censored} censored",
    )


def write_calibration_report(
    calibration: Calibration, overrides: Path, readiness: str | None = None
) -> tuple[Path, Path]:
    """Write the report beside ``overrides`` (``report_paths``); WriteError when it cannot be."""
    document = calibration_report(calibration, overrides, readiness)
    markdown, page = report_paths(overrides)
    write_file(markdown, document.markdown(), parents=True)
    write_file(page, document.html(), parents=True)
    return markdown, page
