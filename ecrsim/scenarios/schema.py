"""`ecrsim schema`: the scenario format as a JSON Schema, generated from the pydantic models in model.py.

Editors that read JSON Schema (VS Code with the YAML extension, JetBrains IDEs, anything using
yaml-language-server) then complete keys and flag mistakes while a teacher types. The models stay the one
definition of the format: the schema is made from them on each run, never kept by hand. It describes the
shape of a file; what only the simulation can judge (an answer key, a task that is already solved) is
`ecrsim check`'s.
"""

from __future__ import annotations

import json
from typing import Any

from ecrsim.scenarios.model import Scenario

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of one scenario file, keys as authors write them (`as`, not `as_`)."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": DIALECT,
        "title": "ecrsim scenario",
        "description": "One ecrsim scenario file: a starting world, then steps (docs/scenario-format.md).",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def run_schema() -> int:
    """Print the schema as JSON; a status, as every subcommand returns."""
    print(json.dumps(scenario_schema(), indent=2))
    return 0
