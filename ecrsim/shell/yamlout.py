"""`--output yaml` as AWS CLI v2 prints it, without importing a YAML library (the shell must not).

The CLI dumps with ruamel.yaml (`typ="safe"`, block style, width 80, YAML 1.2). Its emitter descends
from PyYAML's, and this module re-expresses the parts a response exercises: keys sorted, sequences
under a key not indented, the choice between plain, single-quoted and double-quoted scalars (a string
that YAML 1.2 would read back as a number, boolean, null or timestamp is quoted), and the folding of
long scalars at column 80 with continuation lines indented under their key.
"""

from __future__ import annotations

import re
from typing import Any

WIDTH = 80
_BREAKS = "\n\x85\u2028\u2029"
_WHITESPACE = "\0 \t\r" + _BREAKS
# YAML 1.2 implicit types in ruamel's resolver: a plain scalar matching one of these is not a string.
_RESOLVES = re.compile(
    r"""^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|=|<<
    |[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+
    |[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[0-9]{4}-[0-9]{2}-[0-9]{2}
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
       (?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$""",
    re.VERBOSE,
)
_ESCAPES = {
    "\0": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}  # fmt: skip


def _printable(ch: str) -> bool:
    return "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"


def _style(text: str, *, simple_key: bool) -> str:
    """PyYAML's analyze_scalar + choose_scalar_style, block context: '' (plain), "'" or '"'."""
    if not text:
        return "'"
    indicators = line_breaks = special = False
    leading = text[0] == " " or text[0] in _BREAKS
    trailing = text[-1] == " " or text[-1] in _BREAKS
    break_space = space_break = False
    if text.startswith(("---", "...")):
        indicators = True
    previous_space = previous_break = False
    for index, ch in enumerate(text):
        preceded = index == 0 or text[index - 1] in _WHITESPACE
        followed = index + 1 >= len(text) or text[index + 1] in _WHITESPACE
        if index == 0:
            indicators |= ch in "#,[]{}&*!|>'\"%@`" or (ch in "?:-" and followed)
        else:
            indicators |= (ch == ":" and followed) or (ch == "#" and preceded)
        line_breaks |= ch in _BREAKS
        astral_or_nel = ch == "\x85" or "\U00010000" <= ch < "\U0010ffff"
        special |= (ch != "\n" and not _printable(ch) and not astral_or_nel) or ch == "\ufeff"
        if ch == " ":
            break_space |= previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            space_break |= previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
    plain = not (leading or trailing or break_space or space_break or special or line_breaks or indicators)
    single = not (break_space or space_break or special)
    if plain and not _RESOLVES.match(text) and not (simple_key and line_breaks):
        return ""
    if single and not (simple_key and line_breaks):
        return "'"
    return '"'


class _Writer:
    """Writes one scalar after `key:` or `-`, folding at WIDTH as the emitter does."""

    def __init__(self, column: int, indent: int, split: bool) -> None:
        self.out: list[str] = []
        self.column = column
        self.indent = indent
        self.split = split

    def write(self, data: str) -> None:
        self.out.append(data)
        self.column += len(data)

    def newline_indent(self) -> None:
        self.out.append("\n" + " " * self.indent)
        self.column = self.indent

    def plain(self, text: str) -> None:
        self.write(" ")
        spaces, start = False, 0
        for end in range(len(text) + 1):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch != " ":
                    if start + 1 == end and self.column > WIDTH and self.split:
                        self.newline_indent()
                    else:
                        self.write(text[start:end])
                    start = end
            elif ch is None or ch == " ":
                self.write(text[start:end])
                start = end
            spaces = ch == " "

    def single_quoted(self, text: str) -> None:
        self.write(" '")
        spaces = breaks = False
        start = 0
        for end in range(len(text) + 1):
            ch = text[end] if end < len(text) else None
            if spaces:
                if ch != " ":
                    fold = start + 1 == end and self.column > WIDTH and self.split
                    if fold and start != 0 and end != len(text):
                        self.newline_indent()
                    else:
                        self.write(text[start:end])
                    start = end
            elif breaks:
                if ch is None or ch not in _BREAKS:
                    if text[start] == "\n":
                        self.out.append("\n")
                    for br in text[start:end]:
                        self.out.append("\n" if br == "\n" else br)
                    self.out.append(" " * self.indent)
                    self.column = self.indent
                    start = end
            elif (ch is None or ch in " '" or ch in _BREAKS) and start < end:
                self.write(text[start:end])
                start = end
            if ch == "'":
                self.write("''")
                start = end + 1
            if ch is not None:
                spaces, breaks = ch == " ", ch in _BREAKS
        self.write("'")

    def double_quoted(self, text: str) -> None:
        self.write(' "')
        start = 0
        for end in range(len(text) + 1):
            ch = text[end] if end < len(text) else None
            if ch is None or ch in '"\\\x85\u2028\u2029\ufeff' or not _printable(ch):
                if start < end:
                    self.write(text[start:end])
                    start = end
                if ch is not None:
                    if ch in _ESCAPES:
                        self.write("\\" + _ESCAPES[ch])
                    elif ch <= "\xff":
                        self.write(f"\\x{ord(ch):02X}")
                    elif ch <= "\uffff":
                        self.write(f"\\u{ord(ch):04X}")
                    else:
                        self.write(f"\\U{ord(ch):08X}")
                    start = end + 1
            if (
                0 < end < len(text) - 1
                and (ch == " " or start >= end)
                and self.column + (end - start) > WIDTH
                and self.split
            ):
                self.write(text[start:end] + "\\")
                start = max(start, end)
                self.newline_indent()
                if text[start] == " ":
                    self.write("\\")
        self.write('"')


def _scalar(value: Any, column: int, indent: int, *, simple_key: bool = False) -> str:
    """` value` as it follows `key:` or `-` at `column`; continuation lines start at `indent`."""
    if value is None:
        return " null"
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, (int, float)):
        return f" {value!r}"
    text = str(value)
    writer = _Writer(column, indent, split=not simple_key)
    style = _style(text, simple_key=simple_key)
    {"": writer.plain, "'": writer.single_quoted, '"': writer.double_quoted}[style](text)
    return "".join(writer.out)


def _key(key: str, indent: int) -> str:
    return _scalar(key, indent - 1, indent, simple_key=True)[1:]


def format_yaml(data: Any) -> str:
    if data == {}:
        return ""
    if not isinstance(data, (dict, list)) or not data:
        # A document that is one scalar: a plain one is followed by the document end marker.
        text = _flow_or_scalar(data, -1, 0)[1:]
        plain = not isinstance(data, str) or _style(data, simple_key=False) == ""
        return text + ("\n...\n" if plain and not isinstance(data, (dict, list)) else "\n")
    lines: list[str] = []
    _node(data, lines, 0, prefix="")
    return "".join(line + "\n" for line in lines)


def _node(value: Any, lines: list[str], indent: int, prefix: str) -> None:
    """Emit `value` whose first line starts with `prefix` (already indented); the rest at `indent`."""
    if isinstance(value, dict) and value:
        first = True
        for key in sorted(value):
            head = (prefix if first else " " * indent) + _key(key, indent) + ":"
            first = False
            item = value[key]
            if isinstance(item, dict) and item:
                lines.append(head)
                _node(item, lines, indent + 2, " " * (indent + 2))
            elif isinstance(item, list) and item:
                lines.append(head)
                _node(item, lines, indent, " " * indent)  # a sequence under a key is not indented
            else:
                lines.append(head + _flow_or_scalar(item, len(head), indent + 2))
    elif isinstance(value, list) and value:
        for position, item in enumerate(value):
            dash = (prefix if position == 0 else " " * indent) + "-"
            if isinstance(item, (dict, list)) and item:
                _node(item, lines, indent + 2, dash + " ")
            else:
                lines.append(dash + _flow_or_scalar(item, len(dash), indent + 2))


def _flow_or_scalar(value: Any, column: int, indent: int) -> str:
    if isinstance(value, dict):
        return " {}"
    if isinstance(value, list):
        return " []"
    return _scalar(value, column, indent)
