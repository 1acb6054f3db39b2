"""The pack as a deck: every question and task of every scenario, where it sits, and the world it needs.

Review, exam, stats and report all take a card out of its scenario. `walk` replays a scenario to each of
its questions and tasks the way the checker does (later steps see the world as a learner who solved the
earlier tasks left it), so a card seen alone is judged against exactly the world it was checked in.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ecrsim.scenarios import model
from ecrsim.scenarios.outcomes import describe
from ecrsim.scenarios.pack import Loaded, bundled_pack, display_name, learning_path, load, scenario_files
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.review import Kind, card_key
from ecrsim.scenarios.runner import ChoiceVerdict, Runner, judge, right_choices, run_checks
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


@dataclass
class Position:
    """The walk stopped before a question or task: `runner` holds the world the learner faces there."""

    index: int
    step: model.AskStep | model.TaskStep
    runner: Runner


def walk(item: Loaded) -> Iterator[Position]:
    """Replay the scenario, stopping at each question and task. The consumer may type into the runner at a
    task (the learner's commands); when the walk resumes, a task whose checks do not hold yet gets its
    solution applied, so later steps start from the world they were written for.

    Raises ScenarioProblems if the world cannot be built (a file `ecrsim check` would reject)."""
    runner = Runner.start(build_world(item.scenario, item.document), item.scenario)
    for index, step in enumerate(item.scenario.steps):
        if isinstance(step, model.AsStep):
            runner.run(f"sim as {shlex.quote(step.as_)}")
        elif isinstance(step, model.RunStep):
            runner.run(step.run)
        elif isinstance(step, model.AdvanceStep):
            runner.run(f"sim advance {step.advance}")
        elif isinstance(step, model.AskStep):
            yield Position(index, step, runner)
        elif isinstance(step, model.TaskStep):
            base = runner.profile
            yield Position(index, step, runner)
            if not all(result.holds for result in run_checks(runner, step.check, base)):
                runner.act(step.solution)
            if runner.profile != base:
                runner.run(f"sim as {shlex.quote(base)}")


def runner_at(item: Loaded, index: int) -> Runner:
    """The world and shell at step `index` (a question or task), for a card played on its own."""
    for position in walk(item):
        if position.index == index:
            return position.runner
    raise ValueError(f"{item.scenario.id} has no question or task at step {index}")


@dataclass(frozen=True)
class Judged:
    """A question with the simulation's verdict on every choice."""

    index: int
    step: model.AskStep
    verdicts: tuple[ChoiceVerdict, ...]

    @property
    def right(self) -> list[int]:
        return right_choices(self.verdicts)

    def happened(self, chosen: list[int]) -> str:
        """What the simulation did, in one line: the probe's outcome, or what the (first) chosen fix did."""
        if self.step.probe is not None:
            return f"`{self.step.probe}`: {describe(self.verdicts[0].ran[0])}"
        if not chosen:
            return ""
        verdict = self.verdicts[chosen[0] - 1]
        return f"choice {chosen[0]}: " + ("every check holds" if verdict.right else verdict.why_wrong())


def judge_questions(item: Loaded) -> dict[int, Judged]:
    """Every question of the scenario judged by the simulation, by step index: the scenario's answer key."""
    judged: dict[int, Judged] = {}
    for position in walk(item):
        if isinstance(position.step, model.AskStep):
            verdicts = tuple(judge(position.runner, position.step))
            judged[position.index] = Judged(position.index, position.step, verdicts)
    return judged


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
