"""The seats' links, for the coordinator to hand out: one line per seat, and the selected seat's link
as a QR code when the terminal has room for it (a phone's camera opens it)."""

from __future__ import annotations

import io
from typing import ClassVar

import segno
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


def qr_code(link: str) -> Text:
    """``link`` as a QR code drawn with half blocks, two modules per character cell: dark modules on
    a white ground, whatever the terminal's colours."""
    out = io.StringIO()
    segno.make(link, error="l").terminal(out=out, compact=True, border=2)
    return Text(out.getvalue().rstrip("\n"), style="#ffffff on #000000", no_wrap=True)


class LinksModal(ModalScreen[None]):
    """Each seat's link; the highlighted seat's as a QR code where it fits."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,l,q", "dismiss", "Close", id="links.close")]

    def __init__(self, links: dict[str, str], labels: dict[str, str]) -> None:
        super().__init__(classes="modal")
        self.links, self.labels = links, labels

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="links-box"):
            yield Static("Seats' links", classes="modal-title")
            yield Static(
                "Give each person the link of their seat (beyond this machine each link carries the "
                "seat's own token: it opens that seat and no other).",
                classes="modal-detail",
            )
            yield OptionList(
                *(
                    Option(Text.assemble((self.labels[s], "bold"), "\n", link), id=s)
                    for s, link in self.links.items()
                ),
                id="links-list",
            )
            yield Static(id="links-qr")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_code(event.option.id)

    def on_resize(self) -> None:
        highlighted = self.query_one(OptionList).highlighted_option
        self._show_code(highlighted.id if highlighted else None)

    def _show_code(self, seat: str | None) -> None:
        panel = self.query_one("#links-qr", Static)
        if seat is None:
            panel.update("")
            return
        code = qr_code(self.links[seat])
        lines = code.plain.splitlines()
        room = self.app.size.height - 6 - 3 * len(self.links)  # the list and the box's own lines
        if len(lines) > room or len(lines[0]) > self.app.size.width - 8:
            panel.update(Text(f"(enlarge the terminal to see {self.labels[seat]}'s QR code)", style="dim"))
        else:
            panel.update(Text.assemble(f"{self.labels[seat]}:\n", code))
