"""`ecrsim list`: one row per bundled scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecrsim.cli import main
from ecrsim.scenarios.model import AskStep, TaskStep
from ecrsim.scenarios.pack import bundled_pack, load, scenario_files
from ecrsim.scenarios.progress import ProgressStore


def test_every_bundled_scenario_is_listed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    assert main(["list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "TITLE", "TOPICS", "DOMAIN", "LEVEL", "PROGRESS"]
    files = scenario_files([bundled_pack()])
    assert len(rows) == len(files)
    first = load(files[0]).scenario
    assert rows[0].startswith(first.id + " ") and first.title in rows[0] and rows[0].endswith("-")


def test_progress_shows_what_was_done(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    files = scenario_files([bundled_pack()])
    first, second = (load(path).scenario for path in files[:2])
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
