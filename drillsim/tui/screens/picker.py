"""Choose what to drill: a bundled scenario (the repository's scenarios/*.yaml) or one in the current
folder, the players in the room, and the speed. Dismisses with a :class:`DrillChoice` or None."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

import drillsim
from drillsim.drill.session import DrillError, players_of
from drillsim.scenario.model import Scenario
from drillsim.scenario.units import humanize
from drillsim.tui.format import DIM, RED

DEFAULT_SPEED = 60.0
BUNDLED = Path(drillsim.__file__).resolve().parent.parent / "scenarios"
_TITLE = re.compile(r"^title:\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class DrillChoice:
    """What the picker chose: the scenario file, who is played in the room, and the speed."""

    scenario: Path
    players: tuple[str, ...]
    speed: float


def bundled_scenarios(here: Path | None = None) -> list[Path]:
    """The repository's scenarios, then the *.yaml files in ``here`` (the current folder), once each."""
    found: dict[Path, Path] = {}
    for folder in (BUNDLED, here or Path.cwd()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.resolve(), path)
    return list(found.values())


def where(path: Path) -> str:
    """'tutorial.yaml · bundled' or 'mine.yaml · this folder' (or the full path)."""
    folder = path.resolve().parent
    if folder == BUNDLED.resolve():
        return f"{path.name} · bundled"
    if folder == Path.cwd().resolve():
        return f"{path.name} · this folder"
    return str(path)


def quick_title(path: Path) -> str:
    """The scenario's title line, without parsing the file (the list must show at once)."""
    try:
        match = _TITLE.search(path.read_text(encoding="utf-8", errors="replace")[:20000])
    except OSError:
        return path.name
    return match.group(1).strip("'\"") if match else path.name


def default_players(scenario: Scenario) -> str:
    """The first team with an on-call rotation: the people a tabletop usually seats."""
    teams = scenario.organisation.teams
    return next((tid for tid, team in teams.items() if team.on_call is not None), next(iter(teams), ""))


def describe(path: Path, scenario: Scenario) -> Text:
    org = scenario.organisation
    roles = sorted({r for p in org.people.values() for r in p.roles})
    return Text.assemble(
        (scenario.title, "bold"),
        "\n",
        (scenario.description or "", ""),
        "\n" if scenario.description else "",
        (
            (
                f"{path.name} · {org.name}: {len(org.people)} people · "
                f"{len(scenario.incidents)} incident kinds · {len(scenario.injects)} injects · "
                f"{len(scenario.objectives)} objectives · horizon {humanize(scenario.horizon)}"
            ),
            DIM,
        ),
        "\n",
        ("teams: ", "bold"),
        ", ".join(org.teams),
        "\n",
        ("roles: ", "bold"),
        ", ".join(roles),
    )


class ScenarioPicker(Screen[DrillChoice | None]):
    """Choose a scenario, the players and the speed before a drill starts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("ctrl+s", "start", "Start the drill", id="picker.start"),
    ]
    AUTO_FOCUS = "#picker-list"

    def __init__(self, paths: list[Path] | None = None, organisation_from: Sequence[Path] = ()) -> None:
        super().__init__(id="picker")
        self.paths = paths if paths is not None else bundled_scenarios()
        self.organisation_from = organisation_from  # folders --allow-organisation-from allows
        self.loaded: dict[Path, Scenario] = {}
        self.chosen: Path | None = None
        self._players_edited = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="picker-body"):
            with Vertical(id="picker-left", classes="panel") as left:
                left.border_title = "Scenarios"
                yield OptionList(
                    *[
                        Option(Text.assemble((quick_title(p), "bold"), "\n", (where(p), DIM)), id=str(i))
                        for i, p in enumerate(self.paths)
                    ],
                    id="picker-list",
                )
            with Vertical(id="picker-form", classes="panel") as form:
                form.border_title = "Start a drill"
                with VerticalScroll(id="picker-info-box"):
                    yield Static(Text("Choose a scenario on the left.", style=DIM), id="picker-info")
                yield Label("Players in the room: person ids, roles or teams, comma-separated")
                yield Input(id="picker-players", placeholder="e.g. safety, ben")
                yield Label("Speed: 1 = real time, 60 = a scenario minute per second")
                yield Input(str(int(DEFAULT_SPEED)), id="picker-speed", type="number")
                yield Button("Start the drill (ctrl+s)", id="picker-start", variant="success")
        yield Footer()

    def on_mount(self) -> None:
        if not self.paths:
            self.query_one("#picker-info", Static).update(
                Text("No scenario found: no scenarios/*.yaml and no *.yaml in the current folder.", style=RED)
            )
        else:
            self._choose(0)

    # --- choosing ---------------------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._choose(int(event.option.id or 0))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(int(event.option.id or 0))
        self.query_one("#picker-players", Input).focus()

    def _choose(self, index: int) -> None:
        path = self.paths[index]
        self.chosen = path
        if path in self.loaded:
            self._show(path)
            return
        self.query_one("#picker-info", Static).update(Text(f"Reading {path.name}…", style=DIM))
        self.run_worker(
            lambda: self._load(path), thread=True, group="load", name=str(path), exit_on_error=False
        )

    def _load(self, path: Path) -> Scenario:
        from drillsim.scenario.loader import load_scenario

        return load_scenario(path, self.organisation_from)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "load":
            return
        path = Path(event.worker.name)
        if event.state == WorkerState.SUCCESS:
            assert isinstance(event.worker.result, Scenario)  # the "load" workers return scenarios
            self.loaded[path] = event.worker.result
            if path == self.chosen:
                self._show(path)
        elif event.state == WorkerState.ERROR and path == self.chosen:
            error = event.worker.error
            problems = getattr(error, "problems", None)
            first = str(problems[0]) if problems else str(error)
            more = f" (and {len(problems) - 1} more)" if problems and len(problems) > 1 else ""
            self.query_one("#picker-info", Static).update(
                Text(f"{path.name} cannot be drilled: {first}{more}", style=RED)
            )

    def _show(self, path: Path) -> None:
        scenario = self.loaded[path]
        self.query_one("#picker-info", Static).update(describe(path, scenario))
        players = self.query_one("#picker-players", Input)
        if not self._players_edited:
            with players.prevent(Input.Changed):
                players.value = default_players(scenario)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "picker-players":
            self._players_edited = True

    # --- starting ---------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "picker-start":
            self.action_start()

    def action_start(self) -> None:
        path = self.chosen
        if path is None or path not in self.loaded:
            self.notify("Choose a scenario that loads first.", severity="error")
            return
        names = tuple(
            n.strip() for n in self.query_one("#picker-players", Input).value.split(",") if n.strip()
        )
        try:
            players_of(self.loaded[path].organisation, names)
        except DrillError as exc:
            self.notify(str(exc).removeprefix("--players "), title="Players", severity="error")
            return
        try:
            speed = float(self.query_one("#picker-speed", Input).value)
        except ValueError:
            speed = 0.0
        if not speed > 0:
            self.notify(
                "The speed must be a number above 0 (60 runs a scenario minute per second).",
                title="Speed",
                severity="error",
            )
            return
        self.dismiss(DrillChoice(path, names, speed))

    def action_cancel(self) -> None:
        self.dismiss(None)
