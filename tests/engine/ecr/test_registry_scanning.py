"""The registry's scanning configuration, what it does to each push, and what each scan type finds when."""

from __future__ import annotations

import pytest

from ecrsim.engine import docker
from ecrsim.engine.ecr.registry_scanning import filter_matches
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.world import World

from .helpers import HOST_A, ecr, password


def push_node18(world: World, repository: str, tag: str = "v1") -> None:
    """node:18 from the upstream catalogue: one OS CVE, one npm CVE, one CVE published on 2026-01-12."""
    docker.docker_login(world, HOST_A, "AWS", password(world, "admin"))
    docker.docker_pull(world, "node:18")
    docker.docker_tag(world, "node:18", f"{HOST_A}/{repository}:{tag}")
    docker.docker_push(world, f"{HOST_A}/{repository}:{tag}")


def findings(world: World, repository: str, tag: str = "v1") -> dict:
    return ecr(world, "DescribeImageScanFindings", repositoryName=repository, imageId={"imageTag": tag})


def configure(world: World, scan_type: str, *rules: tuple[str, list[str]]) -> dict:
    return ecr(
        world,
        "PutRegistryScanningConfiguration",
        scanType=scan_type,
        rules=[
            {
                "scanFrequency": frequency,
                "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"} for f in filters],
            }
            for frequency, filters in rules
        ],
    )


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [  # the ECR user guide's table (image-scanning-filters), one column per name below
        ("prod", [True, True, True, True, True]),
        ("*prod", [True, True, False, False, False]),
        ("prod*", [True, False, True, False, True]),
        ("*prod*", [True, True, True, True, True]),
        ("prod*repo", [False, False, True, False, True]),
    ],
)
def test_filters_match_as_the_user_guide_tabulates(pattern: str, matches: list[bool]) -> None:
    names = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"]
    assert [filter_matches(name, pattern) for name in names] == matches


def test_without_a_configuration_the_repository_setting_decides(world: World) -> None:
    assert ecr(world, "GetRegistryScanningConfiguration")["scanningConfiguration"] == {
        "scanType": "BASIC",
        "rules": [],
    }
    ecr(world, "CreateRepository", repositoryName="web", imageScanningConfiguration={"scanOnPush": True})
    push_node18(world, "web")
    assert findings(world, "web")["imageScanStatus"] == {"status": "IN_PROGRESS"}
    world.advance("1m")
    done = findings(world, "web")
    assert done["imageScanStatus"]["status"] == "COMPLETE"
    # basic scanning reads OS packages only: glibc, not the npm package
    assert [f["name"] for f in done["imageScanFindings"]["findings"]] == ["CVE-2023-4911"]


def test_registry_rules_override_the_repository_setting(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web", imageScanningConfiguration={"scanOnPush": True})
    ecr(world, "CreateRepository", repositoryName="prod-api")
    configure(world, "BASIC", ("SCAN_ON_PUSH", ["prod-*"]))
    applied = ecr(
        world, "BatchGetRepositoryScanningConfiguration", repositoryNames=["web", "prod-api", "nope"]
    )
    by_name = {entry["repositoryName"]: entry for entry in applied["scanningConfigurations"]}
    assert by_name["web"]["scanFrequency"] == "MANUAL" and by_name["web"]["scanOnPush"] is False
    assert by_name["prod-api"]["appliedScanFilters"] == [{"filter": "prod-*", "filterType": "WILDCARD"}]
    assert applied["failures"][0]["failureCode"] == "REPOSITORY_NOT_FOUND"
    push_node18(world, "web")
    push_node18(world, "prod-api")
    with pytest.raises(ServiceError) as caught:
        findings(world, "web")
    assert caught.value.code == "ScanNotFoundException"
    assert findings(world, "prod-api")["imageScanStatus"] == {"status": "IN_PROGRESS"}


def test_basic_scanning_takes_no_continuous_rule(world: World) -> None:
    with pytest.raises(ServiceError) as caught:
        configure(world, "BASIC", ("CONTINUOUS_SCAN", ["*"]))
    assert caught.value.code == "InvalidParameterException"


def test_enhanced_continuous_scanning_finds_language_packages_and_later_cves(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="prod-api")
    ecr(world, "CreateRepository", repositoryName="sandbox")
    configure(world, "ENHANCED", ("CONTINUOUS_SCAN", ["prod-*"]), ("SCAN_ON_PUSH", ["*"]))
    push_node18(world, "prod-api")
    push_node18(world, "sandbox")
    assert findings(world, "prod-api")["imageScanStatus"] == {"status": "PENDING"}
    world.advance("1m")
    scanned = findings(world, "prod-api")
    assert scanned["imageScanStatus"] == {"status": "ACTIVE"}
    enhanced = scanned["imageScanFindings"]["enhancedFindings"]
    assert [f["title"] for f in enhanced] == ["CVE-2023-4911 - glibc", "CVE-2024-21538 - cross-spawn"]
    package = enhanced[1]["packageVulnerabilityDetails"]["vulnerablePackages"][0]
    assert package["packageManager"] == "NODEPKG" and package["fixedInVersion"] == "7.0.5"
    assert "findings" not in scanned["imageScanFindings"]
    world.advance("8d")  # CVE-2026-20001 is published on 2026-01-12
    later = findings(world, "prod-api")["imageScanFindings"]
    assert later["findingSeverityCounts"] == {"CRITICAL": 1, "HIGH": 2}
    # a scan on push keeps what it found when it ran
    assert findings(world, "sandbox")["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 2}
    with pytest.raises(ServiceError) as caught:
        ecr(world, "StartImageScan", repositoryName="sandbox", imageId={"imageTag": "v1"})
    assert caught.value.code == "ValidationException"


def test_turning_on_continuous_scanning_scans_the_images_already_there(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="prod-api")
    push_node18(world, "prod-api")
    with pytest.raises(ServiceError):
        findings(world, "prod-api")
    configure(world, "ENHANCED", ("CONTINUOUS_SCAN", ["prod-*"]))
    world.advance("1m")
    assert findings(world, "prod-api")["imageScanStatus"] == {"status": "ACTIVE"}


def test_one_basic_scan_per_image_per_day(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    push_node18(world, "web")
    ecr(world, "StartImageScan", repositoryName="web", imageId={"imageTag": "v1"})
    with pytest.raises(ServiceError) as caught:
        ecr(world, "StartImageScan", repositoryName="web", imageId={"imageTag": "v1"})
    assert caught.value.code == "LimitExceededException"
    world.advance("24h")
    assert ecr(world, "StartImageScan", repositoryName="web", imageId={"imageTag": "v1"})[
        "imageScanStatus"
    ] == {"status": "IN_PROGRESS"}
