"""The home list remembered between starts, so the first frame shows the scenarios without loading them.

Loading the pack (YAML, pydantic, validating every file) takes longer than Textual's own start. The list
it yields is written to `catalog-index.json` in the user data directory, keyed by everything it was made
from: the stamps (size, modification and change times, inode) of every scenario file under the pack and
of the ecrsim modules that load and validate them, and ecrsim's version. A start whose key matches draws
the remembered list at once; any difference, or an index that cannot be read or does not decode to
exactly the entries' fields and types, is a miss and the pack is loaded as before. Only a pack that loaded
with no problem is remembered, so its problems are reported on every start until they are fixed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path
from typing import Any

from ecrsim import __version__
from ecrsim.errors import EcrsimError
from ecrsim.scenarios.files import scenario_files
from ecrsim.scenarios.progress import data_dir
from ecrsim.scenarios.safefile import write_atomically
from ecrsim.tui.catalog import Entry, load_catalog

FILE_NAME = "catalog-index.json"
FORMAT_VERSION = 1
_PACKAGE = Path(__file__).resolve().parent.parent
# The code an entry depends on: how files are loaded and validated, and how an entry is made of one.
_CODE = (_PACKAGE / "scenarios", _PACKAGE / "tui" / "catalog.py")
# How each field of an entry is checked when read back: a JSON value -> the value, or ValueError.
_FIELD_TYPES = {"str": str, "int": int}


def index_path() -> Path:
    return data_dir() / FILE_NAME


def _stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


def index_key(root: Path) -> dict[str, Any]:
    """What the remembered list was made from; OSError when a file vanishes while it is taken."""
    code = [
        path for folder in _CODE for path in (sorted(folder.rglob("*.py")) if folder.is_dir() else [folder])
    ]
    return {
        "format": FORMAT_VERSION,
        "version": __version__,
        "fields": [field.name for field in dataclasses.fields(Entry)],
        "root": str(root.resolve()),
        "pack": {str(path): _stamp(path) for path in scenario_files([root])},
        "code": {str(path): _stamp(path) for path in code},
    }


class _NotAnEntry(EcrsimError):
    """What the index file holds is not an entry `write_index` wrote: the index is rebuilt."""


def _decode_entry(data: Any) -> Entry:
    """An entry exactly as `write_index` wrote it; _NotAnEntry for anything else."""
    if not isinstance(data, dict):
        raise _NotAnEntry("an entry is not an object")
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Entry):
        value = data.get(field.name)
        if field.type == "Path" and isinstance(value, str):
            values[field.name] = Path(value)
        elif (
            field.type == "tuple[str, ...]"
            and isinstance(value, list)
            and all(isinstance(v, str) for v in value)
        ):
            values[field.name] = tuple(value)
        elif type(value) is _FIELD_TYPES.get(str(field.type)):
            values[field.name] = value
        else:
            raise _NotAnEntry(f"entry field {field.name} is missing or of another type")
    if set(data) != set(values):
        raise _NotAnEntry("an entry has fields an entry does not have")
    return Entry(**values)


def read_index(root: Path) -> list[Entry] | None:
    """The list remembered for `root` if nothing it was made from has changed since, else None."""
    try:
        data = json.loads(index_path().read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != index_key(root):
            return None
        entries = data["entries"]
        if not isinstance(entries, list):
            return None
        return [_decode_entry(entry) for entry in entries]
    except (
        OSError,
        ValueError,
        KeyError,
        RecursionError,
        _NotAnEntry,
    ):  # JSONDecodeError and UnicodeError are ValueErrors
        return None


def _encode_entry(entry: Entry) -> dict[str, Any]:
    return {
        field.name: (
            str(value) if isinstance(value, Path) else list(value) if isinstance(value, tuple) else value
        )
        for field in dataclasses.fields(Entry)
        for value in [getattr(entry, field.name)]
    }


def write_index(key: dict[str, Any], entries: list[Entry]) -> None:
    """Remember `entries` under `key` (taken before they were loaded, so a file changed meanwhile is a
    miss next time). Best effort: a data directory that cannot be written only costs the next start time."""
    text = json.dumps({"key": key, "entries": [_encode_entry(entry) for entry in entries]})
    with contextlib.suppress(OSError):
        write_atomically(index_path(), text)


def load_and_index(root: Path) -> tuple[list[Entry], list[str]]:
    """Load the pack as `load_catalog` does, and remember the list when every file loaded cleanly."""
    try:
        key: dict[str, Any] | None = index_key(root)
    except OSError:
        key = None
    entries, problems = load_catalog(root)
    if key is not None and not problems:
        write_index(key, entries)
    return entries, problems
