"""Live objectives: met / missed / running per objective, and a readiness estimate so far (the
weighted share met among the outcomes already decided, scored like a simulation)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from drillsim.scenario.units import humanize
from drillsim.tui.format import DIM, GREEN, RED
from drillsim.tui.widgets.live_table import LiveTable


class ObjectivesTable(LiveTable):
    """Each objective's live result so far."""

    COLUMNS = (("id", "objective", 21), ("target", "target", 7), ("status", "so far", None))


def objective_status(row: dict[str, Any]) -> tuple[str, str]:
    """'met', 'MISSED 1 of 2, 1 running', 'running · 1 of 2 met', 'not yet' (no incident yet)."""
    incidents, met, missed, running = row["incidents"], row["met"], row["missed"], row["running"]
    if incidents == 0:
        return "not yet", DIM
    of = f" {{}} of {incidents}" if incidents > 1 else ""
    if missed:
        return "MISSED" + of.format(missed) + (f", {running} running" if running else ""), RED
    if running:
        return "running" + (f" · {met} of {incidents} met" if met else ""), "yellow"
    return "met" + of.format(met), GREEN


class ObjectivesPanel(Vertical):
    """The objectives' live results and the live readiness score."""

    def __init__(self) -> None:
        super().__init__(id="objectives", classes="panel")
        self.border_title = "Objectives (live)"
        self._readiness: tuple[Any, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="readiness")
        yield ObjectivesTable(id="objectives-table")

    def on_mount(self) -> None:
        self.table, self.readiness = self.query_one(ObjectivesTable), self.query_one("#readiness", Static)

    def update_view(
        self, rows: list[dict[str, Any]], readiness: tuple[float | None, int, int, int], rating: str | None
    ) -> None:
        table_rows = []
        for row in rows:
            status, style = objective_status(row)
            table_rows.append((row["id"], ((row["id"], "bold"), humanize(row["target"]), (status, style))))
        self.table.sync(table_rows)
        if (readiness, rating) != self._readiness:
            self._readiness = (readiness, rating)
            self.readiness.update(readiness_text(readiness, rating))


def readiness_text(readiness: tuple[float | None, int, int, int], rating: str | None) -> Text:
    from drillsim.report.labels import RATING_STYLES, RATING_WORDS

    score, met, missed, running = readiness
    counts = f"{met} met · {missed} missed · {running} running"
    if score is None:
        return Text.assemble(
            ("Readiness so far: ", "bold"), ("— (nothing decided yet)", DIM), "   ", (counts, DIM)
        )
    decided = met + missed
    letter = (f" {rating} ", f"bold reverse {RATING_STYLES[rating]}") if rating else ""
    words = f"{RATING_WORDS[rating]} · " if rating else ""
    return Text.assemble(
        ("Readiness so far: ", "bold"),
        (f"{score:.0f}", "bold"),
        "/100  ",
        letter,
        (f"  {met}/{decided} decided met", DIM),
        "\n",
        (f"{words}{running} running", DIM),
    )
