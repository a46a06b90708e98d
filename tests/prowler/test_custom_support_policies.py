"""Custom support policies on the live path (SEMANTICS.md since v0.2): listed ones are read like
AWSSupportAccess (one ListEntitiesForPolicy each, constant calls per support role), the
custom-support-policy hint costs calls only when no support role exists, and every failed call is a
MANUAL finding naming the call (or, for a hint, a note that never turns the FAIL into a PASS)."""

from __future__ import annotations

from typing import Any

from moto import mock_aws

from prowler_checks.runtime import codes_of
from support_role.localaws import seed_filler_roles, seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import Scenario, scenario_from_mapping
from tests.support.prowler import (
    assert_read_only,
    fail_operation,
    iam_client_of,
    mocked_aws_provider,
    record_calls,
    run_checks,
)

ACCOUNT = "123456789012"
EXISTS_ID = "iam_cis_support_role_exists"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:{partition}:iam::{account}:user/oncall"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
SUPPORT_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["support:*", "support-console:*"], "Resource": "*"}],
}
EC2_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}


def _account(extra_policies: int = 0) -> Scenario:
    """One role holding a customer support policy; ``extra_policies`` roles holding an EC2 policy each."""
    customer: dict[str, Any] = {"SupportConsoleCustom": SUPPORT_DOC}
    roles: list[dict[str, Any]] = [
        {
            "name": "case-custom",
            "trust": TRUST,
            "policies": ["arn:{partition}:iam::{account}:policy/SupportConsoleCustom"],
        }
    ]
    for i in range(extra_policies):
        customer[f"ec2-read-{i}"] = EC2_DOC
        roles.append(
            {
                "name": f"ec2-{i}",
                "trust": TRUST,
                "policies": [f"arn:{{partition}}:iam::{{account}}:policy/ec2-read-{i}"],
            }
        )
    return scenario_from_mapping(
        {
            "name": "custom",
            "users": ["oncall"],
            "customer_policies": customer,
            "roles": roles,
            "expect": {"support-role-exists": "FAIL no-support-role custom-support-policy"},
        }
    )


def _scan(
    scenario: Scenario, config: dict[str, object], failures: tuple[tuple[str, str], ...] = (), fillers: int = 0
) -> tuple[dict[tuple[str, str], tuple[str, frozenset[str], str]], list[str]]:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT, "aws", config)
        iam = iam_client_of(provider)
        seed_scenario(iam, scenario)
        seed_filler_roles(iam, fillers)
        calls = record_calls(provider.session.current_session)
        for operation, code in failures:
            fail_operation(provider.session.current_session, operation, code)
        findings = run_checks()
    assert_read_only(calls)
    summary = {
        (f.check_metadata.CheckID, f.resource_id): (f.status, codes_of(f.status_extended), f.status_extended)
        for f in findings
    }
    assert len(summary) == len(findings)
    # the IAM calls: what custom support policies cost (the per-role checks also ask Identity Center,
    # whose calls tests/prowler/test_identity_center_reader.py counts)
    return summary, [op for service, op in calls if service == "iam"]


def _short(summary: dict[tuple[str, str], tuple[str, frozenset[str], str]]) -> dict[tuple[str, str], str]:
    return {key: " ".join([status, *sorted(codes)]) for key, (status, codes, _) in summary.items()}


# --- the hint, by default --------------------------------------------------------------------------


def test_by_default_the_exists_finding_names_the_role_and_its_custom_support_policy() -> None:
    summary, operations = _scan(_account(extra_policies=2), {}, fillers=50)
    assert _short(summary) == {(EXISTS_ID, ACCOUNT): "FAIL custom-support-policy no-support-role"}
    text = summary[(EXISTS_ID, ACCOUNT)][2]
    assert f"case-custom (arn:aws:iam::{ACCOUNT}:policy/SupportConsoleCustom)" in text
    assert "ec2-" not in text
    # the hint's cost: one default version per attached customer policy (3 here), and the roles of
    # the one that grants support; nothing per role of the account (50 fillers)
    assert operations[:3] == [
        "ListEntitiesForPolicy",  # AWSSupportAccess holders: none
        "ListEntitiesForPolicy",  # AWSSupportAccess as a boundary
        "ListPolicies",  # attached customer policies
    ]
    # in the listing's order: each policy's document, and the roles of the one that grants support
    assert sorted(operations[3:]) == ["GetPolicyVersion"] * 3 + ["ListEntitiesForPolicy"]


def test_a_failed_hint_call_keeps_the_fail_and_says_what_was_not_looked_for() -> None:
    summary, _ = _scan(_account(), {}, failures=(("GetPolicyVersion", "AccessDenied"),))
    status, codes, text = summary[(EXISTS_ID, ACCOUNT)]
    assert (status, codes) == ("FAIL", frozenset({"no-support-role"}))
    assert "was not looked at for support permissions: GetPolicyVersion" in text
    assert "AccessDenied" in text


def test_a_support_role_spares_the_hint_calls() -> None:
    scenario = _account()
    scenario = scenario_from_mapping(
        {
            "name": "with-support",
            "users": ["oncall"],
            "customer_policies": {"SupportConsoleCustom": SUPPORT_DOC},
            "roles": [
                {
                    "name": "aws-support",
                    "trust": TRUST,
                    "policies": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"],
                },
                {
                    "name": "case-custom",
                    "trust": TRUST,
                    "policies": ["arn:{partition}:iam::{account}:policy/SupportConsoleCustom"],
                },
            ],
            "expect": {"support-role-exists": "PASS"},
        }
    )
    summary, operations = _scan(scenario, {})
    assert summary[(EXISTS_ID, ACCOUNT)][0] == "PASS"
    assert "ListPolicies" not in operations and "GetPolicyVersion" not in operations


# --- listed custom support policies ----------------------------------------------------------------


def test_a_policy_listed_by_name_is_found_once_and_read_like_aws_support_access() -> None:
    summary, operations = _scan(_account(extra_policies=1), {"support_role_support_policies": ["SupportConsoleCustom"]})
    assert _short(summary) == {
        (EXISTS_ID, ACCOUNT): "PASS",
        ("iam_cis_support_role_trusts_specific_principals", "case-custom"): "PASS",
        ("iam_cis_support_role_least_privilege", "case-custom"): "PASS",
        ("iam_cis_support_role_requires_mfa", "case-custom"): "PASS",
    }
    # AWSSupportAccess holders, the name's ARN, its holders; then 3 calls for the support role (its
    # listed policy's document is not read: it counts as the support policy)
    assert operations == [
        "ListEntitiesForPolicy",
        "ListPolicies",
        "ListEntitiesForPolicy",
        "GetRole",
        "ListAttachedRolePolicies",
        "ListRolePolicies",
    ]


def test_a_policy_listed_by_arn_needs_no_listing_and_another_accounts_arn_no_call() -> None:
    listed = [
        f"arn:aws:iam::{ACCOUNT}:policy/SupportConsoleCustom",
        "arn:aws:iam::999999999999:policy/SupportConsoleCustom",  # the same configuration for another account
    ]
    summary, operations = _scan(_account(), {"support_role_support_policies": listed})
    assert summary[(EXISTS_ID, ACCOUNT)][0] == "PASS"
    assert operations == [
        "ListEntitiesForPolicy",
        "ListEntitiesForPolicy",
        "GetRole",
        "ListAttachedRolePolicies",
        "ListRolePolicies",
    ]


def test_a_listed_policy_that_does_not_exist_here_holds_nothing() -> None:
    summary, _ = _scan(_account(), {"support_role_support_policies": [f"arn:aws:iam::{ACCOUNT}:policy/NotHere"]})
    assert _short(summary) == {(EXISTS_ID, ACCOUNT): "FAIL custom-support-policy no-support-role"}


def test_a_failed_listing_of_a_listed_policy_is_manual_naming_the_call() -> None:
    summary, _ = _scan(
        _account(),
        {"support_role_support_policies": [f"arn:aws:iam::{ACCOUNT}:policy/SupportConsoleCustom"]},
        failures=(("ListEntitiesForPolicy", "AccessDenied"),),
    )
    status, codes, text = summary[(EXISTS_ID, ACCOUNT)]
    assert (status, codes) == ("MANUAL", frozenset({"unreadable-account"}))
    assert "ListEntitiesForPolicy on" in text and "iam:ListEntitiesForPolicy" in text
    for check in (
        "iam_cis_support_role_trusts_specific_principals",
        "iam_cis_support_role_least_privilege",
        "iam_cis_support_role_requires_mfa",
    ):
        assert summary[(check, ACCOUNT)][:2] == ("MANUAL", frozenset({"unreadable-account"}))


def test_a_failed_name_lookup_is_manual_naming_list_policies() -> None:
    summary, _ = _scan(
        _account(),
        {"support_role_support_policies": ["SupportConsoleCustom"]},
        failures=(("ListPolicies", "AccessDenied"),),
    )
    status, codes, text = summary[(EXISTS_ID, ACCOUNT)]
    assert (status, codes) == ("MANUAL", frozenset({"unreadable-account"}))
    assert "the listed support policies SupportConsoleCustom were not found: ListPolicies" in text
