"""`ecrsim schema`: a JSON Schema generated from the models, that every bundled scenario satisfies and that
editors can use to flag what `ecrsim check` would refuse as malformed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ecrsim.cli import main
from ecrsim.scenarios.files import bundled_pack, scenario_files
from ecrsim.scenarios.loader import load_file

GOOD = Path(__file__).resolve().parent / "good" / "token-expires.yaml"


def printed_schema(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def as_json(path: Path) -> Any:
    """The file's data as an editor's YAML server sees it: timestamps are text."""
    return json.loads(json.dumps(load_file(path, display=str(path)).data, default=str))


def test_every_bundled_scenario_satisfies_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(printed_schema(capsys))
    for path in [*scenario_files([bundled_pack()]), GOOD]:
        errors = [
            f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(as_json(path))
        ]
        assert errors == [], path


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda data: data.update(dificulty=2), []),  # a misspelt key
        (lambda data: data["steps"].append({"ask": "?", "choices": [{"text": "only one"}]}), ["steps"]),
        (lambda data: data["steps"].append({"wait": "2d"}), ["steps"]),  # no such step
        (lambda data: data["world"].update(account="1234"), ["world", "account"]),
        (lambda data: data.update(domain=5), ["domain"]),
    ],
)
def test_the_schema_flags_malformed_files(
    capsys: pytest.CaptureFixture[str], change: Any, where: list[str]
) -> None:
    data = as_json(GOOD)
    change(data)
    errors = list(jsonschema.Draft202012Validator(printed_schema(capsys)).iter_errors(data))
    assert errors and all(list(error.absolute_path)[: len(where)] == where for error in errors)


def test_the_documented_example_checks_clean_and_satisfies_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
    example = docs.read_text().split("## A complete example\n\n```yaml\n")[1].split("```")[0]
    path = tmp_path / "example.yaml"
    path.write_text(example)
    assert main(["check", str(path)]) == 0
    validator = jsonschema.Draft202012Validator(printed_schema(capsys))
    assert list(validator.iter_errors(as_json(path))) == []
