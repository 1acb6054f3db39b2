"""Whole learner sessions, compared line for line with reviewed transcripts in tests/shell/golden/.

Each `NAME.script` runs in a fresh default world whose virtual files are golden/files/*; its transcript
(`$ command`, stdout, stderr, and `[exit N]` after a failing command) must equal `NAME.transcript`.
After a deliberate change in output, regenerate with `ECRSIM_UPDATE_GOLDEN=1 pytest tests/shell` and
review the diff: these files are the fidelity contract a learner sees.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell
from ecrsim.shell.terminal import read_script

GOLDEN = Path(__file__).parent / "golden"
SCRIPTS = sorted(GOLDEN.glob("*.script"))


def run_session(script: Path) -> str:
    world = default_world()
    for path in sorted((GOLDEN / "files").iterdir()):
        world.files[path.name] = path.read_text(encoding="utf-8")
    shell = Shell(world)
    lines = read_script(str(script))
    assert isinstance(lines, list)
    out = []
    for line in lines:
        result = shell.run_line(line)
        out.append(f"$ {line}\n{result.stdout}{result.stderr}")
        if result.status:
            out.append(f"[exit {result.status}]\n")
    return "".join(out)


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_session_matches_its_transcript(script: Path) -> None:
    actual = run_session(script)
    expected_path = script.with_suffix(".transcript")
    if os.environ.get("ECRSIM_UPDATE_GOLDEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")


def test_no_session_ever_shows_an_internal_error() -> None:
    for script in SCRIPTS:
        assert "internal error" not in run_session(script), script.name
