"""The AWS managed policies the simulator knows, shipped in ecrsim/engine/data/managed_policies/.

Each file is `{"name", "arn", "document"}`. Documents are read and parsed on first use only: most runs
need one or two of them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from ecrsim.engine.policy.document import Policy, parse_identity_policy

# Plain files beside the package (setuptools ships ecrsim/engine/data as package data); read with `os`
# rather than importlib.resources, whose import alone costs more than the rest of this module.
_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "managed_policies")

MANAGED_POLICY_NAMES: tuple[str, ...] = tuple(
    sorted(entry.removesuffix(".json") for entry in os.listdir(_DIRECTORY) if entry.endswith(".json"))
)


@dataclass(frozen=True)
class ManagedPolicy:
    """An AWS managed policy: the document as AWS shows it, and parsed."""

    name: str
    arn: str
    document: dict[str, Any]  # as AWS shows it (get-policy-version)
    policy: Policy


def managed_policy(name_or_arn: str) -> ManagedPolicy | None:
    """Look up by name (`AmazonEC2ContainerRegistryReadOnly`) or ARN (`arn:aws:iam::aws:policy/...`)."""
    name = name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn
    if name not in MANAGED_POLICY_NAMES:
        return None
    policy = _load(name)
    if name_or_arn.startswith("arn:") and name_or_arn != policy.arn:
        return None
    return policy


@cache
def _load(name: str) -> ManagedPolicy:
    with open(os.path.join(_DIRECTORY, f"{name}.json"), encoding="utf-8") as file:
        data = json.load(file)
    return ManagedPolicy(data["name"], data["arn"], data["document"], parse_identity_policy(data["document"]))
