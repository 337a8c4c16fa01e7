"""``drillsim drill``: a live tabletop drill, in this terminal or as a room served to every seat."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drillsim.cli.console import console
from drillsim.cli.exits import CommandError
from drillsim.cli.options import Db, NoHistoryFlag, OrganisationFrom, Seed
from drillsim.serve import TOKEN_ENV

if TYPE_CHECKING:
    from drillsim.drill.session import DrillSession
    from drillsim.room.room import Room
    from drillsim.workspace import Workspace


def drill(
    scenario: Annotated[Path | None, typer.Argument(help="A scenario file (omit to pick one).")] = None,
    players: Annotated[
        list[str] | None,
        typer.Option(
            "--players",
            metavar="ROLE_OR_TEAM",
            help="Who is played by people in the room: roles, teams or person ids (repeat, or separate with "
            "commas). Each gets a seat of its own; everyone else is simulated.",
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
        bool,
        typer.Option(
            help="Run the drill as a room: one drill, a link per seat (coordinator, each player, evaluator, "
            "observer) for browsers or `drillsim join`. Prints the links and runs until Ctrl-C."
        ),
    ] = False,
    host: Annotated[
        str,
        typer.Option(
            help="With --serve: the address to listen on. Any address but loopback gives every seat a token."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="With --serve: the port.")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="With --serve: the address people reach the room at when it is not the one it listens "
            "on, e.g. https://drill.example.org behind a reverse proxy with TLS. The seats' links and QR "
            "codes use it.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar=TOKEN_ENV,
            show_envvar=True,
            help="With --serve: the coordinator seat's token (at least 16 characters; the environment "
            "variable keeps it out of the process list); giving one turns on seat tokens on loopback too. "
            "Default: random tokens, saved with the drill, when --host is not loopback.",
        ),
    ] = None,
    db: Db = None,
    no_history: NoHistoryFlag = False,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Run a live tabletop drill: injects on a clock, players in the room, the simulator for everyone else.

    Every action is written to journal.jsonl in the drill's folder (results/drills/DRILL-ID/) before any
    screen shows it; --resume rebuilds the drill from its journal. Finishing the hot wash writes the
    results, the after-action report and the history record at once.

    With --serve the drill is a room: everyone joins the same drill from their own seat's link.
    """
    from drillsim.room.room import Room
    from drillsim.workspace import Workspace

    if token is not None and not serve:
        raise CommandError("--token is for --serve (the terminal console needs none)")
    if public_url is not None and not serve:
        raise CommandError("--public-url is for --serve (the address of a served room)")
    listener, coordinator_token = None, None
    if serve:
        from drillsim.serve import choose_token, listening_socket, public_address

        coordinator_token = choose_token(host, token) if token is not None else None
        if public_url is not None:
            public_url = public_address(public_url, host, coordinator_token is not None)
        listener = listening_socket(host, port)  # before the drill: a port in use creates no drill
    with listener if listener is not None else contextlib.nullcontext():
        workspace = Workspace(db)
        session = _session(workspace, scenario, players, speed, seed, resume, organisation_from or ())
        if session is None:
            return
        room = Room(session, None if no_history else workspace)
        if listener is not None:
            _serve(room, listener, host, coordinator_token, public_url)
        else:
            _console(room)


def player_names(players: list[str] | None) -> list[str]:
    """The --players entries, commas split. CommandError for an option given with nobody in it."""
    names = [n.strip() for entry in players or [] for n in entry.split(",") if n.strip()]
    if players is not None and not names:
        raise CommandError(
            "--players names nobody: give roles, teams or person ids (or leave --players out to have "
            "everyone simulated)"
        )
    return names


def _session(
    workspace: Workspace,
    scenario: Path | None,
    players: list[str] | None,
    speed: float,
    seed: int,
    resume: str | None,
    organisation_from: tuple[Path, ...] | list[Path],
) -> DrillSession | None:
    """The drill to run: resumed, started from ``scenario``, or from the picker (None when cancelled)."""
    from drillsim.drill.session import DrillSession

    if resume is not None:
        return DrillSession.resume(workspace.drill_folder(resume))
    names = player_names(players)
    if scenario is None:
        from drillsim.tui.app import ScenarioPickerApp

        choice = ScenarioPickerApp(organisation_from=organisation_from).run()
        if choice is None:
            return None
        scenario, names, speed = choice.scenario, list(choice.players), choice.speed
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.snapshot import snapshot_text

    loaded = load_scenario(scenario, organisation_from)
    return DrillSession.start(
        loaded, snapshot_text(scenario), players=names, speed=speed, seed=seed, results=workspace.root
    )


def _console(room: Room) -> None:
    """The coordinator's console in this terminal, the room in this process."""
    from drillsim.room.seated import AtTheRoom
    from drillsim.tui.app import DrillApp

    seated = AtTheRoom(room)
    app = DrillApp(seated)
    try:
        app.run()
    finally:
        room.close()
    if app.goodbye is None:  # the console did not say goodbye itself (closed another way)
        console.print(seated.farewell(), highlight=False, soft_wrap=True)


def _serve(
    room: Room, listener: socket.socket, host: str, coordinator_token: str | None, public_url: str | None
) -> None:
    """Serve ``room`` on ``listener`` until Ctrl-C, printing the seats' links (at ``public_url`` when
    given). Seat tokens beyond loopback, or when the coordinator's was given."""
    from drillsim.room.server import serve_room
    from drillsim.serve import is_loopback

    with_tokens = not is_loopback(host) or coordinator_token is not None
    server = serve_room(
        room, listener, with_tokens=with_tokens, coordinator_token=coordinator_token, public_url=public_url
    )
    try:
        server.serve()
    finally:
        room.close()
    session = room.session
    hint = "" if session.ended else f"; resume with: drillsim drill --resume {session.folder.name} --serve"
    console.print(f"drill room {session.folder.name} closed{hint}", highlight=False, soft_wrap=True)
