"""Textual's OptionList and SelectionList with the two ways they can raise in ordinary use taken out.

Textual 8.2.8's OptionList raises `OptionDoesNotExist` (not a LookupError) when asked for an id it does not
hold, and `KeyError` on PageUp/PageDown while it has no room to lay out a single line (a terminal too small
for it); SelectionList inherits both. Every option list in the app is one of these, so neither reaches the
learner. (The command palette's list is Textual's own: ecrsim.tui.palette asks `can_page` first.)
"""

from __future__ import annotations

from typing import TypeVar

from textual.widgets import OptionList as TextualOptionList
from textual.widgets import SelectionList as TextualSelectionList
from textual.widgets.option_list import OptionDoesNotExist

SelectionType = TypeVar("SelectionType")


def can_page(option_list: TextualOptionList) -> bool:
    """Whether any line is laid out: with none (no room), Textual's page keys raise KeyError."""
    return bool(option_list.scrollable_content_region)


class _Safe(TextualOptionList):
    """What both lists change: a missing id is None, and a page is nothing to move by without room."""

    def index_of(self, option_id: str) -> int | None:
        """The index of the option with this id, or None when the list no longer holds it."""
        try:
            return self.get_option_index(option_id)
        except OptionDoesNotExist:
            return None

    def action_page_up(self) -> None:
        if can_page(self):
            super().action_page_up()

    def action_page_down(self) -> None:
        if can_page(self):
            super().action_page_down()


class OptionList(_Safe):
    pass


class SelectionList(TextualSelectionList[SelectionType], _Safe):
    pass
