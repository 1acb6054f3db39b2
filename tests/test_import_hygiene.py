"""Each layer imports only what lies below it: start-up stays fast and the engine stays pure."""

import subprocess
import sys

import pytest

FORBIDDEN = {
    "ecrsim.engine": ["textual", "yaml", "ecrsim.shell", "ecrsim.scenarios", "ecrsim.tui", "pydantic"],
    "ecrsim.engine.simulate": ["textual", "yaml", "ecrsim.shell", "ecrsim.scenarios", "ecrsim.tui"],
    "ecrsim.shell": ["textual", "yaml", "ecrsim.scenarios", "ecrsim.tui"],
    # The endpoint's core and server: the engine and the service models, nothing of the UI or scenarios,
    # and no third-party HTTP stack.
    "ecrsim.endpoint.server": ["textual", "yaml", "ecrsim.scenarios", "ecrsim.tui", "aiohttp"],
    "ecrsim.endpoint.app": ["textual", "yaml", "ecrsim.scenarios", "ecrsim.tui", "aiohttp"],
    "ecrsim.cli": ["textual", "yaml", "ecrsim.engine", "ecrsim.shell", "ecrsim.scenarios", "ecrsim.tui"],
}


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_module_loads_nothing_above_it(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    for name in FORBIDDEN[module]:
        leaked = sorted(m for m in loaded if m == name or m.startswith(name + "."))
        assert not leaked, f"importing {module} loaded {leaked}"
