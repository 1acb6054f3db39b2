"""Scenario YAML -> plain Python data, with the line and column of every key and value.

Scenario files are written by hand and may come from anyone, so loading is safe and bounded: PyYAML's safe
constructors only, a size cap, a nesting cap checked on the event stream before any tree is built (the C
composer recurses without Python's recursion guard), and a cap on the node count *after* alias expansion,
computed on the composed graph where aliases are still shared, so a "billion laughs" file is refused in
microseconds instead of being expanded.

Plain scalars follow YAML 1.2's core schema rather than PyYAML's YAML 1.1 defaults: `yes`, `no`, `on`, `off`
stay strings and `012345678901` (an account id) is not read as an octal number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ecrsim.engine.hostfiles import read_bytes
from ecrsim.scenarios.problems import Problem, ScenarioProblems

MAX_BYTES = 1 << 20  # the largest bundled scenario is a few KiB
MAX_DEPTH = 48
MAX_NODES = 50_000  # after alias expansion

DataPath = tuple[str | int, ...]

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading with YAML 1.2 core booleans and integers (see the module docstring)."""


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT)]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """A loaded file: its data, where each key and value sits, and the non-fatal problems found."""

    file: str
    data: dict[str, Any]
    keys: dict[DataPath, Mark] = field(default_factory=dict)
    values: dict[DataPath, Mark] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mark(self, path: DataPath, *, key: bool = False) -> Mark:
        """Where `path` is written: its key (for unknown keys) or its value; else its nearest ancestor."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if key and end == len(path) and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Mark(1, 1)

    def problem(self, path: DataPath, message: str, *, key: bool = False) -> Problem:
        at = self.mark(path, key=key)
        return Problem(self.file, at.line, at.column, message)


def load_file(path: str | Path, *, display: str | None = None) -> Document:
    """Load one scenario file; raise ScenarioProblems when it is not a YAML mapping we can use."""
    name = display or str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise _fatal(
                name, 1, 1, f"file is {size} bytes; a scenario file may be at most {MAX_BYTES} bytes"
            )
        raw = read_bytes(path, limit=MAX_BYTES)  # a regular file only: a FIFO or /dev/zero never blocks us
    except OSError as exc:
        raise _fatal(name, 1, 1, f"cannot read the file: {exc.strerror or exc}") from None
    return load_bytes(raw, name)


def load_bytes(raw: bytes, file: str) -> Document:
    if len(raw) > MAX_BYTES:
        raise _fatal(
            file, 1, 1, f"file is {len(raw)} bytes; a scenario file may be at most {MAX_BYTES} bytes"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw[: exc.start].decode("utf-8", "replace"), exc.start)
        raise _fatal(file, line, column, f"not a UTF-8 text file (byte 0x{raw[exc.start]:02x})") from None
    return load_text(text, file)


def load_text(text: str, file: str) -> Document:
    _check_depth(text, file)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax(file, text, exc) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        raise _reader(file, text, exc) from None
    finally:
        loader.dispose()
    if root is None:
        raise _fatal(
            file, 1, 1, "empty file: a scenario is a mapping with id, title, summary, world and steps"
        )
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        at = root.start_mark
        raise _fatal(file, at.line + 1, at.column + 1, f"a scenario is a mapping of keys, not {kind}")
    _check_size(root, file)
    builder = _Builder(file)
    data = builder.value(root, ())
    if builder.fatal:
        raise ScenarioProblems(builder.problems)
    return Document(file, data, builder.keys, builder.values, builder.problems)


def _check_depth(text: str, file: str) -> None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    at = event.start_mark
                    raise _fatal(
                        file, at.line + 1, at.column + 1, f"nested more than {MAX_DEPTH} levels deep"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise _syntax(file, text, exc) from None
    except yaml.YAMLError as exc:
        raise _reader(file, text, exc) from None


def _check_size(root: Node, file: str) -> None:
    """Count the nodes the tree would have once aliases are expanded, without expanding them."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            at = node.start_mark
            raise _fatal(file, at.line + 1, at.column + 1, "an alias refers to the node that contains it")
        active.add(key)
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        total = 1 + sum(size(child) for child in children)
        active.discard(key)
        if total > MAX_NODES:
            at = node.start_mark
            raise _fatal(
                file,
                at.line + 1,
                at.column + 1,
                f"too many YAML nodes: a scenario may have at most {MAX_NODES} values, lists and mappings, "
                "each alias counted as a copy of what it names",
            )
        sizes[key] = total
        return total

    size(root)


class _Builder:
    """Turns composed nodes into Python values, recording marks; gathers every problem it meets."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.keys: dict[DataPath, Mark] = {}
        self.values: dict[DataPath, Mark] = {}
        self.problems: list[Problem] = []
        self.fatal = False
        self.constructor = SafeConstructor()

    def _problem(self, node: Node, message: str, *, fatal: bool) -> None:
        at = node.start_mark
        self.problems.append(Problem(self.file, at.line + 1, at.column + 1, message))
        self.fatal = self.fatal or fatal

    def value(self, node: Node, path: DataPath) -> Any:
        self.values[path] = _mark(node)
        if isinstance(node, (SequenceNode, MappingNode)) and node.tag not in _PLAIN_COLLECTIONS:
            self._problem(
                node, f"{dotted(path)}: cannot read this value: the tag {node.tag} is not allowed", fatal=True
            )
            return None
        if isinstance(node, SequenceNode):
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as exc:
            reason = exc.problem if isinstance(exc, ConstructorError) else str(exc)
            self._problem(node, f"{dotted(path)}: cannot read this value: {reason}", fatal=True)
            return None

    def mapping(self, node: MappingNode, path: DataPath) -> dict[str, Any]:
        try:
            self.constructor.flatten_mapping(node)  # `<<: *anchor` merge keys
        except ConstructorError as exc:
            self._problem(node, f"{dotted(path)}: {exc.problem}", fatal=True)
            return {}
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem(key_node, f"{dotted(path)}: a key must be a plain name", fatal=True)
                continue
            key = key_node.value
            child = (*path, key)
            if key in result:
                first = self.keys[child]
                self._problem(
                    key_node,
                    f"{dotted(child)}: duplicate key (first at {first.line}:{first.column})",
                    fatal=False,
                )
            self.keys[child] = _mark(key_node)
            result[key] = self.value(value_node, child)
        return result


def dotted(path: DataPath) -> str:
    """`steps[3].choices[0].outcome`: how a problem names the place it is about."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _position(before: str, offset: int) -> tuple[int, int]:
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _fatal(file: str, line: int, column: int, message: str) -> ScenarioProblems:
    return ScenarioProblems([Problem(file, line, column, message)])


def _syntax(file: str, text: str, exc: yaml.MarkedYAMLError) -> ScenarioProblems:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    if what == "but found another document":
        what = "a scenario file holds one YAML document; this `---` starts a second one"
    elif exc.context and exc.problem:
        ctx = exc.context_mark
        where = f" started at {ctx.line + 1}:{ctx.column + 1}" if ctx is not None else ""
        what = f"{what} ({exc.context}{where})"
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    lines = text.splitlines()
    if (
        mark is not None
        and mark.line < len(lines)
        and lines[mark.line][mark.column : mark.column + 1] == "\t"
    ):
        what += "; indent YAML with spaces, not tabs"
    return _fatal(file, line, column, f"syntax: {what}")


def _reader(file: str, text: str, exc: yaml.YAMLError) -> ScenarioProblems:
    offset = getattr(exc, "position", 0) or 0
    line, column = _position(text[:offset], offset)
    char = getattr(exc, "character", None)
    if isinstance(char, str):
        char = ord(char)
    what = f"character U+{char:04X} is not allowed in YAML" if char is not None else str(exc).splitlines()[0]
    return _fatal(file, line, column, f"syntax: {what}")
