"""``drillsim history``: simulations and drills over time; with --due, the drills that are due."""

from __future__ import annotations

import difflib
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from drillsim.cli.console import console, errors
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db, OrganisationFrom

if TYPE_CHECKING:
    from drillsim.scenario.loader import CheckResult
    from drillsim.workspace import Workspace


def history(
    scenario: Annotated[str | None, typer.Option(help="Only this scenario id.")] = None,
    due: Annotated[
        bool,
        typer.Option("--due", help="List the scenarios whose last live drill is older than their cadence."),
    ] = False,
    scenarios: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenarios", help="With --due: scenario files or folders to check (default: scenarios/)."
        ),
    ] = None,
    db: Db = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Simulations and drills over time, as separate series with the readiness trend; --due lists
    drills that are due. Reads the history database; never creates one."""
    from drillsim.report.terminal import print_history
    from drillsim.store import NoHistory
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    if due:
        _print_due(workspace, scenarios or [Path("scenarios")], organisation_from or [])
        return
    try:
        store = workspace.history(create=False)
    except NoHistory:
        if workspace.history_named:
            raise
        console.print(
            f"No simulation or drill recorded yet ({workspace.history_path} does not exist): "
            "`drillsim simulate` and `drillsim drill` add to the history."
        )
        return
    with store:
        runs = store.runs(scenario)
        if scenario and not runs:
            known = store.scenarios()
            close = [s for s in known if scenario.lower() in s.lower()] or difflib.get_close_matches(
                scenario, known
            )
            hint = (
                f"; did you mean {', '.join(close)}?"
                if close
                else f" (recorded: {', '.join(known)})"
                if known
                else ""
            )
            console.print(f"Nothing recorded for scenario '{scenario}'{hint}")
            return
    print_history(runs, console)


def _print_due(workspace: Workspace, paths: list[Path], organisation_from: list[Path]) -> None:
    """The drills due among the scenario files in ``paths``, the last drills from the history when
    there is one. A file named on the command line must be valid (ScenarioError otherwise); one found
    in a folder is skipped with a note when it is not."""
    from drillsim.report.terminal import print_due
    from drillsim.scenario.loader import scenarios_in
    from drillsim.store import NoHistory

    try:
        store = workspace.history(create=False)
    except NoHistory:
        store = None
    with store or nullcontext():
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise CommandError(
                f"{', '.join(str(p) for p in missing)}: no such file or folder (name scenario "
                "files or folders with --scenarios)"
            )
        found = scenarios_in(paths, organisation_from, skip=_note_skipped)
        print_due(
            [(file, s.id, s.cadence, store.last_drill(s.id) if store else None) for file, s in found], console
        )


def _note_skipped(result: CheckResult) -> None:
    """A scenario found in a folder and left out of the listing: its first error and how many more."""
    more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
    errors.print(f"[yellow]skipped[/] {escape(str(result.errors[0]))}{more}")
