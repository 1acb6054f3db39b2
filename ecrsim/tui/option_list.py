"""Textual's OptionList with the two ways it can raise in ordinary use taken out.

Textual 8.2.8's OptionList raises `OptionDoesNotExist` (not a LookupError) when asked for an id it does not
hold, and `KeyError` on PageUp/PageDown while it has no room to lay out a single line (a terminal too small
for it). Every option list in the app is this one, so neither reaches the learner.
"""

from __future__ import annotations

from textual.widgets import OptionList as TextualOptionList
from textual.widgets.option_list import OptionDoesNotExist


class OptionList(TextualOptionList):
    def index_of(self, option_id: str) -> int | None:
        """The index of the option with this id, or None when the list no longer holds it."""
        try:
            return self.get_option_index(option_id)
        except OptionDoesNotExist:
            return None

    def action_page_up(self) -> None:
        if self._has_room():
            super().action_page_up()

    def action_page_down(self) -> None:
        if self._has_room():
            super().action_page_down()

    def _has_room(self) -> bool:
        """Whether any line is laid out: with none, a page is nothing to move by."""
        return bool(self.scrollable_content_region)
