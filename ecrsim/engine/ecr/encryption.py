"""A repository's encryption at rest with a KMS key: choosing the key at CreateRepository, and the key's
state at every push and pull (ECR user guide, "Encryption at rest").

At CreateRepository ECR, on the caller's behalf (kms:ViaService ecr.REGION.amazonaws.com), calls
DescribeKey to resolve the key and its ARN, then CreateGrant twice so that it may use the key for the
repository; the caller therefore needs kms:DescribeKey and kms:CreateGrant, from the key policy or (when
the key policy names the account) from an IAM policy. With no key named, ECR uses the AWS managed key
aws/ecr, made the first time, whose key policy lets every principal of the account use it through ECR.
Afterwards ECR uses the key through its grants: a push encrypts (GenerateDataKey), a pull decrypts
(Decrypt), and both fail while the key is disabled, pending deletion or deleted. The push calls answer
KmsException with the code KMS gave in `kmsError`; BatchGetImage reports the image as a failure with
failureCode KmsError (the push and pull operations' error shapes in ECR's service model). When the
repository is deleted, ECR retires its grants as the caller, who needs kms:RetireGrant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecrsim.engine.ecr.model import EncryptionConfiguration
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.kms.keys import change, decide_on_key, ecr_managed_key, find_key, kms_of, state_error
from ecrsim.engine.kms.model import ECR_ALIAS, Grant

if TYPE_CHECKING:
    from ecrsim.engine.api import Call
    from ecrsim.engine.ecr.model import Registry, Repository
    from ecrsim.engine.kms.model import KmsKey

_GRANT_OPERATIONS = (
    ("Decrypt", "Encrypt", "GenerateDataKey", "ReEncryptFrom", "ReEncryptTo", "RetireGrant"),
    ("DescribeKey", "RetireGrant"),
)


def _kms_exception(call: Call, error: ServiceError, why: str) -> ServiceError:
    """ECR's KmsException for an error KMS gave it: KMS's code in kmsError. ECR's own wording of the message
    is not documented; ecrsim passes on KMS's message."""
    call.explain(LineKind.KEY, why)
    return ServiceError("KmsException", error.message, fields={"kmsError": error.code})


def via_ecr(region: str) -> str:
    return f"ecr.{region}.amazonaws.com"


def encryption_setting(config: dict[str, str] | None, registry: Registry) -> EncryptionConfiguration:
    """An encryptionConfiguration checked as ECR checks it, with no call to KMS (a creation template
    stores it so): AES256 takes no key; KMS and KMS_DSSE (the same key applied twice) without a key mean
    the AWS managed key aws/ecr (API_EncryptionConfiguration)."""
    if not config:
        return EncryptionConfiguration()
    kind = config.get("encryptionType", "AES256")
    if kind == "AES256":
        if config.get("kmsKey"):
            raise invalid_parameter(
                "encryptionConfiguration", "KMS key must not be set with AES256 encryption"
            )
        return EncryptionConfiguration()
    if kind not in ("KMS", "KMS_DSSE"):
        raise invalid_parameter(
            "encryptionType", "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]"
        )
    key = config.get("kmsKey") or managed_key_arn(registry.account_id, registry.region)
    return EncryptionConfiguration(kind, key)  # type: ignore[arg-type]


def managed_key_arn(account: str, region: str) -> str:
    return f"arn:aws:kms:{region}:{account}:{ECR_ALIAS}"


def repository_encryption(
    call: Call, config: dict[str, str] | None, registry: Registry, repository_arn: str
) -> EncryptionConfiguration:
    """The encryption a new repository gets, with the KMS calls ECR makes for it."""
    setting = encryption_setting(config, registry)
    if setting.encryption_type == "AES256" or config is None:
        return setting
    kind = setting.encryption_type
    reference = config.get("kmsKey")
    try:
        if reference:
            key = find_key(call.world, registry.account_id, registry.region, reference)
        else:
            key = ecr_managed_key(call, registry.account_id, registry.region)
            call.explain(LineKind.KEY, "no kmsKey given: ECR uses the AWS managed key aws/ecr of the account")
    except ServiceError as error:
        raise _kms_exception(call, error, f"ECR's DescribeKey found no key {reference}") from None
    if key.region != registry.region:
        missing = ServiceError("NotFoundException", f"Key '{key.arn}' does not exist")
        why = f"{key.arn} is in {key.region}: the key must be in the repository's Region, {registry.region}"
        raise _kms_exception(call, missing, why)
    for action in ("kms:DescribeKey", "kms:CreateGrant"):
        decision = decide_on_key(call, action, key, via_ecr(registry.region))
        if not decision.allowed:
            denied = ServiceError("AccessDeniedException", decision.message or "")
            why = (
                f"ECR calls {action} on {key.arn} as {call.caller.arn}, through ECR (kms:ViaService"
                f" {via_ecr(registry.region)}): the key policy, or an IAM policy the key policy lets count,"
                " must allow it"
            )
            raise _kms_exception(call, denied, why)
    broken = state_error(key)
    if broken is not None:
        raise _kms_exception(call, broken, f"key {key.key_id} is {key.state}: ECR cannot encrypt with it")
    kms = kms_of(call.world, key.account, key.region)
    grants = tuple(
        Grant(kms.next_id("grant"), via_ecr(registry.region), repository_arn, operations)
        for operations in _GRANT_OPERATIONS
    )
    change(kms, key, grants=key.grants + grants)
    named = f" ({reference})" if reference and reference != key.arn else ""
    call.explain(
        LineKind.KEY,
        f"encrypted with {key.arn}{named}; ECR made 2 grants on it for this repository and uses the key"
        " through them at every push and pull",
    )
    return EncryptionConfiguration(kind, key.arn)


def key_problem(call: Call, repository: Repository) -> ServiceError | None:
    """Why ECR cannot use the repository's key now (KMS's error), or None: AES256, or the key Enabled."""
    arn = repository.encryption.kms_key
    if repository.encryption.encryption_type == "AES256" or not arn:
        return None
    if arn == managed_key_arn(repository.registry_id, repository.region):
        return None  # the AWS managed key (a template's default): nobody can disable or delete it
    try:
        key = find_key(call.world, repository.registry_id, repository.region, arn)
    except ServiceError as error:
        return error
    return state_error(key)


def _blocked(call: Call, repository: Repository, doing: str) -> str:
    return (
        f"{doing} {repository.name} needs its KMS key {repository.encryption.kms_key}, which KMS refused;"
        " enable the key (aws kms enable-key, or cancel-key-deletion then enable-key) and try again"
    )


def check_push(call: Call, repository: Repository) -> None:
    """A push encrypts with the repository's key: KmsException while the key cannot be used."""
    problem = key_problem(call, repository)
    if problem is not None:
        raise _kms_exception(call, problem, _blocked(call, repository, "a push to"))


def pull_failure(call: Call, repository: Repository) -> tuple[str, str] | None:
    """BatchGetImage's failure for every image while the key cannot decrypt: (KmsError, KMS's message)."""
    problem = key_problem(call, repository)
    if problem is None:
        return None
    call.explain(LineKind.KEY, _blocked(call, repository, "a pull from"))
    return "KmsError", problem.message


def retire_grants(call: Call, repository: Repository) -> None:
    """DeleteRepository: ECR retires the repository's grants as the caller, who needs kms:RetireGrant; if it
    cannot, the repository is deleted all the same and the grants stay (ECR user guide, "Encryption at
    rest", Troubleshooting)."""
    arn = repository.encryption.kms_key
    if repository.encryption.encryption_type == "AES256" or not arn:
        return
    try:
        key: KmsKey = find_key(call.world, repository.registry_id, repository.region, arn)
    except ServiceError:
        return
    if not decide_on_key(call, "kms:RetireGrant", key, via_ecr(repository.region)).allowed:
        call.explain(
            LineKind.KEY,
            f"the repository has been deleted but the grants on {arn} could not be retired:"
            f" {call.caller.arn} may not call kms:RetireGrant on it",
        )
        return
    kept = tuple(grant for grant in key.grants if grant.repository_arn != repository.arn)
    change(kms_of(call.world, key.account, key.region), key, grants=kept)
    call.explain(LineKind.KEY, f"ECR retired its {len(key.grants) - len(kept)} grants on {arn}")
