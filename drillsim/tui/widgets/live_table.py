"""A DataTable kept in step with a list of rows by key: adds, removes and changed cells only.

Every tick hands the whole desired content to :meth:`LiveTable.sync`; only what differs from what is
shown touches the widget, so a tick where nothing changed costs a comparison per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

# A cell: plain text, or (text, rich style).
Cell = str | tuple[str, str]


def _text(cell: Cell, width: int | None) -> Text:
    """The cell as rich text, cut with '…' so that a fixed-width column keeps its trailing space."""
    text, style = cell if isinstance(cell, tuple) else (cell, "")
    if width is not None and len(text) > width - 1:
        text = text[: max(width - 2, 0)] + "…"
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


class LiveTable(DataTable[Text]):
    """Subclasses set ``COLUMNS``: (key, label, width or None for as wide as its content). Cells have
    no padding: a fixed width includes the space before the next column."""

    COLUMNS: ClassVar[tuple[tuple[str, str, int | None], ...]] = ()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type="row", zebra_stripes=False, show_cursor=True, cell_padding=0
        )
        self._shown: dict[str, tuple[Cell, ...]] = {}
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width)

    @property
    def keys(self) -> list[str]:
        return list(self._shown)

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self._shown or self.row_count == 0:
            return None
        row = min(self.cursor_row, self.row_count - 1)
        return self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value

    def sync(self, rows: Iterable[tuple[str, tuple[Cell, ...]]]) -> bool:
        """Show exactly ``rows`` (key, cells), in their order. True when anything changed.

        New keys are appended; when that breaks the order (an incident numbered lower appears
        later), the table is rebuilt once, keeping the cursor on the same row."""
        rows = list(rows)
        changed = False
        wanted: dict[str, None] = {}
        columns = [(key, width) for key, _, width in self.COLUMNS]
        widths = [width for _, width in columns]
        for key, cells in rows:
            wanted[key] = None
            shown = self._shown.get(key)
            if shown is None:
                self.add_row(*map(_text, cells, widths), key=key)
                changed = True
            elif shown != cells:
                for (column, width), old, new in zip(columns, shown, cells, strict=True):
                    if old != new:
                        self.update_cell(key, column, _text(new, width), update_width=width is None)
                changed = True
            else:
                continue
            self._shown[key] = cells
        for key in [k for k in self._shown if k not in wanted]:
            self.remove_row(key)
            del self._shown[key]
            changed = True
        if changed and list(self._shown) != list(wanted):
            self._rebuild(rows, widths)
        return changed

    def _rebuild(self, rows: list[tuple[str, tuple[Cell, ...]]], widths: list[int | None]) -> None:
        selected = self.selected_key()
        self.clear()
        self._shown = {}
        for key, cells in rows:
            self.add_row(*map(_text, cells, widths), key=key)
            self._shown[key] = cells
        if selected in self._shown:
            self.move_cursor(row=self.get_row_index(selected))
