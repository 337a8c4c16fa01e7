"""``drillsim drill``: a live tabletop drill in the terminal, or served to browsers."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.commands.report import write_report
from drillsim.cli.console import console
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db, NoHistoryFlag, OrganisationFrom, Seed
from drillsim.serve import TOKEN_ENV


def drill(
    scenario: Annotated[Path | None, typer.Argument(help="A scenario file (omit to pick one).")] = None,
    players: Annotated[
        list[str] | None,
        typer.Option(
            "--players",
            metavar="ROLE_OR_TEAM",
            help="Who is played by people in the room: roles, teams or person ids (repeat, or separate with "
            "commas). Everyone else is simulated.",
        ),
    ] = None,
    speed: Annotated[
        float, typer.Option(help="Scenario time per real time: 1 is real time, 60 is a minute a second.")
    ] = 1.0,
    seed: Seed = 0,
    resume: Annotated[
        str | None,
        typer.Option(
            metavar="DRILL", help="Resume a drill: its id (a folder in results/drills/) or its folder."
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option(help="Serve the console to a browser (textual-serve) instead of the terminal.")
    ] = False,
    host: Annotated[
        str,
        typer.Option(
            help="With --serve: the address to listen on. Any address but loopback requires a token."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="With --serve: the port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar=TOKEN_ENV,
            show_envvar=True,
            help="With --serve: the token browsers must give (at least 16 characters; the environment "
            "variable keeps it out of the process list). Default: a random one when --host is not loopback, "
            "none on loopback.",
        ),
    ] = None,
    db: Db = None,
    no_history: NoHistoryFlag = False,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Run a live tabletop drill: injects on a clock, players in the room, the simulator for everyone else.

    Every action is written to journal.jsonl in the drill's folder (results/drills/DRILL-ID/) before the
    screen shows it;
    --resume rebuilds the drill from its journal. Ending the drill opens the hot wash and writes the
    results beside the journal.
    """
    from drillsim.drill.session import DrillSession
    from drillsim.workspace import Workspace

    if serve:
        arguments = [str(scenario)] if scenario else []
        arguments += [f"--players={p}" for p in players or []] + [f"--speed={speed}", f"--seed={seed}"]
        arguments += [f"--allow-organisation-from={folder}" for folder in organisation_from or []]
        arguments += ([f"--db={db}"] if db else []) + (["--no-history"] if no_history else [])
        serve_drill(host, port, token, arguments + ([f"--resume={resume}"] if resume else []))
        return
    if token is not None:
        raise CommandError("--token is for --serve (the terminal console needs none)")
    workspace = Workspace(db)
    if resume is not None:
        session = DrillSession.resume(workspace.drill_folder(resume))
    else:
        if scenario is None:
            from drillsim.tui.app import ScenarioPickerApp

            choice = ScenarioPickerApp(organisation_from=organisation_from or ()).run()
            if choice is None:
                return
            scenario, players, speed = choice.scenario, list(choice.players), choice.speed
        from drillsim.scenario.loader import load_scenario
        from drillsim.scenario.snapshot import snapshot_text

        loaded = load_scenario(scenario, organisation_from or ())
        names = [n.strip() for entry in players or [] for n in entry.split(",") if n.strip()]
        session = DrillSession.start(
            loaded, snapshot_text(scenario), players=names, speed=speed, seed=seed, results=workspace.root
        )
    from drillsim.tui.app import DrillApp

    try:
        DrillApp(session).run()
    finally:
        session.close()
    summary_path = session.folder / "summary.json"
    if session.ended and (session.folder / "hotwash.json").is_file() and summary_path.is_file():
        if not no_history:
            workspace.record(
                "drill",
                session.folder,
                json.loads(summary_path.read_text(encoding="utf-8")),
                session.scenario.organisation.id,
            )
        write_report(session.folder, db)
    resume_hint = "" if session.ended else f" (resume with: drillsim drill --resume {session.folder.name})"
    console.print(f"drill {session.folder.name}: journal in {session.folder / 'journal.jsonl'}{resume_hint}")


def serve_drill(host: str, port: int, token: str | None, arguments: list[str]) -> None:
    """Serve the drill console to browsers until Ctrl-C (drillsim.serve), each browser session running
    ``drillsim drill ARGUMENTS``. ServeError when it cannot start."""
    from drillsim.serve import serve

    command = " ".join(shlex.quote(part) for part in [sys.executable, "-m", "drillsim", "drill", *arguments])
    serve(command, host=host, port=port, token=token)
