"""Repository operations: create, describe, delete, settings and resource tags."""

from __future__ import annotations

import re
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import (
    DEFAULT_PAGE,
    authorize_on,
    not_found,
    page,
    registry_of,
    repository_arn,
    repository_for,
    request_tag_context,
)
from ecrsim.engine.ecr.encryption import repository_encryption, retire_grants
from ecrsim.engine.ecr.model import Repository
from ecrsim.engine.ecr.names import invalid_parameter, parse_repository_arn, validate_repository_name
from ecrsim.engine.ecr.registry_scanning import frequency
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind

MAX_TAGS = 50  # tags per repository (ECR service quotas)
MUTABILITY = ("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION")
MAX_EXCLUSION_FILTERS = 5  # API_ImageTagMutabilityExclusionFilter / the service model's list max
EXCLUSION_FILTER = re.compile(r"^[0-9a-zA-Z._*-]{1,128}$")


def describe(repository: Repository) -> dict[str, Any]:
    """A repository as the API shows it (CreateRepository, DescribeRepositories, DeleteRepository)."""
    return {
        "repositoryArn": repository.arn,
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "repositoryUri": repository.uri,
        "createdAt": repository.created_at,
        **_mutability_api(repository),
        "imageScanningConfiguration": {"scanOnPush": repository.scan_on_push},
        "encryptionConfiguration": repository.encryption.to_api(),
    }


def _mutability_api(repository: Repository) -> dict[str, Any]:
    """imageTagMutability, and its exclusion filters when the setting has them."""
    shown: dict[str, Any] = {"imageTagMutability": repository.image_tag_mutability}
    if repository.mutability_exclusions:
        shown["imageTagMutabilityExclusionFilters"] = [
            {"filterType": "WILDCARD", "filter": pattern} for pattern in repository.mutability_exclusions
        ]
    return shown


def tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag in tags or []:
        if "Key" not in tag or not tag["Key"]:
            raise ServiceError("InvalidTagParameterException", "Tag key must not be empty")
        result[tag["Key"]] = tag.get("Value", "")
    return result


def too_many_tags(count: int) -> ServiceError:
    return ServiceError(
        "TooManyTagsException",
        f"Tag limit exceeded: a repository may have at most {MAX_TAGS} tags, not {count}",
    )


def mutability_setting(params: dict[str, Any], default: str | None = None) -> tuple[str, tuple[str, ...]]:
    """imageTagMutability and its WILDCARD exclusion filters, refused as ECR refuses them: the
    *_WITH_EXCLUSION settings need 1 to 5 filters and the others take none (API_PutImageTagMutability;
    the texts are ECR's, as CloudFormation and moto report them)."""
    value = params.get("imageTagMutability", default)
    if value not in MUTABILITY:
        raise invalid_parameter(
            "imageTagMutability", f"Member must satisfy enum value set: [{', '.join(sorted(MUTABILITY))}]"
        )
    filters = params.get("imageTagMutabilityExclusionFilters")
    if (filters is None) == value.endswith("_WITH_EXCLUSION"):
        raise invalid_parameter(
            "imageTagMutabilityExclusionFilters",
            f"ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as {value}",
        )
    filters = filters or []
    if len(filters) > MAX_EXCLUSION_FILTERS:
        raise invalid_parameter(
            "imageTagMutabilityExclusionFilters",
            f"Member must have length less than or equal to {MAX_EXCLUSION_FILTERS}",
        )
    for entry in filters:
        if entry.get("filterType") != "WILDCARD":
            raise invalid_parameter(
                "imageTagMutabilityExclusionFilter.filterType",
                "Member must satisfy enum value set: [WILDCARD]",
            )
        if not EXCLUSION_FILTER.fullmatch(entry.get("filter", "")):
            raise invalid_parameter(
                "imageTagMutabilityExclusionFilter.filter",
                f"Member must satisfy regular expression pattern: {EXCLUSION_FILTER.pattern}",
            )
    return value, tuple(entry["filter"] for entry in filters)


@operation("ecr", "CreateRepository")
def create_repository(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["repositoryName"]
    validate_repository_name(name)
    tags = tag_map(params.get("tags"))
    if len(tags) > MAX_TAGS:
        raise too_many_tags(len(tags))
    registry = registry_of(call, params)
    context = request_tag_context(tags) if tags else None
    call.authorize(
        "ecr:CreateRepository",
        repository_arn(registry, name),
        resource_account=registry.account_id,
        context=context,
    )
    if tags:
        # Tagging on create needs ecr:TagResource too (ECR user guide, ecr-supported-iam-actions-tagging).
        call.authorize(
            "ecr:TagResource",
            repository_arn(registry, name),
            resource_account=registry.account_id,
            context=context,
        )
    if name in registry.repositories:
        raise ServiceError(
            "RepositoryAlreadyExistsException",
            f"The repository with name '{name}' already exists in the registry with id "
            f"'{registry.account_id}'",
        )
    mutability, exclusions = mutability_setting(params, "MUTABLE")
    arn = repository_arn(registry, name)
    encryption = repository_encryption(call, params.get("encryptionConfiguration"), registry, arn)
    repository = Repository(
        registry_id=registry.account_id,
        region=registry.region,
        name=name,
        created_at=call.now,
        image_tag_mutability=mutability,  # type: ignore[arg-type]
        mutability_exclusions=exclusions,
        scan_on_push=bool(params.get("imageScanningConfiguration", {}).get("scanOnPush", False)),
        encryption=encryption,
        tags=tags,
    )
    registry.repositories[name] = repository
    return {"repository": describe(repository)}


@operation("ecr", "DescribeRepositories")
def describe_repositories(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry = registry_of(call, params)
    names = params.get("repositoryNames")
    if names:
        found = []
        for name in names:
            repository = authorize_on(call, "ecr:DescribeRepositories", registry, name)
            if repository is None:
                raise not_found(name, registry.account_id)
            found.append(repository)
    else:
        # Listing the registry: AWS reports the resource as repository/* (iam-evaluation.md §7).
        call.authorize(
            "ecr:DescribeRepositories", repository_arn(registry, "*"), resource_account=registry.account_id
        )
        found = list(registry.repositories.values())
    shown, token = page(found, params, default=None if names else DEFAULT_PAGE)
    response: dict[str, Any] = {"repositories": [describe(repository) for repository in shown]}
    if token:
        response["nextToken"] = token
    return response


@operation("ecr", "DeleteRepository")
def delete_repository(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:DeleteRepository")
    if repository.images and not params.get("force"):
        raise ServiceError(
            "RepositoryNotEmptyException",
            f"The repository with name '{repository.name}' in registry with id '{registry.account_id}' "
            "cannot be deleted because it still contains images",
        )
    del registry.repositories[repository.name]
    retire_grants(call, repository)
    return {"repository": describe(repository)}


@operation("ecr", "PutImageTagMutability")
def put_image_tagmutability_setting(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    value, exclusions = mutability_setting(params)
    registry, repository = repository_for(call, params, "ecr:PutImageTagMutability")
    repository.image_tag_mutability = value  # type: ignore[assignment]
    repository.mutability_exclusions = exclusions
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        **_mutability_api(repository),
    }


@operation("ecr", "PutImageScanningConfiguration")
def put_image_scanning_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:PutImageScanningConfiguration")
    repository.scan_on_push = bool(params["imageScanningConfiguration"].get("scanOnPush", False))
    # The API is "being deprecated, in favor of specifying the image scanning configuration at the
    # registry level" (API_PutImageScanningConfiguration): say what decides this repository's scans now.
    call.explain(LineKind.REGISTRY, f"{repository.name} scans: {frequency(registry, repository)[2]}")
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "imageScanningConfiguration": {"scanOnPush": repository.scan_on_push},
    }


def _tagged_repository(call: Call, params: dict[str, Any], action: str, context: Any = None) -> Repository:
    region, account, name = parse_repository_arn(params["resourceArn"])
    registry = registry_of(call, {"registryId": account})
    if region != call.region:
        raise invalid_parameter("resourceArn", "Invalid ARN")
    repository = authorize_on(call, action, registry, name, context)
    if repository is None:
        raise not_found(name, account)
    return repository


@operation("ecr", "TagResource")
def tag_resource(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    tags = tag_map(params["tags"])
    repository = _tagged_repository(call, params, "ecr:TagResource", request_tag_context(tags))
    merged = {**repository.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise too_many_tags(len(merged))
    repository.tags = merged
    return {}


@operation("ecr", "UntagResource")
def untag_resource(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    keys = list(params["tagKeys"])
    repository = _tagged_repository(call, params, "ecr:UntagResource", {"aws:TagKeys": tuple(keys)})
    repository.tags = {key: value for key, value in repository.tags.items() if key not in keys}
    return {}


@operation("ecr", "ListTagsForResource")
def list_tags_for_resource(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    repository = _tagged_repository(call, params, "ecr:ListTagsForResource")
    return {"tags": [{"Key": key, "Value": value} for key, value in repository.tags.items()]}
