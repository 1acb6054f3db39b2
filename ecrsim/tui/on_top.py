"""A screen closes only while it is the one on top.

Textual 8.2.8's `Screen.dismiss` pops whatever screen is on top, whichever screen asks. A second Enter,
click or Escape that reaches a screen after it has dismissed itself but before it is gone (a quick double
press, keys or clicks that arrive together; the monkey test's pace) dismissed it again: the first modals
set their answer twice (InvalidStateError), and the palette, closed twice by two clicks on its backdrop,
popped the home screen under it, the last one (ScreenStackError). Both ended the app. The rule, for every
screen of ours and the palette: a screen that is not the active one does not close anything; its first
dismissal is the only one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


def is_on_top(screen: Screen[Any]) -> bool:
    return screen.is_attached and screen.app.screen is screen


class ClosesFromTop:
    """Mixed in first, before Textual's screen class (`class Palette(ClosesFromTop, CommandPalette)`). Not
    itself a Screen: Textual takes a widget's CSS type names and component classes from the first DOMNode
    base only, so a Screen mixin would hide the palette's and ModalScreen's styles."""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if not isinstance(self, Screen) or not is_on_top(self):
            return AwaitComplete.nothing()  # already closing, or under another screen: nothing to close
        return super().dismiss(result)  # type: ignore[misc]


class ModalFromTop(ClosesFromTop, ModalScreen[ResultType]):
    """A modal that answers at most once: the first answer pops it, so a later one finds it not on top."""
