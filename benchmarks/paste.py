"""A 28 KB paste into the terminal panel: time and memory, as keys and as a bracketed paste.

A terminal without bracketed paste (or tmux's `send-keys -l`) delivers a paste as one key per character.
The terminal's input must take such a burst in time proportional to its length, and memory must not grow
by more than the text is worth. Each measurement runs in a fresh process (so the resident set it reports
is its own) on the sandbox at 100x30:

- keys 28 KB: 28,000 key events posted at once, as a burst from the terminal;
- keys 2.8 KB: the same at a tenth of the length; the ratio of the two CPU times, divided by 10, is 1.0 when
  the cost per key does not grow with the line (the verdict rests on it: at most 2.0; CPU time is steadier
  than wall time on a shared machine);
- paste 28 KB: one bracketed-paste event.

Reported: wall and CPU seconds, microseconds per key, and the growth of the resident set (MB) while the
text went in. Usage: `python benchmarks/paste.py`.

Measured on a loaded 2-core machine. Before the terminal gathered keys (one insertion per key): 28 KB as
keys 122 s wall, 34 s CPU, RSS +380 MB; 2.8 KB 4.2 s wall, 1.2 s CPU; ratio 2.8. After: 28 KB 4.5 s wall,
1.3 s CPU, RSS +2 MB; 2.8 KB 0.3 s; ratio 0.7-1.6. A bracketed paste: 0.1 s either way.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

SIZE = 28_000


def _text(size: int) -> str:
    """A policy pasted on one line, as a learner pastes `--policy-text '...'`: realistic characters."""
    statement = '{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},'
    statement += '"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]},'
    text = "aws ecr set-repository-policy --repository-name web --policy-text '" + statement * 400
    return text[:size]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _child(how: str, size: int) -> dict[str, float]:
    from textual import events

    from ecrsim.tui.app import EcrsimApp
    from ecrsim.tui.terminal import CommandInput

    text = _text(size)
    app = EcrsimApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_sandbox()
        await pilot.pause()
        command = app.screen.query_one(CommandInput)
        command.focus()
        await pilot.pause()
        before = _rss_mb()
        start, cpu = time.perf_counter(), time.process_time()
        if how == "paste":
            command.post_message(events.Paste(text))
        else:
            for char in text:
                app.post_message(events.Key(char, char))
        while len(command.value) < len(text):
            await asyncio.sleep(0.01)
        await pilot.pause()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert command.value == text, "the input does not hold what was pasted"
        return {"seconds": seconds, "cpu": cpu, "rss_growth_mb": _rss_mb() - before}


def _measure(how: str, size: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", how, str(size)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def main() -> int:
    long_keys = _measure("keys", SIZE)
    short_keys = _measure("keys", SIZE // 10)
    paste = _measure("paste", SIZE)
    for name, size, result in (
        ("keys 28 KB", SIZE, long_keys),
        ("keys 2.8 KB", SIZE // 10, short_keys),
        ("paste 28 KB", SIZE, paste),
    ):
        print(
            f"{name:<12} {result['seconds']:7.2f} s ({result['cpu']:.2f} s CPU)"
            f"  {result['seconds'] / size * 1e6:8.1f} us/char"
            f"  RSS +{result['rss_growth_mb']:.0f} MB"
        )
    ratio = long_keys["cpu"] / (10 * short_keys["cpu"])
    verdict = "ok" if ratio <= 2.0 else "grows with the line"
    print(f"cost per key at 28 KB / at 2.8 KB: {ratio:.2f} ({verdict}; 1.0 is linear, target <= 2.0)")
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(_child(sys.argv[2], int(sys.argv[3])))))
    else:
        sys.exit(main())
