"""The newcomer review's reproductions (fixtures/review/, copied from its review-cases with the
expected results of its EXPECTED.md) through the real Checkov CLI, in strict mode so that an UNKNOWN
would show as FAILED with its verdict.

- tf-escaped-policy-variable-in-condition, cfn-sub-escaped-policy-variable-in-condition (defect D10):
  an IAM policy variable in a Condition value (``$${aws:username}`` in HCL, ``${!aws:PrincipalAccount}``
  in ``!Sub``) is literal policy text, not an unresolved reference.
- cfn-param-sentinel-policy (defect D3): a "None" sentinel default behind a condition that rules it
  out is not a customer policy; every allowed value is judged under its condition.
- cfn-resource-condition-default-false (defect D6): the role Checkov removes (its Condition is false
  with the default) gets no result, a documented limit; in a baseline it counts for the exists rule,
  and a role kept under its condition is judged as a conditional support role.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.checkov import CliRun, Result, results_of_json, scan_json

pytestmark = pytest.mark.slow

REVIEW = Path(__file__).resolve().parent / "fixtures" / "review"


def _scan(folder: Path, framework: str, tmp_path: Path) -> tuple[CliRun, dict[tuple[str, str], Result]]:
    run = scan_json(folder, framework, {"support_role_strict_unknown": True}, tmp_path / "config.json")
    assert run.stdout.strip(), run.stderr[-3000:]
    results = results_of_json(run.json())
    table = {(r.check_id, r.resource): r for r in results}
    assert len(table) == len(results), "one result per check and resource"
    return run, table


def _verdicts(table: dict[tuple[str, str], Result]) -> dict[tuple[str, str], str]:
    return {key: r.verdict for key, r in table.items()}


def test_terraform_escaped_policy_variables_are_literal_text(tmp_path: Path) -> None:
    _, table = _scan(REVIEW / "tf-escaped-policy-variable-in-condition", "terraform", tmp_path)
    alice, etleap = "aws_iam_role.support", "aws_iam_role.etleap_support"
    assert _verdicts(table) == {
        ("CKV_CISSR_2", alice): "PASS",
        ("CKV_CISSR_3", alice): "FAIL non-support-action",
        ("CKV_CISSR_4", alice): "PASS",
        ("CKV_CISSR_2", etleap): "FAIL account-root",
        ("CKV_CISSR_3", etleap): "PASS",
        ("CKV_CISSR_4", etleap): "PASS",
    }
    assert "inline policy uploads (allows s3:PutObject)" in table[("CKV_CISSR_3", alice)].details[0]
    assert not any("could not be resolved" in " ".join(r.details) for r in table.values())


def test_cloudformation_sub_escaped_policy_variable_is_literal_text(tmp_path: Path) -> None:
    _, table = _scan(REVIEW / "cfn-sub-escaped-policy-variable-in-condition", "cloudformation", tmp_path)
    role = "AWS::IAM::Role.SupportRole"
    assert _verdicts(table) == {
        ("CKV_CISSR_2", role): "PASS",
        ("CKV_CISSR_3", role): "FAIL non-support-action",
        ("CKV_CISSR_4", role): "PASS",
    }
    assert (
        "inline policy own-bucket-prefix (allows s3:GetObject, s3:PutObject)"
        in (table[("CKV_CISSR_3", role)].details[0])
    )


def test_cloudformation_none_sentinel_is_not_a_policy(tmp_path: Path) -> None:
    _, table = _scan(REVIEW / "cfn-param-sentinel-policy", "cloudformation", tmp_path)
    role = "AWS::IAM::Role.Role"
    assert _verdicts(table) == {
        ("CKV_CISSR_2", role): "PASS",
        ("CKV_CISSR_3", role): "FAIL extra-managed-policy",
        ("CKV_CISSR_4", role): "PASS",
    }
    reason = table[("CKV_CISSR_3", role)].details[0]
    assert "arn:aws:iam::aws:policy/AdministratorAccess (when hasManagedPolicy)" in reason
    assert "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess (when hasManagedPolicy)" in reason
    assert "None" not in reason


def test_cloudformation_role_dropped_by_its_condition_gets_no_result(tmp_path: Path) -> None:
    """A documented limit (docs/checkov.md): Checkov removes the resource before any check runs."""
    run, table = _scan(REVIEW / "cfn-resource-condition-default-false", "cloudformation", tmp_path)
    assert table == {}
    assert run.returncode == 0


def test_cloudformation_conditional_roles_in_a_baseline(tmp_path: Path) -> None:
    _, table = _scan(REVIEW / "cfn-resource-condition-baseline", "cloudformation", tmp_path)
    team = "AWS::IAM::Role.TeamRole"
    # SupportRole was removed by Checkov: no per-role result, but it counts for the exists rule;
    # TeamRole (kept: its condition holds with the default) is judged as a conditional support role
    assert _verdicts(table) == {
        ("CKV_CISSR_1", team): "PASS",
        ("CKV_CISSR_2", team): "PASS",
        ("CKV_CISSR_3", team): "PASS",
        ("CKV_CISSR_4", team): "PASS",
    }
    exists = " ".join(table[("CKV_CISSR_1", team)].details)
    assert "SupportRole" in exists and "WithSupport" in exists
    for check_id in ("CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"):
        reason = table[(check_id, team)].details[0]
        assert "Conditionally a support role: AWSSupportAccess is attached only when WithTeam" in reason
