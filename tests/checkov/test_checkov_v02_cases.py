"""The shared v0.2 cases (copied from ../shared/cases into fixtures/cases, each file says what
every rule must give) and typed CloudFormation references, through the real Checkov CLI.

Each scan runs in strict mode, so that an UNKNOWN would show as FAILED with its verdict: the
expectations below are the complete set of our results, with the core's verdict recorded in the
details, and the reasons a person reads.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support.checkov import CliRun, Result, results_of_json, scan_json

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = FIXTURES / "cases"


def _scan(folder: Path, framework: str, tmp_path: Path, config: Mapping[str, object]) -> tuple[CliRun, list[Result]]:
    run = scan_json(folder, framework, {"support_role_strict_unknown": True, **config}, tmp_path / "config.json")
    assert run.stdout.strip(), run.stderr[-3000:]
    return run, results_of_json(run.json())


def _table(results: list[Result]) -> dict[tuple[str, str], tuple[str, str]]:
    table = {(r.check_id, r.resource): (r.status, r.verdict) for r in results}
    assert len(table) == len(results), "one result per check and resource"
    return table


def _reason(results: list[Result], check_id: str, resource: str) -> str:
    (found,) = [r for r in results if (r.check_id, r.resource) == (check_id, resource)]
    return found.details[0]


# --- conditional/template.yaml -------------------------------------------------------------------


def test_the_conditional_case_gives_what_it_says(tmp_path: Path) -> None:
    run, results = _scan(CASES / "conditional", "cloudformation", tmp_path, {})
    role, channel = "AWS::IAM::Role.ConditionalSupportRole", "AWS::IAM::Role.ChannelRole"
    assert _table(results) == {
        ("CKV_CISSR_2", role): ("FAILED", "FAIL account-root"),
        ("CKV_CISSR_3", role): ("PASSED", "PASS"),
        ("CKV_CISSR_4", role): ("FAILED", "FAIL mfa-not-required"),
        ("CKV_CISSR_2", channel): ("FAILED", "FAIL service-principal"),
        ("CKV_CISSR_3", channel): ("FAILED", "FAIL non-support-action"),
        ("CKV_CISSR_4", channel): ("PASSED", "PASS"),
    }
    assert run.returncode == 1
    for check_id in ("CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"):
        reason = _reason(results, check_id, role)
        assert "Conditionally a support role: AWSSupportAccess is attached only when WithSupport" in reason
    assert "arn:${AWS::Partition}:iam::${AdminAccountId}:root" in _reason(results, "CKV_CISSR_2", role)
    channel_trust = _reason(results, "CKV_CISSR_2", channel)
    assert "chatbot.amazonaws.com (a service: it acts with the role for whoever uses the service" in channel_trust
    assert "no person" not in channel_trust
    assert "allows cloudwatch:Describe*, cloudwatch:Get*" in _reason(results, "CKV_CISSR_3", channel)


# --- custom-support-policy/main.tf ---------------------------------------------------------------


def test_a_custom_support_policy_is_named_when_no_support_role_exists(tmp_path: Path) -> None:
    run, results = _scan(CASES / "custom-support-policy", "terraform", tmp_path, {})
    marker = "terraform_data.cis_support_role_account_baseline"
    assert _table(results) == {
        ("CKV_CISSR_1", marker): ("FAILED", "FAIL custom-support-policy no-support-role"),
    }
    reason = _reason(results, "CKV_CISSR_1", marker)
    assert "case-custom (arn:${partition}:iam::${account}:policy/case-support-console)" in reason
    assert "list the policy in support_role_support_policies" in reason
    assert run.returncode == 1


@pytest.mark.parametrize(
    "listed", ["case-support-console", "arn:aws:iam::123456789012:policy/case-support-console"], ids=["name", "arn"]
)
def test_a_listed_custom_support_policy_makes_a_support_role(tmp_path: Path, listed: str) -> None:
    run, results = _scan(
        CASES / "custom-support-policy", "terraform", tmp_path, {"support_role_support_policies": [listed]}
    )
    marker, role = "terraform_data.cis_support_role_account_baseline", "aws_iam_role.custom"
    assert _table(results) == {
        ("CKV_CISSR_1", marker): ("PASSED", "PASS"),
        ("CKV_CISSR_2", role): ("PASSED", "PASS"),
        ("CKV_CISSR_3", role): ("PASSED", "PASS"),
        ("CKV_CISSR_4", role): ("PASSED", "PASS"),
    }
    assert run.returncode == 0


# --- narrowing/main.tf -----------------------------------------------------------------------------


def test_narrowing_by_principal_arn_gives_what_the_case_says(tmp_path: Path) -> None:
    run, results = _scan(CASES / "narrowing", "terraform", tmp_path, {})
    sso, any_role, org = "aws_iam_role.sso_narrowed", "aws_iam_role.any_role", "aws_iam_role.org_wide"
    assert _table(results) == {
        ("CKV_CISSR_2", sso): ("PASSED", "PASS"),
        ("CKV_CISSR_3", sso): ("PASSED", "PASS"),
        ("CKV_CISSR_4", sso): ("PASSED", "PASS"),
        ("CKV_CISSR_2", any_role): ("FAILED", "FAIL wildcard-principal"),
        ("CKV_CISSR_3", any_role): ("PASSED", "PASS"),
        ("CKV_CISSR_4", any_role): ("PASSED", "PASS"),
        ("CKV_CISSR_2", org): ("FAILED", "FAIL wildcard-principal"),
        ("CKV_CISSR_3", org): ("PASSED", "PASS"),
        ("CKV_CISSR_4", org): ("FAILED", "FAIL mfa-not-required"),
    }
    assert run.returncode == 1
    assert "AWSReservedSSO_IncidentSupport_* (via aws:PrincipalArn)" in _reason(results, "CKV_CISSR_2", sso)
    assert "is exempt from MFA" in _reason(results, "CKV_CISSR_4", any_role)
    assert "aws:PrincipalOrgID narrows to an organisation or account, not to people" in _reason(
        results, "CKV_CISSR_2", org
    )


def test_narrowing_meets_the_trusted_accounts(tmp_path: Path) -> None:
    _, results = _scan(
        CASES / "narrowing", "terraform", tmp_path, {"support_role_trusted_account_ids": ["111122223333"]}
    )
    table = _table(results)
    assert table[("CKV_CISSR_2", "aws_iam_role.sso_narrowed")] == ("FAILED", "FAIL untrusted-account")
    assert table[("CKV_CISSR_2", "aws_iam_role.any_role")] == (
        "FAILED",
        "FAIL wildcard-principal",
    )  # one problem per principal


# --- typed CloudFormation references ----------------------------------------------------------------


def test_cloudformation_typed_references_are_judged_by_their_kind(tmp_path: Path) -> None:
    folder = tmp_path / "typed"
    shutil.copytree(FIXTURES / "cloudformation_typed", folder)
    run, results = _scan(folder, "cloudformation", tmp_path, {})
    expected: dict[tuple[str, str], tuple[str, str]] = {}

    def role(name: str, trust: str, least: str, mfa: str) -> None:
        for check_id, verdict in (("CKV_CISSR_2", trust), ("CKV_CISSR_3", least), ("CKV_CISSR_4", mfa)):
            expected[(check_id, f"AWS::IAM::Role.{name}")] = ("PASSED" if verdict == "PASS" else "FAILED", verdict)

    role("UserRefRole", "PASS", "PASS", "PASS")
    role("RoleRefRole", "PASS", "PASS", "PASS")
    role("AccountRefRole", "FAIL account-root", "PASS", "FAIL mfa-not-required")
    role("NarrowedRole", "PASS", "PASS", "PASS")
    role("OidcRefRole", "FAIL oidc-wildcard-subject", "PASS", "PASS")
    role("GroupRefRole", "FAIL invalid-principal", "PASS", "FAIL mfa-not-required")
    role("ConditionalTrustRole", "PASS", "PASS", "FAIL mfa-not-required")
    role("ParameterAccountRole", "FAIL account-root", "PASS", "FAIL mfa-not-required")
    assert _table(results) == expected
    assert run.returncode == 1
    assert "!GetAtt Oncall.Arn (iam user)" in _reason(results, "CKV_CISSR_2", "AWS::IAM::Role.UserRefRole")
    assert "!GetAtt Oncall.Arn (iam user) (when not WithMfa)" in _reason(
        results, "CKV_CISSR_4", "AWS::IAM::Role.ConditionalTrustRole"
    )


def test_typed_references_with_trusted_accounts_are_unknown_not_passed(tmp_path: Path) -> None:
    folder = tmp_path / "typed"
    shutil.copytree(FIXTURES / "cloudformation_typed", folder)
    _, results = _scan(folder, "cloudformation", tmp_path, {"support_role_trusted_account_ids": ["123456789012"]})
    table = _table(results)
    assert table[("CKV_CISSR_2", "AWS::IAM::Role.UserRefRole")] == ("FAILED", "UNKNOWN unresolved-account")
    assert table[("CKV_CISSR_2", "AWS::IAM::Role.NarrowedRole")] == ("FAILED", "UNKNOWN unresolved-account")
    assert table[("CKV_CISSR_2", "AWS::IAM::Role.ParameterAccountRole")] == ("FAILED", "FAIL account-root")
    reason = _reason(results, "CKV_CISSR_2", "AWS::IAM::Role.UserRefRole")
    assert "the scanned configuration's own, which IaC does not know" in reason
