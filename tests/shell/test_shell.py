"""The Shell API that the player, the UI and `ecrsim shell` drive: results, state, undo, forks, completion."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecrsim.engine.world import default_world
from ecrsim.shell import CommandResult, Shell
from ecrsim.shell.docker import UNENCRYPTED_WARNING
from ecrsim.shell.servicemodel import SERVICES, load_service

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"


@pytest.fixture
def shell() -> Shell:
    return Shell(default_world())


def test_prompt_shows_profile_account_and_region(shell: Shell) -> None:
    assert shell.prompt() == "admin@111122223333 us-east-1 $ "
    shell.run_line("export AWS_DEFAULT_REGION=eu-west-1")
    assert shell.prompt() == "admin@111122223333 eu-west-1 $ "
    shell.run_line("export AWS_REGION=ap-southeast-2")
    assert shell.region == "ap-southeast-2"


def test_a_pipe_feeds_stdout_to_stdin_and_reports_the_last_status(shell: Shell) -> None:
    result = shell.run_line(
        f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}"
    )
    assert result == CommandResult(result.command, 0, "Login Succeeded\n", UNENCRYPTED_WARNING)
    failed = shell.run_line("aws ecr describe-repositories --repository-names ghost | echo after")
    assert failed.status == 0 and failed.stdout == "after\n"
    assert "RepositoryNotFoundException" in failed.stderr


def test_a_failed_get_login_password_leaves_docker_nothing_to_read(shell: Shell) -> None:
    shell.run_line("aws iam create-user --user-name nobody")
    shell.run_line("sim as nobody")
    result = shell.run_line(
        f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}"
    )
    assert result.status == 1
    assert "ecr:GetAuthorizationToken on resource: *" in result.stderr
    assert result.stderr.endswith("Error: Cannot perform an interactive login from a non TTY device\n")


def test_profile_flag_env_prefix_and_sim_as_all_choose_who_acts(shell: Shell) -> None:
    shell.run_line("aws iam create-user --user-name bob")
    whoami = "aws sts get-caller-identity --query Arn --output text"
    assert shell.run_line(f"{whoami} --profile bob").stdout == "arn:aws:iam::111122223333:user/bob\n"
    assert shell.run_line(f"AWS_PROFILE=bob {whoami}").stdout == "arn:aws:iam::111122223333:user/bob\n"
    assert shell.profile == "admin"
    shell.run_line("sim as bob")
    assert shell.run_line(whoami).stdout == "arn:aws:iam::111122223333:user/bob\n"


def test_undo_restores_the_world_before_the_last_change_and_reset_the_start(shell: Shell) -> None:
    shell.run_line("aws ecr create-repository --repository-name web")
    shell.run_line("aws ecr create-repository --repository-name api")
    shell.run_line("aws ecr describe-repositories")  # a read: nothing to undo
    shell.run_line("aws ecr create-repository --repository-name x")  # fails: nothing to undo
    assert shell.run_line("sim undo").stdout == "Undid: aws ecr create-repository --repository-name api\n"
    names = "aws ecr describe-repositories --query repositories[].repositoryName --output text"
    assert shell.run_line(names).stdout == "web\n"
    shell.run_line("sim reset")
    assert shell.run_line(names).stdout == ""
    assert shell.run_line("sim undo").status == 1


def test_changed_says_whether_a_command_changed_the_world_since_the_start(shell: Shell) -> None:
    """What leaving the UI's sandbox would lose: reads, failures, an undo and a reset change nothing."""
    shell.run_line("aws ecr describe-repositories")
    shell.run_line("aws ecr create-repository --repository-name x")  # fails: too short
    assert not shell.changed
    shell.run_line("aws ecr create-repository --repository-name web")
    assert shell.changed
    shell.run_line("sim undo")
    assert not shell.changed
    shell.run_line("aws ecr create-repository --repository-name web")
    shell.run_line("sim reset")
    assert not shell.changed


def test_undo_after_a_push_that_changed_nothing_undoes_the_command_before_it(shell: Shell) -> None:
    """A push refused before anything was uploaded is not what `sim undo` takes back ("Undid: docker push"
    would claim a change that never was); a push that uploaded layers and then failed is."""
    shell.run_line("aws ecr create-repository --repository-name web --image-tag-mutability IMMUTABLE")
    shell.run_line(f"docker build -t {HOST}/web:v1 .")
    assert shell.run_line(f"docker push {HOST}/web:v1").stderr.endswith("no basic auth credentials\n")
    assert shell.run_line(f"docker push {HOST}/web:nope").status == 1  # no such local image
    assert shell.run_line("sim undo").stdout == f"Undid: docker build -t {HOST}/web:v1 .\n"

    shell.run_line(f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}")
    shell.run_line(f"docker build -t {HOST}/web:v1 .")
    shell.run_line(f"docker push {HOST}/web:v1")
    shell.run_line(f"docker build -t {HOST}/web:v1 .")  # a new image for the immutable tag
    refused = shell.run_line(f"docker push {HOST}/web:v1")
    assert refused.status == 1 and "cannot be overwritten" in refused.stderr
    assert shell.run_line("sim undo").stdout == f"Undid: docker push {HOST}/web:v1\n"  # its layers went up


def test_fork_is_independent(shell: Shell) -> None:
    fork = shell.fork()
    fork.run_line("aws ecr create-repository --repository-name web")
    fork.run_line("export AWS_REGION=eu-west-1")
    assert shell.run_line("aws ecr describe-repositories --query repositories --output text").stdout == ""
    assert shell.region == "us-east-1"


def test_unexpected_exceptions_become_one_line(shell: Shell, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, object]:
        raise KeyError("boom")

    monkeypatch.setattr(shell.world, "call", broken)
    result = shell.run_line("aws ecr describe-repositories")
    assert (result.status, result.stdout) == (1, "")
    assert result.stderr == "ecrsim: internal error: KeyError: 'boom'\n"


def test_file_urls_read_virtual_files_first_then_the_sandbox_directory(tmp_path: Path) -> None:
    (tmp_path / "local.json").write_text('{"rules": "local"}')
    world = default_world()
    world.files["policy.json"] = "virtual"
    sandbox = Shell(world, local_files=tmp_path)
    assert sandbox.read_file("policy.json") == "virtual"
    assert sandbox.read_file("./local.json") == '{"rules": "local"}'
    with pytest.raises(FileNotFoundError, match=r"No such file or directory: 'missing\.json'$"):
        sandbox.read_file("missing.json")
    scenario = Shell(default_world())
    with pytest.raises(FileNotFoundError, match=r"No such file or directory: 'local\.json'"):
        scenario.read_file("local.json")


def test_help_and_aws_help_print_from_the_models(shell: Shell) -> None:
    assert shell.run_line("help").stdout.startswith("aws SERVICE OPERATION")
    text = shell.run_line("aws ecr create-repository help").stdout
    assert "CREATE-REPOSITORY()" in text and "--repository-name (string)" in text
    assert "[--image-scanning-configuration <value>]" in text
    assert "o get-login-password" in shell.run_line("aws ecr help").stdout


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", ["aws", "cat", "docker", "echo", "exit", "export", "help", "ls", "sim", "unset"]),
        ("do", ["docker"]),
        ("aws ", ["ec2", "ecr", "ecs", "iam", "kms", "lambda", "organizations", "secretsmanager", "sts"]),
        ("aws ecr get-l", ["get-lifecycle-policy", "get-lifecycle-policy-preview", "get-login-password"]),
        ("aws ecr delete-repository --f", ["--force"]),
        ("aws ecr list-images --profile a", ["admin"]),
        ("aws ecr list-images --repository-name w", ["web"]),
        ("sim a", ["advance", "as"]),
        ("aws ecr wait ", ["image-scan-complete", "lifecycle-policy-preview-complete"]),
        ("aws iam wait user-exists --user-n", ["--user-name"]),
        ("aws ecr get-login-password | docker l", ["login", "logout"]),
        ("docker push 1", [f"{HOST}/web:v1"]),
        ("a | b |", []),  # a pipe just typed: nothing to complete yet (this raised IndexError)
        ("a | b | e", ["echo", "exit", "export"]),
    ],
)
def test_completion(shell: Shell, line: str, expected: list[str]) -> None:
    shell.run_line("aws ecr create-repository --repository-name web")
    shell.run_line(f"docker build -t {HOST}/web:v1 .")
    assert shell.completions(line) == expected


def test_completion_does_not_touch_the_event_log(shell: Shell) -> None:
    before = len(shell.world.events)
    shell.completions("aws ecr list-images --repository-name ")
    assert len(shell.world.events) == before


def test_paginated_responses_are_rebuilt_as_the_cli_rebuilds_them(
    shell: Shell, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = {
        "registryId": "111122223333",
        "repositoryName": "web",
        "nextToken": "abc",
        "status": "COMPLETE",
        "previewResults": [{"imageTags": ["v1"]}, {"imageTags": ["v2"]}],
    }
    last_page = {**response, "nextToken": None, "previewResults": []}
    monkeypatch.setattr(
        shell.world,
        "call",
        lambda _s, _o, params, **kwargs: dict(last_page if "nextToken" in params else response),
    )
    result = shell.run_line("aws ecr get-lifecycle-policy-preview --repository-name web --output json")
    assert result.stdout.split("\n")[1] == '    "previewResults": ['
    assert '"nextToken"' not in result.stdout
    assert result.stdout.endswith('    "status": "COMPLETE",\n    "summary": null\n}\n')
    first = shell.run_line(
        "aws ecr get-lifecycle-policy-preview --repository-name web --max-items 1 --output text"
    )
    assert first.stdout.splitlines()[-1].startswith("NEXTTOKEN\t")
    token = first.stdout.splitlines()[-1].split("\t")[1]
    rest = shell.run_line(
        f"aws ecr get-lifecycle-policy-preview --repository-name web --starting-token {token} "
        "--query previewResults --output text"
    )
    assert rest.stdout == "IMAGETAGS\tv2\n"


@pytest.mark.parametrize("service", SERVICES)
def test_every_paginator_key_is_a_dotted_name_which_the_shell_reads_without_jmespath(service: str) -> None:
    for operation in load_service(service).operations.values():
        paginator = operation.paginator or {}
        result_keys = paginator.get("result_key", [])
        keys = [*([result_keys] if isinstance(result_keys, str) else result_keys)]
        for key in [*keys, *paginator.get("non_aggregate_keys", [])]:
            assert re.fullmatch(r"\w+(\.\w+)*", key), (operation.cli_name, key)


def test_nested_paginator_keys_are_read_and_merged_as_botocore_does(
    shell: Shell, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = {"findings": [{"name": "CVE-1"}], "findingSeverityCounts": {"HIGH": 1}}
    response = {"imageScanFindings": findings, "registryId": "111122223333", "nextToken": "t", "x": 1}
    monkeypatch.setattr(shell.world, "call", lambda *args, **kwargs: dict(response))
    line = "aws ecr describe-image-scan-findings --repository-name web --image-id imageTag=v1"
    result = json.loads(shell.run_line(line).stdout)
    # imageScanFindings.findings is a result key, imageScanFindings a non-aggregate key merged over it;
    # the absent imageScanFindings.enhancedFindings is left out, the absent imageId is null.
    assert result == {
        "imageScanFindings": findings,
        "registryId": "111122223333",
        "repositoryName": None,
        "imageId": None,
        "imageScanStatus": None,
    }


def test_variables_are_exported_only_by_export_as_in_bash(shell: Shell) -> None:
    shell.run_line("aws iam create-user --user-name bob")
    shell.run_line("AWS_REGION=eu-west-1")  # not exported: aws does not see it
    assert shell.region == "us-east-1"
    assert shell.run_line("echo $AWS_REGION").stdout == "eu-west-1\n"
    shell.run_line("export AWS_REGION")
    assert shell.region == "eu-west-1"
    shell.run_line("AWS_PROFILE=bob")  # already exported: the new value is too
    assert shell.profile == "bob"
    shell.run_line("unset AWS_REGION")
    assert shell.region == "us-east-1"


def test_dollar_question_mark_is_the_last_status(shell: Shell) -> None:
    shell.run_line("aws ecr describe-repositories --repository-names ghost")
    assert shell.run_line("echo $?").stdout == "254\n"
    assert shell.run_line("echo $?").stdout == "0\n"
    shell.run_line("nosuchcommand")
    assert shell.run_line('echo "status: $?"').stdout == "status: 127\n"


def test_mark_start_moves_what_reset_returns_to(shell: Shell) -> None:
    shell.run_line("aws ecr create-repository --repository-name web")
    shell.mark_start()
    shell.run_line("aws ecr create-repository --repository-name api")
    shell.run_line("sim reset")
    names = "aws ecr describe-repositories --query repositories[].repositoryName --output text"
    assert shell.run_line(names).stdout == "web\n"


@pytest.mark.parametrize(
    ("line", "status", "code"),
    [
        ("aws ecr describe-repositories --repository-names ghost", 254, "RepositoryNotFoundException"),
        ("aws ecr get-login", 252, "ParamValidation"),
        ("aws ecr create-repository", 252, "ParamValidation"),
        ("aws ecr describe-repositories --bogus", 252, "ParamValidation"),
        ("aws ecr describe-repositories --profile ghost", 255, "ProfileNotFound"),
        ("aws ecr describe-repositories --region mars-east-1", 255, "EndpointConnectionError"),
        (f"docker pull {HOST}/web:1", 1, "UNAUTHORIZED"),
        ("docker tag ghost:1 web:1", 1, "NO_SUCH_IMAGE"),
        ("docker push --bogus x", 125, "USAGE"),
        ("docker frobnicate", 1, "USAGE"),
        (f"docker login -u AWS {HOST}", 1, "NO_TTY"),
        ("bash-only-thing", 127, None),
        ("aws sts get-caller-identity", 0, None),
    ],
)
def test_a_failure_carries_the_code_the_program_knew(shell: Shell, line: str, status: int, code: str) -> None:
    result = shell.run_line(line)
    assert (result.status, result.error_code) == (status, code)


def test_a_pipeline_carries_the_code_of_its_last_command(shell: Shell) -> None:
    shell.run_line("aws iam create-user --user-name nobody")
    login = f"aws ecr get-login-password --profile nobody | docker login -u AWS --password-stdin {HOST}"
    assert shell.run_line(login).error_code == "NO_TTY"  # docker's failure, not the AccessDenied before it
    echoed = shell.run_line("aws ecr describe-repositories --repository-names ghost | echo x")
    assert echoed.status == 0 and echoed.error_code is None
    shell.run_line(f"aws ecr get-login-password | docker login -u AWS --password-stdin {HOST}")
    denied = shell.run_line(f"echo | docker pull {HOST}/ghost:1")
    assert denied.error_code == "NAME_UNKNOWN"


@pytest.mark.parametrize(
    ("host", "named"),
    [
        ("aws_account_id.dkr.ecr.region.amazonaws.com", ["`aws_account_id`", "`region`"]),
        ("aws_account_id.dkr.ecr.us-east-1.amazonaws.com", ["`aws_account_id`"]),
        ("111122223333.dkr.ecr.REGION.amazonaws.com", ["`REGION`"]),
    ],
)
def test_login_to_the_documentations_placeholder_host_says_so_after_dockers_error(
    shell: Shell, host: str, named: list[str]
) -> None:
    result = shell.run_line(
        f"aws ecr get-login-password | docker login --username AWS --password-stdin {host}"
    )
    docker_says, note = result.stderr.splitlines()
    assert docker_says == (
        f"Error response from daemon: login attempt to https://{host}/v2/ failed with status: 400 Bad Request"
    )
    assert note.startswith("ecrsim note: a placeholder in that host")
    assert all(slot in note for slot in named) and note.endswith(f"this profile's registry is {HOST}")
    assert result.status == 1


def test_a_refused_login_to_a_real_registry_host_gets_no_placeholder_note(shell: Shell) -> None:
    result = shell.run_line(f"docker login --username AWS --password wrong {HOST}")
    assert result.status == 1 and "ecrsim note" not in result.stderr
