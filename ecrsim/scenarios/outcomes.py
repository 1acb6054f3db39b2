"""Does what a command did match what a scenario says it does? And how to say what it did, in words.

The checker and the player both judge with `matches`, so a question is marked exactly as it was checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecrsim.scenarios.model import ErrorOutcome, Outcome, OutputOutcome

_AWS_PREFIX = re.compile(r"^An error occurred \([A-Za-z0-9.]+\) when calling the \w+ operation: ")


@dataclass(frozen=True)
class Ran:
    """One command line as run: what it printed, its exit status, and the error code of a failure (the
    shell's `CommandResult.error_code`: the code the failing program knew, never re-read from its text)."""

    command: str
    status: int
    stdout: str
    stderr: str
    error_code: str | None

    @property
    def printed(self) -> str:
        return self.stdout + self.stderr


def matches(expected: Outcome, ran: Ran) -> bool:
    if expected == "ok":
        return ran.status == 0
    if isinstance(expected, OutputOutcome):
        return ran.status == 0 and ran.stdout.strip() == expected.output.strip()
    assert isinstance(expected, ErrorOutcome)
    return (
        ran.status != 0
        and ran.error_code == expected.error
        and (expected.message is None or expected.message in ran.printed)
        and (expected.status is None or expected.status == ran.status)
    )


def describe(ran: Ran) -> str:
    """`it succeeded` / `it failed with AccessDeniedException (status 254)`: for a checker's message."""
    if ran.status == 0:
        output = ran.stdout.strip()
        if not output:
            return "it succeeded"
        if len(output) > 60 or "\n" in output:
            return f"it succeeded and printed {len(output.splitlines())} lines"
        return f"it succeeded and printed {output!r}"
    code = f" with {ran.error_code}" if ran.error_code else ""
    lines = [line.strip() for line in (ran.stderr or ran.stdout).splitlines() if line.strip()]
    telling = [line for line in lines if "error" in line.lower() or ":" in line] or lines
    said = f": {_AWS_PREFIX.sub('', telling[0])}" if telling else ""  # whole: the reason is the lesson
    return f"it failed{code} (status {ran.status}){said}"


def in_brief(ran: Ran) -> str:
    """`succeeded` / `failed with AccessDeniedException`: one outcome in a list of several."""
    if ran.status == 0:
        return "succeeded"
    return f"failed with {ran.error_code}" if ran.error_code else f"failed (status {ran.status})"


def expected_words(expected: Outcome) -> str:
    if expected == "ok":
        return "success"
    if isinstance(expected, OutputOutcome):
        return f"output {expected.output.strip()!r}"
    assert isinstance(expected, ErrorOutcome)
    extra = f" mentioning {expected.message!r}" if expected.message else ""
    status = f" with status {expected.status}" if expected.status is not None else ""
    return f"error {expected.error}{extra}{status}"
