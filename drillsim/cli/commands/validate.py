"""``drillsim validate``: check scenario and organisation files, print every problem."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drillsim.cli.console import console
from drillsim.cli.exits import BAD_INPUT, CommandError
from drillsim.cli.options import OrganisationFrom

if TYPE_CHECKING:
    from drillsim.scenario.loader import CheckResult


def validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario or organisation files, or folders of them.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only, not warnings.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Check scenario and organisation files and print every problem found.

    Each problem is printed as FILE:LINE:COLUMN: field.path: what is wrong (what was expected).
    Exits 2 when any file has an error (or, with --strict, a warning), 0 otherwise.
    """
    from drillsim.scenario.errors import Problem
    from drillsim.scenario.loader import check_file, yaml_files

    files = yaml_files(paths)
    if not files:
        raise CommandError(f"no YAML files in {', '.join(str(p) for p in paths)}")
    results = [check_file(f, organisation_from or ()) for f in files]
    shown: set[Problem] = set()
    for result in results:
        for problem in result.problems:
            if problem in shown or (quiet and problem.severity == "warning"):
                continue
            shown.add(problem)
            console.print(str(problem), style="red" if problem.severity == "error" else "yellow")
    _print_summary(results, strict)
    if any(r.errors for r in results) or (strict and any(r.warnings for r in results)):
        raise typer.Exit(BAD_INPUT)


def _print_summary(results: list[CheckResult], strict: bool) -> None:
    """One line per file (✓ and its kind, or ✗ and its error count; with --strict, ✗ for warnings too),
    then the totals and, when --strict is what fails, that it is."""
    invalid = [r for r in results if r.errors]
    warnings = len({p for r in results for p in r.warnings})
    for result in results:
        failed = result.errors or (strict and result.warnings)
        mark = "[red]✗[/]" if failed else "[green]✓[/]"
        if result.errors:
            detail = f"{len(result.errors)} error(s)"
        elif strict and result.warnings:
            detail = f"{len(result.warnings)} warning(s), failing under --strict"
        else:
            detail = result.kind
        console.print(f"{mark} {result.file} [dim]({detail})[/]")
    console.print(
        f"{len(results)} file(s) checked: {len(results) - len(invalid)} valid, "
        f"{len(invalid)} invalid, {warnings} warning(s)"
    )
    if strict and warnings and not invalid:
        console.print("--strict: the warnings above fail the check (exit 2)", style="red")
