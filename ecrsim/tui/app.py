"""The ecrsim app: the home screen, scenario and sandbox screens, help, themes and the command palette.

Screens other than home are imported when first opened, so the first frame costs only Textual and the
home screen. The scenario pack loads in a worker thread after that first frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from ecrsim.scenarios.progress import ProgressStore
from ecrsim.tui.catalog import Entry
from ecrsim.tui.commands import EcrsimCommands
from ecrsim.tui.off_thread import abandon_all
from ecrsim.tui.on_top import is_on_top
from ecrsim.tui.progress_screen import StudyCommands

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class EcrsimApp(App[None]):
    TITLE = "ecrsim"
    SUB_TITLE = "Amazon ECR simulator"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {EcrsimCommands, StudyCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help", priority=True),
        Binding("f10", "toggle_theme", "Theme", id="app.theme", priority=True, show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
    ]

    def __init__(
        self, *, pack_dir: Path | None = None, progress_path: Path | None = None, shuffle: bool = True
    ) -> None:
        super().__init__()
        self.pack_dir = pack_dir
        # Choices are shown shuffled per attempt (a scenario's start, a review card's due time, the exam's
        # seed); `shuffle=False` keeps the file's order, for tests that press a choice's number.
        self.shuffle = shuffle
        self.progress = ProgressStore.load(progress_path)
        self.entries: list[Entry] = []
        self.theme = DARK_THEME
        self.rescue_note = ""  # what to tell the learner if the app fails (ecrsim.tui.rescue)

    def get_default_screen(self) -> Screen[None]:
        """Home is the default screen itself, so the first frame drawn is the home screen."""
        from ecrsim.tui.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.report_progress_warnings()

    # -- when the app itself fails -------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Save the session before Textual ends the app (exit status 1): Textual has no public hook here."""
        from ecrsim.tui import rescue

        self.rescue_note = rescue.save(self, error)
        abandon_all()
        super()._handle_exception(error)

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Quit even while a command runs (one may never return): stop waiting for it first."""
        abandon_all()
        super().exit(result, return_code, message)

    def _fatal_error(self) -> None:
        """Print what went wrong and where the session is, not Textual's traceback with its locals."""
        self.bell()
        self._exit_renderables.append(Text(self.rescue_note))
        self._close_messages_no_wait()

    def report_progress_warnings(self) -> None:
        """Show, once each, what went wrong reading or saving progress (never a crash)."""
        while self.progress.warnings:
            self.notify(
                self.progress.warnings.pop(0), title="Progress", severity="warning", timeout=10, markup=False
            )

    # -- opening things -----------------------------------------------------------------------------------
    def entry(self, scenario_id: str) -> Entry | None:
        return next((entry for entry in self.entries if entry.id == scenario_id), None)

    def open_scenario(self, scenario_id: str) -> None:
        entry = self.entry(scenario_id)
        if entry is None:
            self.notify(f"No scenario with id {scenario_id}", severity="error", markup=False)
            return
        self._open(entry, sandbox=False)

    def open_sandbox(self, from_scenario: str | None = None) -> None:
        self._open(self.entry(from_scenario) if from_scenario else None, sandbox=True)

    def _open(self, entry: Entry | None, *, sandbox: bool, replace: bool = False) -> None:
        """Open a scenario or sandbox screen; a scenario that cannot start is a notification, not a crash."""
        from ecrsim.scenarios.problems import ScenarioProblems
        from ecrsim.scenarios.session import Session, SessionError
        from ecrsim.tui.scenario_screen import ScenarioScreen

        try:
            if sandbox:
                session = Session.sandbox(entry)
            else:
                assert entry is not None
                session = Session.for_scenario(entry, shuffle=self.shuffle)
        except (ScenarioProblems, SessionError) as error:
            self.notify(
                str(error), title="This scenario cannot start", severity="error", timeout=10, markup=False
            )
            return
        screen = ScenarioScreen(session)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def replace_with(self, current: Screen[None], entry: Entry | None, *, sandbox: bool) -> None:
        """Swap a scenario or sandbox screen for a fresh one (restart, another world), if it is still the
        screen on top: the choice comes back from a modal a moment after it closed, and switching then
        would replace whatever screen is on top instead, even home."""
        if is_on_top(current):  # not if the learner left it, or opened the palette, meanwhile
            self._open(entry, sandbox=sandbox, replace=True)

    async def on_event(self, event: events.Event) -> None:
        """A mouse press on a widget that is being removed does nothing: Textual 8.2.8 starts a text
        selection in the pressed widget's parent, which a removed widget no longer has (AttributeError:
        'NoneType' object has no attribute 'region', found by the monkey clicking as a screen closed)."""
        if isinstance(event, events.MouseDown) and _lands_on_removed_widget(self.screen, event):
            return
        await super().on_event(event)

    # -- actions ------------------------------------------------------------------------------------------
    def action_help(self) -> None:
        from ecrsim.tui.help import HelpScreen

        if CommandPalette.is_open(self):
            self.screen.dismiss()  # F1 from the palette: help replaces it rather than stacking on it
        if not any(isinstance(screen, HelpScreen) for screen in self.screen_stack):
            self.push_screen(HelpScreen())

    def search_themes(self) -> None:
        """The palette's "Change theme": ecrsim's palette (ecrsim.tui.palette), not Textual's own."""
        from textual.theme import ThemeProvider

        from ecrsim.tui.palette import Palette

        self.push_screen(Palette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def action_command_palette(self) -> None:
        """One palette at most: under help (F1 pressed over it) a second would collide with the first."""
        from ecrsim.tui.palette import Palette

        if self.use_command_palette and not any(isinstance(s, CommandPalette) for s in self.screen_stack):
            self.push_screen(Palette())  # no id: one still being removed would collide with it

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME


def _lands_on_removed_widget(screen: Screen[object], event: events.MouseDown) -> bool:
    from textual.errors import NoWidget

    try:
        widget, _ = screen.get_widget_at(event.x, event.y)
    except NoWidget:
        return False
    return widget is not screen and widget.parent is None
