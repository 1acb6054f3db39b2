"""The AWS managed policies the simulator knows, shipped in ecrsim/engine/data/managed_policies/.

Only policies whose whole document AWS prints in its own documentation ship, each written from that page:
`{"name", "arn", "path", "version", "source", "document"}`, where `source` is the page (or the project's
shared reference file) and `version` the default version that page names, null where it names none
(docs/scenario-format.md lists them). Any other AWS managed policy names nothing here, so attaching it is
IAM's NoSuchEntity, as for a policy that does not exist. Service-linked role policies (path
/aws-service-role/) are never shipped: IAM attaches them only to their service-linked roles, never to a
learner's users, groups or roles.

A policy's file lies in the folder of its IAM path (`service-role/AmazonECSTaskExecutionRolePolicy.json`),
so the names and ARNs are known from one directory listing, and a document is read and parsed on first
use only: most runs need one or two of them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.policy.document import Policy, parse_identity_policy

# Plain files beside the package (setuptools ships ecrsim/engine/data as package data); read with `os`
# rather than importlib.resources, whose import alone costs more than the rest of this module.
_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "managed_policies")
_PREFIX = "arn:aws:iam::aws:policy"


def _paths() -> dict[str, str]:
    """Name -> IAM path ("/", "/service-role/", "/job-function/"), from the folder each file is in."""
    paths: dict[str, str] = {}
    for entry in os.scandir(_DIRECTORY):
        if entry.is_dir():
            paths.update(
                (name.removesuffix(".json"), f"/{entry.name}/")
                for name in os.listdir(entry.path)
                if name.endswith(".json")
            )
        elif entry.name.endswith(".json"):
            paths[entry.name.removesuffix(".json")] = "/"
    return dict(sorted(paths.items()))


_PATHS = _paths()
MANAGED_POLICY_NAMES: tuple[str, ...] = tuple(_PATHS)


@dataclass(frozen=True)
class ManagedPolicy:
    """An AWS managed policy: its default version's document as AWS documents it, and parsed."""

    name: str
    arn: str
    path: str
    version: str | None  # the default version's id the source names ("v3"); None where it names none
    source: str  # where the document was written from (an AWS documentation page)
    document: dict[str, Any]  # as AWS shows it (get-policy-version)
    policy: Policy


def managed_policy_arn(name: str) -> str | None:
    """The ARN of the AWS managed policy `name`, path included (`.../service-role/NAME`); None if unknown.
    Reads no document."""
    path = _PATHS.get(name)
    return None if path is None else f"{_PREFIX}{path}{name}"


def managed_policy(name_or_arn: str) -> ManagedPolicy | None:
    """Look up by name (`AmazonEC2ContainerRegistryReadOnly`) or by exact ARN, path included, as IAM does:
    `arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy` names nothing, the policy being under
    `service-role/`."""
    parsed = parse_arn(name_or_arn)
    name = parsed.name if parsed is not None else name_or_arn
    arn = managed_policy_arn(name)
    if arn is None or (parsed is not None and name_or_arn != arn):
        return None
    return _load(name)


@cache
def _load(name: str) -> ManagedPolicy:
    path = _PATHS[name]
    with open(os.path.join(_DIRECTORY, path.strip("/"), f"{name}.json"), encoding="utf-8") as file:
        data = json.load(file)
    document = data["document"]
    return ManagedPolicy(
        data["name"],
        data["arn"],
        data["path"],
        data["version"],
        data["source"],
        document,
        parse_identity_policy(document),
    )
