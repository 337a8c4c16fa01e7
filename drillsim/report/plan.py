"""Improvement plan items, drawn: the table ``drillsim history --plan`` prints, and the section of the
readiness report and the AAR listing a scenario's items still to do. Overdue items come first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim import plans
from drillsim.plans import PlanItem
from drillsim.report.document import Document

UNASSIGNED = "(assign)"  # an item's owner when its source named none
COLUMNS = ("id", "due", "overdue", "status", "owner", "scenario", "issue", "corrective action", "from")
HOW_TO_UPDATE = (
    "Update an item with `drillsim plan update ID --status in-progress --note …`, close it with "
    "`drillsim plan close ID`."
)


def overdue_text(item: PlanItem, today: dt.date) -> str:
    """'12 days', '1 day', or '—' when the item is not overdue."""
    late = item.days_overdue(today)
    return f"{late} day{'s' * (late != 1)}" if late else "—"


def _cells(item: PlanItem, today: dt.date) -> dict[str, str]:
    """The item's text in each of COLUMNS."""
    texts = (
        str(item.id),
        item.due or "—",
        overdue_text(item, today),
        item.status,
        item.owner or UNASSIGNED,
        item.scenario,
        item.issue,
        item.action,
        item.source_text,
    )
    return dict(zip(COLUMNS, texts, strict=True))


def _counts(items: Sequence[PlanItem], today: dt.date) -> str:
    """'3 items still to do, 1 overdue on 2026-12-07'."""
    to_do = [item for item in items if item.to_do]
    late = sum(1 for item in to_do if item.days_overdue(today))
    return f"{len(to_do)} item{'s' * (len(to_do) != 1)} still to do, {late} overdue on {today.isoformat()}"


def print_plan(items: Sequence[PlanItem], today: dt.date, console: Console, *, closed: int = 0) -> None:
    """The items, overdue first, in one table (with a scenario column when they are of more than one);
    ``closed``: how many done or dropped items were left out (to say that --all lists them)."""
    more = f"; {closed} done or dropped (--all lists them)" if closed else ""
    if not items:
        console.print(f"No improvement plan item is still to do{more}.")
        return
    table = Table(title=f"Improvement plan: {_counts(items, today)}{more}", title_justify="left")
    columns = [c for c in COLUMNS if c != "scenario" or len({item.scenario for item in items}) > 1]
    for column in columns:
        short = column in ("id", "due", "overdue", "status")
        table.add_column(
            column, justify="right" if column == "id" else "left", no_wrap=short, overflow="fold"
        )
    for item in plans.listing_order(items, today):
        cells = _cells(item, today)
        style = "bold red" if item.days_overdue(today) else "dim" if not item.to_do else None
        table.add_row(*(escape(cells[c]) for c in columns), style=style)
    console.print(table)
    console.print(HOW_TO_UPDATE, markup=False)


def open_items_section(doc: Document, items: Sequence[PlanItem], heading: str) -> None:
    """A report section listing ``items`` (a scenario's items still to do), overdue first, with how to
    update them; nothing when there are none."""
    if not items:
        return
    today = plans.today()
    doc.heading(heading)
    doc.paragraph(f"{_counts(items, today)}, as the history records them. {HOW_TO_UPDATE}")
    columns = [c for c in COLUMNS if c != "scenario"]  # a report is of one scenario
    doc.table(
        columns,
        [[_cells(item, today)[c] for c in columns] for item in plans.listing_order(items, today)],
        numeric={0},
    )
