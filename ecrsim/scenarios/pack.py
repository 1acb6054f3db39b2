"""Loading scenario files: one file, a pack's duplicate ids, and a scenario by id (`files.py` finds them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecrsim.scenarios.files import bundled_pack, scenario_files
from ecrsim.scenarios.loader import Document, load_file
from ecrsim.scenarios.model import Scenario, validate
from ecrsim.scenarios.problems import Problem, ScenarioProblems


def display_name(path: Path) -> str:
    """How problems name a file: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Loaded:
    path: Path
    document: Document
    scenario: Scenario


def load(path: Path) -> Loaded:
    """A valid scenario file (schema and questions' form), or ScenarioProblems."""
    document = load_file(path, display=display_name(path))
    return Loaded(path, document, validate(document))


def duplicate_ids(loaded: list[Loaded]) -> list[Problem]:
    """A pack's ids must be unique: progress and `ecrsim play ID` find a scenario by its id."""
    first: dict[str, Loaded] = {}
    problems: list[Problem] = []
    for item in loaded:
        seen = first.setdefault(item.scenario.id, item)
        if seen is not item:
            at = seen.document.mark(("id",))
            where = f"{seen.document.file}:{at.line}:{at.column}"
            problems.append(
                item.document.problem(("id",), f"id: `{item.scenario.id}` is also the id of {where}")
            )
    return problems


def find_scenario(file_or_id: str) -> Path | None:
    """A file path as given, else the bundled scenario with that id (its file is named after it)."""
    path = Path(file_or_id)
    if path.is_file():
        return path
    for candidate in scenario_files([bundled_pack()]):
        try:
            if load(candidate).scenario.id == file_or_id:
                return candidate
        except ScenarioProblems:
            continue
    return None
