"""The STS API operations `aws sts` reaches: GetCallerIdentity and AssumeRole.

AssumeRole is the one place where a resource policy must consent even when an identity policy allows: the
role's trust policy ("IAM role trust policies ... are the exceptions", iam-evaluation.md §1 step 4).
Within one account, a trust policy naming the user (or session) directly allows on its own; naming the
account (`arn:aws:iam::ACCT:root`) delegates to the account's IAM policies, which must then allow
sts:AssumeRole on the role; across accounts both sides must allow. The policy engine decides all of that
with `resource_policy_required=True`.

A session becomes a CLI profile named by RoleSessionName (commands.md), and its temporary credentials
expire on the simulated clock, after which every call fails with ExpiredToken (world.call_as).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.arn import parse_arn
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.iam import Role, RoleSession
from ecrsim.engine.identity import named_managed_policy, new_access_key, register_profile
from ecrsim.engine.policy.document import PolicyError, parse_identity_policy
from ecrsim.engine.policy.types import NamedPolicy

_SESSION_NAME = re.compile(r"[\w+=,.@-]+")
DEFAULT_DURATION = 3600  # seconds (AssumeRole API reference: DurationSeconds defaults to one hour)
CHAINED_LIMIT = 3600  # "role chaining limits your session to a maximum of one hour"
_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _invalid(member: str, value: object, constraint: str) -> ServiceError:
    return ServiceError(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint:"
        f" {constraint}",
    )


@operation("sts", "GetCallerIdentity")
def get_caller_identity(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """Needs no permission: "No permissions are required to perform this operation. If an administrator
    attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity
    action, you can still perform this operation" (GetCallerIdentity API reference)."""
    caller = call.caller
    user_id = caller.context.get("aws:userid", caller.arn)  # a service principal has no user id
    return {"UserId": user_id, "Account": caller.account_id, "Arn": caller.arn}


def _role(call: Call, role_arn: str) -> tuple[str | None, Role | None]:
    """The account a role ARN names, and the role if it exists there (with that exact path)."""
    arn = parse_arn(role_arn)
    if arn is None or (arn.service, arn.resource_type) != ("iam", "role") or not arn.account:
        return None, None
    account = call.world.accounts.get(arn.account)
    role = account.roles.get(arn.name) if account else None
    return arn.account, role if role is not None and role.arn == role_arn else None


def _duration(call: Call, params: dict[str, Any], role: Role) -> int:
    duration = params.get("DurationSeconds", DEFAULT_DURATION)
    if duration < 900:
        raise _invalid("durationSeconds", duration, "Member must have value greater than or equal to 900")
    if call.caller.kind == "session" and duration > CHAINED_LIMIT:
        raise ServiceError(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role"
            " chaining.",
        )
    if duration > role.max_session_duration:
        raise ServiceError(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
    return int(duration)


# At most ten managed session policies (AssumeRole API reference, PolicyArns).
_MAX_POLICY_ARNS = 10


def _session_policies(call: Call, params: dict[str, Any], role: Role) -> tuple[NamedPolicy, ...] | None:
    """The session policies of --policy and --policy-arns: they cap the session's permissions, which are
    "the intersection of the role's identity-based policy and the session policies" (AssumeRole API
    reference); the inline one and the managed ones together are one set, any of which may allow.
    None when neither was passed: then nothing caps the session."""
    inline, arns = params.get("Policy"), params.get("PolicyArns") or []
    if inline is None and not arns:
        return None
    if len(arns) > _MAX_POLICY_ARNS:
        raise _invalid(
            "policyArns", "[...]", f"Member must have length less than or equal to {_MAX_POLICY_ARNS}"
        )
    policies: list[NamedPolicy] = []
    if inline is not None:
        try:
            policies.append(NamedPolicy("inline", parse_identity_policy(inline)))
        except PolicyError as error:
            call.explain(LineKind.VALIDATION, f"the --policy session policy is malformed: {error.message}")
            raise ServiceError("MalformedPolicyDocument", error.message) from None
    account = call.world.account(role.account_id)
    for entry in arns:
        arn = entry.get("arn", "") if isinstance(entry, dict) else ""
        try:
            policies.append(named_managed_policy(account, arn))
        except ServiceError:
            # STS's text for a managed session policy that does not exist is not documented.
            raise ServiceError(
                "MalformedPolicyDocument", f"Policy {arn} does not exist or is not attachable."
            ) from None
    return tuple(policies)


@operation("sts", "AssumeRole")
def assume_role(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    role_arn, session_name = params.get("RoleArn"), params.get("RoleSessionName")
    if not isinstance(role_arn, str) or len(role_arn) < 20:
        raise _invalid("roleArn", role_arn, "Member must have length greater than or equal to 20")
    if not isinstance(session_name, str) or len(session_name) < 2:
        raise _invalid("roleSessionName", session_name, "Member must have length greater than or equal to 2")
    if len(session_name) > 64:
        raise _invalid("roleSessionName", session_name, "Member must have length less than or equal to 64")
    if not _SESSION_NAME.fullmatch(session_name):
        pattern = "Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        raise _invalid("roleSessionName", session_name, pattern)
    for unsupported in ("Tags", "SerialNumber"):
        if params.get(unsupported):
            raise ServiceError("ValidationError", f"ecrsim does not simulate {unsupported}; leave it out.")

    context = {"sts:RoleSessionName": session_name}
    if params.get("ExternalId"):
        context["sts:ExternalId"] = params["ExternalId"]
    if params.get("SourceIdentity"):
        context["sts:SourceIdentity"] = params["SourceIdentity"]
    role_account, role = _role(call, role_arn)
    decision = call.decide(
        "sts:AssumeRole",
        role_arn,
        resource_policy=role.trust.policy if role and role.trust else None,
        resource_policy_name="trust",
        resource_account=role_account,
        context=context,
        resource_policy_required=True,
    )
    if role is None:
        # The learner's explanation names the real cause, which STS's answer hides.
        decision = replace(
            decision,
            rule="no_such_role",
            reason=f"Implicitly denied: there is no role {role_arn}, so no trust policy can allow"
            " sts:AssumeRole; STS answers exactly as it does when a trust policy says no.",
        )
        call.decisions[-1] = decision
    if role is None or not decision.allowed:
        # STS words this without the "because ..." clause other services add; a role that does not exist
        # is denied the same way, so a caller cannot probe for role names.
        raise ServiceError(
            "AccessDenied",
            f"User: {call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            decision=decision,
        )
    duration = _duration(call, params, role)
    session_policies = _session_policies(call, params, role)

    world = call.world
    session = RoleSession(
        role_name=role.name,
        session_name=session_name,
        account_id=role.account_id,
        role_id=role.role_id,
        role_arn=role.arn,
        access_key=new_access_key(world, "ASIA"),
        session_token="IQoJb3JpZ2luX2VjE" + world.make_id("", 300, _TOKEN_ALPHABET),
        expires=call.now + timedelta(seconds=duration),
        session_policies=session_policies,
    )
    world.account(role.account_id).sessions[session.arn] = session
    # Named by RoleSessionName; ROLE/SESSION when a user's profile has that name (see register_profile).
    register_profile(world, session.arn, session_name, f"{role.name}/{session_name}", for_session=True)
    return {
        "Credentials": {
            "AccessKeyId": session.access_key.access_key_id,
            "SecretAccessKey": session.access_key.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expires,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": f"{role.role_id}:{session_name}",
            "Arn": session.arn,
        },
    }
