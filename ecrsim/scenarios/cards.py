"""The pack as a deck: every question and task of every scenario, where it sits, and the world it needs.

Review, exam, stats and report all take a card out of its scenario. `stops` reads the scenario's walk up to
each of its questions and tasks as the checker does (later steps see the world as a learner who solved the
earlier tasks left it), so a card seen alone is judged against exactly the world it was checked in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ecrsim.scenarios import model
from ecrsim.scenarios.pack import Loaded, bundled_pack, display_name, learning_path, load, scenario_files
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.questions import Judgement
from ecrsim.scenarios.review import Kind, card_key
from ecrsim.scenarios.runner import Runner
from ecrsim.scenarios.walker import Asked, TaskSet, walk
from ecrsim.scenarios.world_builder import build_world

# The four domains of AWS Certified Solutions Architect - Associate (SAA-C03) and their weight in the exam
# (https://d1.awsstatic.com/training-and-certification/docs-sa-assoc/AWS-Certified-Solutions-Architect-Associate_Exam-Guide.pdf).
DOMAINS = {
    1: "Design Secure Architectures",
    2: "Design Resilient Architectures",
    3: "Design High-Performing Architectures",
    4: "Design Cost-Optimized Architectures",
}
DOMAIN_WEIGHTS = {1: 30, 2: 26, 3: 24, 4: 20}


@dataclass(frozen=True)
class PackCard:
    key: str
    scenario_id: str
    step: int  # index in the scenario's steps
    kind: Kind
    number: int  # 1-based among the scenario's questions (or tasks), as the player numbers them
    text: str  # the question, or the task's goal
    title: str  # the scenario's
    topics: tuple[str, ...]
    domain: int


@dataclass(frozen=True)
class Pack:
    scenarios: dict[str, Loaded]  # by id, in learning-path order (pack.learning_path)
    cards: tuple[PackCard, ...]
    problems: tuple[str, ...]  # one line per file left out because it has problems

    def kinds(self) -> dict[str, Kind]:
        return {card.key: card.kind for card in self.cards}


def load_pack(root: Path | None = None) -> Pack:
    """Every valid scenario under `root` (default: the bundled pack) as cards, in learning-path order; broken
    files are listed, not fatal, and a second file with a seen id is left out (ids identify cards)."""
    scenarios: dict[str, Loaded] = {}
    problems: list[str] = []
    for path in scenario_files([root or bundled_pack()]):
        try:
            item = load(path)
        except ScenarioProblems:
            problems.append(f"{display_name(path)} has problems; run `ecrsim check` on it")
            continue
        if item.scenario.id in scenarios:
            problems.append(f"{display_name(path)} repeats the id {item.scenario.id}; left out")
            continue
        scenarios[item.scenario.id] = item
    place = learning_path({id_: item.scenario.requires for id_, item in scenarios.items()})
    scenarios = dict(sorted(scenarios.items(), key=lambda pair: place[pair[0]]))
    cards = [card for item in scenarios.values() for card in scenario_cards(item.scenario)]
    return Pack(scenarios, tuple(cards), tuple(problems))


def scenario_cards(scenario: model.Scenario) -> list[PackCard]:
    cards: list[PackCard] = []
    counts = {"question": 0, "task": 0}
    for index, step in enumerate(scenario.steps):
        if isinstance(step, model.AskStep):
            kind: Kind = "question"
            text = step.ask
        elif isinstance(step, model.TaskStep):
            kind, text = "task", step.task
        else:
            continue
        counts[kind] += 1
        cards.append(
            PackCard(
                card_key(scenario.id, index),
                scenario.id,
                index,
                kind,
                counts[kind],
                " ".join(text.split()),
                " ".join(scenario.title.split()),
                tuple(scenario.topics),
                scenario.domain,
            )
        )
    return cards


Stop = Asked | TaskSet


def stops(item: Loaded) -> Iterator[Stop]:
    """The walk's questions and tasks, each with the world a learner who solved the earlier tasks faces
    there. A reader may type into a task's runner (the learner's commands); when the walk resumes, a task
    left unsolved gets its solution applied, so later steps start from the world they were written for.

    Raises ScenarioProblems if the world cannot be built (a file `ecrsim check` would reject)."""
    runner = Runner.start(build_world(item.scenario, item.document), item.scenario)
    for event in walk(item.scenario, runner):
        if isinstance(event, (Asked, TaskSet)):
            yield event


def stop_at(item: Loaded, index: int) -> Stop:
    """The question or task at step `index`, in its world: a card played on its own."""
    for stop in stops(item):
        if stop.index == index:
            return stop
    raise ValueError(f"{item.scenario.id} has no question or task at step {index}")


@dataclass(frozen=True)
class Judged:
    """A question judged in its world, with the facts of that world it depends on."""

    judgement: Judgement
    facts: tuple[str, ...]


def judge_questions(item: Loaded) -> dict[int, Judged]:
    """Every question of the scenario judged by the simulation, by step index: the scenario's answer key."""
    return {
        stop.index: Judged(stop.question.judge(stop.runner), tuple(stop.question.facts(stop.runner)))
        for stop in stops(item)
        if isinstance(stop, Asked)
    }


def context(scenario: model.Scenario, index: int) -> list[str]:
    """What a learner who played up to step `index` has been told: the summary, narration, the commands the
    scenario typed and the time that passed. A card shown alone opens with this."""
    lines = [" ".join(scenario.summary.split())]
    for step in scenario.steps[:index]:
        if isinstance(step, model.SayStep):
            lines.append(" ".join(step.say.split()))
        elif isinstance(step, model.RunStep):
            lines.append(f"$ {step.run}")
        elif isinstance(step, model.AdvanceStep):
            lines.append(f"({step.advance} pass.)")
        elif isinstance(step, model.AsStep):
            lines.append(f"(Now acting as {step.as_}.)")
    return lines
