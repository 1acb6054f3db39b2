"""A monkey at the keyboard: seeded random keys, clicks and commands over every screen, at the two sizes the
UI serves. Any exception fails the test with the seed that replays it:

    ECRSIM_MONKEY_SEED=1234 pytest tests/tui/test_monkey.py

Each run is bounded by a number of events and by time, so it stays a small share of CI.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input
from tui_helpers import PACK, ready

from ecrsim.tui.app import EcrsimApp

EVENTS = 1000  # per run: the four runs make a few thousand on an idle machine
SECONDS = 12.0  # per run, whatever the machine: stop early rather than hold CI

KEYS = [  # (key, the character it types)
    *((key, None) for key in ("up", "down", "left", "right", "pageup", "pagedown", "home", "end")),
    *((key, None) for key in ("enter", "escape", "tab", "shift+tab", "backspace")),
    *((f"f{n}", None) for n in range(1, 12)),
    *((key, None) for key in ("ctrl+p", "ctrl+f", "ctrl+t", "ctrl+l")),
    *((char, char) for char in "0123456789abqsxyz"),
    ("space", " "),
    ("slash", "/"),
    ("vertical_line", "|"),
]
COMMANDS = [
    "aws ecr create-repository --repository-name web",
    "aws ecr describe-repositories",
    "aws ecr get-login-password | docker login -u AWS --password-stdin "
    "111122223333.dkr.ecr.us-east-1.amazonaws.com",
    "docker build -t 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1 .",
    "docker push 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1",
    "sim explain",
    "sim undo",
    "sim advance 13h",
    "aws ecr put-image --cli-input-json file:///dev/null",
    "a | b |",
    "x" * 500,
    "help",
    '"unterminated',
]
SEEDS = [int(os.environ["ECRSIM_MONKEY_SEED"])] if "ECRSIM_MONKEY_SEED" in os.environ else [1, 2]


async def _settle(pilot) -> None:
    """Let the app handle what was posted. Not `pilot.press`/`click`: each waits for the whole process to
    look idle, up to a second, which would leave the monkey a handful of events in its time."""
    await pilot.pause(0)


async def _key(pilot, key: str, char: str | None) -> None:
    pilot.app.post_message(events.Key(key, char))
    await _settle(pilot)


async def _click(pilot, x: int, y: int) -> None:
    for kind in (events.MouseDown, events.MouseUp, events.Click):
        pilot.app.post_message(kind(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y))
    await _settle(pilot)


async def _event(pilot, rng: random.Random, width: int, height: int) -> None:
    """One thing a learner might do: press a key, click somewhere, type a command, open a study screen."""
    roll = rng.random()
    app = pilot.app
    if roll < 0.08:
        await _click(pilot, rng.randrange(width), rng.randrange(height))
    elif roll < 0.16 and isinstance(app.focused, Input):
        app.focused.value = rng.choice(COMMANDS)
        await _key(pilot, "enter", None)
    elif roll < 0.18:
        from ecrsim.tui.progress_screen import open_exam, open_progress, open_review

        rng.choice([open_review, open_exam, open_progress])(app)
        await _settle(pilot)
    else:
        await _key(pilot, *rng.choice(KEYS))


async def _monkey(seed: int, size: tuple[int, int], tmp_path: Path) -> int:
    """Run one seeded monkey; return how many events it managed in its time."""
    rng = random.Random(seed)
    done = 0
    deadline = time.monotonic() + SECONDS
    while done < EVENTS and time.monotonic() < deadline:
        app = EcrsimApp(pack_dir=PACK)
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            while done < EVENTS and time.monotonic() < deadline and app.return_code is None:
                await _event(pilot, rng, *size)
                done += 1
            await pilot.pause()
    return done


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
@pytest.mark.parametrize("seed", SEEDS)
async def test_random_use_never_crashes(
    seed: int, size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the palette's "save screenshot" writes where it runs
    try:
        events = await _monkey(seed, size, tmp_path)
    except Exception as error:
        pytest.fail(
            f"the monkey crashed the UI: {type(error).__name__}: {error}\n"
            f"replay: ECRSIM_MONKEY_SEED={seed} pytest tests/tui/test_monkey.py -k {size[0]}x{size[1]}"
        )
    assert events >= 10  # it really drove the app
