"""Textual's command palette, which selects at most once and may be closed at any moment.

Textual 8.2.8's palette handles every Enter, click or option chosen that reaches it, even after it has
dismissed itself: a second Enter pressed before it closed (a quick double press) popped the screen under it
and ran the command again, and with only the home screen left raised ScreenStackError; so did a second
click on its backdrop. Once it is no longer the screen on top (ecrsim.tui.on_top), this one neither closes
again nor lets a selection through to Textual's handlers. And its search, a
worker, queried its list after a palette closed at once (ctrl+p, Escape) had lost it: NoMatches, which
ended the app; here a search whose palette is gone shows nothing. Its list is a Textual OptionList, whose
page keys raise KeyError without room (ecrsim.tui.option_list): here they wait for room. A click on a line
drawn before the search refilled the list names an option that no longer exists (IndexError): here it
selects nothing.
"""

from __future__ import annotations

from contextlib import suppress

from textual import on, work
from textual.app import ComposeResult
from textual.command import CommandInput, CommandList, CommandPalette, SearchIcon
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Click
from textual.message import Message
from textual.widgets import Button, Input, LoadingIndicator, OptionList

from ecrsim.tui.on_top import ClosesFromTop, is_on_top
from ecrsim.tui.option_list import can_page


class _CommandList(CommandList):
    """Textual's list of commands, where a click names an option by its number when the line was drawn."""

    def _on_click(self, event: Click) -> None:  # type: ignore[override]
        option = event.style.meta.get("option")
        if option is not None and option >= self.option_count:
            event.prevent_default()  # drawn before the list was refilled: skip OptionList's handler


class Palette(ClosesFromTop, CommandPalette):
    def compose(self) -> ComposeResult:
        """CommandPalette's own layout (Textual 8.2.8), with the list above in place of Textual's."""
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield SearchIcon()
                yield CommandInput(placeholder=self._placeholder, select_on_focus=False)
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield _CommandList()
                yield LoadingIndicator()

    @on(Input.Submitted)
    @on(Button.Pressed)
    @on(OptionList.OptionSelected)
    def _only_while_on_top(self, event: Message) -> None:
        # The subclass's handlers run first; preventing the default skips CommandPalette's.
        if not is_on_top(self):
            event.stop()
            event.prevent_default()

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        with suppress(NoMatches):  # the palette closed while it searched: there is no list to fill
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down") and not all(map(can_page, self.query(CommandList))):
            return
        super()._action_command_list(action)
