"""The world: every account, registry, principal, the local docker machine and the simulated clock.

A World is a value. `copy()` gives an independent world (questions probe copies; undo keeps a few), and
nothing in it reads real time or randomness: ids and digests come from a counter the world owns, so the
same commands always give the same output. The one exception is the secret that signs docker passwords
(engine.ecr.tokens): it decides no outcome, and copies share it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from ecrsim.engine.api import OPERATIONS, Call, Event
from ecrsim.engine.clock import DEFAULT_START, Clock
from ecrsim.engine.errors import ServiceError, UnknownPrincipal, UnknownProfile
from ecrsim.engine.explanation import ExplanationLine, LineKind, line, stamp
from ecrsim.engine.iam import Account, Caller
from ecrsim.engine.policy.types import ContextValue, Decision
from ecrsim.errors import EcrsimError

if TYPE_CHECKING:
    from ecrsim.engine.billing.meter import Meter
    from ecrsim.engine.docker import DockerMachine, LocalImage
    from ecrsim.engine.ec2.vantage import Vantage
    from ecrsim.engine.ecr.model import Vulnerability
    from ecrsim.engine.organizations.model import Organization

DEFAULT_ACCOUNT = "111122223333"
DEFAULT_REGION = "us-east-1"
# Where the learner's requests come from unless `sim context` says otherwise: an address from the
# documentation range (RFC 5737), so aws:SourceIp conditions have something real to test.
DEFAULT_SOURCE_IP = "203.0.113.25"

# The modules whose import registers each service's API operation handlers (see api.operation), loaded on
# the service's first call: a session that never calls IAM never imports it.
OPERATION_MODULES = {
    "ecr": tuple(
        f"ecrsim.engine.ecr.{name}"
        for name in (
            *("account_settings", "images", "layers", "lifecycle", "mounting", "policies"),
            *("repositories", "scanning", "tokens", "registry_policy", "templates", "replication"),
            *("registry_scanning", "pull_through", "cache_import", "archive"),
        )
    ),
    "iam": ("ecrsim.engine.iam_api", "ecrsim.engine.iam_keys", "ecrsim.engine.iam_instance_profiles"),
    "sts": ("ecrsim.engine.sts_api",),
    "ec2": tuple(
        f"ecrsim.engine.ec2.{name}"
        for name in ("vpcs", "routing", "security_groups", "endpoints", "instances")
    ),
    "ecs": ("ecrsim.engine.ecs.api",),
    "kms": ("ecrsim.engine.kms.api",),
    "lambda": ("ecrsim.engine.awslambda.api",),
    "organizations": ("ecrsim.engine.organizations.api",),
    "secretsmanager": ("ecrsim.engine.secretsmanager",),
}

# What a service says when a request is signed with credentials it does not know (a deleted user's access
# key) or with temporary credentials past their expiry. ECR speaks the JSON protocol, whose codes end in
# `Exception`; IAM and STS speak the Query protocol.
_INVALID_CREDENTIALS = {"ecr": "UnrecognizedClientException", "iam": "InvalidClientTokenId"}
_EXPIRED_CREDENTIALS = {"ecr": "ExpiredTokenException"}
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."
EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired"
_READS = ("Get", "List")  # IAM and STS operations that change nothing
_NO_CONTEXT: Mapping[str, ContextValue] = MappingProxyType({})


class World:
    def __init__(self, *, start: datetime = DEFAULT_START, token_secret: bytes | None = None) -> None:
        """`token_secret` signs the docker passwords this world issues (see engine.ecr.tokens for why it
        is the one value drawn from the operating system); tests that print a password fix it."""
        self.clock = Clock(start)
        self.token_secret = os.urandom(32) if token_secret is None else token_secret
        self.accounts: dict[str, Account] = {}
        self.organization: Organization | None = None
        self.profiles: dict[str, str] = {}  # profile name -> principal ARN
        self.context: dict[str, ContextValue] = {}  # request-context keys set by `sim context` or a scenario
        self.files: dict[str, str] = {}  # virtual files for file:// arguments
        self.events: list[Event] = []
        # The command running now (or last run): its number tags every event it produces, so that an
        # explanation covers exactly that command's outcomes (ecrsim.engine.explanation).
        self.command = 0
        self.command_line = ""
        self._docker: DockerMachine | None = None
        self._borrowed: DockerMachine | None = None
        # The EC2 instance the learner works on (`sim on`), None on their own computer: its docker machine
        # is `docker`, and requests go through its network (ecrsim.engine.ec2.vantage).
        self.on: Vantage | None = None
        self._meter: Meter | None = None
        self._serial = 0
        self._forget()

    def _forget(self) -> None:
        """Start with nothing remembered: resolved callers (valid while their account's IAM is unchanged,
        Account.iam_version) and the last request context built (valid while its inputs are the same)."""
        self._callers: dict[str, tuple[Account | None, int, Caller]] = {}
        self._context_cache: tuple[Any, ...] = ()

    # -- values -------------------------------------------------------------------------------------------
    def copy(self) -> World:
        """An independent world: frozen parts (policies, images, events) are shared, the rest copied.

        Cost is one dict copy per container (accounts, entities, repositories), never a copy of an image
        or a parsed policy, so probes and undo snapshots stay cheap.
        """
        clone = World.__new__(World)
        clone.clock = Clock(self.clock.now)
        clone.token_secret = self.token_secret  # a copy accepts the tokens the original issued
        clone.accounts = {account_id: account.copy() for account_id, account in self.accounts.items()}
        clone.organization = self.organization
        clone.profiles = dict(self.profiles)
        clone.context = dict(self.context)
        clone.files = dict(self.files)
        clone.events = list(self.events)
        clone.command, clone.command_line = self.command, self.command_line
        clone._docker = self._docker.copy() if self._docker is not None else None
        clone._borrowed = None
        clone.on = self.on
        clone._meter = self._meter.copy() if self._meter is not None else None
        clone._serial = self._serial
        clone._forget()
        return clone

    @property
    def docker(self) -> DockerMachine:
        """The docker machine commands run on (image store, credentials): the learner's own, made on first
        use (its module brings in the registry engine, which a session that never touches docker or ECR
        need not load), or the instance's they work on, or one a service borrows for a pull."""
        if self._borrowed is not None:
            return self._borrowed
        from ecrsim.engine.docker import DockerMachine

        if self.on is not None:
            from ecrsim.engine.ec2.vantage import instance_of

            instance = instance_of(self, self.on)
            if instance.docker is None:
                instance.docker = DockerMachine(vantage=self.on)
            return instance.docker
        if self._docker is None:
            self._docker = DockerMachine()
        return self._docker

    @docker.setter
    def docker(self, machine: DockerMachine) -> None:
        self._docker = machine

    @contextmanager
    def borrowed(self, machine: DockerMachine) -> Iterator[DockerMachine]:
        """Run docker commands on `machine` for a while (a service's own machine for its pull), whatever
        machine the learner is on."""
        before, self._borrowed = self._borrowed, machine
        try:
            yield machine
        finally:
            self._borrowed = before

    @property
    def meter(self) -> Meter:
        """What the world has used that AWS bills (ecrsim.engine.billing), made on first use."""
        if self._meter is None:
            from ecrsim.engine.billing.meter import Meter

            self._meter = Meter(self.clock.now)
        return self._meter

    def __deepcopy__(self, memo: dict[int, Any]) -> World:
        return self.copy()

    def next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def make_id(
        self, prefix: str, length: int = 16, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    ) -> str:
        """A deterministic id such as `AIDA...` or `AKIA...`: the same world history gives the same ids."""
        digest = hashlib.shake_256(f"{prefix}:{self.next_serial()}".encode()).digest(length)
        return prefix + "".join(alphabet[byte % len(alphabet)] for byte in digest)

    # -- accounts and principals -------------------------------------------------------------------------
    def add_account(self, account_id: str) -> Account:
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise EcrsimError(f"an AWS account id is 12 digits, not '{account_id}'")
        return self.accounts.setdefault(account_id, Account(account_id))

    def account(self, account_id: str) -> Account:
        return self.accounts[account_id]

    def resolve(self, principal_arn: str) -> Caller:
        """The caller behind a principal ARN: a user, a role session, an account root, or a service
        principal such as `lambda.amazonaws.com` (which only a resource policy can authorize).

        Raises UnknownPrincipal when the ARN names nobody in this world. Every API call resolves its
        caller, so the answer is remembered until the caller's account's IAM changes.
        """
        cached = self._callers.get(principal_arn)
        if cached is not None:
            account, version, caller = cached
            if account is None or (
                account.iam_version == version and self.accounts.get(account.id) is account
            ):
                return caller
        from ecrsim.engine.identity import resolve_caller

        caller = resolve_caller(self, principal_arn)
        account = self.accounts[caller.account_id] if caller.account_id else None
        self._callers[principal_arn] = (account, account.iam_version if account else 0, caller)
        return caller

    def caller_for(self, profile: str) -> Caller:
        """The caller a CLI profile signs as; UnknownProfile (the CLI's text) for an unknown profile, and
        UnknownPrincipal when its principal no longer exists."""
        try:
            principal_arn = self.profiles[profile]
        except KeyError:
            raise UnknownProfile(f"The config profile ({profile}) could not be found") from None
        return self.resolve(principal_arn)

    def request_context(
        self, caller: Caller, extra: Mapping[str, ContextValue] | None = None
    ) -> dict[str, ContextValue]:
        """The request context AWS would attach to a call by `caller` now (iam-evaluation.md §7)."""
        context = dict(self.base_context(caller)[0])
        if extra:
            context.update(extra)
        return context

    def base_context(self, caller: Caller) -> tuple[Mapping[str, ContextValue], Mapping[str, ContextValue]]:
        """`request_context(caller)` without extras, and the same with its keys lower-cased as the policy
        engine reads them (policy.evaluate.lower_context). Both are shared: never modify them.

        Remembered for one caller, clock value, organization and `sim context`: a run of calls by one
        principal (a docker push, a script) builds it once, not once per call.
        """
        now, org = self.clock.now, self.organization
        cache = self._context_cache
        if cache and cache[0] is caller and cache[1] == now and cache[2] is org and cache[3] == self.context:
            return cache[4], cache[5]
        from ecrsim.engine.policy.evaluate import lower_context

        context: dict[str, ContextValue] = {
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now.timestamp())),
            "aws:SecureTransport": "true",
            "aws:SourceIp": DEFAULT_SOURCE_IP,
        }
        context.update(caller.context)
        if org is not None and caller.account_id in org.accounts:
            context["aws:PrincipalOrgID"] = org.id
        context.update(self.context)
        if "aws:SourceVpce" in context and "aws:SourceIp" not in self.context:
            # Through a VPC endpoint AWS sends no aws:SourceIp (condition-keys page, aws:SourceIp).
            del context["aws:SourceIp"]
        lowered = lower_context(caller.arn, context)
        self._context_cache = (caller, now, org, dict(self.context), context, lowered)
        return context, lowered

    # -- the event log ------------------------------------------------------------------------------------
    def begin_command(self, line: str) -> None:
        """A new command starts: what it does from now on is its outcome, not the previous command's."""
        self.command += 1
        self.command_line = line

    def record(
        self,
        service: str,
        operation: str,
        outcomes: Sequence[ExplanationLine],
        *,
        principal_arn: str = "",
        region: str = "",
        resource: str = "",
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> Event:
        """Log an outcome that is not an API call (docker's checks, a lifecycle run) for this command."""
        event = Event(
            self.clock.now,
            service,
            operation,
            principal_arn,
            region,
            (),
            resource,
            error_code,
            error_message,
            tuple(outcomes),
            self.command,
        )
        self.events.append(event)
        return event

    # -- API calls ----------------------------------------------------------------------------------------
    def call(
        self, service: str, operation: str, params: Mapping[str, Any], *, profile: str, region: str
    ) -> dict[str, Any]:
        """Run one API operation as `profile` in `region`; return its response or raise ServiceError.

        UnknownProfile if the profile does not exist. A profile whose principal was deleted still signs its
        requests, and the service rejects them as it rejects a deleted user's access key.
        """
        try:
            caller = self.caller_for(profile)
        except UnknownPrincipal:
            code = _INVALID_CREDENTIALS.get(service, "InvalidClientTokenId")
            error = ServiceError(code, INVALID_TOKEN_MESSAGE)
            principal_arn = self.profiles[profile]
            self.record(
                service,
                operation,
                [
                    line(
                        LineKind.TOKEN, f"profile {profile} signs as {principal_arn}, who no longer exists", 1
                    )
                ],
                principal_arn=principal_arn,
                region=region,
                error_code=code,
                error_message=error.message,
            )
            raise error from None
        context = None
        if self.on is not None:  # the request leaves through the instance's network
            from ecrsim.engine.ec2.vantage import SERVICE_TARGETS, route

            context = route(self, self.on, SERVICE_TARGETS.get(service, service), region)[1]
        return self.call_as(caller, service, operation, params, region=region, context=context)

    def call_as(
        self,
        caller: Caller,
        service: str,
        operation: str,
        params: Mapping[str, Any],
        *,
        region: str,
        context: Mapping[str, ContextValue] | None = None,
    ) -> dict[str, Any]:
        """Like `call`, for a caller that is not a profile: docker acting with a stored token, or a
        service principal (`world.resolve("lambda.amazonaws.com")`) pulling an image. `context` adds
        request-context keys to this call's decisions, e.g. aws:SourceArn for a service."""
        _load_operations(service)
        handler = OPERATIONS.get((service, operation))
        if handler is None:
            raise ServiceError("InvalidAction", f"The action {operation} is not valid for this endpoint.")
        now = self.clock.now
        call = Call(self, caller, region, service, operation, now, dict(context) if context else _NO_CONTEXT)
        try:
            if caller.expires is not None and now >= caller.expires:
                # Temporary credentials stop at their Expiration, whatever the policies say.
                call.explain(
                    LineKind.TOKEN,
                    f"the temporary credentials of {caller.arn} expired at {stamp(caller.expires)};"
                    f" it is now {stamp(now)}",
                )
                raise ServiceError(_EXPIRED_CREDENTIALS.get(service, "ExpiredToken"), EXPIRED_TOKEN_MESSAGE)
            # Handlers only read their parameters, so the caller's own dict serves.
            response = handler(call, params if isinstance(params, dict) else dict(params))
        except ServiceError as error:
            self.events.append(call.record(error))
            raise
        finally:
            if service != "ecr" and not operation.startswith(_READS):
                # Any IAM or STS call that is not a read may have changed who is who: resolved callers
                # are forgotten, so that the change takes effect on the very next call.
                for account in self.accounts.values():
                    account.iam_changed()
        self.events.append(call.record())
        for follow_up in call.follow_ups:
            follow_up()
        return response

    def last_decision(self) -> Decision | None:
        """What `sim explain` shows: the decision behind the most recent call that made one."""
        for event in reversed(self.events):
            if event.decision is not None:
                return event.decision
        return None

    # -- the local docker machine (ecrsim/engine/docker.py does the work) --------------------------------
    # Each returns the lines docker prints, or raises DockerError with docker's text.
    def docker_login(self, host: str, username: str, password: str) -> list[str]:
        return _docker().docker_login(self, host, username, password)

    def docker_logout(self, host: str) -> list[str]:
        return _docker().docker_logout(self, host)

    def docker_build(
        self, tag: str, context: str = ".", vulnerabilities: tuple[Vulnerability, ...] = ()
    ) -> list[str]:
        return _docker().docker_build(self, tag, context, vulnerabilities)

    def docker_tag(self, source: str, target: str) -> list[str]:
        return _docker().docker_tag(self, source, target)

    def docker_push(self, ref: str) -> list[str]:
        return _docker().docker_push(self, ref)

    def docker_pull(self, ref: str) -> list[str]:
        return _docker().docker_pull(self, ref)

    def docker_pull_as_service(
        self, service: str, ref: str, context: Mapping[str, ContextValue] | None = None
    ) -> list[str]:
        return _docker().docker_pull_as_service(self, service, ref, context)

    def docker_rmi(self, ref: str) -> list[str]:
        return _docker().docker_rmi(self, ref)

    def docker_images(self) -> list[LocalImage]:
        return _docker().docker_images(self)

    # -- time ---------------------------------------------------------------------------------------------
    def advance(self, by: str) -> list[str]:
        """Move the clock; what lasts is billed for the time that passed (engine.billing), replications whose
        time has come land, ECS tasks whose moment came pull their images, and lifecycle policies act on
        what the passing time made eligible. Returns one sentence per replica landed and per repository
        where something expired (every landing, run and pull is in the event log)."""
        from ecrsim.engine.billing.meter import settle
        from ecrsim.engine.ecr.lifecycle import apply_lifecycle
        from ecrsim.engine.ecr.replication import complete_replications
        from ecrsim.engine.ecs.pull import settle_due

        before = self.clock.now
        self.clock.advance(by)
        if self._meter is None:
            from ecrsim.engine.billing.meter import Meter

            self._meter = Meter(before)
        settle(self, self.clock.now)  # what lasted through the move is billed at the rate it had
        landed = complete_replications(self)
        settle_due(self)
        return [*landed, *apply_lifecycle(self)]


def _docker() -> ModuleType:
    """The docker client module, imported on first use (it pulls in the registry engine)."""
    return importlib.import_module("ecrsim.engine.docker")


@functools.cache
def _load_operations(service: str) -> None:
    for module in OPERATION_MODULES.get(service, ()):
        importlib.import_module(module)


def default_world() -> World:
    """The sandbox: one account in us-east-1 with an administrator `admin`, the current profile."""
    from ecrsim.engine.identity import add_user

    world = World()
    world.add_account(DEFAULT_ACCOUNT)
    add_user(world, DEFAULT_ACCOUNT, "admin", managed=["AdministratorAccess"])
    return world
