"""The IAM Identity Center reader against moto's SSO Admin API: facts, calls, failures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from support_role import Config, Status, evaluate_permission_set
from support_role.sources.identity_center_reader import read_permission_sets

ACCOUNT = "123456789012"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def document(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


class Recorder:
    """A client that records the operations it is asked for and can fail chosen ones."""

    def __init__(self, client: Any, calls: list[str], fail: dict[str, str] | None = None) -> None:
        self._client = client
        self._calls = calls
        self._fail = fail or {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping[name]

        def call(**kwargs: Any) -> Any:
            self._calls.append(f"{self._client.meta.service_model.service_name}:{operation}")
            if operation in self._fail:
                error = {"Error": {"Code": self._fail[operation], "Message": "not allowed"}}
                raise ClientError(error, operation)  # type: ignore[arg-type]
            return method(**kwargs)

        return call


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str]]:
    with mock_aws():
        sso = boto3.client("sso-admin", region_name="us-east-1")
        iam = boto3.client("iam", region_name="us-east-1")
        instance = sso.list_instances()["Instances"][0]["InstanceArn"]
        yield sso, iam, instance


def make_set(sso: Any, instance: str, name: str, *managed: str, inline: str | None = None) -> str:
    arn = str(sso.create_permission_set(Name=name, InstanceArn=instance)["PermissionSet"]["PermissionSetArn"])
    for policy in managed:
        sso.attach_managed_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=arn, ManagedPolicyArn=policy)
    if inline is not None:
        sso.put_inline_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=arn, InlinePolicy=inline)
    return arn


def reference(sso: Any, instance: str, arn: str, name: str, path: str = "/") -> None:
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance, PermissionSetArn=arn, CustomerManagedPolicyReference={"Name": name, "Path": path}
    )


def read(sso: Any, iam: Any, fail: dict[str, str] | None = None) -> tuple[Any, list[str]]:
    calls: list[str] = []
    result = read_permission_sets({"us-east-1": Recorder(sso, calls, fail)}, Recorder(iam, calls, fail), ACCOUNT, "aws")
    return result, calls


def test_support_permission_sets_are_read_in_full_and_the_others_cost_one_call(aws: tuple[Any, Any, str]) -> None:
    sso, iam, instance = aws
    iam.create_policy(PolicyName="ec2-read", Path="/ops/", PolicyDocument=document("ec2:Describe*"))
    ops = make_set(sso, instance, "SupportOps", SUPPORT, inline=document("support:*"))
    reference(sso, instance, ops, "ec2-read", "/ops/")
    reference(sso, instance, ops, "missing-here")
    make_set(sso, instance, "SupportLight", SUPPORT)
    for i in range(4):
        make_set(sso, instance, f"Developer{i}", ADMIN)
    result, calls = read(sso, iam)
    assert result.unreadable == ()
    assert [(f.operation, f.code) for f in result.failures] == [("GetPolicy", "NoSuchEntity")]
    names = sorted(p.name for p in result.permission_sets)
    assert names == ["SupportLight", "SupportOps"]
    facts = {p.name: p for p in result.permission_sets}["SupportOps"]
    assert facts.address == "permission set SupportOps"
    assert facts.arn == ops
    verdict = evaluate_permission_set(facts, Config())["support-role-least-privilege"]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"non-support-action", "policy-not-visible"}))
    problems = {p.code: p for p in verdict.problems}
    assert problems["non-support-action"].subject == f"arn:aws:iam::{ACCOUNT}:policy/ops/ec2-read"
    assert problems["policy-not-visible"].detail == (
        f"the permission set refers to policy /missing-here, which account {ACCOUNT} (where the permission set is "
        "defined) does not have; it is judged on the AWSReservedSSO role of each account the permission set is "
        "provisioned to"
    )
    assert verdict.evidence_dict()["policies"] == [
        SUPPORT,
        f"arn:aws:iam::{ACCOUNT}:policy/ops/ec2-read",
        f"arn:aws:iam::{ACCOUNT}:policy/missing-here",
        "inline:AwsSSOInlinePolicy",
    ]
    detail = result.details["permission set SupportOps"]
    assert (detail.region, detail.instance_arn, detail.accounts) == ("us-east-1", instance, ())
    # 1 ListInstances + 1 ListPermissionSets + 6 ListManagedPolicies; per support set DescribePermissionSet,
    # ListCustomerManagedPolicyReferences, GetInlinePolicy, ListAccountsForProvisionedPermissionSet;
    # GetPolicy + GetPolicyVersion for ec2-read, GetPolicy (NoSuchEntity) for missing-here.
    assert len([c for c in calls if c.startswith("sso-admin:")]) == 1 + 1 + 6 + 4 * 2
    iam_calls = sorted(c for c in calls if c.startswith("iam:"))
    assert iam_calls == ["iam:GetPolicy", "iam:GetPolicy", "iam:GetPolicyVersion"]
    assert all(c.split(":", 1)[1].startswith(("List", "Get", "Describe")) for c in calls)
    assert [c.split(":", 1)[1] for c in calls] == list(result.calls)


@pytest.mark.parametrize("sets", [10, 150])
def test_calls_grow_by_one_per_other_permission_set(aws: tuple[Any, Any, str], sets: int) -> None:
    sso, iam, instance = aws
    make_set(sso, instance, "SupportOps", SUPPORT)
    for i in range(sets):
        make_set(sso, instance, f"Other{i}")
    result, calls = read(sso, iam)
    pages = 1 + (sets + 1) // 100  # ListPermissionSets returns 100 per page
    assert len(calls) == 1 + pages + (sets + 1) + 4
    assert [p.name for p in result.permission_sets] == ["SupportOps"]


def test_a_set_without_inline_policy_reads_as_none(aws: tuple[Any, Any, str]) -> None:
    sso, iam, instance = aws
    arn = make_set(sso, instance, "SupportOps", SUPPORT)  # the API then answers an empty string
    result, _ = read(sso, iam)
    assert [(p.arn, p.inline) for p in result.permission_sets] == [(arn, ())]


@pytest.mark.parametrize("operation", ["ListInstances", "ListPermissionSets"])
def test_a_failed_listing_is_unreadable_and_names_the_call_and_permission(
    aws: tuple[Any, Any, str], operation: str
) -> None:
    sso, iam, instance = aws
    make_set(sso, instance, "SupportOps", SUPPORT)
    result, _ = read(sso, iam, {operation: "AccessDeniedException"})
    assert result.permission_sets == ()
    assert len(result.unreadable) == 1
    assert f"{operation} on " in result.unreadable[0]
    assert f"the scanning identity lacks sso:{operation}" in result.unreadable[0]


def test_a_failed_read_of_managed_policies_makes_the_set_undecided(aws: tuple[Any, Any, str]) -> None:
    sso, iam, instance = aws
    make_set(sso, instance, "SupportOps", SUPPORT)
    result, _ = read(sso, iam, {"ListManagedPoliciesInPermissionSet": "ThrottlingException"})
    (facts,) = result.permission_sets
    verdicts = evaluate_permission_set(facts, Config())
    assert {v.codes for v in verdicts.values() if v} == {frozenset({"support-status-unknown"})}
    verdict = verdicts["support-role-trust"]
    assert verdict is not None and "throttled by AWS beyond the client's retries" in verdict.reason


def test_failed_reads_of_a_support_set_make_least_privilege_unknown_and_name_the_permission(
    aws: tuple[Any, Any, str],
) -> None:
    sso, iam, instance = aws
    make_set(sso, instance, "SupportOps", SUPPORT, inline=document("support:*"))
    fail = {
        "GetInlinePolicyForPermissionSet": "AccessDeniedException",
        "ListAccountsForProvisionedPermissionSet": "AccessDeniedException",
        "DescribePermissionSet": "AccessDeniedException",
    }
    result, _ = read(sso, iam, fail)
    (facts,) = result.permission_sets
    assert facts.name == facts.arn.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    verdict = evaluate_permission_set(facts, Config())["support-role-least-privilege"]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.UNKNOWN, frozenset({"unreadable-inline-policies"}))
    assert "the scanning identity lacks sso:GetInlinePolicyForPermissionSet" in verdict.reason
    assert len(result.notes) == 2
    assert {f.permission for f in result.failures} == {f"sso:{op}" for op in fail}


def test_a_malformed_answer_is_a_failed_call(aws: tuple[Any, Any, str]) -> None:
    sso, iam, _ = aws

    class Odd:
        def __getattr__(self, name: str) -> Any:
            if name == "list_instances":
                return lambda **_: {"Instances": [{"InstanceArn": 7}]}
            return getattr(sso, name)

    result = read_permission_sets({"us-east-1": Odd()}, iam, ACCOUNT, "aws")  # type: ignore[dict-item]
    assert result.unreadable == (
        "ListInstances on IAM Identity Center in us-east-1 failed with MalformedResponse (the answer does not have "
        "the SSO Admin API's shape): a InstanceArn in Instances is not a string",
    )
