"""IAM instance profiles: the container an EC2 instance carries its role in (CreateInstanceProfile,
AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile, GetInstanceProfile, ListInstanceProfiles,
DeleteInstanceProfile), with IAM's errors. An instance profile holds at most one role ("Cannot exceed quota
for InstanceSessionsPerInstanceProfile: 1", IAM and STS quotas page). Each call is authorized as
`iam:<Operation>` on the instance profile's ARN (Service Authorization Reference, IAM).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.iam import Account, InstanceProfile
from ecrsim.engine.iam_api import _account, _arn, _authorize, _name, _page, _path, _role, role_shape


def _profile(call: Call, params: Mapping[str, Any]) -> tuple[Account, InstanceProfile]:
    account, name = _account(call), _name(params, "InstanceProfileName")
    profile = account.instance_profiles.get(name)
    _authorize(call, profile.arn if profile else _arn(account, "instance-profile", name), account)
    if profile is None:
        raise ServiceError("NoSuchEntity", f"Instance Profile {name} cannot be found.")
    return account, profile


def profile_shape(account: Account, profile: InstanceProfile) -> dict[str, Any]:
    return {
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.profile_id,
        "Arn": profile.arn,
        "CreateDate": profile.created,
        "Roles": [role_shape(account.roles[name]) for name in profile.roles if name in account.roles],
    }


@operation("iam", "CreateInstanceProfile")
def create_instance_profile(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, name, path = _account(call), _name(params, "InstanceProfileName"), _path(params)
    _authorize(call, _arn(account, "instance-profile", name, path), account)
    if name in account.instance_profiles:
        raise ServiceError("EntityAlreadyExists", f"Instance Profile {name} already exists.")
    profile = InstanceProfile(name, account.id, call.world.make_id("AIPA", 17), call.now, path)
    account.instance_profiles[name] = profile
    return {"InstanceProfile": profile_shape(account, profile)}


@operation("iam", "GetInstanceProfile")
def get_instance_profile(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, profile = _profile(call, params)
    return {"InstanceProfile": profile_shape(account, profile)}


@operation("iam", "ListInstanceProfiles")
def list_instance_profiles(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account = _account(call)
    _authorize(call, _arn(account, "instance-profile", "*"), account)
    prefix = _path(params, "PathPrefix") if "PathPrefix" in params else "/"
    shown = [
        profile_shape(account, p) for p in account.instance_profiles.values() if p.path.startswith(prefix)
    ]
    return _page(params, "InstanceProfiles", shown)


@operation("iam", "AddRoleToInstanceProfile")
def add_role_to_instance_profile(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    profile = _profile(call, params)[1]
    role = _role(call, params)[1]
    if profile.roles:
        raise ServiceError("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    profile.roles.append(role.name)
    return {}


@operation("iam", "RemoveRoleFromInstanceProfile")
def remove_role_from_instance_profile(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    profile = _profile(call, params)[1]
    role = _role(call, params)[1]
    if role.name not in profile.roles:
        raise ServiceError(
            "NoSuchEntity",
            f"The role with name {role.name} cannot be found in instance profile {profile.name}.",
        )
    profile.roles.remove(role.name)
    return {}


@operation("iam", "DeleteInstanceProfile")
def delete_instance_profile(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    account, profile = _profile(call, params)
    if profile.roles:
        raise ServiceError(
            "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."
        )
    del account.instance_profiles[profile.name]
    return {}
