"""Helpers for the registry tests: a small world with a user per managed ECR policy, and two accounts."""

from __future__ import annotations

import base64
import json
from typing import Any

from ecrsim.engine import docker
from ecrsim.engine.identity import add_user
from ecrsim.engine.world import World, default_world

A = "111122223333"
B = "444455556666"
REGION = "us-east-1"
HOST_A = f"{A}.dkr.ecr.{REGION}.amazonaws.com"
HOST_B = f"{B}.dkr.ecr.{REGION}.amazonaws.com"


def make_world() -> World:
    world = default_world()
    add_user(world, A, "reader", managed=["AmazonEC2ContainerRegistryReadOnly"])
    add_user(world, A, "pusher", managed=["AmazonEC2ContainerRegistryPowerUser"])
    add_user(world, A, "nobody")
    login_only = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}],
        }
    )
    add_user(world, A, "loginonly", inline={"login": login_only})
    world.add_account(B)
    add_user(world, B, "bob", managed=["AmazonEC2ContainerRegistryPowerUser"])
    add_user(world, B, "bobadmin", managed=["AdministratorAccess"])
    return world


def ecr(world: World, operation: str, profile: str = "admin", region: str = REGION, **params: Any) -> dict:
    return world.call("ecr", operation, params, profile=profile, region=region)


def password(world: World, profile: str, region: str = REGION) -> str:
    token = ecr(world, "GetAuthorizationToken", profile, region)["authorizationData"][0]["authorizationToken"]
    user, _, secret = base64.b64decode(token).decode().partition(":")
    assert user == "AWS"
    return secret


def push(world: World, repository: str, tag: str, *, context: str = ".", profile: str = "admin") -> str:
    """Build a fresh image and push it as `profile`; return its manifest digest."""
    docker.docker_login(world, HOST_A, "AWS", password(world, profile))
    docker.docker_build(world, f"{HOST_A}/{repository}:{tag}", context)
    last = docker.docker_push(world, f"{HOST_A}/{repository}:{tag}")[-1]
    return last.split()[2]
