"""Render a response as AWS CLI v2 does: `--output json|text|table|yaml`, after `--query`.

The rules are the CLI's own (awscli's formatter, text and table modules), re-expressed here: JSON with a
four-space indent and keys in the order the service returned them; text as tab-separated rows whose
scalar columns are sorted by key and whose nested lists start rows named by the key in upper case; the
boxed table titled with the operation name, sized for an 80-column terminal; YAML in yamlout.py.
Timestamps are ISO 8601 with an offset, as `cli_timestamp_format = iso8601` prints them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

TERMINAL_WIDTH = 80


def cli_values(value: Any) -> Any:
    """The response as the CLI holds it before formatting: timestamps become ISO 8601 strings."""
    if isinstance(value, dict):
        return {key: cli_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [cli_values(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(value).decode()
    return value


def render(data: Any, output: str, title: str) -> str:
    if output == "text":
        return format_text(data)
    if output == "table":
        return format_table(data, title)
    if output in ("yaml", "yaml-stream"):
        from ecrsim.shell.yamlout import format_yaml  # only YAML output needs it

        return format_yaml(data)
    return format_json(data)


# -- json --------------------------------------------------------------------------------------------------
def format_json(data: Any) -> str:
    if data == {}:
        return ""  # the CLI prints nothing for an operation with an empty response
    return json.dumps(data, indent=4, ensure_ascii=False) + "\n"


# -- text --------------------------------------------------------------------------------------------------
def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def format_text(data: Any) -> str:
    lines: list[str] = []
    _text(data, lines, None, None)
    return "".join(line + "\n" for line in lines)


def _text(item: Any, lines: list[str], identifier: str | None, scalar_keys: list[str] | None) -> None:
    if isinstance(item, dict):
        _text_dict(item, lines, identifier, scalar_keys)
    elif isinstance(item, list):
        _text_list(item, lines, identifier)
    else:
        lines.append(str(item))


def _text_list(item: list[Any], lines: list[str], identifier: str | None) -> None:
    if not item:
        return
    if any(isinstance(element, dict) for element in item):
        keys = sorted({key for element in item for key, value in element.items() if _scalar(value)})
        for element in item:
            _text(element, lines, identifier, keys)
    elif any(isinstance(element, list) for element in item):
        scalars = [element for element in item if _scalar(element)]
        if scalars:
            _text_scalars(scalars, lines, identifier)
        for element in item:
            if not _scalar(element):
                _text(element, lines, identifier, None)
    else:
        _text_scalars(item, lines, identifier)


def _text_scalars(elements: list[Any], lines: list[str], identifier: str | None) -> None:
    if identifier is not None:
        lines.extend(f"{identifier.upper()}\t{element}" for element in elements)
    else:
        lines.append("\t".join(str(element) for element in elements))


def _text_dict(
    item: dict[str, Any], lines: list[str], identifier: str | None, keys: list[str] | None
) -> None:
    if keys is None:
        scalars = [str(value) for _, value in sorted(item.items()) if _scalar(value)]
        nested = [(key, value) for key, value in sorted(item.items()) if not _scalar(value)]
    else:
        scalars = [str(item.get(key, "")) for key in keys]
        nested = [(key, item[key]) for key in sorted(set(item) - set(keys))]
    if scalars:
        if identifier is not None:
            scalars.insert(0, identifier.upper())
        lines.append("\t".join(scalars))
    for key, value in nested:
        _text(value, lines, key, None)


# -- table -------------------------------------------------------------------------------------------------
def _width(text: str) -> int:
    import unicodedata  # a shared library to load: only tables measure text

    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


class _Section:
    def __init__(self, title: str = "", indent: int = 0) -> None:
        self.title = title
        self.indent = indent
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.widths: list[int] = []

    def _grow(self, cells: list[str]) -> None:
        if not self.widths:
            self.widths = [_width(cell) for cell in cells]
        else:
            self.widths = [max(w, _width(cell)) for w, cell in zip(self.widths, cells, strict=False)]

    def add_header(self, headers: list[str]) -> None:
        self._grow(headers)
        self.headers = headers

    def add_row(self, row: list[Any]) -> None:
        cells = [str(cell) for cell in row]
        self.rows.append(cells)
        self._grow(cells)

    def column_widths(self, max_width: int | None = None) -> list[int]:
        widths = [w + 4 for w in self.widths]
        if max_width is None or not widths:
            return widths
        scale = max_width / float(sum(widths))
        scaled = [round(scale * w) for w in widths]
        off_by = sum(scaled) - max_width
        while off_by != 0:
            order = range(len(scaled)) if off_by > 0 else reversed(range(len(scaled)))
            for index in order:
                scaled[index] += -1 if off_by > 0 else 1
                off_by += -1 if off_by > 0 else 1
                if off_by == 0:
                    break
        return scaled

    def total_width(self) -> int:
        total = sum(self.column_widths()) + 2 + 2 * self.indent
        return max(_width(self.title) + 2 + 2 * self.indent, total)


def _center(text: str, length: int, left: str = "|", right: str = "|") -> str:
    start = (length // 2) - (_width(text) // 2) - 1
    head = left + " " * start + text
    return head + " " * (length - len(right) - (len(left) + start + _width(text))) + right


def _align_left(text: str, length: int, left: str, right: str) -> str:
    padding = 2 if length - (_width(text) + 2 + len(left) + len(right)) >= 0 else 0
    used = len(left) + padding + _width(text)
    return left + " " * padding + text + " " * (length - used - len(right)) + right


class _TableBuilder:
    def __init__(self) -> None:
        self.sections: list[_Section] = []

    @property
    def current(self) -> _Section:
        return self.sections[-1]

    def build(self, title: str | None, current: Any, indent: int = 0) -> bool:
        if not current:
            return False
        if title is not None:
            self.sections.append(_Section(title, indent))
        if isinstance(current, list):
            if isinstance(current[0], dict):
                self.from_list(current, indent, title)
            else:
                for item in current:
                    if _scalar(item):
                        self.current.add_row([item])
                    elif all(_scalar(element) for element in item):
                        self.current.add_row(item)
                    else:
                        self.build(None, item)
        if isinstance(current, dict):
            self.from_dict(current, indent)
        return True

    @staticmethod
    def group(current: dict[str, Any]) -> tuple[list[str], list[str]]:
        return (
            sorted(key for key, value in current.items() if _scalar(value)),
            sorted(key for key, value in current.items() if not _scalar(value)),
        )

    def from_dict(self, current: dict[str, Any], indent: int) -> None:
        headers, more = self.group(current)
        if len(headers) == 1:
            self.current.add_row([headers[0], current[headers[0]]])
        elif headers:
            self.current.add_header(headers)
            self.current.add_row([current[key] for key in headers])
        for key in more:
            self.build(key, current[key], indent + 1)

    def from_list(self, current: list[Any], indent: int, title: str | None) -> None:
        headers: set[str] = set()
        more: set[str] = set()
        for item in current:
            if isinstance(item, dict):
                scalar_keys, other_keys = self.group(item)
                headers.update(scalar_keys)
                more.update(other_keys)
        sorted_headers, sorted_more = sorted(headers), sorted(more)
        self.current.add_header(sorted_headers)
        for position, element in enumerate(current):
            if position and sorted_more:
                self.sections.append(_Section(title or "", indent))
                self.current.add_header(sorted_headers)
            self.current.add_row([element.get(header, "") for header in sorted_headers])
            for key in sorted_more:
                if key in element:
                    self.build(key, element[key], indent + 1)


def _vertical(sections: list[_Section]) -> list[_Section]:
    """Too wide for the terminal: single-row sections are turned into key/value rows, as the CLI does."""
    result = []
    for section in sections:
        if len(section.rows) == 1 and section.headers:
            vertical = _Section(section.title, section.indent)
            for header, cell in zip(section.headers, section.rows[0], strict=False):
                vertical.add_row([header, cell])
            result.append(vertical)
        else:
            result.append(section)
    return result


def format_table(data: Any, title: str) -> str:
    builder = _TableBuilder()
    if not builder.build(title, data):
        return ""
    sections = builder.sections
    max_width = max(section.total_width() for section in sections)
    if max_width > TERMINAL_WIDTH:
        sections = _vertical(sections)
        max_width = max(section.total_width() for section in sections)
    out = ["-" * max_width]
    for section in sections:
        bar = "|" * section.indent
        width = max_width - section.indent * 2
        body: list[str] = []
        if section.title:
            body.append(_center(section.title, width))
            if not section.headers and not section.rows:
                body.append("+" + "-" * (width - 2) + "+")
        widths = section.column_widths(width)
        if section.headers:
            body.append(_line_break(widths))
            body.append(
                "".join(
                    _center(header, w, "|" if i == 0 else "")
                    for i, (w, header) in enumerate(zip(widths, section.headers, strict=False))
                )
            )
        if section.rows and widths:
            body.append(_line_break(widths))
            for row in section.rows:
                body.append(
                    "".join(
                        _align_left(cell, w, "|" if i == 0 else "", "|")
                        for i, (w, cell) in enumerate(zip(widths, row, strict=False))
                    )
                )
            body.append(_line_break(widths))
        out.extend(bar + line + bar for line in body)
    return "\n".join(out) + "\n"


def _line_break(widths: list[int]) -> str:
    return "".join(
        ("+" + "-" * (w - 2) + "+") if i == 0 else ("-" * (w - 1) + "+") for i, w in enumerate(widths)
    )
