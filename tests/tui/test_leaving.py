"""Leaving a sandbox or scenario: one Escape too many (from a panel) must not lose the learner's work."""

from __future__ import annotations

from tui_helpers import open_sandbox, pick_world, ready, static_text, type_line

from ecrsim.tui.confirm import Confirm
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.scenario_screen import ScenarioScreen


def _repositories(screen: ScenarioScreen) -> list[str]:
    registry = screen.session.world.accounts["111122223333"].registries.get("us-east-1")
    return sorted(registry.repositories) if registry else []  # a fresh world has no registry yet


async def test_escape_asks_before_the_sandboxs_changed_world_is_lost(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sandbox(pilot)
        await type_line(pilot, "aws ecr create-repository --repository-name web")
        await pilot.press("f3", "escape")  # a panel has focus: escape means Home
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "Its world is lost" in static_text(pilot, "Static")
        await pilot.press("escape")  # the safe answer: keep going
        await pilot.pause()
        assert app.screen is screen and _repositories(screen) == ["web"]

        await pilot.press("f3", "escape")
        await pilot.pause()
        await pilot.click("#confirm-leave")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        fresh = await open_sandbox(pilot)
        assert _repositories(fresh) == []


async def test_a_sandbox_whose_changes_were_undone_leaves_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sandbox(pilot)
        await type_line(pilot, "aws ecr describe-repositories")  # reads only
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        await open_sandbox(pilot)
        await type_line(pilot, "aws ecr create-repository --repository-name web")
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_another_world_from_f7_asks_before_the_changed_world_is_lost(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_sandbox(pilot)
        await type_line(pilot, "aws ecr create-repository --repository-name web")
        await pick_world(pilot, "tui-readonly")
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")  # the first button, "Keep going", has focus
        await pilot.pause()
        assert app.screen is screen and _repositories(screen) == ["web"]


async def test_escape_asks_before_a_scenario_half_done_is_left(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.open_scenario("tui-first-push")
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter", "2")  # start, and answer the first question
        await pilot.pause()
        await pilot.press("f2", "escape")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "starts from its briefing" in static_text(pilot, "Static")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.query(".question-result")

        await pilot.press("f2", "escape")
        await pilot.pause()
        await pilot.click("#confirm-leave")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
