"""Basic scanning: scan on push, StartImageScan and DescribeImageScanFindings.

The simulator's scanner finds exactly the vulnerabilities an image's layers declare, and completes at
once (AWS takes a minute or so; a learner does not need to wait for it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import repository_for
from ecrsim.engine.ecr.images import image_id_of, resolve_image
from ecrsim.engine.ecr.model import Image, ScanResult, Vulnerability
from ecrsim.engine.errors import ServiceError


def scan(image: Image, now: datetime) -> ScanResult:
    return ScanResult("COMPLETE", now, image.vulnerabilities)


def scan_status(result: ScanResult) -> dict[str, str]:
    return {"status": result.status, "description": result.description}


def findings_summary(result: ScanResult) -> dict[str, Any]:
    """DescribeImages' imageScanFindingsSummary."""
    return {
        "imageScanCompletedAt": result.completed_at,
        "vulnerabilitySourceUpdatedAt": result.completed_at,
        "findingSeverityCounts": result.severity_counts(),
    }


def _finding(vulnerability: Vulnerability) -> dict[str, Any]:
    attributes = [
        {"key": "package_version", "value": vulnerability.version},
        {"key": "package_name", "value": vulnerability.package},
    ]
    return {
        "name": vulnerability.name,
        "description": vulnerability.description,
        "uri": vulnerability.uri,
        "severity": vulnerability.severity,
        "attributes": [attribute for attribute in attributes if attribute["value"]],
    }


@operation("ecr", "StartImageScan")
def start_image_scan(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:StartImageScan")
    stored = resolve_image(repository, params["imageId"])
    result = repository.scans[stored.digest] = scan(stored.image, call.now)
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageId": image_id_of(repository, stored.digest, params["imageId"].get("imageTag")),
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
        "imageId": image_id_of(repository, stored.digest, params["imageId"].get("imageTag")),
        "imageScanStatus": scan_status(result),
        "imageScanFindings": {
            **findings_summary(result),
            "findings": [_finding(vulnerability) for vulnerability in result.vulnerabilities],
        },
    }
