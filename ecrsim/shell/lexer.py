"""Split a command line into a pipeline of argument vectors, the way a POSIX shell would.

Our own small tokenizer rather than `shlex`: shlex cannot tell a quoted `"|"` from a pipe, treats `#`
inside words inconsistently with bash, and knows nothing of `$NAME`. Learners paste real command lines,
so quoting must behave exactly as in bash; the shell features a simulator does not need (`&&`, `;`,
redirections, command substitution) are recognised and refused with one clear line instead of being
misread as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = re.compile(r"&&|\|\||>>|<<|[;&<>()]")  # bash control and redirection operators
_PLAIN = re.compile(r"[^ \t\n|;&<>()'\"\\$`]+")  # a run of characters with no special meaning
# The most a command line may hold, typed plus what its `$NAME`s expand to. Without it `export A=$A$A`
# doubles a variable to gigabytes in a few lines. Linux allows 128 KiB per argument (MAX_ARG_STRLEN); a
# whole line twice that still holds any policy document AWS accepts.
MAX_LINE = 256 << 10


class LexError(Exception):
    """A line the simulated terminal cannot run: `message` is the one line to print, `status` the exit."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _unsupported(what: str) -> LexError:
    return LexError(
        f"ecrsim: {what} is not supported in the simulated terminal (use one command or a | pipe)"
    )


class _Lexer:
    def __init__(self, line: str, env: Mapping[str, str]) -> None:
        self.line = line
        self.env = env
        self.pos = 0
        self.size = len(line)  # the line's length with every expansion so far in place of its `$NAME`

    def value(self, name: str) -> str:
        """A variable's value, counted against MAX_LINE before anything is built from it."""
        text = self.env.get(name, "")
        self.grow(len(text))
        return text

    def grow(self, by: int) -> None:
        self.size += by
        if self.size > MAX_LINE:
            raise LexError(
                f"ecrsim: the command line is longer than {MAX_LINE // 1024} KiB with its variables expanded "
                "(the simulated terminal's limit); keep large values in files",
                1,
            )

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.line[index] if index < len(self.line) else ""

    def pipeline(self) -> list[list[str]]:
        stages: list[list[str]] = [[]]
        while self.pos < len(self.line):
            char = self.peek()
            if char in " \t\n":
                self.pos += 1
            elif char == "#":
                break  # a comment: `#` at the start of a word
            elif char == "|" and self.peek(1) != "|":
                if not stages[-1]:
                    raise LexError("bash: syntax error near unexpected token `|'")
                stages.append([])
                self.pos += 1
            elif operator := _OPERATOR.match(self.line, self.pos):
                raise _unsupported(f"'{operator.group()}'")
            else:
                stages[-1].append(self.word())
        if len(stages) > 1 and not stages[-1]:
            raise LexError("bash: syntax error: unexpected end of file")
        return stages if stages[0] else []

    def word(self) -> str:
        parts: list[str] = []
        while self.pos < len(self.line):
            char = self.peek()
            if char in " \t\n|;&<>()":
                break
            if char == "'":
                end = self.line.find("'", self.pos + 1)
                if end < 0:
                    raise LexError("bash: unexpected EOF while looking for matching `''")
                parts.append(self.line[self.pos + 1 : end])
                self.pos = end + 1
            elif char == '"':
                parts.append(self.double_quoted())
            elif char == "\\":
                self.pos += 1
                if self.pos < len(self.line):
                    if self.peek() != "\n":  # backslash-newline is a line continuation
                        parts.append(self.peek())
                    self.pos += 1
            elif char == "$":
                parts.append(self.expansion())
            elif char == "`":
                raise _unsupported("command substitution (`...`)")
            else:
                match = _PLAIN.match(self.line, self.pos)
                assert match is not None  # char is none of the characters _PLAIN excludes
                parts.append(match.group())
                self.pos = match.end()
        return "".join(parts)

    def double_quoted(self) -> str:
        self.pos += 1
        parts: list[str] = []
        while True:
            if self.pos >= len(self.line):
                raise LexError("bash: unexpected EOF while looking for matching `\"'")
            char = self.peek()
            if char == '"':
                self.pos += 1
                return "".join(parts)
            if char == "\\" and self.peek(1) in ('"', "\\", "$", "`", "\n"):
                if self.peek(1) != "\n":
                    parts.append(self.peek(1))
                self.pos += 2
            elif char == "$":
                parts.append(self.expansion())
            elif char == "`":
                raise _unsupported("command substitution (`...`)")
            else:
                parts.append(char)
                self.pos += 1

    def expansion(self) -> str:
        """`$NAME`, `${NAME}` and `$?` (the last status) from the shell's variables; `$(...)` is refused."""
        nxt = self.peek(1)
        if nxt == "(":
            raise _unsupported("command substitution $(...)")
        if nxt == "?":
            self.pos += 2
            return self.env.get("?", "0")
        if nxt == "{":
            end = self.line.find("}", self.pos)
            name = self.line[self.pos + 2 : end] if end > 0 else ""
            if end < 0 or not _NAME.fullmatch(name):
                shown = self.line[self.pos : end + 1 if end > 0 else None]
                raise LexError(f"bash: {shown}: bad substitution", 1)
            self.pos = end + 1
            return self.value(name)
        match = _NAME.match(self.line, self.pos + 1)
        if not match:
            self.pos += 1
            return "$"
        self.pos = match.end()
        return self.value(match.group())


def split_pipeline(line: str, env: Mapping[str, str] | None = None) -> list[list[str]]:
    """The argument vectors of each stage of `line`'s pipeline; [] for a blank line or a comment.
    Raises LexError for what the simulated terminal refuses, a line over MAX_LINE included."""
    lexer = _Lexer(line, env or {})
    lexer.grow(0)  # a typed (or pasted) line over the limit is refused before it is read
    return lexer.pipeline()
