"""The sandbox: the default world, undo and reset, another scenario's world; help and the palette."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Markdown
from tui_helpers import open_sandbox, pick_world, ready, static_text, terminal_text, type_line

from ecrsim.tui.help import HelpScreen
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.scenario_screen import ScenarioScreen
from ecrsim.tui.terminal import CommandInput


async def test_the_sandbox_is_the_default_world_with_undo_and_reset(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sandbox(pilot)
        assert "profile admin" in static_text(pilot, "#sim-status")
        assert "2026-01-05 09:00 UTC" in static_text(pilot, "#sim-status")
        await type_line(pilot, "aws ecr create-repository --repository-name web")
        await type_line(pilot, "aws ecr create-repository --repository-name api")
        repositories = screen.session.world.accounts["111122223333"].registries["us-east-1"].repositories
        assert sorted(repositories) == ["api", "web"]

        await pilot.press("f8")
        await pilot.pause()
        assert "Undid: aws ecr create-repository --repository-name api" in terminal_text(pilot)
        registry = screen.session.world.accounts["111122223333"].registries["us-east-1"]
        assert sorted(registry.repositories) == ["web"]
        assert "api  MUTABLE" not in static_text(pilot, "#world-text")

        await pilot.press("f9")
        await pilot.click("#confirm-reset")  # F9 asks first
        await pilot.pause()
        assert "The world is back to its starting state." in terminal_text(pilot)
        assert "no repositories yet" in static_text(pilot, "#world-text")


async def test_the_sandbox_can_start_from_a_scenarios_world(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sandbox(pilot)
        await pick_world(pilot, "tui-readonly")
        screen = app.screen
        assert isinstance(screen, ScenarioScreen) and screen.session.is_sandbox
        # The scenario's steps were replayed: dana is acting, and her denied call is in the history.
        assert "profile dana" in static_text(pilot, "#sim-status")
        assert "Sandbox: ReadOnly cannot create repositories" in static_text(pilot, "#sim-title")
        assert any(e.error_code == "AccessDeniedException" for e in screen.session.world.events)
        # Reset goes back to that world, not to before the replay.
        await type_line(pilot, "sim as admin")
        await pilot.press("f9")
        await pilot.click("#confirm-reset")  # F9 asks first
        await pilot.pause()
        assert "profile dana" in static_text(pilot, "#sim-status")
        await pilot.press("escape", "escape")  # from the terminal to the guide, then home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # the picker replaced the screen, not stacked on it


async def test_tab_completes_from_the_shell(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sandbox(pilot)
        command = screen.query_one("#terminal-input")
        command.focus()
        await pilot.press(*"aws", "space", *"ecr", "space", *"get-login-p", "tab")
        await pilot.pause()
        assert command.value == "aws ecr get-login-password "


async def test_history_brings_back_earlier_commands(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sandbox(pilot)
        await type_line(pilot, "sim whoami")
        await type_line(pilot, "sim clock")
        command = screen.query_one("#terminal-input")
        await pilot.press("up", "up")
        assert command.value == "sim whoami"
        await pilot.press("down")
        assert command.value == "sim clock"
        await pilot.press("down")
        assert command.value == ""


async def test_errors_are_shown_in_red(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sandbox(pilot)
        await type_line(pilot, "aws ecr describe-repositories --repository-names nope")
        lines = screen.query_one("#terminal-output").lines
        error = next(line for line in lines if "RepositoryNotFoundException" in line.text)
        assert any(
            segment.style and segment.style.color and segment.style.color.name == "red" for segment in error
        )


async def test_f1_shows_the_keys_and_the_terminals_commands(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sandbox(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        source = app.screen.query_one(Markdown).source
        assert "| `f8` | Undo |" in source and "| `f5` | Hint |" in source
        assert "sim" in source and "docker" in source
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)


async def test_f10_switches_between_dark_and_light(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert app.current_theme.dark
        await pilot.press("f10")
        assert not app.current_theme.dark
        await pilot.press("f10")
        assert app.current_theme.dark


async def test_the_palette_opens_scenarios_and_the_sandbox_by_name(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Scenario: The first push")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)
        assert app.screen.session.entry is not None and app.screen.session.entry.id == "tui-first-push"


async def test_f11_fills_the_screen_with_the_focused_panel_and_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sandbox(pilot)
        await pilot.press("f11")
        await pilot.pause()
        assert screen.maximized is screen.query_one("#terminal")
        assert not screen.query_one("#side").display or screen.query_one("#side").region.width == 0
        await pilot.press("f11")
        await pilot.pause()
        assert screen.maximized is None
        await pilot.press("f3")
        screen.query_one("#world-view").focus()  # focus in the side panel: it is the one zoomed
        await pilot.press("f11")
        await pilot.pause()
        assert screen.maximized is screen.query_one("#side")
        assert screen.query_one("#side").region.width == 80  # the whole screen, not its usual half


async def test_a_burst_of_keys_goes_in_at_once_then_enter_runs_it(make_app) -> None:
    """A paste delivered as one key per character (no bracketed paste) is taken in a few insertions, not
    one per key: each insertion re-measured the whole line and left a copy of it queued, so a 28 KB paste
    took a minute and 300 MB (benchmarks/paste.py measures it). Enter, right behind it, runs all of it."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sandbox(pilot)
        command = screen.query_one("#terminal-input", CommandInput)
        command.focus()
        await pilot.pause()
        changes: list[str] = []
        command.watch(command, "value", lambda value: changes.append(value), init=False)
        text = "sim advance 1h # " + "x" * 3000
        for char in text:
            app.post_message(events.Key(char, char))
        app.post_message(events.Key("enter", None))
        for _ in range(250):
            await pilot.pause(0.02)
            if command.history:
                break
        assert command.history == [text] and command.value == ""
        await pilot.pause()
        assert "Clock advanced by 1h" in terminal_text(pilot)
        assert len(changes) < len(text) / 10, len(changes)  # a few insertions, not one per key
