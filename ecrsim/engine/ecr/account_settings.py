"""ECR's account settings: PutAccountSetting and GetAccountSetting, per registry (account and Region).

AWS documents three (API_PutAccountSetting): BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE and
BLOB_MOUNTING (ENABLED or DISABLED). ecrsim simulates BLOB_MOUNTING (mounting.py) and says so of the
others rather than invent their defaults. Both actions take no resource and the condition key
`ecr:AccountSetting`, the setting's name (Service Authorization Reference, Amazon ECR).
"""

from __future__ import annotations

from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import registry_of
from ecrsim.engine.ecr.names import invalid_parameter
from ecrsim.engine.errors import ServiceError

# Each simulated setting's values and the value a registry starts with (blob mounting is off until
# enabled: ECR user guide, "Blob mounting in Amazon ECR").
SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {"BLOB_MOUNTING": (("ENABLED", "DISABLED"), "DISABLED")}


def _name(call: Call, params: dict[str, Any], action: str) -> str:
    name = params["name"]
    call.authorize(action, "*", context={"ecr:AccountSetting": name})
    if name not in SETTINGS:
        raise ServiceError(
            "InvalidParameterException",
            f"ecrsim does not simulate the account setting {name} (it simulates {', '.join(SETTINGS)})",
        )
    return name


@operation("ecr", "PutAccountSetting")
def put_account_setting(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = _name(call, params, "ecr:PutAccountSetting")
    values, _default = SETTINGS[name]
    if params["value"] not in values:
        raise invalid_parameter("value", f"Member must satisfy enum value set: [{', '.join(values)}]")
    registry_of(call, {}).settings[name] = params["value"]
    return {"name": name, "value": params["value"]}


@operation("ecr", "GetAccountSetting")
def get_account_setting(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = _name(call, params, "ecr:GetAccountSetting")
    return {"name": name, "value": setting(registry_of(call, {}).settings, name)}


def setting(settings: dict[str, str], name: str) -> str:
    """A registry's value of `name`, or the value it starts with."""
    return settings.get(name, SETTINGS[name][1])
