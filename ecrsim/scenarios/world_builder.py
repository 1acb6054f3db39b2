"""A scenario's `world:` -> an engine World, every problem located at the YAML node it comes from.

Principals and policies go through the engine's own constructors (`ecrsim.engine.identity`) and parsers, so
a scenario world is judged exactly as the IAM and ECR APIs would judge the same requests: a policy AWS
would reject, or a principal that does not exist, is an error in the file rather than a surprise in class.
Items are laid out one by one (not through the bulk `managed=`/`inline=` arguments) so that each problem
points at the very list entry that caused it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from ecrsim.engine.clock import parse_duration
from ecrsim.engine.ecr.content import build_layers, make_image
from ecrsim.engine.ecr.lifecycle_policy import parse_lifecycle_policy
from ecrsim.engine.ecr.model import (
    Repository,
    RepositoryPolicy,
    StoredImage,
    StoredLifecyclePolicy,
)
from ecrsim.engine.ecr.names import validate_image_tag
from ecrsim.engine.ecr.policies import jackson_text
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.iam import Account
from ecrsim.engine.identity import (
    add_customer_policy,
    add_group,
    add_role,
    add_user,
    add_user_to_group,
    attach_policy,
    managed_policy_arn,
    principal_exists,
    put_inline_policy,
    set_boundary,
    store_trust_policy,
)
from ecrsim.engine.organizations.layout import PolicySpec, lay_out
from ecrsim.engine.organizations.model import RCP, SCP, Organization
from ecrsim.engine.policy.document import Policy, parse_resource_policy
from ecrsim.engine.world import World
from ecrsim.errors import EcrsimError
from ecrsim.scenarios import model
from ecrsim.scenarios.loader import DataPath, Document, dotted
from ecrsim.scenarios.problems import Problem, ScenarioProblems

_UNITS = {"MB": 1024**2, "GB": 1024**3}


def _bytes(size: str) -> int:
    """`1.5GB` or `800MB` (the model checked the form) in bytes."""
    return int(float(size[:-2]) * _UNITS[size[-2:]])


def build_world(scenario: model.Scenario, document: Document) -> World:
    """The scenario's starting world; ScenarioProblems listing every problem in its `world:`."""
    builder = _WorldBuilder(document, World(start=scenario.world.time))
    builder.build(scenario.world)
    if builder.problems:
        raise ScenarioProblems(builder.problems)
    return builder.world


class _WorldBuilder:
    def __init__(self, document: Document, world: World) -> None:
        self.document = document
        self.world = world
        self.problems: list[Problem] = []
        # Policies naming principals, checked once every account's principals exist.
        self.principal_checks: list[tuple[DataPath, Policy]] = []

    @contextmanager
    def at(self, path: DataPath, what: str = "") -> Iterator[None]:
        """Turn the engine's refusal of one item into a located problem, and go on with the next item."""
        try:
            yield
        except ServiceError as error:
            malformed = error.code == "MalformedPolicyDocument" and not what
            self.add(path, f"{'invalid policy: ' if malformed else what}{error.message}")
        except DockerError as error:
            self.add(path, f"{what}{error.text}")
        except EcrsimError as error:  # a policy, lifecycle policy or duration refused, in its words
            self.add(path, f"{what}{error}")

    def add(self, path: DataPath, message: str, *, key: bool = False) -> None:
        self.problems.append(self.document.problem(path, f"{dotted(path)}: {message}", key=key))

    # -- layout -------------------------------------------------------------------------------------------
    def build(self, spec: model.World) -> None:
        world = self.world
        world.add_account(spec.account)
        for i, extra in enumerate(spec.accounts):
            if extra.id in world.accounts:
                self.add(("world", "accounts", i, "id"), f"account {extra.id} is defined twice")
            world.add_account(extra.id)
        if spec.organization is not None:
            self.organization(spec.organization)
        self.principals(("world",), spec.account, spec)
        for i, extra in enumerate(spec.accounts):
            self.principals(("world", "accounts", i), extra.id, extra)
        for i, repository in enumerate(spec.repositories):
            self.repository(("world", "repositories", i), repository, spec.account, spec.region, spec.time)
        for i, extra in enumerate(spec.accounts):
            for j, repository in enumerate(extra.repositories):
                path = ("world", "accounts", i, "repositories", j)
                self.repository(path, repository, extra.id, spec.region, spec.time)
        for i, reference in enumerate(spec.local_images):
            with self.at(("world", "local_images", i)):
                world.docker_build(reference)  # as if built before the scenario starts
        world.files.update(spec.files)
        world.context.update(spec.context)
        for path, policy in self.principal_checks:
            for principal in policy.principals():
                if not principal_exists(self.world, principal):
                    self.add(path, f"principal {principal} does not exist in this world")
        world.events.clear()  # laying out the world is not part of the scenario's history

    def organization(self, spec: model.Organization) -> None:
        if spec.management_account is None:
            self.world.organization = Organization(spec.id, frozenset(spec.accounts))
            return
        policies = [
            PolicySpec(kind, p.name, p.document, p.targets, p.description or "")
            for kind, listed in ((SCP, spec.service_control_policies), (RCP, spec.resource_control_policies))
            for p in listed
        ]
        units = {unit.name: unit.accounts for unit in spec.units}
        with self.at(("world", "organization")):
            self.world.organization = lay_out(
                self.world, spec.id, spec.management_account, spec.accounts, units, policies
            )

    def principals(self, at: DataPath, account_id: str, spec: model.World | model.Account) -> None:
        account = self.world.account(account_id)
        for i, policy in enumerate(spec.policies):
            with self.at((*at, "policies", i, "document"), f"policy {policy.name}: "):
                add_customer_policy(
                    self.world, account_id, policy.name, policy.document, description=policy.description or ""
                )
        for i, group in enumerate(spec.groups):
            path = (*at, "groups", i)
            with self.at((*path, "name")):
                self.attach(account, path, group, add_group(self.world, account_id, group.name))
        for i, user in enumerate(spec.users):
            path = (*at, "users", i)
            with self.at((*path, "name")):
                entity = add_user(self.world, account_id, user.name)
                self.attach(account, path, user, entity)
                self.boundary(account, path, user, entity)
                for j, group_name in enumerate(user.groups):
                    with self.at((*path, "groups", j)):
                        add_user_to_group(account, entity, group_name)
        for i, group in enumerate(spec.groups):
            for j, member in enumerate(group.members):
                with self.at((*at, "groups", i, "members", j)):
                    if member not in account.users:
                        raise EcrsimError(f"no user named {member} in account {account_id}")
                    add_user_to_group(account, account.users[member], group.name)
        for i, role in enumerate(spec.roles):
            path = (*at, "roles", i)
            with self.at((*path, "trust"), "invalid trust policy: "):
                trust = store_trust_policy("trust", role.trust)
                self.principal_checks.append(((*path, "trust"), trust.policy))
                with self.at((*path, "name")):
                    entity = add_role(
                        self.world, account_id, role.name, role.trust, description=role.description or ""
                    )
                    self.attach(account, path, role, entity)
                    self.boundary(account, path, role, entity)

    def boundary(self, account: Account, at: DataPath, spec: model.User | model.Role, entity: Any) -> None:
        if spec.permissions_boundary is None:
            return
        with self.at((*at, "permissions_boundary")):
            try:
                set_boundary(account, entity, managed_policy_arn(account, spec.permissions_boundary))
            except ServiceError as error:
                raise ValueError(
                    f"no managed policy named {spec.permissions_boundary}: neither an AWS managed policy"
                    " nor one of `policies`"
                ) from error

    def attach(self, account: Account, at: DataPath, spec: model.Principal, entity: Any) -> None:
        for j, name in enumerate(spec.managed_policies):
            with self.at((*at, "managed_policies", j)):
                try:
                    attach_policy(account, entity, name)
                except ServiceError as error:
                    if error.code != "NoSuchEntity":
                        raise
                    raise EcrsimError(
                        f"no managed policy named {name}: neither an AWS managed policy nor one of `policies`"
                    ) from None
        for name, document in spec.inline_policies.items():
            with self.at((*at, "inline_policies", name), f"invalid policy {name}: "):
                put_inline_policy(account, entity, name, document)  # bumps the IAM version for cached callers

    def repository(
        self, at: DataPath, spec: model.Repository, account_id: str, region: str, now: datetime
    ) -> None:
        account_id = spec.account or account_id
        if account_id not in self.world.accounts:
            self.add((*at, "account"), f"account {account_id} is not in this world (add it under `accounts`)")
            return
        registry = self.world.account(account_id).registry(spec.region or region)
        params = {
            "repositoryName": spec.name,
            "imageTagMutability": spec.tag_mutability,
            "imageScanningConfiguration": {"scanOnPush": spec.scan_on_push},
            "encryptionConfiguration": {"encryptionType": spec.encryption},
            "tags": [{"Key": key, "Value": value} for key, value in spec.tags.items()],
        }
        with self.at((*at, "name")):
            # Created through the API, as the account's root user, so defaults and validation are AWS's.
            root = self.world.resolve(self.world.account(account_id).root_arn)
            self.world.call_as(root, "ecr", "CreateRepository", params, region=registry.region)
        repository = registry.repositories.get(spec.name)
        if repository is None:
            return
        if spec.policy is not None:
            with self.at((*at, "policy"), "invalid repository policy: "):
                text = jackson_text(spec.policy)  # as ECR stores it
                policy = parse_resource_policy(spec.policy)
                repository.policy = RepositoryPolicy(text, policy)
                self.principal_checks.append(((*at, "policy"), policy))
        if spec.lifecycle_policy is not None:
            with self.at((*at, "lifecycle_policy"), "invalid lifecycle policy: "):
                text = json.dumps(spec.lifecycle_policy)
                repository.lifecycle = StoredLifecyclePolicy(text, parse_lifecycle_policy(text))
        pushes = [(self.pushed_at(image.pushed, now), i, image) for i, image in enumerate(spec.images)]
        for pushed_at, i, image in sorted(pushes, key=lambda push: (push[0], push[1])):
            self.image(repository, (*at, "images", i), image, i, pushed_at, now)

    def image(
        self,
        repository: Repository,
        at: DataPath,
        spec: model.Image,
        index: int,
        pushed_at: datetime,
        now: datetime,
    ) -> None:
        if pushed_at > now:
            self.add((*at, "pushed"), "an image cannot be pushed after the world's `time`")
        config, layers = build_layers(
            f"{repository.uri}#{index}", index + 1, pushed_at, size=_bytes(spec.size) if spec.size else None
        )
        image = make_image(config, layers)
        for layer in (config, *layers):
            repository.layers[layer.digest] = layer
        repository.images[image.digest] = StoredImage(image, pushed_at)
        for j, tag in enumerate(spec.tags):
            with self.at((*at, "tags", j)):
                validate_image_tag(tag)
                if tag in repository.image_tags:
                    raise EcrsimError(f"tag {tag} is given to two images of {repository.name}")
                repository.image_tags[tag] = image.digest

    @staticmethod
    def pushed_at(pushed: datetime | str, now: datetime) -> datetime:
        if isinstance(pushed, datetime):
            return pushed
        try:
            return now + parse_duration(pushed)
        except OverflowError:  # before the year 1: as long ago as a datetime can say
            return datetime.min.replace(tzinfo=timezone.utc)
