"""Loading scenario files: one file, a pack's duplicate ids, and a scenario by id (`files.py` finds them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def learning_path(requires: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each scenario's place on the pack's learning path, by id, from the ids in file order and what each
    requires: a scenario comes after everything it requires, level by level (its level is the length of its
    longest chain of prerequisites), and in file order within a level. So the basics, which require
    nothing, come first, and cross-account scenarios, which require the policy ones, come late.

    A prerequisite that is not in the pack, or that closes a cycle, is ignored here (`ecrsim check` reports
    both)."""
    levels: dict[str, int] = {}

    def level(scenario: str, seen: frozenset[str]) -> int:
        if scenario not in levels:
            before = [
                level(other, seen | {scenario})
                for other in requires.get(scenario, ())
                if other in requires and other not in seen and other != scenario
            ]
            levels[scenario] = 1 + max(before, default=-1)
        return levels[scenario]

    order = list(requires)
    ranked = sorted(order, key=lambda scenario: (level(scenario, frozenset()), order.index(scenario)))
    return {scenario: place for place, scenario in enumerate(ranked)}


def prerequisite_problems(loaded: list[Loaded]) -> list[Problem]:
    """`requires` must name scenarios of the pack, and never lead back to the scenario itself."""
    requires = {item.scenario.id: item.scenario.requires for item in loaded}
    problems: list[Problem] = []
    for item in loaded:
        for i, other in enumerate(item.scenario.requires):
            if other not in requires:
                problems.append(
                    item.document.problem(
                        ("requires", i), f"requires.{i}: no scenario in the pack has the id `{other}`"
                    )
                )
        cycle = _cycle(item.scenario.id, requires)
        if cycle:
            problems.append(
                item.document.problem(("requires",), f"requires: {' -> '.join(cycle)} leads back to itself")
            )
    return problems


def _cycle(start: str, requires: Mapping[str, Sequence[str]]) -> list[str]:
    """A chain of prerequisites from `start` back to `start`, or [] (depth first; the pack is small)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        scenario, chain = stack.pop()
        for other in requires.get(scenario, ()):
            if other == start:
                return [*chain, start]
            if other not in seen and other in requires:
                seen.add(other)
                stack.append((other, [*chain, other]))
    return []
