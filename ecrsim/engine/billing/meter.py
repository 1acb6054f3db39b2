"""What the world uses that AWS bills, measured on the simulated clock.

Two kinds of use:
- what lasts (stored image bytes, NAT gateways, interface endpoints in each of their Availability Zones, and
  the steady pull traffic a scenario states with `sim traffic`) accrues while the clock moves, at the rate
  the world has during the move (`settle`, called by `World.advance`);
- what happens at a moment (a docker pull or push) is metered when it happens (`record_transfer`).

Where a byte goes decides what it costs, so the network path decides the line: a pull's layers come from
Amazon S3 (ECR user guide, "Amazon ECR interface VPC endpoints": "Amazon ECR uses Amazon S3 to store your
image layers"), so they cost what the path to S3 costs (free through an S3 gateway endpoint, per GB
through an interface endpoint or a NAT gateway), and a pull from another Region adds inter-Region transfer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from ecrsim.engine.billing.prices import GIB, HOURS_PER_MONTH
from ecrsim.engine.ec2.reach import PULL_PURPOSE, TARGETS, Origin, Path, trace

if TYPE_CHECKING:
    from ecrsim.engine.world import World

Direction = Literal["pull", "push"]


@dataclass(frozen=True)
class Flow:
    """Steady pull traffic a scenario states: `gib_per_month` GB a month pulled from `source` (an instance
    or a subnet of account `account_id` in `region`) out of the registry of `registry` (account, Region)."""

    gib_per_month: float
    source: str
    account_id: str
    region: str
    origin: Origin
    registry: tuple[str, str]

    def paths(self, world: World) -> tuple[Path, ...]:
        """The paths to the three hosts every pull needs, as the ECS agent checks them (reach.TARGETS: the
        ECR API for the token, the registry for manifests, S3 for the layers, the last being nearly all the
        bytes)."""
        network = world.accounts[self.account_id].networks[self.region]
        account, region = self.registry
        return tuple(trace(network, self.origin, target, region, account) for target in TARGETS)

    def unreachable(self, world: World) -> Path | None:
        """The first of the three hosts the flow's pulls cannot reach, or None when they all can."""
        return next((path for path in self.paths(world) if not path.reachable), None)

    def failure(self, world: World) -> str | None:
        """Why the flow's pulls fail, in the words of the ECS agent's account, or None when they work."""
        path = self.unreachable(world)
        return (
            None if path is None else f"cannot reach {path.host} {PULL_PURPOSE[path.target]}: {path.reason}"
        )


@dataclass
class Meter:
    """Quantities used since `start`, by price key (ecrsim.engine.billing.prices), accrued up to `settled`."""

    start: datetime
    settled: datetime = field(init=False)
    usage: dict[str, float] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.settled = self.start

    def copy(self) -> Meter:
        clone = Meter(self.start, dict(self.usage), list(self.flows))
        clone.settled = self.settled
        return clone

    def add(self, key: str, quantity: float) -> None:
        if quantity:
            self.usage[key] = self.usage.get(key, 0.0) + quantity


def charges(path: Path | None, same_region: bool, direction: Direction) -> list[str]:
    """The price keys one GB moved along `path` is billed under (None: the learner's own computer, over the
    internet). Data into AWS is free; out of ECR to the same Region's services it is free too."""
    keys = []
    if path is None:
        return ["internet-out"] if direction == "pull" else []
    if path.via.startswith("NAT gateway"):
        keys.append("nat-data")  # a NAT gateway processes bytes in both directions (VPC pricing)
    elif path.via.startswith("interface endpoint"):
        keys.append("endpoint-data")
    elif path.via.startswith("gateway endpoint"):
        keys.append("s3-gateway")
    if direction == "pull" and not same_region:
        keys.append("inter-region")
    return keys


def record_transfer(
    world: World, size: int, path: Path | None, same_region: bool, direction: Direction
) -> None:
    """Meter `size` bytes moved along `path` (None: from the learner's own computer, over the internet) by
    a pull or a push; `same_region` when the machine is in the registry's Region."""
    for key in charges(path, same_region, direction):
        world.meter.add(key, size / GIB)


def stored_gib(world: World) -> float:
    """Bytes stored in every private repository, each layer once per repository (a layer two images share is
    stored once; a layer mounted from another repository is stored there: ECR user guide, "Blob mounting in
    Amazon ECR", no duplicate copies), in GB."""
    total = 0
    for account in world.accounts.values():
        for registry in account.registries.values():
            for repository in registry.repositories.unchanged():
                blobs = {}
                for stored in repository.images.values():
                    for layer in (stored.image.config, *stored.image.layers):
                        if layer.digest not in repository.mounted:
                            blobs[layer.digest] = layer.size
                total += sum(blobs.values())
    return total / GIB


def hourly(world: World) -> tuple[dict[str, float], list[str]]:
    """What the world uses per hour now, by price key, and a sentence for each stated flow that cannot
    flow (its pulls fail, so they cost nothing)."""
    rates: dict[str, float] = {"ecr-storage": stored_gib(world) / HOURS_PER_MONTH}
    for account in world.accounts.values():
        for network in account.networks.values():
            nats = sum(1 for nat in network.nat_gateways.values() if nat.state == "available")
            zones = sum(
                len({network.subnets[s].zone for s in e.subnet_ids if s in network.subnets})
                for e in network.endpoints.values()
                if e.endpoint_type == "Interface"
            )
            rates["nat-hours"] = rates.get("nat-hours", 0.0) + nats
            rates["endpoint-hours"] = rates.get("endpoint-hours", 0.0) + zones
    blocked = []
    for flow in world.meter.flows:
        failure = flow.failure(world)
        if failure is not None:
            blocked.append(f"pulls from {flow.source} fail, so they cost nothing: they {failure}")
            continue
        for key in charges(flow.paths(world)[-1], flow.registry[1] == flow.region, "pull"):
            rates[key] = rates.get(key, 0.0) + flow.gib_per_month / HOURS_PER_MONTH
    return rates, blocked


def settle(world: World, until: datetime) -> None:
    """Accrue what lasts from the last settlement to `until`, at the world's present rates."""
    meter = world.meter
    hours = (until - meter.settled).total_seconds() / 3600
    if hours <= 0:
        return
    rates, _ = hourly(world)
    for key, rate in rates.items():
        meter.add(key, rate * hours)
    meter.settled = until
