"""Whatever a learner types, the shell answers with an exit status and text: never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

WORDS = [
    "aws", "docker", "sim", "ecr", "iam", "sts", "help", "export", "echo", "create-repository",
    "describe-repositories", "list-images", "get-login-password", "get-login", "batch-delete-image",
    "set-repository-policy", "put-image-scanning-configuration", "create-user", "assume-role",
    "get-caller-identity", "login", "push", "pull", "tag", "rmi", "build", "images", "image", "ls",
    "--repository-name", "--image-ids", "--tags", "--policy-text", "--output", "--query", "--region",
    "--profile", "--force", "--no-force", "--image-scanning-configuration", "--max-items", "--starting-token",
    "--username", "--password-stdin", "-p", "-t", "-u", "--user-name", "--role-arn", "--role-session-name",
    "web", "a", "imageTag=v1", "Key=a,Value=b", "scanOnPush=true", "{", "[", "]", "}", "'{\"a\": 1}'",
    "file://x.json", "json", "text", "table", "yaml", "xml", "repositories[0]", "repositories[", "|", "#",
    "&&", ";", ">", "$(x)", "$AWS_REGION", "\\", "'", '"', "as", "advance", "13h", "explain", "undo",
    "reset", "state", "context", "aws:SourceIp=1.2.3.4",
    "99999999999d", "1d12h", "-1", "99999999999999999999", "AWS_PROFILE=admin", "AWS_REGION=eu-west-1",
    "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:v1", "web@sha256:00", "=", ",", "--", "-",
]  # fmt: skip

lines = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join),
    st.text(max_size=60),
)


HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
SEEDED = Shell(default_world())
for _line in (
    "aws ecr create-repository --repository-name web",
    "aws iam create-user --user-name bob",
    f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}",
    f"docker build -t {HOST}/web:v1 .",
    f"docker push {HOST}/web:v1",
):
    assert SEEDED.run_line(_line).status == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=4))
def test_any_command_lines_get_a_status_and_text(session: list[str]) -> None:
    shell = SEEDED.fork()  # a world with a repository, an image, a second user and a docker login
    for line in session:
        result = shell.run_line(line)
        assert isinstance(result.status, int) and 0 <= result.status <= 255
        assert isinstance(result.stdout, str) and isinstance(result.stderr, str)
        assert "internal error" not in result.stderr, (line, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
