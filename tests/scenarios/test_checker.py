"""`ecrsim check` on good files and on the bundled pack, and the world a scenario starts from."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest

from ecrsim.cli import main
from ecrsim.scenarios.checker import check_paths
from ecrsim.scenarios.pack import bundled_pack, display_name, load, scenario_files
from ecrsim.scenarios.walker import scenario_shell
from ecrsim.scenarios.world_builder import build_world

GOOD = Path(__file__).resolve().parent / "good"


def test_the_bundled_pack_checks_clean_in_a_few_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    status = main(["check"])
    out, err = capsys.readouterr()
    assert (status, out) == (0, ""), out
    assert err.strip().endswith("all good")
    assert time.perf_counter() - started < 10
    assert len(scenario_files([bundled_pack()])) >= 1


def test_a_good_file_has_no_problems() -> None:
    assert check_paths([GOOD]) == (1, [])


def test_ids_are_unique_across_a_pack(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        shutil.copy(GOOD / "token-expires.yaml", tmp_path / name)
    count, problems = check_paths([tmp_path])
    first = display_name(tmp_path / "a.yaml")
    assert count == 2
    assert [str(p) for p in problems] == [
        f"{display_name(tmp_path / 'b.yaml')}:1:5: error: id: `token-expires` is also the id of {first}:1:5"
    ]


def test_the_world_is_laid_out_as_the_file_says() -> None:
    item = load(GOOD / "token-expires.yaml")
    world = build_world(item.scenario, item.document)
    assert sorted(world.profiles) == ["admin", "alice", "bob"]
    repository = world.account("111122223333").registry("us-east-1").repositories["web"]
    (stored,) = repository.images.values()
    assert repository.image_tags == {"v1": stored.digest}
    assert world.clock.now - stored.pushed_at == timedelta(days=2)
    assert "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:v2" in world.docker.refs
    assert world.events == []  # laying out the world is not part of its history


def test_repositories_get_the_defaults_aws_gives(tmp_path: Path) -> None:
    text = (GOOD / "token-expires.yaml").read_text()
    (tmp_path / "kms.yaml").write_text(text.replace("tag_mutability: MUTABLE", "encryption: KMS"))
    item = load(tmp_path / "kms.yaml")
    account = build_world(item.scenario, item.document).account("111122223333")
    encryption = account.registry("us-east-1").repositories["web"].encryption
    managed = account.kms["us-east-1"]  # KMS without a key: the AWS managed key aws/ecr, made for it
    assert (encryption.encryption_type, encryption.kms_key) == (
        "KMS",
        managed.keys[managed.aliases["alias/aws/ecr"]].arn,
    )


def test_sim_reset_in_a_scenario_shell_returns_to_the_scenario_after_its_steps() -> None:
    shell = scenario_shell(str(GOOD / "token-expires.yaml"))
    assert not isinstance(shell, str)
    push = "docker push 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:v2"
    shell.run_line("sim as admin")
    shell.run_line("aws ecr delete-repository --repository-name web --force")
    shell.run_line("sim advance 1d")
    shell.run_line("sim reset")
    assert shell.profile == "alice"
    assert shell.run_line("sim clock").stdout.strip() == "2026-01-05T22:00:00Z"
    names = "aws ecr describe-repositories --query repositories[].repositoryName --output text"
    assert shell.run_line(names).stdout == "web\n"
    assert shell.run_line(push).error_code == "DENIED"  # the morning's login is there, and expired


def test_scenario_shell_replays_the_run_steps() -> None:
    shell = scenario_shell(str(GOOD / "token-expires.yaml"))
    assert not isinstance(shell, str)
    assert shell.profile == "alice"
    assert shell.run_line("sim clock").stdout.strip() == "2026-01-05T22:00:00Z"
    assert (
        scenario_shell("no-such-scenario")
        == "ecrsim: no scenario file or bundled scenario id 'no-such-scenario'"
    )


MULTIPLE = """\
id: two-ways
title: Two ways
summary: Either inline policy lets Bob list images, and no more.
domain: 1
difficulty: 1
world:
  users:
    - name: admin
      managed_policies: [AdministratorAccess]
    - name: bob
  repositories: [{name: web}]
  files:
    everywhere.json:
      {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ecr:ListImages", Resource: "*"}]}
    web.json:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: "ecr:ListImages"
          Resource: "arn:aws:ecr:us-east-1:111122223333:repository/web"
steps:
  - ask: Which changes let Bob list the images in web?
    multiple: true
    check:
      - {as: bob, run: aws ecr list-images --repository-name web}
    choices:
      - text: ListImages everywhere
        apply:
          - aws iam put-user-policy --user-name bob --policy-name list --policy-document file://everywhere.json
      - text: ListImages on web
        apply:
          - aws iam put-user-policy --user-name bob --policy-name list --policy-document file://web.json
      - text: Nothing
        apply: []
    answer: ANSWER
"""


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("[2, 1]", []),
        ("[1]", ["steps[0].answer: the answer key says 1, the simulation says 1, 2"]),
        (
            "[1, 3]",
            ["steps[0].answer: the answer key says 1, 3, the simulation says 1, 2: choice 3: `aws ecr"],
        ),
    ],
)
def test_several_right_choices_when_multiple(tmp_path: Path, answer: str, expected: list[str]) -> None:
    (tmp_path / "two.yaml").write_text(MULTIPLE.replace("ANSWER", answer))
    _, problems = check_paths([tmp_path])
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.message.startswith(start), problem.message


def test_a_fix_that_opens_more_than_another_right_fix_is_too_broad(tmp_path: Path) -> None:
    """PowerUser lets Bob list images, as ReadOnly does, and push and delete too: not the answer."""
    lines = MULTIPLE.splitlines()
    start = next(i for i, line in enumerate(lines) if "choices:" in line)
    end = next(i for i, line in enumerate(lines) if "text: Nothing" in line)
    attach = "aws iam attach-user-policy --user-name bob --policy-arn arn:aws:iam::aws:policy/"
    managed = "\n".join(
        f"      - text: {name}\n        apply:\n          - {attach}AmazonEC2ContainerRegistry{name}"
        for name in ("ReadOnly", "PowerUser")
    )
    text = "\n".join([*lines[: start + 1], managed, *lines[end:]]).replace("ANSWER", "[1, 2]")
    (tmp_path / "broad.yaml").write_text(text + "\n")
    _, problems = check_paths([tmp_path])
    assert [p.message for p in problems] == [
        "steps[0].answer: the answer key says 1, 2, the simulation says 1: choice 2: every check holds, "
        "but it is too broad: it also lets bob run ecr:CompleteLayerUpload on web (and 3 more requests)"
    ]
