"""When the app itself fails: the learner's world is not lost silently.

The commands of the newest terminal (the scenario's and the learner's, in order) are written to a script
in the data directory, which `ecrsim shell --script` replays; the traceback follows as comments, for a bug
report. The learner is told where it is, in one paragraph instead of a traceback.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import TYPE_CHECKING

from ecrsim.scenarios.progress import data_dir
from ecrsim.tui.terminal import Terminal

if TYPE_CHECKING:
    from textual.app import App


def _newest_commands(app: App[object]) -> tuple[list[str], str | None]:
    """The commands of the top-most terminal that ran any, and its scenario's id (None: the sandbox)."""
    for screen in reversed(app.screen_stack):
        for terminal in screen.query(Terminal):
            if terminal.commands:
                session = getattr(screen, "session", None)
                entry = getattr(session, "entry", None)
                sandbox = getattr(session, "is_sandbox", True)
                return terminal.commands, None if entry is None or sandbox else entry.id
    return [], None


def save(app: App[object], error: BaseException) -> str:
    """Write the rescue script and say what happened and where it is; never raises (it runs while the app
    is already failing)."""
    what = f"{type(error).__name__}: {error}"
    try:
        commands, scenario_id = _newest_commands(app)
        path = data_dir() / f"rescue-{datetime.now():%Y%m%d-%H%M%S}.txt"  # the real clock: a file name
        replay = "ecrsim shell " + (f"--scenario {scenario_id} " if scenario_id else "") + f"--script {path}"
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"# ecrsim stopped on an internal error: {what}\n# Replay this session: {replay}\n"
            + "".join(f"{line}\n" for line in commands)
            + "# For a bug report:\n"
            + "".join(f"# {line}\n" for line in details.splitlines()),
            encoding="utf-8",
        )
    except Exception as failure:  # even saving failed: still say what went wrong
        return f"ecrsim stopped on an internal error ({what}); saving the session failed too ({failure})."
    if not commands:
        return f"ecrsim stopped on an internal error ({what}). The details for a bug report are in {path}"
    return (
        f"ecrsim stopped on an internal error ({what}).\n"
        f"Your {len(commands)} command(s) are saved in {path}; this replays them:\n  {replay}\n"
        "The details for a bug report are at the end of that file."
    )
