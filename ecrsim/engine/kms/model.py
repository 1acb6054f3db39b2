"""What an account holds in KMS in one Region: keys (with their policy, state and grants) and aliases.

A key is a frozen value replaced on every change (`dataclasses.replace`), so world copies share keys and
copy only the two dicts. Key ids are derived from a counter the Region's store owns, never drawn at random.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ecrsim.engine.policy.document import Policy

KeyState = Literal["Enabled", "Disabled", "PendingDeletion"]
KeyManager = Literal["CUSTOMER", "AWS"]
ECR_ALIAS = "alias/aws/ecr"  # the AWS managed key ECR uses when a KMS repository names no key


@dataclass(frozen=True)
class Grant:
    """A grant ECR made on a key for one repository (ECR user guide, "Encryption at rest": ECR sends two
    CreateGrant requests when a repository is created and retires them when it is deleted)."""

    grant_id: str
    grantee: str  # the service principal that uses the key: ecr.REGION.amazonaws.com
    repository_arn: str  # the encryption context the grant is limited to (aws:ecr:arn)
    operations: tuple[str, ...]


@dataclass(frozen=True)
class KmsKey:
    key_id: str
    account: str
    region: str
    created_at: datetime
    policy_text: str
    policy: Policy
    description: str = ""
    manager: KeyManager = "CUSTOMER"
    state: KeyState = "Enabled"
    deletion_date: datetime | None = None  # when a key PendingDeletion is deleted
    pending_days: int | None = None
    grants: tuple[Grant, ...] = ()

    @property
    def arn(self) -> str:
        return f"arn:aws:kms:{self.region}:{self.account}:key/{self.key_id}"

    def metadata(self) -> dict[str, Any]:
        """KeyMetadata as DescribeKey, CreateKey and friends return it (a symmetric encryption key, the
        only kind ecrsim makes: the defaults of CreateKey)."""
        shown: dict[str, Any] = {
            "AWSAccountId": self.account,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": self.created_at,
            "Enabled": self.state == "Enabled",
            "Description": self.description,
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": self.state,
        }
        if self.deletion_date is not None:
            shown["DeletionDate"] = self.deletion_date
        shown.update(
            {
                "Origin": "AWS_KMS",
                "KeyManager": self.manager,
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": False,
            }
        )
        if self.deletion_date is not None:
            shown["PendingDeletionWindowInDays"] = self.pending_days
        return shown


@dataclass
class Kms:
    """One account's KMS in one Region."""

    account: str
    region: str
    keys: dict[str, KmsKey] = field(default_factory=dict)  # by key id, in creation order
    aliases: dict[str, str] = field(default_factory=dict)  # alias name (alias/...) -> key id
    counter: int = 0  # makes key and grant ids deterministic

    def copy(self) -> Kms:
        return Kms(self.account, self.region, dict(self.keys), dict(self.aliases), self.counter)

    def next_id(self, kind: str) -> str:
        """A key id (a UUID's shape) or a grant id (64 hex digits), the same every run."""
        self.counter += 1
        hexed = hashlib.sha256(f"kms:{kind}:{self.account}:{self.region}:{self.counter}".encode()).hexdigest()
        if kind == "grant":
            return hexed
        return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:32]}"

    def alias_arn(self, name: str) -> str:
        return f"arn:aws:kms:{self.region}:{self.account}:{name}"


def pretty_policy(document: dict[str, Any]) -> str:
    """A key policy as KMS lays out the ones it writes (GetKeyPolicy of a default key policy): two-space
    indents, `"Key" : value`, and a list of objects opened on its key's line (`[ {` ... `} ]`)."""
    return _pretty(document, 0)


def _pretty(value: Any, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key)} : {_pretty(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return "[ " + ", ".join(_pretty(item, depth) for item in value) + " ]"
        return "[ " + ", ".join(_pretty(item, depth + 1) for item in value) + " ]"
    return json.dumps(value)


def default_key_policy(account: str) -> dict[str, Any]:
    """The default key policy of a key made with CreateKey and no Policy (KMS developer guide, "Default
    key policy": it gives the account, and so the account's IAM policies, full access to the key)."""
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def ecr_managed_key_policy(account: str, region: str) -> dict[str, Any]:
    """The key policy of the AWS managed key aws/ecr: any principal of the account may use it, but only
    through ECR (kms:ViaService), and the account may read its metadata (the policy AWS managed keys
    have, as `aws kms get-key-policy` shows for aws/ecr)."""
    return {
        "Version": "2012-10-17",
        "Id": "auto-ecr-1",
        "Statement": [
            {
                "Sid": "Allow access through Amazon ECR for all principals in the account that are authorized"
                " to use Amazon ECR",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:CreateGrant",
                    "kms:DescribeKey",
                    "kms:RetireGrant",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": f"ecr.{region}.amazonaws.com",
                        "kms:CallerAccount": account,
                    }
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }
