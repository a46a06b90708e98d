"""What a user sees: Checkov's CLI, JSON and SARIF output, inline skip comments, exit codes,
configuration errors (the command itself: test_checkov_command.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support_role import RULES_BY_ID
from tests.checkov.sarif_schema import schema_errors
from tests.support.checkov import (
    GOOD_SUPPORT_ROLE_TF,
    OPEN_SUPPORT_ROLE_TF,
    CliRun,
    our_checks_args,
    results_of_json,
    run_cli,
    write_config,
)

TRUST = RULES_BY_ID["support-role-trust"]
LEAST = RULES_BY_ID["support-role-least-privilege"]


SKIPPED_ROLE_TF = """
resource "aws_iam_role" "reviewed" {
  #checkov:skip=CKV_CISSR_2:trust reviewed by the security team (ticket SEC-42)
  name = "reviewed-support"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}
"""

SKIPPED_ROLE_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reviewed:
    Type: AWS::IAM::Role
    Metadata:
      checkov:
        skip:
          - id: CKV_CISSR_2
            comment: trust reviewed by the security team (ticket SEC-42)
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {AWS: "*"}}]
      ManagedPolicyArns: ["arn:aws:iam::aws:policy/AWSSupportAccess"]
"""


def _folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


def _checkov(folder: Path, *extra: str, env: dict[str, str] | None = None, framework: str = "terraform"):  # type: ignore[no-untyped-def]
    return run_cli(our_checks_args(folder, framework, *extra), env=env)


@dataclass(frozen=True)
class OpenRoleRun:
    """One Checkov run over the open role, writing its three outputs as a user asks for them:
    the CLI text on the console, JSON and SARIF to files (``--output-file-path console,FILE,FILE``)."""

    run: CliRun
    json: Any
    sarif: Any


@pytest.fixture(scope="module")
def open_role(tmp_path_factory: pytest.TempPathFactory) -> OpenRoleRun:
    base = tmp_path_factory.mktemp("outputs")
    out = base / "out"
    out.mkdir()
    run = _checkov(
        _folder(base, "open", {"main.tf": OPEN_SUPPORT_ROLE_TF}),
        *("-o", "cli", "-o", "json", "-o", "sarif"),
        *("--output-file-path", f"console,{out / 'results.json'},{out / 'results.sarif'}"),
    )
    return OpenRoleRun(
        run,
        json.loads((out / "results.json").read_text(encoding="utf-8")),
        json.loads((out / "results.sarif").read_text(encoding="utf-8")),
    )


def test_cli_output_shows_title_severity_reason_codes_and_guideline(open_role: OpenRoleRun) -> None:
    run = open_role.run
    out = run.stdout
    assert f'Check: {TRUST.checkov_id}: "{TRUST.title}"' in out
    assert "FAILED for resource: aws_iam_role.open" in out
    assert "Severity: HIGH" in out
    assert "Details: aws_iam_role.open can be assumed by principals that are not specific people: *" in out
    assert "verdict: FAIL [wildcard-principal]" in out
    assert "evidence rejected_principals: *" in out
    assert f"Guide: {TRUST.anchor}" in out
    assert run.returncode == 1


def test_json_output_carries_severity_guideline_and_details_for_terraform_and_cloudformation(
    open_role: OpenRoleRun, tmp_path: Path
) -> None:
    tf = open_role.json
    record = next(r for r in tf["results"]["failed_checks"] if r["check_id"] == TRUST.checkov_id)
    assert record["check_name"] == TRUST.title
    assert record["severity"] == "HIGH"
    assert record["guideline"] == TRUST.anchor
    assert "verdict: FAIL [wildcard-principal]" in record["details"]
    assert record["check_result"]["details"] == record["details"]

    cfn_template = SKIPPED_ROLE_CFN.replace(
        "    Metadata:\n      checkov:\n        skip:\n", "    Metadata:\n      x:\n        y:\n"
    )
    cfn = _checkov(_folder(tmp_path, "cfn", {"t.yaml": cfn_template}), "-o", "json", framework="cloudformation").json()
    record = next(r for r in cfn["results"]["failed_checks"] if r["check_id"] == TRUST.checkov_id)
    assert record["resource"] == "AWS::IAM::Role.Reviewed"
    assert record["severity"] == "HIGH"
    # Checkov's CloudFormation runner drops a check's details; ours are kept in check_result
    assert record["details"] == []
    assert "verdict: FAIL [wildcard-principal]" in record["check_result"]["details"]


def test_plain_checkov_sarif_has_our_rules_but_attachments_the_sarif_schema_refuses(open_role: OpenRoleRun) -> None:
    """Why ``cis-support-role-checkov`` rewrites SARIF (test_checkov_reasons.py): plain Checkov writes
    each details line as ``{"description": "<line>"}``, two schema errors per line."""
    assert open_role.run.returncode == 1
    sarif = open_role.sarif
    driver = sarif["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules[TRUST.checkov_id]["helpUri"] == TRUST.anchor
    assert rules[TRUST.checkov_id]["shortDescription"]["text"] == TRUST.title
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == TRUST.checkov_id]
    assert len(results) == 1
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("main.tf")
    attachments = [a["description"] for a in results[0]["attachments"]]
    assert attachments[1] == "verdict: FAIL [wildcard-principal]"
    expected = []
    for number, result in enumerate(sarif["runs"][0]["results"]):
        for index, attachment in enumerate(result["attachments"]):
            path = f"runs/0/results/{number}/attachments/{index}"
            expected += [f"{path}/description: {attachment['description']!r} is not of type 'object'"]
            expected += [f"{path}: 'artifactLocation' is a required property"]
    assert schema_errors(sarif) == sorted(expected)
    assert len(expected) == 24  # 2 failed results (trust, MFA) x 6 details lines x 2 errors


@pytest.mark.parametrize(
    ("framework", "file", "text", "resource"),
    [
        ("terraform", "main.tf", SKIPPED_ROLE_TF, "aws_iam_role.reviewed"),
        ("cloudformation", "t.yaml", SKIPPED_ROLE_CFN, "AWS::IAM::Role.Reviewed"),
    ],
    ids=["terraform", "cloudformation"],
)
def test_an_inline_skip_comment_suppresses_one_check_on_one_resource(
    tmp_path: Path, framework: str, file: str, text: str, resource: str
) -> None:
    run = _checkov(_folder(tmp_path, "skip", {file: text}), "-o", "json", framework=framework)
    data = run.json()
    skipped = [
        (r["check_id"], r["resource"], r["check_result"]["suppress_comment"]) for r in data["results"]["skipped_checks"]
    ]
    assert skipped == [(TRUST.checkov_id, resource, "trust reviewed by the security team (ticket SEC-42)")]
    failed = {(r.check_id, r.resource, r.verdict) for r in results_of_json(data) if r.status == "FAILED"}
    assert failed == {("CKV_CISSR_4", resource, "FAIL mfa-not-required")}
    assert run.returncode == 1  # the MFA failure is not skipped


def test_exit_code_is_zero_when_everything_passes_and_with_soft_fail(tmp_path: Path) -> None:
    good = _folder(tmp_path, "good", {"main.tf": GOOD_SUPPORT_ROLE_TF})
    run = _checkov(good, "-o", "json")
    assert {(r.check_id, r.status) for r in results_of_json(run.json())} == {
        ("CKV_CISSR_2", "PASSED"),
        ("CKV_CISSR_3", "PASSED"),
        ("CKV_CISSR_4", "PASSED"),
    }
    assert run.returncode == 0
    assert _checkov(_folder(tmp_path, "open", {"main.tf": OPEN_SUPPORT_ROLE_TF}), "--soft-fail").returncode == 0


def test_a_bad_configuration_fails_every_result_and_names_the_key(tmp_path: Path) -> None:
    """Every per-role result, and the account-level result once per root (on its carrier)."""
    config = write_config(tmp_path / "bad.json", {"support_role_strict_unkown": True})
    run = _checkov(
        _folder(tmp_path, "good", {"main.tf": GOOD_SUPPORT_ROLE_TF}),
        "-o",
        "json",
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
    )
    results = results_of_json(run.json())
    assert sorted((r.check_id, r.resource, r.status) for r in results) == [
        ("CKV_CISSR_1", "aws_iam_role.good", "FAILED"),
        ("CKV_CISSR_2", "aws_iam_role.good", "FAILED"),
        ("CKV_CISSR_3", "aws_iam_role.good", "FAILED"),
        ("CKV_CISSR_4", "aws_iam_role.good", "FAILED"),
    ]
    assert all("support_role_strict_unkown" in r.details[0] for r in results)
    assert {r.verdict for r in results} == {"FAIL invalid-configuration"}
    assert run.stderr.count("cis-support-role configuration error") == 1
    assert run.returncode == 1


def test_a_configuration_file_that_does_not_exist_is_an_error_too(tmp_path: Path) -> None:
    run = _checkov(
        _folder(tmp_path, "good", {"main.tf": GOOD_SUPPORT_ROLE_TF}),
        "-o",
        "json",
        env={"CIS_SUPPORT_ROLE_CONFIG": str(tmp_path / "missing.yaml")},
    )
    assert {r.status for r in results_of_json(run.json())} == {"FAILED"}
    assert "cannot read configuration file" in run.stderr
