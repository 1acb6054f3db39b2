"""`ecrsim list`: one row per bundled scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecrsim.cli import main
from ecrsim.scenarios.model import AskStep, Scenario, TaskStep
from ecrsim.scenarios.pack import bundled_pack, learning_path, load, scenario_files
from ecrsim.scenarios.progress import ProgressStore


def along_the_path() -> list[Scenario]:
    scenarios = [load(path).scenario for path in scenario_files([bundled_pack()])]
    place = learning_path({scenario.id: scenario.requires for scenario in scenarios})
    return sorted(scenarios, key=lambda scenario: place[scenario.id])


def test_every_bundled_scenario_is_listed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    assert main(["list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "TITLE", "TOPICS", "DOMAIN", "LEVEL", "PROGRESS"]
    scenarios = along_the_path()
    assert [row.split()[0] for row in rows] == [scenario.id for scenario in scenarios]
    first = scenarios[0]
    assert first.id == "default-registry"  # the basics come first
    assert rows[0].startswith(first.id + " ") and first.title in rows[0] and rows[0].endswith("-")


def test_progress_shows_what_was_done(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    first, second = along_the_path()[:2]
    store = ProgressStore.load()
    store.answer(first.id, 0, [1], correct=True)
    total = sum(isinstance(step, (AskStep, TaskStep)) for step in first.steps)
    for index, step in enumerate(second.steps):
        if isinstance(step, AskStep):
            store.answer(second.id, index, [1], correct=True)
        elif isinstance(step, TaskStep):
            store.task_done(second.id, index)
    store.finish(second.id)
    assert main(["list"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert rows[0].endswith(f" 1/{total}") and rows[1].endswith(" finished") and rows[2].endswith(" -")
