"""Textual's Header, whose title update cannot fail once the header is being taken down.

Textual 8.2.8's Header updates its title from an async watcher, which runs after the title has changed; a
screen closed before it ran (F8 for Progress, then Escape at once) left it querying a HeaderTitle already
removed, and that NoMatches ended the app. This one updates at once, and only the parts still there.
"""

from __future__ import annotations

from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle


class Header(TextualHeader):
    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # Textual calls each class's _on_mount down the MRO: not Header's
        Widget._on_mount(self, event)  # (what the default would still have done)

        def show_title() -> None:
            for title in self.query(HeaderTitle):
                title.update(self.format_title())

        for source in (self.app, self.screen):
            self.watch(source, "title", show_title)
            self.watch(source, "sub_title", show_title)
