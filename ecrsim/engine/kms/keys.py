"""Finding a key as KMS does, authorizing its use, and the states that stop it, with KMS's own texts.

A key is named by its key id, its key ARN, an alias name (`alias/NAME`) or an alias ARN (KMS developer
guide, "Key identifiers (KeyId)"). Its key policy is required: unlike most resource policies, an identity
policy alone grants nothing on a key unless the key policy lets the account's IAM policies count, which the
default key policy does by naming the account (KMS developer guide, "Default key policy"); this is the
policy engine's `resource_policy_required`, as for a role's trust policy. A key scheduled for deletion is
deleted when its DeletionDate passes on the simulated clock.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.kms.model import ECR_ALIAS, Kms, KmsKey, ecr_managed_key_policy, pretty_policy
from ecrsim.engine.policy.document import parse_key_policy
from ecrsim.engine.policy.types import ContextValue, Decision, Request

if TYPE_CHECKING:
    from ecrsim.engine.api import Call
    from ecrsim.engine.policy.document import Policy
    from ecrsim.engine.world import World

_KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# AWS gives the managed key of ECR this description; unverified (see the report of this change).
ECR_KEY_DESCRIPTION = "Default key that protects my ECR data when no other key is defined"


def kms_of(world: World, account: str, region: str) -> Kms:
    """An account's KMS in a Region, made on first use; keys whose deletion date has passed are gone."""
    from ecrsim.engine.kms.model import Kms

    owner = world.accounts.get(account)
    if owner is None:  # an account outside the world: a KMS with nothing in it
        return Kms(account, region)
    kms = owner.kms.get(region)
    if kms is None:
        kms = owner.kms[region] = Kms(account, region)
    now = world.clock.now
    for key in [k for k in kms.keys.values() if k.deletion_date is not None and k.deletion_date <= now]:
        del kms.keys[key.key_id]
        for name in [name for name, target in kms.aliases.items() if target == key.key_id]:
            del kms.aliases[name]
    return kms


def find_key(world: World, account: str, region: str, reference: str) -> KmsKey:
    """The key `reference` names, looked up in `account`'s KMS in `region` (an ARN names its own);
    NotFoundException with KMS's text when there is none."""
    arn = parse_arn(reference)
    if (
        arn is not None
        and arn.service == "kms"
        and re.fullmatch(r"[a-z0-9-]+", arn.region)
        and re.fullmatch(r"\d{12}", arn.account)
        and arn.resource_type in ("key", "alias")
        and arn.resource_id
    ):
        region, account, reference = arn.region, arn.account, arn.resource
    kms = kms_of(world, account, region)
    if reference.startswith("alias/"):
        key_id = kms.aliases.get(reference)
        if key_id is None or key_id not in kms.keys:
            raise ServiceError("NotFoundException", f"Alias {kms.alias_arn(reference)} is not found.")
        return kms.keys[key_id]
    key_id = reference.removeprefix("key/")
    if not _KEY_ID.fullmatch(key_id):
        raise ServiceError("NotFoundException", f"Invalid keyId {reference}")
    key = kms.keys.get(key_id.lower())
    if key is None:
        arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
        raise ServiceError("NotFoundException", f"Key '{arn}' does not exist")
    return key


def state_error(key: KmsKey) -> ServiceError | None:
    """Why a key cannot encrypt or decrypt now (KMS developer guide, "Key states of AWS KMS keys"), or
    None when it is Enabled."""
    if key.state == "Disabled":
        return ServiceError("DisabledException", f"{key.arn} is disabled.")
    if key.state == "PendingDeletion":
        return ServiceError("KMSInvalidStateException", f"{key.arn} is pending deletion.")
    return None


def key_context(call: Call, via: str | None = None) -> dict[str, ContextValue]:
    """The KMS condition keys of a request: kms:CallerAccount always, kms:ViaService when a service (ECR)
    makes the request on the caller's behalf (KMS developer guide, "AWS KMS condition keys")."""
    context: dict[str, ContextValue] = {"kms:CallerAccount": call.caller.account_id or ""}
    if via:
        context["kms:ViaService"] = via
    return context


def decide_on_key(call: Call, action: str, key: KmsKey, via: str | None = None) -> Decision:
    """Decide `action` on `key` with its key policy required; never raises."""
    return call.decide(
        action,
        key.arn,
        resource_policy=key.policy,
        resource_policy_name="key",
        resource_account=key.account,
        context=key_context(call, via),
        resource_policy_required=True,
    )


def probe_on_key(call: Call, action: str, key_arn: str, policy: Policy) -> Decision:
    """What `action` on a key under `policy` would be for the caller, without recording a decision (the
    lockout safety check asks it of a policy not yet in force)."""
    from ecrsim.engine.policy.evaluate import decide

    request = Request(
        call.caller.arn,
        action,
        key_arn,
        call.caller.identity_policies,
        policy,
        _key_account(key_arn),
        call.world.request_context(call.caller, key_context(call)),
        "key",
    )
    return decide(request, resource_policy_required=True)


def _key_account(key_arn: str) -> str:
    """The account a key's ARN names (the simulator made it)."""
    arn = parse_arn(key_arn)
    assert arn is not None
    return arn.account


def authorize_on_key(call: Call, action: str, key: KmsKey) -> None:
    """Authorize `action` on `key` as KMS does (key policy required); AccessDeniedException otherwise."""
    call.authorize(
        action,
        key.arn,
        resource_policy=key.policy,
        resource_policy_name="key",
        resource_account=key.account,
        context=key_context(call),
        resource_policy_required=True,
    )


def put_key(kms: Kms, key: KmsKey) -> KmsKey:
    kms.keys[key.key_id] = key
    return key


def change(kms: Kms, key: KmsKey, **changes: object) -> KmsKey:
    """Replace a key with a changed copy (keys are frozen so world copies share them)."""
    return put_key(kms, replace(key, **changes))  # type: ignore[arg-type]


def ecr_managed_key(call: Call, account: str, region: str) -> KmsKey:
    """The AWS managed key aws/ecr, made in the account the first time a repository asks for KMS
    encryption with no key of its own (ECR user guide, "Encryption at rest", Considerations)."""
    kms = kms_of(call.world, account, region)
    key_id = kms.aliases.get(ECR_ALIAS)
    if key_id in kms.keys:
        return kms.keys[key_id]
    document = ecr_managed_key_policy(account, region)
    key = put_key(
        kms,
        KmsKey(
            kms.next_id("key"),
            account,
            region,
            call.now,
            pretty_policy(document),
            parse_key_policy(document),
            ECR_KEY_DESCRIPTION,
            "AWS",
        ),
    )
    kms.aliases[ECR_ALIAS] = key.key_id
    return key
