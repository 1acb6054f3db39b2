"""What a pull through a cache rule does: create the repository, import the upstream image, serve it
from the cache afterwards, and ask the upstream again at most once a day.

From the ECR user guide (pull-through-cache, pull-through-cache-iam):
- The first pull of an image creates its repository and imports it, as the puller: that needs
  `ecr:CreateRepository` (identity policy or registry policy) when the repository does not exist yet and
  `ecr:BatchImportUpstreamImage` (identity, registry or repository policy).
- "For subsequent pull requests of the cached image with a given tag, Amazon ECR checks the upstream
  registry for a new version of the image with that specific tag and attempts to update the image in your
  private registry at least once every 24 hours": within 24 hours of the last check, a pull is served
  from the cache without asking the upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from ecrsim.engine import upstream as catalogue
from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import registry_of, repository_arn
from ecrsim.engine.ecr.model import Image, PullThroughCacheRule, Registry, Repository, StoredImage
from ecrsim.engine.ecr.pull_through import Upstream, matching_rule, upstream_auth_problem, upstream_of
from ecrsim.engine.ecr.registry_policy import registry_decision
from ecrsim.engine.ecr.registry_scanning import scan_on_push
from ecrsim.engine.ecr.templates import create_repository_on_behalf, matching_template
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import ExplanationLine, LineKind, line, stamp

if TYPE_CHECKING:
    from ecrsim.engine.iam import Caller
    from ecrsim.engine.policy.types import Decision
    from ecrsim.engine.world import World

REFRESH_INTERVAL = timedelta(hours=24)
# What ECR answers when the rule's credentials do not work. Its beginning is as reported from ECR
# (aws/containers-roadmap#2354, cut off after "Verify that the credenti"); the rest is the simulator's.
UPSTREAM_AUTH_FAILED = (
    "The authentication to the upstream registry failed. Verify that the credentials are valid."
)


def _upstream_path(rule: PullThroughCacheRule, name: str) -> str:
    rest = name if rule.prefix == "ROOT" else name.removeprefix(rule.prefix + "/")
    return f"{rule.upstream_prefix}/{rest}" if rule.upstream_prefix else rest


Outcome = Literal["cached", "imported", "refreshed", "denied", "unauthenticated", "missing", "unsupported"]


@dataclass(frozen=True)
class Sync:
    """What a pull through the cache did before the registry served the manifest: its outcome, the lines
    for docker's account of the pull, and what the import call found (its own event says it too; a
    failed pull repeats it, as docker's account is then the one `sim explain` shows in full)."""

    outcome: Outcome
    lines: tuple[ExplanationLine, ...]
    found: tuple[ExplanationLine, ...] = ()


def sync(
    world: World,
    caller: Caller,
    registry_id: str,
    region: str,
    name: str,
    tag: str | None,
    digest: str | None,
) -> Sync | None:
    """Before a pull of `name` is served: if a pull through cache rule covers it, bring the image from
    the upstream when it is not cached, or when the tag was last checked 24 hours ago or more. None when
    no rule covers the repository. Each ECR action is decided as the puller (an event per call)."""
    account = world.accounts.get(registry_id)
    if account is None:
        return None
    registry = account.registry(region)
    rule = matching_rule(registry, name)
    if rule is None:
        return None
    head = line(
        LineKind.REGISTRY, f"pull through cache rule {rule.prefix} ({rule.upstream_url}) covers {name}"
    )
    repository = registry.repositories.get(name)
    now = world.clock.now
    if repository is not None:
        cached = _cached(registry, repository, tag, digest, now)
        if cached is not None:
            return Sync("cached", (head, cached))
    try:
        response = world.call_as(
            caller,
            "ecr",
            "BatchImportUpstreamImage",
            {"registryId": registry_id, "repositoryName": name, "imageTag": tag, "imageDigest": digest},
            region=region,
        )
    except ServiceError as error:
        return Sync(_refusal(error), (head,), world.events[-1].outcomes)
    return Sync(response["outcome"], (head,), world.events[-1].outcomes)


def _refusal(error: ServiceError) -> Outcome:
    return "denied" if error.code == "AccessDeniedException" else "unsupported"


def _cached(
    registry: Registry, repository: Repository, tag: str | None, digest: str | None, now: datetime
) -> ExplanationLine | None:
    """Why the cache serves the pull without asking the upstream, or None if it must ask."""
    if digest is not None:
        if digest in repository.images:
            return line(LineKind.REGISTRY, f"{digest} is cached: a digest never changes upstream")
        return None
    if tag is None or tag not in repository.image_tags:
        return None
    checked = registry.upstream_checks.get((repository.name, tag))
    if checked is not None and now - checked < REFRESH_INTERVAL:
        return line(
            LineKind.REGISTRY,
            f"served from the cache: ECR last checked the upstream for {tag} at {stamp(checked)}, less than"
            f" 24 hours ago (next check after {stamp(checked + REFRESH_INTERVAL)})",
        )
    return None


@operation("ecr", "BatchImportUpstreamImage")
def batch_import_upstream_image(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """ECR's import for a pull through cache: not an API a client calls, the permission a pull needs
    (the Service Authorization Reference lists ecr:BatchImportUpstreamImage as permission-only). Logged as
    its own event so that `sim explain` shows the decisions."""
    registry = registry_of(call, params)
    name, tag, digest = params["repositoryName"], params.get("imageTag"), params.get("imageDigest")
    rule = matching_rule(registry, name)
    assert rule is not None
    repository = registry.repositories.get(name)
    if repository is None:
        call.explain(LineKind.REGISTRY, f"no repository {name} yet: ECR creates it as the puller")
        _allow(call, registry_decision(call, registry, "ecr:CreateRepository", name))
        template = matching_template(registry, name, "PULL_THROUGH_CACHE")
        if template is not None and template.resource_tags:
            # "ecr:TagResource ... is only required if ... a repository creation template ... is configured
            # to add resource tags ... must be granted via an identity-based policy" (pull-through-cache-iam).
            call.authorize(
                "ecr:TagResource", repository_arn(registry, name), resource_account=registry.account_id
            )
    _allow(call, _import_decision(call, registry, repository, name))
    kind = upstream_of(rule.upstream_url)
    assert kind is not None
    problem = upstream_auth_problem(call.world, registry, rule)
    if problem is not None:
        call.explain(LineKind.REGISTRY, f"ECR could not authenticate to {rule.upstream_url}: {problem}")
        call.explain(
            LineKind.HINT,
            "put a valid username and access token in the rule's secret"
            " (aws ecr validate-pull-through-cache-rule checks it)",
        )
        return {"outcome": "unauthenticated"}
    path = _upstream_path(rule, name)
    if rule.custom_role_arn:
        call.explain(
            LineKind.NOTE,
            "ECR to ECR across accounts (ECR assuming the rule's customRoleArn) is not simulated:"
            " nothing imported",
        )
    found = _find_upstream(call.world, kind, rule, path, tag, digest, call.now)
    if found is None:
        call.explain(
            LineKind.REGISTRY,
            f"{rule.upstream_url} has no image {path}{':' + tag if tag else '@' + str(digest)}:"
            " nothing imported",
        )
        return {"outcome": "missing"}
    created = repository is None
    if repository is None:
        repository = create_repository_on_behalf(call, registry, name, "PULL_THROUGH_CACHE")
    previous = repository.image_tags.get(tag) if tag else None
    _import(call, repository, found)
    if tag:
        repository.image_tags[tag] = found.digest
        registry.upstream_checks[(name, tag)] = call.now
    source = f"{rule.upstream_url}/{path}{':' + tag if tag else '@' + found.digest}"
    if previous == found.digest:
        call.explain(
            LineKind.REGISTRY, f"checked {source}: unchanged since it was cached; next check in 24 hours"
        )
        return {"outcome": "refreshed"}
    if previous is None:
        call.explain(LineKind.REGISTRY, f"imported {source} as {found.digest}")
    else:
        call.explain(
            LineKind.REGISTRY,
            f"{source} changed upstream: the cache now has {found.digest} (it had {previous}, now untagged)",
        )
    return {"outcome": "imported" if created or previous is None else "refreshed"}


def _import_decision(call: Call, registry: Registry, repository: Repository | None, name: str) -> Decision:
    """ecr:BatchImportUpstreamImage "can be granted by using the private registry permissions policy, an
    identity-based IAM policy, or by using the resource-based repository permissions policy"
    (pull-through-cache-iam): the repository's policy is asked first where there is one, and the registry's
    decides when the repository's neither allows nor explicitly denies."""
    if repository is not None and repository.policy is not None:
        decision = call.decide(
            "ecr:BatchImportUpstreamImage",
            repository.arn,
            resource_policy=repository.policy.policy,
            resource_account=registry.account_id,
        )
        if decision.allowed or decision.verdict == "explicit_deny":
            return decision
    return registry_decision(call, registry, "ecr:BatchImportUpstreamImage", name)


def _allow(call: Call, decision: Decision) -> None:
    """Refuse as Call.authorize does when `decision` denies."""
    if not decision.allowed:
        raise ServiceError("AccessDeniedException", decision.message or "", decision=decision)


def _import(call: Call, repository: Repository, image: Image) -> None:
    """Store the image and its blobs in the cache repository; a new image is scanned as a push would be."""
    for blob in (image.config, *image.layers):
        repository.layers.setdefault(blob.digest, blob)
    if image.digest not in repository.images:
        repository.images[image.digest] = StoredImage(image, call.now)
        started = scan_on_push(call, repository, image)
        if started is not None:
            repository.scans[image.digest] = started


def _find_upstream(
    world: World,
    kind: Upstream,
    rule: PullThroughCacheRule,
    path: str,
    tag: str | None,
    digest: str | None,
    now: datetime,
) -> Image | None:
    """The upstream's image: the public catalogue's, or for ECR to ECR the upstream registry's own."""
    if kind.auth == "role":
        match = kind.url.fullmatch(rule.upstream_url)
        assert match is not None
        if rule.custom_role_arn:
            return None  # cross-account: see batch_import_upstream_image
        account = world.accounts.get(match.group(1))
        source = account.registry(match.group(2)).repositories.get(path) if account else None
        if source is None:
            return None
        wanted = digest or source.image_tags.get(tag or "")
        stored = source.images.get(wanted or "")
        return stored.image if stored else None
    found = catalogue.find(kind.host or rule.upstream_url, path, tag, digest, now)
    return found.image if found else None
