"""What the main screens look like at the two sizes the UI must serve: 100x30 and 80x24 (a small laptop
terminal, a projector). Regenerate with `pytest --snapshot-update tests/tui` after an intended change."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import HOST, PACK, ready, type_line

from ecrsim.tui.app import EcrsimApp

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]


async def _open_first_push(pilot) -> None:
    await ready(pilot)
    pilot.app.open_scenario("tui-first-push")
    await pilot.pause()


async def _home(pilot) -> None:
    await ready(pilot)


async def _question_answered(pilot) -> None:
    await _open_first_push(pilot)
    await pilot.press("enter", "1")
    await pilot.pause()


async def _task_with_hint(pilot) -> None:
    await _open_first_push(pilot)
    await pilot.press("enter", "2", "f7", "f5")
    await pilot.pause()


async def _task_done(pilot) -> None:
    await _task_with_hint(pilot)
    await type_line(pilot, f"aws ecr get-login-password | docker login -u AWS --password-stdin {HOST}")
    await type_line(pilot, f"docker push {HOST}/api:1.0")


async def _sandbox_world(pilot) -> None:
    await ready(pilot)
    await pilot.press("f5")
    await pilot.pause()
    await type_line(pilot, "aws ecr create-repository --repository-name web --image-tag-mutability IMMUTABLE")
    await pilot.press("f3")
    await pilot.pause()


async def _readonly_explained(pilot) -> None:
    await ready(pilot)
    pilot.app.open_scenario("tui-readonly")
    await pilot.pause()
    await pilot.press("enter", "f4")
    await pilot.pause()


async def _help(pilot) -> None:
    await ready(pilot)
    await pilot.press("f1")
    await pilot.pause()


SCREENS = {
    "home": _home,
    "briefing": _open_first_push,
    "question": _question_answered,
    "task_done": _task_done,
    "sandbox_world": _sandbox_world,
    "explain": _readonly_explained,
    "help": _help,
}


def _steady(setup):
    """Run `setup`, then stop input cursors blinking: a snapshot must not depend on when it is taken."""

    async def run_before(pilot) -> None:
        await setup(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screen(snap_compare, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(
        EcrsimApp(pack_dir=PACK, shuffle=False), terminal_size=size, run_before=_steady(SCREENS[screen])
    )


def test_light_theme(snap_compare) -> None:
    async def light_question(pilot) -> None:
        await _question_answered(pilot)
        await pilot.press("f10")

    assert snap_compare(
        EcrsimApp(pack_dir=PACK, shuffle=False), terminal_size=(80, 24), run_before=_steady(light_question)
    )
