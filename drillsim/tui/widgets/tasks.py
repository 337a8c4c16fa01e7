"""Tasks the players in the room are working on; the row under the cursor is the one ``c`` completes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.scenario.units import humanize
from drillsim.tui.format import tplus
from drillsim.tui.widgets.live_table import LiveTable


class TasksTable(LiveTable):
    """Tasks the people in the room are working on."""

    COLUMNS = (
        ("person", "player", 16),
        ("incident", "#", 4),
        ("working", "working", 9),
        ("title", "task", None),
    )

    def update_view(self, tasks: list[Any], now: float, name: Callable[[str | None], str]) -> None:
        self.sync(
            (
                str(t.id),
                (
                    (name(t.person), "bold"),
                    f"#{t.incident}",
                    humanize(now - t.started),
                    f"{t.task}: {t.title} (since {tplus(t.started)})",
                ),
            )
            for t in tasks
        )

    def selected_task(self) -> int | None:
        key = self.selected_key()
        return int(key) if key is not None else None
