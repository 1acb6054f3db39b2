"""Helpers the UI tests share: waiting for the pack, typing into the terminal, reading what is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.pilot import Pilot
from textual.widgets import Input

if TYPE_CHECKING:
    from ecrsim.tui.scenario_screen import ScenarioScreen

PACK = Path(__file__).parent / "pack"
HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"


async def ready(pilot: Pilot[None]) -> None:
    """Wait until the pack has loaded into the home list (its worker starts after the first frame)."""
    for _ in range(500):
        await pilot.app.workers.wait_for_complete()
        if pilot.app.entries:  # type: ignore[attr-defined]
            break
        await pilot.pause(0.01)
    else:
        raise AssertionError("the scenario pack never loaded")
    await pilot.pause()


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Wait, within a bound, until `condition` holds: on a loaded machine a screen may compose its footer
    or its widgets a few frames after its worker finished."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


async def open_sandbox(pilot: Pilot[None]) -> ScenarioScreen:
    """From home, F5: the sandbox on the default world."""
    from ecrsim.tui.scenario_screen import ScenarioScreen

    await ready(pilot)
    await pilot.press("f5")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ScenarioScreen)
    return pilot.app.screen


async def pick_world(pilot: Pilot[None], scenario_id: str) -> None:
    """In the sandbox, F7 and choose the world of the scenario `scenario_id`."""
    from textual.widgets import OptionList

    from ecrsim.tui.world_picker import WorldPicker

    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(pilot.app.screen, WorldPicker)
    picker = pilot.app.screen.query_one(OptionList)
    picker.highlighted = next(i for i, o in enumerate(picker.options) if o.id == scenario_id)
    await pilot.press("enter")
    await pilot.pause()


async def type_line(pilot: Pilot[None], line: str) -> None:
    """Put a command in the terminal's input and press Enter (key by key is slow and tests nothing more:
    typing itself is covered by the completion and history tests)."""
    command = pilot.app.screen.query_one("#terminal-input", Input)
    command.focus()
    command.value = line
    await pilot.press("enter")
    await pilot.pause()


def terminal_text(pilot: Pilot[None]) -> str:
    """What the terminal shows, white space collapsed (the panel wraps long lines at its width)."""
    from textual.widgets import RichLog

    lines = pilot.app.screen.query_one("#terminal-output", RichLog).lines
    return " ".join(" ".join(line.text for line in lines).split())


def static_text(pilot: Pilot[None], selector: str) -> str:
    """The text of the Static (or the source of the Markdown) widgets `selector` matches."""
    from textual.widgets import Markdown, Static

    texts = []
    for widget in pilot.app.screen.query(selector):
        if isinstance(widget, Static):
            texts.append(str(widget.content))
        elif isinstance(widget, Markdown):
            texts.append(widget.source)
    return "\n".join(texts)
