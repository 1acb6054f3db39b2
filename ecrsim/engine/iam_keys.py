"""IAM access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey.

What a learner runs with the real CLI against `ecrsim endpoint` to make a key at run time and sign with it.
A user holds at most two keys (IAM and STS quotas page, "Access keys assigned to an IAM user"); without
UserName, the user whose credentials sign the request is meant, as IAM's API reference says for each.
Each is authorized as `iam:<Operation>` on the user's ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ecrsim.engine import identity
from ecrsim.engine.api import Call, operation
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.iam import AccessKey, User
from ecrsim.engine.iam_api import _account, _user

MAX_KEYS = 2
_STATUSES = ("Active", "Inactive")


def _key_owner(call: Call, params: Mapping[str, Any]) -> User:
    """The user named by UserName, or the signing user; the call is authorized on its ARN first."""
    if params.get("UserName") is None:
        caller = call.caller
        if caller.kind != "user":
            raise ServiceError(
                "ValidationError", "Must specify userName when calling with non-User credentials"
            )
        params = {"UserName": caller.context["aws:username"]}
    return _user(call, params)[1]


def _metadata(user: User, key: AccessKey) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "AccessKeyId": key.access_key_id,
        "Status": key.status,
        "CreateDate": key.created,
    }


def _key(user: User, key_id: Any) -> int:
    for index, key in enumerate(user.access_keys):
        if key.access_key_id == key_id:
            return index
    raise ServiceError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")


@operation("iam", "CreateAccessKey")
def create_access_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    user = _key_owner(call, params)
    if len(user.access_keys) >= MAX_KEYS:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS}")
    key = identity.new_access_key(call.world)
    user.access_keys.append(key)
    _account(call).iam_changed()
    return {"AccessKey": {**_metadata(user, key), "SecretAccessKey": key.secret_access_key}}


@operation("iam", "ListAccessKeys")
def list_access_keys(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    user = _key_owner(call, params)
    return {"AccessKeyMetadata": [_metadata(user, key) for key in user.access_keys], "IsTruncated": False}


@operation("iam", "UpdateAccessKey")
def update_access_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    user = _key_owner(call, params)
    status = params.get("Status")
    if status not in _STATUSES:
        raise ServiceError(
            "ValidationError",
            f"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: "
            "Member must satisfy enum value set: [Active, Inactive]",
        )
    index = _key(user, params.get("AccessKeyId"))
    user.access_keys[index] = replace(user.access_keys[index], status=status)
    return {}


@operation("iam", "DeleteAccessKey")
def delete_access_key(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    user = _key_owner(call, params)
    del user.access_keys[_key(user, params.get("AccessKeyId"))]
    return {}
