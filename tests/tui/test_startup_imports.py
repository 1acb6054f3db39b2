"""The UI's first frame pays only for Textual and the home screen: `ecrsim.tui` imports nothing heavy,
and the app module leaves the scenario pack (pydantic, YAML) and the engine for after the first frame."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded(module: str) -> set[str]:
    code = f"import sys, importlib; importlib.import_module({module!r}); print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(out.split())


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("ecrsim.tui", ["textual", "pydantic", "yaml", "ecrsim.engine", "ecrsim.shell"]),
        ("ecrsim.tui.app", ["pydantic", "yaml", "ecrsim.engine", "ecrsim.shell", "ecrsim.scenarios.model"]),
        # The home screen reads its remembered list before the first frame: that path must stay light too.
        ("ecrsim.tui.home", ["pydantic", "yaml", "ecrsim.engine", "ecrsim.shell", "ecrsim.scenarios.model"]),
    ],
)
def test_importing_the_ui_stays_light(module: str, forbidden: list[str]) -> None:
    loaded = _loaded(module)
    leaked = sorted(m for m in loaded for name in forbidden if m == name or m.startswith(name + "."))
    assert not leaked, f"importing {module} loaded {leaked}"
