"""``drillsim advise``: changes found from the structure, simulated against the base, ranked by the
readiness they gain; the best tried together."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drillsim.cli.console import console, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import (
    Backend,
    Db,
    OrganisationFrom,
    Scheduler,
    Workers,
    backend_name,
    replications_option,
    seed_option,
    worker_count,
)

if TYPE_CHECKING:
    from drillsim.scenario.model import Scenario

DEFAULT_REPLICATIONS = 200  # per change, for a scenario file (a run folder's own count otherwise)


def advise(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="A scenario file, or a run folder from drillsim simulate (then its scenario, seed and "
            "replications are used, advice.json is written into it and its report gets a 'What to "
            "change' section)."
        ),
    ],
    replications: Annotated[
        int | None,
        replications_option(
            f"Replications per change (default: the run folder's, else {DEFAULT_REPLICATIONS})."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        seed_option(
            "Random seed (default: the run folder's, else 0); every change shares its random numbers."
        ),
    ] = None,
    workers: Workers = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the advice as JSON (advice.json).")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write the change to apply as an overrides file, for drillsim simulate --overrides FILE.",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="Recommended changes to show.")] = 5,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the changes that showed no measurable gain.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--candidates", min=1, max=60, help="At most this many changes to simulate, most promising first."
        ),
    ] = 20,
    exhaustive: Annotated[
        bool,
        typer.Option(
            "--exhaustive",
            help="Run every change through every replication (by default a change clearly making things "
            "worse, clearly without effect, or clearly behind the best three stops early, at 50, 100, 200… "
            "replications).",
        ),
    ] = False,
    accept: Annotated[
        bool,
        typer.Option(
            "--accept",
            help="Record the change to apply in the history as an improvement plan item, followed with "
            "drillsim history --plan and drillsim plan update/close.",
        ),
    ] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="With --accept: who answers for it.")] = None,
    due: Annotated[
        str,
        typer.Option("--due", help="With --accept: due date, YYYY-MM-DD or days/weeks from today (30d, 6w)."),
    ] = "30d",
    backend: Backend = None,
    scheduler: Scheduler = None,
    db: Db = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Find changes that raise readiness, each simulated against the base with common random numbers.

    Candidates come from the escalation structure: shorten a level's timeout, a second on-call, move
    a handover, a delegate for a decision, cross-train or hire for a scarce role or skill, share a
    heavy rotation. A change is recommended only when the paired 95% interval of its readiness gain
    lies above zero and the gain is not clearly negligible (within ±0.5 points). Shows what each
    costs (people, on-call hours), the objectives and deadlines it moves, the best tried together,
    and the --set overrides that make it (drillsim compare re-runs any of them by hand).

    Where the base run measured why objectives were missed (its causes), those measurements choose
    what to try first. A change clearly out of the running stops early (--exhaustive: none does); the
    advice is the same for any number of workers. --accept records the change to apply as an
    improvement plan item.
    """
    from drillsim.experiments.advise import Run, recorded_baseline, summarise
    from drillsim.experiments.advise import advise as run_advice
    from drillsim.experiments.rundir import read_run, write_json
    from drillsim.fsutil import write_file
    from drillsim.report.advice import print_advice
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.overrides import overrides_file_text

    if (owner is not None or due != "30d") and not accept:
        raise CommandError("--owner and --due go with --accept")
    from drillsim import plans

    due_on = plans.due_date(due, plans.today()) if accept else None
    folder = scenario if scenario.is_dir() else None
    recorded = read_run(folder) if folder is not None else None
    path = folder / "scenario.yaml" if folder is not None else scenario
    folders = tuple(organisation_from or ())
    base = load_scenario(path, folders)
    count = replications or (recorded["replications"] if recorded else DEFAULT_REPLICATIONS)
    chosen_seed = seed if seed is not None else (recorded["seed"] if recorded else 0)
    run = Run(chosen_seed, count, worker_count(workers), backend_name(backend), scheduler, not exhaustive)
    try:
        if recorded and (recorded["seed"], recorded["replications"]) == (chosen_seed, count):
            baseline = recorded_baseline(base, recorded)
        else:
            with progress_bar("simulating the base", count) as update:
                baseline = summarise(base, run, update)
        advice = run_advice(
            path, base, baseline, run, organisation_folders=folders, limit=limit, progress=progress_bar
        )
    except KeyboardInterrupt:
        raise KeyboardInterrupt("nothing was written") from None  # said after "interrupted: "
    if out is not None and advice["apply"] is not None:
        apply = advice["apply"]
        write_file(
            out,
            overrides_file_text(
                apply["overrides"],
                [
                    f"drillsim advise: {apply['title']} for scenario {advice['scenario']} "
                    f"(readiness {apply['readiness']['difference']:+.1f}, 95% CI "
                    f"{apply['readiness']['ci95'][0]:+.1f} to {apply['readiness']['ci95'][1]:+.1f}; "
                    f"seed {advice['seed']}, {advice['replications']} replications).",
                    "Use with: drillsim simulate SCENARIO --overrides THIS_FILE (or compare).",
                ],
            ),
            parents=True,
        )
    if folder is not None:
        from drillsim.cli.commands.report import write_report

        write_json(folder / "advice.json", advice)
        write_report(folder, db)
    if as_json:
        sys.stdout.write(json.dumps(advice, indent=2, ensure_ascii=False) + "\n")
        return
    print_advice(advice, console, top=top, show_all=show_all)
    if accept:
        _accept(advice, base, folder.name if folder is not None else None, owner, due_on, db)
    if out is not None:
        console.print(
            f"wrote {out}" if advice["apply"] is not None else f"nothing to apply: {out} not written"
        )
    if folder is not None:
        console.print(f"wrote {folder / 'advice.json'}; the report's 'What to change' section shows it")


def _accept(
    advice: dict[str, Any],
    scenario: Scenario,
    run: str | None,
    owner: str | None,
    due: str | None,
    db: Path | None,
) -> None:
    """Record the change to apply as an improvement plan item (once: accepting the same change of the
    same run again adds nothing), and say so; nothing to apply, nothing recorded."""
    from drillsim import plans
    from drillsim.report.advice import gain
    from drillsim.workspace import Workspace

    apply = advice["apply"]
    if apply is None:
        console.print("nothing recommended: no improvement plan item recorded")
        return
    readiness = advice["base"]["readiness"]
    below = [o for o in advice["base"]["objectives"] if o["rating"] not in (None, "P")]
    issue = "; ".join(
        f"{o['id']} met in {o['p_met']:.1%} of simulated incidents (rated {o['rating']})" for o in below
    )
    origin = run or f"{scenario.id} seed {advice['seed']}, {advice['replications']} replications"
    sets = " ".join(f"--set {shlex.quote(text)}" for text in apply["set"])
    entry = plans.PlanEntry(
        "set:" + "\n".join(apply["set"]),
        issue or f"readiness {readiness['score']:.1f} (rated {readiness['rating']})",
        f"{apply['title']} (readiness {gain(apply['readiness'])}; try it: drillsim simulate "
        f"{shlex.quote(advice['scenario_file'])} {sets})",
        owner,
        due,
    )
    (item,) = Workspace(db).record_plan_items(
        scenario.id, scenario.organisation.id, plans.ADVISE, origin, [entry]
    )
    console.print(
        f"recorded improvement plan item {item.id} ({item.status}), due {item.due or '—'}, owner "
        f"{item.owner or '(assign)'}: drillsim history --plan follows it"
    )
