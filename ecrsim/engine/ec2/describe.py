"""EC2's Describe* operations, table-driven: one function selects and shows, each resource type is a row.

Every Describe* call works the same way (EC2 API reference, "Filters", and DescribeVpcs and its siblings):
authorize `ec2:DescribeX` on `TYPE/*`, fail with the type's NotFound code for an id asked for that does not
exist, keep the records every filter admits (access.filtered: any of a filter's values may match, with
wildcards; `tag:KEY` and `tag-key` filter on tags), and list them under the response's key. A resource
type's row only says what differs, down to the request member that holds the filters (`Filter` in
DescribeNatGateways, `Filters` in the others, as their service models name it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import authorize, filtered, network
from ecrsim.engine.errors import ServiceError

R = TypeVar("R")
# (operation, ARN resource type, the Network's collection, the request's ids member, the response's member)
Names = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Described(Generic[R]):
    """One resource type's Describe* operation."""

    operation: str  # "DescribeVpcs"
    kind: str  # the ARN's resource type, for authorization: "vpc"
    collection: str  # the Network's attribute that holds the records by id: "vpcs"
    ids_key: str  # the request member that names ids: "VpcIds"
    result_key: str  # the response member that lists them: "Vpcs"
    show: Callable[[Call, R], dict[str, Any]]  # one record as the response shows it
    filters: Mapping[str, str]  # filter name -> the record's attribute it reads
    missing: tuple[str, str]  # the NotFound code and message ("{}" is the id) for an unknown id
    filters_key: str = "Filters"  # the request member that holds the filters

    def records(self, call: Call) -> dict[str, R]:
        return getattr(network(call), self.collection)

    def find(self, call: Call, resource_id: str) -> R:
        """The record with this id, or the type's NotFound error."""
        record = self.records(call).get(resource_id)
        if record is None:
            raise self.not_found(resource_id)
        return record

    def not_found(self, resource_id: str) -> ServiceError:
        code, message = self.missing
        return ServiceError(code, message.format(resource_id))


def described(
    names: Names,
    show: Callable[[Call, R], dict[str, Any]],
    filters: Mapping[str, str],
    missing: tuple[str, str],
    filters_key: str = "Filters",
) -> Described[R]:
    """A resource type's row, registered as its EC2 operation."""
    table = Described(*names, show, filters, missing, filters_key)

    def handler(call: Call, params: dict[str, Any]) -> dict[str, Any]:
        authorize(call, table.operation, table.kind)
        chosen = select(table.records(call), params, table)
        return {table.result_key: [table.show(call, record) for record in chosen]}

    operation("ec2", table.operation)(handler)
    return table


def select(records: Mapping[str, R], params: dict[str, Any], table: Described[R]) -> list[R]:
    """The ids asked for (each must exist), then the filters (every filter must hold)."""
    fields = {name: _reader(attribute) for name, attribute in table.filters.items()}
    return filtered(
        records,
        params,
        table.ids_key,
        fields,
        table.not_found,
        table.filters_key,
    )


def _reader(attribute: str) -> Callable[[object], set[str]]:
    return lambda record: _values(getattr(record, attribute))


def _values(value: object) -> set[str]:
    """An attribute as filter values: a flag as `true`/`false`, a collection as its members, None as ""."""
    if isinstance(value, bool):
        return {str(value).lower()}
    if isinstance(value, list | tuple | set | frozenset):
        return {str(member) for member in value}
    return {"" if value is None else str(value)}
