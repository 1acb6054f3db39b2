"""The scenario subcommands of `ecrsim`: check, play and list. Each returns the exit status."""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ecrsim.scenarios.console import Clock, Now, load_named_scenario, quiet_when_piped_to_head, utc_now, warn
from ecrsim.scenarios.model import AskStep, Scenario, TaskStep
from ecrsim.scenarios.pack import bundled_pack, display_name, learning_path, load, scenario_files
from ecrsim.scenarios.problems import ScenarioProblems
from ecrsim.scenarios.progress import ProgressStore


@quiet_when_piped_to_head
def run_check(paths: Sequence[str]) -> int:
    """`ecrsim check [PATH ...]`: 0 when every file is right, 1 for any problem, 2 for a path that is not
    there (a usage error: nothing was checked)."""
    from ecrsim.scenarios.checker import check_paths

    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        print(f"ecrsim check: error: no such file or folder: {missing[0]}", file=sys.stderr)
        return 2
    count, problems = check_paths([Path(path) for path in paths] or [bundled_pack()])
    if count == 0:
        print(f"ecrsim check: error: no scenario files (*.yaml) in {', '.join(paths)}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    files = f"{count} scenario file{'s' if count != 1 else ''}"
    verdict = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "all good"
    print(f"ecrsim check: {files}, {verdict}", file=sys.stderr)
    return 1 if problems else 0


@quiet_when_piped_to_head
def run_play(
    file_or_id: str,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    now: Now = utc_now,
    clock: Clock = time.monotonic,
) -> int:
    """`ecrsim play FILE_OR_ID`: 0 played to the end, 1 stopped early or a broken file, 2 no such scenario.

    Progress is saved as the learner goes, and every answered question and finished task is a review of its
    card at `now`: replaying a scenario is practice, and spaced review should count it."""
    from ecrsim.scenarios.player import Player
    from ecrsim.scenarios.review import Attempt
    from ecrsim.scenarios.runner import Runner
    from ecrsim.scenarios.study_store import StudyStore
    from ecrsim.scenarios.world_builder import build_world

    try:
        item = load_named_scenario(file_or_id)
        if item is None:
            return 2
        world = build_world(item.scenario, item.document)
    except ScenarioProblems as error:
        print(error, file=sys.stderr)
        return 1
    runner = Runner.start(world, item.scenario)
    progress = _progress()
    reviews = StudyStore.load()
    warn(reviews.warnings)

    def review(key: str, attempt: Attempt) -> None:
        reviews.record(key, attempt, now())

    player = Player(
        item.scenario,
        runner,
        stdin or sys.stdin,
        stdout or sys.stdout,
        progress,
        attempted=review,
        clock=clock,
        seed=int(now().timestamp()),  # the play's start shuffles the choices
    )
    try:
        return player.play()
    finally:  # a save that failed on the way is said once, at the end, not after every answer
        warn(progress.warnings)
        warn(reviews.warnings)


def _progress() -> ProgressStore:
    """The learner's saved progress; its warnings (a damaged file set aside) go to stderr."""
    store = ProgressStore.load()
    warn(store.warnings)
    return store


def _progress_cell(progress: ProgressStore, scenario: Scenario) -> str:
    if scenario.id not in progress.scenarios:
        return "-"
    total = sum(isinstance(step, (AskStep, TaskStep)) for step in scenario.steps)
    return progress.record(scenario.id).progress_label(total)


@quiet_when_piped_to_head
def run_list() -> int:
    """`ecrsim list`: every bundled scenario, along the learning path (basics first). PROGRESS is `-` (not
    started), DONE/TOTAL (questions answered right and tasks solved, of all), or `finished` once played to
    the end.

    Ids are up to 32 characters and titles up to 60, so one row per scenario cannot fit an 80-column
    terminal: each scenario is a line of the short columns (the id whole, as `ecrsim play` takes it), then
    its title and topics beneath, wrapped to the width (the terminal's, else `COLUMNS`, else 100)."""
    progress = _progress()
    broken = 0
    scenarios: list[Scenario] = []
    for path in scenario_files([bundled_pack()]):
        try:
            scenarios.append(load(path).scenario)
        except ScenarioProblems:
            broken += 1
            print(
                f"ecrsim list: {display_name(path)} has problems; run `ecrsim check` on it", file=sys.stderr
            )
    place = learning_path({scenario.id: scenario.requires for scenario in scenarios})
    width = max(40, shutil.get_terminal_size((100, 24)).columns)
    id_width = max([len("ID"), *(len(scenario.id) for scenario in scenarios)])
    print(f"{'ID':<{id_width}}  DOMAIN  LEVEL  PROGRESS")
    for scenario in sorted(scenarios, key=lambda scenario: place[scenario.id]):
        cell = _progress_cell(progress, scenario)
        print(f"{scenario.id:<{id_width}}  {scenario.domain:<6}  {scenario.difficulty:<5}  {cell}")
        print(textwrap.fill(scenario.title, width, initial_indent="    ", subsequent_indent="    "))
        topics = ", ".join(scenario.topics) or "-"
        # A topic is a name: wrapped between topics, never at its own hyphens (network-architecture).
        print(
            textwrap.fill(
                topics,
                width,
                initial_indent="    topics: ",
                subsequent_indent=" " * 12,
                break_on_hyphens=False,
            )
        )
    return 1 if broken else 0
