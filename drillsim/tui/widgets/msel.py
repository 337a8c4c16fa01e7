"""The MSEL: the latest released inject for the players, written out to be read to them, over the
whole script — released injects with their expected player action, upcoming ones with time to go.

Incident injects are ground truth for the controllers (the incident starts in the simulation), so
the read-out box skips them; they stay in the list.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from drillsim.tui.format import DIM, tplus, until
from drillsim.tui.widgets.live_table import Cell, LiveTable


class MselTable(LiveTable):
    """The MSEL: injects released so far and those to come."""

    COLUMNS = (
        ("when", "", 11),
        ("id", "#", 4),
        ("at", "at", 9),
        ("kind", "kind", 13),
        ("text", "inject", None),
    )


def read_out(inject: dict[str, Any], reader: bool = True) -> Text:
    """The inject as the coordinator reads it out (``reader``) or a player receives it: a header line,
    the text, the expected action (which a player's view does not carry)."""
    route = " → ".join(part for part in (inject["from"], inject["to"]) if part)
    head = Text.assemble(
        (" READ OUT " if reader else " LATEST ", "bold black on yellow"),
        " ",
        (f"#{inject['id']}", "bold"),
        f" · {tplus(inject['at'])} · {inject['kind']}",
        (f" · {route}" if route else "", "italic"),
    )
    lines = [head, Text(inject["text"], style="bold")]
    expected, tests = inject["expected_action"], ", ".join(inject["objectives"])
    if expected or tests:
        lines.append(
            Text.assemble(
                ("Expected: ", "bold cyan"), expected or "—", (f"  (tests {tests})" if tests else "", "cyan")
            )
        )
    return Text("\n").join(lines)


def nothing_to_read(upcoming: list[dict[str, Any]], now: float) -> Text:
    coming = next((i for i in upcoming if i["kind"] != "incident"), None)
    after = (
        f" Next for the players: #{coming['id']} at {tplus(coming['at'])} ({until(coming['at'] - now)})."
        if coming
        else ""
    )
    return Text("Nothing to read out yet." + after, style=DIM)


def one_line(inject: dict[str, Any]) -> str:
    expected = inject["expected_action"]
    return str(inject["text"]) + (f"  ⟶ expected: {expected}" if expected else "")


def coming(inject: dict[str, Any]) -> str:
    """An upcoming inject's line: a conditional one says first when it will be released."""
    condition = inject.get("condition")
    return (f"({condition}) " if condition else "") + one_line(inject)


class MselPanel(Vertical):
    """The MSEL table with the latest inject's text to read out."""

    def __init__(self, reader: bool = True) -> None:
        """``reader``: the coordinator's MSEL, which reads each inject out to the players; else a
        player's, which receives them ("Injects")."""
        super().__init__(id="msel", classes="panel")
        self.border_title = "MSEL" if reader else "Injects"
        self.reader = reader
        self._latest: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("", style=DIM), id="msel-current")
        yield MselTable(id="msel-table")

    def on_mount(self) -> None:
        self.table, self.current = self.query_one(MselTable), self.query_one("#msel-current", Static)

    def update_view(self, released: list[dict[str, Any]], upcoming: list[dict[str, Any]], now: float) -> None:
        """Show the script at ``now``; the latest inject for the players goes in the read-out box."""
        for_players = [i for i in released if i["kind"] != "incident"]
        latest = for_players[-1]["id"] if for_players else None
        rows: list[tuple[str, tuple[Cell, ...]]] = []
        for inject in released:
            if inject["id"] == latest:
                rows.append(
                    (
                        inject["id"],
                        (
                            ("▶ read out" if self.reader else "▶ latest", "bold black on yellow"),
                            (inject["id"], "bold"),
                            (tplus(inject["at"]), "bold"),
                            (inject["kind"], "bold"),
                            (one_line(inject), "bold"),
                        ),
                    )
                )
            else:
                mark = "✓ truth" if inject["kind"] == "incident" else "✓ done"
                rows.append(
                    (
                        inject["id"],
                        (
                            (mark, DIM),
                            (inject["id"], DIM),
                            (tplus(inject["at"]), DIM),
                            (inject["kind"], DIM),
                            (one_line(inject), DIM),
                        ),
                    )
                )
        for inject in upcoming:
            rows.append(
                (
                    inject["id"],
                    (
                        until(inject["at"] - now),
                        inject["id"],
                        tplus(inject["at"]),
                        inject["kind"],
                        coming(inject),
                    ),
                )
            )
        table, current = self.table, self.current
        table.sync(rows)
        if latest is None:
            current.update(
                nothing_to_read(upcoming, now) if self.reader else Text("No inject yet.", style=DIM)
            )
        elif latest != self._latest:
            current.update(read_out(for_players[-1], self.reader))
            table.move_cursor(row=table.get_row_index(latest), scroll=True)
        self._latest = latest
