"""The ECS API operations a learner needs to run a Fargate task from an ECR image and see why it stops:
clusters, task definitions, RunTask, DescribeTasks, ListTasks and StopTask, with ECS's output shapes and
errors (ECS API reference). Each is authorized as `ecs:ACTION` on the resource's ARN.
"""

from __future__ import annotations

from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import network
from ecrsim.engine.ecs.model import (
    PULL_ENDS,
    Cluster,
    ContainerDefinition,
    Ecs,
    Task,
    TaskDefinition,
)
from ecrsim.engine.ecs.pull import settle
from ecrsim.engine.errors import ServiceError

_HEX = "0123456789abcdef"


def ecs_of(call: Call) -> Ecs:
    account = call.world.accounts[call.caller.account_id or ""]
    return account.ecs.setdefault(call.region, Ecs())


def _arn(call: Call, kind: str, name: str) -> str:
    return f"arn:aws:ecs:{call.region}:{call.caller.account_id}:{kind}/{name}"


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def _cluster(call: Call, name_or_arn: str | None) -> Cluster:
    name = (name_or_arn or "default").rsplit("/", 1)[-1]
    cluster = ecs_of(call).clusters.get(name)
    if cluster is None or cluster.status != "ACTIVE":
        raise ServiceError("ClusterNotFoundException", "Cluster not found.")
    return cluster


def _show_cluster(call: Call, cluster: Cluster) -> dict[str, Any]:
    tasks = [t for t in ecs_of(call).tasks.values() if t.cluster_arn == cluster.arn]
    statuses = [task.status(call.now) for task in tasks]
    return {
        "clusterArn": cluster.arn,
        "clusterName": cluster.name,
        "status": cluster.status,
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": statuses.count("RUNNING"),
        "pendingTasksCount": statuses.count("PENDING") + statuses.count("PROVISIONING"),
        "activeServicesCount": 0,
        "statistics": [],
        "tags": [],
        "settings": [{"name": "containerInsights", "value": "disabled"}],
        "capacityProviders": [],
        "defaultCapacityProviderStrategy": [],
    }


@operation("ecs", "CreateCluster")
def create_cluster(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("clusterName") or "default"
    arn = _arn(call, "cluster", name)
    call.authorize("ecs:CreateCluster", arn)
    clusters = ecs_of(call).clusters
    cluster = clusters.get(name)
    if cluster is None or cluster.status != "ACTIVE":  # CreateCluster of an existing name returns it
        cluster = clusters[name] = Cluster(name, arn)
    return {"cluster": _show_cluster(call, cluster)}


@operation("ecs", "DescribeClusters")
def describe_clusters(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    names = params.get("clusters") or ["default"]
    found, failures = [], []
    for name_or_arn in names:
        name = name_or_arn.rsplit("/", 1)[-1]
        call.authorize("ecs:DescribeClusters", _arn(call, "cluster", name))
        cluster = ecs_of(call).clusters.get(name)
        if cluster is None:
            failures.append({"arn": _arn(call, "cluster", name), "reason": "MISSING"})
        else:
            found.append(_show_cluster(call, cluster))
    return {"clusters": found, "failures": failures}


@operation("ecs", "DeleteCluster")
def delete_cluster(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster(call, params["cluster"])
    call.authorize("ecs:DeleteCluster", cluster.arn)
    if any(
        t.cluster_arn == cluster.arn and t.status(call.now) != "STOPPED" for t in ecs_of(call).tasks.values()
    ):
        raise ServiceError(
            "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
        )
    cluster.status = "INACTIVE"
    return {"cluster": _show_cluster(call, cluster)}


# -- task definitions ----------------------------------------------------------------------------------------
def _show_definition(definition: TaskDefinition) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "taskDefinitionArn": definition.arn,
        "containerDefinitions": [
            {
                "name": c.name,
                "image": c.image,
                "cpu": 0,
                "portMappings": [],
                "essential": c.essential,
                "environment": [],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
            }
            for c in definition.containers
        ],
        "family": definition.family,
    }
    if definition.task_role_arn:
        shown["taskRoleArn"] = definition.task_role_arn
    if definition.execution_role_arn:
        shown["executionRoleArn"] = definition.execution_role_arn
    shown.update(
        networkMode=definition.network_mode,
        revision=definition.revision,
        volumes=[],
        status=definition.status,
        placementConstraints=[],
        compatibilities=["EC2", "FARGATE"] if definition.network_mode == "awsvpc" else ["EC2"],
        requiresCompatibilities=list(definition.requires_compatibilities),
    )
    if definition.cpu:
        shown["cpu"] = definition.cpu
    if definition.memory:
        shown["memory"] = definition.memory
    shown.update(registeredAt=definition.registered_at, registeredBy=definition.registered_by)
    return shown


def _definition(call: Call, name: str) -> TaskDefinition:
    """`family`, `family:revision` or a task definition ARN, as ECS resolves it (the latest ACTIVE revision
    when no revision is named)."""
    family, _, revision = name.rsplit("/", 1)[-1].partition(":")
    revisions = ecs_of(call).definitions.get(family, [])
    if revision:
        chosen = next((d for d in revisions if str(d.revision) == revision), None)
    else:
        chosen = next((d for d in reversed(revisions) if d.status == "ACTIVE"), None)
    if chosen is None:
        raise ServiceError("ClientException", "Unable to describe task definition.")
    return chosen


@operation("ecs", "RegisterTaskDefinition")
def register_task_definition(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    family = params["family"]
    revisions = ecs_of(call).definitions.setdefault(family, [])
    revision = len(revisions) + 1
    arn = _arn(call, "task-definition", f"{family}:{revision}")
    call.authorize("ecs:RegisterTaskDefinition", "*")
    containers = tuple(
        ContainerDefinition(c.get("name", ""), c.get("image", ""), c.get("essential", True))
        for c in params.get("containerDefinitions") or []
    )
    if not containers or any(not c.name or not c.image for c in containers):
        raise ServiceError("ClientException", "Container.image should not be null or empty.")
    compatibilities = tuple(params.get("requiresCompatibilities") or ())
    network_mode = params.get("networkMode") or "bridge"
    if "FARGATE" in compatibilities:
        if network_mode != "awsvpc":
            raise ServiceError("ClientException", "Fargate only supports network mode ‘awsvpc’.")
        if not (params.get("cpu") and params.get("memory")):
            raise ServiceError(
                "ClientException", "Fargate requires task definition to have a cpu and memory value."
            )
        if not params.get("executionRoleArn") and any(".dkr.ecr." in c.image for c in containers):
            # An execution role pulls private ECR images on Fargate (ECS guide, "Task execution IAM role").
            raise ServiceError(
                "ClientException",
                "Fargate requires task definition to have execution role ARN to support ECR images.",
            )
    definition = TaskDefinition(
        family,
        revision,
        arn,
        containers,
        call.now,
        call.caller.arn,
        params.get("executionRoleArn"),
        params.get("taskRoleArn"),
        network_mode,
        compatibilities,
        params.get("cpu"),
        params.get("memory"),
    )
    revisions.append(definition)
    return {"taskDefinition": _show_definition(definition)}


@operation("ecs", "DescribeTaskDefinition")
def describe_task_definition(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecs:DescribeTaskDefinition", "*")
    return {"taskDefinition": _show_definition(_definition(call, params["taskDefinition"]))}


# -- tasks ---------------------------------------------------------------------------------------------------
def _show_task(call: Call, task: Task) -> dict[str, Any]:
    settle(call.world, task)
    status = task.status(call.now)
    reason = task.stopped_by_user or (task.outcome.stopped_reason if task.outcome else None)
    container_reason = task.outcome.container_reason if task.outcome else None
    eni = f"eni-0{task.task_id[:16]}"
    shown: dict[str, Any] = {
        "attachments": [
            {
                "id": task.task_id[:8] + "-attachment",
                "type": "ElasticNetworkInterface",
                "status": "DELETED" if status == "STOPPED" else "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": task.subnet_id},
                    {"name": "networkInterfaceId", "value": eni},
                    {"name": "privateIPv4Address", "value": task.private_ip},
                ],
            }
        ],
        "availabilityZone": task.zone,
        "clusterArn": task.cluster_arn,
        "containers": [
            {
                "containerArn": _arn(call, "container", f"{task.task_id}/{container.name}"),
                "taskArn": task.arn,
                "name": container.name,
                "image": container.image,
                "lastStatus": "RUNNING"
                if status == "RUNNING"
                else ("STOPPED" if status == "STOPPED" else "PENDING"),
                **({"reason": container_reason} if container_reason and status == "STOPPED" else {}),
                "networkInterfaces": [
                    {"attachmentId": task.task_id[:8] + "-attachment", "privateIpv4Address": task.private_ip}
                ],
            }
            for container in task.definition.containers
        ],
        "cpu": task.definition.cpu,
        "createdAt": task.created_at,
        "desiredStatus": "STOPPED" if status == "STOPPED" or task.stopped_by_user else "RUNNING",
        "group": f"family:{task.definition.family}",
        "lastStatus": status,
        "launchType": "FARGATE",
        "memory": task.definition.memory,
        "platformVersion": "1.4.0",
        "taskArn": task.arn,
        "taskDefinitionArn": task.definition.arn,
    }
    if task.outcome is not None and not task.stopped_by_user:
        call.outcomes.extend(task.outcome.explanation)  # the agent's account of the pull, for `sim explain`
    if status == "STOPPED":
        shown["stopCode"] = "UserInitiated" if task.stopped_by_user else "TaskFailedToStart"
        shown["stoppedAt"] = task.stopped_at
        shown["stoppedReason"] = reason
    elif status == "RUNNING":
        shown["startedAt"] = task.created_at + PULL_ENDS
    return shown


@operation("ecs", "RunTask")
def run_task(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster(call, params.get("cluster"))
    definition = _definition(call, params["taskDefinition"])
    call.authorize("ecs:RunTask", definition.arn)
    if (params.get("launchType") or "EC2") != "FARGATE":
        raise _invalid("ecrsim runs tasks on Fargate only: use --launch-type FARGATE.")
    awsvpc = (params.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    subnets = awsvpc.get("subnets") or []
    if not subnets:
        raise _invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
    net = network(call)
    for subnet_id in subnets:
        if subnet_id not in net.subnets:
            raise _invalid(
                f"Error retrieving subnet information for [{subnet_id}]: The subnet ID '{subnet_id}' does not"
                " exist (ErrorCode: InvalidSubnetID.NotFound)"
            )
    subnet = net.subnets[subnets[0]]
    groups = tuple(awsvpc.get("securityGroups") or ())
    for group_id in groups:
        if group_id not in net.security_groups:
            raise _invalid(
                f"Error retrieving security group information for [{group_id}]: The security group"
                f" '{group_id}' does not exist (ErrorCode: InvalidGroup.NotFound)"
            )
    if not groups:  # ECS uses the VPC's default security group
        groups = tuple(
            g.group_id for g in net.in_vpc(net.security_groups, subnet.vpc_id) if g.name == "default"
        )
    count = int(params.get("count") or 1)
    tasks = []
    for _ in range(count):
        task_id = call.world.make_id("", 32, _HEX)
        task = Task(
            task_id,
            _arn(call, "task", f"{cluster.name}/{task_id}"),
            cluster.arn,
            definition,
            call.now,
            subnet.subnet_id,
            groups,
            awsvpc.get("assignPublicIp") == "ENABLED",
            subnet.first_host,
            subnet.zone,
            params.get("startedBy"),
        )
        ecs_of(call).tasks[task.arn] = task
        tasks.append(_show_task(call, task))
    return {"tasks": tasks, "failures": []}


def _task(call: Call, cluster: Cluster, name_or_arn: str) -> Task | None:
    task_id = name_or_arn.rsplit("/", 1)[-1]
    return ecs_of(call).tasks.get(_arn(call, "task", f"{cluster.name}/{task_id}"))


@operation("ecs", "DescribeTasks")
def describe_tasks(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster(call, params.get("cluster"))
    found, failures = [], []
    for name in params.get("tasks") or []:
        task = _task(call, cluster, name)
        call.authorize(
            "ecs:DescribeTasks", task.arn if task else _arn(call, "task", f"{cluster.name}/{name}")
        )
        if task is None:
            failures.append({"arn": name, "reason": "MISSING"})
        else:
            found.append(_show_task(call, task))
    return {"tasks": found, "failures": failures}


@operation("ecs", "ListTasks")
def list_tasks(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster(call, params.get("cluster"))
    call.authorize("ecs:ListTasks", cluster.arn)
    wanted = params.get("desiredStatus") or "RUNNING"
    arns = []
    for task in ecs_of(call).tasks.values():
        if task.cluster_arn != cluster.arn:
            continue
        settle(call.world, task)
        stopped = task.status(call.now) == "STOPPED" or task.stopped_by_user
        if (wanted == "STOPPED") == bool(stopped):
            arns.append(task.arn)
    return {"taskArns": arns}


@operation("ecs", "StopTask")
def stop_task(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster(call, params.get("cluster"))
    task = _task(call, cluster, params["task"])
    if task is None:
        raise _invalid("The referenced task was not found.")
    call.authorize("ecs:StopTask", task.arn)
    settle(call.world, task)
    if task.stopped_at is None:
        task.stopped_by_user = params.get("reason") or "Task stopped by user"
        task.stopped_at = call.now
    return {"task": _show_task(call, task)}
