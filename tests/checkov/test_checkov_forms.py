"""Each way of writing a role, its attachments and its trust policy is read, and the result lands
on the role's own resource: the exact passing and failing resources per check, with the codes.

Fixtures: ``fixtures/terraform_forms`` (HCL, a local module under ``count``, ``for_each``),
``fixtures/cloudformation_forms`` (``!Sub``, ``Fn::Join``, JSON-string trust, parameter defaults,
``AWS::IAM::Policy``/``RolePolicy``/``ManagedPolicy``), ``fixtures/serverless``; ``.tf.json`` is
written by the test. Strict mode is off here: nothing in these fixtures is UNKNOWN.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checkov.conftest import by_check, results_table
from tests.support.checkov import Result, environment, results_of_json, run_cli, run_runner

FIXTURES = Path(__file__).resolve().parent / "fixtures"

TERRAFORM_FORMS = {
    ("CKV_CISSR_2", "aws_iam_role.by_arn"): ("FAILED", "FAIL account-root"),
    ("CKV_CISSR_3", "aws_iam_role.by_arn"): ("PASSED", "PASS"),
    ("CKV_CISSR_4", "aws_iam_role.by_arn"): ("FAILED", "FAIL mfa-not-required"),
    ("CKV_CISSR_3", "aws_iam_role.exclusive"): ("FAILED", "FAIL extra-managed-policy"),
    ("CKV_CISSR_3", "aws_iam_role.inline"): ("FAILED", "FAIL non-support-action"),
    ("CKV_CISSR_2", 'aws_iam_role.teams["blue"]'): ("FAILED", "FAIL service-principal"),
    ("CKV_CISSR_2", 'aws_iam_role.teams["red"]'): ("FAILED", "FAIL service-principal"),
    ("CKV_CISSR_4", "module.oncall[0].aws_iam_role.this"): ("FAILED", "FAIL mfa-if-exists"),
    ("CKV_CISSR_4", "module.oncall[1].aws_iam_role.this"): ("FAILED", "FAIL mfa-if-exists"),
}
PASSING_ROLES = [
    "aws_iam_role.customer",
    "aws_iam_role.exclusive",
    "aws_iam_role.inline",
    "aws_iam_role.interpolated",
    "aws_iam_role.listed",
    "aws_iam_role.listed_by_name",
    'aws_iam_role.teams["blue"]',
    'aws_iam_role.teams["red"]',
    "module.oncall[0].aws_iam_role.this",
    "module.oncall[1].aws_iam_role.this",
]
for _role in PASSING_ROLES:
    for _check in ("CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"):
        TERRAFORM_FORMS.setdefault((_check, _role), ("PASSED", "PASS"))

CLOUDFORMATION_FORMS = {
    ("CKV_CISSR_2", "AWS::IAM::Role.JoinRole"): ("FAILED", "FAIL account-root"),
    ("CKV_CISSR_3", "AWS::IAM::Role.JoinRole"): ("PASSED", "PASS"),
    ("CKV_CISSR_4", "AWS::IAM::Role.JoinRole"): ("FAILED", "FAIL mfa-not-required"),
    ("CKV_CISSR_3", "AWS::IAM::Role.ParameterRole"): ("FAILED", "FAIL non-support-action"),
}
for _role in ("SubRole", "ParameterRole", "RefRole"):
    for _check in ("CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"):
        CLOUDFORMATION_FORMS.setdefault((_check, f"AWS::IAM::Role.{_role}"), ("PASSED", "PASS"))


def _table(results: list[Result]) -> dict[tuple[str, str], tuple[str, str]]:
    return results_table(results)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def terraform_forms() -> list[Result]:
    """One scan of ``fixtures/terraform_forms`` by Checkov's Terraform runner, read by three tests."""
    with environment(CIS_SUPPORT_ROLE_CONFIG=None):
        return run_runner("terraform", FIXTURES / "terraform_forms")


def test_terraform_forms_land_on_each_roles_own_resource(terraform_forms: list[Result]) -> None:
    got = _table(terraform_forms)
    assert by_check(got) == by_check(TERRAFORM_FORMS)
    assert got == TERRAFORM_FORMS


def test_a_role_that_is_not_a_support_role_gets_no_per_role_result_even_when_wide_open(
    terraform_forms: list[Result],
) -> None:
    got = _table(terraform_forms)
    assert [key for key in got if key[1] == "aws_iam_role.app"] == []


def test_terraform_evidence_names_every_policy_found_for_the_role(terraform_forms: list[Result]) -> None:
    results = terraform_forms
    inline = next(r for r in results if r.check_id == "CKV_CISSR_3" and r.resource == "aws_iam_role.inline")
    assert "evidence policies: arn:aws:iam::aws:policy/AWSSupportAccess, inline:cases, inline:s3" in inline.details
    assert "problem non-support-action: inline policy s3 (allows s3:GetObject)" in inline.details


def test_cloudformation_forms_land_on_each_roles_logical_id() -> None:
    with environment(CIS_SUPPORT_ROLE_CONFIG=None):
        got = _table(run_runner("cloudformation", FIXTURES / "cloudformation_forms"))
    assert by_check(got) == by_check(CLOUDFORMATION_FORMS)
    assert got == CLOUDFORMATION_FORMS


def test_serverless_resources_are_read_with_the_policies_that_name_the_role() -> None:
    run = run_cli(
        [
            "-d",
            str(FIXTURES / "serverless"),
            "--external-checks-dir",
            str(FIXTURES.parents[2] / "checkov_checks"),
            "--skip-download",
            "--framework",
            "serverless",
            "-c",
            "CKV_CISSR_2,CKV_CISSR_3,CKV_CISSR_4",
            "-o",
            "json",
        ]
    )
    got = _table(results_of_json(run.json()))
    assert got == {
        ("CKV_CISSR_2", "AWS::IAM::Role.SupportRole"): ("PASSED", "PASS"),
        ("CKV_CISSR_3", "AWS::IAM::Role.SupportRole"): ("FAILED", "FAIL non-support-action"),
        ("CKV_CISSR_4", "AWS::IAM::Role.SupportRole"): ("FAILED", "FAIL mfa-not-required"),
    }


TF_JSON = {
    "resource": {
        "aws_iam_role": {
            "support": {
                "name": "aws-support",
                "assume_role_policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}},
                        ],
                    }
                ),
            },
            "app": {"name": "app", "assume_role_policy": "{}"},
        },
        "aws_iam_role_policy_attachment": {
            "support": {
                "role": "${aws_iam_role.support.name}",
                "policy_arn": "arn:aws:iam::aws:policy/AWSSupportAccess",
            },
            "extra": {"role": "${aws_iam_role.support.id}", "policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
        },
    }
}


def test_tf_json_is_read_through_checkovs_terraform_json_runner(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps(TF_JSON, indent=2), encoding="utf-8")
    run = run_cli(
        [
            "-d",
            str(tmp_path),
            "--external-checks-dir",
            str(FIXTURES.parents[2] / "checkov_checks"),
            "--skip-download",
            "--framework",
            "terraform_json",
            "-c",
            "CKV_CISSR_2,CKV_CISSR_3,CKV_CISSR_4",
            "-o",
            "json",
        ]
    )
    got = _table(results_of_json(run.json()))
    # Checkov names .tf.json resources "resource.<name>" (its own naming); the role is the support role.
    assert got == {
        ("CKV_CISSR_2", "resource.support"): ("FAILED", "FAIL wildcard-principal"),
        ("CKV_CISSR_3", "resource.support"): ("FAILED", "FAIL extra-managed-policy"),
        ("CKV_CISSR_4", "resource.support"): ("FAILED", "FAIL mfa-not-required"),
    }
