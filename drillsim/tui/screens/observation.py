"""The evaluator's note: free text and, optionally, the objective it bears on. It is journaled at
the scenario time it is saved."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

Observation = tuple[str, str | None]


class ObservationModal(ModalScreen[Observation | None]):
    """An evaluator's observation, tied to an objective or not; dismisses with it, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="observe.cancel"),
        Binding("ctrl+s", "save", "Save", id="observe.save"),
    ]

    def __init__(self, objectives: list[tuple[str, str]], when: str) -> None:
        """``objectives``: (id, text) pairs; ``when``: the scenario time the note is started at."""
        super().__init__(classes="modal")
        self.objectives, self.when = objectives, when

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="observe-box"):
            yield Static(f"Observation (started {self.when}; recorded when saved)", classes="modal-title")
            yield Input(
                placeholder="What did you see? e.g. Ada hesitated over the kill switch", id="observe-text"
            )
            yield Label("Objective (optional)")
            yield Select(
                [(f"{oid} — {text}", oid) for oid, text in self.objectives],
                prompt="No objective (general)",
                allow_blank=True,
                id="observe-objective",
            )
            with Horizontal(classes="modal-buttons"):
                yield Button("Save (enter)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#observe-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        text = self.query_one("#observe-text", Input).value.strip()
        if not text:
            self.notify("Write the observation first (or esc to cancel).", severity="warning")
            return
        value = self.query_one("#observe-objective", Select).value
        self.dismiss((text, value if isinstance(value, str) else None))

    def action_cancel(self) -> None:
        self.dismiss(None)
