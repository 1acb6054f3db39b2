"""A small dialog to choose which scenario's world the sandbox starts from."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static
from textual.widgets.option_list import Option

from ecrsim.tui.catalog import Entry
from ecrsim.tui.on_top import ModalFromTop
from ecrsim.tui.option_list import OptionList

DEFAULT_WORLD = "-default-"  # not a valid scenario id, so it cannot collide with one


class WorldPicker(ModalFromTop[str | None]):
    """Dismisses with the chosen scenario's id, DEFAULT_WORLD, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
    ]

    def __init__(self, entries: list[Entry]) -> None:
        super().__init__()
        self.entries = sorted(entries, key=lambda e: (e.group, e.title))

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("Start the sandbox from which world?", id="picker-title")
            yield OptionList(
                Option("The default world (account 111122223333, user admin)", id=DEFAULT_WORLD),
                *(Option(f"{entry.group}: {entry.title}", id=entry.id) for entry in self.entries),
                id="picker-list",
            )

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
