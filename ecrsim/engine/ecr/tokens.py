"""Registry authorization tokens: GetAuthorizationToken and what `docker login` checks.

A token is base64 of `AWS:<password>`, valid 12 hours, issued for one Region and tied to the principal
that asked (ECR API reference, GetAuthorizationToken; user guide "Private registry authentication").
The password carries its own claims, as a real ECR password does (a base64 JSON envelope with an
expiration), with a digest over them instead of encryption: the world stays deterministic and no token
store has to be copied with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import registry_id_of
from ecrsim.engine.ecr.model import registry_host

TOKEN_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class TokenClaims:
    """What a docker password issued by GetAuthorizationToken says: who, where, and until when."""

    principal_arn: str
    region: str
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def _datakey(payload: str, expiration: int) -> str:
    return hashlib.sha256(f"ecrsim-token:{payload}:{expiration}".encode()).hexdigest()


def issue_password(principal_arn: str, region: str, now: datetime) -> tuple[str, datetime]:
    """The password `aws ecr get-login-password` prints, and when it expires."""
    expires_at = now + TOKEN_LIFETIME
    expiration = int(expires_at.timestamp())
    payload = base64.b64encode(json.dumps([principal_arn, region, int(now.timestamp())]).encode()).decode()
    envelope = {
        "payload": payload,
        "datakey": _datakey(payload, expiration),
        "version": "2",
        "type": "DATA_KEY",
        "expiration": expiration,
    }
    return base64.b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode(), expires_at


def read_password(password: str) -> TokenClaims | None:
    """The claims of a password ECR issued, or None for anything else (a typo, a forged value)."""
    try:
        envelope = json.loads(base64.b64decode(password, validate=True))
        payload, expiration = envelope["payload"], envelope["expiration"]
        if envelope["datakey"] != _datakey(payload, expiration):
            return None
        principal_arn, region, _issued = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return TokenClaims(principal_arn, region, datetime.fromtimestamp(expiration, timezone.utc))


@operation("ecr", "GetAuthorizationToken")
def get_authorization_token(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    # An identity-policy-only decision on resource "*": no repository policy is ever consulted.
    call.authorize("ecr:GetAuthorizationToken", "*")
    password, expires_at = issue_password(call.caller.arn, call.region, call.now)
    token = base64.b64encode(f"AWS:{password}".encode()).decode()
    registry_ids = params.get("registryIds") or [registry_id_of(call, {})]
    return {
        "authorizationData": [
            {
                "authorizationToken": token,
                "expiresAt": expires_at,
                "proxyEndpoint": f"https://{registry_host(registry_id, call.region)}",
            }
            for registry_id in registry_ids
        ]
    }
