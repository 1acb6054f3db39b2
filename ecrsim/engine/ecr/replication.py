"""Private image replication: PutReplicationConfiguration, DescribeRegistry, DescribeImageReplicationStatus,
the replication a push starts, and the copies that land as the simulated clock passes.

What AWS documents and the simulator does (ECR user guide, "Private image replication", considerations):
- Replication is set per Region for the registry; each rule copies the repositories its PREFIX_MATCH
  filters select (all of them without a filter) to its destinations, other Regions of the same account
  or other accounts. At most 10 rules, 25 unique destinations across them, 100 filters per rule.
- Only images pushed after replication is configured are copied; earlier images never are.
- Another account's registry must allow the source account ecr:ReplicateImage in its registry policy, and
  ecr:CreateRepository when the repository does not exist there yet; otherwise the replication fails.
  Within one account no registry policy is needed. The grant is checked when the replication starts
  ("any in-progress replications previously granted may complete").
- A replica's repository is created with the destination's creation template applied for REPLICATION
  (templates.create_repository_on_behalf), else AWS's defaults: repository settings, repository policies
  and lifecycle policies are not replicated.
- A replication happens once per push and is not transitive: a replica does not replicate again.
- The majority of images replicate in less than 30 minutes; the simulator lands every copy
  REPLICATION_DELAY after the push, when the clock reaches it (`sim advance`).
- Replication performs no deletes: deleting an image or repository in the source leaves the copies.
- An immutable destination tag already on another image: the image is replicated without that tag.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import registry_id_of, registry_of, repository_for
from ecrsim.engine.ecr.findings import scan
from ecrsim.engine.ecr.images import image_id_of, resolve_image
from ecrsim.engine.ecr.model import (
    Registry,
    Replica,
    ReplicationDestination,
    ReplicationRule,
    Repository,
    StoredImage,
)
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.ecr.registry_policy import registry_decision
from ecrsim.engine.ecr.templates import create_repository_on_behalf
from ecrsim.engine.explanation import LineKind, stamp

if TYPE_CHECKING:
    from ecrsim.engine.world import World

REPLICATION_DELAY = timedelta(minutes=15)  # within AWS's "less than 30 minutes" for most images
MAX_RULES = 10
MAX_DESTINATIONS = 25  # unique destinations across all rules
MAX_FILTERS = 100
# The service model's RepositoryFilterValue pattern (botocore), 2 to 256 characters.
FILTER = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$")
REGION = re.compile(r"[0-9a-z-]{2,25}")
OTHER_PARTITIONS = ("cn-", "us-gov-", "us-iso")
# ImageReplicationStatus.failureCode is a string AWS documents no values for: this one is the simulator's.
ACCESS_DENIED = "ACCESS_DENIED"


# -- the configuration -----------------------------------------------------------------------------------
def _rules(call: Call, config: dict[str, Any]) -> tuple[ReplicationRule, ...]:
    """The rules of a ReplicationConfiguration, refused where AWS refuses them."""
    raw_rules = config.get("rules")
    if raw_rules is None:
        raise invalid_parameter("replicationConfiguration.rules", "Member must not be null")
    if len(raw_rules) > MAX_RULES:
        raise invalid_parameter(
            "replicationConfiguration.rules", f"Member must have length less than or equal to {MAX_RULES}"
        )
    rules = []
    for raw in raw_rules:
        destinations = []
        for destination in raw.get("destinations") or []:
            region, registry_id = destination.get("region", ""), destination.get("registryId", "")
            if not REGION.fullmatch(region):
                raise invalid_parameter(
                    "replicationConfiguration.rules.destinations.region",
                    f"Member must satisfy regular expression pattern: {REGION.pattern}",
                )
            if not (len(registry_id) == 12 and registry_id.isdigit()):
                raise invalid_parameter(
                    "replicationConfiguration.rules.destinations.registryId",
                    "Member must satisfy regular expression pattern: [0-9]{12}",
                )
            destinations.append(ReplicationDestination(region, registry_id))
        filters = raw.get("repositoryFilters")
        if filters is not None and not 1 <= len(filters) <= MAX_FILTERS:
            raise invalid_parameter(
                "replicationConfiguration.rules.repositoryFilters",
                f"Member must have length between 1 and {MAX_FILTERS}",
            )
        prefixes = []
        for entry in filters or []:
            if entry.get("filterType") != "PREFIX_MATCH":
                raise invalid_parameter(
                    "replicationConfiguration.rules.repositoryFilters.filterType",
                    "Member must satisfy enum value set: [PREFIX_MATCH]",
                )
            value = entry.get("filter", "")
            if not 2 <= len(value) <= 256 or not FILTER.fullmatch(value):
                raise invalid_parameter(
                    "replicationConfiguration.rules.repositoryFilters.filter",
                    f"Member must satisfy regular expression pattern: {FILTER.pattern}",
                )
            prefixes.append(value)
        rules.append(ReplicationRule(tuple(destinations), tuple(prefixes)))
    return tuple(rules)


def _check_destinations(call: Call, registry: Registry, rules: tuple[ReplicationRule, ...]) -> None:
    unique = {destination for rule in rules for destination in rule.destinations}
    if len(unique) > MAX_DESTINATIONS:
        call.explain(
            LineKind.VALIDATION,
            f"{len(unique)} unique destinations: a replication configuration may have at most"
            f" {MAX_DESTINATIONS} across all its rules (ECR user guide, replication considerations)",
        )
        # The limit is AWS's; the wording of the refusal is the simulator's.
        raise invalid_parameter(
            "replicationConfiguration",
            f"A replication configuration can have at most {MAX_DESTINATIONS} unique destinations",
        )
    for destination in sorted(unique, key=lambda d: (d.registry_id, d.region)):
        if destination == ReplicationDestination(registry.region, registry.account_id):
            call.explain(
                LineKind.VALIDATION, "a registry cannot replicate into itself: same account, same Region"
            )
            # moto's text for the same refusal.
            raise invalid_parameter(
                "replicationConfiguration",
                "Replication destination cannot be the same as the source registry",
            )
        if destination.region.startswith(OTHER_PARTITIONS):
            call.explain(
                LineKind.VALIDATION,
                f"{destination.region} is in another AWS partition: cross-Region replication is not supported"
                " between partitions (ECR user guide, replication considerations)",
            )
            raise invalid_parameter(
                "replicationConfiguration",
                f"Replication to {destination.region} is not supported from {registry.region}",
            )


def configuration_api(rules: tuple[ReplicationRule, ...]) -> dict[str, Any]:
    shown = []
    for rule in rules:
        entry: dict[str, Any] = {
            "destinations": [{"region": d.region, "registryId": d.registry_id} for d in rule.destinations]
        }
        if rule.prefixes:
            entry["repositoryFilters"] = [{"filter": p, "filterType": "PREFIX_MATCH"} for p in rule.prefixes]
        shown.append(entry)
    return {"rules": shown}


def _where(destination: ReplicationDestination) -> str:
    return f"{destination.registry_id} {destination.region}"


@operation("ecr", "PutReplicationConfiguration")
def put_replication_configuration(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    rules = _rules(call, params["replicationConfiguration"])
    call.authorize("ecr:PutReplicationConfiguration", "*")
    registry = registry_of(call, {})
    _check_destinations(call, registry, rules)
    registry.replication = rules
    for number, rule in enumerate(rules, 1):
        selects = (
            "repositories starting with " + " or ".join(rule.prefixes)
            if rule.prefixes
            else "every repository"
        )
        targets = ", ".join(_where(d) for d in rule.destinations) or "no destination"
        call.explain(LineKind.REPLICATION, f"rule {number}: {selects} -> {targets}")
    already = sum(
        len(repository.images)
        for repository in registry.repositories.values()
        if any(rule.selects(repository.name) for rule in rules)
    )
    if already:
        call.explain(
            LineKind.REPLICATION,
            f"{already} image(s) already in the repositories these rules select are not copied: only images"
            " pushed from now on are replicated (ECR user guide, replication considerations)",
        )
    return {"replicationConfiguration": configuration_api(rules)}


@operation("ecr", "DescribeRegistry")
def describe_registry(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    call.authorize("ecr:DescribeRegistry", "*")
    registry_id = registry_id_of(call, {})
    account = call.world.accounts.get(registry_id)
    rules = account.registry(call.region).replication if account else ()
    return {"registryId": registry_id, "replicationConfiguration": configuration_api(rules)}


@operation("ecr", "DescribeImageReplicationStatus")
def describe_image_replication_status(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:DescribeImageReplicationStatus")
    stored = resolve_image(repository, params["imageId"])
    latest: dict[ReplicationDestination, Replica] = {}
    for replica in registry.replications.get((repository.name, stored.digest), ()):
        latest[replica.destination] = replica  # the latest push's replication to each destination
    statuses = []
    for replica in latest.values():
        status: dict[str, str] = {
            "region": replica.destination.region,
            "registryId": replica.destination.registry_id,
            "status": replica.status,
        }
        if replica.failure_code:
            status["failureCode"] = replica.failure_code
        statuses.append(status)
    return {
        "repositoryName": repository.name,
        "imageId": image_id_of(stored.digest, params["imageId"].get("imageTag")),
        "replicationStatuses": statuses,
    }


# -- a push starts replications ---------------------------------------------------------------------------
def destinations_for(registry: Registry, repository_name: str) -> list[ReplicationDestination]:
    """Every destination a push to `repository_name` replicates to, once each, in rule order."""
    found = [d for rule in registry.replication if rule.selects(repository_name) for d in rule.destinations]
    return list(dict.fromkeys(found))


def start_replication(call: Call, repository: Repository, stored: StoredImage, tag: str | None) -> None:
    """After a push (PutImage) to `repository`: start its replication to every destination the rules
    select, once the push's own event is logged. A replica landing in a destination never calls this: a
    replication is not transitive."""
    registry = call.world.account(repository.registry_id).registry(repository.region)
    destinations = destinations_for(registry, repository.name)
    if not destinations:
        if registry.replication:
            call.explain(
                LineKind.REPLICATION,
                f"no replication rule of registry {registry.account_id} ({registry.region}) selects"
                f" {repository.name}: the image stays in this Region",
            )
        return
    world = call.world
    call.then(lambda: _begin(world, registry, repository.name, stored, tag, destinations))


def _source_call(world: World, registry: Registry, region: str) -> Call:
    """The replication service acting for the source registry: a registry policy names the source
    account, so the source account's root is the principal whose access is decided."""
    caller = world.resolve(f"arn:aws:iam::{registry.account_id}:root")
    return Call(world, caller, region, "ecr", "ReplicateImage", world.clock.now)


def _image_name(name: str, stored: StoredImage, tag: str | None) -> str:
    return f"{name}:{tag}" if tag else f"{name}@{stored.digest[:19]}…"


def _begin(
    world: World,
    registry: Registry,
    name: str,
    stored: StoredImage,
    tag: str | None,
    destinations: list[ReplicationDestination],
) -> None:
    image = _image_name(name, stored, tag)
    replicas = list(registry.replications.get((name, stored.digest), ()))
    for destination in destinations:
        call = _source_call(world, registry, destination.region)
        due = world.clock.now + REPLICATION_DELAY
        failure, notes = _permission(call, registry, destination, name)
        if failure is None:
            replicas.append(Replica(destination, "IN_PROGRESS", due, stored, tag))
            minutes = int(REPLICATION_DELAY.total_seconds() // 60)
            headline = (
                f"replication of {image} to {_where(destination)} started: IN_PROGRESS, lands at"
                f" {stamp(due)} ({minutes} minutes after the push; `sim advance`)"
            )
        else:
            replicas.append(Replica(destination, "FAILED", world.clock.now, stored, tag, ACCESS_DENIED))
            headline = f"replication of {image} to {_where(destination)} FAILED: {failure}"
            notes.append(
                f"describe-image-replication-status reports failureCode {ACCESS_DENIED} (the simulator's"
                " code: AWS documents none); this push is not retried, the next push replicates again"
            )
        call.explain(LineKind.REPLICATION, headline, 0, failure is None)
        for note in notes:
            call.explain(LineKind.REPLICATION, note)
        world.events.append(call.record())
    registry.replications[(name, stored.digest)] = tuple(replicas)


def _permission(
    call: Call, source: Registry, destination: ReplicationDestination, name: str
) -> tuple[str | None, list[str]]:
    """Why the destination refuses the replication (None if it does not), and notes on how it decided.
    Another account's registry policy must allow ecr:ReplicateImage, and ecr:CreateRepository where the
    repository is missing (ECR user guide, "Private registry permissions for replication"); the same
    account needs no policy."""
    if destination.registry_id == source.account_id:
        return None, ["cross-Region replication within one account needs no registry policy"]
    notes = []
    account = call.world.accounts.get(destination.registry_id)
    if account is None:
        target = Registry(destination.registry_id, destination.region)
        notes.append(f"account {destination.registry_id} is not in this world: it has no registry policy")
    else:
        target = account.registry(destination.region)
    who = f"account {source.account_id}"
    if not registry_decision(call, target, "ecr:ReplicateImage", name).allowed:
        return f"the registry policy of {_where(destination)} does not allow {who} ecr:ReplicateImage", notes
    if name not in target.repositories:
        if not registry_decision(call, target, "ecr:CreateRepository", name).allowed:
            return (
                f"repository {name} does not exist in {_where(destination)}, and its registry policy does"
                f" not allow {who} ecr:CreateRepository (create {name} there, or allow it)"
            ), notes
        notes.append(
            f"the registry policy of {_where(destination)} allows {who} ecr:ReplicateImage and"
            " ecr:CreateRepository"
        )
    else:
        notes.append(f"the registry policy of {_where(destination)} allows {who} ecr:ReplicateImage")
    return None, notes


# -- copies land as the clock passes ----------------------------------------------------------------------
def complete_replications(world: World) -> list[str]:
    """Land every replication whose time has come: create the destination repository where needed (its
    creation template, else AWS's defaults) and copy the image and its tag. Returns one sentence per copy
    for `sim advance`; each is logged with what was created and why."""
    said: list[str] = []
    now = world.clock.now
    for account in list(world.accounts.values()):
        for registry in list(account.registries.values()):
            for key, replicas in list(registry.replications.items()):
                if not any(r.status == "IN_PROGRESS" and r.due <= now for r in replicas):
                    continue
                landed = []
                for replica in replicas:
                    if replica.status == "IN_PROGRESS" and replica.due <= now:
                        said.append(_land(world, registry, key[0], replica))
                        replica = replace(replica, status="COMPLETE")
                    landed.append(replica)
                registry.replications[key] = tuple(landed)
    return said


def _land(world: World, source: Registry, name: str, replica: Replica) -> str:
    destination = replica.destination
    call = _source_call(world, source, destination.region)
    target = world.account(destination.registry_id).registry(destination.region)
    stored, tag = replica.image, replica.tag
    image = _image_name(name, stored, tag)
    repository = target.repositories.get(name)
    untagged = (
        repository is not None
        and tag is not None
        and repository.image_tags.get(tag, stored.digest) != stored.digest
        and repository.tag_is_immutable(tag)
    )
    call.explain(
        LineKind.REPLICATION,
        f"replicated {image} from {source.account_id} {source.region} to {_where(destination)}: COMPLETE",
        0,
        True,
    )
    if repository is None:
        repository = create_repository_on_behalf(call, target, name, "REPLICATION")
    if stored.digest not in repository.images:
        repository.images[stored.digest] = StoredImage(stored.image, replica.due)
        for layer in (stored.image.config, *stored.image.layers):
            repository.layers.setdefault(layer.digest, layer)
        if repository.scan_on_push:
            repository.scans[stored.digest] = scan(stored.image, replica.due)
    if untagged:
        call.explain(
            LineKind.REPLICATION,
            f"tag {tag} is immutable there and already names another image: the replica arrives without it"
            " (ECR user guide, replication considerations)",
        )
    elif tag is not None:
        repository.image_tags[tag] = stored.digest
    if target.replication and destinations_for(target, name):
        call.explain(
            LineKind.REPLICATION,
            f"{_where(destination)} has replication rules selecting {name}, but a replica is not replicated"
            " again: replication happens once per push and is not transitive",
        )
    world.events.append(call.record())
    return f"replication of {image} to {_where(destination)} completed"
