"""Image scans: StartImageScan and DescribeImageScanFindings (a push's scan is registry_scanning's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import page, repository_for
from ecrsim.engine.ecr.findings import (
    complete,
    enhanced_finding,
    finding,
    findings_summary,
    found,
    scan,
    scan_status,
)
from ecrsim.engine.ecr.images import image_id_of, resolve_image
from ecrsim.engine.ecr.registry_scanning import configuration_of
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind, stamp

# "A basic image scan can only be started once per 24 hours on an individual image. This limit includes
# if an image was scanned on initial push." (API_StartImageScan)
SCAN_INTERVAL = timedelta(hours=24)


@operation("ecr", "StartImageScan")
def start_image_scan(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:StartImageScan")
    stored = resolve_image(repository, params["imageId"])
    if configuration_of(registry).scan_type == "ENHANCED":
        # StartImageScan "starts a basic image vulnerability scan" (API_StartImageScan); with enhanced
        # scanning Amazon Inspector scans. AWS's exact refusal text could not be found.
        call.explain(
            LineKind.VALIDATION, "the registry uses ENHANCED scanning: Amazon Inspector scans, not ECR"
        )
        raise ServiceError(
            "ValidationException",
            "This operation is not supported for registries configured with ENHANCED scanning.",
        )
    previous = repository.scans.get(stored.digest)
    if previous is not None and call.now - previous.started_at < SCAN_INTERVAL:
        call.explain(
            LineKind.VALIDATION,
            f"the image was last scanned at {stamp(previous.started_at)}:"
            " one basic scan per image per 24 hours",
        )
        raise ServiceError(
            "LimitExceededException", "The scan quota per image has been exceeded. Wait and try again."
        )
    repository.scans[stored.digest] = scan(stored.image, call.now)
    call.explain(LineKind.REGISTRY, "basic scan started: IN_PROGRESS until it completes (about a minute)")
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
    now = call.now
    response: dict[str, Any] = {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageId": image_id_of(stored.digest, params["imageId"].get("imageTag")),
        "imageScanStatus": scan_status(result, now),
    }
    summary = findings_summary(result, now)
    if summary is None:
        call.explain(
            LineKind.REGISTRY, f"the scan started at {stamp(result.started_at)} has not completed yet"
        )
        return response
    entries = found(result, now)
    shown, token = page(entries, params)
    if result.scan_type == "BASIC":
        listed: dict[str, Any] = {"findings": [finding(vulnerability) for vulnerability, _ in shown]}
    else:
        tags = repository.tags_of(stored.digest)
        listed = {
            "enhancedFindings": [
                enhanced_finding(vulnerability, layer, result, repository, tags, now)
                for vulnerability, layer in shown
            ]
        }
    response["imageScanFindings"] = {**summary, **listed}
    if token:
        response["nextToken"] = token
    if complete(result, now):
        scope = "OS packages only" if result.scan_type == "BASIC" else "OS and programming-language packages"
        call.explain(LineKind.REGISTRY, f"{result.scan_type} scan: {len(entries)} findings ({scope})")
    return response
