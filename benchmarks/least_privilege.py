"""How long the least-privilege verdict takes on the pack's largest world, beside one simulated command.

A task's verdict compares what the learner's world allows with what the reference solution's world allows,
over every user and role, ECR action and repository (engine/ecr/reach.py), after every command the learner
types while the checks hold. Target: under 100 ms, and at most 50 times one simulated command.

Two learners: one who attached AdministratorAccess to a user (one principal's row differs: the usual case),
and a worst case where nothing is shared (the reference world built again from the file, so every policy
differs by identity and every cell is decided in both worlds).

Run: python benchmarks/least_privilege.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from ecrsim.engine import identity
from ecrsim.engine.ecr.reach import extra_access
from ecrsim.scenarios.pack import Loaded, bundled_pack, load, scenario_files
from ecrsim.scenarios.runner import Runner
from ecrsim.scenarios.world_builder import build_world


def largest() -> Loaded:
    """The bundled scenario whose world has the most (principal, repository) pairs."""

    def size(item: Loaded) -> int:
        world = build_world(item.scenario, item.document)
        principals = sum(len(a.users) + len(a.roles) for a in world.accounts.values())
        repositories = sum(
            len(r.repositories) for a in world.accounts.values() for r in a.registries.values()
        )
        return principals * (repositories + 1)

    return max((load(path) for path in scenario_files([bundled_pack()])), key=size)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    item = largest()
    scenario = item.scenario
    world = build_world(scenario, item.document)
    account, region = scenario.world.account, scenario.world.region
    principals = sum(len(a.users) + len(a.roles) for a in world.accounts.values())
    repositories = sum(len(r.repositories) for a in world.accounts.values() for r in a.registries.values())
    print(f"world: {scenario.id} ({principals} principals, {repositories} repositories)")

    shell = Runner.start(world.copy(), scenario).shell
    command = "aws ecr describe-repositories"
    one_command = median_ms(lambda: shell.fork().run_line(command), repeat)

    learner = world.copy()
    home = learner.account(account)
    user = next(u for u in home.users.values() if u.name != "admin")
    identity.attach_policy(home, user, "AdministratorAccess")
    typical = median_ms(lambda: extra_access(learner, world, account, region), repeat)
    rebuilt = build_world(scenario, item.document)
    identity.attach_policy(
        rebuilt.account(account), rebuilt.account(account).users[user.name], "AdministratorAccess"
    )
    worst = median_ms(lambda: extra_access(rebuilt, world, account, region), repeat)
    found = len(extra_access(learner, world, account, region))

    print(f"one simulated command (`{command}` on a fork): {one_command:8.2f} ms")
    print(
        f"verdict, {user.name} given AdministratorAccess ({found} extras): {typical:8.2f} ms  "
        f"= {typical / one_command:5.1f} commands"
    )
    print(
        f"verdict, nothing shared (every cell decided twice): {worst:8.2f} ms  "
        f"= {worst / one_command:5.1f} commands"
    )
    print("target: under 100 ms and at most 50 commands' worth")


if __name__ == "__main__":
    main()
