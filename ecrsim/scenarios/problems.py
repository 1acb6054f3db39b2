"""A located problem in a scenario file: the one-line `FILE:LINE:COL: error: WHAT` every layer prints.

Loading, schema validation, world building and checking all report through this one type, so a file's
problems can be gathered, sorted by position and printed the same way whatever found them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecrsim.errors import EcrsimError


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def __str__(self) -> str:
        one_line = " ".join(self.message.splitlines())  # whatever a lower layer said, one problem is one line
        return f"{self.file}:{self.line}:{self.column}: error: {one_line}"


class ScenarioProblems(EcrsimError):
    """Raised when a file cannot go further (it does not parse, or its schema is wrong): all its problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
