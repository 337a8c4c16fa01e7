"""``drillsim calibrate``: acknowledgement delays and task durations fitted from recorded drills."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.console import console, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db, OrganisationFrom, Seed, Workers, replications_option, worker_count


def calibrate(
    scenario: Annotated[Path, typer.Argument(help="The scenario to calibrate.")],
    drills: Annotated[
        list[Path] | None,
        typer.Option(
            "--drills",
            metavar="FOLDER",
            help="Drill folders to learn from (default: every drill of this organisation in the history).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Overrides file to write (default: results/ID.calibrated.yaml, ID being the scenario id)."
        ),
    ] = None,
    replications: Annotated[
        int, replications_option("Replications for the readiness before and after.", maximum=1_000_000)
    ] = 300,
    seed: Seed = 0,
    workers: Workers = None,
    db: Db = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Learn acknowledgement delays (per role) and task durations from recorded drills.

    Shows each fit beside the scenario's assumption, writes an overrides file that simulate and
    compare accept (--overrides), and prints the readiness before and after. With too few
    observations for a role or task, it says so and keeps the assumption.
    """
    from drillsim.drill.calibrate import MIN_OBSERVATIONS, overrides_path, write_overrides
    from drillsim.drill.calibrate import calibrate as fit
    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.compare import Variant
    from drillsim.experiments.compare import compare as run_comparison
    from drillsim.report.terminal import print_calibration
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.overrides import load_with_overrides
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    folders = organisation_from or ()
    base = load_scenario(scenario, folders)
    if drills is None:
        with workspace.history() as store:
            drills = store.drill_folders(base.organisation.id)
    if not drills:
        raise CommandError(
            f"no recorded drill of organisation {base.organisation.id}: run drillsim drill "
            "(and finish its hot wash), or name drill folders with --drills"
        )
    fits, overrides = fit(base, drills)
    print_calibration(fits, MIN_OBSERVATIONS, len(drills), console)
    if not overrides:
        console.print(f"Nothing fitted: every role and task has fewer than {MIN_OBSERVATIONS} observations.")
        return
    target = out or overrides_path(workspace.root, base)
    write_overrides(target, overrides, base, len(drills))
    calibrated = load_with_overrides(scenario, [], (target,), folders)
    with progress_bar("readiness before and after", replications) as update:
        result = run_comparison(
            Variant("assumed", compile_scenario(base)),
            [Variant("calibrated", compile_scenario(calibrated))],
            seed=seed,
            count=replications,
            workers=worker_count(workers),
            progress=update,
        )
    readiness = result["variants"][0]["results"].get("readiness")
    if readiness:
        low, high = readiness["ci95"]
        interval = (
            f" (difference {readiness['difference']:+.1f}, 95% CI {low:+.1f} … {high:+.1f})"
            if low is not None
            else ""
        )
        console.print(
            f"Readiness with the scenario's assumptions {readiness['base']:.1f}; calibrated from "
            f"the drills {readiness['variant']:.1f}{interval}."
        )
    console.print(f"overrides: {target} (use: drillsim simulate {scenario} --overrides {target})")
