"""The explanation panel: the history of API calls, and the decision of the one chosen, as text.

The text is the engine's own `render_decision`; this panel never re-derives a decision. After each command
the newest call that made a decision is chosen (the one `sim explain` would show); any earlier call can be
chosen from the list by key or click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ecrsim.engine.api import Event
    from ecrsim.engine.policy.types import Decision
    from ecrsim.engine.world import World

NOTHING_YET = "No API call yet. Run a command; its authorization decision appears here."


class ExplainView(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._events: list[Event] = []

    def compose(self) -> ComposeResult:
        yield OptionList(id="explain-calls")
        with VerticalScroll(id="explain-scroll"):
            yield Static(NOTHING_YET, id="explain-text")

    def show(self, world: World) -> None:
        """List the world's calls, newest last, and explain the one `sim explain` would."""
        self._events = list(world.events)
        calls = self.query_one("#explain-calls", OptionList)
        calls.set_options(Option(_event_label(event), id=str(i)) for i, event in enumerate(self._events))
        chosen = _explained_index(self._events, world)
        if chosen is None:
            self.query_one("#explain-text", Static).update(NOTHING_YET)
            return
        calls.highlighted = chosen
        self._explain(chosen)

    @on(OptionList.OptionHighlighted, "#explain-calls")
    def _chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._explain(int(event.option.id))

    def show_decision(self, decided_by: str, decision: Decision) -> None:
        """Explain a decision made on a copy of the world (a question's probe), which no event records."""
        from ecrsim.engine.policy.explain import render_decision

        text = Text()
        text.append(f"On a copy of the world: {decided_by}\n\n", style="bold")
        text.append_text(_styled(render_decision(decision)))
        self.query_one("#explain-text", Static).update(text)

    def _explain(self, index: int) -> None:
        from ecrsim.engine.policy.explain import render_decision

        event = self._events[index]
        text = Text()
        text.append(f"{event.service} {event.operation}", style="bold")
        text.append(f"  by {event.principal_arn}  at {event.time:%Y-%m-%d %H:%M:%S} UTC\n")
        if event.error_code:
            text.append(f"{event.error_code}: {event.error_message}\n", style="red")
        if event.note:
            text.append(event.note + "\n", style="dim")
        decision = event.decision
        if decision is None:
            text.append("\nThis call made no authorization decision.", style="dim")
        else:
            text.append("\n")
            text.append_text(_styled(render_decision(decision)))
        self.query_one("#explain-text", Static).update(text)


def _explained_index(events: list[Event], world: World) -> int | None:
    """The position of the event whose decision `world.last_decision()` is, else the newest event."""
    last = world.last_decision()
    for i in range(len(events) - 1, -1, -1):
        if last is not None and events[i].decision is last:
            return i
    return len(events) - 1 if events else None


def _styled(rendered: str) -> Text:
    """Colour the engine's plain rendering by the markers it documents: verdict first, `[x]` applied."""
    text = Text()
    for n, line in enumerate(rendered.splitlines()):
        if n == 0:
            style = "bold green" if line.startswith("ALLOWED") else "bold red"
        elif "[x]" in line:
            style = "bold"
        elif "[ ]" in line:
            style = "dim"
        elif line.startswith("Hint:"):
            style = "yellow"
        else:
            style = ""
        text.append(line + "\n", style=style)
    text.rstrip()
    return text


def _event_label(event: Event) -> Text:
    decision = event.decision
    if event.error_code:
        mark, style = "✗", "red"
    elif decision is not None and decision.allowed:
        mark, style = "✓", "green"
    else:
        mark, style = "·", "dim"
    label = Text(f"{mark} ", style=style)
    label.append(f"{event.time:%H:%M} ", style="dim")
    label.append(f"{event.service}:{event.operation}")
    label.append(f"  {event.principal_arn.rsplit(':', 1)[-1]}", style="dim")
    return label
