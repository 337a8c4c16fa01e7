"""Open pages to the players in the room, oldest first; ``a`` acknowledges the row under the cursor.

A player who does not answer a task page is paged again every escalation timeout, and each page
stays open (a late answer still counts). Pages to the same player, for the same incident and the
same reason, are one row (× says how many); acknowledging it answers the most recent of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.scenario.units import humanize
from drillsim.tui.format import AMBER, DIM, tplus
from drillsim.tui.widgets.live_table import LiveTable

# Waiting longer than this (scenario minutes) shows amber: the usual first escalation timeout.
LONG_WAIT = 5.0


class PagesTable(LiveTable):
    """Open pages to the people in the room, oldest first."""

    COLUMNS = (
        ("person", "player", 16),
        ("incident", "#", 4),
        ("times", "×", 4),
        ("waiting", "waiting", 9),
        ("why", "for", None),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.latest: dict[str, Any] = {}  # row key → the most recent page of its group

    def update_view(self, pages: list[Any], now: float, name: Callable[[str | None], str]) -> None:
        groups: dict[str, list[Any]] = {}
        for page in pages:
            groups.setdefault(f"{page.person}|{page.incident}|{page.why}", []).append(page)
        self.latest = {key: group[-1] for key, group in groups.items()}
        rows = []
        for key, group in groups.items():
            first, last = group[0], group[-1]
            waited = now - first.at
            rows.append(
                (
                    key,
                    (
                        (name(last.person), "bold"),
                        f"#{last.incident}",
                        (str(len(group)), AMBER if len(group) > 1 else DIM),
                        (humanize(waited), AMBER if waited >= LONG_WAIT else ""),
                        f"{last.why} (first paged {tplus(first.at)})",
                    ),
                )
            )
        self.sync(rows)

    def selected_page(self) -> int | None:
        key = self.selected_key()
        page = self.latest.get(key) if key is not None else None
        return page.id if page is not None else None
