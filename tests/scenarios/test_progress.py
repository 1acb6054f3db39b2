"""Progress survives restarts, never crashes on a damaged file, and never leaves a half-written one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecrsim.scenarios.progress import FILE_NAME, ProgressStore, data_dir


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    return tmp_path


def test_ecrsim_home_decides_where_progress_lives(home: Path) -> None:
    assert data_dir() == home
    store = ProgressStore.load()
    store.finish("token-lasts-12-hours")
    assert (home / FILE_NAME).is_file()


def test_answers_and_tasks_survive_a_restart(home: Path) -> None:
    store = ProgressStore.load()
    store.answer("s1", 4, [3], correct=False)
    store.answer("s1", 4, [2], correct=True)
    store.task_hint("s1", 6, 1)
    store.task_done("s1", 6)
    store.finish("s1")

    again = ProgressStore.load()
    record = again.record("s1")
    assert record.finished
    assert record.questions[4].attempts == [[3], [2]]
    assert record.questions[4].correct and not record.questions[4].first_try
    assert record.tasks[6].done and record.tasks[6].hints_used == 1 and not record.tasks[6].solution_shown
    assert record.done_count() == 2
    assert again.warnings == []


def test_a_later_wrong_answer_does_not_undo_a_right_one(home: Path) -> None:
    store = ProgressStore.load()
    store.answer("s1", 2, [1], correct=True)
    store.answer("s1", 2, [3], correct=False)
    assert ProgressStore.load().record("s1").questions[2].correct


def test_unknown_scenario_has_an_empty_record_that_is_not_saved(home: Path) -> None:
    store = ProgressStore.load()
    assert store.record("never-opened").done_count() == 0
    assert not (home / FILE_NAME).exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe garbage",
        b"[]",
        b'{"version": 99, "scenarios": {}}',
        b'{"version": 1, "scenarios": {"s1": {"questions": {"x": {}}}}}',
        b'{"version": 1, "scenarios": {"s1": {"tasks": {"2": {"hints_used": -1}}}}}',
        b'{"version": 1, "scenarios": {"s1": {"questions": {"2": {"attempts": [["1"]]}}}}}',
    ],
)
def test_a_damaged_file_is_set_aside_with_a_warning(home: Path, content: bytes) -> None:
    (home / FILE_NAME).write_bytes(content)
    store = ProgressStore.load()
    assert store.scenarios == {}
    assert len(store.warnings) == 1 and "damaged" in store.warnings[0]
    assert (home / (FILE_NAME + ".damaged")).read_bytes() == content
    store.finish("s1")  # and the learner carries on
    assert ProgressStore.load().record("s1").finished


def test_earlier_damaged_files_are_kept(home: Path) -> None:
    for _ in range(2):
        (home / FILE_NAME).write_text("oops")
        ProgressStore.load()
    assert sorted(p.name for p in home.iterdir()) == [FILE_NAME + ".damaged", FILE_NAME + ".damaged.1"]


def test_save_replaces_the_file_whole_and_leaves_no_temporary_files(home: Path) -> None:
    store = ProgressStore.load()
    for step in range(5):
        store.answer("s1", step, [1], correct=True)
    assert sorted(p.name for p in home.iterdir()) == [FILE_NAME, FILE_NAME + ".lock"]  # the lock side file
    assert json.loads((home / FILE_NAME).read_text())["version"] == 1


def test_an_unwritable_place_is_a_warning_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ECRSIM_HOME", str(blocker / "ecrsim"))  # a directory cannot live inside a file
    store = ProgressStore.load()
    store.finish("s1")
    assert store.warnings and "Could not save progress" in store.warnings[0]
    assert store.record("s1").finished  # kept in memory for this session


WRITER = """
import sys
from ecrsim.scenarios.progress import ProgressStore
store = ProgressStore.load()  # loaded once, before the other process writes: each change must re-read
for step in range(25):
    store.answer(sys.argv[1], step, [1], correct=True)
store.task_done("shared", int(sys.argv[2]))
"""


def test_two_processes_recording_progress_at_once_lose_nothing(home: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, name, step], env=dict(os.environ))
        for name, step in (("a", "1"), ("b", "2"))
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    store = ProgressStore.load()
    assert [len(store.record(sid).questions) for sid in ("a", "b")] == [25, 25]
    assert sorted(store.record("shared").tasks) == [1, 2]  # both changed the same scenario's record
    assert store.warnings == []


def test_a_file_damaged_by_another_process_is_set_aside_at_the_next_change(home: Path) -> None:
    store = ProgressStore.load()
    store.finish("s1")
    (home / FILE_NAME).write_text("{half a file")
    store.finish("s2")
    assert len(store.warnings) == 1 and "damaged" in store.warnings[0]
    assert (home / (FILE_NAME + ".damaged")).read_text() == "{half a file"
    assert sorted(ProgressStore.load().scenarios) == ["s2"]
