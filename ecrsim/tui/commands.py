"""Command-palette entries (ctrl+p) for the main actions, so every action is reachable by name.

What is offered depends on the screen: every scenario and the sandbox from anywhere; hints, solution,
undo and reset only where they make sense (the screen says so through `palette_actions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from ecrsim.tui.app import EcrsimApp

PaletteEntry = tuple[str, str, Callable[[], object]]  # title, help, callback


class EntryProvider(Provider):
    """A palette provider over a list of (title, help, callback) entries: subclasses only list them."""

    def _entries(self) -> Iterator[PaletteEntry]:
        raise NotImplementedError

    def _discoverable(self, title: str) -> bool:
        """Whether the entry shows before anything is typed (long families of entries may not)."""
        return True

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            if self._discoverable(title):
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class EcrsimCommands(EntryProvider):
    def _entries(self) -> Iterator[PaletteEntry]:
        app: EcrsimApp = self.app  # type: ignore[assignment]
        screen_actions = getattr(self.screen, "palette_actions", None)
        if screen_actions is not None:
            yield from screen_actions()
        yield ("Open the sandbox", "A free world: one account, user admin, us-east-1", app.open_sandbox)
        yield ("Help", "Keys and the commands the terminal understands (F1)", app.action_help)
        yield (
            "Toggle light/dark theme",
            "Switch between the light and the dark theme (F10)",
            app.action_toggle_theme,
        )
        for entry in app.entries:
            yield (
                f"Scenario: {entry.title}",
                f"{entry.group} · {entry.domain_name} · difficulty {entry.difficulty}",
                partial(app.open_scenario, entry.id),
            )
            yield (
                f"Sandbox from: {entry.title}",
                "Start the sandbox from this scenario's world",
                partial(app.open_sandbox, entry.id),
            )

    def _discoverable(self, title: str) -> bool:
        return not title.startswith("Sandbox from:")
