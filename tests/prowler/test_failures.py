"""Calls that fail (AccessDenied, throttling beyond retries, a role deleted mid-read) give MANUAL findings
naming the call and the permission: never no finding, never a PASS resting on what was not read."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from prowler_checks.runtime import codes_of
from support_role import Status, evaluate_exists
from support_role._codec import read_prowler_finding
from support_role.localaws import seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import Scenario, scenario_from_mapping
from support_role.sources.iam_reader import read_account
from tests.support.prowler import fail_operation, iam_client_of, mocked_aws_provider, record_calls, run_checks

ACCOUNT = "123456789012"
EXISTS_ID = "iam_cis_support_role_exists"
TRUST_ID = "iam_cis_support_role_trusts_specific_principals"
LP_ID = "iam_cis_support_role_least_privilege"
MFA_ID = "iam_cis_support_role_requires_mfa"

SUPPORT_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}


def _account(**extra: Any) -> Scenario:
    """One support role that passes every rule: a customer policy, an inline policy, a user holding the policy."""
    raw: dict[str, Any] = {
        "name": "failure-base",
        "users": ["alice", "bob"],
        "user_policies": {"bob": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"]},
        "customer_policies": {"support-extras": SUPPORT_ONLY},
        "roles": [
            {
                "name": "aws-support",
                "trust": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:{partition}:iam::{account}:user/alice"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                        }
                    ],
                },
                "policies": [
                    "arn:{partition}:iam::aws:policy/AWSSupportAccess",
                    "arn:{partition}:iam::{account}:policy/support-extras",
                ],
                "inline": {"support-inline": SUPPORT_ONLY},
            }
        ],
        "expect": {"support-role-exists": "PASS"},
    }
    raw.update(extra)
    return scenario_from_mapping(raw)


def _scan(
    scenario: Scenario, failures: list[tuple[str, str]], config: dict[str, object] | None = None
) -> dict[str, list[Any]]:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT, "aws", config or {})
        seed_scenario(iam_client_of(provider), scenario)
        for operation, code in failures:
            fail_operation(provider.session.current_session, operation, code)
        findings = run_checks()
    by_check: dict[str, list[Any]] = {}
    for finding in findings:
        by_check.setdefault(finding.check_metadata.CheckID, []).append(finding)
    return by_check


def _summary(findings: dict[str, list[Any]]) -> dict[str, list[tuple[str, str, frozenset[str]]]]:
    return {
        check: sorted((f.resource_id, f.status, codes_of(f.status_extended)) for f in items)
        for check, items in findings.items()
    }


def test_the_base_account_passes_every_rule() -> None:
    """Without failures every finding passes, so each failure below is what turns one into MANUAL."""
    assert _summary(_scan(_account(), [])) == {
        EXISTS_ID: [(ACCOUNT, "PASS", frozenset())],
        TRUST_ID: [("aws-support", "PASS", frozenset())],
        LP_ID: [("aws-support", "PASS", frozenset())],
        MFA_ID: [("aws-support", "PASS", frozenset())],
    }


ROLE = "aws-support"
PASS = ("PASS", frozenset[str]())


def _manual(*codes: str) -> tuple[str, frozenset[str]]:
    return ("MANUAL", frozenset(codes))


# operation, error code -> (resource, status, codes) per check
CASES = {
    ("ListEntitiesForPolicy", "AccessDenied"): {
        EXISTS_ID: (ACCOUNT, *_manual("unreadable-account")),
        TRUST_ID: (ACCOUNT, *_manual("unreadable-account")),
        LP_ID: (ACCOUNT, *_manual("unreadable-account")),
        MFA_ID: (ACCOUNT, *_manual("unreadable-account")),
    },
    ("ListEntitiesForPolicy", "Throttling"): {
        EXISTS_ID: (ACCOUNT, *_manual("unreadable-account")),
        TRUST_ID: (ACCOUNT, *_manual("unreadable-account")),
        LP_ID: (ACCOUNT, *_manual("unreadable-account")),
        MFA_ID: (ACCOUNT, *_manual("unreadable-account")),
    },
    ("GetRole", "AccessDenied"): {
        EXISTS_ID: (ACCOUNT, *PASS),
        TRUST_ID: (ROLE, *_manual("unreadable-trust-policy")),
        LP_ID: (ROLE, *PASS),
        MFA_ID: (ROLE, *_manual("unreadable-trust-policy")),
    },
    ("ListAttachedRolePolicies", "AccessDenied"): {
        EXISTS_ID: (ACCOUNT, *PASS),
        TRUST_ID: (ROLE, *PASS),
        LP_ID: (ROLE, *_manual("unresolved-policy")),
        MFA_ID: (ROLE, *PASS),
    },
    ("ListRolePolicies", "ThrottlingException"): {
        EXISTS_ID: (ACCOUNT, *PASS),
        TRUST_ID: (ROLE, *PASS),
        LP_ID: (ROLE, *_manual("unreadable-inline-policies")),
        MFA_ID: (ROLE, *PASS),
    },
    ("GetRolePolicy", "AccessDenied"): {
        EXISTS_ID: (ACCOUNT, *PASS),
        TRUST_ID: (ROLE, *PASS),
        LP_ID: (ROLE, *_manual("policy-not-visible")),
        MFA_ID: (ROLE, *PASS),
    },
    ("GetPolicy", "AccessDenied"): {
        EXISTS_ID: (ACCOUNT, *PASS),
        TRUST_ID: (ROLE, *PASS),
        LP_ID: (ROLE, *_manual("policy-not-visible")),
        MFA_ID: (ROLE, *PASS),
    },
    ("GetPolicyVersion", "RequestLimitExceeded"): {
        EXISTS_ID: (ACCOUNT, *PASS),
        TRUST_ID: (ROLE, *PASS),
        LP_ID: (ROLE, *_manual("policy-not-visible")),
        MFA_ID: (ROLE, *PASS),
    },
}


@pytest.mark.parametrize(("operation", "code"), list(CASES), ids=[f"{o}-{c}" for o, c in CASES])
def test_a_failed_call_makes_what_it_was_for_manual(operation: str, code: str) -> None:
    findings = _scan(_account(), [(operation, code)])
    assert _summary(findings) == {check: [expected] for check, expected in CASES[(operation, code)].items()}
    for items in findings.values():
        for finding in items:
            if finding.status == "MANUAL":
                assert f"{operation} on " in finding.status_extended
                assert f"failed with {code}" in finding.status_extended
                if code == "AccessDenied":
                    assert f"lacks iam:{operation}" in finding.status_extended
                else:
                    assert "throttled by AWS beyond the client's retries" in finding.status_extended


def test_strict_unknown_reports_unreadable_data_as_fail() -> None:
    findings = _scan(_account(), [("ListEntitiesForPolicy", "AccessDenied")], {"support_role_strict_unknown": True})
    summary = _summary(findings)
    assert summary == {check: [(ACCOUNT, "FAIL", frozenset({"unreadable-account"}))] for check in summary}
    assert len(summary) == 4
    read = [read_prowler_finding(f.status, f.status_extended) for fs in findings.values() for f in fs]
    assert [(r.status, r.strict) for r in read] == [(Status.UNKNOWN, True)] * 4


def test_a_role_deleted_between_two_calls_is_manual_with_no_such_entity() -> None:
    scenario = _account()
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT, "aws", {})
        seed_scenario(iam_client_of(provider), scenario)
        other = boto3.client("iam", region_name="us-east-1")

        def delete_first(**_: Any) -> None:  # the role disappears after the listing named it
            for policy in other.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]:
                other.detach_role_policy(RoleName=ROLE, PolicyArn=policy["PolicyArn"])
            for name in other.list_role_policies(RoleName=ROLE)["PolicyNames"]:
                other.delete_role_policy(RoleName=ROLE, PolicyName=name)
            other.delete_role(RoleName=ROLE)
            provider.session.current_session.events.unregister("before-call.iam.GetRole", delete_first)

        provider.session.current_session.events.register("before-call.iam.GetRole", delete_first)
        calls = record_calls(provider.session.current_session)
        findings = run_checks()
    summary = sorted((f.check_metadata.CheckID, f.resource_id, f.status, codes_of(f.status_extended)) for f in findings)
    assert summary == [
        (EXISTS_ID, ACCOUNT, "PASS", frozenset()),
        (LP_ID, ROLE, "MANUAL", frozenset({"unresolved-policy", "unreadable-inline-policies"})),
        (MFA_ID, ROLE, "MANUAL", frozenset({"unreadable-trust-policy"})),
        (TRUST_ID, ROLE, "MANUAL", frozenset({"unreadable-trust-policy"})),
    ]
    assert all("GetRole on role aws-support failed with NoSuchEntity" in f.status_extended for f in findings[1:])
    # nothing more is asked of a gone role (then Identity Center: ListInstances, ListPermissionSets)
    assert [op for service, op in calls if service == "iam"] == ["ListEntitiesForPolicy", "GetRole"]


def test_failed_look_alike_search_keeps_the_fail_and_says_what_was_not_looked_for() -> None:
    scenario = scenario_from_mapping(
        {
            "name": "users-only",
            "users": ["bob"],
            "user_policies": {"bob": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"]},
            "expect": {"support-role-exists": "FAIL no-support-role support-policy-not-on-role"},
        }
    )
    findings = _scan(scenario, [("ListPolicies", "AccessDenied")])
    assert _summary(findings) == {
        EXISTS_ID: [(ACCOUNT, "FAIL", frozenset({"no-support-role", "support-policy-not-on-role"}))]
    }
    text = findings[EXISTS_ID][0].status_extended
    assert "user bob" in text
    assert "customer managed policies named AWSSupportAccess or with support permissions were not looked for" in text
    assert "lacks iam:ListPolicies" in text


def _support_roles(iam: Any, count: int) -> None:
    for i in range(count):
        iam.create_role(RoleName=f"support-{i}", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
        iam.attach_role_policy(RoleName=f"support-{i}", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    for user in ("u1", "u2"):
        iam.create_user(UserName=user)
        iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")


def test_the_reader_follows_every_page_of_the_listing() -> None:
    with mock_aws(), patched_moto():
        session = boto3.session.Session(region_name="us-east-1")
        iam = session.client("iam")
        _support_roles(iam, 5)
        calls = record_calls(session)
        read = read_account(session.client("iam"), ACCOUNT, "aws", page_size=2)
    assert sorted(r.name for r in read.account.roles) == [f"support-{i}" for i in range(5)]
    assert read.account.support_users == ("u1", "u2")
    assert [op for _, op in calls].count("ListEntitiesForPolicy") == 4  # 7 entities, 2 per page
    assert read.failures == ()


def test_a_page_that_fails_keeps_the_roles_already_listed_and_says_the_rest_is_unknown() -> None:
    with mock_aws(), patched_moto():
        session = boto3.session.Session(region_name="us-east-1")
        _support_roles(session.client("iam"), 5)
        fail_operation(session, "ListEntitiesForPolicy", "Throttling", after=1)
        read = read_account(session.client("iam"), ACCOUNT, "aws", page_size=4)
    # the harness lists users, then roles, then groups, each by name: page 1 is u1, u2, support-0, support-1
    assert [r.name for r in read.account.roles] == ["support-0", "support-1"]
    assert len(read.account.unreadable) == 1
    assert (
        "ListEntitiesForPolicy on arn:aws:iam::aws:policy/AWSSupportAccess failed with Throttling"
        in (read.account.unreadable[0])
    )
    # one support role is enough for the CIS control, whatever else could not be read
    from support_role import Config

    assert evaluate_exists(read.account, Config()).status is Status.PASS


class _InMemoryIam:
    """Not boto3 at all: any object with the IAM client's methods will do; errors of any shape too."""

    def list_entities_for_policy(self, **kwargs: Any) -> dict[str, Any]:
        return {"PolicyRoles": [{"RoleName": "aws-support"}], "PolicyUsers": [], "PolicyGroups": []}

    def get_role(self, **kwargs: Any) -> dict[str, Any]:
        raise ConnectionError("connection reset by peer")

    def list_attached_role_policies(self, **kwargs: Any) -> dict[str, Any]:
        return {"AttachedPolicies": [{"PolicyArn": "arn:aws-cn:iam::aws:policy/AWSSupportAccess"}]}

    def list_role_policies(self, **kwargs: Any) -> dict[str, Any]:
        return {"PolicyNames": []}

    def get_role_policy(self, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("no inline policy to read")

    def get_policy(self, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("no customer policy to read")

    def get_policy_version(self, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("no customer policy to read")

    def list_policies(self, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("a support role exists: no look-alike search")


def test_the_reader_takes_any_iam_shaped_object_and_any_error() -> None:
    read = read_account(_InMemoryIam(), "210987654321", "aws-cn")
    (role,) = read.account.roles
    assert read.roles["aws-support"].arn == "arn:aws-cn:iam::210987654321:role/aws-support"
    assert role.trust.reason == (  # type: ignore[union-attr]
        "GetRole on role aws-support failed with ConnectionError (it needs iam:GetRole): connection reset by peer"
    )
    assert read.calls == ("ListEntitiesForPolicy", "GetRole", "ListAttachedRolePolicies", "ListRolePolicies")
