"""Registry authorization tokens: GetAuthorizationToken and what `docker login` checks.

A token is base64 of `AWS:<password>`, valid 12 hours, issued for one Region and tied to the principal
that asked (ECR API reference, GetAuthorizationToken; user guide "Private registry authentication").
The password carries its own claims, as a real ECR password does (a base64 JSON envelope with a payload,
a data key and an expiration), so no token store has to be copied with the world.

The claims are signed with HMAC-SHA256 under the world's `token_secret`: anyone can read a password (as
with a real one), nobody can make one that says another principal or a later expiry. The secret is the
one value in a world that is not derived from its history:

- It is drawn from the operating system (`os.urandom`) when a World is made, because a secret computed
  from anything in this source (a constant, the scenario, the clock) could be recomputed by the learner
  who reads it, and a forged admin token would work again.
- `World.copy()` shares it, so a probe, an undo snapshot or a `sim reset` accepts every token the original
  issued, and replaying a scenario in one world gives the same decisions: the secret never decides an
  outcome, it only tells issued passwords from made-up ones.
- The printed password is therefore the one output that differs between two freshly made worlds. Nothing
  in the pack or the golden transcripts prints one (they pipe it to `docker login`); a test that must
  print a stable password makes its world with `World(token_secret=...)`.

Every validity check goes through `check_token`: is this a password this world issued (`read_password`),
for this Region, and still valid at the world's time; with the sentence that says why, for explanations.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import registry_id_of
from ecrsim.engine.ecr.model import registry_host
from ecrsim.engine.explanation import stamp

TOKEN_LIFETIME = timedelta(hours=12)
# A password ECR issues is about 2 KB; anything much longer is not one of ours and is not decoded.
_MAX_PASSWORD = 8192
# Expirations a datetime can hold (years 1 to 9999), so no signed value can overflow when read back.
_EARLIEST = int(datetime(1, 1, 2, tzinfo=timezone.utc).timestamp())
_LATEST = int(datetime(9999, 12, 30, tzinfo=timezone.utc).timestamp())


@dataclass(frozen=True)
class TokenClaims:
    """What a docker password issued by GetAuthorizationToken says: who, where, and until when."""

    principal_arn: str
    region: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class TokenCheck:
    """Whether a docker password is a valid registry token now, and the sentence that says why: whose
    token, issued when, expiring when, and the simulated time now."""

    claims: TokenClaims | None
    valid: bool
    reason: str


def check_token(password: str, secret: bytes, now: datetime, region: str | None = None) -> TokenCheck:
    """The one place that decides whether a registry password is valid at `now`: issued by this world
    (signed with `secret`), unexpired, and for `region` when given (a token works in its own Region)."""
    claims = read_password(password, secret)
    if claims is None:
        return TokenCheck(None, False, "the password is not an authorization token ECR issued")
    whose = f"the token of {claims.principal_arn} for {claims.region}, issued {stamp(claims.issued_at)},"
    if region is not None and claims.region != region:
        return TokenCheck(claims, False, f"{whose} is not valid in {region}: a token works in its own Region")
    if now >= claims.expires_at:
        return TokenCheck(
            claims, False, f"{whose} expired {stamp(claims.expires_at)} (12 hours on); it is now {stamp(now)}"
        )
    return TokenCheck(
        claims, True, f"{whose} is valid until {stamp(claims.expires_at)}; it is now {stamp(now)}"
    )


def _datakey(secret: bytes, payload: str, expiration: int) -> str:
    return hmac.new(secret, f"ecrsim-token:{payload}:{expiration}".encode(), hashlib.sha256).hexdigest()


def issue_password(principal_arn: str, region: str, now: datetime, secret: bytes) -> tuple[str, datetime]:
    """The password `aws ecr get-login-password` prints, and when it expires, signed with `secret`."""
    expires_at = now + TOKEN_LIFETIME
    expiration = int(expires_at.timestamp())
    payload = base64.b64encode(json.dumps([principal_arn, region, int(now.timestamp())]).encode()).decode()
    envelope = {
        "payload": payload,
        "datakey": _datakey(secret, payload, expiration),
        "version": "2",
        "type": "DATA_KEY",
        "expiration": expiration,
    }
    return base64.b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode(), expires_at


def read_password(password: str, secret: bytes) -> TokenClaims | None:
    """The claims of a password this world issued (signed with `secret`), or None for anything else: a
    typo, a password from another world, a forged or altered value. Whether it is valid now is
    `check_token`'s to say."""
    if len(password) > _MAX_PASSWORD:
        return None
    try:
        envelope = json.loads(base64.b64decode(password, validate=True))
        payload, expiration, datakey = envelope["payload"], envelope["expiration"], envelope["datakey"]
        if not (isinstance(payload, str) and isinstance(datakey, str) and type(expiration) is int):
            return None
        if not hmac.compare_digest(datakey.encode(), _datakey(secret, payload, expiration).encode()):
            return None
        principal_arn, region, issued = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError):
        return None
    if not (
        isinstance(principal_arn, str)
        and isinstance(region, str)
        and type(issued) is int
        and _EARLIEST <= issued <= expiration <= _LATEST
    ):
        return None
    return TokenClaims(
        principal_arn,
        region,
        datetime.fromtimestamp(issued, timezone.utc),
        datetime.fromtimestamp(expiration, timezone.utc),
    )


@operation("ecr", "GetAuthorizationToken")
def get_authorization_token(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    # An identity-policy-only decision on resource "*": no repository policy is ever consulted.
    call.authorize("ecr:GetAuthorizationToken", "*")
    password, expires_at = issue_password(call.caller.arn, call.region, call.now, call.world.token_secret)
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
