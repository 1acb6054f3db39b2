"""The KMS operations a repository's encryption needs: keys, aliases, key policies, and the key states
(disable, enable, schedule and cancel deletion) whose effect on ECR a learner can try.

Authorization follows KMS (KMS developer guide, "AWS KMS API permissions reference"): CreateKey, ListKeys
and ListAliases are decided by IAM policies alone (no key exists yet, or none is named); an operation on a
key needs the key policy's consent (engine.kms.keys); CreateAlias needs kms:CreateAlias on the alias (an IAM
policy: aliases have no policy) and on the key (its key policy).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.kms.keys import authorize_on_key, change, find_key, kms_of, probe_on_key, put_key
from ecrsim.engine.kms.model import KmsKey, default_key_policy, pretty_policy
from ecrsim.engine.policy.document import Policy, PolicyError, parse_key_policy

_LOCKOUT = "The new key policy will not allow you to update the key policy in the future."
_BAD_PRINCIPAL = "Policy contains a statement with one or more invalid principals."
_ALIAS = r"^alias/[a-zA-Z0-9/_-]+$"  # CreateAlias's AliasName pattern (API_CreateAlias)


def _caller_account(call: Call) -> str:
    return call.caller.account_id or ""


def _key(call: Call, params: dict[str, Any], action: str) -> KmsKey:
    """The key `KeyId` names in the caller's account and the call's Region, authorized for `action`."""
    key = find_key(call.world, _caller_account(call), call.region, params["KeyId"])
    authorize_on_key(call, action, key)
    return key


def _policy(call: Call, text: str, key_arn: str, bypass: bool) -> Policy:
    """A key policy as KMS accepts it: valid, naming only principals that exist, and (unless
    BypassPolicyLockoutSafetyCheck) still letting the caller change it later (KMS developer guide,
    "Default key policy", the lockout safety check)."""
    from ecrsim.engine.identity import principal_exists

    try:
        policy = parse_key_policy(text)
    except PolicyError as error:
        call.explain(LineKind.VALIDATION, f"KMS refused the policy document: {error}")
        raise ServiceError("MalformedPolicyDocumentException", error.message) from None
    missing = [principal for principal in policy.principals() if not principal_exists(call.world, principal)]
    if missing:
        call.explain(LineKind.VALIDATION, f"no such principal in this world: {', '.join(missing)}")
        raise ServiceError("MalformedPolicyDocumentException", _BAD_PRINCIPAL)
    if not bypass:
        decision = probe_on_key(call, "kms:PutKeyPolicy", key_arn, policy)
        if not decision.allowed:
            call.explain(
                LineKind.VALIDATION,
                f"under the new policy {call.caller.arn} could not call kms:PutKeyPolicy on the key again"
                f" ({decision.rule}): KMS refuses a policy that locks its author out",
            )
            raise ServiceError("MalformedPolicyDocumentException", _LOCKOUT)
    return policy


@operation("kms", "CreateKey")
def create_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("kms:CreateKey", "*")
    spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT" or params.get("KeyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        raise ServiceError(
            "UnsupportedOperationException",
            "ecrsim makes symmetric encryption keys only (KeySpec SYMMETRIC_DEFAULT, KeyUsage"
            " ENCRYPT_DECRYPT), the kind ECR can use",
        )
    account = _caller_account(call)
    kms = kms_of(call.world, account, call.region)
    key_id = kms.next_id("key")
    arn = f"arn:aws:kms:{call.region}:{account}:key/{key_id}"
    text = params.get("Policy")
    if text is None:
        document = default_key_policy(account)
        text, policy = pretty_policy(document), parse_key_policy(document)
        call.explain(
            LineKind.KEY,
            f"no Policy given: the key gets the default key policy, which names account {account} and so"
            " lets the account's IAM policies grant the key's use",
        )
    else:
        policy = _policy(call, text, arn, bool(params.get("BypassPolicyLockoutSafetyCheck")))
    key = put_key(
        kms, KmsKey(key_id, account, call.region, call.now, text, policy, params.get("Description", ""))
    )
    return {"KeyMetadata": key.metadata()}


@operation("kms", "DescribeKey")
def describe_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return {"KeyMetadata": _key(call, params, "kms:DescribeKey").metadata()}


@operation("kms", "ListKeys")
def list_keys(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("kms:ListKeys", "*")
    keys = kms_of(call.world, _caller_account(call), call.region).keys.values()
    return {"Keys": [{"KeyId": key.key_id, "KeyArn": key.arn} for key in keys], "Truncated": False}


@operation("kms", "CreateAlias")
def create_alias(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["AliasName"]
    account = _caller_account(call)
    kms = kms_of(call.world, account, call.region)
    call.authorize("kms:CreateAlias", kms.alias_arn(name))
    if not re.fullmatch(_ALIAS, name):
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member"
            f" must satisfy regular expression pattern: {_ALIAS}",
        )
    if name.startswith("alias/aws/"):
        # "The alias/aws/ prefix is reserved for AWS managed keys" (API_CreateAlias, AliasName).
        raise ServiceError("NotAuthorizedException", f"{name} is reserved for AWS managed keys")
    if params["TargetKeyId"].startswith(("alias/", "arn:aws:kms:")) and ":alias/" in params["TargetKeyId"]:
        raise ServiceError("ValidationException", "Aliases must refer to keys. Not aliases")
    key = _key(call, params | {"KeyId": params["TargetKeyId"]}, "kms:CreateAlias")
    if name in kms.aliases:
        raise ServiceError(
            "AlreadyExistsException", f"An alias with the name {kms.alias_arn(name)} already exists"
        )
    if key.state == "PendingDeletion":
        raise ServiceError("KMSInvalidStateException", f"{key.arn} is pending deletion.")
    kms.aliases[name] = key.key_id
    call.explain(LineKind.KEY, f"{name} now names key {key.key_id}: where a key id is asked, {name} will do")
    return {}


@operation("kms", "ListAliases")
def list_aliases(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("kms:ListAliases", "*")
    account = _caller_account(call)
    kms = kms_of(call.world, account, call.region)
    wanted = None
    if params.get("KeyId"):
        wanted = find_key(call.world, account, call.region, params["KeyId"]).key_id
    aliases = [
        {"AliasName": name, "AliasArn": kms.alias_arn(name), "TargetKeyId": key_id}
        for name, key_id in sorted(kms.aliases.items())
        if wanted is None or key_id == wanted
    ]
    return {"Aliases": aliases, "Truncated": False}


def _policy_name(params: dict[str, Any]) -> None:
    name = params.get("PolicyName", "default")
    if name != "default":
        # "The only valid name is default" (API_GetKeyPolicy, API_PutKeyPolicy).
        raise ServiceError("NotFoundException", "No such policy exists")


@operation("kms", "GetKeyPolicy")
def get_key_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(call, params, "kms:GetKeyPolicy")
    _policy_name(params)
    return {"Policy": key.policy_text, "PolicyName": "default"}


@operation("kms", "PutKeyPolicy")
def put_key_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(call, params, "kms:PutKeyPolicy")
    _policy_name(params)
    policy = _policy(call, params["Policy"], key.arn, bool(params.get("BypassPolicyLockoutSafetyCheck")))
    change(kms_of(call.world, key.account, key.region), key, policy_text=params["Policy"], policy=policy)
    return {}


def _not_pending(key: KmsKey) -> None:
    if key.state == "PendingDeletion":
        raise ServiceError("KMSInvalidStateException", f"{key.arn} is pending deletion.")


@operation("kms", "DisableKey")
def disable_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(call, params, "kms:DisableKey")
    _not_pending(key)
    change(kms_of(call.world, key.account, key.region), key, state="Disabled")
    call.explain(
        LineKind.KEY,
        f"key {key.key_id} is Disabled: nothing encrypted under it can be decrypted until it is enabled again"
        " (pushes to and pulls from a repository it encrypts fail)",
    )
    return {}


@operation("kms", "EnableKey")
def enable_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(call, params, "kms:EnableKey")
    _not_pending(key)
    change(kms_of(call.world, key.account, key.region), key, state="Enabled")
    return {}


# The waiting period of ScheduleKeyDeletion: 7 to 30 days, 30 when not given (API_ScheduleKeyDeletion).
_WINDOW = (7, 30)


@operation("kms", "ScheduleKeyDeletion")
def schedule_key_deletion(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(call, params, "kms:ScheduleKeyDeletion")
    days = params.get("PendingWindowInDays", _WINDOW[1])
    if not _WINDOW[0] <= days <= _WINDOW[1]:
        bound, word = (_WINDOW[0], "greater") if days < _WINDOW[0] else (_WINDOW[1], "less")
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy"
            f" constraint: Member must have value {word} than or equal to {bound}",
        )
    _not_pending(key)
    deletion = call.now + timedelta(days=days)
    key = change(
        kms_of(call.world, key.account, key.region),
        key,
        state="PendingDeletion",
        deletion_date=deletion,
        pending_days=days,
    )
    call.explain(
        LineKind.KEY,
        f"key {key.key_id} is PendingDeletion until {deletion:%Y-%m-%dT%H:%M:%SZ}: unusable now, deleted for"
        " good then, with everything encrypted under it; cancel-key-deletion before then keeps it (Disabled)",
    )
    return {"KeyId": key.arn, "DeletionDate": deletion, "KeyState": key.state, "PendingWindowInDays": days}


@operation("kms", "CancelKeyDeletion")
def cancel_key_deletion(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(call, params, "kms:CancelKeyDeletion")
    if key.state != "PendingDeletion":
        raise ServiceError("KMSInvalidStateException", f"{key.arn} is not pending deletion.")
    # A key whose deletion is cancelled is Disabled (KMS developer guide, "Schedule and cancel key deletion").
    kms = kms_of(call.world, key.account, key.region)
    change(kms, key, state="Disabled", deletion_date=None, pending_days=None)
    call.explain(LineKind.KEY, f"key {key.key_id} will not be deleted; it is Disabled until enable-key")
    return {"KeyId": key.arn}
