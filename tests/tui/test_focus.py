"""Focus a learner can see and predict: F2-F4 move focus to what they show, Escape leaves the terminal for
the guide, number keys answer only from the guide (and the footer says so), the focused panel is marked."""

from __future__ import annotations

from textual.widgets import Input
from tui_helpers import ready, static_text

from ecrsim.tui.guide_log import GuideLog
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.scenario_screen import ScenarioScreen
from ecrsim.tui.terminal import Terminal
from ecrsim.tui.world_view import WorldView


async def _question(pilot) -> ScenarioScreen:
    await ready(pilot)
    pilot.app.open_scenario("tui-first-push")
    await pilot.pause()
    await pilot.press("enter")  # start: the first question waits
    await pilot.pause()
    return pilot.app.screen


def _footer_keys(screen) -> dict[str, str]:
    """What the footer offers: each shown key (as displayed) and what it does."""
    return {
        active.binding.key_display or active.binding.key: active.binding.description
        for active in screen.active_bindings.values()
        if active.binding.show and active.enabled
    }


async def test_f2_after_typing_moves_focus_to_the_choices_so_a_number_answers(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _question(pilot)
        await pilot.press("ctrl+t", *"echo")
        await pilot.press("2")  # in the terminal, a number is typed
        await pilot.pause()
        command = screen.query_one("#terminal-input", Input)
        assert command.value == "echo2"
        assert static_text(pilot, ".question-result") == ""
        await pilot.press("f2", "2")
        await pilot.pause()
        assert "✓ Right!" in static_text(pilot, ".question-result")
        assert command.value == "echo2"


async def test_escape_leaves_the_terminal_for_the_guide_then_goes_home(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _question(pilot)
        await pilot.press("ctrl+t")
        assert "Guide" in _footer_keys(screen).values()  # escape's meaning in the terminal is shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)
        assert screen.query_one(GuideLog) in app.focused.ancestors_with_self
        assert _footer_keys(screen).get("1-9") == "Answer"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_in_the_sandbox_escape_focuses_the_guide_log_and_numbers_answer_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, GuideLog)
        assert "1-9" not in _footer_keys(screen)  # no question waits
        await pilot.press("1")
        assert isinstance(app.screen, ScenarioScreen)


async def test_f3_and_f4_focus_the_world_and_the_explanation(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.focused, WorldView)
        await pilot.press("f4")
        await pilot.pause()
        assert app.focused is not None and app.screen.query_one("#explain") in app.focused.ancestors


async def test_the_focused_panel_is_marked(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        terminal = app.screen.query_one(Terminal)
        assert terminal.styles.border_left[0] == "thick"
        await pilot.press("f3")
        await pilot.pause()
        assert terminal.styles.border_left[0] != "thick"
