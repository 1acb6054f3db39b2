"""The home list is remembered between starts (so the first frame shows it), and a remembered list that no
longer matches the pack, or that cannot be read back exactly, is never shown."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from textual.widgets import OptionList
from tui_helpers import PACK, ready

from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.catalog import load_catalog
from ecrsim.tui.catalog_index import index_path, load_and_index, read_index


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the test pack that a test may change."""
    copy = tmp_path / "pack"
    shutil.copytree(PACK, copy)
    return copy


def _rows(app: EcrsimApp) -> list[str]:
    return [str(option.prompt) for option in app.screen.query_one(OptionList).options]


def test_a_clean_load_is_remembered_and_read_back_as_it_was(pack: Path) -> None:
    entries, problems = load_and_index(pack)
    assert problems == [] and index_path().is_file()
    assert read_index(pack) == entries


def test_a_changed_added_or_removed_scenario_file_is_not_served_from_the_index(pack: Path) -> None:
    load_and_index(pack)
    first_push = pack / "basics" / "first-push.yaml"
    first_push.write_text(first_push.read_text().replace("The first push", "The first push, retitled"))
    assert read_index(pack) is None
    load_and_index(pack)
    another = pack / "basics" / "another.yaml"
    another.write_text(first_push.read_text().replace("tui-first-push", "another"))
    assert read_index(pack) is None
    load_and_index(pack)
    another.unlink()
    assert read_index(pack) is None


def test_the_same_size_and_time_after_an_edit_is_still_a_miss(pack: Path) -> None:
    """An editor that keeps the size and restores the modification time still changes the change time."""
    load_and_index(pack)
    first_push = pack / "basics" / "first-push.yaml"
    status = first_push.stat()
    first_push.write_text(first_push.read_text().replace("The first push", "The frist push"))
    os.utime(first_push, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert read_index(pack) is None


def test_a_pack_with_problems_is_not_remembered(pack: Path) -> None:
    (pack / "basics" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    entries, problems = load_and_index(pack)
    assert problems and entries
    assert not index_path().exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "\x00\xff" + text,
        lambda text: text.replace('"title": "The first push"', '"title": 7'),
        lambda text: text.replace('"title": "The first push"', '"title": "The first push", "extra": 1'),
        lambda text: text.replace('"domain": 1', '"domain": true'),
        lambda text: "[" * 100_000 + "]" * 100_000,
    ],
    ids=["truncated", "binary", "wrong-type", "extra-field", "bool-for-int", "deeply-nested"],
)
def test_a_damaged_index_is_a_miss_never_wrong_data(pack: Path, damage) -> None:
    load_and_index(pack)
    text = index_path().read_text(encoding="utf-8")
    assert '"title": "The first push"' in text and '"domain": 1' in text
    index_path().write_text(damage(text), encoding="utf-8", errors="surrogateescape")
    assert read_index(pack) is None


async def test_the_first_frame_lists_the_scenarios_when_the_pack_is_unchanged(pack: Path) -> None:
    load_and_index(pack)
    app = EcrsimApp(pack_dir=pack)
    async with app.run_test(size=(100, 30)):
        rows = _rows(app)  # no wait for a worker: this is what the first frame shows
        assert any("The first push" in row for row in rows)
        assert not any("Loading" in row for row in rows)


async def test_a_stale_index_shows_the_pack_as_it_is_now(pack: Path) -> None:
    load_and_index(pack)
    first_push = pack / "basics" / "first-push.yaml"
    first_push.write_text(first_push.read_text().replace("The first push", "The renamed push"))
    app = EcrsimApp(pack_dir=pack)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        rows = _rows(app)
        assert any("The renamed push" in row for row in rows)
        assert not any("The first push" in row for row in rows)
    assert read_index(pack) == load_catalog(pack)[0]  # and the index now remembers the new title
