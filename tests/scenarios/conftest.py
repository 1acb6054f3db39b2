"""Every scenarios test keeps the learner's data (progress.json, review.json) in its own fresh folder: the
player, review and exam save as they go, and a test must never touch the user's own files or another's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path))
    return tmp_path
