"""Cross-repository blob mounts: `POST /v2/NAME/blobs/uploads/?mount=DIGEST&from=SOURCE`.

No API operation of ECR's: the registry protocol's request (OCI distribution spec, "Mounting a blob from
another repository"), served here as the internal operation `MountBlob` so that its decisions land in
the event log like any call's. ECR's rules (user guide, "Blob mounting in Amazon ECR"): mounting is off
until the registry's account setting BLOB_MOUNTING is ENABLED (`aws ecr put-account-setting --name
BLOB_MOUNTING --value ENABLED`); it works only within one registry (same account and Region); both
repositories must use identical encryption type and keys; and the caller needs
ecr:GetDownloadUrlForLayer on the source repository. The POST itself is the start of an upload, so the
destination needs ecr:InitiateLayerUpload as for any push. Whenever a mount cannot happen the registry
starts an ordinary upload instead (202), as the distribution spec allows, and the client uploads the
bytes; the explanation says why.
"""

from __future__ import annotations

from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import decide_on, repository_for
from ecrsim.engine.ecr.account_settings import setting
from ecrsim.engine.ecr.layers import new_upload
from ecrsim.engine.ecr.model import EncryptionConfiguration, Registry, Repository
from ecrsim.engine.explanation import LineKind


@operation("ecr", "MountBlob")
def mount_blob(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, target = repository_for(call, params, "ecr:InitiateLayerUpload")
    digest, name = params["layerDigest"], params["fromRepository"]
    why = _why_not(call, registry, target, digest, name)
    if why:
        call.explain(LineKind.REGISTRY, f"no mount of {digest} from {name}: {why}")
        call.explain(LineKind.REGISTRY, "an upload was started instead (202): the client sends the bytes")
        return {"mounted": False, "uploadId": new_upload(registry, target)}
    target.layers[digest] = registry.repositories[name].layers[digest]
    target.mounted = target.mounted | {digest}
    call.explain(
        LineKind.REGISTRY,
        f"mounted {digest} from {name} into {target.name} (201): no bytes uploaded, the layer is shared",
    )
    return {"mounted": True, "layerDigest": digest}


def _why_not(call: Call, registry: Registry, target: Repository, digest: str, name: str) -> str:
    """Why the registry cannot mount the blob, or "" when it can."""
    if setting(registry.settings, "BLOB_MOUNTING") != "ENABLED":
        return (
            f"blob mounting is DISABLED in registry {registry.account_id} ({registry.region}); "
            "aws ecr put-account-setting --name BLOB_MOUNTING --value ENABLED turns it on"
        )
    decision, source = decide_on(call, "ecr:GetDownloadUrlForLayer", registry, name)
    if not decision.allowed:
        return f"mounting needs ecr:GetDownloadUrlForLayer on {name}, which {call.caller.arn} is denied"
    if source is None or digest not in source.layers:
        return f"repository {name} holds no such blob"
    if source.encryption != target.encryption:
        return (
            f"{name} and {target.name} are encrypted differently ({_encryption(source.encryption)} and "
            f"{_encryption(target.encryption)}): a mount needs identical encryption type and keys"
        )
    return ""


def _encryption(config: EncryptionConfiguration) -> str:
    return f"{config.encryption_type} with {config.kms_key}" if config.kms_key else config.encryption_type
