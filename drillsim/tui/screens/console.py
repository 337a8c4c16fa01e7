"""The live console: everything the coordinator watches, and one key per action.

Each tick (a timer on the app) advances the session to the clock's time and hands fresh views to
the panels, which change only what differs. Actions go to the session, which journals them (on
disk) before they take effect; a refused action becomes an error notification.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NamedTuple

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label

from drillsim.drill.seats import MAY, SeatKind, shown_injects, shows_entry, shows_record
from drillsim.drill.session import DrillError
from drillsim.room.seated import Seated
from drillsim.tui.format import (
    Names,
    Narrator,
    PendingTargets,
    calendar,
    journal_sentence,
    readiness_so_far,
    tplus,
    zone_of,
)
from drillsim.tui.screens.confirm import ConfirmModal
from drillsim.tui.screens.observation import Observation, ObservationModal
from drillsim.tui.widgets.clocks import RegulatoryClocks
from drillsim.tui.widgets.event_log import EventLog
from drillsim.tui.widgets.header import DrillHeader
from drillsim.tui.widgets.incidents import IncidentBoard
from drillsim.tui.widgets.msel import MselPanel
from drillsim.tui.widgets.objectives import ObjectivesPanel
from drillsim.tui.widgets.pages import PagesTable
from drillsim.tui.widgets.tasks import TasksTable

# Which room action each console action takes (what a seat must be allowed to do to see its key).
ACTION_NEEDS = {
    "acknowledge": "acknowledge",
    "complete": "complete",
    "detect": "detect",
    "observe": "observe",
    "toggle_pause": "pause",
    "faster": "speed",
    "slower": "speed",
    "skip": "skip",
    "end": "end",
}
FRESH_SECONDS = 6.0  # how long a newly released inject's box stays lit
MIN_SPEED, MAX_SPEED = 0.25, 14400.0  # a quarter of real time … four scenario hours per second


class Action(NamedTuple):
    """One console action: its key binding (with an id, so a keymap can move it) and palette entry."""

    name: str  # action_<name> on the screen
    key: str
    shown: str  # the key as the footer and palette show it
    label: str  # footer
    title: str  # command palette
    help: str
    id: str  # binding id


ACTIONS = (
    Action(
        "acknowledge",
        "a",
        "a",
        "Ack",
        "Acknowledge the selected page",
        "Record that the selected player answered the page under the cursor",
        "drill.acknowledge",
    ),
    Action(
        "complete",
        "c",
        "c",
        "Done",
        "Complete the selected task",
        "Record that the player finished the task under the cursor",
        "drill.complete",
    ),
    Action(
        "observe",
        "o",
        "o",
        "Observe",
        "Add an observation",
        "Write an evaluator's note at the current scenario time, optionally for one objective",
        "drill.observe",
    ),
    Action(
        "detect",
        "d",
        "d",
        "Detected",
        "Mark the selected incident as detected",
        "The room noticed the selected incident before any detection source did: it is detected now",
        "drill.detect",
    ),
    Action(
        "toggle_pause",
        "space",
        "space",
        "Pause",
        "Pause or resume the drill clock",
        "Pausing freezes scenario time and shifts every later inject",
        "drill.pause",
    ),
    Action(
        "faster",
        "plus,equals_sign",
        "+",
        "Faster",
        "Run the clock twice as fast",
        "Doubles the drill speed",
        "drill.faster",
    ),
    Action(
        "slower",
        "minus",
        "-",
        "Slower",
        "Run the clock half as fast",
        "Halves the drill speed",
        "drill.slower",
    ),
    Action(
        "skip",
        "n",
        "n",
        "Next inject",
        "Skip to the next inject",
        "Jump scenario time forward to the next MSEL inject",
        "drill.skip",
    ),
    Action(
        "end",
        "e",
        "e",
        "End",
        "End the drill and start the hot wash",
        "Stops the clock for good (asks first) and opens the hot-wash screen",
        "drill.end",
    ),
    Action(
        "links",
        "l",
        "l",
        "Links",
        "Show the seats' links",
        "Each seat's link (with its QR code) to hand to the people in the room",
        "drill.links",
    ),
    Action(
        "quit_drill",
        "q",
        "q",
        "Quit",
        "Quit the console",
        "Leave now; the journal is already on disk and the drill can be resumed from its folder",
        "drill.quit",
    ),
)


class ConsoleScreen(Screen[None]):
    """The coordinator's console: clock, pages, tasks, incidents, clocks, MSEL, objectives and the event
    log."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Pages⇄tasks", key_display="tab", id="drill.next_table"),
        *(Binding(a.key, a.name, a.label, key_display=a.shown, id=a.id) for a in ACTIONS),
    ]
    AUTO_FOCUS = "#pages"

    def __init__(self, seated: Seated, wall_clock: Callable[[], dt.datetime]) -> None:
        super().__init__(id="console")
        self.seated, self.session, self.wall_clock = seated, seated.session, wall_clock
        self.seat = seated.seat
        session = seated.session
        self.names = Names(session.scenario, session.players)
        self.narrator = Narrator(self.names)
        self.targets = PendingTargets(session)
        self.zone = zone_of(session.scenario)
        self.weights = {oid: o.weight for oid, o in session.scenario.objectives.items()}
        self._records_seen = self._entries_seen = 0
        self._injects_seen = -1  # -1 until the first refresh
        self._last: tuple[Any, ...] = ()
        self._horizon_told = False

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        s = self.session
        names = sorted(self.names(p) for p in s.players)
        count = (
            f"{len(names)} player{'s' if len(names) != 1 else ''}" if names else "no players (all simulated)"
        )
        you = "" if self.seat.kind is SeatKind.COORDINATOR else f" · your seat: {self.seat.label}"
        yield DrillHeader(
            s.scenario.title,
            f"{s.scenario.organisation.name} · {count}{you}",
            shows_script=self.seat.sees_all,
        )
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Vertical(id="incidents", classes="panel") as panel:
                    panel.border_title = "Incidents"
                    yield IncidentBoard(id="incident-board")
                yield MselPanel(reader=self.seat.sees_all)
                yield EventLog(self.narrator)
            with Vertical(id="right"):
                with Vertical(id="players", classes="panel") as panel:
                    panel.border_title = f"Players: {', '.join(names)}" if names else "Players: none"
                    yield Label("Open pages — a acknowledges the selected one", classes="subtitle")
                    yield PagesTable(id="pages")
                    yield Label("Tasks in progress — c completes the selected one", classes="subtitle")
                    yield TasksTable(id="tasks")
                with Vertical(id="clocks", classes="panel") as panel:
                    panel.border_title = "Regulatory clocks"
                    yield RegulatoryClocks(id="clocks-table")
                yield ObjectivesPanel()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # The panels, found once: a tick must not search the DOM.
        self.header, self.board = self.query_one(DrillHeader), self.query_one(IncidentBoard)
        self.clocks, self.msel = self.query_one(RegulatoryClocks), self.query_one(MselPanel)
        self.pages, self.tasks = self.query_one(PagesTable), self.query_one(TasksTable)
        self.log_panel, self.objectives = self.query_one(EventLog), self.query_one(ObjectivesPanel)
        self.refresh_views(force=True)

    # --- the tick -------------------------------------------------------------------------------

    def refresh_views(self, force: bool = False) -> None:
        """Show the session as it is now. Cheap when neither time nor the records moved."""
        s = self.session
        now = s.now
        released, upcoming = shown_injects(self.seat, *s.msel_view())
        at_horizon = now >= s.model.horizon
        self.header.show(
            now=now,
            calendar=calendar(s.scenario, now, self.zone),
            wall=self.wall_clock(),
            speed=s.clock.speed,
            paused=s.clock.paused,
            ended=s.ended,
            at_horizon=at_horizon,
            next_inject=(upcoming[0]["id"], upcoming[0]["at"] - now) if upcoming else None,
            journaled=len(s.journal.entries),
        )
        state = (now, len(s.records), s.clock.paused, s.ended)
        if state == self._last and not force:
            return
        self._last = state
        incidents = s.incidents_view()
        self.board.update_view(incidents, self.targets.tightest(), self.targets.resolved_in(), self.names)
        detected = {row["number"]: row["detected"] for row in incidents}
        self.clocks.update_view(s.clocks_view(), detected, now, self._deadline)
        self.msel.update_view(released, upcoming, now)
        new_injects = [i for i in released[max(self._injects_seen, 0) :] if i["kind"] != "incident"]
        if new_injects and self._injects_seen >= 0:  # not for what was already out when the console opened
            self.msel.add_class("-fresh")
            self.set_timer(FRESH_SECONDS, lambda: self.msel.remove_class("-fresh"))
        self._injects_seen = len(released)
        seat = self.seat
        self.pages.update_view([p for p in s.open_pages() if seat.concerns(p.person)], now, self.names)
        self.tasks.update_view([t for t in s.open_tasks() if seat.concerns(t.person)], now, self.names)
        self._log_news(new_injects)
        objectives = s.objectives_view()
        score = readiness_so_far(objectives, self.weights)
        self.objectives.update_view(objectives, score, self._rating(score[0]))
        if at_horizon and not s.ended and not self._horizon_told:
            self._horizon_told = True
            self.notify(
                "The scenario horizon is reached: nothing more will happen. Press e for the hot wash.",
                title="Horizon",
                timeout=10,
            )

    def _log_news(self, injects: list[dict[str, Any]]) -> None:
        """New injects for the players, journal entries and timeline records, into the log in time
        order (on a tie: the inject, then the coordinator's entry, which caused the records)."""
        s = self.session
        records, entries = s.records, s.journal.entries
        news: list[tuple[float, int, Any]] = [(i["at"], 0, i) for i in injects]
        news += [(e.time, 1, e) for e in entries[self._entries_seen :] if shows_entry(self.seat, e)]
        news += [(r.time, 2, r) for r in records[self._records_seen :] if shows_record(self.seat, r)]
        self._records_seen, self._entries_seen = len(records), len(entries)
        for time, kind, item in sorted(news, key=lambda n: (n[0], n[1])):
            if kind == 0:
                route = f" to {item['to']}" if item["to"] else ""
                said = "read it out" if self.seat.sees_all else item["text"]
                self.log_panel.add_note(
                    time, f"inject #{item['id']} ({item['kind']}{route}): {said}", "bold yellow"
                )
            elif kind == 1:
                self.log_panel.add_note(time, journal_sentence(item.action, item.args, s, self.names))
            else:
                self.log_panel.add_records([item])

    def _deadline(self, minutes: float) -> str:
        """A deadline's calendar time: weekday and time within six days, else the date."""
        soon = minutes - self.session.now < 6 * 24 * 60
        return calendar(self.session.scenario, minutes, self.zone, "%a %H:%M" if soon else "%d %b")

    def _rating(self, score: float | None) -> str | None:
        from drillsim.scoring import rating

        return None if score is None else rating(score / 100, self.session.scenario.ratings)

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys of what this seat may do (a player answers pages and finishes tasks, an evaluator
        observes, an observer only watches); the others are hidden."""
        if action == "links":
            return bool(self.seated.links)
        needs = ACTION_NEEDS.get(action)
        return needs is None or needs in MAY[self.seat.kind]

    def _act(self, action: str, args: dict[str, Any] | None = None) -> bool:
        """Take an action from this seat (journaled by the room before it takes effect, then shown in
        the log from the journal); a refusal becomes an error notification. True when it was taken
        or sent."""
        try:
            self.seated.act(action, args or {})
        except DrillError as exc:
            self.notify(str(exc), title="Not done", severity="error")
            return False
        self.refresh_views(force=True)
        return True

    def action_acknowledge(self) -> None:
        page_id = self.pages.selected_page()
        if page_id is None:
            self.notify("No open page to acknowledge.", severity="warning")
            return
        self._act("acknowledge", {"page": page_id})

    def action_complete(self) -> None:
        task_id = self.tasks.selected_task()
        if task_id is None:
            self.notify("No task in progress to complete.", severity="warning")
            return
        self._act("complete", {"task": task_id})

    def action_detect(self) -> None:
        number = self.board.selected_incident()
        if number is None:
            self.notify("No incident to mark as detected.", severity="warning")
            return
        self._act("detect", {"incident": number})

    def action_observe(self) -> None:
        if self.session.ended:
            self.notify(
                "The drill has ended: observations are closed (the journal takes only ratings now).",
                severity="error",
            )
            return
        objectives = [(oid, o.text) for oid, o in self.session.scenario.objectives.items()]
        self.app.push_screen(ObservationModal(objectives, tplus(self.session.now)), self._observed)

    def _observed(self, result: Observation | None) -> None:
        if result is None:
            return
        text, objective = result
        self._act("observe", {"text": text, "objective": objective})

    def action_toggle_pause(self) -> None:
        self._act("resume" if self.session.clock.paused else "pause")

    def _speed(self, factor: float) -> None:
        s = self.session
        speed = min(MAX_SPEED, max(MIN_SPEED, s.clock.speed * factor))
        if math.isclose(speed, s.clock.speed):
            self.notify(
                f"The speed is already ×{speed:g}, the {'fastest' if factor > 1 else 'slowest'} there is.",
                severity="warning",
            )
            return
        self._act("speed", {"speed": speed})

    def action_faster(self) -> None:
        self._speed(2.0)

    def action_slower(self) -> None:
        self._speed(0.5)

    def action_skip(self) -> None:
        if not self.session.msel_view()[1]:
            self.notify("No inject left to skip to.", severity="warning")
            return
        self._act("skip")

    def action_end(self) -> None:
        if self.session.ended:
            self.app.open_hotwash()  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            ConfirmModal(
                "End the drill?",
                "The clock stops for good and the hot wash starts. Everything so far is in the journal.",
                "End the drill",
                "Keep going",
            ),
            self._end_confirmed,
        )

    def _end_confirmed(self, yes: bool | None) -> None:
        if yes and self._act("end"):
            self.app.open_hotwash()  # type: ignore[attr-defined]

    def action_links(self) -> None:
        from drillsim.tui.screens.links import LinksModal

        seats = self.session.seats
        self.app.push_screen(LinksModal(self.seated.links, {s: seats[s].label for s in self.seated.links}))

    def action_quit_drill(self) -> None:
        self.app.quit_drill()  # type: ignore[attr-defined]

    # --- the command palette ----------------------------------------------------------------------

    def commands(self) -> Iterator[SystemCommand]:
        for a in ACTIONS:
            if not self.check_action(a.name, ()):
                continue
            yield SystemCommand(f"{a.title} ({a.shown})", a.help, getattr(self, f"action_{a.name}"))
        yield SystemCommand(
            "Where is the journal?", "Show the drill's folder and journal file", self.show_journal
        )

    def show_journal(self) -> None:
        s = self.session
        self.notify(
            f"{s.journal.path} — {len(s.journal.entries)} actions, each on disk before it took effect.",
            title="Journal",
            timeout=12,
        )
