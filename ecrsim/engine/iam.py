"""IAM as the world holds it: accounts, users, groups, roles, role sessions and their policies.

Entities are plain mutable records owned by their Account and copied with it (`Account.copy`); parsed
policy documents, access keys and role sessions are frozen and shared between world copies. The IAM and
STS API operations live in `iam_api.py` and `sts_api.py`; this module only holds the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TypeVar

from ecrsim.engine.policy.types import NamedPolicy

if TYPE_CHECKING:
    from ecrsim.engine.awslambda.model import LambdaFunction
    from ecrsim.engine.ec2.model import Network
    from ecrsim.engine.ecr.model import Registry
    from ecrsim.engine.ecs.model import Ecs
    from ecrsim.engine.kms.model import Kms
    from ecrsim.engine.policy.document import Policy
    from ecrsim.engine.secretsmanager import Secret

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"

_Entity = TypeVar("_Entity")


def _copied(entity: _Entity) -> _Entity:
    """A copy of a mutable record whose lists and dicts are its own (their items are immutable).

    Built from the instance dict directly: a world copy makes one per user, group, role and policy, and
    this is several times faster than `dataclasses.replace`.
    """
    clone = object.__new__(type(entity))
    clone.__dict__.update(
        {
            name: value.copy() if isinstance(value, (list, dict)) else value
            for name, value in entity.__dict__.items()
        }
    )
    return clone


@dataclass(frozen=True)
class StoredPolicy:
    """A policy document as the learner wrote it (for get-*-policy) and as the engine parsed it."""

    name: str
    document: str
    policy: Policy


@dataclass
class ManagedPolicy:
    """A customer managed policy (AWS managed ones are looked up by `policy.managed`)."""

    name: str
    arn: str
    policy_id: str
    document: StoredPolicy
    created: datetime
    path: str = "/"
    description: str = ""


@dataclass(frozen=True)
class AccessKey:
    """A long-term access key of an IAM user (frozen: UpdateAccessKey replaces it with its new status)."""

    access_key_id: str
    secret_access_key: str
    created: datetime
    status: str = "Active"  # or "Inactive": an inactive key signs nothing (UpdateAccessKey)


@dataclass
class _Attachments:
    """What users, groups and roles share: attached managed policy ARNs and inline policies."""

    attached: list[str] = field(default_factory=list)  # managed policy ARNs, in attachment order
    inline: dict[str, StoredPolicy] = field(default_factory=dict)
    # Users and roles only: the managed policy ARN set as the permissions boundary, if any.
    boundary: str | None = None


@dataclass
class User(_Attachments):
    """An IAM user; its ARN carries its path."""

    name: str = ""
    account_id: str = ""
    user_id: str = ""
    created: datetime | None = None
    path: str = "/"
    groups: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    access_keys: list[AccessKey] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user{self.path}{self.name}"


@dataclass
class Group(_Attachments):
    """An IAM group: its policies apply to each of its members."""

    name: str = ""
    account_id: str = ""
    group_id: str = ""
    created: datetime | None = None
    path: str = "/"

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:group{self.path}{self.name}"


@dataclass
class Role(_Attachments):
    """An IAM role: its trust policy says who may assume it, its policies what its sessions may do."""

    name: str = ""
    account_id: str = ""
    role_id: str = ""
    created: datetime | None = None
    path: str = "/"
    trust: StoredPolicy | None = None
    description: str = ""
    max_session_duration: int = 3600
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role{self.path}{self.name}"


@dataclass
class InstanceProfile:
    """What an EC2 instance carries its role in: at most one role (IAM quotas,
    InstanceSessionsPerInstanceProfile). The instance's software signs with sessions of that role."""

    name: str = ""
    account_id: str = ""
    profile_id: str = ""
    created: datetime | None = None
    path: str = "/"
    roles: list[str] = field(default_factory=list)  # role names

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:instance-profile{self.path}{self.name}"


@dataclass(frozen=True)
class RoleSession:
    """The temporary principal AssumeRole creates: it acts with its role's policies."""

    role_name: str
    session_name: str
    account_id: str
    role_id: str
    role_arn: str  # with the role's path, which the session ARN leaves out
    access_key: AccessKey
    session_token: str
    expires: datetime
    # The session policies AssumeRole was given (--policy, --policy-arns), as they were then; None: none.
    session_policies: tuple[NamedPolicy, ...] | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{self.account_id}:assumed-role/{self.role_name}/{self.session_name}"


@dataclass
class Account:
    """An AWS account: its IAM entities, its registries and its networks.

    `iam_version` counts changes to the account's IAM (users, groups, roles, policies, sessions, tags):
    the world remembers each resolved Caller against it (World.resolve), so whatever edits those records
    calls `iam_changed()`. The identity.py helpers and every IAM or STS API call that is not a read do
    so already; a change then takes effect on the very next call, as in AWS.
    """

    id: str
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # by ARN
    sessions: dict[str, RoleSession] = field(default_factory=dict)  # by session ARN
    instance_profiles: dict[str, InstanceProfile] = field(default_factory=dict)  # by name
    registries: dict[str, Registry] = field(default_factory=dict)  # by Region
    networks: dict[str, Network] = field(default_factory=dict)  # by Region, made by the EC2 API on first use
    ecs: dict[str, Ecs] = field(default_factory=dict)  # by Region
    kms: dict[str, Kms] = field(default_factory=dict)  # by Region, made on first use (engine.kms.keys)
    functions: dict[str, dict[str, LambdaFunction]] = field(
        default_factory=dict
    )  # Region -> name -> function
    secrets: dict[str, dict[str, Secret]] = field(default_factory=dict)  # Region -> name -> secret
    iam_version: int = field(default=0, compare=False, repr=False)

    def iam_changed(self) -> None:
        self.iam_version += 1

    def copy(self) -> Account:
        """An independent account: entities and registries copied, frozen policies and sessions shared."""
        return Account(
            iam_version=self.iam_version,
            id=self.id,
            users={name: _copied(user) for name, user in self.users.items()},
            groups={name: _copied(group) for name, group in self.groups.items()},
            roles={name: _copied(role) for name, role in self.roles.items()},
            policies={arn: _copied(policy) for arn, policy in self.policies.items()},
            sessions=dict(self.sessions),
            instance_profiles={name: _copied(p) for name, p in self.instance_profiles.items()},
            registries={region: registry.copy() for region, registry in self.registries.items()},
            networks={region: network.copy() for region, network in self.networks.items()},
            ecs={region: ecs.copy() for region, ecs in self.ecs.items()},
            kms={region: kms.copy() for region, kms in self.kms.items()},
            functions={
                region: {name: _copied(fn) for name, fn in functions.items()}
                for region, functions in self.functions.items()
            },
            secrets={region: dict(secrets) for region, secrets in self.secrets.items()},
        )

    def registry(self, region: str) -> Registry:
        """The account's default private registry in `region`, which exists from the start in AWS."""
        registry = self.registries.get(region)
        if registry is None:
            from ecrsim.engine.ecr.model import Registry

            registry = self.registries[region] = Registry(self.id, region)
        return registry

    def attachment_count(self, policy_arn: str) -> int:
        """How many users, groups and roles have `policy_arn` attached (counted, so it never drifts)."""
        entities = [*self.users.values(), *self.groups.values(), *self.roles.values()]
        return sum(policy_arn in entity.attached for entity in entities)

    def boundary_count(self, policy_arn: str) -> int:
        """How many users and roles have `policy_arn` as their permissions boundary."""
        return sum(entity.boundary == policy_arn for entity in [*self.users.values(), *self.roles.values()])

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.id}:root"


PrincipalKind = Literal["user", "role", "session", "root", "service"]


@dataclass(frozen=True)
class Caller:
    """A resolved principal: who is calling, and which identity policies apply to it now."""

    arn: str
    kind: PrincipalKind
    account_id: str | None
    identity_policies: tuple[NamedPolicy, ...]
    context: dict[str, str | tuple[str, ...]]  # principal-derived keys: aws:username, aws:userid, tags...
    expires: datetime | None = None  # role sessions: when their temporary credentials stop working
    boundary: NamedPolicy | None = None  # the user's or the session's role's permissions boundary
    session_policies: tuple[NamedPolicy, ...] | None = None  # a role session's, from AssumeRole
