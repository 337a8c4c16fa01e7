"""``drillsim simulate``: replications of a scenario into a run folder, recorded in the history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.commands.report import write_report
from drillsim.cli.commands.structure import HEATMAP_REPLICATIONS, coverage_data
from drillsim.cli.console import console, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import (
    SEED_HELP,
    Backend,
    Db,
    NoHistoryFlag,
    OrganisationFrom,
    OverridesFiles,
    ScenarioFile,
    Scheduler,
    TimeZoneName,
    Workers,
    backend_name,
    replications_option,
    seed_option,
    time_zone_name,
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
    coverage: Annotated[
        bool,
        typer.Option(
            "--coverage",
            help="Also write coverage.json: on-call coverage by hour of the week and the chance a page "
            f"sent at each hour is acknowledged in time (simulated, as many replications per hour as "
            f"the run, at most {HEATMAP_REPLICATIONS}); the report shows both.",
        ),
    ] = False,
    timezone: TimeZoneName = None,
) -> None:
    """Simulate a scenario many times and report response times and regulatory deadlines.

    Writes a run folder with scenario.yaml (the exact scenario, organisation included), summary.json
    (same bytes for the same scenario, seed and replications, on any machine or worker count),
    metrics.csv (one row per replication and incident) and run.json (timings, versions); with
    --coverage, coverage.json.
    """
    from drillsim.experiments.simulate import simulate as run_simulation
    from drillsim.report.terminal import print_simulation
    from drillsim.scenario.overrides import load_with_overrides, overrides_from
    from drillsim.scenario.snapshot import snapshot_text
    from drillsim.workspace import Workspace

    if timezone is not None and not coverage:
        raise CommandError("--timezone goes with --coverage")
    zone_name = time_zone_name(timezone)
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
    if coverage:
        from drillsim.experiments.rundir import write_json

        try:
            data = coverage_data(
                model_scenario,
                zone_name,
                min(replications, HEATMAP_REPLICATIONS),
                seed,
                workers,
                backend_name(backend),
                scheduler,
            )
        except KeyboardInterrupt:  # the simulation is whole: keep its report, say what is missing
            write_report(run.folder, db)
            raise KeyboardInterrupt(
                f"{run.folder} keeps the simulation and its report; coverage.json was not written"
            ) from None
        write_json(run.folder / "coverage.json", data)
    report_path = write_report(run.folder, db)
    if as_json:
        sys.stdout.write((run.folder / "summary.json").read_text(encoding="utf-8"))
        return
    print_simulation(run.summary, console, str(scenario))
    console.print(f"run folder: {run.folder} (report: {report_path})")
