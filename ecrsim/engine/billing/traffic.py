"""Steady pull traffic stated by a scenario (`sim traffic pull 2TB/month --from ...`): where it comes from,
and the sentence that says which path it takes and how that path is billed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecrsim.engine.billing.meter import Flow, charges
from ecrsim.engine.billing.prices import PRICES, dollars
from ecrsim.engine.docker import ecr_host
from ecrsim.engine.ec2.reach import Origin

if TYPE_CHECKING:
    from ecrsim.engine.world import World


def _origin(world: World, account_id: str, source: str) -> tuple[str, Origin]:
    """The Region and network origin of an instance or a subnet (with its VPC's default security group)."""
    for region, network in world.accounts[account_id].networks.items():
        instance = network.instances.get(source)
        if instance is not None:
            return region, Origin(instance.subnet_id, instance.group_ids, instance.public_ip is not None)
        subnet = network.subnets.get(source)
        if subnet is not None:
            defaults = network.in_vpc(network.security_groups, subnet.vpc_id)
            groups = tuple(g.group_id for g in defaults if g.name == "default")
            return region, Origin(subnet.subnet_id, groups, subnet.map_public_ip)
    raise ValueError(f"no instance or subnet {source} in account {account_id} (aws ec2 describe-subnets)")


def pull_flow(world: World, account_id: str, source: str, gib_per_month: float, registry: str | None) -> Flow:
    """A flow from an instance or a subnet of `account_id`; ValueError (one sentence) for what is not one."""
    region, origin = _origin(world, account_id, source)
    where = (account_id, region)
    if registry is not None:
        found = ecr_host(registry)
        if found is None:
            raise ValueError(
                f"{registry} is not a private registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com)"
            )
        where = found
    return Flow(gib_per_month, source, account_id, region, origin, where)


def blocked(world: World, flow: Flow) -> bool:
    """Do the flow's pulls fail (no path to the ECR API, the registry or S3)?"""
    return flow.unreachable(world) is not None


def describe(world: World, flow: Flow) -> str:
    """`i-0abc pulls 2,048 GB a month from HOST: the layers go through NAT gateway nat-..., billed as ...`"""
    host = f"{flow.registry[0]}.dkr.ecr.{flow.registry[1]}.amazonaws.com"
    head = f"{flow.source} pulls {flow.gib_per_month:,.0f} GB a month from {host}"
    failure = flow.failure(world)
    if failure is not None:
        return f"{head}, but {failure}"
    layers = flow.paths(world)[-1]
    billed = [PRICES[key] for key in charges(layers, flow.registry[1] == flow.region, "pull")]
    how = (
        " and ".join(
            f"{price.label} ({dollars(price.dollars)}/GB{': free' if not price.dollars else ''})"
            for price in billed
        )
        if billed
        else "nothing: same-Region transfer from ECR is free"
    )
    return f"{head}: the layers (in Amazon S3) go through {layers.via}, billed as {how}"
