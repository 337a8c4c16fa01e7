"""The ``drillsim`` command. Thin: parses arguments, calls the packages, prints.

Exit codes: 0 success, 2 bad input (with a message naming file, line and field), 130 stopped by
Ctrl-C (128 + SIGINT, what shells report for an interrupted command), 1 an internal failure.
"""

from __future__ import annotations

import difflib
import json
import os
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from drillsim import __version__
from drillsim.scenario.errors import Problem, ScenarioError
from drillsim.scenario.loader import CheckResult, check_file, load_scenario, scenarios_in, yaml_files
from drillsim.scenario.model import Scenario

app = typer.Typer(
    name="drillsim",
    help="Emergency-drill simulation for AI security incidents: validate scenarios, simulate "
    "escalation, run live tabletop drills, score readiness.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="markdown",
)
msel_app = typer.Typer(help="Export or import a scenario's MSEL (Master Scenario Events List) as CSV.",
                       no_args_is_help=True, rich_markup_mode="markdown")
app.add_typer(msel_app, name="msel")

console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)
errors = Console(stderr=True, highlight=False, soft_wrap=True)
BAD_INPUT = 2
INTERRUPTED = 128 + signal.SIGINT  # 130: the shells' code for a command stopped by Ctrl-C


def fail(problems: list[Problem] | str) -> NoReturn:
    """Print what is wrong with the input and exit 2."""
    for problem in [problems] if isinstance(problems, str) else problems:
        errors.print(f"[red]error:[/] {problem}" if isinstance(problem, str) else str(problem), markup=isinstance(problem, str))
    raise typer.Exit(BAD_INPUT)


def interrupted(folder: Path) -> NoReturn:
    """After Ctrl-C stopped a run that wrote its folder: say where what finished is, exit 130."""
    errors.print(f"interrupted: {folder} keeps the replications that finished (run.json says so)")
    raise typer.Exit(INTERRUPTED)


@contextmanager
def ctrl_c_stops_this_process_only() -> Iterator[None]:
    """Make Ctrl-C interrupt this process and not the workers it forks.

    Ctrl-C sends SIGINT to every process in the terminal's foreground group, process-pool workers
    included. A worker that gets it fails its chunk or dies with a traceback, and the pool can be left
    waiting for it for ever. Workers forked while this is in place inherit a handler that does nothing
    in them; this process gets KeyboardInterrupt as usual, cancels what is queued and lets the workers
    finish their chunk and exit. (Workers started by spawn or forkserver, and Dask's, do not inherit it.)
    """
    main_process = os.getpid()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == main_process:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def scenario_argument(path: Path, organisation_from: list[Path] | None) -> Scenario:
    """Load a scenario named on the command line, or exit 2 with every error in it.
    ``organisation_from``: the folders of --allow-organisation-from."""
    try:
        return load_scenario(path, organisation_from or ())
    except ScenarioError as exc:
        fail(exc.problems)


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (only on a terminal); yields ``update(done)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def variant_argument(path: Path, overrides: list[str], files: list[Path] | None,
                     organisation_from: list[Path] | None, flag: str = "--set") -> Scenario:
    """A scenario with overrides files and ``flag`` overrides, or exit 2 naming every problem."""
    from drillsim.scenario.overrides import load_with_overrides

    try:
        return load_with_overrides(path, overrides, tuple(files or ()), organisation_from or (), flag)
    except ScenarioError as exc:
        fail(exc.problems)


class BackendChoice(str, Enum):
    serial = "serial"
    process = "process"
    dask = "dask"


BACKEND_OPTION = typer.Option(
    help="Where replications run: serial, process (a pool on this machine) or dask (a local Dask cluster, or "
         "--scheduler ADDRESS). Default: serial for one worker, else process.")
SCHEDULER_OPTION = typer.Option(metavar="ADDRESS", help="With --backend dask: join this Dask scheduler (tcp://host:8786).")

OVERRIDES_OPTION = typer.Option("--overrides", metavar="FILE",
                                help="A file of PATH: VALUE overrides (as drillsim calibrate writes) to apply first.")
DB_OPTION = typer.Option("--db", help="History database (default: $DRILLSIM_DB, else results/drillsim.db).")
NO_HISTORY_OPTION = typer.Option("--no-history", help="Keep this run out of the history (a smoke test, a trial).")
# One folder per use, rather than a switch that opens every path: a scenario file can then pull in the
# shared organisation file its coordinator meant, and nothing else (see docs/scenarios.md, Files).
ORGANISATION_FROM_OPTION = typer.Option(
    "--allow-organisation-from", metavar="DIR", exists=True, file_okay=False,
    help="Also read the organisation file a scenario names (organisation: PATH) from DIR and its subfolders. "
         "Without it, only files in the scenario's own folder and its subfolders are read. Repeat for several folders.")


def record_history(db: Path | None, kind: str, folder: Path, summary: dict[str, object], scenario: Scenario) -> None:
    """Add a finished run or drill to the history; exit 2 with the reason if the database refuses."""
    from drillsim.store import StoreError
    from drillsim.workspace import Workspace

    try:
        Workspace(db).record(kind, folder, summary, scenario.organisation.id)
    except StoreError as exc:
        fail(str(exc))


def version_callback(value: bool) -> None:
    if value:
        console.print(f"drillsim {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """drillsim: drills for AI security incidents."""


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario or organisation files, or folders of them.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only, not warnings.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Check scenario and organisation files and print every problem found.

    Each problem is printed as FILE:LINE:COLUMN: field.path: what is wrong (what was expected).
    Exits 2 when any file has an error (or, with --strict, a warning), 0 otherwise.
    """
    files = yaml_files(paths)
    if not files:
        fail(f"no YAML files in {', '.join(str(p) for p in paths)}")
    results = [check_file(f, organisation_from or ()) for f in files]
    shown: set[Problem] = set()
    for result in results:
        for problem in result.problems:
            if problem in shown or (quiet and problem.severity == "warning"):
                continue
            shown.add(problem)
            console.print(str(problem), style="red" if problem.severity == "error" else "yellow")
    _print_validation_summary(results)
    if any(r.errors for r in results) or (strict and any(r.warnings for r in results)):
        raise typer.Exit(BAD_INPUT)


def _print_validation_summary(results: list[CheckResult]) -> None:
    invalid = [r for r in results if r.errors]
    warnings = len({p for r in results for p in r.warnings})
    for result in results:
        mark = "[red]✗[/]" if result.errors else "[green]✓[/]"
        detail = f"{len(result.errors)} error(s)" if result.errors else result.kind
        console.print(f"{mark} {result.file} [dim]({detail})[/]")
    console.print(f"{len(results)} file(s) checked: {len(results) - len(invalid)} valid, {len(invalid)} invalid, "
              f"{warnings} warning(s)")


@app.command()
def schema(
    organisation: Annotated[bool, typer.Option("--organisation", help="The schema of organisation files instead.")] = False,
) -> None:
    """Print the JSON Schema of scenario files (or organisation files), for editors and tools."""
    from drillsim.scenario.schema import json_schema

    console.print(json.dumps(json_schema("organisation" if organisation else "scenario"), indent=2), markup=False)


@app.command()
def show(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Summarise a scenario: its organisation, escalation policies, incidents and MSEL."""
    from drillsim.summary import print_summary

    print_summary(scenario_argument(scenario, organisation_from), console)


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    replications: Annotated[int, typer.Option("--replications", "-n", min=1, max=10_000_000,
                                              help="How many times to run the scenario.")] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed; the same seed gives the same results.")] = 0,
    workers: Annotated[int | None, typer.Option(min=1, max=1024, help="Processes to run on (default: every core).")] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder to write (default: a new folder in results/ named by the UTC time and the scenario id).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json to stdout instead of tables.")] = False,
    trace: Annotated[bool, typer.Option(help="Also write every timeline record to trace.jsonl (large).")] = False,
    db: Annotated[Path | None, DB_OPTION] = None,
    no_history: Annotated[bool, NO_HISTORY_OPTION] = False,
    overrides_files: Annotated[list[Path] | None, OVERRIDES_OPTION] = None,
    backend: Annotated[BackendChoice | None, BACKEND_OPTION] = None,
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Simulate a scenario many times and report response times and regulatory deadlines.

    Writes a run folder with scenario.yaml (the exact scenario, organisation included), summary.json
    (same bytes for the same scenario, seed and replications, on any machine or worker count),
    metrics.csv (one row per replication and incident) and run.json (timings, versions).
    """
    from drillsim.engine.world import EventBudgetError
    from drillsim.experiments.replicate import BackendError, default_workers
    from drillsim.experiments.rundir import RunFolderError, RunInterrupted
    from drillsim.experiments.simulate import simulate as run_simulation
    from drillsim.report.terminal import print_simulation
    from drillsim.workspace import Workspace

    from drillsim.scenario.overrides import overrides_from
    from drillsim.scenario.snapshot import snapshot_text

    model_scenario = variant_argument(scenario, [], overrides_files, organisation_from)
    snapshot = snapshot_text(scenario, overrides_from([], overrides_files or []))
    with progress_bar("simulating", replications) as update:
        try:
            run = run_simulation(model_scenario, snapshot, count=replications, seed=seed,
                                 workers=workers or default_workers(), out=out, results=Workspace().root, trace=trace,
                                 backend=backend.value if backend else None, scheduler=scheduler, progress=update)
        except (RunFolderError, BackendError, EventBudgetError) as exc:
            fail(str(exc))
        except RunInterrupted as stopped:
            interrupted(stopped.folder)
    if not no_history:
        record_history(db, "simulation", run.folder, run.summary, model_scenario)
    report_path = write_report_or_fail(run.folder, db)
    if as_json:
        sys.stdout.write((run.folder / "summary.json").read_text(encoding="utf-8"))
        return
    print_simulation(run.summary, console)
    console.print(f"run folder: {run.folder} (report: {report_path})")


def write_report_or_fail(folder: Path, db: Path | None) -> Path:
    """Write report.md and report.html into a run or drill folder (with the readiness trend from the
    history when there is one); exit 2 naming what is wrong with the folder."""
    from drillsim.report.writer import ReportError, write_report
    from drillsim.workspace import Workspace

    history = Workspace(db).recorded_runs(folder)
    try:
        return write_report(folder, history)
    except ReportError as exc:
        fail(str(exc))


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A run folder (from simulate) or a drill folder.")],
    db: Annotated[Path | None, DB_OPTION] = None,
) -> None:
    """Regenerate report.md and report.html from a run or drill folder alone: a readiness report for a
    simulation, an after-action report and improvement plan (AAR/IP) for a drill."""
    console.print(f"wrote {write_report_or_fail(folder, db)} and report.md")


REPLICATIONS_OPTION = typer.Option("--replications", "-n", min=2, max=10_000_000,
                                   help="Replications per variant.")
SEED_OPTION = typer.Option(min=0, max=2**63 - 1, help="Random seed; the same seed gives the same results (variants run with it share random numbers).")
WORKERS_OPTION = typer.Option(min=1, max=1024, help="Processes to run on (default: every core).")


@app.command()
def compare(
    base: Annotated[Path, typer.Argument(help="The base scenario file.")],
    variants: Annotated[list[Path] | None, typer.Argument(help="Variant scenario files (same organisation).")] = None,
    overrides: Annotated[list[str] | None, typer.Option(
        "--set", metavar="PATH=VALUE",
        help="Make a variant of the base: e.g. escalation.sev1.levels[0].timeout=3m, or "
             "teams.safety.on_call.members+=dana. Repeat for several changes to one variant.")] = None,
    replications: Annotated[int, REPLICATIONS_OPTION] = 1000,
    seed: Annotated[int, SEED_OPTION] = 0,
    workers: Annotated[int | None, WORKERS_OPTION] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    independent: Annotated[bool, typer.Option(
        help="Give each variant its own seed instead of common random numbers (noisier; for checking).")] = False,
    overrides_files: Annotated[list[Path] | None, OVERRIDES_OPTION] = None,
    backend: Annotated[BackendChoice | None, BACKEND_OPTION] = None,
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Compare escalation structures: the base scenario against variants, with common random numbers.

    For readiness, each objective, each regulatory deadline and each metric: the paired difference
    (variant − base) with its 95% interval and a verdict — better, worse, or no significant
    difference. Metrics compare restricted means (a time not reached counts as the time to the horizon).
    """
    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.compare import Variant
    from drillsim.experiments.compare import compare as run_comparison
    from drillsim.experiments.replicate import BackendError, default_workers
    from drillsim.report.terminal import print_comparison

    base_scenario = scenario_argument(base, organisation_from)
    chosen = [(str(path), scenario_argument(path, organisation_from)) for path in variants or []]
    if overrides or overrides_files:
        name = " ".join([*(f"--overrides {f}" for f in overrides_files or []), *(f"--set {o}" for o in overrides or [])])
        chosen.append((name, variant_argument(base, overrides or [], overrides_files, organisation_from)))
    if not chosen:
        fail("nothing to compare: name variant files, or make a variant of the base with --set PATH=VALUE")
    for name, variant in chosen:
        if variant.organisation.id != base_scenario.organisation.id:
            fail(f"{name} describes organisation '{variant.organisation.id}', the base '{base_scenario.organisation.id}': "
                 "compare variants of one organisation")
    with progress_bar("comparing", replications) as update:
        try:
            result = run_comparison(Variant(str(base), compile_scenario(base_scenario)),
                                    [Variant(name, compile_scenario(s)) for name, s in chosen],
                                    seed=seed, count=replications, workers=workers or default_workers(),
                                    independent=independent, backend=backend.value if backend else None,
                                    scheduler=scheduler, progress=update)
        except BackendError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            errors.print("interrupted: nothing was written")
            raise typer.Exit(INTERRUPTED) from None
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        print_comparison(result, console)


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    grid: Annotated[list[str], typer.Option(
        "--grid", metavar="PATH=V1,V2,...",
        help="A setting and the values to try, e.g. escalation.sev1.levels[0].timeout=2m,5m,10m. "
             "Repeat for more settings: every combination runs.")],
    replications: Annotated[int, REPLICATIONS_OPTION] = 500,
    seed: Annotated[int, SEED_OPTION] = 0,
    workers: Annotated[int | None, WORKERS_OPTION] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for sweep.csv (default: a new folder in results/ named by the UTC time and the scenario id, ending in -sweep).")] = None,
    backend: Annotated[BackendChoice | None, BACKEND_OPTION] = None,
    scheduler: Annotated[str | None, SCHEDULER_OPTION] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Try every combination of a grid of settings and rank them by readiness (best first).

    Every combination runs with the same seed (common random numbers). Writes sweep.csv with the
    readiness, each objective's share met and key percentiles per combination, and run.json (whether
    every replication finished), and prints the table.
    """
    import datetime as dt

    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.replicate import BackendError, default_workers
    from drillsim.experiments.rundir import RunFolderError, RunInterrupted, create_run_folder
    from drillsim.experiments.sweep import GridError, combinations, parse_grid
    from drillsim.experiments.sweep import sweep as run_sweep
    from drillsim.report.terminal import print_sweep
    from drillsim.workspace import Workspace

    try:
        axes = parse_grid(grid)
    except GridError as exc:
        fail(str(exc))
    base = scenario_argument(scenario, organisation_from)
    settings = combinations(axes)
    models = [compile_scenario(variant_argument(scenario, chosen, None, organisation_from, "--grid"))
              for chosen in settings]
    try:
        folder = create_run_folder(out, Workspace().root, f"{base.id}-sweep", dt.datetime.now(dt.UTC))
    except RunFolderError as exc:
        fail(str(exc))
    with progress_bar(f"sweeping {len(settings)} combinations", replications) as update:
        try:
            rows = run_sweep(models, settings, axes, folder=folder, seed=seed, count=replications,
                             workers=workers or default_workers(), backend=backend.value if backend else None,
                             scheduler=scheduler, progress=update)
        except BackendError as exc:
            fail(str(exc))
        except RunInterrupted as stopped:
            interrupted(stopped.folder)
    print_sweep(rows, axes, replications, seed, console)
    console.print(f"sweep.csv: {folder / 'sweep.csv'}")


@app.command()
def structure(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
    mermaid: Annotated[bool, typer.Option("--mermaid", help="Print the escalation graph as Mermaid.")] = False,
    dot: Annotated[bool, typer.Option("--dot", help="Print the escalation graph as Graphviz DOT.")] = False,
    criticality: Annotated[bool, typer.Option(
        "--criticality", help="Also simulate: the readiness lost when each person is away, ranked.")] = False,
    replications: Annotated[int, typer.Option("--replications", "-n", min=2, max=1_000_000,
                                              help="With --criticality: replications per person.")] = 200,
    seed: Annotated[int, SEED_OPTION] = 0,
    workers: Annotated[int | None, WORKERS_OPTION] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Analyse the escalation structure without simulating: reach times per severity, incident and
    decision, single points of failure, load, and the escalation graph.

    With --criticality, simulate the scenario once per person with that person away for the whole
    run, and rank people by the readiness lost (paired with common random numbers).
    """
    from drillsim.report.structure import render_text
    from drillsim.structure import analyse

    model_scenario = scenario_argument(scenario, organisation_from)
    report = analyse(model_scenario)
    if mermaid or dot:
        sys.stdout.write((report.mermaid if mermaid else "") + (report.dot if dot else ""))
        return
    ranking = _criticality(model_scenario, replications, seed, workers) if criticality else None
    if as_json:
        data = report.to_json() | ({"criticality": ranking} if ranking is not None else {})
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    render_text(report, console)
    if ranking is not None:
        from drillsim.report.terminal import print_criticality

        print_criticality(ranking, replications, console)


def _criticality(scenario: Scenario, replications: int, seed: int, workers: int | None) -> list[dict[str, object]]:
    from drillsim.experiments.criticality import criticality
    from drillsim.experiments.replicate import default_workers

    with progress_bar(f"simulating {len(scenario.organisation.people)} people away", replications) as update:
        return criticality(scenario, seed=seed, count=replications, workers=workers or default_workers(),
                           progress=update)


@app.command()
def drill(
    scenario: Annotated[Path | None, typer.Argument(help="A scenario file (omit to pick one).")] = None,
    players: Annotated[list[str] | None, typer.Option(
        "--players", metavar="ROLE_OR_TEAM",
        help="Who is played by people in the room: roles, teams or person ids (repeat, or separate with commas). "
             "Everyone else is simulated.")] = None,
    speed: Annotated[float, typer.Option(help="Scenario time per real time: 1 is real time, 60 is a minute a second.")] = 1.0,
    seed: Annotated[int, SEED_OPTION] = 0,
    resume: Annotated[str | None, typer.Option(
        metavar="DRILL", help="Resume a drill: its id (a folder in results/drills/) or its folder.")] = None,
    serve: Annotated[bool, typer.Option(help="Serve the console to a browser (textual-serve) instead of the terminal.")] = False,
    host: Annotated[str, typer.Option(help="With --serve: the address to listen on. Any address but loopback "
                                           "requires a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="With --serve: the port.")] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="DRILLSIM_SERVE_TOKEN", show_envvar=True,
        help="With --serve: the token browsers must give (at least 16 characters; the environment variable "
             "keeps it out of the process list). Default: a random one when --host is not loopback, none on "
             "loopback.")] = None,
    db: Annotated[Path | None, DB_OPTION] = None,
    no_history: Annotated[bool, NO_HISTORY_OPTION] = False,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Run a live tabletop drill: injects on a clock, players in the room, the simulator for everyone else.

    Every action is written to journal.jsonl in the drill's folder (results/drills/DRILL-ID/) before the
    screen shows it;
    --resume rebuilds the drill from its journal. Ending the drill opens the hot wash and writes the
    results beside the journal.
    """
    from drillsim.drill.journal import JournalError
    from drillsim.drill.session import DrillError, DrillSession
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    if serve:
        arguments = [str(scenario)] if scenario else []
        arguments += [f"--players={p}" for p in players or []] + [f"--speed={speed}", f"--seed={seed}"]
        arguments += [f"--allow-organisation-from={folder}" for folder in organisation_from or []]
        arguments += ([f"--db={db}"] if db else []) + (["--no-history"] if no_history else [])
        _serve_drill(host, port, token, arguments + ([f"--resume={resume}"] if resume else []))
        return
    if token is not None:
        fail("--token is for --serve (the terminal console needs none)")
    try:
        if resume is not None:
            session = DrillSession.resume(workspace.drill_folder(resume))
        else:
            if scenario is None:
                from drillsim.tui.app import ScenarioPickerApp

                choice = ScenarioPickerApp(organisation_from=organisation_from or ()).run()
                if choice is None:
                    return
                scenario, players, speed = choice.scenario, list(choice.players), choice.speed
            from drillsim.scenario.snapshot import snapshot_text

            loaded = scenario_argument(scenario, organisation_from)
            names = [n.strip() for entry in players or [] for n in entry.split(",") if n.strip()]
            session = DrillSession.start(loaded, snapshot_text(scenario), players=names, speed=speed, seed=seed,
                                         results=workspace.root)
    except (DrillError, JournalError) as exc:
        fail(str(exc))
    from drillsim.tui.app import DrillApp

    try:
        DrillApp(session).run()
    finally:
        session.close()
    summary_path = session.folder / "summary.json"
    if session.ended and (session.folder / "hotwash.json").is_file() and summary_path.is_file():
        if not no_history:
            record_history(db, "drill", session.folder, json.loads(summary_path.read_text(encoding="utf-8")),
                           session.scenario)
        write_report_or_fail(session.folder, db)
    console.print(f"drill {session.folder.name}: journal in {session.folder / 'journal.jsonl'}"
                  + ("" if session.ended else f" (resume with: drillsim drill --resume {session.folder.name})"))


def _serve_drill(host: str, port: int, token: str | None, arguments: list[str]) -> None:
    """Serve the drill console to browsers (drillsim.serve): each browser session runs
    ``drillsim drill ARGUMENTS``; exit 2 with the reason when it cannot start."""
    from drillsim.serve import ServeError, serve

    command = " ".join(shlex.quote(part) for part in [sys.executable, "-m", "drillsim", "drill", *arguments])
    try:
        serve(command, host=host, port=port, token=token)
    except ServeError as exc:
        fail(str(exc))


@app.command()
def history(
    scenario: Annotated[str | None, typer.Option(help="Only this scenario id.")] = None,
    due: Annotated[bool, typer.Option(
        "--due", help="List the scenarios whose last live drill is older than their cadence.")] = False,
    scenarios: Annotated[list[Path] | None, typer.Option(
        "--scenarios", help="With --due: scenario files or folders to check (default: scenarios/).")] = None,
    db: Annotated[Path | None, DB_OPTION] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Simulations and drills over time, as separate series with the readiness trend; --due lists
    drills that are due. Reads the history database; never creates one."""
    from drillsim.report.terminal import print_due, print_history
    from drillsim.store import NoHistory, StoreError
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    try:
        store = workspace.history(create=False)
    except NoHistory as exc:
        if not workspace.history_named and not due:
            console.print(f"No simulation or drill recorded yet ({workspace.history_path} does not exist): `drillsim simulate` and "
                          "`drillsim drill` add to the history.")
            return
        if not due:
            fail(str(exc))
        store = None
    except StoreError as exc:
        fail(str(exc))
    try:
        if due:
            _print_due(store, scenarios or [Path("scenarios")], organisation_from, print_due)
            return
        runs = store.runs(scenario) if store else []
        if scenario and not runs and store:
            known = store.scenarios()
            close = [s for s in known if scenario.lower() in s.lower()] or difflib.get_close_matches(scenario, known)
            hint = f"; did you mean {', '.join(close)}?" if close else (f" (recorded: {', '.join(known)})" if known else "")
            console.print(f"Nothing recorded for scenario '{scenario}'{hint}")
            return
        print_history(runs, console)
    finally:
        if store:
            store.close()


def _print_due(store: Any, paths: list[Path], organisation_from: list[Path] | None,
               print_due: Callable[..., None]) -> None:
    """The drills due among the scenario files in ``paths``. A file named on the command line must be
    valid (exit 2 with its problems); one found in a folder is skipped with a note when it is not."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        fail(f"{', '.join(str(p) for p in missing)}: no such file or folder (name scenario files or folders with "
             "--scenarios)")
    def note(result: CheckResult) -> None:
        more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        errors.print(f"[yellow]skipped[/] {escape(str(result.errors[0]))}{more}")

    try:
        loaded = scenarios_in(paths, organisation_from or (), skip=note)
    except ScenarioError as exc:
        fail(exc.problems)
    print_due([(f, s.id, s.cadence, store.last_drill(s.id) if store else None) for f, s in loaded], console)


@app.command()
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="The scenario to calibrate.")],
    drills: Annotated[list[Path] | None, typer.Option(
        "--drills", metavar="FOLDER", help="Drill folders to learn from (default: every drill of this organisation "
                                           "in the history).")] = None,
    out: Annotated[Path | None, typer.Option(help="Overrides file to write (default: results/ID.calibrated.yaml, ID being the scenario id).")] = None,
    replications: Annotated[int, typer.Option("--replications", "-n", min=2, max=1_000_000,
                                              help="Replications for the readiness before and after.")] = 300,
    seed: Annotated[int, SEED_OPTION] = 0,
    workers: Annotated[int | None, WORKERS_OPTION] = None,
    db: Annotated[Path | None, DB_OPTION] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Learn acknowledgement delays (per role) and task durations from recorded drills.

    Shows each fit beside the scenario's assumption, writes an overrides file that simulate and
    compare accept (--overrides), and prints the readiness before and after. With too few
    observations for a role or task, it says so and keeps the assumption.
    """
    from drillsim.drill.calibrate import MIN_OBSERVATIONS, overrides_path, write_overrides
    from drillsim.drill.calibrate import calibrate as fit
    from drillsim.drill.journal import JournalError
    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.compare import Variant, compare as run_comparison
    from drillsim.experiments.replicate import default_workers
    from drillsim.fsutil import WriteError
    from drillsim.report.terminal import print_calibration
    from drillsim.store import StoreError
    from drillsim.workspace import Workspace

    workspace = Workspace(db)
    base = scenario_argument(scenario, organisation_from)
    if drills is None:
        try:
            with workspace.history() as store:
                drills = store.drill_folders(base.organisation.id)
        except StoreError as exc:
            fail(str(exc))
    if not drills:
        fail(f"no recorded drill of organisation {base.organisation.id}: run drillsim drill (and finish its hot wash), "
             "or name drill folders with --drills")
    try:
        fits, overrides = fit(base, drills)
    except JournalError as exc:
        fail(str(exc))
    print_calibration(fits, MIN_OBSERVATIONS, len(drills), console)
    if not overrides:
        console.print(f"Nothing fitted: every role and task has fewer than {MIN_OBSERVATIONS} observations.")
        return
    target = out or overrides_path(workspace.root, base)
    try:
        write_overrides(target, overrides, base, len(drills))
    except WriteError as exc:
        fail(str(exc))
    calibrated = variant_argument(scenario, [], [target], organisation_from)
    with progress_bar("readiness before and after", replications) as update:
        result = run_comparison(Variant("assumed", compile_scenario(base)), [Variant("calibrated", compile_scenario(calibrated))],
                                seed=seed, count=replications, workers=workers or default_workers(), progress=update)
    readiness = result["variants"][0]["results"].get("readiness")
    if readiness:
        low, high = readiness["ci95"]
        interval = f" (difference {readiness['difference']:+.1f}, 95% CI {low:+.1f} … {high:+.1f})" if low is not None else ""
        console.print(f"Readiness with the scenario's assumptions {readiness['base']:.1f}; calibrated from the drills "
                      f"{readiness['variant']:.1f}{interval}.")
    console.print(f"overrides: {target} (use: drillsim simulate {scenario} --overrides {target})")


@msel_app.command("export")
def msel_export(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file to write (default: stdout).")] = None,
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Write the scenario's MSEL as CSV with the HSEEP columns."""
    from drillsim.scenario.msel import export_csv

    text = export_csv(scenario_argument(scenario, organisation_from))
    if output is None:
        sys.stdout.write(text)
        return
    from drillsim.fsutil import WriteError, write_file

    try:
        write_file(output, text)
    except WriteError as exc:
        fail(str(exc))
    errors.print(f"wrote {output}")


@msel_app.command("import")
def msel_import(
    csv_file: Annotated[Path, typer.Argument(metavar="CSV", help="An MSEL as CSV (as `msel export` writes it).")],
    into: Annotated[Path, typer.Option("--into", help="The scenario file whose injects the CSV replaces.")],
    organisation_from: Annotated[list[Path] | None, ORGANISATION_FROM_OPTION] = None,
) -> None:
    """Replace a scenario's injects with the rows of an MSEL CSV.

    The scenario is only rewritten when the result validates; comments and the rest of the file are
    kept. Importing what `msel export` wrote changes nothing.
    """
    from drillsim.scenario.msel import import_csv

    try:
        changed = import_csv(csv_file, into, organisation_from or ())
    except ScenarioError as exc:
        fail(exc.problems)
    errors.print(f"updated {into}" if changed else f"{into} already has these injects; nothing changed")


def main() -> None:
    """The ``drillsim`` command. Ctrl-C anywhere ends it with a line on stderr and exit code 130."""
    with ctrl_c_stops_this_process_only():
        try:
            app()
        except KeyboardInterrupt:
            errors.print("interrupted")
            sys.exit(INTERRUPTED)
