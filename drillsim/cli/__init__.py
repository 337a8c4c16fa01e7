"""The ``drillsim`` command. Thin: each command parses its arguments, calls the packages and prints.

- ``commands/``: one module per command, registered below in the order ``--help`` lists them;
- ``options.py``: the options and arguments several commands share;
- ``exits.py``: the one table from the project's errors to exit codes (2 bad input, 130 Ctrl-C),
  applied by the root group for every command;
- ``console.py``: stdout, stderr and the progress bar.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from drillsim import __version__
from drillsim.cli.commands import (
    advise,
    calibrate,
    compare,
    drill,
    history,
    import_,
    join,
    msel,
    plan,
    report,
    schema,
    show,
    simulate,
    structure,
    sweep,
    validate,
)
from drillsim.cli.console import console
from drillsim.cli.exits import INTERRUPTED, ExitCodeGroup, ctrl_c_stops_this_process_only, explain

__all__ = ["INTERRUPTED", "app", "ctrl_c_stops_this_process_only", "main"]

app = typer.Typer(
    name="drillsim",
    cls=ExitCodeGroup,
    help="Emergency-drill simulation for AI security incidents: validate scenarios, simulate "
    "escalation, run live tabletop drills, score readiness.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="markdown",
)
for command in (
    validate.validate,
    schema.schema,
    show.show,
    simulate.simulate,
    report.report,
    compare.compare,
    sweep.sweep,
    structure.structure,
    advise.advise,
    drill.drill,
    join.join,
    history.history,
    calibrate.calibrate,
):
    app.command()(command)
app.add_typer(msel.app, name="msel")
app.add_typer(import_.app, name="import")
app.add_typer(plan.app, name="plan")


def _print_version(value: bool) -> None:
    if value:
        console.print(f"drillsim {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """drillsim: drills for AI security incidents."""


def main() -> None:
    """The ``drillsim`` command. Ctrl-C anywhere ends it with a line on stderr and exit code 130: inside
    a command through ``exits.ExitCodeGroup``, here while the command line is still being read."""
    with ctrl_c_stops_this_process_only():
        try:
            app()
        except KeyboardInterrupt as stop:
            explain(stop)
            sys.exit(INTERRUPTED)
