"""Working on an EC2 instance (`sim on INSTANCE_ID`): where its requests go and who they are signed as.

A machine's requests to AWS leave through its network interface, so each one follows the path
`ec2.reach.trace` finds from the instance's subnet and security groups, and carries the request context that
path gives (aws:SourceVpce through an endpoint, the NAT gateway's or the instance's own public address
otherwise). A request with no path times out, as it would on the instance.

The instance's software signs with its instance profile's role: EC2 assumes the role
(`ec2.amazonaws.com` must be trusted by it) and serves the session's temporary credentials on the instance
metadata service, renewing them before they expire ("Use an IAM role to grant permissions to applications
running on Amazon EC2 instances", IAM user guide; "Retrieve security credentials from instance metadata",
EC2 user guide). The session is named by the instance id, as EC2 names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecrsim.engine.ec2.reach import Origin, Path, Target, request_context, trace
from ecrsim.engine.errors import ConnectTimeout, ServiceError
from ecrsim.engine.explanation import LineKind, line
from ecrsim.engine.policy.types import ContextValue

if TYPE_CHECKING:
    from ecrsim.engine.ec2.model import Instance, Network
    from ecrsim.engine.world import World

EC2_SERVICE = "ec2.amazonaws.com"
# The host a service's requests go to, by the service name the engine's operations use.
SERVICE_TARGETS: dict[str, Target] = {
    "ecr": "api",
    "sts": "sts",
    "iam": "iam",
    "ec2": "ec2",
    "ecs": "ecs",
    "lambda": "lambda",
}


@dataclass(frozen=True)
class Vantage:
    """The instance a machine is: its account, Region and id."""

    account_id: str
    region: str
    instance_id: str


def network_of(world: World, vantage: Vantage) -> Network:
    return world.accounts[vantage.account_id].networks[vantage.region]


def instance_of(world: World, vantage: Vantage) -> Instance:
    return network_of(world, vantage).instances[vantage.instance_id]


def find(world: World, account_id: str, instance_id: str) -> Vantage | None:
    """The vantage of a running instance of `account_id` in any Region, or None."""
    account = world.accounts.get(account_id)
    for region, net in account.networks.items() if account else ():
        instance = net.instances.get(instance_id)
        if instance is not None and instance.state == "running":
            return Vantage(account_id, region, instance_id)
    return None


def path_to(
    world: World, vantage: Vantage, target: Target, region: str, account_id: str | None = None
) -> Path:
    instance = instance_of(world, vantage)
    origin = Origin(instance.subnet_id, instance.group_ids, instance.public_ip is not None)
    return trace(network_of(world, vantage), origin, target, region, account_id)


def route(
    world: World, vantage: Vantage, target: Target, region: str, account_id: str | None = None
) -> tuple[Path, dict[str, ContextValue]]:
    """The path a request from the instance to `target` takes and the context it carries; ConnectTimeout
    (logged with the path's reason, for `sim explain`) when there is none."""
    path = path_to(world, vantage, target, region, account_id)
    if not path.reachable:
        world.record(
            "network",
            "connect",
            [
                line(LineKind.VERDICT, f"FAILED: connection to {path.host} timed out", matched=False),
                line(LineKind.RULE, f"from {vantage.instance_id}: {path.reason}", 1),
            ],
            region=region,
            error_code="ConnectTimeout",
            error_message=path.reason,
        )
        raise ConnectTimeout(path.host, path.address, path.reason)
    instance = instance_of(world, vantage)
    return path, request_context(network_of(world, vantage), path, instance.public_ip or "")


def credentials(world: World, vantage: Vantage) -> str | None:
    """The profile of the instance role's current session, from the instance metadata service: renewed
    (assumed again by EC2) when it is missing or has expired; None when the instance has no role."""
    instance = instance_of(world, vantage)
    account = world.accounts[vantage.account_id]
    name = (instance.profile_arn or "").rsplit("/", 1)[-1]
    profile = account.instance_profiles.get(name)
    if profile is None or not profile.roles or profile.roles[0] not in account.roles:
        return None
    role = account.roles[profile.roles[0]]
    session_arn = f"arn:aws:sts::{account.id}:assumed-role/{role.name}/{instance.instance_id}"
    session = account.sessions.get(session_arn)
    if (
        session is not None
        and world.clock.now < session.expires
        and world.profiles.get(instance.instance_id) == session_arn
    ):
        return instance.instance_id
    params = {"RoleArn": role.arn, "RoleSessionName": instance.instance_id}
    try:
        world.call_as(world.resolve(EC2_SERVICE), "sts", "AssumeRole", params, region=vantage.region)
    except ServiceError:  # the role no longer trusts EC2: the metadata service has nothing to give
        return None
    return instance.instance_id
