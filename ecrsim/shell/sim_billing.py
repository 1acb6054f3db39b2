"""`sim bill` and `sim traffic`: what the world costs at AWS's public prices, and steady pull traffic a
scenario states ("2 TB a month from this subnet") so that a cost question is answered by the simulation.

    sim bill                 what the world has cost so far on the simulated clock
    sim bill --monthly       what a month costs at the present rate (resources, storage, stated traffic)
    sim bill ... --total     the total alone, e.g. `$98.57` (a question's `{output: ...}` can match it)
    sim bill ... --max 50    fails (status 1, error OVER_BUDGET) when the total is over $50: a check
    sim traffic pull 2TB/month --from INSTANCE_OR_SUBNET [--registry HOST]
    sim traffic              the stated traffic and the path each takes (status 1, error UNREACHABLE,
                             when some of it cannot reach the registry); `sim traffic clear` forgets it
"""

from __future__ import annotations

import re

from ecrsim.shell.program import Invocation, Outcome

_RATE = re.compile(r"(\d+(?:\.\d+)?)(GB|TB)(?:/(month|day))?", re.IGNORECASE)
_DAYS_PER_MONTH = 730 / 24
TRAFFIC_USAGE = (
    "usage: sim traffic [pull RATE --from INSTANCE_OR_SUBNET [--registry HOST] | clear]  (RATE: 2TB/month)"
)


def _error(message: str, status: int = 1, code: str | None = None) -> Outcome:
    return Outcome(status, "", f"sim: {message}\n", code)


def run_bill(inv: Invocation) -> Outcome:
    from ecrsim.engine.billing.bill import monthly, render, so_far

    args, limit = inv.argv[1:], None
    if "--max" in args:
        at = args.index("--max")
        try:
            limit = float(args[at + 1].lstrip("$"))
        except (IndexError, ValueError):
            return _error("usage: sim bill [--monthly] [--total] [--max DOLLARS]", 2)
        args = args[:at] + args[at + 2 :]
    unknown = [arg for arg in args if arg not in ("--monthly", "--total")]
    if unknown:
        return _error(f"unknown option {unknown[0]}: sim bill [--monthly] [--total] [--max DOLLARS]", 2)
    world = inv.shell.world
    bill = monthly(world) if "--monthly" in args else so_far(world)
    total = f"${bill.total:,.2f}"
    shown = total + "\n" if "--total" in args else "".join(f"{line}\n" for line in render(bill))
    if limit is not None and bill.total > limit:
        return Outcome(1, shown, f"sim: the bill is {total}, over ${limit:,.2f}\n", "OVER_BUDGET")
    return Outcome(0, shown)


def _gib_per_month(text: str) -> float | None:
    match = _RATE.fullmatch(text)
    if match is None:
        return None
    size = float(match.group(1)) * (1024 if match.group(2).upper() == "TB" else 1)
    return size * _DAYS_PER_MONTH if (match.group(3) or "month").lower() == "day" else size


def run_traffic(inv: Invocation) -> Outcome:
    from ecrsim.engine.billing.traffic import blocked, describe, pull_flow

    world = inv.shell.world
    args = inv.argv[1:]
    if not args:
        flows = world.meter.flows
        if not flows:
            return Outcome(0, "No traffic stated (sim traffic pull 2TB/month --from INSTANCE_OR_SUBNET).\n")
        listed = "".join(f"{describe(world, flow)}\n" for flow in flows)
        failing = [flow.source for flow in flows if blocked(world, flow)]
        if failing:  # a check can hold a world to pulls that work
            return Outcome(1, listed, f"sim: pulls from {', '.join(failing)} fail\n", "UNREACHABLE")
        return Outcome(0, listed)
    if args == ["clear"]:
        world.meter.flows.clear()
        return Outcome(0, "No traffic stated now.\n")
    options = dict(zip(args[2::2], args[3::2], strict=False))
    if (
        args[0] != "pull"
        or len(args) % 2
        or "--from" not in options
        or set(options) - {"--from", "--registry"}
    ):
        return _error(TRAFFIC_USAGE, 2)
    rate = _gib_per_month(args[1])
    if rate is None:
        return _error(f"invalid rate '{args[1]}': use e.g. 2TB/month, 500GB/month, 50GB/day", 2)
    account = world.on.account_id if world.on is not None else inv.shell.account
    try:
        flow = pull_flow(world, account, options["--from"], rate, options.get("--registry"))
    except ValueError as error:
        return _error(str(error), 2)
    world.meter.flows.append(flow)
    return Outcome(0, f"From now on: {describe(world, flow)}\n")
