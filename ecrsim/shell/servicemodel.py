"""AWS's own operation and shape definitions for the services the simulated `aws` offers, from botocore.

See tools/extract_models.py for why these are committed JSON rather than a botocore import. Loaded once
per process, lazily, because a session that only runs `docker` or `sim` never needs them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# In the order the CLI lists its commands.
SERVICES = ("ec2", "ecr", "ecs", "iam", "kms", "lambda", "organizations", "secretsmanager", "sts")
_MODELS = Path(__file__).parent / "models"


@dataclass(frozen=True)
class Operation:
    """One API operation as the CLI offers it."""

    name: str  # the API name, e.g. "CreateRepository"
    cli_name: str  # e.g. "create-repository"
    doc: str
    input: str | None
    output: str | None
    paginator: dict[str, Any] | None
    result_wrapper: str | None = None  # the query protocol's `<OperationResult>` element


@dataclass(frozen=True)
class Waiter:
    """One `aws SERVICE wait` subcommand, as botocore's waiter model defines it."""

    name: str  # e.g. "ImageScanComplete"
    operation: str  # the API operation it polls
    delay: int  # seconds between attempts
    max_attempts: int
    acceptors: tuple[dict[str, Any], ...]  # botocore's acceptor configs: state, matcher, argument, expected


@dataclass(frozen=True)
class ServiceModel:
    """One service's operations, waiters and shapes; `load_service` builds it once per process."""

    name: str
    full_name: str
    operations: dict[str, Operation]  # keyed by CLI name: what the simulated terminal offers
    api_operations: dict[
        str, Operation
    ]  # keyed by API name: those and the ones only `ecrsim endpoint` serves
    other_operations: tuple[str, ...]  # CLI names of real operations the simulator does not offer
    waiters: dict[str, Waiter]  # keyed by CLI name, e.g. "image-scan-complete"
    shapes: dict[str, dict[str, Any]]
    api_version: str = ""
    protocol: str = ""  # "json" (ECR) or "query" (IAM, STS): how `ecrsim endpoint` speaks it
    target_prefix: str = ""  # JSON 1.1: X-Amz-Target is TARGET_PREFIX.Operation
    xml_namespace: str = ""  # query: the namespace of every response document

    def shape(self, name: str) -> dict[str, Any]:
        return self.shapes[name]

    def input_members(self, operation: Operation) -> dict[str, dict[str, Any]]:
        return self.shapes[operation.input].get("members", {}) if operation.input else {}

    def required(self, operation: Operation) -> list[str]:
        return self.shapes[operation.input].get("required", []) if operation.input else []


@functools.cache
def known_regions() -> frozenset[str]:
    """The commercial partition's Regions, from botocore's endpoints data."""
    data = json.loads((_MODELS / "regions.json").read_text(encoding="utf-8"))
    return frozenset(data["regions"])


@functools.cache
def load_service(name: str) -> ServiceModel:
    data = json.loads((_MODELS / f"{name}.json").read_text(encoding="utf-8"))
    api_operations = {
        api_name: Operation(
            name=api_name,
            cli_name=op["cli"],
            doc=op.get("doc", ""),
            input=op.get("input"),
            output=op.get("output"),
            paginator=op.get("paginator"),
            result_wrapper=op.get("resultWrapper"),
        )
        for api_name, op in (*data["operations"].items(), *data.get("endpointOperations", {}).items())
    }
    return ServiceModel(
        name=name,
        full_name=data["serviceFullName"],
        operations={
            api_operations[api_name].cli_name: api_operations[api_name] for api_name in data["operations"]
        },
        api_operations=api_operations,
        other_operations=tuple(data.get("otherOperations", ())),
        waiters={
            cli: Waiter(w["name"], w["operation"], w["delay"], w["maxAttempts"], tuple(w["acceptors"]))
            for cli, w in data.get("waiters", {}).items()
        },
        shapes=data["shapes"],
        api_version=data["apiVersion"],
        protocol=data["protocol"],
        target_prefix=data.get("targetPrefix", ""),
        xml_namespace=data.get("xmlNamespace", ""),
    )
