"""Lifecycle policy operations, previews, and expiry as simulated time passes.

AWS expires matching images within 24 hours of their becoming eligible; the simulator expires them
whenever the clock advances, and logs each expiry as ECR's own `PolicyExecutionEvent`, the CloudTrail
event AWS records for lifecycle actions.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ecrsim.engine.api import Call, operation
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
    LifecycleRule,
    evaluate,
    parse_lifecycle_policy,
)
from ecrsim.engine.ecr.model import Repository, StoredLifecyclePolicy
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind, line, stamp

if TYPE_CHECKING:
    from ecrsim.engine.world import World

LIFECYCLE_PRINCIPAL = "ecr.amazonaws.com"


def parse_lifecycle_text(text: str) -> LifecyclePolicy:
    """A lifecycle policy text, refused as PutLifecyclePolicy refuses it."""
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


NEVER_EVALUATED = datetime(1970, 1, 1, tzinfo=UTC)


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
        # Epoch 0 until the policy first runs, as ECR answers for a policy it has not evaluated yet.
        "lastEvaluatedAt": stored.evaluated_at or NEVER_EVALUATED,
    }


@operation("ecr", "PutLifecyclePolicy")
def put_lifecycle_policy(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:PutLifecyclePolicy")
    text = params["lifecyclePolicyText"]
    repository.lifecycle = StoredLifecyclePolicy(text, parse_lifecycle_text(text))
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
        policy = parse_lifecycle_text(text)
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
    repository.lifecycle = replace(stored, evaluated_at=now)
    return expiries


def describe_rule(rule: LifecycleRule) -> str:
    """`rule 1 (untagged, pushed more than 1 day ago)`: what a rule selects and when it expires."""
    if rule.tag_status == "tagged":
        selects = (
            "tags " + " and ".join(f"{prefix}*" for prefix in rule.tag_prefixes)
            if rule.tag_prefixes
            else ("tags matching " + " and ".join(rule.tag_patterns))
        )
    else:
        selects = {"untagged": "untagged", "any": "any image"}[rule.tag_status]
    count = rule.count_number
    if rule.count_type == "sinceImagePushed":
        when = f"pushed more than {count} day{'s' if count != 1 else ''} ago"
    else:
        when = f"beyond the newest {count}"
    return f"rule {rule.priority} ({selects}, {when})"


def _image(candidate: Candidate) -> str:
    tags = ", ".join(candidate.tags) if candidate.tags else "untagged"
    return f"{candidate.digest[:19]}… ({tags}, pushed {stamp(candidate.pushed_at)})"


def _kept(policy: LifecyclePolicy, candidate: Candidate, now: datetime) -> str:
    """Why an image the policy did not expire was kept: the first rule that selects it, or none."""
    rule = next((rule for rule in policy.rules if rule.selects(candidate.tags)), None)
    if rule is None:
        return "no rule selects it"
    if rule.count_type == "sinceImagePushed":
        return f"{describe_rule(rule)} selects it, but it was pushed less than {rule.count_number} day(s) ago"
    return f"{describe_rule(rule)} selects it, and it is among the newest {rule.count_number}"


def lifecycle_summary(repository: Repository, expiries: list[Expiry]) -> str:
    """What `sim advance` says of one repository's run: `lifecycle policy of web expired 1 image: rule 1
    (untagged, pushed more than 1 day ago)`."""
    if not expiries:
        return f"lifecycle policy of {repository.name} expired nothing"
    rules = ", ".join(dict.fromkeys(describe_rule(expiry.rule) for expiry in expiries))
    count = len(expiries)
    return f"lifecycle policy of {repository.name} expired {count} image{'s' if count != 1 else ''}: {rules}"


def apply_lifecycle(world: World) -> list[str]:
    """Run every repository's lifecycle policy at the world's current time. Each run is logged with
    which rule expired which image and why every other image was kept; the summaries are returned."""
    now = world.clock.now
    summaries: list[str] = []
    for account in world.accounts.values():
        for registry in account.registries.values():
            for repository in registry.repositories.values():
                stored = repository.lifecycle
                if stored is None:
                    continue
                before = candidates(repository)
                expiries = expire(repository, now)
                expired = {expiry.candidate.digest for expiry in expiries}
                summary = lifecycle_summary(repository, expiries)
                lines = [line(LineKind.VERDICT, summary, matched=True)]
                lines += [
                    line(LineKind.LIFECYCLE, f"expired {_image(e.candidate)}: {describe_rule(e.rule)}", 1)
                    for e in expiries
                ]
                lines += [
                    line(LineKind.LIFECYCLE, f"kept {_image(c)}: {_kept(stored.policy, c, now)}", 1)
                    for c in before
                    if c.digest not in expired
                ]
                world.record(
                    "ecr",
                    "PolicyExecutionEvent",
                    lines,
                    principal_arn=LIFECYCLE_PRINCIPAL,
                    region=registry.region,
                    resource=repository.arn,
                )
                if expiries:
                    summaries.append(summary)
    return summaries
