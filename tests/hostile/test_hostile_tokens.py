"""Docker passwords are signed with the world's secret: nobody forges one, a copy of the world accepts the
original's, and anything that is not one of ours is an invalid token with ECR's answer."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone

import pytest

from ecrsim.engine.ecr.tokens import issue_password, read_password
from ecrsim.engine.world import World, default_world
from ecrsim.shell import Shell

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
ADMIN = "arn:aws:iam::111122223333:user/admin"
LOGIN_REFUSED = (
    f"Error response from daemon: login attempt to https://{HOST}/v2/ failed with status: 400 Bad Request\n"
)


def envelope(payload: str, datakey: str, expiration: object) -> str:
    document = {"payload": payload, "datakey": datakey, "version": "2", "type": "DATA_KEY"}
    document["expiration"] = expiration  # type: ignore[assignment]
    return base64.b64encode(json.dumps(document).encode()).decode()


def unkeyed_forgery(principal: str, expiration: int) -> str:
    """What a learner who read the old source could make: the digest was an unkeyed hash of the claims."""
    payload = base64.b64encode(json.dumps([principal, "us-east-1", 0]).encode()).decode()
    digest = hashlib.sha256(f"ecrsim-token:{payload}:{expiration}".encode()).hexdigest()
    return envelope(payload, digest, expiration)


def login(shell: Shell, password: str) -> tuple[int, str]:
    result = shell.run_line(f"echo '{password}' | docker login --username AWS --password-stdin {HOST}")
    return result.status, result.stdout + result.stderr


def test_a_user_without_permissions_cannot_forge_an_admin_token() -> None:
    shell = Shell(default_world())
    shell.run_line("aws iam create-user --user-name mallory")
    shell.run_line("sim as mallory")
    year_2100 = int(datetime(2100, 1, 1, tzinfo=timezone.utc).timestamp())
    assert login(shell, unkeyed_forgery(ADMIN, year_2100)) == (1, LOGIN_REFUSED)
    shell.run_line(f"docker build -t {HOST}/app:v1 .")
    pushed = shell.run_line(f"docker push {HOST}/app:v1")
    assert pushed.status == 1 and "no basic auth credentials" in pushed.stderr


@pytest.mark.parametrize(
    "password",
    [
        "not-base64!",
        base64.b64encode(b"[]").decode(),
        base64.b64encode(b'"text"').decode(),
        base64.b64encode(b"[" * 100_000).decode(),  # nested past the recursion limit
        envelope("x", "0" * 64, 10**400),  # expirations no datetime can hold
        envelope("x", "0" * 64, -(10**20)),
        envelope("x", "0" * 64, 1.5e308),
        envelope("x", "\u00e9" * 64, 0),
        "A" * 100_000,
    ],
)
def test_anything_but_an_issued_password_is_an_invalid_token(password: str) -> None:
    assert read_password(password, b"secret") is None
    assert login(Shell(default_world()), password) == (1, LOGIN_REFUSED)


def test_a_signed_expiration_beyond_any_date_is_refused_not_an_overflow() -> None:
    # Even a correctly signed envelope (only the world could make one) cannot hold an impossible date.
    world = World(token_secret=b"k")
    good, _ = issue_password(ADMIN, "us-east-1", world.clock.now, b"k")
    document = json.loads(base64.b64decode(good))
    from ecrsim.engine.ecr import tokens

    document["expiration"] = 10**18
    document["datakey"] = tokens._datakey(b"k", document["payload"], 10**18)
    assert read_password(base64.b64encode(json.dumps(document).encode()).decode(), b"k") is None


def test_a_copy_of_the_world_accepts_the_original_tokens_and_another_world_does_not() -> None:
    world = default_world()
    password = Shell(world).run_line("aws ecr get-login-password").stdout.strip()
    status, output = login(Shell(world.copy()), password)
    assert status == 0 and output.startswith("Login Succeeded\n")
    assert login(Shell(default_world()), password) == (1, LOGIN_REFUSED)


def test_a_fixed_secret_prints_the_same_password_every_time() -> None:
    def password() -> str:
        world = World(token_secret=b"golden")
        world.add_account("111122223333")
        from ecrsim.engine.identity import add_user

        add_user(world, "111122223333", "admin", managed=["AdministratorAccess"])
        return Shell(world).run_line("aws ecr get-login-password").stdout

    assert password() == password()
    assert read_password(password().strip(), b"golden") is not None
