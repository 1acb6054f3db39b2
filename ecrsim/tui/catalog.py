"""The bundled scenarios as the home screen lists them: what each is about and how far the learner got.

The scenarios layer owns loading and validating; this module only reduces each scenario to the few facts a
list row shows, so the home screen never holds whole scenario models.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecrsim.scenarios.model import Scenario
    from ecrsim.scenarios.progress import ScenarioRecord

DOMAINS = {1: "Secure", 2: "Resilient", 3: "High-performing", 4: "Cost-optimized"}
_ACRONYMS = {"iam": "IAM", "kms": "KMS", "ecr": "ECR", "ci": "CI"}


def group_title(group: str) -> str:
    """`cross-account` -> `Cross account`, `iam` -> `IAM`: a pack folder as a heading."""
    words = [_ACRONYMS.get(word, word) for word in group.split("-")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    summary: str
    group: str  # the pack folder: the topic the scenario belongs to
    topics: tuple[str, ...]
    domain: int
    difficulty: int
    questions: int
    tasks: int
    path: Path

    @property
    def domain_name(self) -> str:
        return f"D{self.domain} {DOMAINS.get(self.domain, '')}".strip()

    @property
    def steps_to_do(self) -> int:
        return self.questions + self.tasks

    def matches(self, words: Iterable[str]) -> bool:
        """Every word appears in the title, id, topic, group or domain (case-insensitive)."""
        haystack = " ".join((self.title, self.id, self.group, self.domain_name, *self.topics)).lower()
        return all(word in haystack for word in words)

    def progress_label(self, record: ScenarioRecord) -> str:
        if not (record.questions or record.tasks or record.finished):
            return "new"
        label = record.progress_label(self.steps_to_do)
        return f"✓ {label}" if record.finished else label


def entry_for(scenario: Scenario, path: Path, group: str) -> Entry:
    from ecrsim.scenarios.model import AskStep, TaskStep

    return Entry(
        id=scenario.id,
        title=scenario.title,
        summary=" ".join(scenario.summary.split()),
        group=group,
        topics=tuple(scenario.topics),
        domain=scenario.domain,
        difficulty=scenario.difficulty,
        questions=sum(isinstance(step, AskStep) for step in scenario.steps),
        tasks=sum(isinstance(step, TaskStep) for step in scenario.steps),
        path=path,
    )


def by_group(entries: list[Entry]) -> list[Entry]:
    """The entries grouped by topic for the home list: a group comes where its first scenario is on the
    learning path, and keeps its scenarios in path order (a stable sort of entries already in that order)."""
    first: dict[str, int] = {}
    for place, entry in enumerate(entries):
        first.setdefault(entry.group, place)
    return sorted(entries, key=lambda entry: first[entry.group])


def load_catalog(root: Path | None = None) -> tuple[list[Entry], list[str]]:
    """Every valid scenario under `root` (default: the bundled pack) along the learning path, and one line
    per file that is not.

    A broken file must not hide the rest of the pack: it is left out of the list and reported.
    """
    from ecrsim.scenarios.pack import bundled_pack, learning_path, load, scenario_files
    from ecrsim.scenarios.problems import ScenarioProblems

    root = root or bundled_pack()
    entries: list[Entry] = []
    requires: dict[str, list[str]] = {}
    problems: list[str] = []
    for path in scenario_files([root]):
        try:
            scenario = load(path).scenario
        except ScenarioProblems as exc:
            problems.extend(str(problem) for problem in exc.problems)
            continue
        entries.append(entry_for(scenario, path, path.parent.name if path.parent != root else "general"))
        requires.setdefault(scenario.id, scenario.requires)
    place = learning_path(requires)
    return sorted(entries, key=lambda entry: place[entry.id]), problems
