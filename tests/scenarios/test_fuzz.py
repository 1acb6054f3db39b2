"""Whatever bytes a file holds, loading it ends in a scenario or in located problems, never a traceback."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ecrsim.scenarios.loader import load_bytes
from ecrsim.scenarios.model import validate
from ecrsim.scenarios.problems import ScenarioProblems

YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\n\t 01\\%@`,?")), max_size=80)
HEAD = b"id: x\ntitle: T\nsummary: S\ndomain: 1\ndifficulty: 1\n"


def load_or_problems(raw: bytes) -> None:
    try:
        validate(load_bytes(raw, "f.yaml"))
    except ScenarioProblems as problems:
        assert problems.problems
        assert all(str(p).startswith("f.yaml:") and "\n" not in str(p) for p in problems.problems)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_yaml_like_text_loads_or_is_refused_cleanly(text: str) -> None:
    load_or_problems(text.encode())


@settings(max_examples=200, deadline=None)
@given(YAMLISH)
def test_a_broken_steps_section_is_refused_cleanly(text: str) -> None:
    load_or_problems(HEAD + b"steps:\n" + text.encode())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_are_refused_cleanly(raw: bytes) -> None:
    load_or_problems(raw)
