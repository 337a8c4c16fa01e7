"""``drillsim simulate``: replications of a scenario into a run folder, recorded in the history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.commands.report import write_report
from drillsim.cli.console import console, progress_bar
from drillsim.cli.options import (
    SEED_HELP,
    Backend,
    Db,
    NoHistoryFlag,
    OrganisationFrom,
    OverridesFiles,
    ScenarioFile,
    Scheduler,
    Workers,
    backend_name,
    replications_option,
    seed_option,
    worker_count,
)


def simulate(
    scenario: ScenarioFile,
    replications: Annotated[
        int, replications_option("How many times to run the scenario.", minimum=1)
    ] = 1000,
    seed: Annotated[int, seed_option(f"{SEED_HELP}.")] = 0,
    workers: Workers = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Run folder to write (default: a new folder in results/ named by the UTC time and the "
            "scenario id)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json to stdout instead of tables.")
    ] = False,
    trace: Annotated[
        bool, typer.Option(help="Also write every timeline record to trace.jsonl (large).")
    ] = False,
    db: Db = None,
    no_history: NoHistoryFlag = False,
    overrides_files: OverridesFiles = None,
    backend: Backend = None,
    scheduler: Scheduler = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Simulate a scenario many times and report response times and regulatory deadlines.

    Writes a run folder with scenario.yaml (the exact scenario, organisation included), summary.json
    (same bytes for the same scenario, seed and replications, on any machine or worker count),
    metrics.csv (one row per replication and incident) and run.json (timings, versions).
    """
    from drillsim.experiments.simulate import simulate as run_simulation
    from drillsim.report.terminal import print_simulation
    from drillsim.scenario.overrides import load_with_overrides, overrides_from
    from drillsim.scenario.snapshot import snapshot_text
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    files = tuple(overrides_files or ())
    model_scenario = load_with_overrides(scenario, [], files, organisation_from or ())
    snapshot = snapshot_text(scenario, overrides_from([], files))
    with progress_bar("simulating", replications) as update:
        run = run_simulation(
            model_scenario,
            snapshot,
            count=replications,
            seed=seed,
            workers=worker_count(workers),
            out=out,
            results=workspace.root,
            trace=trace,
            backend=backend_name(backend),
            scheduler=scheduler,
            progress=update,
        )
    if not no_history:
        workspace.record("simulation", run.folder, run.summary, model_scenario.organisation.id)
    report_path = write_report(run.folder, db)
    if as_json:
        sys.stdout.write((run.folder / "summary.json").read_text(encoding="utf-8"))
        return
    print_simulation(run.summary, console)
    console.print(f"run folder: {run.folder} (report: {report_path})")
