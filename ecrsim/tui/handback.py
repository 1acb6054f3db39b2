"""Handing a worker's result back to its screen, which the learner may have left meanwhile.

The study screens and the home screen load in thread workers; by the time a worker is done the learner may
have pressed Escape, so its screen is off the stack and being taken apart. Running the screen's callback
then queries widgets that are gone and the app crashes (the monkey test met this on the Progress and Exam
screens). One rule for every such worker: a screen no longer on the stack gets nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from textual.screen import Screen


def on_stack(screen: Screen[Any]) -> bool:
    return screen.is_attached and screen in screen.app.screen_stack


def hand_back(screen: Screen[Any], callback: Callable[..., Any], *args: Any) -> None:
    """From a worker thread: run `callback(*args)` on the app's thread if `screen` is still on the stack."""

    async def deliver() -> None:
        if on_stack(screen):
            result = callback(*args)
            if inspect.isawaitable(result):
                await result

    screen.app.call_from_thread(deliver)
