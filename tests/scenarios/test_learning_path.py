"""The learning path: scenarios name what they require, and the list, the home screen and the exam follow
the path (basics before authentication before policies before cross-account)."""

from __future__ import annotations

from pathlib import Path

from ecrsim.scenarios.cards import load_pack
from ecrsim.scenarios.checker import check_paths
from ecrsim.scenarios.exam import compose
from ecrsim.scenarios.pack import bundled_pack, learning_path, load, scenario_files
from ecrsim.tui.catalog import by_group, load_catalog

GOOD = Path(__file__).resolve().parent / "good" / "token-expires.yaml"


def test_a_scenario_comes_after_what_it_requires_level_by_level_then_in_file_order() -> None:
    place = learning_path({"c": ["b"], "b": ["a"], "a": [], "d": [], "e": ["a"]})
    assert sorted(place, key=place.__getitem__) == ["a", "d", "b", "e", "c"]


def test_unknown_prerequisites_and_cycles_do_not_stop_the_path() -> None:
    place = learning_path({"a": ["b"], "b": ["a"], "c": ["nowhere"], "d": ["d"]})
    assert sorted(place) == ["a", "b", "c", "d"]


def test_the_bundled_path_goes_basics_auth_policies_cross_account() -> None:
    scenarios = [load(path) for path in scenario_files([bundled_pack()])]
    place = learning_path({item.scenario.id: item.scenario.requires for item in scenarios})
    folder = {item.scenario.id: item.path.parent.name for item in scenarios}
    first = {}
    for scenario in sorted(place, key=place.__getitem__):
        first.setdefault(folder[scenario], place[scenario])
    assert first["basics"] < first["auth"] < first["iam"] < first["repository-policies"]
    assert first["repository-policies"] < first["conditions"] < first["cross-account"]
    for item in scenarios:
        assert all(place[other] < place[item.scenario.id] for other in item.scenario.requires)


def test_check_refuses_unknown_prerequisites_and_cycles_in_a_pack(tmp_path: Path) -> None:
    text = GOOD.read_text()
    for name, requires in (("a", "[b]"), ("b", "[a]"), ("c", "[nowhere]")):
        (tmp_path / f"{name}.yaml").write_text(
            text.replace("id: token-expires", f"id: {name}\nrequires: {requires}")
        )
    count, problems = check_paths([tmp_path])
    lines = sorted(str(problem).split(": error: ")[1] for problem in problems)
    assert count == 3
    assert lines == [
        "requires.0: no scenario in the pack has the id `nowhere`",
        "requires: a -> b -> a leads back to itself",
        "requires: b -> a -> b leads back to itself",
    ]


def test_the_exam_asks_along_the_path() -> None:
    pack = load_pack()
    order = {card.key: index for index, card in enumerate(pack.cards)}
    chosen = compose(pack, 40, seed=3)
    assert [order[card.key] for card in chosen] == sorted(order[card.key] for card in chosen)
    assert next(iter(pack.scenarios)) == "default-registry"


def test_the_home_list_groups_topics_in_path_order() -> None:
    entries, problems = load_catalog()
    assert problems == []
    groups = list(dict.fromkeys(entry.group for entry in by_group(entries)))
    assert groups[:2] == ["basics", "auth"]
    assert groups.index("iam") < groups.index("repository-policies") < groups.index("cross-account")
    assert next(entry.id for entry in by_group(entries) if entry.group == "basics") == "default-registry"
