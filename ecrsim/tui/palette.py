"""Textual's command palette, which selects at most once.

Textual 8.2.8's palette handles every Enter, click or option chosen that reaches it, even after it has
dismissed itself: a second Enter pressed before it closed (a quick double press) popped the screen under it
and ran the command again, and with only the home screen left raised ScreenStackError. Once it is no
longer the screen on top, this one lets no selection through to Textual's handlers.
"""

from __future__ import annotations

from textual import on
from textual.command import CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList


class Palette(CommandPalette):
    @on(Input.Submitted)
    @on(Button.Pressed)
    @on(OptionList.OptionSelected)
    def _only_while_on_top(self, event: Message) -> None:
        # The subclass's handlers run first; preventing the default skips CommandPalette's.
        if self.app.screen is not self:
            event.stop()
            event.prevent_default()
