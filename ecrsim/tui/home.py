"""The home screen: the sandbox, then the bundled scenarios grouped by topic, with a filter.

One list, so one key (Enter) or one click opens any entry; the sandbox row is pinned at the top and
never filtered away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.widgets.option_list import Option

from ecrsim.scenarios.files import bundled_pack
from ecrsim.tui.catalog import Entry, by_group, group_title
from ecrsim.tui.catalog_index import load_and_index, read_index
from ecrsim.tui.option_list import OptionList

if TYPE_CHECKING:
    from ecrsim.tui.app import EcrsimApp

SANDBOX_ID = "sandbox"
COLUMNS_WIDTH = 44  # indent, domain, difficulty, progress, the list's border, padding and scrollbar


def _notice(text: str) -> Option:
    """A line in the list that is not an entry: loading, nothing found."""
    return Option(Content.styled(text, "$text-muted"), disabled=True)


class HomeScreen(Screen[None]):
    app: EcrsimApp  # type: ignore[assignment]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f,slash", "focus_filter", "Filter", id="home.filter"),
        Binding("f5", "sandbox", "Sandbox", id="home.sandbox"),
        Binding("f6", "review", "Review", id="home.review"),
        Binding("f7", "exam", "Exam", id="home.exam"),
        Binding("f8", "progress", "Progress", id="home.progress"),
        Binding("escape", "clear_filter", "Clear filter", id="home.clear_filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False  # the pack loads after the first frame, unless its remembered list is current
        self.list_width = 0  # the terminal width the list was last built for
        self.filter_pending = False  # the list is rebuilt for the filter after the next frame

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.app.title}[/b] · {self.app.sub_title}", id="home-title")
        yield Static(
            "Type real [b]aws[/] and [b]docker[/] commands against a simulated AWS account; "
            "every allow and deny is explained.",
            id="home-intro",
        )
        yield Input(placeholder="Filter: title, topic or domain (ctrl+f)", id="home-filter")
        yield OptionList(id="home-list")
        yield Footer()

    def on_mount(self) -> None:
        remembered = read_index(self.app.pack_dir or bundled_pack())
        if remembered is not None:
            self.app.entries = remembered
            self.loaded = True
        self.refresh_list()
        self.query_one(OptionList).focus()
        if not self.loaded:
            # After the first frame: loading imports pydantic and YAML, which would hold the GIL meanwhile.
            self.call_after_refresh(self.load_pack)

    @work(thread=True, exclusive=True, group="pack")
    def load_pack(self) -> None:
        try:
            entries, problems = load_and_index(self.app.pack_dir or bundled_pack())
        except Exception as error:  # the last line of defence: the sandbox must stay usable
            entries, problems = (
                [],
                [f"ecrsim: internal error loading the pack: {type(error).__name__}: {error}"],
            )
        self.app.call_from_thread(self._pack_loaded, entries, problems)

    def _pack_loaded(self, entries: list[Entry], problems: list[str]) -> None:
        self.app.entries = entries
        self.loaded = True
        self.refresh_list()
        if problems:
            title = f"{len(problems)} problem(s) in the pack"
            self.notify("\n".join(problems[:5]), title=title, severity="warning", markup=False)

    def on_screen_resume(self) -> None:
        self.refresh_list()  # progress may have changed in a scenario

    def on_resize(self) -> None:
        if self.app.size.width != self.list_width:
            self.refresh_list()  # titles take the width the other columns leave

    # -- the list -----------------------------------------------------------------------------------------
    def refresh_list(self) -> None:
        words = self.query_one("#home-filter", Input).value.lower().split()
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted_option
        options: list[Option | None] = [Option(self._sandbox_prompt(), id=SANDBOX_ID)]
        if not self.loaded:
            options.append(_notice("Loading the scenario pack…"))
        group = None
        shown = 0
        for entry in by_group(self.app.entries):
            if not entry.matches(words):
                continue
            if entry.group != group:
                group = entry.group
                options.append(None)
                options.append(Option(Content.styled(group_title(group), "bold"), disabled=True))
            options.append(Option(self._entry_prompt(entry), id=entry.id))
            shown += 1
        if self.loaded and not self.app.entries:
            options.append(_notice("No scenarios could be loaded."))
        elif self.loaded and not shown:
            options.append(_notice("No scenario matches the filter."))
        option_list.set_options(options)
        self.list_width = self.app.size.width
        index = option_list.index_of(highlighted.id) if highlighted and highlighted.id else None
        option_list.highlighted = 0 if index is None else index  # filtered away: back to the sandbox

    def _sandbox_prompt(self) -> Content:
        return Content.assemble(
            ("▶ Sandbox", "bold"), ("  a free world: account 111122223333, user admin", "$text-muted")
        )

    def _entry_prompt(self, entry: Entry) -> Content:
        """One row: title, exam domain, difficulty and progress, in columns (theme colours, so the row
        reads in the light theme too)."""
        width = max(20, self.app.size.width - COLUMNS_WIDTH)
        title = entry.title if len(entry.title) <= width else entry.title[: width - 1] + "…"
        progress = entry.progress_label(self.app.progress.record(entry.id))
        return Content.assemble(
            "  " + title.ljust(width),
            (f" {entry.domain_name:<18} ", "$accent"),
            ("●" * entry.difficulty + "○" * (3 - entry.difficulty), "$warning"),
            (f" {progress:>10}", "$success" if progress.startswith("✓") else ""),
        )

    # -- events and actions -------------------------------------------------------------------------------
    @on(Input.Changed, "#home-filter")
    def _filter_changed(self) -> None:
        # Once per frame, not per key: a filter pasted or typed fast rebuilt the whole list for each key.
        if not self.filter_pending:
            self.filter_pending = True
            self.call_after_refresh(self._filter_now)

    def _filter_now(self) -> None:
        self.filter_pending = False
        self.refresh_list()

    @on(Input.Submitted, "#home-filter")
    def _filter_submitted(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        first = next((i for i, o in enumerate(option_list.options) if o.id not in (None, SANDBOX_ID)), None)
        if first is not None:
            option_list.highlighted = first

    @on(OptionList.OptionSelected, "#home-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == SANDBOX_ID:
            self.app.open_sandbox()
        elif event.option.id is not None:
            self.app.open_scenario(event.option.id)

    def action_focus_filter(self) -> None:
        self.query_one("#home-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#home-filter", Input).value = ""
        self.query_one(OptionList).focus()

    def action_sandbox(self) -> None:
        self.app.open_sandbox()

    def action_review(self) -> None:
        from ecrsim.tui.progress_screen import open_review

        open_review(self.app)

    def action_exam(self) -> None:
        from ecrsim.tui.progress_screen import open_exam

        open_exam(self.app)

    def action_progress(self) -> None:
        from ecrsim.tui.progress_screen import open_progress

        open_progress(self.app)
