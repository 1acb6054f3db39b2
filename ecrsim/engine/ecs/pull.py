"""What the ECS agent does to start a Fargate task: assume the task execution role, fetch an ECR token, pull
each image's manifest and layers through the task's network path, and what ECS reports when a step fails.

Each step is a real call in the world, so each is authorized and explained like any other: the execution
role is assumed by `ecs-tasks.amazonaws.com` (its trust policy decides), the ECR calls are made as that
role's session with the request context the path gives them (`aws:SourceVpce` and `aws:SourceVpc` through
an interface endpoint, `aws:SourceIp` of the NAT gateway or the task's public address over the internet).
The stopped reasons are ECS's (ECS developer guide, "Amazon ECS stopped task errors":
ResourceInitializationError for registry auth, CannotPullContainerError for manifests and layers).

The agent also keeps an account of every hop (which host it reached and through what, each call's decision)
and of the one that failed (the route, security group or endpoint that closed the path, or the decision that
denied): DescribeTasks shows it to `sim explain`, so a stopped task says which hop failed and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.billing.meter import record_transfer
from ecrsim.engine.docker import Reference
from ecrsim.engine.ec2.reach import PULL_PURPOSE, Origin, Path, Target, request_context, trace
from ecrsim.engine.ecs.model import PULL_ENDS, PullOutcome, Task
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.explanation import (
    ExplanationLine,
    LineKind,
    decision_lines,
    decision_summary,
    indent,
    line,
)

if TYPE_CHECKING:
    from ecrsim.engine.ec2.model import Network
    from ecrsim.engine.policy.types import ContextValue, Decision
    from ecrsim.engine.world import World

ECS_TASKS = "ecs-tasks.amazonaws.com"
_TIMEOUT = "i/o timeout"
_COPY = (
    "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker:"
    " failed open"
)
# The public address a task with assignPublicIp gets, from TEST-NET-1 (RFC 5737): clearly not real, and apart
# from the learner's own address (TEST-NET-3) and the Elastic IPs (TEST-NET-2).
TASK_PUBLIC_IP = "192.0.2.10"
_AUTH = (
    "ResourceInitializationError: unable to pull secrets or registry auth:"
    " execution resource retrieval failed"
)


class _Stop(Exception):
    """A step failed: the task stops with ECS's `reason`; `headline` says which hop, for the explanation."""

    def __init__(self, reason: str, headline: str, container: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.headline = headline
        self.container = container


class _Agent:
    """The ECS agent starting one task: it makes the calls, and keeps the account `sim explain` shows."""

    def __init__(self, world: World, network: Network, task: Task, region: str) -> None:
        self.world = world
        self.network = network
        self.task = task
        self.region = region
        self.origin = Origin(task.subnet_id, task.group_ids, task.public_ip)
        self.steps: list[ExplanationLine] = []  # every hop and call, in order
        self.detail: list[ExplanationLine] = []  # the failing hop in full: its decision, or the fix

    def reach(
        self,
        target: Target,
        registry: tuple[str, str],
        stopped: Callable[[Path], str],
        container: str | None = None,
    ) -> Path:
        """The path to `target` of `registry` (account, Region: the image's, not the task's), noted; a
        closed one stops the task with `stopped(path)`, ECS's words, and its fix becomes the explanation's
        hint."""
        path = trace(self.network, self.origin, target, registry[1], registry[0])
        state = "reachable" if path.reachable else "UNREACHABLE"
        self.steps.append(line(LineKind.NETWORK, f"{path.host}: {state}: {path.reason}", 2, path.reachable))
        if path.reachable:
            if target != "s3":  # a layer's bytes come from S3, which ECR does not authorize
                shown = ", ".join(f"{key}={value}" for key, value in self.context(path).items())
                self.steps.append(line(LineKind.CONDITION, f"request context: {shown or 'none'}", 3))
            return path
        if path.hint:
            self.detail.append(line(LineKind.HINT, path.hint))
        raise _Stop(
            stopped(path), f"the ECS agent could not reach {path.host} {PULL_PURPOSE[target]}", container
        )

    def context(self, path: Path) -> dict[str, ContextValue]:
        """The request context a call along `path` carries (reach.request_context), the task's public
        address when it goes through an internet gateway."""
        return request_context(self.network, path, TASK_PUBLIC_IP)

    def call(
        self,
        caller_arn: str,
        service: str,
        operation: str,
        params: dict[str, Any],
        context: dict[str, ContextValue] | None = None,
        *,
        region: str,
        note: bool = True,
    ) -> dict[str, Any]:
        """One call as `caller_arn` to `region`'s endpoint; its decisions are noted (unless `note` is off,
        for repeated calls) and a refusal's in full. Raises ServiceError as the call does."""
        caller = self.world.resolve(caller_arn)
        try:
            return self.world.call_as(caller, service, operation, params, region=region, context=context)
        except ServiceError as error:
            self._refused(service, operation, error)
            raise
        finally:
            if note:
                self.steps += [decision_summary(d, 3) for d in self.world.events[-1].decisions]

    def _refused(self, service: str, operation: str, error: ServiceError) -> None:
        decision: Decision | None = error.decision
        if decision is not None and not decision.allowed:
            self.detail += [indent(entry) for entry in decision_lines(decision)]
        else:
            self.detail.append(
                line(
                    LineKind.VERDICT,
                    f"REFUSED: {service} {operation}: {error.code}: {error.message}",
                    1,
                    False,
                )
            )

    def assume(self, role_arn: str, what: str) -> str:
        """The session ARN of `role_arn` assumed by ECS for this task; _Stop without it."""
        self.steps.append(line(LineKind.NOTE, f"{what} {role_arn}, assumed by {ECS_TASKS}:", 1))
        service = self.world.resolve(ECS_TASKS)
        params = {"RoleArn": role_arn, "RoleSessionName": self.task.task_id}
        try:
            response = self.world.call_as(service, "sts", "AssumeRole", params, region=self.region)
        except ServiceError as error:
            self._refused("sts", "AssumeRole", error)
            raise _Stop(
                f"{_AUTH}: unable to assume the task execution role {role_arn}:"
                f" {error.code}: {error.message}",
                f"ECS could not assume the {what} {role_arn}",
            ) from None
        finally:
            self.steps += [decision_summary(d, 2) for d in self.world.events[-1].decisions]
        return response["AssumedRoleUser"]["Arn"]

    def pull(self, session_arn: str, ref: Reference, registry: tuple[str, str], container: str) -> None:
        """Pull `ref` from `registry` (account, Region) as `session_arn`; _Stop, in ECS's words, when a hop
        fails. The image's Region decides every host: the agent asks that Region's ECR API for the token
        and that Region's registry and S3 for the image (ECS developer guide, "Amazon ECS task execution
        IAM role"; a VPC endpoint serves only its own Region, so a cross-Region pull needs a way out to
        the internet, and its layers cost inter-Region transfer)."""
        registry_id, region = registry
        self.steps.append(line(LineKind.NOTE, f"pull {ref.canonical} (container {container}):", 1))
        if region != self.region:
            self.steps.append(
                line(
                    LineKind.NOTE,
                    f"the image is in {region}, not the task's {self.region}: the pull goes to {region}'s"
                    f" hosts, which no {self.region} VPC endpoint serves",
                    2,
                )
            )
        api = self.reach(
            "api",
            registry,
            lambda path: (
                f"{_AUTH}: unable to retrieve ecr registry auth: service call has been retried 3 time(s):"
                f' RequestError: send request failed caused by: Post "https://{path.host}/":'
                f" dial tcp {path.address}:443: {_TIMEOUT}. Please check your task network configuration."
            ),
        )
        try:
            self.call(session_arn, "ecr", "GetAuthorizationToken", {}, self.context(api), region=region)
        except ServiceError as error:
            raise _Stop(
                f"{_AUTH}: unable to retrieve ecr registry auth: service call has been retried 3 time(s):"
                f" {error.code}: {error.message} status code: 400",
                "ecr:GetAuthorizationToken was refused",
            ) from None
        manifest_url = f"https://{ref.host}/v2/{ref.name}/manifests/{ref.tag or ref.digest}"
        resolve = f"pull image manifest has been retried 5 time(s): failed to resolve ref {ref.canonical}"
        dkr = self.reach(
            "dkr",
            registry,
            lambda path: (
                f'CannotPullContainerError: {resolve}: failed to do request: Head "{manifest_url}":'
                f" dial tcp {path.address}:443: {_TIMEOUT}"
            ),
            container,
        )
        image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.tag}
        identity = {"registryId": registry_id, "repositoryName": ref.name}
        try:
            found = self.call(
                session_arn,
                "ecr",
                "BatchGetImage",
                {**identity, "imageIds": [image_id]},
                self.context(dkr),
                region=region,
            )
        except ServiceError as error:
            if error.code == "RepositoryNotFoundException":
                raise _Stop(
                    f"CannotPullContainerError: {resolve}: {ref.canonical}: not found",
                    f"repository {ref.name} does not exist",
                    container,
                ) from None
            raise _Stop(
                f"CannotPullContainerError: {resolve}: pulling from host {ref.host} failed with status code"
                f" [manifests {ref.tag or ref.digest}]: 403 Forbidden",
                "ecr:BatchGetImage (the image manifest) was denied",
                container,
            ) from None
        if not found.get("images"):
            self.detail.append(line(LineKind.REGISTRY, f"{ref.canonical}: no such image in {ref.name}", 1))
            raise _Stop(
                f"CannotPullContainerError: {resolve}: {ref.canonical}: not found",
                f"the image {ref.canonical} does not exist",
                container,
            )
        layers = _layer_digests(found["images"][0].get("imageManifest", "{}"))
        try:
            for number, (digest, _) in enumerate(layers):
                params = {**identity, "layerDigest": digest}
                self.call(
                    session_arn,
                    "ecr",
                    "GetDownloadUrlForLayer",
                    params,
                    self.context(dkr),
                    region=region,
                    note=not number,
                )
        except ServiceError:
            blobs = manifest_url.replace("/manifests/", "/blobs/")
            raise _Stop(
                f"{_COPY}: unexpected status code {blobs}: 403 Forbidden",
                "ecr:GetDownloadUrlForLayer (a layer's download address) was denied",
                container,
            ) from None
        if len(layers) > 1:
            self.steps.append(
                line(LineKind.NOTE, f"(the same for each of the image's {len(layers)} layers)", 3)
            )
        s3 = self.reach(
            "s3",
            registry,
            lambda path: (
                f'{_COPY}: failed to do request: Get "https://{path.host}/": dial tcp'
                f" {path.address}:443: {_TIMEOUT}"
            ),
            container,
        )
        for _, size in layers:  # the layers' bytes, billed by the path to S3 (engine.billing)
            record_transfer(self.world, size, s3, region == self.region, "pull")


def settle(world: World, task: Task) -> None:
    """Let the task's pull happen if the clock has reached it, in the network and with the policies as they
    are now (ecs.model: a task is decided once, at its pull)."""
    if (
        task.outcome is not None
        or task.stopped_at is not None
        or world.clock.now < task.created_at + PULL_ENDS
    ):
        return
    arn = parse_arn(task.arn)
    assert arn is not None  # the simulator made this ARN
    task.outcome = start(world, world.accounts[arn.account].networks[arn.region], task, arn.region)
    if task.outcome.stopped_reason is not None:
        task.stopped_at = task.created_at + PULL_ENDS


def settle_due(world: World) -> None:
    """Every task whose pull the clock has reached pulls now: when the clock moves, not when someone next
    looks, so a route or policy changed after the moment cannot change how it went."""
    for account in world.accounts.values():
        for ecs in account.ecs.values():
            for task in ecs.tasks.values():
                settle(world, task)


def start(world: World, network: Network, task: Task, region: str) -> PullOutcome:
    """Run the agent's steps for `task` now and say how it ended, with its account for `sim explain`."""
    agent = _Agent(world, network, task, region)
    definition = task.definition
    execution_arn: str | None = None
    try:
        for container in definition.containers:
            try:
                ref = Reference.parse(container.image)
            except DockerError:
                raise _Stop(
                    f"CannotPullContainerError: invalid reference format: {container.image}",
                    f"the image reference {container.image} is not valid",
                    container.name,
                ) from None
            ecr = ref.ecr()
            if ecr is None:
                # A public registry's image: the simulated network models only the paths to ECR.
                agent.steps.append(line(LineKind.NOTE, f"{container.image}: not from ECR, not simulated", 1))
                continue
            if execution_arn is None:
                execution_arn = agent.assume(definition.execution_role_arn or "", "task execution role")
            agent.pull(execution_arn, ref, ecr, container.name)
    except _Stop as stop:
        head = line(LineKind.VERDICT, f"STOPPED: task {task.task_id}: {stop.headline}", matched=False)
        lines = (head, line(LineKind.NOTE, f"ECS says: {stop.reason}", 1), *_steps(agent), *agent.detail)
        return PullOutcome(stop.reason, stop.reason if stop.container else None, execution_arn, None, lines)
    task_session = None
    if definition.task_role_arn:
        try:
            task_session = agent.assume(definition.task_role_arn, "task role (for the application's code)")
        except _Stop:
            task_session = None
    else:
        agent.steps.append(
            line(LineKind.NOTE, "no task role: the application's code gets no AWS credentials", 1)
        )
    pulled = f"as {execution_arn}" if execution_arn else "(no ECR image)"
    head = line(LineKind.VERDICT, f"RUNNING: task {task.task_id} pulled its images {pulled}", matched=True)
    return PullOutcome(None, None, execution_arn, task_session, (head, *_steps(agent)))


def _steps(agent: _Agent) -> list[ExplanationLine]:
    return [line(LineKind.NOTE, "The ECS agent's steps, in order:", 1), *agent.steps] if agent.steps else []


def _layer_digests(manifest: str) -> list[tuple[str, int]]:
    """The digest and size of each layer the manifest names."""
    try:
        document = json.loads(manifest)
    except ValueError:
        return []
    return [
        (layer["digest"], int(layer.get("size") or 0))
        for layer in document.get("layers", [])
        if isinstance(layer, dict) and "digest" in layer
    ]
