"""A monkey at the keyboard: seeded random keys, clicks and commands over every screen, at the two sizes the
UI serves. Any exception fails the test with the seed that replays it:

    ECRSIM_MONKEY_SEED=1234 pytest tests/tui/test_monkey.py

Each run is bounded by a number of events and by time, so it stays a small share of CI. Events are posted
as the terminal driver posts them and the monkey yields between them without waiting for the screen; every
SETTLE_EVERY actions it waits for everything posted to be handled and a frame drawn (waiting after each
event, it managed some 60-120 events in its time on a loaded machine).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest
from textual import events
from tui_helpers import PACK, ready

from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.terminal import CommandInput

EVENTS = 3000  # input events (keys, clicks) per run: on CI's two idle cores the four make a few thousand
SECONDS = 20.0  # per run, whatever the machine: stop early rather than hold CI
SETTLE_EVERY = 10  # actions (a key, a click, a command typed) between waits for the app to catch up,
# and at most ten times as many events (commands typed key by key)
# Events per CPU second the run got, at the least: fewer means the monkey was waiting rather than driving
# the app. Measured: about 45 (so a run with a core to itself makes some 900 events); a loaded machine
# gives a run less CPU, hence fewer events in its time, but not fewer per CPU second.
MINIMUM_RATE = 15

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


async def _key(pilot, key: str, char: str | None) -> None:
    pilot.app.post_message(events.Key(key, char))
    await asyncio.sleep(0)


async def _click(pilot, x: int, y: int) -> None:
    for kind in (events.MouseDown, events.MouseUp, events.Click):
        pilot.app.post_message(kind(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y))
    await asyncio.sleep(0)


async def _event(pilot, rng: random.Random, width: int, height: int) -> int:
    """One thing a learner might do: press a key, click somewhere, type a command, open a study screen.
    Returns how many input events that was (a command typed is a key per character, then Enter)."""
    roll = rng.random()
    app = pilot.app
    if roll < 0.08:
        await _click(pilot, rng.randrange(width), rng.randrange(height))
        return 1
    if roll < 0.1:
        from ecrsim.tui.progress_screen import open_exam, open_progress, open_review

        rng.choice([open_review, open_exam, open_progress])(app)
        await asyncio.sleep(0)
        return 1
    if roll < 0.35 and isinstance(app.focused, CommandInput):  # commands go to the terminal
        command = rng.choice(COMMANDS)
        for char in command:  # typed, as a learner or a paste types it
            app.post_message(events.Key(char, char))
        await _key(pilot, "enter", None)
        return len(command) + 1
    await _key(pilot, *rng.choice(KEYS))
    return 1


async def _monkey(seed: int, size: tuple[int, int], tmp_path: Path) -> tuple[int, float]:
    """Run one seeded monkey; return how many input events it managed in its time, and the CPU seconds
    its thread (the app's) spent meanwhile: not the process's, in which threads left by earlier tests of
    the same pytest worker may run."""
    cpu = time.thread_time()
    rng = random.Random(seed)
    done = actions = settled = 0
    deadline = time.monotonic() + SECONDS
    while done < EVENTS and time.monotonic() < deadline:
        app = EcrsimApp(pack_dir=PACK)
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            while done < EVENTS and time.monotonic() < deadline and app.return_code is None:
                done += await _event(pilot, rng, *size)
                actions += 1
                if actions % SETTLE_EVERY == 0 or done - settled >= SETTLE_EVERY * 10:
                    settled = done
                    # Everything posted handled, and a frame drawn; not `pause()`, which also waits (up to
                    # a second) for the process to look idle, never the case while a worker loads
                    await pilot.pause(0)
            await pilot.pause()
    return done, time.thread_time() - cpu


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
@pytest.mark.parametrize("seed", SEEDS)
async def test_random_use_never_crashes(
    seed: int, size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the palette's "save screenshot" writes where it runs
    try:
        events, cpu = await _monkey(seed, size, tmp_path)
    except Exception as error:
        pytest.fail(
            f"the monkey crashed the UI: {type(error).__name__}: {error}\n"
            f"replay: ECRSIM_MONKEY_SEED={seed} pytest tests/tui/test_monkey.py -k {size[0]}x{size[1]}"
        )
    assert events >= min(EVENTS, MINIMUM_RATE * cpu), f"only {events} events in {cpu:.1f} CPU seconds"


async def test_the_monkey_fails_on_an_exception_in_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pacing that leaves the app work queued still brings its exceptions out: F10 made to fail."""

    def broken(self: EcrsimApp) -> None:
        raise RuntimeError("planted")

    monkeypatch.setattr(EcrsimApp, "action_toggle_theme", broken)
    with pytest.raises(RuntimeError, match="planted"):
        await _monkey(1, (80, 24), tmp_path)
