"""EC2 instances with instance profiles through the simulated terminal: `sim on` signs as the instance role
(no stored keys), sends every request through the instance's network, and uses the instance's own docker."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

HOST = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def run(shell: Shell, line: str) -> str:
    result = shell.run_line(line)
    assert result.status == 0, result.stderr
    return result.stdout.strip()


class Site:
    """A VPC with a public subnet (internet gateway) and a private one, a builder role in an instance
    profile, and one instance in the private subnet."""

    def __init__(self) -> None:
        world = default_world()
        world.files["trust.json"] = json.dumps(TRUST)
        self.shell = Shell(world)
        self.run("aws ecr create-repository --repository-name web")
        self.run("aws iam create-role --role-name builder --assume-role-policy-document file://trust.json")
        policy = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"
        self.run(f"aws iam attach-role-policy --role-name builder --policy-arn {policy}")
        self.run("aws iam create-instance-profile --instance-profile-name builder")
        self.run("aws iam add-role-to-instance-profile --instance-profile-name builder --role-name builder")
        self.vpc = self.ec2("create-vpc --cidr-block 10.0.0.0/16", "Vpc.VpcId")
        self.public = self.subnet("10.0.0.0/24")
        self.private = self.subnet("10.0.1.0/24")
        igw = self.ec2("create-internet-gateway", "InternetGateway.InternetGatewayId")
        self.run(f"aws ec2 attach-internet-gateway --internet-gateway-id {igw} --vpc-id {self.vpc}")
        table = self.ec2(f"create-route-table --vpc-id {self.vpc}", "RouteTable.RouteTableId")
        self.route(table, f"--gateway-id {igw}")
        self.run(f"aws ec2 associate-route-table --route-table-id {table} --subnet-id {self.public}")
        self.run(
            f"aws ec2 modify-subnet-attribute --subnet-id {self.public} --map-public-ip-on-launch Value=true"
        )
        filters = f"Name=vpc-id,Values={self.vpc} Name=association.main,Values=true"
        self.main = self.ec2(f"describe-route-tables --filters {filters}", "RouteTables[0].RouteTableId")
        self.builder = self.launch(self.private)

    def run(self, line: str) -> str:
        return run(self.shell, line)

    def ec2(self, command: str, query: str) -> str:
        return self.run(f"aws ec2 {command} --query {query} --output text")

    def route(self, table: str, target: str) -> None:
        self.run(f"aws ec2 create-route --route-table-id {table} --destination-cidr-block 0.0.0.0/0 {target}")

    def subnet(self, cidr: str) -> str:
        return self.ec2(f"create-subnet --vpc-id {self.vpc} --cidr-block {cidr}", "Subnet.SubnetId")

    def launch(self, subnet: str, profile: str = " --iam-instance-profile Name=builder") -> str:
        image = "--image-id ami-0abcdef1234567890 --instance-type t3.small"
        return self.ec2(f"run-instances {image} --subnet-id {subnet}{profile}", "Instances[0].InstanceId")

    def nat(self) -> str:
        allocation = self.ec2("allocate-address", "AllocationId")
        command = f"create-nat-gateway --subnet-id {self.public} --allocation-id {allocation}"
        nat = self.ec2(command, "NatGateway.NatGatewayId")
        self.route(self.main, f"--nat-gateway-id {nat}")
        return nat


@pytest.fixture
def site() -> Site:
    return Site()


def test_a_private_subnet_without_nat_or_endpoints_times_out(site: Site) -> None:
    shell = site.shell
    run(shell, f"sim on {site.builder}")
    assert shell.prompt() == "[ec2-user@ip-10-0-1-4 ~]$ "
    result = shell.run_line("aws ecr describe-repositories")
    assert (result.status, result.error_code) == (255, "ConnectTimeout")
    assert result.stderr == '\nConnect timeout on endpoint URL: "https://api.ecr.us-east-1.amazonaws.com/"\n'
    assert "has no route to the internet" in run(shell, "sim explain")
    login = shell.run_line(f"docker login --username AWS --password x {HOST}")
    assert login.error_code == "TIMEOUT"
    assert (
        f'Get "https://{HOST}/v2/": net/http: request canceled while waiting for connection' in login.stderr
    )


def test_the_instance_signs_as_its_role_with_no_keys_of_its_own(site: Site) -> None:
    shell = site.shell
    site.nat()
    run(shell, f"sim on {site.builder}")
    arn = run(shell, "aws sts get-caller-identity --query Arn --output text")
    assert arn == f"arn:aws:sts::111122223333:assumed-role/builder/{site.builder}"
    stored = shell.run_line("aws ecr describe-repositories --profile admin")
    assert stored.error_code == "ProfileNotFound"
    run(shell, "sim advance 3h")  # the metadata service renews the role's credentials before they expire
    assert run(shell, "aws sts get-caller-identity --query Arn --output text") == arn


def test_the_instance_has_its_own_docker_and_pulls_through_the_nat_gateway(site: Site) -> None:
    shell = site.shell
    site.nat()
    run(shell, f"sim on {site.builder}")
    run(shell, f"docker build -t {HOST}/web:v1 .")
    run(shell, f"aws ecr get-login-password | docker login --username AWS --password-stdin {HOST}")
    run(shell, f"docker push {HOST}/web:v1")
    run(shell, "exit")
    assert shell.prompt().startswith("admin@111122223333")
    assert "web" not in run(shell, "docker images")
    assert "NAT gateway data processed" in run(shell, "sim bill")


def test_an_instance_without_a_profile_finds_no_credentials(site: Site) -> None:
    shell = site.shell
    bare = site.launch(site.public, profile="")
    run(shell, f"sim on {bare}")
    result = shell.run_line("aws sts get-caller-identity")
    assert (result.status, result.error_code) == (253, "NoCredentials")
    assert "Unable to locate credentials" in result.stderr


def test_launching_with_a_profile_needs_pass_role(site: Site) -> None:
    shell = site.shell
    run(shell, "aws iam create-user --user-name ops")
    shell.world.files["ec2.json"] = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
    )
    run(shell, "aws iam put-user-policy --user-name ops --policy-name ec2 --policy-document file://ec2.json")
    result = shell.run_line(
        f"aws ec2 run-instances --image-id ami-0abcdef1234567890 --subnet-id {site.private}"
        " --iam-instance-profile Name=builder --profile ops"
    )
    assert result.error_code == "UnauthorizedOperation" and "iam:PassRole" in result.stderr
    missing = shell.run_line(
        "aws ec2 run-instances --image-id ami-0abcdef1234567890 --iam-instance-profile Name=nope"
    )
    assert (
        "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
        in missing.stderr
    )


def test_undo_returns_from_the_instance(site: Site) -> None:
    shell = site.shell
    run(shell, f"sim on {site.builder}")
    run(shell, "sim undo")
    assert shell.world.on is None


def test_sim_as_a_profile_comes_back_and_as_the_instance_goes_there(site: Site) -> None:
    shell = site.shell
    run(shell, f"sim as {site.builder}")
    assert shell.world.on is not None and shell.prompt().startswith("[ec2-user@")
    assert f"Working on: {site.builder}" in run(shell, "sim state")
    run(shell, "sim as admin")
    assert shell.world.on is None and shell.prompt().startswith("admin@")
