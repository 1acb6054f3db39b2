"""`ecrsim list`: one row per bundled scenario."""

from __future__ import annotations

import pytest

from ecrsim.cli import main
from ecrsim.scenarios.pack import bundled_pack, load, scenario_files


def test_every_bundled_scenario_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "TITLE", "TOPICS", "DOMAIN", "LEVEL", "PROGRESS"]
    files = scenario_files([bundled_pack()])
    assert len(rows) == len(files)
    first = load(files[0]).scenario
    assert rows[0].startswith(first.id + " ") and first.title in rows[0] and rows[0].endswith("-")
