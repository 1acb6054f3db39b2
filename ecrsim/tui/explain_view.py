"""The explanation panel: what the last command did and why, and the history of everything logged.

The lines are the engine's (ecrsim.engine.explanation); this panel styles them by kind and never reads
their text back or re-derives a decision. After each command it explains that command, as `sim explain`
does; any earlier event can be chosen from the list by key or click.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static
from textual.widgets.option_list import Option

from ecrsim.engine.explanation import ExplanationLine, LineKind
from ecrsim.tui.option_list import OptionList

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ecrsim.engine.api import Event
    from ecrsim.engine.policy.types import Decision
    from ecrsim.engine.world import World

NOTHING_YET = "No command yet. Run one; what it did and why appears here."
# How each kind of line looks; a verdict or statement also shows whether it went the learner's way.
_STYLES = {
    LineKind.RULE: "cyan",
    LineKind.CONDITION: "italic",
    LineKind.TOKEN: "magenta",
    LineKind.VALIDATION: "red",
    LineKind.REGISTRY: "blue",
    LineKind.LOCAL: "blue",
    LineKind.LIFECYCLE: "",
    LineKind.NETWORK: "blue",
    LineKind.KEY: "magenta",
    LineKind.REPLICATION: "green",
    LineKind.HINT: "yellow",
    LineKind.NOTE: "",
}


class ExplainView(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._events: list[Event] = []

    def compose(self) -> ComposeResult:
        yield OptionList(id="explain-calls")
        with VerticalScroll(id="explain-scroll"):
            yield Static(NOTHING_YET, id="explain-text")

    def show(self, world: World) -> None:
        """List everything logged, newest last, and explain the last command as `sim explain` does."""
        from ecrsim.engine.explanation import explain_last_command

        self._events = list(world.events)
        calls = self.query_one("#explain-calls", OptionList)
        calls.set_options(Option(_event_label(event), id=str(i)) for i, event in enumerate(self._events))
        calls.highlighted = None  # nothing chosen: the last command is explained
        if not world.command:
            self._update(Text(NOTHING_YET))
            return
        text = Text(f"Last command: {world.command_line}\n\n", style="bold")
        text.append_text(styled(explain_last_command(world)))
        self._update(text)

    @on(OptionList.OptionHighlighted, "#explain-calls")
    def _chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._explain(self._events[int(event.option.id)])

    def show_decision(self, decided_by: str, decision: Decision) -> None:
        """Explain a decision made on a copy of the world (a question's probe), which no event records."""
        from ecrsim.engine.explanation import decision_lines

        text = Text(f"On a copy of the world: {decided_by}\n\n", style="bold")
        text.append_text(styled(decision_lines(decision)))
        self._update(text)

    def _explain(self, event: Event) -> None:
        from ecrsim.engine.explanation import explain_event

        text = Text(f"{event.service} {event.operation}", style="bold")
        text.append(f"  by {event.principal_arn or 'docker'}  at {event.time:%Y-%m-%d %H:%M:%S} UTC\n\n")
        text.append_text(styled(explain_event(event)))
        self._update(text)

    def _update(self, text: Text) -> None:
        self.query_one("#explain-text", Static).update(text)


def styled(lines: Iterable[ExplanationLine]) -> Text:
    """The engine's lines as the terminal prints them, styled by kind."""
    text = Text()
    for entry in lines:
        if entry.kind in (LineKind.VERDICT, LineKind.STATEMENT):
            tone = {True: "green", False: "red", None: ""}[entry.matched]
            style = (
                f"bold {tone}".strip()
                if entry.kind is LineKind.VERDICT
                else ("bold" if entry.matched else "dim")
            )
        else:
            style = _STYLES[entry.kind]
        text.append(entry.plain() + "\n", style=style)
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
    if event.principal_arn:
        label.append(f"  {event.principal_arn.rsplit(':', 1)[-1]}", style="dim")
    return label
