"""Exam mode: N questions drawn across the pack in the SAA-C03 domain weights, answered without feedback,
then scored by domain and topic with every explanation.

The draw is `random.Random(seed)` over the pack in learning-path order, so the same seed and pack give the
same exam (a classroom can sit one exam together). Questions only: the real exam has no hands-on tasks.
Every right answer comes from the simulation (cards.judge_questions), never from the files' `answer` keys.
Front ends (the plain terminal in study_commands, the UI's exam screen) own the clock and the input; this
module holds the rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ecrsim.scenarios.cards import DOMAIN_WEIGHTS, DOMAINS, Judged, Pack, PackCard, context, judge_questions
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.questions import Judgement, Question, Shuffle
from ecrsim.scenarios.stats import bar, percent

DEFAULT_QUESTIONS = 20
MINUTES_PER_QUESTION = 2  # SAA-C03 allows 130 minutes for 65 questions

K = TypeVar("K", int, str)


def allocate(
    count: int, available: Mapping[int, int], weights: Mapping[int, int] = DOMAIN_WEIGHTS
) -> dict[int, int]:
    """How many questions each domain gets: `count` split in proportion to the weights (largest remainder),
    capped by what each domain has; what a short domain cannot take goes to the others, again by weight."""
    quota = {domain: 0 for domain in available}
    left = min(count, sum(available.values()))
    while left:
        spare = {d: available[d] - quota[d] for d in available if quota[d] < available[d]}
        weight = {d: weights.get(d, 0) for d in spare}
        if not any(weight.values()):  # only domains without a weight have questions left
            weight = dict.fromkeys(spare, 1)
        shares = {d: left * weight[d] / sum(weight.values()) for d in spare}
        short = [d for d in spare if int(shares[d]) >= spare[d]]
        if short:  # these give all they have; the rest is shared again among the others
            for d in short:
                quota[d] += spare[d]
                left -= spare[d]
            continue
        for d in spare:
            quota[d] += int(shares[d])
            left -= int(shares[d])
        # largest remainder (ties: the lower domain); fewer left than domains, and each has room for one more
        for d in sorted(spare, key=lambda d: (int(shares[d]) - shares[d], d))[:left]:
            quota[d] += 1
        left = 0
    return quota


def compose(pack: Pack, count: int, seed: int, domain: int | None = None) -> list[PackCard]:
    """The exam's questions in the order asked: drawn by the seed, asked along the pack's learning path
    (basics before authentication before policies before cross-account), as the pack lists its cards."""
    pool = [card for card in pack.cards if card.kind == "question" and domain in (None, card.domain)]
    by_domain: dict[int, list[PackCard]] = {}
    for card in pool:
        by_domain.setdefault(card.domain, []).append(card)
    quota = allocate(count, {d: len(cards) for d, cards in sorted(by_domain.items())})
    rng = random.Random(seed)
    chosen = {card for d, cards in sorted(by_domain.items()) for card in rng.sample(cards, quota[d])}
    return [card for card in pack.cards if card in chosen]


@dataclass(frozen=True)
class ExamQuestion:
    card: PackCard
    judgement: Judgement
    context: tuple[str, ...]  # what the scenario told the learner before this question
    facts: tuple[str, ...]  # the facts of its world the question depends on
    shuffle: Shuffle  # the order its choices are shown in, from the exam's seed

    @property
    def question(self) -> Question:
        return self.judgement.question

    def lines(self) -> list[str]:
        """What the learner reads: the scenario's context, the world's facts, the question, its choices as
        shown (numbered in the shuffled order)."""
        lines = [*self.context, "", "The world at this point:", *(f"  {fact}" for fact in self.facts), ""]
        lines.append(self.question.text)
        return lines + [f"  {n}. {text}" for n, text in enumerate(self.shuffle.texts(self.question), 1)]


def prepare(
    pack: Pack, cards: list[PackCard], seed: int | None = None
) -> tuple[list[ExamQuestion], list[str]]:
    """Judge the chosen questions, replaying each scenario once, their choices shuffled by `seed`. A scenario
    whose world cannot be built loses its questions from the exam; the second list says which."""
    answer_keys: dict[str, dict[int, Judged] | None] = {}  # by scenario id; None: it cannot start
    questions: list[ExamQuestion] = []
    problems: list[str] = []
    for card in cards:
        item = pack.scenarios[card.scenario_id]
        if card.scenario_id not in answer_keys:
            try:
                answer_keys[card.scenario_id] = judge_questions(item)
            except ScenarioProblems:
                answer_keys[card.scenario_id] = None
                problems.append(f"{card.scenario_id} cannot start; run `ecrsim check` on it")
        judged = answer_keys[card.scenario_id]
        if judged is not None:
            judgement, facts = judged[card.step].judgement, judged[card.step].facts
            shuffle = Shuffle.of(len(judgement.question.choices), seed, card.key)
            questions.append(
                ExamQuestion(card, judgement, tuple(context(item.scenario, card.step)), facts, shuffle)
            )
    return questions, problems


@dataclass
class Exam:
    """An exam being sat: answers and flags by question index (0-based), changeable until it is scored."""

    questions: list[ExamQuestion]
    seed: int
    minutes: float
    answers: dict[int, list[int]] = field(default_factory=dict)
    flagged: set[int] = field(default_factory=set)

    def answer(self, index: int, shown: list[int]) -> None:
        """`shown`: the choices as numbered on screen (the shuffled order); kept in file numbers."""
        self.answers[index] = self.questions[index].shuffle.file_numbers(sorted(set(shown)))

    def shown_answer(self, index: int) -> list[int]:
        """The answer given to question `index`, numbered as shown."""
        return self.questions[index].shuffle.shown_numbers(self.answers.get(index, []))

    def toggle_flag(self, index: int) -> None:
        self.flagged ^= {index}

    def unanswered(self) -> list[int]:
        return [i for i in range(len(self.questions)) if i not in self.answers]

    def open_questions_line(self) -> str:
        """What is still open, by question number: "Flagged: none. Unanswered: questions 3, 5." ("Unanswered:
        3" read as a count)."""

        def numbers(indexes: list[int]) -> str:
            if not indexes:
                return "none"
            return ("question " if len(indexes) == 1 else "questions ") + ", ".join(
                str(i + 1) for i in indexes
            )

        return f"Flagged: {numbers(sorted(self.flagged))}. Unanswered: {numbers(self.unanswered())}."

    def result(self) -> ExamResult:
        return ExamResult(
            [ExamItem(q, self.answers.get(i, []), i in self.flagged) for i, q in enumerate(self.questions)]
        )


@dataclass(frozen=True)
class ExamItem:
    question: ExamQuestion
    chosen: list[int]
    flagged: bool

    @property
    def right(self) -> list[int]:
        return self.question.judgement.right

    @property
    def correct(self) -> bool:
        return self.chosen == self.right


@dataclass(frozen=True)
class Tally:
    right: int
    total: int

    @property
    def fraction(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExamResult:
    items: list[ExamItem]

    @property
    def score(self) -> Tally:
        return Tally(sum(item.correct for item in self.items), len(self.items))

    def by_domain(self) -> dict[int, Tally]:
        return _tally((item.question.card.domain, item.correct) for item in self.items)

    def by_topic(self) -> dict[str, Tally]:
        """Each question counts for every topic of its scenario."""
        return _tally((topic, item.correct) for item in self.items for topic in item.question.card.topics)


def _tally(pairs: Iterable[tuple[K, bool]]) -> dict[K, Tally]:
    counts: dict[K, tuple[int, int]] = {}
    for key, correct in pairs:
        right, total = counts.get(key, (0, 0))
        counts[key] = (right + correct, total + 1)
    return {key: Tally(*counts[key]) for key in sorted(counts)}


def result_lines(result: ExamResult) -> list[str]:
    """The score by domain and topic, then every question with its explanation, as plain lines."""
    score = result.score
    lines = ["", f"Score: {score.right} of {score.total} ({percent(score.fraction)})", "", "By domain:"]
    for domain, tally in result.by_domain().items():
        name = f"{domain} {DOMAINS[domain]}"
        lines.append(f"  {name:<40} {bar(tally.fraction)} {tally.right}/{tally.total}")
    lines += ["", "By topic:"]
    topics = result.by_topic()
    width = max(map(len, topics), default=0)
    for topic, tally in topics.items():
        lines.append(f"  {topic:<{width}}  {bar(tally.fraction)} {tally.right}/{tally.total}")
    lines += ["", "Question by question:"]
    for number, item in enumerate(result.items, 1):
        question, judgement, shuffle = item.question.question, item.question.judgement, item.question.shuffle
        verdict = "right" if item.correct else ("not answered" if not item.chosen else "wrong")
        flag = " (flagged)" if item.flagged else ""
        lines.append(f"{number}. [{verdict}]{flag} {item.question.card.title}: {question.text}")
        lines.append(f"   Your answer: {judgement.named(item.chosen, shuffle)}.")
        lines.append(f"   The answer: {judgement.named(item.right, shuffle)}.")
        if question.explain:
            lines.append(f"   {question.explain}")
        happened = judgement.happened(item.chosen or item.right, shuffle)
        if happened:
            lines.append(f"   Simulation: {happened}")
        lines += [f"   {line}" for line in judgement.reasons(shuffle)]
    return lines
