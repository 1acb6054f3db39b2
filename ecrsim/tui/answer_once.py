"""A modal screen answered at most once.

A second Enter, click or Escape that reaches a modal before it has closed (a quick double press, or keys
that arrive together) dismissed it again: Textual 8.2.8 then sets the answer a second time and raises
InvalidStateError, which ended the app (the monkey test met it on the exam form). Here the first answer is
the answer; a later one is ignored.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class AnswerOnce(ModalScreen[ResultType]):
    answered = False

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if self.answered:
            return AwaitComplete()  # nothing to wait for
        self.answered = True
        return super().dismiss(result)
