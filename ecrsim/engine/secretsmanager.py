"""AWS Secrets Manager, only as far as an ECR pull through cache rule needs it: CreateSecret,
DescribeSecret and DeleteSecret.

A rule for an upstream that requires authentication (Docker Hub, GitHub, GitLab, Azure) names a secret
whose name begins with `ecr-pullthroughcache/` and whose value is `{"username": ..., "accessToken": ...}`
(ECR user guide, pull-through-cache-creating-secret). Secrets are per account and Region; a secret is
never read back by the simulator's users (no GetSecretValue), only by ECR when it syncs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.errors import ServiceError

if TYPE_CHECKING:
    from ecrsim.engine.iam import Account

# Secrets Manager's own text (API reference, DescribeSecret's ResourceNotFoundException).
NOT_FOUND = "Secrets Manager can't find the specified secret."
DEFAULT_RECOVERY_DAYS = 30  # DeleteSecret's RecoveryWindowInDays default
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Secret:
    """One secret: its ARN (the name and six characters Secrets Manager adds), value and dates."""

    arn: str
    name: str
    value: str
    created_at: datetime
    version_id: str
    description: str = ""
    deleted_at: datetime | None = None  # scheduled for deletion: unusable, still there until recovery ends

    def credentials(self) -> tuple[str, str] | None:
        """(username, accessToken) if the value is the JSON a pull through cache rule reads, else None."""
        try:
            document = json.loads(self.value)
        except ValueError:
            return None
        if not isinstance(document, dict):
            return None
        username, token = document.get("username"), document.get("accessToken")
        return (username, token) if isinstance(username, str) and isinstance(token, str) else None


def secrets_of(account: Account, region: str) -> dict[str, Secret]:
    return account.secrets.setdefault(region, {})


def find_secret(account: Account, region: str, secret_id: str) -> Secret | None:
    """A secret by name, full ARN, or ARN without its six-character suffix (as Secrets Manager allows)."""
    for secret in secrets_of(account, region).values():
        if secret_id in (secret.name, secret.arn) or secret.arn.startswith(secret_id + "-"):
            return secret
    return None


def _account(call: Call) -> Account:
    return call.world.account(call.caller.account_id)


def _secret_arn(call: Call, name: str) -> str:
    return f"arn:aws:secretsmanager:{call.region}:{call.caller.account_id}:secret:{name}"


def _existing(call: Call, params: dict[str, Any], action: str) -> Secret:
    secret_id = params["SecretId"]
    secret = find_secret(_account(call), call.region, secret_id)
    resource = secret.arn if secret else _secret_arn(call, secret_id) + "-??????"
    call.authorize(action, resource)
    if secret is None:
        raise ServiceError("ResourceNotFoundException", NOT_FOUND)
    return secret


@operation("secretsmanager", "CreateSecret")
def create_secret(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    call.authorize("secretsmanager:CreateSecret", _secret_arn(call, name) + "-??????")
    secrets = secrets_of(_account(call), call.region)
    if name in secrets:
        raise ServiceError(
            "ResourceExistsException", f"The operation failed because the secret {name} already exists."
        )
    suffix = call.world.make_id("", 6, _SUFFIX_ALPHABET)
    version = call.world.make_id("", 32, "0123456789abcdef")
    version_id = "-".join((version[:8], version[8:12], version[12:16], version[16:20], version[20:]))
    value = params.get("SecretString", "")
    secret = Secret(
        f"{_secret_arn(call, name)}-{suffix}",
        name,
        value,
        call.now,
        version_id,
        params.get("Description", ""),
    )
    secrets[name] = secret
    return {"ARN": secret.arn, "Name": name, "VersionId": version_id}


@operation("secretsmanager", "DescribeSecret")
def describe_secret(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    secret = _existing(call, params, "secretsmanager:DescribeSecret")
    shown: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if secret.description:
        shown["Description"] = secret.description
    shown["LastChangedDate"] = secret.created_at
    if secret.deleted_at is not None:
        shown["DeletedDate"] = secret.deleted_at
    shown["VersionIdsToStages"] = {secret.version_id: ["AWSCURRENT"]}
    shown["CreatedDate"] = secret.created_at
    return shown


@operation("secretsmanager", "DeleteSecret")
def delete_secret(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    secret = _existing(call, params, "secretsmanager:DeleteSecret")
    secrets = secrets_of(_account(call), call.region)
    if params.get("ForceDeleteWithoutRecovery"):
        del secrets[secret.name]
        deletion = call.now
    else:
        days = params.get("RecoveryWindowInDays", DEFAULT_RECOVERY_DAYS)
        deletion = call.now + timedelta(days=days)
        secrets[secret.name] = Secret(
            secret.arn,
            secret.name,
            secret.value,
            secret.created_at,
            secret.version_id,
            secret.description,
            call.now,
        )
    return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": deletion}
