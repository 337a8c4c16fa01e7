"""The incident board: one row per incident that has occurred, in number order — severity, state
(with the escalation level while paging), owner, and time since detection: amber from 75% of the
tightest objective target still open for it, red past it ('·' and '!' say the same without colour).
A resolved incident shows how long it took instead ("✓ 3h 45m")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.scenario.units import humanize
from drillsim.tui.format import DIM, GREEN, RED, elapsed_style
from drillsim.tui.widgets.live_table import Cell, LiveTable

STATE_STYLES = {
    "undetected": DIM,
    "paging": "bold yellow",
    "unanswered": RED,
    "responding": "bold",
    "contained": "cyan",
    "resolved": GREEN,
}


class IncidentBoard(LiveTable):
    """One row per incident that has occurred: severity, state, who owns it, how long it has run."""

    COLUMNS = (
        ("number", "#", 4),
        ("severity", "sev", 5),
        ("state", "state", 11),
        ("owner", "owner", 15),
        ("elapsed", "since det.", 11),
        ("kind", "incident", None),
    )

    def update_view(
        self,
        rows: list[dict[str, Any]],
        tightest: dict[int, float],
        resolved_in: dict[int, float],
        name: Callable[[str | None], str],
    ) -> None:
        self.sync(
            self._row(row, tightest.get(row["number"]), resolved_in.get(row["number"]), name)
            for row in sorted(rows, key=lambda r: r["number"])
        )

    def selected_incident(self) -> int | None:
        """The number of the incident under the cursor, or None when the board is empty."""
        key = self.selected_key()
        return int(key) if key is not None else None

    @staticmethod
    def _row(
        row: dict[str, Any], target: float | None, took: float | None, name: Callable[[str | None], str]
    ) -> tuple[str, tuple[Cell, ...]]:
        state, level, elapsed = row["state"], row["level"], row["elapsed"]
        done = state == "resolved"
        quiet = DIM if done else ""
        if done:
            elapsed_cell: Cell = (f"✓ {humanize(took)}" if took is not None else "—", DIM)
        else:
            style = elapsed_style(elapsed, target)
            mark = (
                (" !" if elapsed >= target else " ·")
                if style and target is not None and elapsed is not None
                else ""
            )
            elapsed_cell = ((humanize(elapsed) if elapsed is not None else "—") + mark, style)
        shown_state = f"paging L{level}" if state == "paging" and level else state
        return str(row["number"]), (
            (f"#{row['number']}", DIM if done else "bold"),
            (row["severity"], "bold red" if row["severity"] == "sev1" and not done else quiet),
            (shown_state, STATE_STYLES.get(state, "")),
            (name(row["owner"]), quiet),
            elapsed_cell,
            (f"{row['kind']} — {row['title']}", quiet),
        )
