"""The bill: what the world has cost on the simulated clock so far, or what a month costs at its present
rate (the resources it has now, the bytes it stores now, the traffic stated with `sim traffic`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecrsim.engine.billing.meter import hourly, settle
from ecrsim.engine.billing.prices import HOURS_PER_MONTH, PRICES, Price, dollars
from ecrsim.engine.explanation import stamp

if TYPE_CHECKING:
    from ecrsim.engine.world import World


@dataclass(frozen=True)
class Line:
    price: Price
    quantity: float

    @property
    def dollars(self) -> float:
        return round(self.quantity * self.price.dollars, 2)


@dataclass(frozen=True)
class Bill:
    title: str
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return round(sum(line.dollars for line in self.lines), 2)


def _lines(usage: dict[str, float]) -> tuple[Line, ...]:
    return tuple(Line(price, usage[key]) for key, price in PRICES.items() if usage.get(key, 0.0) > 1e-9)


def so_far(world: World) -> Bill:
    """What the world has cost since metering began, up to the clock's present."""
    meter = world.meter
    settle(world, world.clock.now)
    title = f"Cost from {stamp(meter.start)} to {stamp(world.clock.now)} (us-east-1 on-demand prices)"
    return Bill(title, _lines(meter.usage))


def monthly(world: World) -> Bill:
    """What a month of 730 hours costs at the world's present rate; one-off pulls and pushes are not in it."""
    rates, blocked = hourly(world)
    usage = {key: rate * HOURS_PER_MONTH for key, rate in rates.items()}
    title = "Cost of a month (730 hours) at the present rate (us-east-1 on-demand prices)"
    return Bill(title, _lines(usage), tuple(blocked))


def _quantity(line: Line) -> str:
    if line.quantity >= 100:
        return f"{line.quantity:,.0f}"
    return f"{line.quantity:,.2f}" if line.quantity >= 0.01 else f"{line.quantity:.4f}"


def render(bill: Bill) -> list[str]:
    rows = [
        (
            line.price.label,
            f"{_quantity(line)} {line.price.unit} x {dollars(line.price.dollars)}",
            f"${line.dollars:,.2f}",
        )
        for line in bill.lines
    ]
    width = max([len(label) for label, _, _ in rows] + [5])
    middle = max([len(amount) for _, amount, _ in rows] + [0])
    out = [bill.title]
    out += [f"  {label:<{width}}  {amount:<{middle}}  {cost:>10}" for label, amount, cost in rows]
    if not rows:
        out.append("  nothing billable yet")
    out.append(f"  {'Total':<{width}}  {'':<{middle}}  {'$' + format(bill.total, ',.2f'):>10}")
    out += [f"  Note: {note}" for note in bill.notes]
    return out
