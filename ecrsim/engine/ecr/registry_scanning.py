"""The registry's scanning configuration: BASIC or ENHANCED scanning, and rules that pick repositories by
name filter and a frequency (PutRegistryScanningConfiguration, GetRegistryScanningConfiguration,
BatchGetRepositoryScanningConfiguration), and what it means for each push.

AWS is deprecating the repository-level setting (`scanOnPush` of PutImageScanningConfiguration and
CreateRepository) "in favor of specifying the image scanning configuration at the registry level" (ECR API
reference, PutImageScanningConfiguration). The simulator's reading, flagged where AWS is not explicit:
- a registry with no configuration, or BASIC with no rules, keeps each repository's own `scanOnPush`;
- once BASIC has rules, its SCAN_ON_PUSH filters decide and every other repository is MANUAL;
- ENHANCED: a repository matching no rule has scanning disabled, and where a CONTINUOUS_SCAN filter and a
  SCAN_ON_PUSH filter both match, continuous wins (ECR user guide, image-scanning-filters).
A filter without `*` matches every repository name that contains it; with `*`, the whole name must match,
`*` standing for any run of characters (image-scanning-filters' table).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import authorize_on, registry_of
from ecrsim.engine.ecr.findings import scan
from ecrsim.engine.ecr.model import Image, Registry, Repository, ScanningConfiguration, ScanningRule
from ecrsim.engine.ecr.names import invalid_parameter, wildcard_match
from ecrsim.engine.explanation import LineKind

if TYPE_CHECKING:
    from ecrsim.engine.ecr.model import ScanResult

_FREQUENCIES = {
    "BASIC": ("SCAN_ON_PUSH", "MANUAL"),
    "ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"),
}
DEFAULT = ScanningConfiguration()


def filter_matches(name: str, pattern: str) -> bool:
    """A scanning repository filter against a repository name (image-scanning-filters)."""
    return wildcard_match(name, pattern) if "*" in pattern else pattern in name


def configuration_of(registry: Registry) -> ScanningConfiguration:
    return registry.scanning or DEFAULT


def frequency(registry: Registry, repository: Repository) -> tuple[str, tuple[str, ...], str]:
    """The repository's effective scan frequency, the filters that gave it, and why (for explanations)."""
    config = configuration_of(registry)
    if config.scan_type == "BASIC" and not config.rules:
        setting = "SCAN_ON_PUSH" if repository.scan_on_push else "MANUAL"
        return (
            setting,
            (),
            f"the registry has no scanning rules: the repository's scanOnPush={_flag(repository)}",
        )
    matched: dict[str, tuple[str, ...]] = {}
    for rule in config.rules:
        hits = tuple(pattern for pattern in rule.filters if filter_matches(repository.name, pattern))
        if hits:
            matched.setdefault(rule.frequency, hits)
    for chosen in ("CONTINUOUS_SCAN", "SCAN_ON_PUSH"):
        if chosen in matched:
            filters = ", ".join(matched[chosen])
            return (
                chosen,
                matched[chosen],
                f"{config.scan_type} scanning rule {chosen} matches it (filter {filters}); "
                f"the repository's own scanOnPush={_flag(repository)} no longer decides",
            )
    off = (
        "scanning disabled" if config.scan_type == "ENHANCED" else "MANUAL: scanned only by start-image-scan"
    )
    return (
        "MANUAL",
        (),
        f"no {config.scan_type} scanning rule's filter matches {repository.name}: {off};"
        f" the repository's own scanOnPush={_flag(repository)} no longer decides",
    )


def _flag(repository: Repository) -> str:
    return "true" if repository.scan_on_push else "false"


def scan_on_push(
    call: Call, repository: Repository, image: Image, at: datetime | None = None
) -> ScanResult | None:
    """The scan a push starts (or a restore, completing `at`), if the registry's configuration (or the
    repository's, where it still decides) scans this repository on push; the reason goes to the call's
    explanation."""
    account = call.world.accounts.get(repository.registry_id)
    if account is None:
        return None
    registry = account.registry(repository.region)
    setting, _, why = frequency(registry, repository)
    scan_type = configuration_of(registry).scan_type
    if setting == "MANUAL":
        if repository.scan_on_push:  # the repository asks for it, and the registry's rules say no
            call.explain(LineKind.REGISTRY, f"no scan on push for {repository.name}: {why}")
        return None
    call.explain(LineKind.REGISTRY, f"{scan_type} scan started on push: {why}")
    return scan(image, at or call.now, scan_type, continuous=setting == "CONTINUOUS_SCAN")


def _rules(params: dict[str, Any], scan_type: str) -> tuple[ScanningRule, ...]:
    rules = []
    for rule in params.get("rules") or []:
        chosen = rule["scanFrequency"]
        if chosen not in _FREQUENCIES[scan_type]:
            # AWS's text for this refusal could not be found; the rule is the API reference's
            # (RegistryScanningRule.scanFrequency: BASIC supports SCAN_ON_PUSH).
            raise invalid_parameter(
                "rules.scanFrequency", f"{chosen} is not supported with the {scan_type} scan type"
            )
        rules.append(ScanningRule(chosen, tuple(entry["filter"] for entry in rule["repositoryFilters"])))
    return tuple(rules)


def _shown(config: ScanningConfiguration) -> dict[str, Any]:
    return {
        "scanType": config.scan_type,
        "rules": [
            {
                "scanFrequency": rule.frequency,
                "repositoryFilters": [
                    {"filter": pattern, "filterType": "WILDCARD"} for pattern in rule.filters
                ],
            }
            for rule in config.rules
        ],
    }


@operation("ecr", "PutRegistryScanningConfiguration")
def put_registry_scanning_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:PutRegistryScanningConfiguration", "*")
    registry = registry_of(call, {})
    scan_type = params.get("scanType") or "BASIC"
    config = ScanningConfiguration(scan_type, _rules(params, scan_type))  # type: ignore[arg-type]
    registry.scanning = config
    call.explain(
        LineKind.REGISTRY, f"registry {registry.account_id} in {registry.region}: {scan_type} scanning"
    )
    if scan_type == "ENHANCED":
        _start_continuous(call, registry)
    return {"registryScanningConfiguration": _shown(config)}


def _start_continuous(call: Call, registry: Registry) -> None:
    """Turning enhanced scanning on: Amazon Inspector scans the images already in the repositories a
    CONTINUOUS_SCAN rule covers (Inspector user guide, scanning-ecr). The simulator scans all of them."""
    for repository in registry.repositories.values():
        if frequency(registry, repository)[0] != "CONTINUOUS_SCAN":
            continue
        for digest, stored in repository.images.items():
            repository.scans[digest] = scan(stored.image, call.now, "ENHANCED", continuous=True)
        if repository.images:
            call.explain(
                LineKind.REGISTRY,
                f"continuous scanning started for the {len(repository.images)} images of {repository.name}",
            )


@operation("ecr", "GetRegistryScanningConfiguration")
def get_registry_scanning_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:GetRegistryScanningConfiguration", "*")
    registry = registry_of(call, {})
    return {"registryId": registry.account_id, "scanningConfiguration": _shown(configuration_of(registry))}


@operation("ecr", "BatchGetRepositoryScanningConfiguration")
def batch_get_repository_scanning_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry = registry_of(call, {})
    configurations, failures = [], []
    for name in params["repositoryNames"]:
        repository = authorize_on(call, "ecr:BatchGetRepositoryScanningConfiguration", registry, name)
        if repository is None:
            failures.append(
                {
                    "repositoryName": name,
                    "failureCode": "REPOSITORY_NOT_FOUND",
                    "failureReason": "REPOSITORY_NOT_FOUND",
                }
            )
            continue
        setting, filters, why = frequency(registry, repository)
        call.explain(LineKind.REGISTRY, f"{name}: {setting}: {why}")
        configurations.append(
            {
                "repositoryArn": repository.arn,
                "repositoryName": name,
                "scanOnPush": setting != "MANUAL",
                "scanFrequency": setting,
                "appliedScanFilters": [{"filter": pattern, "filterType": "WILDCARD"} for pattern in filters],
            }
        )
    return {"scanningConfigurations": configurations, "failures": failures}
