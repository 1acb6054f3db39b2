"""Loading good YAML: values as an author means them, and the line and column of every key and value."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ecrsim.scenarios.loader import Mark, load_bytes, load_text
from ecrsim.scenarios.problems import ScenarioProblems

TEXT = """\
id: demo
world:
  account: 012345678901
  users:
    - name: alice
      flag: yes
  time: 2026-01-05T09:00:00Z
base: &base {Effect: Allow, Action: "ecr:*"}
merged:
  <<: *base
  Resource: "*"
"""


def test_values_follow_yaml_1_2_core_rules() -> None:
    data = load_text(TEXT, "demo.yaml").data
    assert data["world"]["account"] == "012345678901"  # not an octal number
    assert data["world"]["users"][0]["flag"] == "yes"  # not a boolean
    assert data["world"]["time"] == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    assert data["merged"] == {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}


def test_every_key_and_value_has_its_position() -> None:
    document = load_text(TEXT, "demo.yaml")
    assert document.keys[("world", "users", 0, "name")] == Mark(5, 7)
    assert document.values[("world", "users", 0, "name")] == Mark(5, 13)
    assert document.mark(("world", "account")) == Mark(3, 12)
    # a path that is not in the file (a missing key) is placed at its nearest ancestor
    assert document.mark(("world", "users", 0, "groups")) == Mark(5, 7)


def test_a_byte_order_mark_is_accepted() -> None:
    assert load_bytes("\ufeffid: demo\n".encode(), "bom.yaml").data == {"id": "demo"}


def test_duplicate_keys_are_reported_but_loading_goes_on() -> None:
    document = load_text("id: a\nid: b\ntitle: t\n", "dup.yaml")
    assert [str(p) for p in document.problems] == ["dup.yaml:2:1: error: id: duplicate key (first at 1:1)"]
    assert document.data["title"] == "t"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a [*a]\n", "dup.yaml:1:4: error: an alias refers to the node that contains it"),
        (
            "a: !custom x\n",
            "dup.yaml:1:4: error: a: cannot read this value: could not determine a constructor",
        ),
        ("? [1, 2]\n: x\n", "dup.yaml:1:3: error: (top level): a key must be a plain name"),
        ("a: 1\n---\nb: 2\n", "dup.yaml:2:1: error: syntax: a scenario file holds one YAML document"),
    ],
)
def test_unusual_yaml_is_one_located_line(text: str, expected: str) -> None:
    with pytest.raises(ScenarioProblems) as raised:
        load_text(text, "dup.yaml")
    assert len(raised.value.problems) == 1
    assert str(raised.value.problems[0]).startswith(expected)
