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
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "DOMAIN", "LEVEL", "PROGRESS"]
    rows = _rows(lines)
    scenarios = along_the_path()
    assert [row.split()[0] for row in rows] == [scenario.id for scenario in scenarios]
    first = scenarios[0]
    assert first.id == "default-registry"  # the basics come first
    assert rows[0].split() == [first.id, str(first.domain), str(first.difficulty), "-"]


def _rows(lines: list[str]) -> list[str]:
    """The first line of each scenario (its title and topics follow, indented)."""
    return [line for line in lines if not line.startswith(" ")]


@pytest.mark.parametrize("columns", [80, 100])
def test_the_list_fits_the_terminal_and_keeps_every_id_title_and_topic_whole(
    columns: int, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= columns
    words = " ".join(out.split())
    for scenario in along_the_path():
        assert f" {scenario.id} " in f" {words} " and scenario.title in words
        assert all(topic in words for topic in scenario.topics)


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
    third = along_the_path()[2]
    store.answer(third.id, 0, [1], correct=False)
    store.finish(third.id)  # played to the end with a wrong answer: finished all the same, not "0/N"
    assert main(["list"]) == 0
    rows = _rows(capsys.readouterr().out.splitlines()[1:])
    assert rows[0].endswith(f" 1/{total}") and rows[1].endswith(" finished")
    assert rows[2].endswith(" finished") and rows[3].endswith(" -")
