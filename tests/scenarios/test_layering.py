"""The scenarios layer sits below the UI: checking or playing from a terminal never loads Textual."""

from __future__ import annotations

import subprocess
import sys


def test_scenario_commands_load_no_ui() -> None:
    modules = "ecrsim.scenarios.commands, ecrsim.scenarios.checker, ecrsim.scenarios.player"
    code = f"import sys, {modules}; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert not [name for name in loaded if name == "textual" or name.startswith(("textual.", "ecrsim.tui"))]
