"""``drillsim history``: simulations and drills over time and the changes of a scenario's contents
(paired with --versions); with --plan, the improvement plan items still to do; with --due, the
drills that are due."""

from __future__ import annotations

import difflib
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from drillsim.cli.console import console, errors, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db, OrganisationFrom, worker_count

if TYPE_CHECKING:
    from drillsim.plans import PlanItem
    from drillsim.scenario.loader import CheckResult
    from drillsim.store import Run
    from drillsim.trend import VersionChange
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
    plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="List the improvement plan items still to do (from drills' after-action reports, "
            "recommendations accepted from `drillsim advise`, and `drillsim plan add`): overdue first, "
            "with owner, due date and where each came from. Change them with `drillsim plan`.",
        ),
    ] = False,
    all_items: Annotated[
        bool, typer.Option("--all", help="With --plan: list the items done or dropped too.")
    ] = False,
    versions: Annotated[
        bool,
        typer.Option(
            "--versions",
            help="With --scenario: run the paired comparison (common random numbers) of each change of "
            "the scenario's contents between two simulations, from the scenario.yaml their run folders "
            "keep, and call a change a regression only when its 95% interval excludes zero.",
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print JSON for scripts: the runs with their trend and the scenario's versions, or with "
            "--plan the items.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1024,
            help="With --versions: processes to run the comparisons on (default: every core).",
        ),
    ] = None,
    db: Db = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Simulations and drills over time, as separate series with the readiness trend, and readiness
    before and after each change of a scenario's contents; --plan lists the improvement plan items
    still to do; --due lists drills that are due. Reads the history database; never creates one."""
    from drillsim.store import NoHistory
    from drillsim.workspace import Workspace

    chosen = [flag for flag, on in (("--due", due), ("--plan", plan), ("--versions", versions)) if on]
    if len(chosen) > 1:
        raise CommandError(f"{' and '.join(chosen)} do not go together: choose one")
    if all_items and not plan:
        raise CommandError("--all goes with --plan (it lists the items done or dropped too)")
    if versions and not scenario:
        raise CommandError("--versions runs simulations: name the scenario with --scenario ID")
    workspace = Workspace(db)
    if due:
        _print_due(workspace, scenarios or [Path("scenarios")], organisation_from or [])
        return
    try:
        store = workspace.history(create=False)
    except NoHistory:
        if workspace.history_named:
            raise
        if as_json:
            _print_json({"items": []} if plan else {"runs": [], "versions": []})
        else:
            console.print(
                f"No simulation or drill recorded yet ({workspace.history_path} does not exist): "
                "`drillsim simulate` and `drillsim drill` add to the history."
            )
        return
    with store:
        known = store.scenarios()
        if scenario and scenario not in known:
            console.print(f"Nothing recorded for scenario '{scenario}'{scenario_hint(scenario, known)}")
            return
        if plan:
            items = store.plan_items(scenario, closed=all_items)
            closed = 0 if all_items else len(store.plan_items(scenario, closed=True)) - len(items)
        else:
            runs = store.runs(scenario)
    if plan:
        _print_plan(items, closed, as_json)
    else:
        _print_runs(runs, workers if versions else None, as_json, compare=versions)


def scenario_hint(scenario: str, known: list[str]) -> str:
    """'; did you mean …?' with the recorded ids containing ``scenario`` or close to it, else the
    recorded ids."""
    close = [s for s in known if scenario.lower() in s.lower()] or difflib.get_close_matches(scenario, known)
    if close:
        return f"; did you mean {', '.join(close)}?"
    return f" (recorded: {', '.join(known)})" if known else ""


def _print_plan(items: list[PlanItem], closed: int, as_json: bool) -> None:
    from drillsim import plans
    from drillsim.report.plan import print_plan

    today = plans.today()
    if as_json:
        ordered = plans.listing_order(items, today)
        _print_json({"today": today.isoformat(), "items": [item.as_json(today) for item in ordered]})
    else:
        print_plan(items, today, console, closed=closed)


def _print_runs(runs: list[Run], workers: int | None, as_json: bool, *, compare: bool) -> None:
    """The runs with their trend, then the changes of the scenario's contents — each paired by
    simulation when ``compare``, on ``workers``."""
    from dataclasses import asdict

    from drillsim.report.terminal import print_history
    from drillsim.report.versions import change_json, print_versions
    from drillsim.trend import trends, version_changes

    changes = version_changes(runs)
    paired = [_paired(change, workers) for change in changes] if compare else None
    if as_json:
        _print_json(
            {
                "runs": [
                    asdict(run) | {"change": t.change, "verdict": t.verdict}
                    for run, t in zip(runs, trends(runs), strict=True)
                ],
                "versions": [
                    change_json(change, paired[i] if paired else None) for i, change in enumerate(changes)
                ],
            }
        )
        return
    print_history(runs, console)
    print_versions(changes, console, paired)
    if compare and not changes:
        console.print("The scenario's contents did not change between its simulations: nothing to pair.")


def _paired(change: VersionChange, workers: int | None) -> dict[str, Any] | str:
    """The readiness row of the paired comparison of a change's two versions (the newer run's seed
    and replication count), or why it cannot be run."""
    from drillsim.experiments.rundir import RunFolderError
    from drillsim.experiments.versions import compare_versions
    from drillsim.scenario.errors import ScenarioError

    after = change.after
    if after.seed is None or after.replications is None:
        return "the newer run has no seed or replication count recorded"
    label = f"{after.scenario} v{change.versions[0]} against v{change.versions[1]}"
    try:
        with progress_bar(f"pairing {label}", after.replications) as update:
            result = compare_versions(
                Path(change.before.folder),
                Path(after.folder),
                seed=after.seed,
                count=after.replications,
                workers=worker_count(workers),
                progress=update,
            )
    except RunFolderError as exc:
        return str(exc)
    except ScenarioError as exc:
        return f"a scenario.yaml no longer validates: {exc.problems[0]}"
    except KeyboardInterrupt:
        raise KeyboardInterrupt("nothing was written") from None
    readiness: dict[str, Any] | None = result["variants"][0]["results"].get("readiness")
    return readiness if readiness is not None else "neither version has a readiness score"


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


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
