"""The world: every account, registry, principal, the local docker machine and the simulated clock.

A World is a value. `copy()` gives an independent world (questions probe copies; undo keeps a few), and
nothing in it reads real time or randomness: ids, passwords and digests come from a counter the world owns,
so the same commands always give the same output.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ecrsim.engine.api import OPERATIONS, Call, Event
from ecrsim.engine.clock import DEFAULT_START, Clock
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.iam import Account, Caller, Organization
from ecrsim.engine.policy.types import ContextValue, Decision

DEFAULT_ACCOUNT = "111122223333"
DEFAULT_REGION = "us-east-1"
# Where the learner's requests come from unless `sim context` says otherwise: an address from the
# documentation range (RFC 5737), so aws:SourceIp conditions have something real to test.
DEFAULT_SOURCE_IP = "203.0.113.25"

# Modules whose import registers API operation handlers (see api.operation).
_OPERATION_MODULES = ("ecrsim.engine.ecr", "ecrsim.engine.iam_api", "ecrsim.engine.sts_api")


class World:
    def __init__(self, *, start: datetime = DEFAULT_START) -> None:
        from ecrsim.engine.docker import DockerMachine

        self.clock = Clock(start)
        self.accounts: dict[str, Account] = {}
        self.organization: Organization | None = None
        self.profiles: dict[str, str] = {}  # profile name -> principal ARN
        self.context: dict[str, ContextValue] = {}  # request-context keys set by `sim context` or a scenario
        self.files: dict[str, str] = {}  # virtual files for file:// arguments
        self.events: list[Event] = []
        self.docker = DockerMachine()
        self._serial = 0

    # -- values -------------------------------------------------------------------------------------------
    def copy(self) -> World:
        """An independent world: frozen parts (policies, images) are shared, everything mutable is copied."""
        return copy.deepcopy(self)

    def next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def make_id(
        self, prefix: str, length: int = 16, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    ) -> str:
        """A deterministic id such as `AIDA...` or `AKIA...`: the same world history gives the same ids."""
        digest = hashlib.sha256(f"{prefix}:{self.next_serial()}".encode()).digest()
        return prefix + "".join(alphabet[byte % len(alphabet)] for byte in digest[:length])

    # -- accounts and principals -------------------------------------------------------------------------
    def add_account(self, account_id: str) -> Account:
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"an AWS account id is 12 digits, not '{account_id}'")
        return self.accounts.setdefault(account_id, Account(account_id))

    def account(self, account_id: str) -> Account:
        return self.accounts[account_id]

    def resolve(self, principal_arn: str) -> Caller:
        """The caller behind a principal ARN (user, role session, root, or service principal)."""
        from ecrsim.engine.identity import resolve_caller

        return resolve_caller(self, principal_arn)

    def caller_for(self, profile: str) -> Caller:
        try:
            return self.resolve(self.profiles[profile])
        except KeyError:
            raise ValueError(f"The config profile ({profile}) could not be found") from None

    def request_context(
        self, caller: Caller, extra: Mapping[str, ContextValue] | None = None
    ) -> dict[str, ContextValue]:
        """The request context AWS would attach to a call by `caller` now (iam-evaluation.md §7)."""
        now = self.clock.now
        context: dict[str, ContextValue] = {
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now.timestamp())),
            "aws:SecureTransport": "true",
            "aws:SourceIp": DEFAULT_SOURCE_IP,
        }
        context.update(caller.context)
        org = self.organization
        if org is not None and caller.account_id in org.accounts:
            context["aws:PrincipalOrgID"] = org.id
        context.update(self.context)
        if "aws:SourceVpce" in context and "aws:SourceIp" not in self.context:
            # Through a VPC endpoint AWS sends no aws:SourceIp (condition-keys page, aws:SourceIp).
            del context["aws:SourceIp"]
        if extra:
            context.update(extra)
        return context

    # -- API calls ----------------------------------------------------------------------------------------
    def call(
        self, service: str, operation: str, params: Mapping[str, Any], *, profile: str, region: str
    ) -> dict[str, Any]:
        """Run one API operation as `profile` in `region`; return its response or raise ServiceError."""
        return self.call_as(self.caller_for(profile), service, operation, params, region=region)

    def call_as(
        self, caller: Caller, service: str, operation: str, params: Mapping[str, Any], *, region: str
    ) -> dict[str, Any]:
        """Like `call`, for a caller that is not a profile (docker acting with a stored token)."""
        _load_operations()
        handler = OPERATIONS.get((service, operation))
        if handler is None:
            raise ServiceError("InvalidAction", f"The action {operation} is not valid for this endpoint.")
        event = Event(self.clock.now, service, operation, caller.arn, region)
        self.events.append(event)
        try:
            return handler(Call(self, caller, region, service, event), dict(params))
        except ServiceError as error:
            event.error_code, event.error_message = error.code, error.message
            raise

    def last_decision(self) -> Decision | None:
        """What `sim explain` shows: the decision behind the most recent call that made one."""
        for event in reversed(self.events):
            if event.decision is not None:
                return event.decision
        return None

    # -- time ---------------------------------------------------------------------------------------------
    def advance(self, by: str) -> datetime:
        """Move the clock; lifecycle policies act on what the passing time made eligible."""
        from ecrsim.engine.ecr.lifecycle import apply_lifecycle

        now = self.clock.advance(by)
        apply_lifecycle(self)
        return now


@functools.cache
def _load_operations() -> None:
    for module in _OPERATION_MODULES:
        importlib.import_module(module)


def default_world() -> World:
    """The sandbox: one account in us-east-1 with an administrator `admin`, the current profile."""
    from ecrsim.engine.identity import add_user

    world = World()
    world.add_account(DEFAULT_ACCOUNT)
    add_user(world, DEFAULT_ACCOUNT, "admin", managed=["AdministratorAccess"])
    return world
