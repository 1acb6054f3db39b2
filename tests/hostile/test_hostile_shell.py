"""Command lines a hostile learner types: a clear line and a status for each, never a traceback (an
`internal error`), a hang or a runaway allocation. The fuzzer builds lines from hostile pieces, seeded."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell
from ecrsim.shell.lexer import MAX_LINE
from ecrsim.shell.terminal import read_script

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"


@pytest.fixture
def shell() -> Shell:
    return Shell(default_world())


def test_doubling_a_variable_stops_at_the_line_limit(shell: Shell) -> None:
    shell.run_line("export A=" + "x" * 1000)
    results = [shell.run_line("export A=$A$A") for _ in range(30)]
    refused = [result for result in results if result.status]
    assert refused and refused[0].stderr == (
        "ecrsim: the command line is longer than 256 KiB with its variables expanded (the simulated "
        "terminal's limit); keep large values in files\n"
    )
    assert len(shell.env["A"]) <= MAX_LINE
    assert shell.run_line("echo " + "$A" * 10_000).status == 1  # one line cannot multiply it either
    assert shell.run_line("echo " + "x" * (MAX_LINE + 1)).status == 1


def test_a_script_splits_only_at_newlines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "s.txt"
    script.write_text("echo a\u2028b\x1cc\x1dd\x1ee\x85f\r\necho two\n", encoding="utf-8")
    assert read_script(str(script)) == ["echo a\u2028b\x1cc\x1dd\x1ee\x85f", "echo two"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("unknown_fn(@)", "Unknown function: unknown_fn()"),
        (
            "length(`1`)",
            "In function length(), invalid type for value: 1, expected one of: "
            "['string', 'array', 'object'], received: \"number\"",
        ),
    ],
)
def test_jmespath_errors_are_printed_as_the_cli_does(shell: Shell, query: str, message: str) -> None:
    result = shell.run_line(f"aws ecr describe-repositories --query '{query}'")
    assert (result.status, result.stdout, result.stderr) == (255, "", f"\n{message}\n")


@pytest.mark.parametrize("depth", [900, 1000, 5000])
def test_deep_json_arguments_are_parameter_errors(shell: Shell, depth: int) -> None:
    shell.world.files["deep.json"] = "[" * depth + "]" * depth
    shell.world.files["policy.json"] = (
        '{"Version": "2012-10-17", "Statement": ' + "[" * depth + "]" * depth + "}"
    )
    for line in (
        "aws ecr create-repository --repository-name app --tags file://deep.json",
        "aws ecr create-repository --repository-name app --tags '" + "[" * depth + "]" * depth + "'",
        "aws ecr create-repository --cli-input-json file://deep.json",
        "aws iam put-user-policy --user-name admin --policy-name p --policy-document file://policy.json",
        "aws ecr put-lifecycle-policy --repository-name app --lifecycle-policy-text file://policy.json",
    ):
        result = shell.run_line(line)
        assert result.status in (252, 254, 255) and "internal error" not in result.stderr, line


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("99999999999d", "sim: cannot advance by '99999999999d': the clock stops at the year 9999\n"),
        ("9" * 5000 + "d", f"sim: cannot advance by '{'9' * 5000}d': the clock stops at the year 9999\n"),
        ("3000000d", "sim: cannot advance by '3000000d': the clock stops at the year 9999\n"),
    ],
)
def test_durations_past_the_clock_are_one_clear_line(shell: Shell, duration: str, message: str) -> None:
    before = shell.world.clock.now
    assert (
        shell.run_line(f"sim advance {duration}").status,
        shell.run_line(f"sim advance {duration}").stderr,
    ) == (2, message)
    assert shell.world.clock.now == before


def test_a_huge_lifecycle_count_in_a_preview_and_on_clock_moves(shell: Shell) -> None:
    shell.run_line("aws ecr create-repository --repository-name app")
    rule = {
        "tagStatus": "any",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 99_999_999,
    }
    shell.world.files["lc.json"] = json.dumps(
        {"rules": [{"rulePriority": 1, "selection": rule, "action": {"type": "expire"}}]}
    )
    assert (
        shell.run_line(
            "aws ecr put-lifecycle-policy --repository-name app --lifecycle-policy-text file://lc.json"
        ).status
        == 0
    )
    assert shell.run_line("aws ecr start-lifecycle-policy-preview --repository-name app").status == 0
    assert shell.run_line("aws ecr get-lifecycle-policy-preview --repository-name app").status == 0
    assert shell.run_line("sim advance 99999d").status == 0


PIECES = st.sampled_from(
    [
        "aws",
        "ecr",
        "iam",
        "sts",
        "docker",
        "sim",
        "echo",
        "export",
        "unset",
        "help",
        "exit",
        "create-repository",
        "describe-repositories",
        "put-image",
        "get-login-password",
        "login",
        "push",
        "advance",
        "context",
        "as",
        "undo",
        "reset",
        "explain",
        "--repository-name",
        "--tags",
        "--query",
        "--output",
        "--region",
        "--profile",
        "--cli-input-json",
        "--image-manifest",
        "--policy-text",
        "--max-items",
        "--starting-token",
        "--password-stdin",
        "app",
        "x" * 300,
        "-1",
        "9" * 5000,
        "1e400",
        "\x00",
        "\x1b[2J",
        "\u2028",
        "é",
        "'",
        '"',
        "\\",
        "|",
        "$",
        "$A",
        "${A}",
        "$?",
        "A=$A$A",
        "*",
        "?",
        "#",
        "file:///etc/passwd",
        "file://../x",
        "file:///dev/zero",
        "fileb://x",
        "[" * 2000,
        "{" * 2000,
        "Key=a,Value=b",
        "'[{\"Key\":1}]'",
        "unknown_fn(@)",
        "99999999999d",
        f"{HOST}/app:v1",
        f"{HOST}/" + "a" * 300,
        "aws:SourceIp=1.2.3.4",
        "text",
        "table",
        "yaml",
        "json",
    ]
)
LINES = st.lists(PIECES, min_size=1, max_size=8).map(" ".join)


@seed(14)
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(LINES, min_size=1, max_size=6))
def test_fuzzed_command_lines_never_fail_inside(lines: list[str]) -> None:
    shell = Shell(default_world())
    shell.run_line("export A=" + "y" * 10_000)
    for line in lines:
        result = shell.run_line(line)
        assert "internal error" not in result.stderr, (line, result.stderr)
        assert isinstance(result.status, int) and 0 <= result.status <= 255


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        ([], 7, ""),
        (["3"], 3, ""),
        (["300"], 44, ""),
        (["9" * 5000], 255, ""),  # 10**8 is a multiple of 256: the last eight digits decide
        (["x"], 2, "bash: exit: x: numeric argument required\n"),
        (["\u00b2"], 2, "bash: exit: \u00b2: numeric argument required\n"),
    ],
)
def test_exit_takes_any_number_as_bash_does(
    capsys: pytest.CaptureFixture[str], args: list[str], status: int, said: str
) -> None:
    from ecrsim.shell.terminal import _exit_status

    assert _exit_status(args, 7) == status
    assert capsys.readouterr().err == said
