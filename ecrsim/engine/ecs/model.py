"""Amazon ECS as far as ECR meets it: clusters, task definitions and Fargate tasks that pull their images.

A task's life follows the simulated clock (ECS developer guide, "Amazon ECS task lifecycle"): it is
PROVISIONING while its network interface is attached, PENDING while the agent pulls its images (as the task
execution role, through the task's network path), then RUNNING, or STOPPED with the reason ECS reports.
The pull is decided once, at the moment it happens on the clock, so a policy or route changed before then
counts, as it would in AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ecrsim.engine.explanation import ExplanationLine

# When each stage ends, from the moment RunTask is called. AWS gives no fixed durations; these are short
# enough that `sim advance 1m` shows the outcome and long enough that describe-tasks right after RunTask
# shows the stages a learner sees in the console.
PROVISIONING_ENDS = timedelta(seconds=20)
PULL_ENDS = timedelta(seconds=60)

TaskStatus = Literal["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]


@dataclass(frozen=True)
class ContainerDefinition:
    name: str
    image: str
    essential: bool = True


@dataclass(frozen=True)
class TaskDefinition:
    """One revision of a task definition (revisions are immutable in ECS)."""

    family: str
    revision: int
    arn: str
    containers: tuple[ContainerDefinition, ...]
    registered_at: datetime
    registered_by: str
    execution_role_arn: str | None = None
    task_role_arn: str | None = None
    network_mode: str = "bridge"
    requires_compatibilities: tuple[str, ...] = ()
    cpu: str | None = None
    memory: str | None = None
    status: Literal["ACTIVE", "INACTIVE"] = "ACTIVE"


@dataclass
class Cluster:
    name: str
    arn: str
    status: Literal["ACTIVE", "INACTIVE"] = "ACTIVE"


@dataclass(frozen=True)
class PullOutcome:
    """What the pull did: the reason the task stopped (None when it runs), the sessions it used, and the
    agent's account of its hops (ecrsim.engine.ecs.pull), which every DescribeTasks shows `sim explain`."""

    stopped_reason: str | None
    container_reason: str | None = None
    execution_session_arn: str | None = None
    task_session_arn: str | None = None
    explanation: tuple[ExplanationLine, ...] = ()


@dataclass
class Task:
    task_id: str
    arn: str
    cluster_arn: str
    definition: TaskDefinition
    created_at: datetime
    subnet_id: str
    group_ids: tuple[str, ...]
    public_ip: bool
    private_ip: str
    zone: str
    started_by: str | None = None
    outcome: PullOutcome | None = None  # None until the pull has happened on the clock
    stopped_by_user: str | None = None
    stopped_at: datetime | None = None

    def status(self, now: datetime) -> TaskStatus:
        if self.stopped_at is not None and now >= self.stopped_at:
            return "STOPPED"
        if now < self.created_at + PROVISIONING_ENDS:
            return "PROVISIONING"
        if self.outcome is None or now < self.created_at + PULL_ENDS:
            return "PENDING"
        return "RUNNING"


@dataclass
class Ecs:
    """One account's ECS in one Region."""

    clusters: dict[str, Cluster] = field(default_factory=dict)  # by name
    definitions: dict[str, list[TaskDefinition]] = field(default_factory=dict)  # family -> revisions
    tasks: dict[str, Task] = field(default_factory=dict)  # by task ARN

    def copy(self) -> Ecs:
        return Ecs(
            clusters={name: Cluster(c.name, c.arn, c.status) for name, c in self.clusters.items()},
            definitions={family: list(revisions) for family, revisions in self.definitions.items()},
            tasks={arn: _copied_task(task) for arn, task in self.tasks.items()},
        )


def _copied_task(task: Task) -> Task:
    clone = object.__new__(Task)
    clone.__dict__.update(task.__dict__)
    return clone
