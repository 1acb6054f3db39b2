"""One base class for the errors ecrsim raises on purpose, so a bare ValueError (a bug) is never caught
and shown to a learner as if it were their mistake."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from ecrsim.engine.world import default_world
from ecrsim.errors import EcrsimError
from ecrsim.shell import Shell

# Exceptions that only carry control flow inside one module (a player told to stop, an exam's time up).
CONTROL_FLOW = {"_Stop", "_TimeUp", "_InputEnded"}
LAYERS = ("ecrsim.engine", "ecrsim.shell", "ecrsim.scenarios", "ecrsim.endpoint")


def project_errors() -> list[type[BaseException]]:
    found = []
    for layer in LAYERS:
        package = importlib.import_module(layer)
        for info in pkgutil.walk_packages(package.__path__, f"{layer}."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == module.__name__
                    and name not in CONTROL_FLOW
                ):
                    found.append(value)
    return found


def test_every_error_the_project_defines_is_an_ecrsim_error_and_no_value_error() -> None:
    errors = project_errors()
    assert len(errors) > 15, errors  # the walk did find them
    wrong = [e.__qualname__ for e in errors if not issubclass(e, EcrsimError) or issubclass(e, ValueError)]
    assert wrong == []


def test_a_bug_inside_sim_advance_is_an_internal_error_not_a_bad_duration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shell = Shell(default_world())

    def broken(by: str) -> list[str]:
        raise ValueError("a bug")

    monkeypatch.setattr(shell.world, "advance", broken)
    result = shell.run_line("sim advance 1h")
    assert result.status == 1
    assert result.stderr == "ecrsim: internal error: ValueError: a bug\n"


def test_a_bad_duration_is_still_one_clear_line() -> None:
    result = Shell(default_world()).run_line("sim advance soon")
    assert (result.status, result.stderr) == (
        2,
        "sim: invalid duration 'soon': use e.g. 90m, 13h, 2d, 1d12h\n",
    )
