"""What a basic scan finds: exactly the vulnerabilities an image's layers declare, completed at once.

AWS takes a minute or so to scan; a learner gains nothing from waiting, so the simulator's scan is done
when it starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecrsim.engine.ecr.model import Image, ScanResult, Vulnerability


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


def finding(vulnerability: Vulnerability) -> dict[str, Any]:
    """One entry of DescribeImageScanFindings' findings."""
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
