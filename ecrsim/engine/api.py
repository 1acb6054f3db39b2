"""How an API call runs: find the caller, authorize each action it needs, log it, return or raise.

Operation handlers are plain functions registered by service and API name, in the spirit of moto's backends
(`create_repository`, `put_image`), but every one authorizes through the policy engine first, with the
resource ARN and request context AWS would use, and every decision lands in the event log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import ExplanationLine, LineKind
from ecrsim.engine.policy.evaluate import decide, lower_keys
from ecrsim.engine.policy.types import ContextValue, Decision, OrgLevel, Request
from ecrsim.engine.records import quick_init

if TYPE_CHECKING:
    from ecrsim.engine.iam import Caller
    from ecrsim.engine.policy.document import Policy
    from ecrsim.engine.world import World

# A handler reads its parameters and never modifies them (World.call_as hands it the caller's own dict).
Handler = Callable[["Call", dict[str, Any]], dict[str, Any]]
OPERATIONS: dict[tuple[str, str], Handler] = {}

# The error code each service returns when IAM says no: ECR's API uses AccessDeniedException, IAM and STS
# the Query-protocol code AccessDenied, and EC2 UnauthorizedOperation.
ACCESS_DENIED_CODE = {
    "ecr": "AccessDeniedException",
    "iam": "AccessDenied",
    "sts": "AccessDenied",
    "ec2": "UnauthorizedOperation",
    "ecs": "AccessDeniedException",
    "kms": "AccessDeniedException",
    "lambda": "AccessDeniedException",
    "organizations": "AccessDeniedException",
    "secretsmanager": "AccessDeniedException",
}
# EC2 puts a sentence of its own before IAM's. (It also appends an "Encoded authorization failure message"
# that `aws sts decode-authorization-message` decodes; the simulator explains the decision instead.)
_DENIED_PREFIX = {"ec2": "You are not authorized to perform this operation. "}


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the implementation of `service`'s API operation `name`."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[(service, name)] = handler
        return handler

    return register


@quick_init
@dataclass(frozen=True, init=False)
class Event:
    """One outcome in the world's log: an API call as CloudTrail would record it, with the decisions that
    explain it, or something that is not an API call (docker checking its stored token, a lifecycle run).

    `outcomes` are the explanation lines of what was found besides IAM decisions (a validation rule, a
    token's times); `command` is the number of the command that produced it (World.begin_command), so
    `sim explain` shows the last command's events and never an earlier one's. Frozen: an event is
    written once, when its outcome is known, so world copies share the log's entries.
    """

    time: datetime
    service: str
    operation: str
    principal_arn: str
    region: str
    decisions: tuple[Decision, ...] = ()
    resource: str = ""
    error_code: str | None = None
    error_message: str | None = None
    outcomes: tuple[ExplanationLine, ...] = ()
    command: int = 0

    @property
    def decision(self) -> Decision | None:
        """The decision that explains the outcome: the one that denied, else the last one made."""
        for decision in self.decisions:
            if not decision.allowed:
                return decision
        return self.decisions[-1] if self.decisions else None


def _organization_levels(
    world: World, caller: Caller, action: str, resource_arn: str, resource_account: str | None
) -> tuple[tuple[OrgLevel, ...] | None, tuple[OrgLevel, ...] | None]:
    """The SCPs of the caller's account and the RCPs of the resource's, by level, where they apply.

    An RCP covers the resources of the services that support RCPs; for an action with no resource
    (`*`, ecr:GetAuthorizationToken) the resource's account is taken to be the caller's.
    """
    org = world.organization
    if org is None or not org.enabled:
        return None, None
    from ecrsim.engine.organizations.model import RCP, RCP_SERVICES, SCP, levels
    from ecrsim.engine.policy.matching import resource_account as account_in

    owner = resource_account or account_in(resource_arn) or caller.account_id
    covered = action.partition(":")[0].lower() in RCP_SERVICES
    return levels(org, caller.account_id, SCP), levels(org, owner, RCP) if covered else None


@dataclass(slots=True)
class Call:
    """One API call in progress: who makes it, where, and what it has decided so far.

    `context` holds request-context keys this call adds to the world's (a service acting on behalf of a
    resource sends aws:SourceArn and aws:SourceAccount). What `explain` notes lands in the call's event.
    """

    world: World
    caller: Caller
    region: str
    service: str
    operation: str
    started: datetime
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    resource: str = ""
    outcomes: list[ExplanationLine] = field(default_factory=list)
    follow_ups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.world.clock.now

    def decide(
        self,
        action: str,
        resource_arn: str = "*",
        *,
        resource_policy: Policy | None = None,
        resource_policy_name: str = "repository",
        resource_account: str | None = None,
        context: Mapping[str, ContextValue] | None = None,
        resource_policy_required: bool = False,
    ) -> Decision:
        """Decide `action` on `resource_arn` for this caller now and record the decision; never raises.

        For operations whose denial AWS words differently from the policy engine's sentence (STS
        AssumeRole); everything else uses `authorize`. `resource_policy_required` demands the resource
        policy's consent even when an identity policy allows, as a role's trust policy does, and
        `resource_policy_name` is what the trace calls that policy.
        """
        caller = self.caller
        full, lowered = self.world.base_context(caller)
        extra = {**self.context, **context} if context else self.context
        if extra:
            full = {**full, **extra}
            lowered = {**lowered, **lower_keys(extra)}
            if "aws:SourceVpce" in extra and "aws:SourceIp" not in extra:
                # Through a VPC endpoint AWS sends no aws:SourceIp (condition-keys page, aws:SourceIp).
                full.pop("aws:SourceIp", None)
                lowered.pop("aws:sourceip", None)
        scps, rcps = _organization_levels(self.world, caller, action, resource_arn, resource_account)
        request = Request(
            caller.arn,
            action,
            resource_arn,
            caller.identity_policies,
            resource_policy,
            resource_account,
            full,
            resource_policy_name,
            scps,
            rcps,
            caller.boundary,
            caller.session_policies,
        )
        decision = decide(request, resource_policy_required=resource_policy_required, context=lowered)
        if "aws:sourcevpce" in lowered:
            from ecrsim.engine.ec2.endpoint_policy import screen

            decision = screen(self.world, decision, request, lowered)
        self.decisions.append(decision)
        if resource_arn != "*":
            self.resource = resource_arn
        return decision

    def authorize(
        self,
        action: str,
        resource_arn: str = "*",
        *,
        resource_policy: Policy | None = None,
        resource_policy_name: str = "repository",
        resource_account: str | None = None,
        context: Mapping[str, ContextValue] | None = None,
        resource_policy_required: bool = False,
    ) -> Decision:
        """Decide `action` on `resource_arn` for this caller now; raise AccessDenied when denied.

        Permissions are checked at the moment of each call, never cached from login: a policy change takes
        effect on the next call, as in AWS.
        """
        decision = self.decide(
            action,
            resource_arn,
            resource_policy=resource_policy,
            resource_policy_name=resource_policy_name,
            resource_account=resource_account,
            context=context,
            resource_policy_required=resource_policy_required,
        )
        if not decision.allowed:
            message = _DENIED_PREFIX.get(self.service, "") + (decision.message or "")
            raise ServiceError(ACCESS_DENIED_CODE[self.service], message, decision=decision)
        return decision

    def explain(self, kind: LineKind, text: str, depth: int = 1, matched: bool | None = None) -> None:
        """Note an outcome that is not an IAM decision (the AWS rule a parameter breaks, the lockout
        check) for the call's event, so that `sim explain` can say it."""
        self.outcomes.append(ExplanationLine(kind, text, depth, matched))

    def then(self, follow_up: Callable[[], None]) -> None:
        """Run `follow_up` once the call has succeeded and its event is logged: what the service does
        because of the call (replication after a push) is logged after the call itself, as it happens."""
        self.follow_ups.append(follow_up)

    def record(self, error: ServiceError | None = None) -> Event:
        """The call's entry in the event log, once it has ended."""
        return Event(
            self.started,
            self.service,
            self.operation,
            self.caller.arn,
            self.region,
            tuple(self.decisions),
            self.resource,
            error.code if error else None,
            error.message if error else None,
            tuple(self.outcomes),
            self.world.command,
        )
