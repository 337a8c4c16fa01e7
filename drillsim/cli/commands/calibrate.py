"""``drillsim calibrate``: acknowledgement delays, reachability and task durations fitted from drills and
incident history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drillsim.cli.console import console, errors, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db, OrganisationFrom, Seed, Workers, replications_option, worker_count

if TYPE_CHECKING:
    from drillsim.calibration.calibrate import TaskKey
    from drillsim.calibration.fitting import Sample
    from drillsim.scenario.model import Scenario


def calibrate(
    scenario: Annotated[Path, typer.Argument(help="The scenario to calibrate.")],
    drills: Annotated[
        list[Path] | None,
        typer.Option(
            "--drills",
            metavar="FOLDER",
            help="Drill folders to learn from (default, when no history is named either: every drill of "
            "this organisation in the history database).",
        ),
    ] = None,
    pagerduty: Annotated[
        list[Path] | None,
        typer.Option(
            "--pagerduty",
            metavar="PATH",
            help="PagerDuty incidents and log entries as saved from the REST API (JSON files, or folders "
            "of them; every page of a paginated list). Repeat for several.",
        ),
    ] = None,
    history_csv: Annotated[
        list[Path] | None,
        typer.Option(
            "--history-csv",
            metavar="FILE",
            help="Pages as CSV: incident, person, paged_at, acknowledged_at, escalated_at, resolved_at "
            "(see docs/history.md). Repeat for several.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Overrides file to write, ending in .yaml (default: results/ID.calibrated.yaml, ID being "
            "the scenario id); the report goes beside it as .md and .html."
        ),
    ] = None,
    prior_pages: Annotated[
        float,
        typer.Option(
            min=0,
            max=1000,
            help="How many pages a role's fit is worth to each of its people (and the organisation's to "
            "each role): small groups shrink toward their parent; 0 for no shrinkage.",
        ),
    ] = 5.0,
    bootstrap: Annotated[
        int,
        typer.Option(
            min=0, max=100_000, help="Bootstrap samples for each goodness-of-fit p-value (0: distance only)."
        ),
    ] = 199,
    replications: Annotated[
        int, replications_option("Replications for the readiness before and after.", maximum=1_000_000)
    ] = 300,
    seed: Seed = 0,
    workers: Workers = None,
    db: Db = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Learn acknowledgement delays and reachability (per person and role) and task durations from
    recorded drills and incident history (PagerDuty, CSV).

    Pages that stopped waiting before an answer (escalated, answered by someone else, resolved) are
    censored, never dropped. Shows each fit beside the scenario's assumption with its interval, pages
    and shrinkage; writes an overrides file that simulate and compare accept (--overrides) and a
    report beside it (goodness of fit included); prints the readiness before and after. Every input
    is read and checked before anything is written.
    """
    from rich.markup import escape

    from drillsim.calibration.calibrate import calibrate as fit
    from drillsim.calibration.csvhistory import read_csv_history
    from drillsim.calibration.history import History
    from drillsim.calibration.overrides import overrides_path, write_overrides
    from drillsim.calibration.pagerduty import read_pagerduty
    from drillsim.drill.calibrate import drill_history
    from drillsim.report.calibration import notes, print_calibration, warnings, write_calibration_report
    from drillsim.scenario.loader import load_scenario
    from drillsim.workspace import Workspace

    if out is not None and out.suffix not in (".yaml", ".yml"):
        raise CommandError(f"--out {out}: name a .yaml file (the report goes beside it as .md and .html)")
    workspace = Workspace(db)
    folders = organisation_from or ()
    base = load_scenario(scenario, folders)
    org = base.organisation
    histories: list[History] = []
    if drills is None and not (pagerduty or history_csv):
        with workspace.history() as store:
            drills = store.drill_folders(org.id)
        if not drills:
            raise CommandError(
                f"no recorded drill of organisation {org.id}: run drillsim drill (and finish its hot wash), "
                "name drill folders with --drills, or give an incident history (--pagerduty, --history-csv)"
            )
    durations: dict[TaskKey, Sample] = {}
    if drills:
        from_drills, durations = drill_history(drills, org)
        histories.append(from_drills)
    if pagerduty:
        histories.append(read_pagerduty(pagerduty, org))
    if history_csv:
        histories.append(read_csv_history(history_csv, org))
    result = fit(base, histories, durations, weight=prior_pages, samples=bootstrap, seed=seed)
    print_calibration(result, console)
    for warning in warnings(result):
        errors.print(f"[yellow]warning:[/] {escape(warning)}")
    for note in notes(result):
        errors.print(f"[dim]note:[/] {escape(note)}")
    if not result.overrides:
        console.print("Nothing fitted: the assumptions stand, and nothing was written.")
        return
    target = out or overrides_path(workspace.root, base)
    write_overrides(target, result.overrides, base, result.provenance)
    readiness = _readiness(scenario, base, target, folders, replications, seed, workers)
    if readiness:
        console.print(readiness)
    markdown, page = write_calibration_report(result, target, readiness)
    console.print(f"overrides: {target} (use: drillsim simulate {scenario} --overrides {target})")
    console.print(f"report: {page} (and {markdown.name})")


def _readiness(
    path: Path,
    base: Scenario,
    overrides: Path,
    folders: tuple[Path, ...] | list[Path],
    replications: int,
    seed: int,
    workers: int | None,
) -> str | None:
    """The readiness with the scenario's assumptions and with the calibration, paired (common random
    numbers), in a sentence; None when the scenario has no objectives to score."""
    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.compare import Variant
    from drillsim.experiments.compare import compare as run_comparison
    from drillsim.scenario.overrides import load_with_overrides

    calibrated = load_with_overrides(path, [], (overrides,), folders)
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
    if not readiness:
        return None
    low, high = readiness["ci95"]
    interval = (
        f" (difference {readiness['difference']:+.1f}, 95% CI {low:+.1f} … {high:+.1f})"
        if low is not None
        else ""
    )
    return (
        f"Readiness with the scenario's assumptions {readiness['base']:.1f}; calibrated "
        f"{readiness['variant']:.1f}{interval}."
    )
