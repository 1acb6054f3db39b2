"""The UI never waits on a command, and a failure of the app itself never loses the learner's world."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from tui_helpers import PACK, ready, type_line

from ecrsim.scenarios.session import Session
from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.world_view import WorldView


async def test_a_command_that_never_returns_leaves_ctrl_q_working(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `--cli-input-json file:///dev/stdin` did: the command blocks; the app must still quit."""
    release = threading.Event()
    real_run = Session.run

    def stuck(self: Session, line: str):
        if "stuck" in line:
            release.wait(30)
        return real_run(self, line)

    monkeypatch.setattr(Session, "run", stuck)
    app = EcrsimApp(pack_dir=PACK)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            await pilot.press("f5")
            await pilot.pause()
            command = app.screen.query_one("#terminal-input")
            command.value = "echo stuck"
            app.simulate_key("enter")  # not pilot.press: it waits for the screen, which is waiting
            for _ in range(100):
                await asyncio.sleep(0.02)
                if command.border_subtitle:
                    break
            assert "ctrl+q quits" in command.border_subtitle
            app.simulate_key("ctrl+q")
            quit_pressed = time.monotonic()
            for _ in range(250):
                if app.return_code is not None:
                    break
                await asyncio.sleep(0.02)
            assert app.return_code == 0
        assert time.monotonic() - quit_pressed < 20  # closed without waiting for the command (30 s)
    finally:
        release.set()


async def test_an_internal_error_saves_the_commands_and_exits_non_zero(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = EcrsimApp(pack_dir=PACK)
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            await pilot.press("f5")
            await pilot.pause()
            await type_line(pilot, "aws ecr create-repository --repository-name web")
            monkeypatch.setattr(WorldView, "show", lambda self, world: 1 / 0)
            await type_line(pilot, "aws ecr create-repository --repository-name api")
    assert app.return_code == 1
    [rescue] = home.glob("rescue-*.txt")
    script = rescue.read_text(encoding="utf-8")
    assert (
        "aws ecr create-repository --repository-name web\naws ecr create-repository --repository-name api\n"
        in (script)
    )
    assert "# ZeroDivisionError" in script  # the traceback, as comments the replay skips
    assert str(rescue) in app.rescue_note and f"ecrsim shell --script {rescue}" in app.rescue_note


def test_the_saved_commands_replay_in_ecrsim_shell(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ecrsim.cli import main

    script = home / "rescue.txt"
    script.write_text(
        "# ecrsim stopped on an internal error: ZeroDivisionError\n"
        "aws ecr create-repository --repository-name web\n# Traceback (most recent call last):\n",
        encoding="utf-8",
    )
    assert main(["shell", "--script", str(script)]) == 0
    assert '"repositoryName": "web"' in capsys.readouterr().out
