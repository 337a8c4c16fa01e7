"""Regulatory clocks counting down from awareness: red under 10% left or missed, green when notified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.tui.format import DIM, GREEN, clock_status
from drillsim.tui.widgets.live_table import LiveTable


class RegulatoryClocks(LiveTable):
    """The regulatory clocks running for detected incidents: time left, or when notified."""

    COLUMNS = (("incident", "#", 4), ("clock", "clock", 26), ("status", "time left · deadline", None))

    def update_view(
        self,
        rows: list[dict[str, Any]],
        detected: dict[int, float | None],
        now: float,
        deadline_text: Callable[[float], str],
    ) -> None:
        shown = []
        for row in rows:
            status, style = clock_status(row, detected.get(row["incident"]), now)
            clock_style = "" if style != GREEN else DIM
            shown.append(
                (
                    f"{row['incident']}:{row['clock']}",
                    (
                        (f"#{row['incident']}", "bold"),
                        (row["clock"], clock_style),
                        (
                            status
                            if row["notified"] is not None
                            else f"{status} · {deadline_text(row['deadline'])}",
                            style,
                        ),
                    ),
                )
            )
        self.sync(shown)
