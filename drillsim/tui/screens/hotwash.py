"""The hot wash: each objective with its live result, where that result falls among the simulated
ones, and the rating (P/S/M/U) the coordinator settles on — suggested from the live result (and by
the evaluator's seat), changed with one key. Every change is journaled; "finish" has the drill room
write every result at once: hotwash.json, summary.json, the after-action report and the history.

The rows come from a hot-wash provider with the contract of ``drillsim.drill.hotwash``:
``hotwash_rows(session[, simulated]) -> list[dict]`` (id, text, metric, target, live, met, suggested,
percentile; ``simulated`` left to the provider's default unless the app was given one). The rows take
a simulation, so they are computed in a thread while the screen shows that it is comparing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from drillsim.drill.seats import SeatKind
from drillsim.drill.session import DrillError, DrillSession
from drillsim.report.labels import RATING_STYLES, RATING_WORDS, RATINGS, metric_label, versus_simulation
from drillsim.room.seated import Seated
from drillsim.scenario.units import humanize
from drillsim.tui.format import DIM, GREEN, RED, tplus
from drillsim.tui.widgets.live_table import Cell, LiveTable

RATE = Binding.Group("Rate the objective", compact=True)


class HotWashProvider(Protocol):
    """Scores a drill for the hot wash (``drillsim.drill.hotwash``, or a test's)."""

    def hotwash_rows(self, session: DrillSession, simulated: Any = ...) -> list[dict[str, Any]]: ...


class HotWashTable(LiveTable):
    """Each objective's live result, its place among simulated incidents, the suggested and chosen ratings."""

    COLUMNS = (
        ("id", "objective", 22),
        ("target", "target", 7),
        ("live", "live", 9),
        ("result", "result", 13),
        ("versus", "vs simulation", 17),
        ("suggested", "sugg.", 6),
        ("rating", "rating (p/s/m/u)", None),
    )

    def show_rows(self, rows: list[dict[str, Any]], ratings: dict[str, str]) -> None:
        self.sync((row["id"], self._cells(row, ratings.get(row["id"]))) for row in rows)

    @staticmethod
    def _cells(row: dict[str, Any], rating: str | None) -> tuple[Cell, ...]:
        met = row["met"]
        colour = {"met": GREEN, "missed": RED, "not reached": RED}.get(row["result"], DIM)
        result: Cell = (row["result"], colour)
        suggested = row["suggested"]
        if rating:
            chosen: Cell = (f"{rating}  {RATING_WORDS[rating]}", f"bold {RATING_STYLES[rating]}")
        else:
            chosen = (f"—  {row['result']}" if met is None else "—  to rate", DIM)
        return (
            (row["id"], "bold"),
            humanize(row["target"]),
            humanize(row["live"]),
            result,
            versus_simulation(row["percentile"]),
            (suggested or "—", RATING_STYLES.get(suggested or "", DIM)),
            chosen,
        )


class HotWashScreen(Screen[None]):
    """The hot wash: rate each objective, review observations, write the results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "rate('P')", "P", id="hotwash.rate_p", group=RATE),
        Binding("s", "rate('S')", "S", id="hotwash.rate_s", group=RATE),
        Binding("m", "rate('M')", "M", id="hotwash.rate_m", group=RATE),
        Binding("u", "rate('U')", "U", id="hotwash.rate_u", group=RATE),
        Binding("f", "finish", "Finish & write results", id="hotwash.finish"),
        Binding("escape", "back", "Back to console", id="hotwash.back"),
        Binding("q", "quit_drill", "Quit", id="hotwash.quit"),
    ]
    AUTO_FOCUS = "#hotwash-table"

    def __init__(self, seated: Seated, provider: HotWashProvider, simulated: Any) -> None:
        super().__init__(id="hotwash")
        self.seated, self.session = seated, seated.session
        self.provider, self.simulated = provider, simulated
        self.rows: list[dict[str, Any]] = []
        self.ratings: dict[str, str] = {}
        self.coordinator = seated.seat.kind is SeatKind.COORDINATOR  # who rates; an evaluator suggests

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the coordinator finishes; the coordinator rates and the evaluator suggests ratings."""
        if action == "finish":
            return self.coordinator
        if action == "rate":
            return self.coordinator or self.seated.seat.kind is SeatKind.EVALUATOR
        return True

    def compose(self) -> ComposeResult:
        s = self.session
        with Vertical(id="hotwash-top", classes="panel") as top:
            top.border_title = "Hot wash"
            yield Static(
                Text.assemble(
                    (s.scenario.title, "bold"),
                    "\n",
                    (
                        (
                            f"Play ended at {tplus(s.now)}. Rate each objective: p, s, m or u on the "
                            "selected row (the suggestion comes from the live result). Live times run "
                            "from detection; 'vs simulation' places them among all simulated incidents, "
                            "pooled."
                        ),
                        "",
                    ),
                ),
                id="hotwash-intro",
            )
            yield HotWashTable(id="hotwash-table")
            yield Static(id="hotwash-tally")
        with Vertical(id="hotwash-detail-panel", classes="panel") as detail:
            detail.border_title = "Selected objective"
            yield Static(
                Text("Comparing the live results with the simulation…", style=DIM), id="hotwash-detail"
            )
        with VerticalScroll(id="hotwash-notes", classes="panel") as notes:
            notes.border_title = "All observations"
            yield Static(self._all_observations(), id="hotwash-notes-text")
        yield Static(
            Text("Press f to write the results when the ratings are agreed.", style=DIM), id="hotwash-result"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.run_worker(self._compute_rows, thread=True, name="hotwash-rows", exit_on_error=False)

    def _compute_rows(self) -> list[dict[str, Any]]:
        if self.simulated is None:
            return self.provider.hotwash_rows(self.session)
        return self.provider.hotwash_rows(self.session, self.simulated)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "hotwash-rows":
            return
        if event.state == WorkerState.SUCCESS:
            self.rows = list(event.worker.result or [])
            self.ratings = {row["id"]: row["suggested"] for row in self.rows if row.get("suggested")}
            self.ratings.update(self._journaled_ratings())
            self._show_ratings()
            self._show_detail()
        elif event.state == WorkerState.ERROR:
            self.query_one("#hotwash-detail", Static).update(
                Text(f"Could not compare with the simulation: {event.worker.error}", style=RED)
            )
            self.notify(f"Hot wash: {event.worker.error}", severity="error")

    def _all_observations(self) -> Text:
        notes = [e for e in self.session.journal.entries if e.action == "observe"]
        if not notes:
            return Text("No observation was recorded during play.", style=DIM)
        return Text("\n").join(
            Text.assemble(
                (f"{tplus(e.time):>10} ", DIM),
                (f"[{e.args['objective']}] " if e.args.get("objective") else "", "cyan"),
                str(e.args.get("text", "")),
            )
            for e in notes
        )

    def _show_ratings(self) -> None:
        self.query_one(HotWashTable).show_rows(self.rows, self.ratings)
        counts = " · ".join(
            f"{letter} {sum(1 for r in self.ratings.values() if r == letter)}" for letter in RATINGS
        )
        to_rate = [row["id"] for row in self.rows if row["id"] not in self.ratings and row["met"] is not None]
        left = f"   {len(to_rate)} to rate" if to_rate else "   all rated: f writes the results"
        self.query_one("#hotwash-tally", Static).update(
            Text.assemble(("Ratings: ", "bold"), counts, (left, DIM))
        )

    def _journaled_ratings(self) -> dict[str, str]:
        """Ratings already given (a resumed drill): the journal's last word per objective."""
        return {
            e.args["objective"]: e.args["rating"]
            for e in self.session.journal.entries
            if e.action == "rate" and e.args.get("rating") in RATINGS
        }

    # --- the selected objective ---------------------------------------------------------------------

    def _selected(self) -> dict[str, Any] | None:
        key = self.query_one(HotWashTable).selected_key()
        return next((row for row in self.rows if row["id"] == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self._selected()
        widget = self.query_one("#hotwash-detail", Static)
        if row is None:
            widget.update(Text("No objectives in this scenario.", style=DIM))
            return
        notes = [e for e in self.session.journal.entries if e.action == "observe"]
        mine = [e for e in notes if e.args.get("objective") == row["id"]]
        general = [e for e in notes if not e.args.get("objective")]
        parts: list[Text | str] = [
            Text.assemble((row["id"], "bold"), ": ", row["text"]),
            Text(
                f"{metric_label(row['metric'])} within {humanize(row['target'])}; "
                f"live {humanize(row['live'])}"
                + (
                    f"; {versus_simulation(row['percentile'])} of the simulated runs (everyone simulated)."
                    if row["percentile"] is not None
                    else "."
                ),
                style=DIM,
            ),
        ]
        if mine:
            parts.append(Text("Observations on this objective:", style="bold"))
            parts.extend(
                Text.assemble((f"  {tplus(e.time)} ", DIM), str(e.args.get("text", ""))) for e in mine
            )
        else:
            parts.append(Text("No observation recorded for this objective.", style=DIM))
        if general:
            parts.append(
                Text(
                    f"{len(general)} general observation(s): "
                    + "; ".join(str(e.args.get("text", "")) for e in general[-3:]),
                    style=DIM,
                )
            )
        widget.update(Text("\n").join(Text(p) if isinstance(p, str) else p for p in parts))

    # --- actions ----------------------------------------------------------------------------------

    def action_rate(self, letter: str) -> None:
        row = self._selected()
        if row is None:
            self.notify("Nothing to rate yet.", severity="warning")
            return
        try:
            self.seated.act(
                "rate" if self.coordinator else "suggest", {"objective": row["id"], "rating": letter}
            )
        except DrillError as exc:
            self.notify(str(exc), title="Not rated", severity="error")
            return
        if self.coordinator:
            self.ratings[row["id"]] = letter
            self._show_ratings()
        else:
            self.notify(f"Suggested {letter} for {row['id']} to the coordinator.", timeout=5)

    def action_finish(self) -> None:
        if not self.rows:
            self.notify("The results are not ready yet.", severity="warning")
            return
        unrated = [row["id"] for row in self.rows if row["id"] not in self.ratings and row["met"] is not None]
        if unrated:
            self.notify(f"Rate these first: {', '.join(unrated)}", severity="error")
            return
        self.seated.on_finished = self.finished
        try:
            self.seated.finish(dict(self.ratings), [dict(r) for r in self.rows])
        except (DrillError, OSError, ValueError) as exc:
            self.notify(f"Could not write the results: {exc}", severity="error")

    def finished(self, files: list[str]) -> None:
        """The room wrote the results: say where."""
        names = ", ".join(Path(f).name for f in files)
        message = f"Results written to {self.session.folder}: {names}"
        self.query_one("#hotwash-result", Static).update(
            Text.assemble(
                ("✓ ", "bold green"), (message, "bold"), ("   q quits; the journal is on disk.", DIM)
            )
        )
        self.notify(message, title="Hot wash finished", timeout=15)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_quit_drill(self) -> None:
        self.app.quit_drill()  # type: ignore[attr-defined]

    def commands(self) -> list[SystemCommand]:
        rate = [
            SystemCommand(
                f"Rate the selected objective {letter} ({letter.lower()})",
                RATING_WORDS[letter],
                lambda letter=letter: self.action_rate(letter),
            )
            for letter in RATINGS
        ]
        return [
            *rate,
            SystemCommand(
                "Finish the hot wash (f)", "Write the results beside the journal", self.action_finish
            ),
            SystemCommand("Back to the console (esc)", "Look at the ended drill again", self.action_back),
            SystemCommand(
                "Quit (q)", "Leave; the journal and any results are on disk", self.action_quit_drill
            ),
        ]
