"""Moving focus to a widget that may be gone by the time the move runs.

Focus is often moved after a refresh (a view must be composed first); by then a quick learner may have
replaced the view (F7, an answer, a screen left), and a plain query would raise.
"""

from __future__ import annotations

from textual.widget import Widget


def focus_first(container: Widget, selector: str) -> None:
    """Focus the first widget matching `selector` inside `container`, if both are still there."""
    if not container.is_attached:
        return
    for widget in container.query(selector):
        widget.focus()
        return
