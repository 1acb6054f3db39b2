"""What the learner has done: which scenarios, questions and tasks, and how (first try, hints, solution).

Progress lives in one small JSON file in the user data directory (platformdirs; `ECRSIM_HOME` overrides
it, which is also how tests and classroom machines keep it somewhere known). Losing or mangling it must
never stop the learner: it is kept as safefile keeps files (each change re-read, merged and written whole
under a lock, so two ecrsim processes never lose each other's progress), and a file that cannot be read is
renamed aside with a warning and progress starts afresh. Steps are keyed by their index in the scenario's
`steps` list, the one identity a step has.

No timestamps are stored: the UI runs on the simulated clock only, and nothing here needs wall time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecrsim.errors import EcrsimError
from ecrsim.scenarios.safefile import SharedJsonFile

FILE_NAME = "progress.json"
FORMAT_VERSION = 1


def data_dir() -> Path:
    """Where ecrsim keeps the learner's data: `$ECRSIM_HOME` if set, else the platform's user data dir."""
    override = os.environ.get("ECRSIM_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ecrsim", appauthor=False))


@dataclass
class QuestionRecord:
    """Every choice set the learner submitted, in order, and whether the last one was right."""

    attempts: list[list[int]] = field(default_factory=list)  # 1-based choice numbers per attempt
    correct: bool = False

    @property
    def first_try(self) -> bool:
        return self.correct and len(self.attempts) == 1


@dataclass
class TaskRecord:
    done: bool = False
    hints_used: int = 0
    solution_shown: bool = False


@dataclass
class ScenarioRecord:
    questions: dict[int, QuestionRecord] = field(default_factory=dict)
    tasks: dict[int, TaskRecord] = field(default_factory=dict)
    finished: bool = False

    def done_count(self) -> int:
        """Questions answered right plus tasks completed."""
        return sum(q.correct for q in self.questions.values()) + sum(t.done for t in self.tasks.values())

    def progress_label(self, steps: int) -> str:
        """How far the learner got, as the scenario lists show it: `finished` once played to the end, else
        the questions answered right and tasks solved of all `steps`. A wrong answer on the way does not make
        a finished scenario read as half done ("1/2" says "come back to finish"); accuracy is the Progress
        screen's and review's business."""
        return "finished" if self.finished else f"{min(self.done_count(), steps)}/{steps}"


class DamagedProgress(EcrsimError):
    """The progress file exists but is not progress this version can read."""


class ProgressStore(SharedJsonFile[dict[str, ScenarioRecord]]):
    """The learner's progress, loaded once; each change is saved at once and merged with what another
    ecrsim process saved meanwhile."""

    noun = "progress file"
    content = "progress"

    def __init__(self, path: Path, scenarios: dict[str, ScenarioRecord] | None = None) -> None:
        super().__init__(path, scenarios or {})

    @property
    def scenarios(self) -> dict[str, ScenarioRecord]:
        return self.value

    @classmethod
    def load(cls, path: Path | None = None) -> ProgressStore:
        """Read the saved progress; a missing file is a fresh start, a damaged one is set aside."""
        store = cls(path or data_dir() / FILE_NAME)
        store.value = store._first_read()
        return store

    # -- reading ------------------------------------------------------------------------------------------
    def record(self, scenario_id: str) -> ScenarioRecord:
        """The scenario's record (an empty one, not stored, if the learner has not started it)."""
        return self.scenarios.get(scenario_id) or ScenarioRecord()

    # -- changing (each change is saved at once) ----------------------------------------------------------
    def answer(self, scenario_id: str, step: int, choices: list[int], *, correct: bool) -> None:
        def change(scenarios: dict[str, ScenarioRecord]) -> None:
            record = _mutable(scenarios, scenario_id).questions.setdefault(step, QuestionRecord())
            record.attempts.append(sorted(choices))
            record.correct = record.correct or correct

        self._change(change)

    def task_hint(self, scenario_id: str, step: int, hints_used: int) -> None:
        def change(scenarios: dict[str, ScenarioRecord]) -> None:
            record = _mutable(scenarios, scenario_id).tasks.setdefault(step, TaskRecord())
            record.hints_used = max(record.hints_used, hints_used)

        self._change(change)

    def task_solution_shown(self, scenario_id: str, step: int) -> None:
        def change(scenarios: dict[str, ScenarioRecord]) -> None:
            _mutable(scenarios, scenario_id).tasks.setdefault(step, TaskRecord()).solution_shown = True

        self._change(change)

    def task_done(self, scenario_id: str, step: int) -> None:
        def change(scenarios: dict[str, ScenarioRecord]) -> None:
            _mutable(scenarios, scenario_id).tasks.setdefault(step, TaskRecord()).done = True

        self._change(change)

    def finish(self, scenario_id: str) -> None:
        def change(scenarios: dict[str, ScenarioRecord]) -> None:
            _mutable(scenarios, scenario_id).finished = True

        self._change(change)

    def reset(self, scenario_id: str) -> None:
        def change(scenarios: dict[str, ScenarioRecord]) -> None:
            scenarios.pop(scenario_id, None)

        if scenario_id in self.scenarios:
            self._change(change)

    def _empty(self) -> dict[str, ScenarioRecord]:
        return {}

    def _decode(self, data: Any) -> dict[str, ScenarioRecord]:
        return _decode(data)

    def _encode(self, value: dict[str, ScenarioRecord]) -> str:
        return json.dumps(_encode(value), indent=1, sort_keys=True) + "\n"


def _mutable(scenarios: dict[str, ScenarioRecord], scenario_id: str) -> ScenarioRecord:
    return scenarios.setdefault(scenario_id, ScenarioRecord())


def _encode(scenarios: dict[str, ScenarioRecord]) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "scenarios": {
            sid: {
                "finished": rec.finished,
                "questions": {
                    str(step): {"attempts": q.attempts, "correct": q.correct}
                    for step, q in rec.questions.items()
                },
                "tasks": {
                    str(step): {
                        "done": t.done,
                        "hints_used": t.hints_used,
                        "solution_shown": t.solution_shown,
                    }
                    for step, t in rec.tasks.items()
                },
            }
            for sid, rec in scenarios.items()
        },
    }


def _decode(data: Any) -> dict[str, ScenarioRecord]:
    """Strict reading: anything unexpected means the file is not ours (or is damaged), never a crash later."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise DamagedProgress(f"not an ecrsim progress file of version {FORMAT_VERSION}")
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, dict):
        raise DamagedProgress("'scenarios' is not a mapping")
    result: dict[str, ScenarioRecord] = {}
    for sid, raw in scenarios.items():
        _expect(raw, dict, f"scenario {sid}")
        record = ScenarioRecord(finished=_expect(raw.get("finished", False), bool, f"{sid}.finished"))
        for step, q in _expect(raw.get("questions", {}), dict, f"{sid}.questions").items():
            _expect(q, dict, f"{sid}.questions.{step}")
            attempts = _expect(q.get("attempts", []), list, f"{sid}.questions.{step}.attempts")
            for attempt in attempts:
                if not (isinstance(attempt, list) and all(type(n) is int and n > 0 for n in attempt)):
                    raise DamagedProgress(f"{sid}.questions.{step}.attempts holds {attempt!r}")
            correct = _expect(q.get("correct", False), bool, f"{sid}.questions.{step}.correct")
            record.questions[_step(step, sid)] = QuestionRecord(attempts, correct)
        for step, t in _expect(raw.get("tasks", {}), dict, f"{sid}.tasks").items():
            _expect(t, dict, f"{sid}.tasks.{step}")
            hints = t.get("hints_used", 0)
            if type(hints) is not int or hints < 0:
                raise DamagedProgress(f"{sid}.tasks.{step}.hints_used is {hints!r}")
            record.tasks[_step(step, sid)] = TaskRecord(
                done=_expect(t.get("done", False), bool, f"{sid}.tasks.{step}.done"),
                hints_used=hints,
                solution_shown=_expect(t.get("solution_shown", False), bool, f"{sid}.tasks.{step}.solution"),
            )
        result[sid] = record
    return result


def _expect(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise DamagedProgress(f"{where} is {type(value).__name__}, expected {kind.__name__}")
    return value


def _step(key: str, sid: str) -> int:
    if not key.isdigit():
        raise DamagedProgress(f"{sid}: step key {key!r} is not a step number")
    return int(key)
