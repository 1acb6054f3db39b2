"""docker's own formatting rules: go-units sizes and durations, tabwriter columns, pflag errors."""

from __future__ import annotations

import pytest

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell
from ecrsim.shell.docker import human_duration, human_size, tabwrite


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0B"),
        (999, "999B"),
        (1000, "1kB"),
        (7_812_345, "7.81MB"),
        (77_900_000, "77.9MB"),
        (1_234_567_890, "1.23GB"),
    ],
)
def test_sizes_are_decimal_with_three_significant_digits(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.5, "Less than a second"),
        (1, "1 second"),
        (45, "45 seconds"),
        (90, "About a minute"),
        (59 * 60, "59 minutes"),
        (3600, "About an hour"),
        (13 * 3600, "13 hours"),
        (47 * 3600, "47 hours"),
        (3 * 86400, "3 days"),
        (20 * 86400, "2 weeks"),
        (90 * 86400, "3 months"),
        (800 * 86400, "2 years"),
    ],
)
def test_created_durations_read_like_docker(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_tabwriter_pads_every_column_but_the_last_to_at_least_ten() -> None:
    rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    assert tabwrite(rows) == "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"


@pytest.mark.parametrize(
    ("line", "status", "stderr"),
    [
        ("docker push --foo x", 125, "unknown flag: --foo\nSee 'docker push --help'.\n"),
        ("docker images -z", 125, "unknown shorthand flag: 'z' in -z\nSee 'docker images --help'.\n"),
        (
            "docker build -t",
            125,
            "ERROR: flag needs an argument: 't' in -t\nSee 'docker buildx build --help'.\n",
        ),
        ("docker frob", 1, "docker: 'frob' is not a docker command.\nSee 'docker --help'\n"),
        (
            "docker tag onlyone",
            1,
            "\"docker tag\" requires exactly 2 arguments.\nSee 'docker tag --help'.\n\n"
            "Usage:  docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n",
        ),
        ("docker login -u AWS --password-stdin", 1, "ecrsim: Docker Hub login is not simulated"),
        ("docker login --password-stdin HOST", 1, "Must provide --username with --password-stdin\n"),
    ],
)
def test_command_line_errors(line: str, status: int, stderr: str) -> None:
    result = Shell(default_world()).run_line(line)
    assert result.status == status
    assert result.stderr.startswith(stderr)


def test_password_on_the_command_line_warns_first() -> None:
    shell = Shell(default_world())
    password = shell.run_line("aws ecr get-login-password").stdout.strip()
    result = shell.run_line(f"docker login -u AWS -p {password} 111122223333.dkr.ecr.us-east-1.amazonaws.com")
    assert result.status == 0
    assert result.stderr.startswith(
        "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
    )
    assert result.stdout == "Login Succeeded\n"


def test_images_quiet_lists_each_image_id_once() -> None:
    shell = Shell(default_world())
    shell.run_line("docker build -t web:v1 .")
    shell.run_line("docker tag web:v1 web:v2")
    ids = shell.run_line("docker images -q").stdout.splitlines()
    assert len(ids) == 1 and len(ids[0]) == 12
    assert len(shell.run_line("docker images web:v2").stdout.splitlines()) == 2
