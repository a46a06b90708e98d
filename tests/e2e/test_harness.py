"""The end-to-end machinery works: Terraform applies IAM resources to a local moto server and
boto3 (in Prowler's environment) reads back exactly what was applied."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e import infra

pytestmark = pytest.mark.slow

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}

READ_BACK = """
import json, boto3
iam = boto3.client("iam")
role = iam.get_role(RoleName="aws-support")["Role"]
attached = iam.list_attached_role_policies(RoleName="aws-support")["AttachedPolicies"]
entities = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
print(json.dumps({
    "arn": role["Arn"],
    "trust": role["AssumeRolePolicyDocument"],
    "attached": sorted(p["PolicyArn"] for p in attached),
    "policy_roles": sorted(r["RoleName"] for r in entities["PolicyRoles"]),
}))
"""


def test_terraform_applies_a_support_role_that_boto3_reads_back(
    moto_server: infra.MotoServer, terraform: Callable[[str], infra.Terraform], prowler_python: Path
) -> None:
    tf = terraform("support-role")
    (tf.directory / "main.tf").write_text(
        infra.REQUIRED_PROVIDERS
        + infra.provider_block(moto_server.url)
        + f"""
resource "aws_iam_role" "support" {{
  name               = "aws-support"
  assume_role_policy = jsonencode({json.dumps(TRUST)})
}}

resource "aws_iam_role_policy_attachment" "support" {{
  role       = aws_iam_role.support.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}}
""",
        encoding="utf-8",
    )
    tf.init()
    plan = tf.plan()
    shown = tf.show_json(plan)
    planned = {r["address"] for r in shown["planned_values"]["root_module"]["resources"]}  # type: ignore[index]
    assert planned == {"aws_iam_role.support", "aws_iam_role_policy_attachment.support"}
    tf.apply(plan)

    result = infra.run([prowler_python, "-c", READ_BACK], env={**moto_server.client_env(), "PATH": "/usr/bin:/bin"})
    seen = json.loads(result.stdout)
    assert seen == {
        "arn": "arn:aws:iam::123456789012:role/aws-support",
        "trust": TRUST,
        "attached": ["arn:aws:iam::aws:policy/AWSSupportAccess"],
        "policy_roles": ["aws-support"],
    }


def test_moto_server_reset_empties_the_account(moto_server: infra.MotoServer, prowler_python: Path) -> None:
    create = (
        "import boto3; iam = boto3.client('iam');"
        "iam.create_role(RoleName='r', AssumeRolePolicyDocument='{}');"
        "print(len(iam.list_roles()['Roles']))"
    )
    count = "import boto3; print(len(boto3.client('iam').list_roles()['Roles']))"
    env = {**moto_server.client_env(), "PATH": "/usr/bin:/bin"}
    assert infra.run([prowler_python, "-c", create], env=env).stdout.strip() == "1"
    moto_server.reset()
    assert infra.run([prowler_python, "-c", count], env=env).stdout.strip() == "0"
