"""One summary of the world, for everything that shows the world whole: `sim state` and the UI's World
panel render it; neither reads the engine's classes behind it.

A summary is plain frozen values taken at one moment: accounts with their registries (repositories,
their images and tags, settings and policies) and IAM (users, groups, roles, each with its policies),
the CLI profiles and role sessions, the request context, and this machine's docker (logins, with whose
token and how long it has left on the simulated clock, and local images), all in the order a learner
reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ecrsim.engine.arn import parse_arn
from ecrsim.engine.ecr.tokens import check_token

if TYPE_CHECKING:
    from ecrsim.engine.iam import Account, Group, Role, User
    from ecrsim.engine.policy.document import Statement
    from ecrsim.engine.world import World


@dataclass(frozen=True)
class ImageSummary:
    digest: str
    tags: tuple[str, ...]  # in the order they were given
    pushed_at: datetime


@dataclass(frozen=True)
class RepositorySummary:
    name: str
    uri: str
    tag_mutability: str  # MUTABLE, IMMUTABLE, or one of the _WITH_EXCLUSION modes
    scan_on_push: bool
    encryption: str  # AES256, KMS, KMS_DSSE
    kms_key: str | None  # the KMS key a KMS repository names
    images: tuple[ImageSummary, ...]  # in push order
    policy: tuple[Statement, ...] | None  # the repository policy's statements; None without one
    lifecycle: bool

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted(tag for image in self.images for tag in image.tags))


@dataclass(frozen=True)
class RegistrySummary:
    region: str
    host: str
    repositories: tuple[RepositorySummary, ...]  # in creation order
    policy: bool  # a registry policy is set
    # Each replication rule: its destinations (registry id, Region) and the prefixes it selects by.
    replication: tuple[tuple[tuple[tuple[str, str], ...], tuple[str, ...]], ...]
    templates: tuple[str, ...]  # repository creation templates' prefixes
    pull_through: tuple[tuple[str, str], ...] = ()  # pull through cache rules: (prefix, upstream URL)
    # The scanning configuration when one was put: its type and rules (frequency, repository filters).
    scanning: tuple[str, tuple[tuple[str, tuple[str, ...]], ...]] | None = None


@dataclass(frozen=True)
class PolicySummary:
    """One policy of a user, group or role. `statements` is None for an AWS managed policy (its
    document is AWS's, long, and the same everywhere: its name says what it is)."""

    name: str
    kind: str  # "managed" (AWS), "customer", "inline"
    statements: tuple[Statement, ...] | None


@dataclass(frozen=True)
class PrincipalSummary:
    kind: str  # "user", "group", "role"
    name: str
    arn: str
    policies: tuple[PolicySummary, ...]  # attached in attachment order, then inline
    groups: tuple[str, ...] = ()  # a user's groups
    trust: tuple[Statement, ...] | None = None  # a role's trust policy


@dataclass(frozen=True)
class InstanceSummary:
    region: str
    instance_id: str
    state: str
    subnet_id: str
    profile: str | None  # the instance profile's name


@dataclass(frozen=True)
class FunctionSummary:
    region: str
    name: str
    state: str
    image_uri: str


@dataclass(frozen=True)
class KmsKeySummary:
    region: str
    key_id: str
    aliases: tuple[str, ...]  # sorted
    state: str


@dataclass(frozen=True)
class AccountSummary:
    id: str
    registries: tuple[RegistrySummary, ...]  # by Region
    users: tuple[PrincipalSummary, ...]
    groups: tuple[PrincipalSummary, ...]
    roles: tuple[PrincipalSummary, ...]
    customer_policies: tuple[str, ...]  # names, sorted
    kms_keys: tuple[KmsKeySummary, ...]  # by Region, then creation order
    instances: tuple[InstanceSummary, ...]  # by Region, then launch order
    functions: tuple[FunctionSummary, ...]  # by Region, then creation order


@dataclass(frozen=True)
class LoginSummary:
    """docker's stored credential for a host, judged as the registry would judge it now."""

    valid: bool
    principal: str | None  # whose ECR token; None when the password is no ECR token of this world
    expires_at: datetime | None


@dataclass(frozen=True)
class HostSummary:
    host: str  # "" for local names (no registry host)
    login: LoginSummary | None
    images: tuple[tuple[str, str], ...]  # (name:tag without the host, image id)


@dataclass(frozen=True)
class WorldSummary:
    now: datetime
    accounts: tuple[AccountSummary, ...]
    profiles: tuple[tuple[str, str], ...]  # (profile, principal ARN), sorted by profile
    context: tuple[tuple[str, str], ...]  # the request context `sim context` set, sorted
    docker_hosts: tuple[HostSummary, ...]  # by host
    docker_refs: tuple[str, ...]  # every local image reference, sorted
    on: str | None  # the EC2 instance the terminal works on (`sim on`), if any


def summarize(world: World) -> WorldSummary:
    return WorldSummary(
        now=world.clock.now,
        accounts=tuple(_account(account) for account in world.accounts.values()),
        profiles=tuple(sorted(world.profiles.items())),
        context=tuple(sorted((key, str(value)) for key, value in world.context.items())),
        docker_hosts=_docker(world),
        docker_refs=tuple(sorted(world.docker.refs)),
        on=world.on.instance_id if world.on is not None else None,
    )


def _account(account: Account) -> AccountSummary:
    registries = []
    for registry in sorted(account.registries.values(), key=lambda r: r.region):
        repositories = []
        for repository in registry.repositories.values():
            tags = repository.tags_by_digest()
            images = tuple(
                ImageSummary(digest, tuple(tags.get(digest, ())), stored.pushed_at)
                for digest, stored in repository.images.items()
            )
            repositories.append(
                RepositorySummary(
                    name=repository.name,
                    uri=f"{registry.host}/{repository.name}",
                    tag_mutability=repository.image_tag_mutability,
                    scan_on_push=repository.scan_on_push,
                    encryption=repository.encryption.encryption_type,
                    kms_key=repository.encryption.kms_key or None,
                    images=images,
                    policy=repository.policy.policy.statements if repository.policy is not None else None,
                    lifecycle=repository.lifecycle is not None,
                )
            )
        replication = tuple(
            (tuple((d.registry_id, d.region) for d in rule.destinations), tuple(rule.prefixes))
            for rule in registry.replication
        )
        registries.append(
            RegistrySummary(
                registry.region,
                registry.host,
                tuple(repositories),
                registry.policy is not None,
                replication,
                tuple(registry.templates),
                tuple(
                    (prefix, rule.upstream_url)
                    for prefix, rule in sorted(registry.pull_through_rules.items())
                ),
                None
                if registry.scanning is None
                else (
                    registry.scanning.scan_type,
                    tuple((rule.frequency, rule.filters) for rule in registry.scanning.rules),
                ),
            )
        )
    return AccountSummary(
        id=account.id,
        registries=tuple(registries),
        users=tuple(_principal(account, "user", user) for user in account.users.values()),
        groups=tuple(_principal(account, "group", group) for group in account.groups.values()),
        roles=tuple(_principal(account, "role", role) for role in account.roles.values()),
        customer_policies=tuple(sorted(policy.name for policy in account.policies.values())),
        kms_keys=tuple(
            KmsKeySummary(
                region,
                key.key_id,
                tuple(name for name, target in sorted(kms.aliases.items()) if target == key.key_id),
                key.state,
            )
            for region, kms in sorted(account.kms.items())
            for key in kms.keys.values()
        ),
        instances=tuple(
            InstanceSummary(
                region, i.instance_id, i.state, i.subnet_id, _name(i.profile_arn) if i.profile_arn else None
            )
            for region, network in sorted(account.networks.items())
            for i in network.instances.values()
        ),
        functions=tuple(
            FunctionSummary(region, f.name, f.state, f.image_uri)
            for region, functions in sorted(account.functions.items())
            for f in functions.values()
        ),
    )


def _principal(account: Account, kind: str, holder: User | Group | Role) -> PrincipalSummary:
    from ecrsim.engine.iam import Role, User

    policies = []
    for arn in holder.attached:
        customer = account.policies.get(arn)
        if customer is not None:
            policies.append(PolicySummary(customer.name, "customer", customer.document.policy.statements))
        else:
            policies.append(PolicySummary(_name(arn), "managed", None))
    for name, stored in holder.inline.items():
        policies.append(PolicySummary(name, "inline", stored.policy.statements))
    groups = tuple(holder.groups) if isinstance(holder, User) else ()
    trust = holder.trust.policy.statements if isinstance(holder, Role) and holder.trust else None
    return PrincipalSummary(kind, holder.name, holder.arn, tuple(policies), groups, trust)


def _name(arn: str) -> str:
    """An IAM policy's or instance profile's name, from its ARN."""
    parsed = parse_arn(arn)
    return parsed.name if parsed is not None else arn


def _docker(world: World) -> tuple[HostSummary, ...]:
    """Logins and local images grouped by registry host: the host is what docker keys both by."""
    machine, now = world.docker, world.clock.now
    by_host: dict[str, list[tuple[str, str]]] = {host: [] for host in machine.credentials}
    for ref, image_id in machine.refs.items():
        host, slash, name = ref.partition("/")
        if not slash or "." not in host:
            host, name = "", ref
        by_host.setdefault(host, []).append((name, image_id))
    hosts = []
    for host, images in sorted(by_host.items()):
        credential = machine.credentials.get(host)
        login = None
        if credential is not None:
            check = check_token(credential.password, world.token_secret, now)
            claims = check.claims
            login = LoginSummary(
                check.valid,
                claims.principal_arn if claims else None,
                claims.expires_at if claims else None,
            )
        hosts.append(HostSummary(host, login, tuple(images)))
    return tuple(hosts)
