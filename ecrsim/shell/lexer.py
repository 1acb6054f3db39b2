"""Split a command line into a pipeline of argument vectors, the way a POSIX shell would.

Our own small tokenizer rather than `shlex`: shlex cannot tell a quoted `"|"` from a pipe, treats `#`
inside words inconsistently with bash, and knows nothing of `$NAME`. Learners paste real command lines,
so quoting must behave exactly as in bash: an unquoted expansion (`$NAME`, `$(...)`, backticks) is split
into words on blanks and vanishes when empty, a quoted one stays one word, and an assignment's value is
never split (bash(1), "Word Splitting"). Command substitution runs the inner line through a callback the
shell gives (the lexer knows nothing of programs) and drops the output's trailing newlines. The shell
features a simulator does not need (`&&`, `;`, redirections, arithmetic) are recognised and refused with
one clear line instead of being misread as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ecrsim.errors import EcrsimError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = re.compile(r"&&|\|\||>>|<<|[;&<>()]")  # bash control and redirection operators
_PLAIN = re.compile(r"[^ \t\n|;&<>()'\"\\$`]+")  # a run of characters with no special meaning
_BLANKS = re.compile(r"[ \t\n]+")  # the default IFS: what an unquoted expansion is split on
_ASSIGNS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")  # a word that assigns: its value is not split
# The most a command line may hold, typed plus what its `$NAME`s expand to. Without it `export A=$A$A`
# doubles a variable to gigabytes in a few lines. Linux allows 128 KiB per argument (MAX_ARG_STRLEN); a
# whole line twice that still holds any policy document AWS accepts.
MAX_LINE = 256 << 10


# Runs the command line inside `$(...)` or backticks and answers what it printed on standard output.
Substitute = Callable[[str], str]


class LexError(EcrsimError):
    """A line the simulated terminal cannot run: `message` is the one line to print, `status` the exit."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _unsupported(what: str) -> LexError:
    return LexError(
        f"ecrsim: {what} is not supported in the simulated terminal (use one command or a | pipe)"
    )


class _Word:
    """The fields one shell word becomes: unquoted expansions may split it into several, or into none."""

    def __init__(self, split: bool) -> None:
        self.split = split  # False for an assignment's value: bash never splits it
        self.fields: list[str] = []
        self.current: list[str] = []
        self.exists = False  # a quoted "" makes a field even though it adds no character

    def text(self, text: str) -> None:
        """Literal or quoted text: part of the current field."""
        self.current.append(text)
        self.exists = True

    def expanded(self, text: str) -> None:
        """An unquoted expansion's value: split on blanks into fields, each joining what is around it."""
        if not self.split:
            self.current.append(text)
            self.exists = self.exists or bool(text)
            return
        for index, piece in enumerate(_BLANKS.split(text)):
            if index:
                self.end_field()
            if piece:
                self.text(piece)

    def end_field(self) -> None:
        if self.exists:
            self.fields.append("".join(self.current))
        self.current, self.exists = [], False


class _Lexer:
    def __init__(self, line: str, env: Mapping[str, str], substitute: Substitute) -> None:
        self.line = line
        self.env = env
        self.substitute = substitute
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
        words = 0  # words typed in the last stage, whatever their expansions became
        assigning = True  # still in the stage's leading NAME=value words
        while self.pos < len(self.line):
            char = self.peek()
            if char in " \t\n":
                self.pos += 1
            elif char == "#":
                break  # a comment: `#` at the start of a word
            elif char == "|" and self.peek(1) != "|":
                if not words:
                    raise LexError("bash: syntax error near unexpected token `|'")
                stages.append([])
                words, assigning = 0, True
                self.pos += 1
            elif operator := _OPERATOR.match(self.line, self.pos):
                raise _unsupported(f"'{operator.group()}'")
            else:
                # `NAME=$(...)` keeps its value whole, as a leading assignment or an export's argument.
                assigns = _ASSIGNS.match(self.line, self.pos) is not None
                keep = assigns and (assigning or stages[-1][:1] == ["export"])
                assigning = assigning and assigns
                stages[-1].extend(self.word(split=not keep))
                words += 1
        if len(stages) > 1 and not words:
            raise LexError("bash: syntax error: unexpected end of file")
        # A stage whose words all expanded to nothing stays, empty: it runs nothing, as in bash.
        return stages if words or len(stages) > 1 else []

    def word(self, split: bool = True) -> list[str]:
        word = _Word(split)
        while self.pos < len(self.line):
            char = self.peek()
            if char in " \t\n|;&<>()":
                break
            if char == "'":
                end = self.line.find("'", self.pos + 1)
                if end < 0:
                    raise LexError("bash: unexpected EOF while looking for matching `''")
                word.text(self.line[self.pos + 1 : end])
                self.pos = end + 1
            elif char == '"':
                word.text(self.double_quoted())
            elif char == "\\":
                self.pos += 1
                if self.pos < len(self.line):
                    if self.peek() != "\n":  # backslash-newline is a line continuation
                        word.text(self.peek())
                    self.pos += 1
            elif char in "$`":
                word.expanded(self.expansion())
            else:
                match = _PLAIN.match(self.line, self.pos)
                assert match is not None  # char is none of the characters _PLAIN excludes
                word.text(match.group())
                self.pos = match.end()
        word.end_field()
        return word.fields

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
            elif char in "$`":
                parts.append(self.expansion())
            else:
                parts.append(char)
                self.pos += 1

    def expansion(self) -> str:
        """`$NAME`, `${NAME}`, `$?` (the last status) from the shell's variables; `$(...)` and backticks
        by running the command inside."""
        if self.peek() == "`":
            end = _backtick_end(self.line, self.pos + 1)
            # Inside backticks a backslash quotes only $, ` and \ (bash(1), "Command Substitution").
            inner = re.sub(r"\\([$`\\])", r"\1", self.line[self.pos + 1 : end])
            self.pos = end + 1
            return self.command_output(inner)
        nxt = self.peek(1)
        if nxt == "(":
            if self.peek(2) == "(":
                raise _unsupported("arithmetic expansion $((...))")
            end = _paren_end(self.line, self.pos + 2)
            inner = self.line[self.pos + 2 : end]
            self.pos = end + 1
            return self.command_output(inner)
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

    def command_output(self, command: str) -> str:
        """What `command` printed, without its trailing newlines, counted against MAX_LINE."""
        output = self.substitute(command).rstrip("\n")
        self.grow(len(output))
        return output


def _unterminated(closer: str) -> LexError:
    return LexError(f"bash: unexpected EOF while looking for matching `{closer}'")


def _backtick_end(line: str, pos: int) -> int:
    """The index of the backtick that closes one opened just before `pos`."""
    while pos < len(line):
        if line[pos] == "\\":
            pos += 2
        elif line[pos] == "`":
            return pos
        else:
            pos += 1
    raise _unterminated("`")


def _quoted_end(line: str, pos: int) -> int:
    """The index just after the `"` that closes a double-quoted string opened just before `pos`."""
    while pos < len(line):
        char = line[pos]
        if char == "\\":
            pos += 2
        elif char == '"':
            return pos + 1
        elif char == "$" and line.startswith("$(", pos):
            pos = _paren_end(line, pos + 2) + 1
        elif char == "`":
            pos = _backtick_end(line, pos + 1) + 1
        else:
            pos += 1
    raise _unterminated('"')


def _paren_end(line: str, pos: int) -> int:
    """The index of the `)` that closes a `$(` ending just before `pos`: quotes, nested substitutions
    and parentheses inside are skipped over, as bash reads them."""
    depth = 0
    while pos < len(line):
        char = line[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "'":
            close = line.find("'", pos + 1)
            if close < 0:
                raise _unterminated("'")
            pos = close + 1
            continue
        if char == '"':
            pos = _quoted_end(line, pos + 1)
            continue
        if char == "`":
            pos = _backtick_end(line, pos + 1) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            if not depth:
                return pos
            depth -= 1
        pos += 1
    raise _unterminated(")")


def split_pipeline(line: str, env: Mapping[str, str], substitute: Substitute) -> list[list[str]]:
    """The argument vectors of each stage of `line`'s pipeline; [] for a blank line or a comment.
    `substitute` runs the command of a `$(...)` or backticks. Raises LexError for what the simulated
    terminal refuses, a line over MAX_LINE included."""
    lexer = _Lexer(line, env, substitute)
    lexer.grow(0)  # a typed (or pasted) line over the limit is refused before it is read
    return lexer.pipeline()
