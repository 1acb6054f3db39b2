"""Acting as an AWS service principal: what `sim as lambda.amazonaws.com` changes.

A service has no IAM identity policies and never calls GetAuthorizationToken: when Lambda or CodeBuild
fetches an image it signs ECR's BatchGetImage and GetDownloadUrlForLayer with its own service credentials,
and the repository policy alone decides (ECR user guide, "Repository policy examples"; Lambda developer
guide, "Amazon ECR permissions"). The model, kept that small:

- `sim as SERVICE` makes the service a profile of the shell; `aws` calls are then signed as it (ECR calls
  must name `--registry-id`: a service has no registry of its own) and fail where AWS would fail them.
- `docker pull` as the service pulls with the service's own credentials, with no login, onto a machine of
  the service's own (the engine's `docker_pull_as_service`): the learner's local images and stored logins
  are untouched. The calls land in the
  world's log, so `sim explain` shows the repository policy's decision.
- `docker login`, `logout` and `push` are refused: a service does none of them.

ECS is not here on purpose: an ECS task pulls as its task execution role (a role that ecs-tasks.amazonaws.com
assumes), never as the service principal itself, so a learner acts as that role instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecrsim.engine.world import World

# The services that pull from ECR in their own name, decided by the repository policy.
SERVICE_PRINCIPALS = ("lambda.amazonaws.com", "codebuild.amazonaws.com")
ECS_TASKS = "ecs-tasks.amazonaws.com"
ECS_HINT = (
    "ECS tasks pull as their task execution role, not as ecs-tasks.amazonaws.com: give the role a trust "
    "policy for ecs-tasks.amazonaws.com, then act as it (aws sts assume-role ... and sim as SESSION_NAME)"
)


def acting_service(world: World, env: Mapping[str, str]) -> str | None:
    """The service principal the command acts as (its AWS_PROFILE names one), else None."""
    principal = world.profiles.get(env.get("AWS_PROFILE") or "")
    return principal if principal in SERVICE_PRINCIPALS else None
