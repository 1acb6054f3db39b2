"""Where scenario files are: the bundled pack and the files under folders, without loading any of them.

Kept apart from `pack.py` (which loads and validates, and so imports YAML and pydantic) so that the UI's
catalog index can list the pack's files before its first frame at the cost of a directory walk.
The bundled pack is package data (`ecrsim/pack`, the repository's `scenarios/` folder), so it is found
the same way in a checkout and in an installed wheel.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SUFFIXES = (".yaml", ".yml")


def bundled_pack() -> Path:
    return Path(__file__).resolve().parent.parent / "pack"


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Every scenario file named, folders searched recursively, in a stable order, each file once."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
                found.setdefault(file.resolve(), file)
        else:
            found.setdefault(path.resolve(), path)
    return list(found.values())
