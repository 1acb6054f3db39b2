"""`sim on INSTANCE_ID`: type commands on an EC2 instance, and `sim on` / `sim off` / `exit` to come back.

On the instance every command runs there (ecrsim.engine.ec2.vantage): `aws` signs with the instance
profile's role credentials from the instance metadata service (no profile of the learner's exists there),
each request follows the instance's network path and times out where the path has no way through, and
`docker` is the instance's own machine, with its own images and logins.
"""

from __future__ import annotations

from ecrsim.shell.program import Invocation, Outcome


def _error(message: str, status: int = 1) -> Outcome:
    return Outcome(status, "", f"sim: {message}\n")


def leave_instance(inv: Invocation) -> Outcome:
    world = inv.shell.world
    if world.on is None:
        return _error("you are on your own computer already (sim on INSTANCE_ID works on an instance)")
    left, world.on = world.on.instance_id, None
    return Outcome(0, f"logout\nBack on your own computer (left {left}).\n")


def _account(inv: Invocation) -> str:
    world = inv.shell.world
    return world.on.account_id if world.on is not None else inv.shell.account


def is_instance(inv: Invocation, instance_id: str) -> bool:
    """Is `instance_id` a running instance of the account the learner works in?"""
    from ecrsim.engine.ec2.vantage import find

    return find(inv.shell.world, _account(inv), instance_id) is not None


def board(inv: Invocation, instance_id: str) -> Outcome:
    from ecrsim.engine.ec2.vantage import find, instance_of

    world = inv.shell.world
    account = _account(inv)
    vantage = find(world, account, instance_id)
    if vantage is None:
        return _error(f"no running instance {instance_id} in account {account} (aws ec2 describe-instances)")
    world.on = vantage
    instance = instance_of(world, vantage)
    role = "no instance profile: the AWS CLI will find no credentials"
    if instance.profile_arn:
        profile = world.accounts[account].instance_profiles.get(instance.profile_arn.rsplit("/", 1)[-1])
        roles = profile.roles if profile else []
        role = f"instance profile {instance.profile_arn.rsplit('/', 1)[-1]}" + (
            f", role {roles[0]}" if roles else ", which holds no role"
        )
    address = f"{instance.private_ip}" + (f", public {instance.public_ip}" if instance.public_ip else "")
    return Outcome(
        0,
        f"Now working on {instance_id} ({address}) in {instance.subnet_id}, {vantage.region}; {role}.\n"
        "  aws signs with the instance role's credentials, every request goes through the instance's\n"
        "  network, and docker is the instance's own. `exit` (or `sim on`) comes back.\n",
    )


def run_on(inv: Invocation) -> Outcome:
    """`sim on INSTANCE_ID` boards an instance; `sim on` alone comes back."""
    if len(inv.argv) == 1:
        return leave_instance(inv)
    if len(inv.argv) != 2:
        return _error("usage: sim on [INSTANCE_ID]", 2)
    return board(inv, inv.argv[1])


def run_off(inv: Invocation) -> Outcome:
    if len(inv.argv) != 1:
        return _error("usage: sim off", 2)
    return leave_instance(inv)
