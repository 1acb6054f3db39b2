"""What the ECS agent does to start a Fargate task: assume the task execution role, fetch an ECR token, pull
each image's manifest and layers through the task's network path, and what ECS reports when a step fails.

Each step is a real call in the world, so each is authorized and explained like any other: the execution
role is assumed by `ecs-tasks.amazonaws.com` (its trust policy decides), the ECR calls are made as that
role's session with the request context the path gives them (`aws:SourceVpce` and `aws:SourceVpc` through
an interface endpoint, `aws:SourceIp` of the NAT gateway or the task's public address over the internet).
The stopped reasons are ECS's (ECS developer guide, "Amazon ECS stopped task errors":
ResourceInitializationError for registry auth, CannotPullContainerError for manifests and layers).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ecrsim.engine.docker import Reference
from ecrsim.engine.ec2.reach import Origin, Path, Target, trace
from ecrsim.engine.ecs.model import PullOutcome, Task
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.policy.types import ContextValue

if TYPE_CHECKING:
    from ecrsim.engine.ec2.model import Network
    from ecrsim.engine.world import World

ECS_TASKS = "ecs-tasks.amazonaws.com"
_TIMEOUT = "i/o timeout"
# The public address a task with assignPublicIp gets, from TEST-NET-1 (RFC 5737): clearly not real, and apart
# from the learner's own address (TEST-NET-3) and the Elastic IPs (TEST-NET-2).
TASK_PUBLIC_IP = "192.0.2.10"
_AUTH = (
    "ResourceInitializationError: unable to pull secrets or registry auth:"
    " execution resource retrieval failed"
)


def start(world: World, network: Network, task: Task, region: str) -> PullOutcome:
    """Run the agent's steps for `task` now and say how it ended."""
    definition = task.definition
    origin = Origin(task.subnet_id, task.group_ids, task.public_ip)
    execution_arn: str | None = None
    for container in definition.containers:
        try:
            ref = Reference.parse(container.image)
        except DockerError:
            return _stopped(
                f"CannotPullContainerError: invalid reference format: {container.image}", container.name
            )
        ecr = ref.ecr()
        if ecr is None:
            continue  # a public registry's image: the simulated network models only the paths to ECR
        if execution_arn is None:
            assumed = _assume(world, definition.execution_role_arn or "", task, region)
            if isinstance(assumed, PullOutcome):
                return assumed
            execution_arn = assumed
        failure = _pull(world, network, origin, region, execution_arn, ref, ecr)
        if failure is not None:
            return _stopped(failure, container.name, execution_arn)
    task_session = None
    if definition.task_role_arn:
        assumed = _assume(world, definition.task_role_arn, task, region)
        task_session = assumed if isinstance(assumed, str) else None
    return PullOutcome(None, None, execution_arn, task_session)


def _stopped(reason: str, container: str | None, session: str | None = None) -> PullOutcome:
    return PullOutcome(reason, reason if container else None, session)


def _assume(world: World, role_arn: str, task: Task, region: str) -> str | PullOutcome:
    """The session ARN of `role_arn` assumed by ECS for this task, or how the task stops without it."""
    service = world.resolve(ECS_TASKS)
    params = {"RoleArn": role_arn, "RoleSessionName": task.task_id}
    try:
        response = world.call_as(service, "sts", "AssumeRole", params, region=region)
    except ServiceError as error:
        return _stopped(
            f"{_AUTH}: unable to assume the task execution role {role_arn}: {error.code}: {error.message}",
            None,
        )
    return response["AssumedRoleUser"]["Arn"]


def _context(network: Network, path: Path) -> dict[str, ContextValue]:
    """The request context a call along `path` carries (IAM condition keys: aws:SourceVpce, aws:SourceVpc,
    aws:SourceIp; through a VPC endpoint there is no aws:SourceIp)."""
    if path.endpoint_id is not None:
        return {"aws:SourceVpce": path.endpoint_id, "aws:SourceVpc": path.vpc_id or ""}
    if path.via.startswith("NAT gateway"):
        nat = network.nat_gateways[path.via.rsplit(" ", 1)[-1]]
        address = network.addresses.get(nat.allocation_id or "")
        return {"aws:SourceIp": address.public_ip} if address else {}
    return {"aws:SourceIp": TASK_PUBLIC_IP}


def _pull(
    world: World,
    network: Network,
    origin: Origin,
    region: str,
    session_arn: str,
    ref: Reference,
    ecr: tuple[str, str],
) -> str | None:
    """Why pulling `ref` as `session_arn` fails, in ECS's words, or None when it succeeds."""
    registry_id, _ = ecr

    def unreachable(target: Target) -> Path | None:
        path = trace(network, origin, target)
        return None if path.reachable else path

    def call(path: Path, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        caller = world.resolve(session_arn)
        return world.call_as(caller, "ecr", operation, params, region=region, context=_context(network, path))

    blocked = unreachable("api")
    if blocked is not None:
        return (
            f"{_AUTH}: unable to retrieve ecr registry auth: service call has been retried 3 time(s):"
            f' RequestError: send request failed caused by: Post "https://{blocked.host}/": dial tcp'
            f" {blocked.address}:443: {_TIMEOUT}. Please check your task network configuration."
        )
    try:
        call(trace(network, origin, "api"), "GetAuthorizationToken", {})
    except ServiceError as error:
        return (
            f"{_AUTH}: unable to retrieve ecr registry auth: service call has been retried 3 time(s):"
            f" {error.code}: {error.message} status code: 400"
        )
    manifest_url = f"https://{ref.host}/v2/{ref.name}/manifests/{ref.tag or ref.digest}"
    resolve = f"pull image manifest has been retried 5 time(s): failed to resolve ref {ref.canonical}"
    blocked = unreachable("dkr")
    if blocked is not None:
        return (
            f'CannotPullContainerError: {resolve}: failed to do request: Head "{manifest_url}":'
            f" dial tcp {blocked.address}:443: {_TIMEOUT}"
        )
    image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.tag}
    dkr = trace(network, origin, "dkr")
    try:
        found = call(
            dkr,
            "BatchGetImage",
            {"registryId": registry_id, "repositoryName": ref.name, "imageIds": [image_id]},
        )
    except ServiceError as error:
        if error.code == "RepositoryNotFoundException":
            return f"CannotPullContainerError: {resolve}: {ref.canonical}: not found"
        return (
            f"CannotPullContainerError: {resolve}: pulling from host {ref.host} failed with status code"
            f" [manifests {ref.tag or ref.digest}]: 403 Forbidden"
        )
    if not found.get("images"):
        return f"CannotPullContainerError: {resolve}: {ref.canonical}: not found"
    blocked = unreachable("s3")
    if blocked is not None:
        return (
            "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker:"
            f' failed open: failed to do request: Get "https://{blocked.host}/": dial tcp'
            f" {blocked.address}:443: {_TIMEOUT}"
        )
    layers = _layer_digests(found["images"][0].get("imageManifest", "{}"))
    try:
        for digest in layers:
            call(
                dkr,
                "GetDownloadUrlForLayer",
                {"registryId": registry_id, "repositoryName": ref.name, "layerDigest": digest},
            )
    except ServiceError:
        return (
            "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker:"
            f" failed open: unexpected status code {manifest_url.replace('/manifests/', '/blobs/')}:"
            " 403 Forbidden"
        )
    return None


def _layer_digests(manifest: str) -> list[str]:
    try:
        document = json.loads(manifest)
    except ValueError:
        return []
    return [
        layer["digest"]
        for layer in document.get("layers", [])
        if isinstance(layer, dict) and "digest" in layer
    ]
