"""The real ``checkov`` CLI over a folder of malformed files beside one good and one bad role (Terraform and
CloudFormation): broken HCL, an unterminated heredoc, bytes that are not UTF-8, a ``.tf.json`` that is not
JSON, invalid YAML, YAML and JSON that are not templates, a template whose resources have the wrong types.

Two runs over the same folder (built in ``tmp_path`` at test time, never inside ``checkov_checks/``),
one without our checks and one with them: every built-in result and parsing error is the same in both,
our results are exactly the expected ones for the good and bad roles, the unreadable resources are
UNKNOWN with a reason on stderr (never PASSED), nothing of ours fails to load or to run, and the exit
code is 1 (there are failures) in both runs.
"""

# ruff: noqa: E501  (fixture files are written out as they would be, long lines included)
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.checkov import CHECK_IDS, CHECKS_DIR, run_cli, write_files

pytestmark = pytest.mark.slow

GOOD_TRUST = (
    '{Version = "2012-10-17", Statement = [{Effect = "Allow", '
    'Principal = {AWS = "arn:aws:iam::123456789012:user/alice"}, Action = "sts:AssumeRole", '
    'Condition = {Bool = {"aws:MultiFactorAuthPresent" = "true"}}}]}'
)
TERRAFORM = f"""
resource "aws_iam_role" "good" {{
  name                = "aws-support-good"
  assume_role_policy  = jsonencode({GOOD_TRUST})
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}}

resource "aws_iam_role" "bad" {{
  name                = "aws-support-bad"
  assume_role_policy  = jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow", Principal = {{AWS = "*"}}, Action = "sts:AssumeRole"}}]}})
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess", "arn:aws:iam::aws:policy/AdministratorAccess"]
}}

resource "aws_s3_bucket" "data" {{
  bucket = "robust-data"
}}
"""
CLOUDFORMATION = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  GoodRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: aws-support-good
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"}
            Action: sts:AssumeRole
            Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}
      ManagedPolicyArns: [!Sub "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"]
  BadRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: aws-support-bad
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: support.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AWSSupportAccess]
  Bucket:
    Type: AWS::S3::Bucket
"""
# Checkov parses this one; our checks must read its wrong types as unreadable, never as PASSED.
ODD_TYPES = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  WrongTypes:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: 7
      ManagedPolicyArns: arn:aws:iam::aws:policy/AWSSupportAccess
      Policies: {PolicyName: not-a-list}
  TrustNotAPolicy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: [1, 2, 3]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AWSSupportAccess]
"""
# Checkov refuses this one as a whole (a parsing error): it must stay refused with our checks loaded.
WRONG_TYPES = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  PropertiesAString:
    Type: AWS::IAM::Role
    Properties: "not an object"
  TypeANumber:
    Type: 42
  NotAMapping: just a string
"""
MALFORMED_TEXT = {
    # Terraform, in the same root module as the good and bad roles
    "terraform/broken.tf": 'resource "aws_iam_role" "half" {\n  name = "half"\n  assume_role_policy = jsonencode({\n',
    "terraform/heredoc.tf": 'resource "aws_iam_role" "heredoc" {\n  assume_role_policy = <<EOF\n{"Version": "2012-10-17"\n',
    "terraform/empty.tf": "",
    "terraform/broken.tf.json": '{"resource": {"aws_iam_role": {"x": {"name": ',
    "terraform/array.tf.json": "[1, 2, 3]",
    # CloudFormation
    "cloudformation/invalid.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  R: [unclosed\n',
    "cloudformation/not-a-template.yaml": "name: my-app\nitems:\n  - 1\n  - two\n",
    "cloudformation/not-a-template.json": '{"name": "my-app", "Resources": "none"}',
    "cloudformation/resources-a-list.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  - Type: AWS::IAM::Role\n',
    "cloudformation/truncated.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": {"Type": "AWS::IAM::Role", ',
    "cloudformation/wrong-types.yaml": WRONG_TYPES,
    "cloudformation/odd-types.yaml": ODD_TYPES,
}
MALFORMED_BYTES = {"terraform/latin1.tf": b'resource "aws_iam_role" "r" {\n  name = "\xe9\xff\xfe"\n}\n'}

EXPECTED_OURS = {
    ("CKV_CISSR_2", "aws_iam_role.good", "PASSED"),
    # least privilege of the good role: UNKNOWN (hidden), since broken.tf and heredoc.tf in its root module
    # could not be read and may attach any policy to it
    ("CKV_CISSR_4", "aws_iam_role.good", "PASSED"),
    ("CKV_CISSR_2", "aws_iam_role.bad", "FAILED"),
    ("CKV_CISSR_3", "aws_iam_role.bad", "FAILED"),
    ("CKV_CISSR_4", "aws_iam_role.bad", "FAILED"),
    ("CKV_CISSR_2", "AWS::IAM::Role.GoodRole", "PASSED"),
    ("CKV_CISSR_3", "AWS::IAM::Role.GoodRole", "PASSED"),
    ("CKV_CISSR_4", "AWS::IAM::Role.GoodRole", "PASSED"),
    ("CKV_CISSR_2", "AWS::IAM::Role.BadRole", "FAILED"),
    ("CKV_CISSR_3", "AWS::IAM::Role.BadRole", "PASSED"),
    ("CKV_CISSR_4", "AWS::IAM::Role.BadRole", "PASSED"),  # a service-only trust: no IAM user needs MFA
    ("CKV_CISSR_3", "AWS::IAM::Role.TrustNotAPolicy", "PASSED"),  # only its trust policy is unreadable
}


def build_folder(base: Path) -> Path:
    folder = base / "malformed"
    write_files(folder, {"terraform/main.tf": TERRAFORM, "cloudformation/roles.yaml": CLOUDFORMATION, **MALFORMED_TEXT})
    for relative, data in MALFORMED_BYTES.items():
        (folder / relative).write_bytes(data)
    return folder


def _records(data: Any) -> list[tuple[str, str, str, str]]:
    """(framework, check id, resource, status) of every result in Checkov's JSON output."""
    reports = data if isinstance(data, list) else [data]
    out = []
    for report in reports:
        for key, status in (("passed_checks", "PASSED"), ("failed_checks", "FAILED"), ("skipped_checks", "SKIPPED")):
            for record in report.get("results", {}).get(key, []):
                out.append((report["check_type"], record["check_id"], record["resource"], status))
    return out


def _parsing_errors(data: Any) -> dict[str, list[str]]:
    reports = data if isinstance(data, list) else [data]
    return {r["check_type"]: sorted(r.get("results", {}).get("parsing_errors", [])) for r in reports}


def test_malformed_files_neither_crash_checkov_nor_hide_its_results(tmp_path: Path) -> None:
    folder = build_folder(tmp_path)
    frameworks = ["--framework", "terraform", "terraform_json", "cloudformation"]
    common = ["-d", str(folder), "-o", "json", "--skip-download", *frameworks]
    plain = run_cli(common)
    ours = run_cli([*common, "--external-checks-dir", str(CHECKS_DIR)])

    assert plain.returncode == 1, plain.stderr[-3000:]
    assert ours.returncode == 1, ours.stderr[-3000:]
    plain_records, our_records = _records(plain.json()), _records(ours.json())
    builtin = [r for r in our_records if r[1] not in CHECK_IDS]
    assert sorted(builtin) == sorted(plain_records)  # every built-in result is still there, unchanged
    assert len(builtin) > 20
    assert {r[1] for r in builtin} >= {"CKV_AWS_60", "CKV_AWS_274"}  # built-in IAM role checks among them
    assert _parsing_errors(ours.json()) == _parsing_errors(plain.json())
    assert any(_parsing_errors(ours.json()).values())  # Checkov did see broken files

    assert {(c, res, s) for _, c, res, s in our_records if c in CHECK_IDS} == EXPECTED_OURS
    # unreadable facts are UNKNOWN with a reason (Checkov hides UNKNOWN, so our log line keeps it visible)
    for resource in ("WrongTypes", "TrustNotAPolicy", "aws_iam_role.good"):
        assert any(f"UNKNOWN for {resource}" in line for line in ours.stderr.splitlines()), ours.stderr[-3000:]
    # none of ours failed to load or to run; Checkov's own crashes (CKV_AWS_61 on the odd types) are the
    # same with and without our checks
    assert "Failed to run check CKV_CISSR" not in ours.stderr
    assert "checkov_checks/" not in ours.stderr and "/support_role/" not in ours.stderr
    assert _crashed(ours.stderr) == _crashed(plain.stderr)
    assert ("CKV_AWS_61", "/cloudformation/odd-types.yaml:AWS::IAM::Role.WrongTypes") in _crashed(plain.stderr)


def _crashed(stderr: str) -> set[tuple[str, str]]:
    """(check, resource) of every "Failed to run check" line Checkov logged."""
    found = set()
    for line in stderr.splitlines():
        if "Failed to run check " in line:
            check, _, resource = line.split("Failed to run check ", 1)[1].partition(" on ")
            found.add((check, resource.strip()))
    return found


def test_strict_mode_reports_the_unreadable_resources_as_failed(tmp_path: Path) -> None:
    """With support_role_strict_unknown the hidden UNKNOWNs become FAILED: nothing unreadable passes."""
    folder = build_folder(tmp_path)
    config = tmp_path / "strict.json"
    config.write_text(json.dumps({"support_role_strict_unknown": True}), encoding="utf-8")
    run = run_cli(
        [
            "-d",
            str(folder / "cloudformation"),
            "-o",
            "json",
            "--skip-download",
            "--framework",
            "cloudformation",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "-c",
            ",".join(CHECK_IDS),
        ],
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
    )
    assert run.returncode == 1, run.stderr[-3000:]
    ours = {(c, res, s) for _, c, res, s in _records(run.json())}
    for check in ("CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"):
        assert (check, "AWS::IAM::Role.WrongTypes", "FAILED") in ours
        assert (check, "AWS::IAM::Role.GoodRole", "PASSED") in ours
    assert ("CKV_CISSR_2", "AWS::IAM::Role.TrustNotAPolicy", "FAILED") in ours
    assert ("CKV_CISSR_4", "AWS::IAM::Role.TrustNotAPolicy", "FAILED") in ours
    assert ("CKV_CISSR_3", "AWS::IAM::Role.TrustNotAPolicy", "PASSED") in ours
