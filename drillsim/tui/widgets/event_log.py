"""The event log: timeline records in plain words as they happen, newest at the bottom, plus what
the coordinator did at the console."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from drillsim.facts import Record
from drillsim.tui.format import Narrator, tplus


class EventLog(RichLog):
    """What happened, one sentence per fact, newest last."""

    def __init__(self, narrator: Narrator, *, max_lines: int = 400) -> None:
        super().__init__(
            id="log", max_lines=max_lines, wrap=False, markup=False, highlight=False, auto_scroll=True
        )
        self.narrator = narrator
        self.border_title = "Event log"

    def add_records(self, records: list[Record]) -> None:
        for record in records:
            said = self.narrator.sentence(record)
            if said is not None:
                text, style = said
                self.write(Text.assemble((f"{tplus(record.time):>10} ", "dim"), (text, style)))

    def add_note(self, time: float, text: str, style: str = "bold magenta") -> None:
        """Something the coordinator did (journaled): an observation, a pause, a skip."""
        self.write(Text.assemble((f"{tplus(time):>10} ", "dim"), ("▸ ", style), (text, style)))
