"""The archival storage class: UpdateImageStorageClass, and what an archived image can and cannot do.

From the ECR user guide (archive_restore_image, archive-image, restore-image):
- an archived image "cannot be pulled. Requests to pull the archived image will fail with a 404 error";
  it can still be described and listed, with the status ARCHIVED, when the status filter asks for it
  (DescribeImagesFilter / ListImagesFilter: "If not specified, only images with ACTIVE status are
  returned");
- restoring takes time: "You can expect ECR to restore the image within 20 minutes"; meanwhile the image is
  ACTIVATING and still cannot be pulled; a restored image is scanned again if scan on push applies, and
  "the scan results prior to archiving the image will not be available";
- pushing an archived image again restores it at once.
Not modelled: lifecycle rules that transition images (`"type": "transition"`, `sinceImagePulled`,
`sinceImageTransitioned`) and the 90-day minimum storage duration they enforce.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import repository_for
from ecrsim.engine.ecr.images import image_id_of, resolve_image
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.ecr.storage import RESTORE_TIME, restore
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind, stamp

STORAGE_CLASSES = ("STANDARD", "ARCHIVE")


@operation("ecr", "UpdateImageStorageClass")
def update_image_storage_class(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    target = params["targetStorageClass"]
    if target not in STORAGE_CLASSES:
        raise invalid_parameter(
            "targetStorageClass", "Member must satisfy enum value set: [STANDARD, ARCHIVE]"
        )
    registry, repository = repository_for(call, params, "ecr:UpdateImageStorageClass")
    stored = resolve_image(repository, params["imageId"])
    now = call.now
    status = stored.status(now)
    if target == "ARCHIVE" and status == "ACTIVATING":
        # AWS's message for this refusal could not be found; the code is the API reference's.
        call.explain(
            LineKind.VALIDATION, f"the image is being restored until {stamp(stored.restored_at or now)}"
        )
        raise ServiceError(
            "ImageStorageClassUpdateNotSupportedException",
            "The requested image storage class update is not supported.",
        )
    if target == "ARCHIVE" and status == "ACTIVE":
        repository.images[stored.digest] = stored = replace(stored, archived_at=now, restored_at=None)
        call.explain(
            LineKind.REGISTRY,
            f"{stored.digest} archived: it cannot be pulled, and is listed only with"
            " --filter imageStatus=ARCHIVED (or ANY)",
        )
    elif target == "STANDARD" and status == "ARCHIVED":
        stored = restore(call, repository, stored, now + RESTORE_TIME)
        call.explain(
            LineKind.REGISTRY,
            f"restore started: ACTIVATING until {stamp(now + RESTORE_TIME)}, when it can be pulled again",
        )
    else:
        call.explain(LineKind.REGISTRY, f"the image is already {status}: nothing changed")
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageId": image_id_of(stored.digest, params["imageId"].get("imageTag")),
        "imageStatus": stored.status(now),
    }
