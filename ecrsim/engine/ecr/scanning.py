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
    repository.scans[stored.digest] = scan(stored.image, call.now)
    # The scan runs after the call returns: the answer says it has started (API_StartImageScan; the
    # CLI reference's example). A basic scan of the simulator finishes before anyone can look again.
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageId": image_id_of(stored.digest, params["imageId"].get("imageTag")),
        "imageScanStatus": {"status": "IN_PROGRESS"},
    }


@operation("ecr", "DescribeImageScanFindings")
def describe_image_scan_findings(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:DescribeImageScanFindings")
    stored = resolve_image(repository, params["imageId"])
    result = repository.scans.get(stored.digest)
    if result is None:
        # ECR names the image as it was asked for, as ImageNotFoundException does.
        digest = params["imageId"].get("imageDigest", "null")
        tag = params["imageId"].get("imageTag", "null")
        raise ServiceError(
            "ScanNotFoundException",
            f"Image scan does not exist for the image with '{{imageDigest:'{digest}', imageTag:'{tag}'}}' "
            f"in the repository with name '{repository.name}' in the registry with id "
            f"'{registry.account_id}'",
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
