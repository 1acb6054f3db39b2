"""What every simulated program receives and answers: the contract between the shell and `aws`, `docker`,
`sim` and the small builtins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecrsim.shell.shell import Shell


@dataclass(frozen=True)
class Invocation:
    """One simulated program's run: its arguments, what is piped in, and the shell it runs in."""

    shell: Shell
    argv: list[str]  # without the program name
    stdin: str
    env: Mapping[str, str]  # the shell's environment plus any `NAME=VALUE` prefix of this command


@dataclass(frozen=True)
class Outcome:
    """What a program answers: exit status, what it printed, and why it failed."""

    status: int
    stdout: str = ""
    stderr: str = ""
    # Why it failed, as the program knows it (AWS's error code, the registry's, or the CLI's own), so that
    # nobody above has to read it back out of the printed text.
    error_code: str | None = None


def lines(text_lines: list[str] | tuple[str, ...]) -> str:
    return "".join(line + "\n" for line in text_lines)
