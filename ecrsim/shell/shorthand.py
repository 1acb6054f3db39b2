"""The AWS CLI's shorthand syntax for structure, list and map parameters.

`Key=team,Value=payments`, `imageTag=v1`, `scanOnPush=true`, `a=b,c` (a list), `a=[b,c]`, `a={b=c}`,
quoted values and `\\,` escapes, with the CLI's grammar and its error text (a caret under the place the
parser gave up), so a learner's typo reads exactly as the real CLI would report it.
"""

from __future__ import annotations

import re
import string

from ecrsim.errors import EcrsimError

ShorthandValue = str | list["ShorthandValue"] | dict[str, "ShorthandValue"]

_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_.#/:")
# A value may not start with white space or a control character, `"`, `'`, `,`, `=`, `[` or `{`; the first
# value of a key ends at `,` `]` `}` and `=` may appear inside it; a list continuation value may not contain
# `=` (that is how `a=b,c=d` is two keys while `a=b,c` is a list). Like botocore's grammar, none of them
# takes a character beyond the Basic Multilingual Plane. Written as negated classes of a few ASCII
# characters, which compile in a millisecond: the equivalent positive classes up to \uffff took 35 ms.
_START = r"[^\x00-\x20\"',=\[{\U00010000-\U0010ffff]"
_FIRST = re.compile(rf"(\\,|{_START})(\\,|[^\x00-\x08\x0e-\x1b\"',\]}}\U00010000-\U0010ffff])*")
_SECOND = re.compile(rf"(\\,|{_START})(\\,|[^\x00-\x08\x0e-\x1b\"',=\U00010000-\U0010ffff])*")
_SINGLE = re.compile(r"'(?:\\'|[^'])*'")
_DOUBLE = re.compile(r'"(?:\\"|[^"])*"')


class ShorthandError(EcrsimError):
    """Why a value is not valid shorthand, in the CLI's words (several lines: input and caret)."""


def _location(value: str, index: int) -> str:
    before = value[:index]
    column = index - before.rindex("\n") - 1 if "\n" in before else index
    newline = value.find("\n", index)
    consumed, remaining = (value, "") if newline < 0 else (value[:newline], value[newline:])
    return f"{consumed}\n{' ' * column}^{remaining}"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, expected: str, actual: str) -> ShorthandError:
        return ShorthandError(
            f"Expected: '{expected}', received: '{actual}' for input:\n{_location(self.text, self.pos)}"
        )

    def current(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in string.whitespace:
            self.pos += 1

    def expect(self, char: str, *, skip_space: bool = False) -> None:
        if skip_space:
            self.skip_space()
        if self.pos >= len(self.text):
            raise self.fail(char, "EOF")
        if self.text[self.pos] != char:
            raise self.fail(char, self.text[self.pos])
        self.pos += 1
        if skip_space:
            self.skip_space()

    def regex(self, pattern: re.Pattern[str], name: str) -> str:
        match = pattern.match(self.text, self.pos)
        if not match:
            raise self.fail(f"<{name}>", "<none>")
        self.pos = match.end()
        return match.group()

    def parameter(self) -> dict[str, ShorthandValue]:
        params: dict[str, ShorthandValue] = {}
        key, value = self.keyval()
        params[key] = value
        last = self.pos
        while self.pos < len(self.text):
            self.expect(",", skip_space=True)
            key, value = self.keyval()
            if key in params:
                raise ShorthandError(
                    f'Second instance of key "{key}" encountered for input:\n{_location(self.text, last + 1)}'
                    '\nThis is often because there is a preceding "," instead of a space.'
                )
            params[key] = value
            last = self.pos
        return params

    def key(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _KEY_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

    def keyval(self) -> tuple[str, ShorthandValue]:
        key = self.key()
        self.expect("=", skip_space=True)
        if self.pos >= len(self.text):
            return key, ""
        if self.current() == "[":
            return key, self.explicit_list()
        if self.current() == "{":
            return key, self.hash_literal()
        return key, self.csv_value()

    def csv_value(self) -> ShorthandValue:
        first = self.first_value()
        self.skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] != ",":
            return first
        self.expect(",", skip_space=True)
        values: list[ShorthandValue] = [first]
        while True:
            try:
                current = self.second_value()
                self.skip_space()
                if self.pos >= len(self.text):
                    values.append(current)
                    break
                self.expect(",", skip_space=True)
                values.append(current)
            except ShorthandError:
                if self.pos >= len(self.text):
                    raise
                while self.pos >= 0 and self.text[self.pos] != ",":  # the next `key=` starts after it
                    self.pos -= 1
                break
        return first if len(values) == 1 else values

    def quoted(self, pattern: re.Pattern[str], quote: str, name: str) -> str:
        return self.regex(pattern, name)[1:-1].replace("\\" + quote, quote).replace("\\\\", "\\")

    def first_value(self) -> str:
        if self.current() == "'":
            return self.quoted(_SINGLE, "'", "singled quoted")
        if self.current() == '"':
            return self.quoted(_DOUBLE, '"', "double quoted")
        match = _FIRST.match(self.text, self.pos)
        if not match:
            return ""
        self.pos = match.end()
        return match.group().replace("\\,", ",").rstrip()

    def second_value(self) -> str:
        if self.current() in ("'", '"'):
            return self.first_value()
        return self.regex(_SECOND, "second").replace("\\,", ",").rstrip()

    def explicit_values(self) -> ShorthandValue:
        if self.current() == "[":
            return self.explicit_list()
        if self.current() == "{":
            return self.hash_literal()
        return self.first_value()

    def explicit_list(self) -> list[ShorthandValue]:
        self.expect("[", skip_space=True)
        values: list[ShorthandValue] = []
        while self.current() != "]":
            if not self.current():
                raise self.fail("]", "EOF")
            values.append(self.explicit_values())
            self.skip_space()
            if self.current() != "]":
                self.expect(",")
                self.skip_space()
        self.expect("]")
        return values

    def hash_literal(self) -> dict[str, ShorthandValue]:
        self.expect("{", skip_space=True)
        pairs: dict[str, ShorthandValue] = {}
        while self.current() != "}":
            if not self.current():
                raise self.fail("}", "EOF")
            key = self.key()
            self.expect("=", skip_space=True)
            value = self.explicit_values()
            self.skip_space()
            if self.current() != "}":
                self.expect(",")
                self.skip_space()
            pairs[key] = value
        self.expect("}")
        return pairs


def parse_shorthand(text: str) -> dict[str, ShorthandValue]:
    """Parse one shorthand value, e.g. `Key=team,Value=payments` -> {"Key": "team", "Value": "payments"}."""
    return _Parser(text).parameter()
