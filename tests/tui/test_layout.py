"""Layout at the small size the UI serves (80x24): nothing a learner reads is cut or broken mid-row."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tui_helpers import static_text

from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.progress_screen import ProgressScreen

STUDY_PACK = Path(__file__).resolve().parent.parent / "scenarios" / "study_pack"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


async def test_progress_rows_never_wrap_at_80_columns(home: Path) -> None:
    async with EcrsimApp(pack_dir=STUDY_PACK).run_test(size=(80, 24)) as pilot:
        await pilot.app.push_screen(ProgressScreen(now=lambda: T0))
        for _ in range(300):  # the numbers are counted in a worker
            await pilot.pause(0.02)
            text = static_text(pilot, "#progress-body")
            if "Counting" not in text:
                break
        await pilot.pause()
        assert "accuracy" in text
        body = pilot.app.screen.query_one("#progress-body")
        assert body.content_size.height == len(text.splitlines())  # one screen row per line: none wrapped


def test_help_lists_the_terminal_commands_as_text_that_wraps() -> None:
    """F1 help showed the terminal's commands in a code block, cut at the panel's edge at 80 and even 100
    columns; as bullets they wrap, and every command and description is still there."""
    from ecrsim.tui.help import help_markdown, shell_help, terminal_markdown

    markdown = help_markdown()
    assert "```" not in markdown
    bullets = terminal_markdown(shell_help())
    assert (
        "- `docker login|logout|images|image ls|tag|push|pull|rmi|build`: the Docker CLI, images simulated"
        in (bullets.splitlines())
    )
    assert "  - `docker build -t NAME[:TAG] .`: a new local image with new layers" in bullets.splitlines()
    assert bullets in markdown
