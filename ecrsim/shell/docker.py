"""The `docker` program: the Docker CLI's commands, flags, output and errors in front of the world's
docker machine (the engine decides; this module parses and prints).

Flag parsing follows pflag, which the Docker CLI uses: `-t x`, `-tx`, `--tag x`, `--tag=x`, flags
anywhere among the arguments, and its errors (`unknown flag: --x`, exit 125). Argument-count errors
print docker's usage block, exit 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ecrsim.engine.errors import DockerError
from ecrsim.errors import EcrsimError
from ecrsim.shell.program import Invocation, Outcome, lines
from ecrsim.shell.services import acting_service


@dataclass(frozen=True)
class _Command:
    usage: str  # after "docker "
    summary: str
    flags: dict[str, str]  # every spelling -> canonical name; a trailing "=" means it takes a value
    arity: tuple[int, int | None]  # minimum and maximum positional arguments
    # `docker build` is buildx's command today: its errors name it so and start with "ERROR: ".
    cobra_name: str = ""
    error_prefix: str = ""


DOCKER_VERSION = "27.4.1, build b9d17ea (simulated by ecrsim)"
# Error codes of failures the docker client finds itself, before any registry answers (the engine's
# DockerError codes cover the registry's and the daemon's: DENIED, NO_SUCH_IMAGE, ...).
USAGE = "USAGE"  # a command line docker rejects: unknown command or flag, wrong number of arguments
NO_TTY = "NO_TTY"  # docker would prompt for what is missing, and a script has no terminal
NOT_SIMULATED = "NOT_SIMULATED"  # outside the simulation (Docker Hub login, a service logging in or pushing)
# cli/config/credentials/file_store.go: printed (to stderr) when a login stores a password in the config
# file, as on a machine with no credential helper; the simulated machine's user is AWS's EC2 default.
UNENCRYPTED_WARNING = (
    "\nWARNING! Your credentials are stored unencrypted in '/home/ec2-user/.docker/config.json'.\n"
    "Configure a credential helper to remove this warning. See\n"
    "https://docs.docker.com/go/credential-store/\n\n"
)
_LOGIN_FLAGS = {"-u": "username=", "--username": "username=", "-p": "password=", "--password": "password="}
COMMANDS: dict[str, _Command] = {
    "login": _Command(
        "login [OPTIONS] [SERVER]",
        "Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.",
        {**_LOGIN_FLAGS, "--password-stdin": "password-stdin"},
        (0, 1),
    ),
    "logout": _Command(
        "logout [SERVER]",
        "Log out from a registry.\nIf no server is specified, the default is defined by the daemon.",
        {},
        (0, 1),
    ),
    "images": _Command(
        "images [OPTIONS] [REPOSITORY[:TAG]]",
        "List images",
        {
            "-a": "all",
            "--all": "all",
            "-q": "quiet",
            "--quiet": "quiet",
            "--digests": "digests",
            "--no-trunc": "no-trunc",
        },
        (0, 1),
    ),
    "tag": _Command(
        "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
        {},
        (2, 2),
    ),
    "push": _Command(
        "push [OPTIONS] NAME[:TAG]",
        "Upload an image to a registry",
        {"-q": "quiet", "--quiet": "quiet", "--platform": "platform="},
        (1, 1),
    ),
    "pull": _Command(
        "pull [OPTIONS] NAME[:TAG|@DIGEST]",
        "Download an image from a registry",
        {"-q": "quiet", "--quiet": "quiet", "--platform": "platform="},
        (1, 1),
    ),
    "rmi": _Command(
        "rmi [OPTIONS] IMAGE [IMAGE...]",
        "Remove one or more images",
        {"-f": "force", "--force": "force", "--no-prune": "no-prune"},
        (1, None),
    ),
    "build": _Command(
        "buildx build [OPTIONS] PATH | URL | -",
        "Start a build",
        {
            "-t": "tag=",
            "--tag": "tag=",
            "-f": "file=",
            "--file": "file=",
            "--platform": "platform=",
            "--build-arg": "build-arg=",
            "-q": "quiet",
            "--quiet": "quiet",
            "--no-cache": "no-cache",
            "--pull": "pull",
        },
        (1, 1),
        cobra_name="buildx build",
        error_prefix="ERROR: ",
    ),
}
# `docker image SUB` spellings of the same commands.
IMAGE_SUBCOMMANDS = {
    "ls": "images",
    "list": "images",
    "push": "push",
    "pull": "pull",
    "tag": "tag",
    "rm": "rmi",
}
IMAGE_SUBCOMMANDS["build"] = "build"


class _DockerUsage(EcrsimError):
    def __init__(self, text: str, status: int) -> None:
        super().__init__(text)
        self.text = text
        self.status = status


@dataclass
class _Parsed:
    flags: dict[str, list[str]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        values = self.flags.get(name)
        return values[-1] if values else None


def _parse(name: str, command: _Command, argv: list[str]) -> _Parsed:
    parsed = _Parsed()
    index = 0
    full_name = command.cobra_name or name
    see = f"See 'docker {full_name} --help'."

    def flag_error(text: str) -> _DockerUsage:  # pflag's errors, exit 125
        return _DockerUsage(f"{command.error_prefix}{text}\n{see}\n", 125)

    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            parsed.args.extend(argv[index:])
            break
        if not token.startswith("-") or token == "-":
            parsed.args.append(token)
            continue
        if token.startswith("--"):
            spelling, has_inline, inline = token.partition("=")
            if spelling not in command.flags:
                raise flag_error(f"unknown flag: {spelling}")
            canonical = command.flags[spelling]
            if canonical.endswith("="):
                if has_inline:
                    value = inline
                elif index < len(argv):
                    value, index = argv[index], index + 1
                else:
                    raise flag_error(f"flag needs an argument: {spelling}")
                parsed.flags.setdefault(canonical[:-1], []).append(value)
            else:
                parsed.flags.setdefault(canonical, []).append("true")
            continue
        position = 1  # short flags, possibly combined (`-aq`) or with an attached value (`-tweb`)
        while position < len(token):
            spelling = "-" + token[position]
            if spelling not in command.flags:
                raise flag_error(f"unknown shorthand flag: '{token[position]}' in {token}")
            canonical = command.flags[spelling]
            position += 1
            if canonical.endswith("="):
                if position < len(token):
                    value = token[position:]
                elif index < len(argv):
                    value, index = argv[index], index + 1
                else:
                    raise flag_error(f"flag needs an argument: '{spelling[1]}' in {spelling}")
                parsed.flags.setdefault(canonical[:-1], []).append(value)
                break
            parsed.flags.setdefault(canonical, []).append("true")
    low, high = command.arity
    count = len(parsed.args)
    if count < low or (high is not None and count > high):
        if low == high:
            need = f"exactly {low} argument{'s' if low != 1 else ''}"
        elif high is None:
            need = f"at least {low} argument{'s' if low != 1 else ''}"
        else:
            need = f"at most {high} argument{'s' if high != 1 else ''}"
        usage = f"Usage:  docker {command.usage}\n\n{command.summary}\n"
        message = f'{command.error_prefix}"docker {full_name}" requires {need}.\n{see}\n\n{usage}'
        raise _DockerUsage(message, 1)
    return parsed


def run_docker(inv: Invocation) -> Outcome:
    argv = list(inv.argv)
    if not argv or argv[0] in ("--help", "-h", "help"):
        return Outcome(0, _overview())
    if argv[0] in ("--version", "-v"):
        return Outcome(0, f"Docker version {DOCKER_VERSION}\n")
    name = argv.pop(0)
    if name == "image":
        if not argv or argv[0] not in IMAGE_SUBCOMMANDS:
            sub = argv[0] if argv else ""
            text = f"docker: 'image {sub}' is not a docker command.\nSee 'docker --help'\n"
            return Outcome(1, "", text, USAGE)
        name = IMAGE_SUBCOMMANDS[argv.pop(0)]
    command = COMMANDS.get(name)
    if command is None:
        return Outcome(1, "", f"docker: '{name}' is not a docker command.\nSee 'docker --help'\n", USAGE)
    if "--help" in argv or "-h" in argv:
        return Outcome(0, f"\nUsage:  docker {command.usage}\n\n{command.summary}\n")
    try:
        parsed = _parse(name, command, argv)
        service = acting_service(inv.shell.world, inv.env)
        if service is not None and name in ("login", "logout", "push"):
            text = f"ecrsim: {service} does not {name}: as a service, docker only pulls"
            return Outcome(1, "", text + " (`sim as PROFILE` to act as a user)\n", NOT_SIMULATED)
        return _HANDLERS[name](inv, parsed)
    except _DockerUsage as error:
        return Outcome(error.status, "", error.text, USAGE)
    except DockerError as error:
        return Outcome(1, lines(list(error.output)), error.text + "\n", error.code)


def _overview() -> str:
    rows = [f"  {name:<8}{command.summary.splitlines()[0]}" for name, command in COMMANDS.items()]
    return "\nUsage:  docker [OPTIONS] COMMAND\n\nCommands (simulated):\n" + "\n".join(rows) + "\n"


def _login(inv: Invocation, parsed: _Parsed) -> Outcome:
    username = parsed.value("username")
    password = parsed.value("password")
    stderr = ""
    if password is not None and "password-stdin" in parsed.flags:
        return Outcome(1, "", "--password and --password-stdin are mutually exclusive\n", USAGE)
    if "password-stdin" in parsed.flags:
        if not username:
            return Outcome(1, "", "Must provide --username with --password-stdin\n", USAGE)
        password = inv.stdin.rstrip("\n").rstrip("\r")
    elif password is not None:
        stderr = "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
    if not parsed.args:
        return Outcome(
            1,
            "",
            stderr + "ecrsim: Docker Hub login is not simulated (its public images pull without one): "
            "name the registry, e.g. "
            "docker login ... 111122223333.dkr.ecr.us-east-1.amazonaws.com\n",
            NOT_SIMULATED,
        )
    if not username or not password:
        # Docker would prompt; a script (or a pipe whose first command failed) has no terminal to ask.
        return Outcome(
            1, "", stderr + "Error: Cannot perform an interactive login from a non TTY device\n", NO_TTY
        )
    credentials = inv.shell.world.docker.credentials
    before = dict(credentials)
    try:
        printed = inv.shell.world.docker_login(parsed.args[0], username, password)
    except DockerError as error:
        note = placeholder_note(parsed.args[0], inv.shell.account, inv.shell.region)
        return Outcome(1, lines(list(error.output)), stderr + error.text + "\n" + note, error.code)
    if credentials != before:  # docker warns when it writes a password to its config file
        stderr += UNENCRYPTED_WARNING
    return Outcome(0, lines(printed), stderr)


# `ACCOUNT.dkr.ecr.REGION.amazonaws.com` with anything in the two slots, and what a Region code looks like.
_REGISTRY_HOST = re.compile(r"(?:https://)?([^./]+)\.dkr\.ecr\.([^./]+)\.amazonaws\.com/?", re.IGNORECASE)
_REGION_CODE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")


def placeholder_note(host: str, account: str, region: str) -> str:
    """A note line after docker's own error when the host still has the documentation's placeholders
    (`aws_account_id.dkr.ecr.region.amazonaws.com`, as AWS's ECR user guide writes it), naming the
    registry the learner meant; "" for any other host."""
    match = _REGISTRY_HOST.fullmatch(host)
    if match is None:
        return ""
    slots = [
        f"`{text}` stands for {meaning}"
        for text, ok, meaning in (
            (match.group(1), match.group(1).isdigit() and len(match.group(1)) == 12, "a 12-digit account id"),
            (
                match.group(2),
                _REGION_CODE.fullmatch(match.group(2)) is not None,
                "a Region code such as us-east-1",
            ),
        )
        if not ok
    ]
    if not slots:
        return ""
    yours = f"{account if account.isdigit() else '111122223333'}.dkr.ecr.{region}.amazonaws.com"
    placeholders = " and ".join(slots)
    return f"ecrsim note: a placeholder in that host: {placeholders}; this profile's registry is {yours}\n"


def _logout(inv: Invocation, parsed: _Parsed) -> Outcome:
    if not parsed.args:  # Docker Hub, which the simulated machine is never logged in to
        return Outcome(0, "Removing login credentials for https://index.docker.io/v1/\n")
    return Outcome(0, lines(inv.shell.world.docker_logout(parsed.args[0])))


def human_size(size: float) -> str:
    """go-units HumanSizeWithPrecision(size, 3), which `docker images` uses: decimal units, 3 digits."""
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    index = 0
    while size >= 1000.0 and index < len(units) - 1:
        size /= 1000.0
        index += 1
    return f"{size:.3g}{units[index]}"


def human_duration(seconds: float) -> str:
    """go-units HumanDuration, which docker prints as "CREATED ... ago"."""
    whole = int(seconds)
    if whole < 1:
        return "Less than a second"
    if whole == 1:
        return "1 second"
    if whole < 60:
        return f"{whole} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def tabwrite(rows: list[list[str]], *, minwidth: int = 10, padding: int = 3) -> str:
    """Go's text/tabwriter as docker configures it: every column but the last is padded."""
    widths = [max(minwidth, max(len(row[i]) for row in rows) + padding) for i in range(len(rows[0]) - 1)]
    return "".join(
        "".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[-1] + "\n"
        for row in rows
    )


def _matches(reference: str | None, repository: str, tag: str) -> bool:
    if reference is None:
        return True
    name, _, want_tag = (
        reference.rpartition(":") if ":" in reference.rsplit("/", 1)[-1] else (reference, "", "")
    )
    return repository == name and (not want_tag or tag == want_tag)


def _images(inv: Invocation, parsed: _Parsed) -> Outcome:
    now: datetime = inv.shell.world.clock.now
    images = sorted(inv.shell.world.docker_images(), key=lambda image: image.created_at, reverse=True)
    reference = parsed.args[0] if parsed.args else None
    images = [image for image in images if _matches(reference, image.repository, image.tag or "<none>")]
    trunc = "no-trunc" not in parsed.flags

    def image_id(value: str) -> str:
        return value.removeprefix("sha256:")[:12] if trunc else value

    if "quiet" in parsed.flags:
        seen: list[str] = []
        for image in images:
            if image_id(image.image_id) not in seen:
                seen.append(image_id(image.image_id))
        return Outcome(0, lines(seen))
    digests = "digests" in parsed.flags
    header = ["REPOSITORY", "TAG", *(["DIGEST"] if digests else []), "IMAGE ID", "CREATED", "SIZE"]
    rows = [header]
    for image in images:
        created = human_duration((now - image.created_at).total_seconds()) + " ago"
        digest = [image.digest or "<none>"] if digests else []
        rows.append(
            [
                image.repository,
                image.tag or "<none>",
                *digest,
                image_id(image.image_id),
                created,
                human_size(image.size),
            ]
        )
    return Outcome(0, tabwrite(rows))


def _tag(inv: Invocation, parsed: _Parsed) -> Outcome:
    return Outcome(0, lines(inv.shell.world.docker_tag(parsed.args[0], parsed.args[1])))


def _quietly(parsed: _Parsed, transfer: Callable[[str], list[str]]) -> Outcome:
    """Run a push or pull; `-q` keeps only the fully qualified reference on success, and only the
    error on failure (cli/command/image push.go, pull.go)."""
    if "quiet" not in parsed.flags:
        return Outcome(0, lines(transfer(parsed.args[0])))
    try:
        transfer(parsed.args[0])
    except DockerError as error:
        raise DockerError(error.code, error.text, decision=error.decision) from None
    from ecrsim.engine.docker import Reference  # late: the engine's docker module loads on first use

    return Outcome(0, Reference.parse(parsed.args[0]).canonical + "\n")


def _push(inv: Invocation, parsed: _Parsed) -> Outcome:
    return _quietly(parsed, inv.shell.world.docker_push)


def _pull(inv: Invocation, parsed: _Parsed) -> Outcome:
    world = inv.shell.world
    service = acting_service(world, inv.env)
    if service is not None:
        return _quietly(parsed, lambda reference: world.docker_pull_as_service(service, reference))
    return _quietly(parsed, world.docker_pull)


def _rmi(inv: Invocation, parsed: _Parsed) -> Outcome:
    out: list[str] = []
    errors: list[DockerError] = []
    for reference in parsed.args:  # docker removes what it can and reports the rest
        try:
            out.extend(inv.shell.world.docker_rmi(reference))
        except DockerError as error:
            errors.append(error)
    if not errors:
        return Outcome(0, lines(out))
    return Outcome(1, lines(out), lines([error.text for error in errors]), errors[0].code)


def _build(inv: Invocation, parsed: _Parsed) -> Outcome:
    tags = parsed.flags.get("tag", [])
    if not tags:
        return Outcome(1, "", "ecrsim: name the image you build: docker build -t NAME[:TAG] PATH\n", USAGE)
    printed = list(inv.shell.world.docker_build(tags[0], parsed.args[0]))
    for extra in tags[1:]:
        inv.shell.world.docker_tag(tags[0], extra)
        printed.append(f"Successfully tagged {extra}")
    return Outcome(0, lines(printed))


_HANDLERS: dict[str, Callable[[Invocation, _Parsed], Outcome]] = {
    "login": _login,
    "logout": _logout,
    "images": _images,
    "tag": _tag,
    "push": _push,
    "pull": _pull,
    "rmi": _rmi,
    "build": _build,
}
