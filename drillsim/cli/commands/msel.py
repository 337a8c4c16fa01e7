"""``drillsim msel export`` and ``drillsim msel import``: a scenario's MSEL as CSV, out and back in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.console import errors
from drillsim.cli.options import OrganisationFrom, ScenarioFile

app = typer.Typer(
    help="Export or import a scenario's MSEL (Master Scenario Events List) as CSV.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("export")
def export(
    scenario: ScenarioFile,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV file to write (default: stdout).")
    ] = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Write the scenario's MSEL as CSV with the HSEEP columns."""
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.msel import export_csv

    text = export_csv(load_scenario(scenario, organisation_from or ()))
    if output is None:
        sys.stdout.write(text)
        return
    from drillsim.fsutil import write_file

    write_file(output, text)
    errors.print(f"wrote {output}")


@app.command("import")
def import_(
    csv_file: Annotated[
        Path, typer.Argument(metavar="CSV", help="An MSEL as CSV (as `msel export` writes it).")
    ],
    into: Annotated[Path, typer.Option("--into", help="The scenario file whose injects the CSV replaces.")],
    allow_empty: Annotated[
        bool,
        typer.Option("--allow-empty", help="Accept a CSV with no inject (a header only): empty the MSEL."),
    ] = False,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Replace a scenario's injects with the rows of an MSEL CSV.

    The scenario is only rewritten when the result validates; comments, quoting and the rest of the
    file are kept. Importing what `msel export` wrote changes nothing. Columns may be separated by
    commas, semicolons or tabs; scenario times may be durations (20m, 1h30m) or spreadsheet times
    (0:20:00); objectives are separated by commas or semicolons.
    """
    from drillsim.scenario.msel import import_csv

    changed = import_csv(csv_file, into, organisation_from or (), allow_empty=allow_empty)
    errors.print(f"updated {into}" if changed else f"{into} already has these injects; nothing changed")
