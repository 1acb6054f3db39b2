"""UI tests run the real app headless on a small pack of their own (the bundled pack changes as it grows),
with progress kept in a temporary ECRSIM_HOME."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import PACK

from ecrsim.tui.app import EcrsimApp


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives the UI: mark it `ui`, so `pytest -m "not ui"` runs the fast tests alone."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.ui)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def make_app() -> Callable[[], EcrsimApp]:
    return lambda: EcrsimApp(pack_dir=PACK, shuffle=False)  # choices in file order: tests press their numbers
