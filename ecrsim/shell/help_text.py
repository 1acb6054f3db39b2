"""`help` and `help COMMAND`: what the simulated terminal offers, in a few lines each."""

from __future__ import annotations

from ecrsim.shell.program import Outcome

_TOPICS = {
    "aws": (
        "aws SERVICE OPERATION [--option value ...]   AWS CLI v2: ecr, iam, sts, ec2, ecs, kms, lambda,"
        " organizations, secretsmanager\n"
        "  global options: --region, --profile, --output json|text|table|yaml, --query JMESPATH\n"
        "  aws ecr get-login-password | docker login --username AWS --password-stdin HOST\n"
        "  aws SERVICE help, aws SERVICE OPERATION help: the operations and their options\n"
    ),
    "docker": (
        "docker login|logout|images|image ls|tag|push|pull|rmi|build   the Docker CLI, images simulated\n"
        "  docker build -t NAME[:TAG] .      a new local image with new layers\n"
        "  docker tag SOURCE TARGET          e.g. web:v1 HOST/web:v1\n"
        "  docker push|pull NAME[:TAG|@sha256:DIGEST]\n"
    ),
    "sim": "sim VERB   the simulator's own verbs (as, whoami, clock, advance, explain, state, undo, ...)\n",
    "export": "export NAME=VALUE   AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION: who acts, and where\n",
}


def help_for(argv: list[str]) -> Outcome:
    if not argv:
        body = "".join(_TOPICS[name] + "\n" for name in ("aws", "docker", "export"))
        body += _TOPICS["sim"]
        body += "Pipes (|) connect commands; # starts a comment. `help COMMAND` for one command.\n"
        return Outcome(0, body)
    if argv[0] == "sim":
        from ecrsim.shell.sim import sim_help

        return Outcome(0, sim_help())
    topic = _TOPICS.get(argv[0])
    if topic is None:
        return Outcome(1, "", f"help: no help topics match `{argv[0]}'.\n")
    return Outcome(0, topic)
