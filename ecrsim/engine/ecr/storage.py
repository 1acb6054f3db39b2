"""An image's storage class as the other operations see it: which images a listing shows, and a restore.

A listing shows ACTIVE images unless its filter asks for another status ("If not specified, only images
with ACTIVE status are returned", DescribeImagesFilter and ListImagesFilter); restoring an archived image
takes up to 20 minutes ("You can expect ECR to restore the image within 20 minutes", ECR user guide,
archive_restore_image), or none when the image is pushed again (restore-image).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.ecr.registry_scanning import scan_on_push

if TYPE_CHECKING:
    from ecrsim.engine.api import Call
    from ecrsim.engine.ecr.model import Repository, StoredImage

RESTORE_TIME = timedelta(minutes=20)
_STATUSES = ("ACTIVE", "ARCHIVED", "ACTIVATING", "ANY")


def status_filter(params: dict[str, Any]) -> str:
    """The listing's imageStatus filter: ACTIVE unless it says otherwise."""
    status = (params.get("filter") or {}).get("imageStatus", "ACTIVE")
    if status not in _STATUSES:
        raise invalid_parameter(
            "filter.imageStatus", f"Member must satisfy enum value set: [{', '.join(_STATUSES)}]"
        )
    return str(status)


def restore(call: Call, repository: Repository, stored: StoredImage, done: datetime) -> StoredImage:
    """Bring an archived image back to standard storage, complete at `done`: "the scan results prior to
    archiving the image will not be available", and it is scanned once back where a push would be."""
    repository.scans.pop(stored.digest, None)
    started = scan_on_push(call, repository, stored.image, at=done)
    if started is not None:
        repository.scans[stored.digest] = started
    restored = replace(stored, restored_at=done)
    repository.images[stored.digest] = restored
    return restored
