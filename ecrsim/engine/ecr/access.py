"""Finding the registry and repository a call names, and authorizing it as AWS does.

Authorization comes before existence: AWS decides on the repository ARN whether or not the repository
exists, so a caller with no access learns nothing (AccessDenied), and only an authorized caller hears
RepositoryNotFoundException.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ecrsim.engine.api import Call
from ecrsim.engine.ecr.model import Registry, Repository
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.policy.types import ContextValue, Decision


def registry_id_of(call: Call, params: Mapping[str, Any]) -> str:
    """`registryId`, else the caller's own account's registry.

    A service principal (lambda.amazonaws.com pulling through a repository policy) belongs to no account,
    so it has no default registry and must name one; without this it would act on an ARN with no
    account in it (`arn:aws:ecr:us-east-1::repository/app`).
    """
    registry_id = params.get("registryId") or call.caller.account_id
    if not registry_id:
        raise invalid_parameter(
            "registryId", f"{call.caller.arn} is a service principal with no registry of its own: name one"
        )
    return registry_id


def registry_of(call: Call, params: Mapping[str, Any]) -> Registry:
    """The registry `registryId` names (default: the caller's own) in the call's Region."""
    registry_id = registry_id_of(call, params)
    account = call.world.accounts.get(registry_id)
    if account is None:  # an account outside the world: a registry with nothing in it
        return Registry(registry_id, call.region)
    return account.registry(call.region)


def repository_arn(registry: Registry, name: str) -> str:
    return f"arn:aws:ecr:{registry.region}:{registry.account_id}:repository/{name}"


def not_found(name: str, registry_id: str) -> ServiceError:
    return ServiceError(
        "RepositoryNotFoundException",
        f"The repository with name '{name}' does not exist in the registry with id '{registry_id}'",
    )


def resource_tag_context(tags: Mapping[str, str]) -> dict[str, ContextValue]:
    """`ecr:ResourceTag/*` and `aws:ResourceTag/*` from a repository's tags (SAR, ECR resource keys)."""
    context: dict[str, ContextValue] = {}
    for key, value in tags.items():
        context[f"aws:ResourceTag/{key}"] = value
        context[f"ecr:ResourceTag/{key}"] = value
    return context


def request_tag_context(tags: Mapping[str, str]) -> dict[str, ContextValue]:
    """`aws:RequestTag/*` and `aws:TagKeys` for calls that set tags."""
    context: dict[str, ContextValue] = {f"aws:RequestTag/{key}": value for key, value in tags.items()}
    context["aws:TagKeys"] = tuple(tags)
    return context


def _on(
    registry: Registry, name: str, context: Mapping[str, ContextValue] | None
) -> tuple[Repository | None, dict[str, Any]]:
    """Repository `name` (None if absent) and what a decision on it reads: its ARN, its policy, its tags."""
    repository = registry.repositories.get(name)
    merged = context
    if repository is not None and repository.tags:
        merged = {**resource_tag_context(repository.tags), **(context or {})}
    return repository, {
        "resource_arn": repository_arn(registry, name),
        "resource_policy": repository.policy.policy if repository and repository.policy else None,
        "resource_account": registry.account_id,
        "context": merged or None,
    }


def authorize_on(
    call: Call,
    action: str,
    registry: Registry,
    name: str,
    context: Mapping[str, ContextValue] | None = None,
) -> Repository | None:
    """Authorize `action` on repository `name` (existing or not); return the repository if it exists."""
    repository, on = _on(registry, name, context)
    call.authorize(action, **on)
    return repository


def decide_on(call: Call, action: str, registry: Registry, name: str) -> tuple[Decision, Repository | None]:
    """Decide `action` on repository `name` without raising (a refusal that is not the call's failure)."""
    repository, on = _on(registry, name, None)
    return call.decide(action, **on), repository


def repository_for(call: Call, params: Mapping[str, Any], action: str) -> tuple[Registry, Repository]:
    """The common shape of a repository call: authorize `action` on `repositoryName`, which must exist."""
    registry = registry_of(call, params)
    name = params["repositoryName"]
    repository = authorize_on(call, action, registry, name)
    if repository is None:
        raise not_found(name, registry.account_id)
    return registry, repository


# ECR's page when a listing names no maxResults (DescribeRepositories, ListImages, DescribeImages: the
# maxResults member of each in the ECR API Reference; botocore's ecr model carries the same text).
DEFAULT_PAGE = 100


def page(
    items: list[Any], params: dict[str, Any], *, default: int | None = DEFAULT_PAGE
) -> tuple[list[Any], str | None]:
    """maxResults/nextToken paging. Without maxResults a listing still stops at ECR's default page size
    with a nextToken ("If this parameter is not used, then DescribeRepositories returns up to 100 results
    and a nextToken value": the ECR API Reference says the same of ListImages and DescribeImages); the
    CLI's paginator fetches the rest unless `--no-paginate`. `default=None` is for a request that names
    what it wants (repositoryNames, imageIds), which ECR answers whole and does not page."""
    start = 0
    if params.get("nextToken"):
        try:
            start = int(base64.b64decode(params["nextToken"]).decode())
        except ValueError:
            raise invalid_parameter("nextToken", "Invalid pagination token") from None
    limit = params.get("maxResults")
    if limit is None:
        if default is None:
            return items[start:], None
        limit = default
    elif not 1 <= limit <= 1000:
        raise invalid_parameter("maxResults", "Member must have value between 1 and 1000")
    end = start + limit
    token = base64.b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], token
