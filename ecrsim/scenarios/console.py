"""What the plain-terminal subcommands (`ecrsim check`, `list`, `play`, `review`, `exam`, `stats`) share.

They print plain lines for pipes and screen readers, so they share how a pipe closed early is handled, and
the two forms of `ecrsim play` share how the scenario named on the command line is found.

Spaced review runs on real dates while every scenario world keeps its simulated clock, so the commands that
schedule reviews take the real time as arguments (`now`, and a monotonic `clock` to time an attempt),
defaulting to the system's; tests pass fixed ones.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import datetime, timezone

from ecrsim.scenarios.pack import Loaded, find_scenario, load

Now = Callable[[], datetime]  # the real date and time, timezone-aware (fsrs requires UTC)
Clock = Callable[[], float]  # monotonic seconds, to time an attempt


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def warn(warnings: list[str]) -> None:
    """Show a store's warnings (a damaged file set aside, a save that failed) on stderr, each once: the
    store keeps them until shown, and this empties the list."""
    for warning in warnings:
        print(f"ecrsim: {warning}", file=sys.stderr)
    warnings.clear()


def quiet_when_piped_to_head(command: Callable[..., int]) -> Callable[..., int]:
    """Decorate a subcommand so that `ecrsim list | head` ends with status 1 and no traceback.

    A reader that stops early closes the pipe; Python then raises BrokenPipeError at the next write, and
    again when it flushes stdout at exit. Neither is worth a traceback: the output was not wanted.
    """

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> int:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush is quiet too
            return 1

    return run


def load_named_scenario(file_or_id: str) -> Loaded | None:
    """The scenario `ecrsim play FILE_OR_ID` names, loaded; None, after the usage error on stderr, when the
    name is neither a file nor a bundled id (the caller exits 2: nothing was played or graded).

    A file that is there but wrong raises ScenarioProblems: what that means is the caller's to say (the
    player fails, status 1; a report cannot be trusted, status 2)."""
    path = find_scenario(file_or_id)
    if path is None:
        print(f"ecrsim play: error: no scenario file or bundled scenario id '{file_or_id}'", file=sys.stderr)
        return None
    return load(path)
