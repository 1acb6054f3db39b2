"""What a scan finds and when: the vulnerabilities an image's layers declare, read as each scan type reads
them, on the simulated clock.

- Basic scanning (ECR's own scanner) checks operating-system packages only; enhanced scanning (Amazon
  Inspector) checks them and programming-language packages (ECR user guide, image-scanning).
- A scan is IN_PROGRESS (enhanced: PENDING) before it is COMPLETE (enhanced: ACTIVE): StartImageScan
  answers IN_PROGRESS (API_StartImageScan), and the CLI's `image-scan-complete` waiter polls every 5
  seconds for up to 60 attempts (botocore's ecr waiters-2), i.e. AWS expects a scan within five minutes.
  AWS documents no exact duration; the simulator's scans take SCAN_DURATION.
- A scan reports what was known when it completed; a continuous scan (enhanced, CONTINUOUS_SCAN) keeps
  rescanning "as new vulnerabilities appear" (image-scanning-enhanced), so it reports what is known now.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ecrsim.engine.ecr.model import (
    Image,
    Layer,
    Repository,
    ScanResult,
    ScanType,
    Vulnerability,
    severity_counts,
)

SCAN_DURATION = timedelta(minutes=1)
BASIC_COMPLETE = "The scan was completed successfully."
# Amazon Inspector's finding statuses and types (inspector2 API reference, Finding).
_FINDING_TYPE = "PACKAGE_VULNERABILITY"
_IMAGE_RESOURCE = "AWS_ECR_CONTAINER_IMAGE"


def scan(image: Image, now: datetime, scan_type: ScanType = "BASIC", continuous: bool = False) -> ScanResult:
    """A scan of `image` that starts now and completes SCAN_DURATION later."""
    return ScanResult(scan_type, now, now + SCAN_DURATION, image, continuous)


def complete(result: ScanResult, now: datetime) -> bool:
    return now >= result.completed_at


def _known_at(vulnerability: Vulnerability, moment: datetime) -> bool:
    if not vulnerability.published:
        return True
    return datetime.fromisoformat(vulnerability.published).replace(tzinfo=UTC) <= moment


def found(result: ScanResult, now: datetime) -> list[tuple[Vulnerability, Layer]]:
    """What the scan reports now, each with the layer that declares it: nothing while it runs; OS
    packages only for a basic scan; CVEs known when it completed, or now for a continuous scan."""
    if not complete(result, now):
        return []
    moment = now if result.continuous else result.completed_at
    seen: dict[str, tuple[Vulnerability, Layer]] = {}
    for layer in result.image.layers:
        for vulnerability in layer.vulnerabilities:
            if result.scan_type == "BASIC" and vulnerability.package_manager != "OS":
                continue
            if _known_at(vulnerability, moment):
                seen.setdefault(vulnerability.name, (vulnerability, layer))
    return list(seen.values())


def scan_status(result: ScanResult, now: datetime) -> dict[str, str]:
    """imageScanStatus: basic IN_PROGRESS then COMPLETE; enhanced PENDING then ACTIVE (ScanStatus enum)."""
    if result.scan_type == "BASIC":
        if not complete(result, now):
            return {"status": "IN_PROGRESS"}
        return {"status": "COMPLETE", "description": BASIC_COMPLETE}
    return {"status": "ACTIVE" if complete(result, now) else "PENDING"}


def findings_summary(result: ScanResult, now: datetime) -> dict[str, Any] | None:
    """DescribeImages' imageScanFindingsSummary: a summary of the last completed scan (None before)."""
    if not complete(result, now):
        return None
    updated = now if result.continuous else result.completed_at
    return {
        "imageScanCompletedAt": updated,
        "vulnerabilitySourceUpdatedAt": updated,
        "findingSeverityCounts": severity_counts(tuple(v for v, _ in found(result, now))),
    }


def finding(vulnerability: Vulnerability) -> dict[str, Any]:
    """One entry of a basic scan's findings."""
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


def enhanced_finding(
    vulnerability: Vulnerability,
    layer: Layer,
    result: ScanResult,
    repository: Repository,
    tags: list[str],
    now: datetime,
) -> dict[str, Any]:
    """One entry of an enhanced scan's enhancedFindings, in Amazon Inspector's shape (EnhancedImageScanFinding
    in ECR's API; inspector2's Finding). The finding id is derived from the image and CVE, as Inspector
    keeps one finding per vulnerability per resource."""
    region, account = repository.region, repository.registry_id
    first = _first_observed(vulnerability, result)
    last = now if result.continuous else result.completed_at
    digest = result.image.digest
    finding_id = hashlib.sha256(f"{account}:{repository.name}:{digest}:{vulnerability.name}".encode())
    package: dict[str, Any] = {
        "name": vulnerability.package,
        "version": vulnerability.version,
        "packageManager": vulnerability.package_manager,
        "sourceLayerHash": layer.digest,
    }
    if vulnerability.fixed_in:
        package["fixedInVersion"] = vulnerability.fixed_in
    cvss = {"baseScore": vulnerability.score, "source": "NVD", "version": "3.1"}
    details: dict[str, Any] = {
        "cvss": [cvss],
        "referenceUrls": [vulnerability.uri],
        "relatedVulnerabilities": [],
        "source": "NVD",
        "sourceUrl": f"https://nvd.nist.gov/vuln/detail/{vulnerability.name}",
        "vendorSeverity": vulnerability.severity,
        "vulnerabilityId": vulnerability.name,
        "vulnerablePackages": [package],
    }
    if vulnerability.published:
        details["vendorCreatedAt"] = datetime.fromisoformat(vulnerability.published).replace(tzinfo=UTC)
    image_details: dict[str, Any] = {
        "architecture": "amd64",
        "imageHash": digest,
        "imageTags": tags,
        "pushedAt": repository.images[digest].pushed_at if digest in repository.images else first,
        "registry": account,
        "repositoryName": repository.name,
    }
    return {
        "awsAccountId": account,
        "description": vulnerability.description,
        "findingArn": f"arn:aws:inspector2:{region}:{account}:finding/{finding_id.hexdigest()[:32]}",
        "firstObservedAt": first,
        "lastObservedAt": last,
        "packageVulnerabilityDetails": details,
        "remediation": {"recommendation": {"text": "None Provided"}},
        "resources": [
            {
                "details": {"awsEcrContainerImage": image_details},
                "id": f"{repository.arn}/{digest}",
                "type": _IMAGE_RESOURCE,
            }
        ],
        "score": vulnerability.score,
        "scoreDetails": {
            "cvss": {"adjustments": [], "score": vulnerability.score, "scoreSource": "NVD", "version": "3.1"}
        },
        "severity": vulnerability.severity,
        "status": "ACTIVE",
        "title": f"{vulnerability.name} - {vulnerability.package}",
        "type": _FINDING_TYPE,
        "updatedAt": last,
        "fixAvailable": "YES" if vulnerability.fixed_in else "NO",
        "exploitAvailable": "NO",
    }


def _first_observed(vulnerability: Vulnerability, result: ScanResult) -> datetime:
    """When the scan first saw it: at completion, or for a CVE published later, when it became known."""
    if vulnerability.published:
        published = datetime.fromisoformat(vulnerability.published).replace(tzinfo=UTC)
        return max(published, result.completed_at)
    return result.completed_at
