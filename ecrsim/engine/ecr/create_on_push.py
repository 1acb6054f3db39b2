"""Create on push: a push to a repository that does not exist creates it, when a repository creation
template applied for CREATE_ON_PUSH covers its name.

"The Amazon ECR repository must exist before you push the image, or you must have a repository creation
template defined" (ECR user guide, "Pushing a Docker image to an Amazon ECR private repository"; the
templates control "repositories created during a pull through cache, create on push, or replication
action"). ECR creates the repository as the pusher, so the pusher needs `ecr:CreateRepository` on it, as
anyone creating a repository does (the templates guide lists ecr:CreateRepository among the permissions a
template's use needs); the template gives it its settings (templates.create_repository_on_behalf). Without
such a template the push fails as before, with RepositoryNotFoundException.

Each call that starts a push (BatchCheckLayerAvailability, InitiateLayerUpload, PutImage) may create it:
docker's first is BatchCheckLayerAvailability, and a client of the API may start with either other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecrsim.engine.api import Call
from ecrsim.engine.ecr.access import authorize_on, not_found, registry_of, repository_arn
from ecrsim.engine.ecr.model import Registry, Repository
from ecrsim.engine.explanation import LineKind


def repository_for_push(call: Call, params: Mapping[str, Any], action: str) -> tuple[Registry, Repository]:
    """Authorize `action` on `repositoryName`, and create the repository on push when it is missing and a
    CREATE_ON_PUSH template covers it; RepositoryNotFoundException otherwise, AccessDenied when the pusher
    may not create it."""
    # templates imports lifecycle, which imports images, which pushes: imported here to break the cycle.
    from ecrsim.engine.ecr.templates import create_repository_on_behalf, matching_template

    registry = registry_of(call, params)
    name = params["repositoryName"]
    repository = authorize_on(call, action, registry, name)
    if repository is not None:
        return registry, repository
    if matching_template(registry, name, "CREATE_ON_PUSH") is None:
        call.explain(
            LineKind.REGISTRY,
            f"no repository {name}, and no repository creation template applied for CREATE_ON_PUSH covers"
            " the name, so the push cannot create it",
        )
        call.explain(
            LineKind.HINT,
            f"aws ecr create-repository --repository-name {name}, or a creation template with --applied-for"
            " CREATE_ON_PUSH whose prefix covers it (or ROOT)",
        )
        raise not_found(name, registry.account_id)
    call.explain(LineKind.REGISTRY, f"no repository {name} yet: ECR creates it on push, as the pusher")
    call.authorize(
        "ecr:CreateRepository", repository_arn(registry, name), resource_account=registry.account_id
    )
    return registry, create_repository_on_behalf(call, registry, name, "CREATE_ON_PUSH")
