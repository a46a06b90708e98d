"""The end-to-end machinery works: Terraform applies IAM resources to a local moto server and
boto3 (in Prowler's environment) reads back exactly what was applied."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from support_role.localaws import (
    IamError,
    IamQueryClient,
    MotoServer,
    Terraform,
    provider_block,
    required_providers,
    run_command,
)
from tests.support import tools

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
    moto_server: MotoServer, terraform: Callable[[str], Terraform], prowler_python: Path
) -> None:
    tf = terraform("support-role")
    (tf.directory / "main.tf").write_text(
        required_providers()
        + provider_block(endpoint=moto_server.url)
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

    result = run_command([prowler_python, "-c", READ_BACK], env={**moto_server.client_env(), "PATH": "/usr/bin:/bin"})
    seen = json.loads(result.stdout)
    assert seen == {
        "arn": "arn:aws:iam::123456789012:role/aws-support",
        "trust": TRUST,
        "attached": ["arn:aws:iam::aws:policy/AWSSupportAccess"],
        "policy_roles": ["aws-support"],
    }


def test_moto_server_reset_empties_the_account(moto_server: MotoServer, prowler_python: Path) -> None:
    create = (
        "import boto3; iam = boto3.client('iam');"
        "iam.create_role(RoleName='r', AssumeRolePolicyDocument='{}');"
        "print(len(iam.list_roles()['Roles']))"
    )
    count = "import boto3; print(len(boto3.client('iam').list_roles()['Roles']))"
    env = {**moto_server.client_env(), "PATH": "/usr/bin:/bin"}
    assert run_command([prowler_python, "-c", create], env=env).stdout.strip() == "1"
    moto_server.reset()
    assert run_command([prowler_python, "-c", count], env=env).stdout.strip() == "0"


def _listening(port: int) -> set[str]:
    """The local addresses on which something listens on ``port`` (IPv4 and IPv6), from /proc."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.add(address)
    return found


def test_the_moto_server_listens_on_loopback_only_and_is_gone_after_the_block(prowler_python: Path) -> None:
    with MotoServer(tools.moto_command()) as server:
        assert _listening(server.port) == {"0100007F"}  # 127.0.0.1, nothing else
        iam = IamQueryClient(server.url)
        iam.create_user(UserName="alice")
        with pytest.raises(IamError) as twice:  # the client sends once: a second create is refused
            iam.create_user(UserName="alice")
        assert twice.value.code == "EntityAlreadyExists" and twice.value.status == 409
    assert not server.running and _listening(server.port) == set()


def test_concurrent_creates_and_reads_get_no_server_error(prowler_python: Path, tmp_path: Path) -> None:
    """Sixteen clients at once, as ``terraform apply`` sends them: moto's backends have no locks, so
    an unserialised server answers 500 when one request lists the roles while another adds one, and
    a retried create then meets the role it made (``EntityAlreadyExists``). Every call must succeed."""
    failures: list[str] = []
    trust = json.dumps(TRUST)

    def client(names: list[str]) -> None:
        iam = IamQueryClient(server.url)
        for name in names:
            for action, params in (
                ("CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": trust}),
                ("AttachRolePolicy", {"RoleName": name, "PolicyArn": "arn:aws:iam::aws:policy/AWSSupportAccess"}),
                ("GetRole", {"RoleName": name}),
                ("ListRoles", {}),
            ):
                try:
                    iam.call(action, **params)
                except IamError as error:
                    failures.append(f"{action} {name}: {error}")

    names = [f"role-{i:03d}" for i in range(400)]
    with MotoServer(tools.moto_command(), log_dir=tmp_path) as server:
        threads = [threading.Thread(target=client, args=(names[i::16],)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        listed = IamQueryClient(server.url).call("ListRoles", MaxItems="1000")
        roles = {node.text for node in listed.iter() if node.tag.endswith("RoleName")}
    assert failures == []
    assert roles == set(names)
    assert server.log is not None and '" 500 ' not in server.log.read_text(encoding="utf-8")


def _sent_by_an_sdk(
    url: str, service: str, body: bytes, headers: dict[str, str], invocation: str, attempt: int
) -> tuple[int, bytes]:
    """One attempt of a call as an AWS SDK sends it: every attempt of one call carries the same
    invocation id (``amz-sdk-invocation-id``); the status and body of the answer, errors included."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            **headers,
            "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/{service}/"
            "aws4_request, SignedHeaders=host, Signature=0",
            "amz-sdk-invocation-id": invocation,
            "amz-sdk-request": f"attempt={attempt}; max=25",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _create_role_sent_by_an_sdk(url: str, name: str, invocation: str, attempt: int) -> tuple[int, bytes]:
    """A CreateRole (IAM's query protocol) as an AWS SDK sends it."""
    body = urllib.parse.urlencode(
        {
            "Action": "CreateRole",
            "Version": "2010-05-08",
            "RoleName": name,
            "AssumeRolePolicyDocument": json.dumps(TRUST),
        }
    ).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return _sent_by_an_sdk(url, "iam", body, form, invocation, attempt)


def test_a_create_the_sdk_retried_gets_the_answer_of_its_first_attempt(prowler_python: Path) -> None:
    """A client that gave up waiting and sent a create again (same invocation id) made one role and
    reads the first attempt's answer; another call creating the same role is refused, as AWS does."""
    with MotoServer(tools.moto_command()) as server:
        first = _create_role_sent_by_an_sdk(server.url, "support", "invocation-1", 1)
        retried = _create_role_sent_by_an_sdk(server.url, "support", "invocation-1", 2)
        another = _create_role_sent_by_an_sdk(server.url, "support", "invocation-2", 1)
        listed = IamQueryClient(server.url).call("ListRoles")
    assert first[0] == 200 and b"<RoleName>support</RoleName>" in first[1]
    assert retried == first
    assert another[0] == 409 and b"EntityAlreadyExists" in another[1]
    assert [node.text for node in listed.iter() if node.tag.endswith("RoleName")] == ["support"]


def _sso_admin_call_sent_by_an_sdk(
    url: str, action: str, params: dict[str, object], invocation: str, attempt: int
) -> tuple[int, dict[str, object]]:
    """An SSO Admin call (JSON protocol) as an AWS SDK sends it; the answer's status and JSON."""
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SWBExternalService.{action}"}
    status, body = _sent_by_an_sdk(url, "sso", json.dumps(params).encode(), headers, invocation, attempt)
    return status, json.loads(body or b"{}")


def test_an_attach_the_sdk_retried_gets_the_answer_of_its_first_attempt(prowler_python: Path) -> None:
    """Not only creates: an attachment the client sent again (same invocation id) after the first
    attempt attached the policy reads that attempt's answer, not moto's ConflictException "already
    attached" (which the AWS provider retries until it times out, failing a loaded terraform apply:
    run 1 of the loaded series, 2026-12-01); a second attach under another invocation id is refused."""
    with MotoServer(tools.moto_command()) as server:
        _, instances = _sso_admin_call_sent_by_an_sdk(server.url, "ListInstances", {}, "list", 1)
        instance = instances["Instances"][0]["InstanceArn"]  # type: ignore[index]
        _, created = _sso_admin_call_sent_by_an_sdk(
            server.url, "CreatePermissionSet", {"InstanceArn": instance, "Name": "support"}, "create", 1
        )
        permission_set = created["PermissionSet"]["PermissionSetArn"]  # type: ignore[index]
        attach = {
            "InstanceArn": instance,
            "PermissionSetArn": permission_set,
            "ManagedPolicyArn": "arn:aws:iam::aws:policy/AWSSupportAccess",
        }
        action = "AttachManagedPolicyToPermissionSet"
        first = _sso_admin_call_sent_by_an_sdk(server.url, action, attach, "attach-1", 1)
        retried = _sso_admin_call_sent_by_an_sdk(server.url, action, attach, "attach-1", 2)
        another = _sso_admin_call_sent_by_an_sdk(server.url, action, attach, "attach-2", 1)
        _, listed = _sso_admin_call_sent_by_an_sdk(
            server.url,
            "ListManagedPoliciesInPermissionSet",
            {"InstanceArn": instance, "PermissionSetArn": permission_set},
            "list-2",
            1,
        )
    assert first[0] == 200
    assert retried == first
    assert another[0] == 400 and another[1].get("__type") == "ConflictException", another
    assert [p["Arn"] for p in listed["AttachedManagedPolicies"]] == ["arn:aws:iam::aws:policy/AWSSupportAccess"]  # type: ignore[attr-defined]
