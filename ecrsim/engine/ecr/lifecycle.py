"""Lifecycle policy operations, previews, and expiry as simulated time passes.

AWS expires matching images within 24 hours of their becoming eligible; the simulator expires them
whenever the clock advances, and logs each expiry as ECR's own `PolicyExecutionEvent`, the CloudTrail
event AWS records for lifecycle actions.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ecrsim.engine.api import Call, Event, operation
from ecrsim.engine.ecr.access import repository_for
from ecrsim.engine.ecr.images import delete_image
from ecrsim.engine.ecr.lifecycle_policy import (
    MAX_TEXT,
    MIN_TEXT,
    Candidate,
    Expiry,
    LifecyclePolicy,
    LifecyclePolicyError,
    LifecyclePreview,
    evaluate,
    parse_lifecycle_policy,
)
from ecrsim.engine.ecr.model import Repository, StoredLifecyclePolicy
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError

if TYPE_CHECKING:
    from ecrsim.engine.world import World

LIFECYCLE_PRINCIPAL = "ecr.amazonaws.com"


def _parse(text: str) -> LifecyclePolicy:
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        bound = (
            f"greater than or equal to {MIN_TEXT}"
            if len(text) < MIN_TEXT
            else f"less than or equal to {MAX_TEXT}"
        )
        raise invalid_parameter("lifecyclePolicyText", f"Member must have length {bound}")
    try:
        return parse_lifecycle_policy(text)
    except LifecyclePolicyError as error:
        raise invalid_parameter(
            "LifecyclePolicyText", f"Lifecycle policy validation failure: {error}"
        ) from None


def candidates(repository: Repository) -> list[Candidate]:
    tags = repository.tags_by_digest()
    return [
        Candidate(digest, tuple(tags.get(digest, ())), stored.pushed_at)
        for digest, stored in repository.images.items()
    ]


def _not_found(repository: Repository) -> ServiceError:
    return ServiceError(
        "LifecyclePolicyNotFoundException",
        f"Lifecycle policy does not exist for the repository with name '{repository.name}' in the registry "
        f"with id '{repository.registry_id}'",
    )


def _answer(repository: Repository, stored: StoredLifecyclePolicy) -> dict[str, Any]:
    return {
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "lifecyclePolicyText": stored.text,
        "lastEvaluatedAt": stored.updated_at,
    }


@operation("ecr", "PutLifecyclePolicy")
def put_lifecycle_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:PutLifecyclePolicy")
    text = params["lifecyclePolicyText"]
    repository.lifecycle = StoredLifecyclePolicy(text, _parse(text), call.now)
    return {"registryId": registry.account_id, "repositoryName": repository.name, "lifecyclePolicyText": text}


@operation("ecr", "GetLifecyclePolicy")
def get_lifecycle_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _registry, repository = repository_for(call, params, "ecr:GetLifecyclePolicy")
    if repository.lifecycle is None:
        raise _not_found(repository)
    return _answer(repository, repository.lifecycle)


@operation("ecr", "DeleteLifecyclePolicy")
def delete_lifecycle_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _registry, repository = repository_for(call, params, "ecr:DeleteLifecyclePolicy")
    if repository.lifecycle is None:
        raise _not_found(repository)
    stored, repository.lifecycle = repository.lifecycle, None
    return _answer(repository, stored)


@operation("ecr", "StartLifecyclePolicyPreview")
def start_lifecycle_policy_preview(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:StartLifecyclePolicyPreview")
    text = params.get("lifecyclePolicyText")
    if text is None:
        if repository.lifecycle is None:
            raise _not_found(repository)
        text, policy = repository.lifecycle.text, repository.lifecycle.policy
    else:
        policy = _parse(text)
    expiries = tuple(evaluate(policy, candidates(repository), call.now))
    repository.lifecycle_preview = LifecyclePreview(text, expiries)
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "lifecyclePolicyText": text,
        "status": "IN_PROGRESS",
    }


def _preview_result(expiry: Expiry) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if expiry.candidate.tags:
        result["imageTags"] = list(expiry.candidate.tags)
    result.update(
        imageDigest=expiry.candidate.digest,
        imagePushedAt=expiry.candidate.pushed_at,
        action={"type": "EXPIRE"},
        appliedRulePriority=expiry.rule.priority,
    )
    return result


@operation("ecr", "GetLifecyclePolicyPreview")
def get_lifecycle_policy_preview(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:GetLifecyclePolicyPreview")
    preview = repository.lifecycle_preview
    if preview is None:
        raise ServiceError(
            "LifecyclePolicyPreviewNotFoundException",
            f"There is no dry run for the repository with name '{repository.name}' in the registry with id "
            f"'{registry.account_id}'",
        )
    status = (params.get("filter") or {}).get("tagStatus", "ANY")
    expiries = [
        expiry
        for expiry in preview.expiries
        if status == "ANY" or (status == "TAGGED") == bool(expiry.candidate.tags)
    ]
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "lifecyclePolicyText": preview.text,
        "status": "COMPLETE",
        "previewResults": [_preview_result(expiry) for expiry in expiries],
        "summary": {"expiringImageTotalCount": len(expiries)},
    }


def expire(repository: Repository, now: datetime) -> list[Expiry]:
    """Apply a repository's lifecycle policy at `now`: delete what it expires, note when it ran."""
    stored = repository.lifecycle
    if stored is None:
        return []
    expiries = evaluate(stored.policy, candidates(repository), now)
    for expiry in expiries:
        delete_image(repository, expiry.candidate.digest)
    repository.lifecycle = replace(stored, updated_at=now)
    return expiries


def _describe(expiry: Expiry) -> str:
    tags = ", ".join(expiry.candidate.tags) if expiry.candidate.tags else "untagged"
    return f"rule {expiry.rule.priority} expired {expiry.candidate.digest} ({tags})"


def apply_lifecycle(world: World) -> list[Event]:
    """Run every repository's lifecycle policy at the world's current time; log what each one expired."""
    now = world.clock.now
    events: list[Event] = []
    for account in world.accounts.values():
        for registry in account.registries.values():
            for repository in registry.repositories.values():
                expiries = expire(repository, now)
                if expiries:
                    note = "lifecycle policy: " + "; ".join(_describe(expiry) for expiry in expiries)
                    events.append(
                        Event(
                            now,
                            "ecr",
                            "PolicyExecutionEvent",
                            LIFECYCLE_PRINCIPAL,
                            registry.region,
                            resource=repository.arn,
                            note=note,
                        )
                    )
    world.events.extend(events)
    return events
