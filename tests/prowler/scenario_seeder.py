"""Create the account a corpus scenario describes, through any boto3 IAM client (moto or a moto server).

Generic over the scenario format (:mod:`support_role.scenarios`): users, customer managed policies,
groups with members and policies, users' attached policies, roles with path, trust policy, attached
policies, inline policies and permissions boundary. Needs only boto3 (no moto import), so the demo
can seed a moto server from any environment:

    iam = boto3.client("iam", endpoint_url=url, region_name=region_for(scenario.partition), ...)
    seed_scenario(iam, scenario)

The account ID is the server's (``MOTO_ACCOUNT_ID``); the partition comes from the client's region,
so create the client in :func:`region_for` the scenario's partition.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from support_role.scenarios import Scenario

# A region of each partition (IAM lives in one region per partition).
PARTITION_REGIONS: dict[str, str] = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
    "aws-iso": "us-iso-east-1",
    "aws-iso-b": "us-isob-east-1",
    "aws-iso-e": "eu-isoe-west-1",
    "aws-iso-f": "us-isof-south-1",
    "aws-eusc": "eusc-de-east-1",
}


def region_for(partition: str) -> str:
    return PARTITION_REGIONS[partition]


def _json(document: Mapping[str, object]) -> str:
    return json.dumps(document)


def seed_scenario(iam: Any, scenario: Scenario) -> None:
    """Create every user, policy, group and role of ``scenario`` in the client's account."""
    for user in scenario.users:
        iam.create_user(UserName=user)
    for name, document in scenario.customer_policies.items():
        iam.create_policy(PolicyName=name, PolicyDocument=_json(document))
    for user, policies in scenario.user_policies.items():
        for arn in policies:
            iam.attach_user_policy(UserName=user, PolicyArn=arn)
    for group, policies in scenario.groups.items():
        iam.create_group(GroupName=group)
        for arn in policies:
            iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        for member in scenario.group_members.get(group, ()):
            iam.add_user_to_group(GroupName=group, UserName=member)
    for role in scenario.roles:
        extra = {"PermissionsBoundary": role.boundary} if role.boundary else {}
        iam.create_role(RoleName=role.name, Path=role.path, AssumeRolePolicyDocument=_json(role.trust), **extra)
        for arn in role.policies:
            iam.attach_role_policy(RoleName=role.name, PolicyArn=arn)
        for policy_name, document in role.inline.items():
            iam.put_role_policy(RoleName=role.name, PolicyName=policy_name, PolicyDocument=_json(document))


FILLER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def seed_filler_roles(iam: Any, count: int, prefix: str = "app-", policies: Iterable[str] = ()) -> list[str]:
    """``count`` ordinary roles (no support policy), to make an account large."""
    names = [f"{prefix}{i:05d}" for i in range(count)]
    attach = list(policies)
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_json(FILLER_TRUST))
        for arn in attach:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return names
