"""The AWS managed policies the simulator knows, shipped in ecrsim/engine/data/managed_policies/.

Each file is `{"name", "arn", "document"}`. Documents are read and parsed on first use only: most runs
need one or two of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ecrsim.engine.policy.document import Policy, parse_identity_policy

_DIRECTORY = resources.files("ecrsim.engine.data") / "managed_policies"

MANAGED_POLICY_NAMES: tuple[str, ...] = tuple(
    sorted(entry.name.removesuffix(".json") for entry in _DIRECTORY.iterdir() if entry.name.endswith(".json"))
)


@dataclass(frozen=True)
class ManagedPolicy:
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
    data = json.loads((_DIRECTORY / f"{name}.json").read_text(encoding="utf-8"))
    return ManagedPolicy(data["name"], data["arn"], data["document"], parse_identity_policy(data["document"]))
