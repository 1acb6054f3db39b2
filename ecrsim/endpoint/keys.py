"""Whose access key signed a request: every IAM user's keys and every role session's temporary key.

Looked up in the world as it is at the request, so a key made by `aws iam create-access-key` or a session
from `aws sts assume-role` works on the very next request, and a deleted or inactive key stops at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecrsim.engine.arn import parse_arn

if TYPE_CHECKING:
    from ecrsim.engine.world import World


@dataclass(frozen=True)
class KeyOwner:
    """The principal an access key signs for, the key's secret, and the session token it must carry."""

    principal_arn: str
    secret: str
    session_token: str | None = None
    active: bool = True


def find_key(world: World, access_key_id: str) -> KeyOwner | None:
    for account in world.accounts.values():
        for user in account.users.values():
            for key in user.access_keys:
                if key.access_key_id == access_key_id:
                    return KeyOwner(user.arn, key.secret_access_key, active=key.status == "Active")
        for session in account.sessions.values():
            if session.access_key.access_key_id == access_key_id:
                return KeyOwner(session.arn, session.access_key.secret_access_key, session.session_token)
    return None


def user_keys(world: World) -> dict[str, tuple[str, str]]:
    """Each profile that is an IAM user with an active key: (access key id, secret) of its first one."""
    found = {}
    for profile, arn in world.profiles.items():
        for account in world.accounts.values():
            for user in account.users.values():
                active = [key for key in user.access_keys if key.status == "Active"]
                if user.arn == arn and active:
                    found[profile] = (active[0].access_key_id, active[0].secret_access_key)
    return found


def home_account(world: World, profile: str) -> str:
    """The account of a profile's principal (the registry served under /v2/ is its default one); the
    world's first account when the profile names none."""
    arn = parse_arn(world.profiles.get(profile, ""))
    account = arn.account if arn is not None else ""
    return account if account in world.accounts else next(iter(world.accounts))
