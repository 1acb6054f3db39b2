"""Ordinary use that used to end the app with a traceback: each test replays what a learner did."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList
from tui_helpers import ready, static_text

from ecrsim.scenarios.review import Attempt
from ecrsim.scenarios.study_store import StudyStore
from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.help import HelpScreen
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.review_screen import ReviewScreen

STUDY_PACK = Path(__file__).resolve().parent.parent / "scenarios" / "study_pack"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


async def test_filtering_after_highlighting_a_scenario_keeps_the_app_running(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("down", "down", "ctrl+f", *"zq")  # highlight tui-readonly, filter it away
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        option_list = app.screen.query_one(OptionList)
        assert option_list.highlighted == 0  # the highlighted scenario was filtered away: back to the top
        assert app.return_code is None


@pytest.mark.parametrize("key", ["pageup", "pagedown"])
async def test_paging_the_home_list_in_a_tiny_terminal(make_app, key: str) -> None:
    app = make_app()
    async with app.run_test(size=(40, 10)) as pilot:
        await ready(pilot)
        await pilot.press(key, key)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.return_code is None


async def test_help_over_the_palette_then_the_palette_again(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert sum(isinstance(screen, CommandPalette) for screen in app.screen_stack) <= 1
        assert app.return_code is None


async def test_tab_after_a_trailing_pipe_does_not_crash(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press(*"a | b |", "tab")
        await pilot.pause()
        assert app.return_code is None
        assert app.screen.query_one("#terminal-input").value == "a | b |"


async def test_review_goes_from_one_question_card_to_the_next(home: Path) -> None:
    store = StudyStore.load()
    store.record("study-d1#1", Attempt("question", False), T0)
    store.record("study-d1#2", Attempt("question", False), T0 + timedelta(seconds=1))
    async with EcrsimApp(pack_dir=STUDY_PACK).run_test(size=(100, 30)) as pilot:
        await pilot.app.push_screen(ReviewScreen(now=lambda: T0 + timedelta(minutes=5)))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert "Card 2 of 2: question 2" in static_text(pilot, "#review-status")
        await pilot.press("2")
        await pilot.pause()
        assert "✓ Right!" in static_text(pilot, ".question-result")
        assert pilot.app.return_code is None


async def test_every_home_lookup_survives_a_pack_of_nothing(tmp_path: Path) -> None:
    """A pack directory with no scenarios: the list says so and every key still works."""
    async with EcrsimApp(pack_dir=tmp_path).run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "pagedown", "ctrl+f", "x", "enter", "escape", "up", "pageup")
        await pilot.pause()
        assert pilot.app.return_code is None


async def test_every_option_list_in_a_scenario_is_the_one_that_cannot_raise(make_app) -> None:
    """The choices (one right answer or several), the Explain panel's history and the Live tab's list are
    ecrsim.tui.option_list's, which neither raises on a missing id nor on a page key without room
    (Textual's raised KeyError there); each one pages in a 40x12 terminal with the app still running."""
    from ecrsim.tui.option_list import OptionList as SafeOptionList
    from ecrsim.tui.option_list import SelectionList as SafeSelectionList

    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(pilot)
        app.open_scenario("tui-readonly")
        await pilot.pause()
        await pilot.press("enter", "pagedown", "pageup", "2", "f7")  # one answer, then several
        await pilot.pause()
        await pilot.press("pagedown", "pageup", "3", "4", "s")
        await pilot.pause()
        screen = app.screen
        lists = list(screen.query(OptionList))
        kinds = {type(widget) for widget in lists}
        assert kinds == {SafeOptionList, SafeSelectionList}, kinds
        assert {"explain-calls", "live-calls"} <= {widget.id for widget in lists}
        for widget in lists:
            widget.styles.height = 2  # a list squeezed to its border: no room for a line
            widget.focus()
            await pilot.pause()
            await pilot.press("pageup", "pagedown")
            await pilot.pause()
        assert app.return_code is None and app.screen is screen


async def test_enter_twice_in_the_palette_runs_the_command_once(make_app) -> None:
    """A second Enter that arrives before the palette has closed (a fast double press; the monkey's pace)
    selected again from a palette already dismissed: ScreenStackError, and the command ran twice."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p", *"progress")
        await pilot.pause(0.3)  # the palette's search has answered
        await pilot.app.workers.wait_for_complete()
        app.post_message(events.Key("enter", None))
        app.post_message(events.Key("enter", None))
        app.post_message(events.Key("enter", None))
        await pilot.pause()
        await pilot.pause()
        assert app.return_code is None
        assert [type(screen).__name__ for screen in app.screen_stack] == ["HomeScreen", "ProgressScreen"]


def _openers() -> dict[str, object]:
    from ecrsim.tui import progress_screen
    from ecrsim.tui.confirm import Confirm
    from ecrsim.tui.help import HelpScreen
    from ecrsim.tui.world_picker import WorldPicker

    return {
        "progress": progress_screen.open_progress,
        "review": progress_screen.open_review,
        "exam": progress_screen.open_exam,
        "help": lambda app: app.push_screen(HelpScreen()),
        "confirm": lambda app: app.push_screen(Confirm("Reset?", [("keep", "Keep"), ("reset", "Reset")])),
        "worlds": lambda app: app.push_screen(WorldPicker(app.entries)),
        "scenario": lambda app: app.open_scenario("tui-first-push"),
        "sandbox": lambda app: app.open_sandbox(),
    }


@pytest.mark.parametrize("screen", list(_openers()))
async def test_leaving_a_screen_the_moment_it_opens(make_app, screen: str) -> None:
    """A screen closed before it had mounted (a key and Escape faster than a frame): a study screen's header
    updated its title after its parts were removed, the exam form focused a field already gone; either
    NoMatches ended the app."""
    import asyncio

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        for _ in range(3):
            _openers()[screen](app)
            await asyncio.sleep(0)
            app.pop_screen()
            await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, HomeScreen)


async def test_the_palette_closed_and_opened_again_at_once(make_app) -> None:
    """ctrl+p, Escape, ctrl+p faster than a frame: the new palette took the id of the one still being
    removed (DuplicateIds '--command-palette' ended the app)."""
    import asyncio

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        for _ in range(3):
            app.action_command_palette()
            await asyncio.sleep(0)
            app.pop_screen()
            app.action_command_palette()
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, HomeScreen)


async def test_enter_twice_on_the_exam_form_starts_one_exam(make_app) -> None:
    """Two Enters before the form closed answered it twice: InvalidStateError ended the app."""
    from textual import events

    from ecrsim.tui.exam_screen import ExamScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f7")
        await pilot.pause()
        app.post_message(events.Key("enter", None))
        app.post_message(events.Key("enter", None))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.return_code is None
        assert sum(isinstance(screen, ExamScreen) for screen in app.screen_stack) == 1


async def test_page_keys_in_the_palette_before_its_list_has_room(make_app) -> None:
    """PageUp while the palette's list had no line laid out: Textual's KeyError ended the app."""
    import asyncio

    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        for _ in range(5):
            app.action_command_palette()
            await asyncio.sleep(0)
            for key in ("e", "pageup", "pagedown", "pageup"):
                app.post_message(events.Key(key, key if len(key) == 1 else None))
                await asyncio.sleep(0)
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, HomeScreen)


async def test_two_clicks_outside_the_palette_close_it_once(make_app) -> None:
    """Textual's palette closes on a click on its backdrop, and closed again on a second click that reached
    it before it had gone (a double click; the monkey's pace): it popped the home screen under it, the last
    one, and ScreenStackError ended the app."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        for _ in range(2):  # on the backdrop below its list; both queued before the app handles either
            app.post_message(
                events.Click(None, 40, 23, 0, 0, 1, False, False, False, screen_x=40, screen_y=23)
            )
        await pilot.pause()
        await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, HomeScreen)


async def test_a_click_on_a_palette_line_drawn_before_its_list_was_refilled_selects_nothing(make_app) -> None:
    """A click names the option drawn under it by number; the palette's search can refill its list with fewer
    options between the drawing and the click (the monkey types and clicks fast): Textual's OptionList then
    indexed past its options, and the IndexError ended the app."""
    from rich.style import Style
    from textual import events
    from textual.command import CommandList

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        commands = app.screen.query_one(CommandList)
        stale = Style(meta={"option": commands.option_count + 5})
        x, y = commands.region.x + 2, commands.region.y  # on the list, not on the backdrop that closes it
        click = events.Click(commands, 2, 0, 0, 0, 1, False, False, False, x, y, style=stale)
        commands.post_message(click)
        await pilot.pause()
        await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, CommandPalette)


async def test_leaving_a_scenario_as_its_restart_is_chosen(make_app) -> None:
    """Choosing "Restart" on F9's question, then Escape before the answer reached the scenario screen: the
    restart then replaced whatever was on top, the home screen, and Textual's IndexError ended the app."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.open_scenario("tui-first-push")
        await pilot.pause()
        scenario = app.screen
        await pilot.press("f9")
        await pilot.pause()
        app.screen.dismiss("reset")  # the answer is handed to the scenario screen on its next turn
        scenario.action_leave()  # and Escape comes first
        await pilot.pause()
        await pilot.pause()
        assert app.return_code is None and isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1
