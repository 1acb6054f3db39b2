"""A question before something that cannot be taken back (ending an exam, restarting a scenario).

The safe choice is the first button and has focus, so Enter never destroys anything; Escape is the safe
choice too. Dismisses with the id of the button pressed, or None.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ecrsim.tui.on_top import ModalFromTop


class Confirm(ModalFromTop[str | None]):
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    #confirm { width: 70; max-width: 90%; height: auto; border: thick $warning; background: $surface;
               padding: 1 2; }
    #confirm-buttons { height: auto; margin-top: 1; }
    #confirm-buttons Button { margin-right: 2; }
    """
    AUTO_FOCUS = "Button"  # the first: the safe choice
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="confirm.cancel"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, text: str, choices: list[tuple[str, str]]) -> None:
        """`choices`: (id, label) pairs, the safe one first."""
        super().__init__()
        self.text = text
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(Text(self.text))
            with Horizontal(id="confirm-buttons"):
                for n, (choice_id, label) in enumerate(self.choices):
                    yield Button(label, id=f"confirm-{choice_id}", variant="primary" if n == 0 else "default")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("confirm-"))
