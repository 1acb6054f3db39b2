"""Basic scanning operations: StartImageScan and DescribeImageScanFindings (scan on push is PutImage's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import repository_for
from ecrsim.engine.ecr.findings import finding, findings_summary, scan, scan_status
from ecrsim.engine.ecr.images import image_id_of, resolve_image
from ecrsim.engine.errors import ServiceError

# "Each container image may be scanned once per 24 hours" (ECR user guide, basic scanning).
SCAN_INTERVAL = timedelta(hours=24)


@operation("ecr", "StartImageScan")
def start_image_scan(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:StartImageScan")
    stored = resolve_image(repository, params["imageId"])
    previous = repository.scans.get(stored.digest)
    if previous is not None and call.now - previous.completed_at < SCAN_INTERVAL:
        raise ServiceError(
            "LimitExceededException", "The scan quota per image has been exceeded. Wait and try again."
        )
    result = repository.scans[stored.digest] = scan(stored.image, call.now)
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageId": image_id_of(stored.digest, params["imageId"].get("imageTag")),
        "imageScanStatus": scan_status(result),
    }


@operation("ecr", "DescribeImageScanFindings")
def describe_image_scan_findings(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:DescribeImageScanFindings")
    stored = resolve_image(repository, params["imageId"])
    result = repository.scans.get(stored.digest)
    if result is None:
        shown = ", ".join(f"{key}={value}" for key, value in params["imageId"].items())
        raise ServiceError(
            "ScanNotFoundException",
            f"Image scan does not exist for the image with '{{{shown}}}' in the repository with name "
            f"'{repository.name}' in the registry with id '{registry.account_id}'",
        )
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageId": image_id_of(stored.digest, params["imageId"].get("imageTag")),
        "imageScanStatus": scan_status(result),
        "imageScanFindings": {
            **findings_summary(result),
            "findings": [finding(vulnerability) for vulnerability in result.vulnerabilities],
        },
    }
