"""``drillsim report``: report.md and report.html regenerated from a run or drill folder; and writing
them after a run (``write_report``, used by simulate and drill)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.console import console
from drillsim.cli.options import Db


def write_report(folder: Path, db: Path | None) -> Path:
    """Write report.md and report.html into a run or drill folder, with the readiness trend and the
    scenario's open improvement items from the history when there is one; return the HTML report's
    path. ReportError names what is wrong with the folder."""
    from drillsim.report.writer import write_report as write
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    return write(folder, workspace.recorded_runs(folder), workspace.open_plan_items(folder))


def report(
    folder: Annotated[Path, typer.Argument(help="A run folder (from simulate) or a drill folder.")],
    db: Db = None,
) -> None:
    """Regenerate report.md and report.html from a run or drill folder alone: a readiness report for a
    simulation, an after-action report and improvement plan (AAR/IP) for a drill."""
    console.print(f"wrote {write_report(folder, db)} and report.md")
