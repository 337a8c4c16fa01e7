"""``drillsim sweep``: every combination of a grid of settings, ranked by readiness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.console import console, progress_bar
from drillsim.cli.options import (
    Backend,
    OrganisationFrom,
    Replications,
    ScenarioFile,
    Scheduler,
    Seed,
    Workers,
    backend_name,
    worker_count,
)


def sweep(
    scenario: ScenarioFile,
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid",
            metavar="PATH=V1,V2,...",
            help="A setting and the values to try, e.g. escalation.sev1.levels[0].timeout=2m,5m,10m. "
            "Repeat for more settings: every combination runs.",
        ),
    ],
    replications: Replications = 500,
    seed: Seed = 0,
    workers: Workers = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for sweep.csv (default: a new folder in results/ named by the UTC time and the "
            "scenario id, ending in -sweep)."
        ),
    ] = None,
    backend: Backend = None,
    scheduler: Scheduler = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Try every combination of a grid of settings and rank them by readiness (best first).

    Every combination runs with the same seed (common random numbers). Writes sweep.csv with the
    readiness, each objective's share met and key percentiles per combination, and run.json (whether
    every replication finished), and prints the table.
    """
    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.rundir import create_run_folder
    from drillsim.experiments.sweep import combinations, parse_grid
    from drillsim.experiments.sweep import sweep as run_sweep
    from drillsim.report.terminal import print_sweep
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.overrides import load_with_overrides
    from drillsim.workspace import Workspace

    axes = parse_grid(grid)
    folders = organisation_from or ()
    base = load_scenario(scenario, folders)
    settings = combinations(axes)
    models = [
        compile_scenario(load_with_overrides(scenario, chosen, (), folders, "--grid")) for chosen in settings
    ]
    folder = create_run_folder(out, Workspace().root, f"{base.id}-sweep", dt.datetime.now(dt.UTC))
    with progress_bar(f"sweeping {len(settings)} combinations", replications) as update:
        rows = run_sweep(
            models,
            settings,
            axes,
            folder=folder,
            seed=seed,
            count=replications,
            workers=worker_count(workers),
            backend=backend_name(backend),
            scheduler=scheduler,
            progress=update,
        )
    print_sweep(rows, axes, replications, seed, console)
    console.print(f"sweep.csv: {folder / 'sweep.csv'}")
