"""What the plain-terminal subcommands (`ecrsim check`, `list`, `play`, `review`, `exam`, `stats`) share.

They print plain lines for pipes and screen readers, so they share how a pipe closed early is handled;
anything more belongs with the command that needs it.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable


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
