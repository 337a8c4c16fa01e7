"""``drillsim plan add``, ``plan update`` and ``plan close``: improvement plan items followed to
closure in the history (``drillsim history --plan`` lists them)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drillsim.cli.console import console
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db

if TYPE_CHECKING:
    from drillsim.plans import PlanItem

app = typer.Typer(
    help="Follow improvement plan items to closure. Items come from each drill's after-action report "
    "(recorded when its hot wash is finished), from recommendations accepted from `drillsim advise`, and "
    "from `drillsim plan add`; each has an owner, a due date and a status: open, in progress, done or "
    "dropped. List them with `drillsim history --plan` (overdue first).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


class Status(StrEnum):
    """The statuses an item can be given (``in-progress`` is stored as "in progress")."""

    open = "open"
    in_progress = "in-progress"
    done = "done"
    dropped = "dropped"


class Closing(StrEnum):
    """How an item is closed."""

    done = "done"
    dropped = "dropped"


Item = Annotated[
    str, typer.Argument(metavar="ID", help="The item's id, as `drillsim history --plan` lists it.")
]
Note = Annotated[str | None, typer.Option("--note", help="Why: recorded with the change, dated.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the item as JSON.")]
DUE_HELP = "Due date: YYYY-MM-DD, or days or weeks from today (30d, 6w)."


@app.command("add")
def add(
    scenario: Annotated[str, typer.Option("--scenario", help="The scenario id the item belongs to.")],
    issue: Annotated[str, typer.Option("--issue", help="What went wrong or is at risk.")],
    action: Annotated[str, typer.Option("--action", help="The corrective action.")],
    owner: Annotated[str | None, typer.Option("--owner", help="Who answers for it.")] = None,
    due: Annotated[str | None, typer.Option("--due", help=DUE_HELP)] = None,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """Add an item by hand (a lesson from a real incident, a finding from a review), open from today.

    The scenario must already be in the history, so that a typing mistake cannot hide the item from
    `drillsim history --plan --scenario ID`.
    """
    from drillsim import plans
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    with workspace.history(create=False) as store:
        known = store.scenarios()
        if scenario not in known:
            from drillsim.cli.commands.history import scenario_hint

            raise CommandError(
                f"--scenario {scenario}: nothing recorded for it{scenario_hint(scenario, known)}"
            )
        organisation = store.organisation_of(scenario)
    entry = plans.PlanEntry(None, issue, action, owner, plans.due_date(due, plans.today()) if due else None)
    (item,) = workspace.record_plan_items(scenario, organisation, plans.MANUAL, None, [entry])
    _say(
        item,
        f"added item {item.id} ({item.scenario}), due {item.due or '—'}, owner {item.owner or '—'}",
        as_json,
    )


@app.command("update")
def update(
    item: Item,
    status: Annotated[Status | None, typer.Option("--status", help="The item's new status.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who answers for it now.")] = None,
    due: Annotated[str | None, typer.Option("--due", help=DUE_HELP)] = None,
    note: Note = None,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """Change an item's status, owner or due date, or add a note. Each change is appended to the
    item's notes with what it replaced, so the item keeps its whole story."""
    if status is None and owner is None and due is None and note is None:
        raise CommandError("nothing to change: give --status, --owner, --due or --note")
    _change(item, db, as_json, status=status.value if status else None, owner=owner, due=due, note=note)


@app.command("close")
def close(
    item: Item,
    status: Annotated[
        Closing, typer.Option("--status", help="done (the action was taken) or dropped (it will not be).")
    ] = Closing.done,
    note: Note = None,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """Close an item: done (the default) or dropped, with a note saying how. Reopen it with
    `drillsim plan update ID --status open`."""
    _change(item, db, as_json, status=status.value, note=note)


def _change(
    ref: str,
    db: Path | None,
    as_json: bool,
    *,
    status: str | None = None,
    owner: str | None = None,
    due: str | None = None,
    note: str | None = None,
) -> None:
    from drillsim import plans
    from drillsim.workspace import Workspace, utc_now

    workspace = Workspace(db)
    with workspace.history(create=False) as store:
        item = store.update_plan_item(
            ref,
            at=utc_now(),
            status=status,
            owner=owner,
            due=plans.due_date(due, plans.today()) if due else None,
            note=note,
        )
    _say(item, f"item {item.id} ({item.scenario}), {item.notes.splitlines()[-1]}", as_json)


def _say(item: PlanItem, what: str, as_json: bool) -> None:
    from drillsim import plans

    if as_json:
        sys.stdout.write(json.dumps(item.as_json(plans.today()), indent=2) + "\n")
    else:
        console.print(what, markup=False)
