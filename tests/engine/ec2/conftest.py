"""A VPC to build on: a public and a private subnet, a private route table, and two security groups."""

from __future__ import annotations

from typing import Any

import pytest

from ecrsim.engine.ec2.reach import Origin, Path, trace_all
from ecrsim.engine.world import DEFAULT_ACCOUNT, default_world


class Vpc:
    """A VPC with a public and a private subnet, a caller security group and an endpoint security group."""

    def __init__(self) -> None:
        self.world = default_world()
        self.vpc = self.ec2("CreateVpc", CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.ec2("ModifyVpcAttribute", VpcId=self.vpc, EnableDnsHostnames={"Value": True})
        self.public = self.ec2("CreateSubnet", VpcId=self.vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        self.private = self.ec2("CreateSubnet", VpcId=self.vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        self.private_table = self.ec2("CreateRouteTable", VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.ec2("AssociateRouteTable", RouteTableId=self.private_table, SubnetId=self.private)
        self.task_group = self.ec2("CreateSecurityGroup", GroupName="task", Description="t", VpcId=self.vpc)[
            "GroupId"
        ]
        self.endpoint_group = self.ec2(
            "CreateSecurityGroup", GroupName="vpce", Description="e", VpcId=self.vpc
        )["GroupId"]

    def ec2(self, operation: str, **params: Any) -> dict[str, Any]:
        return self.world.call("ec2", operation, params, profile="admin", region="us-east-1")

    def interface_endpoints(self) -> None:
        for service in ("ecr.api", "ecr.dkr"):
            self.ec2(
                "CreateVpcEndpoint",
                VpcId=self.vpc,
                VpcEndpointType="Interface",
                ServiceName=f"com.amazonaws.us-east-1.{service}",
                SubnetIds=[self.private],
                SecurityGroupIds=[self.endpoint_group],
            )

    def open_endpoint_group(self) -> None:
        self.ec2(
            "AuthorizeSecurityGroupIngress",
            GroupId=self.endpoint_group,
            IpProtocol="tcp",
            FromPort=443,
            ToPort=443,
            CidrIp="10.0.0.0/16",
        )

    def s3_gateway(self) -> None:
        self.ec2(
            "CreateVpcEndpoint",
            VpcId=self.vpc,
            ServiceName="com.amazonaws.us-east-1.s3",
            RouteTableIds=[self.private_table],
        )

    def nat(self, subnet: str) -> None:
        gateway = self.ec2("CreateInternetGateway")["InternetGateway"]["InternetGatewayId"]
        self.ec2("AttachInternetGateway", InternetGatewayId=gateway, VpcId=self.vpc)
        main = self.ec2(
            "DescribeRouteTables",
            Filters=[
                {"Name": "vpc-id", "Values": [self.vpc]},
                {"Name": "association.main", "Values": ["true"]},
            ],
        )
        main_id = main["RouteTables"][0]["RouteTableId"]
        self.ec2("CreateRoute", RouteTableId=main_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
        allocation = self.ec2("AllocateAddress")["AllocationId"]
        nat = self.ec2("CreateNatGateway", SubnetId=subnet, AllocationId=allocation)["NatGateway"][
            "NatGatewayId"
        ]
        self.ec2(
            "CreateRoute", RouteTableId=self.private_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
        )

    def paths(self, subnet: str | None = None, public_ip: bool = False) -> dict[str, Path]:
        network = self.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"]
        origin = Origin(subnet or self.private, (self.task_group,), public_ip)
        return {path.target: path for path in trace_all(network, origin)}


@pytest.fixture
def vpc() -> Vpc:
    return Vpc()
