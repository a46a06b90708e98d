"""What infrastructure code alone cannot tell is UNKNOWN with the reason, never PASS.

Checkov hides UNKNOWN results; without strict mode each one is logged on stderr (one WARNING line
naming the check, the resource and the reason), and the run's exit code ignores it. In strict
mode (``support_role_strict_unknown: true``) each one is FAILED with the UNKNOWN verdict and its
codes in the details.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from support_role import Status
from support_role._codec import read_checkov_details
from tests.checkov.conftest import results_table
from tests.support.checkov import (
    UNDECIDED_SUPPORT_ROLE_TF,
    CliRun,
    Result,
    results_of_json,
    scan_json,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"

TERRAFORM_UNKNOWNS = {
    # the attached policy is a variable without a default
    ("CKV_CISSR_2", "aws_iam_role.policy_from_variable"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_3", "aws_iam_role.policy_from_variable"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_4", "aws_iam_role.policy_from_variable"): "UNKNOWN support-status-unknown",
    # a customer managed policy defined outside the scanned files
    ("CKV_CISSR_3", "aws_iam_role.policy_elsewhere"): "UNKNOWN policy-not-visible",
    # a data.aws_iam_policy_document that is not in the scanned files
    ("CKV_CISSR_2", "aws_iam_role.trust_not_here"): "UNKNOWN unreadable-trust-policy",
    ("CKV_CISSR_4", "aws_iam_role.trust_not_here"): "UNKNOWN unreadable-trust-policy",
    # a data.aws_iam_policy_document merging a document given as a variable without a default
    ("CKV_CISSR_2", "aws_iam_role.trust_merged_from_variable"): "UNKNOWN unreadable-trust-policy",
    ("CKV_CISSR_4", "aws_iam_role.trust_merged_from_variable"): "UNKNOWN unreadable-trust-policy",
    # the trust policy is a variable without a default
    ("CKV_CISSR_2", "aws_iam_role.trust_from_variable"): "UNKNOWN unreadable-trust-policy",
    ("CKV_CISSR_4", "aws_iam_role.trust_from_variable"): "UNKNOWN unreadable-trust-policy",
    # AWSSupportAccess attached to a role named by a variable: any role of the root may carry it
    ("CKV_CISSR_2", "aws_iam_role.first"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_3", "aws_iam_role.first"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_4", "aws_iam_role.first"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_2", "aws_iam_role.second"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_3", "aws_iam_role.second"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_4", "aws_iam_role.second"): "UNKNOWN support-status-unknown",
    # the account-level result of that root (declared a baseline below)
    ("CKV_CISSR_1", "aws_iam_role.first"): "UNKNOWN undetermined-role",
}
TERRAFORM_DECIDED = {
    ("CKV_CISSR_2", "aws_iam_role.policy_elsewhere"): ("PASSED", "PASS"),
    ("CKV_CISSR_4", "aws_iam_role.policy_elsewhere"): ("PASSED", "PASS"),
    ("CKV_CISSR_3", "aws_iam_role.trust_not_here"): ("PASSED", "PASS"),
    ("CKV_CISSR_3", "aws_iam_role.trust_merged_from_variable"): ("PASSED", "PASS"),
    # merged from documents in these files: built as the provider builds it
    ("CKV_CISSR_2", "aws_iam_role.trust_merged"): ("PASSED", "PASS"),
    ("CKV_CISSR_3", "aws_iam_role.trust_merged"): ("PASSED", "PASS"),
    ("CKV_CISSR_4", "aws_iam_role.trust_merged"): ("PASSED", "PASS"),
    ("CKV_CISSR_3", "aws_iam_role.trust_from_variable"): ("PASSED", "PASS"),
}
CLOUDFORMATION_UNKNOWNS = {
    # Fn::ImportValue in ManagedPolicyArns
    ("CKV_CISSR_2", "AWS::IAM::Role.ImportedPolicyRole"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_3", "AWS::IAM::Role.ImportedPolicyRole"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_4", "AWS::IAM::Role.ImportedPolicyRole"): "UNKNOWN support-status-unknown",
    # !Ref to a parameter without a default
    ("CKV_CISSR_2", "AWS::IAM::Role.ParameterPolicyRole"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_3", "AWS::IAM::Role.ParameterPolicyRole"): "UNKNOWN support-status-unknown",
    ("CKV_CISSR_4", "AWS::IAM::Role.ParameterPolicyRole"): "UNKNOWN support-status-unknown",
    # Fn::ImportValue for the trust document
    ("CKV_CISSR_2", "AWS::IAM::Role.ImportedTrustRole"): "UNKNOWN unreadable-trust-policy",
    ("CKV_CISSR_4", "AWS::IAM::Role.ImportedTrustRole"): "UNKNOWN unreadable-trust-policy",
    # a customer managed policy that is not in the template
    ("CKV_CISSR_3", "AWS::IAM::Role.ElsewherePolicyRole"): "UNKNOWN policy-not-visible",
}
CLOUDFORMATION_DECIDED = {
    ("CKV_CISSR_3", "AWS::IAM::Role.ImportedTrustRole"): ("PASSED", "PASS"),
    ("CKV_CISSR_2", "AWS::IAM::Role.ElsewherePolicyRole"): ("PASSED", "PASS"),
    ("CKV_CISSR_4", "AWS::IAM::Role.ElsewherePolicyRole"): ("PASSED", "PASS"),
}


def _scan(folder: Path, framework: str, tmp_path: Path, strict: bool) -> CliRun:
    config = {
        "support_role_strict_unknown": strict,
        "support_role_account_baseline_paths": [str(FIXTURES / "terraform_unknowns" / "unresolved_role")],
    }
    return scan_json(
        folder, framework, config, tmp_path / f"config-{framework}-{'strict' if strict else 'lenient'}.json"
    )


def _results(run: CliRun) -> list[Result]:
    return results_of_json(run.json())


Scan = Callable[[str, str, bool], CliRun]


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """``scan(folder, framework, strict)``: one Checkov CLI run per fixture folder and mode for the
    whole module (each run costs a Checkov start, ~4 s of CPU); the tests read the same run."""
    runs: dict[tuple[str, str, bool], CliRun] = {}
    base = tmp_path_factory.mktemp("unknowns")

    def run(folder: str, framework: str, strict: bool) -> CliRun:
        key = (folder, framework, strict)
        if key not in runs:
            runs[key] = _scan(FIXTURES / folder, framework, base, strict)
        return runs[key]

    return run


CASES = [
    ("terraform", "terraform_unknowns", TERRAFORM_UNKNOWNS, TERRAFORM_DECIDED),
    ("cloudformation", "cloudformation_unknowns", CLOUDFORMATION_UNKNOWNS, CLOUDFORMATION_DECIDED),
]


@pytest.mark.parametrize(("framework", "folder", "unknowns", "decided"), CASES, ids=[c[0] for c in CASES])
def test_strict_mode_reports_each_unknown_as_failed_with_its_codes(
    scan: Scan,
    framework: str,
    folder: str,
    unknowns: dict[tuple[str, str], str],
    decided: dict[tuple[str, str], tuple[str, str]],
) -> None:
    run = scan(folder, framework, True)
    got = results_table(_results(run))  # type: ignore[arg-type]
    expected = {key: ("FAILED", verdict) for key, verdict in unknowns.items()} | decided
    assert got == expected
    assert run.returncode == 1
    read = [read_checkov_details(r.details) for r in _results(run)]  # type: ignore[attr-defined]
    assert [w.strict for w in read if w is not None and w.status is Status.UNKNOWN] == [True] * len(unknowns)
    assert not any(w.strict for w in read if w is not None and w.status is not Status.UNKNOWN)


@pytest.mark.parametrize(("framework", "folder", "unknowns", "decided"), CASES, ids=[c[0] for c in CASES])
def test_without_strict_mode_unknowns_are_hidden_by_checkov_but_logged_on_stderr(
    scan: Scan,
    framework: str,
    folder: str,
    unknowns: dict[tuple[str, str], str],
    decided: dict[tuple[str, str], tuple[str, str]],
) -> None:
    run = scan(folder, framework, False)
    got = results_table(_results(run))  # type: ignore[arg-type]
    assert got == decided  # never PASSED, never FAILED
    assert run.returncode == 0
    warnings = [line for line in run.stderr.splitlines() if " UNKNOWN for " in line]
    logged = set()
    for line in warnings:
        check_id = line.split(" UNKNOWN for ", 1)[0].rsplit(" ", 1)[-1]
        resource = line.split(" UNKNOWN for ", 1)[1].split(" (Checkov hides", 1)[0]
        logged.add((check_id, resource))
    # the log names the role by its address (Terraform) or logical ID (CloudFormation), and the
    # account-level UNKNOWN by its root module
    expected = {
        (c, r.split(".", 1)[1] if framework == "cloudformation" else r) for c, r in unknowns if c != "CKV_CISSR_1"
    }
    assert {k for k in logged if k[0] != "CKV_CISSR_1"} == expected
    exists_logged = {r for c, r in logged if c == "CKV_CISSR_1"}
    if framework == "terraform":
        assert exists_logged == {f"root module {Path('tests/checkov/fixtures/terraform_unknowns/unresolved_role')}"}
    else:
        assert exists_logged == set()


def test_the_reason_of_an_unknown_says_what_could_not_be_read(scan: Scan) -> None:
    run = scan("terraform_unknowns", "terraform", True)
    reasons = {(r.check_id, r.resource): r.details[0] for r in _results(run)}
    assert (
        "the policy ARN ${var.policy_arn} could not be resolved"
        in reasons[("CKV_CISSR_2", "aws_iam_role.policy_from_variable")]
    )
    assert "is not defined in the scanned files" in reasons[("CKV_CISSR_3", "aws_iam_role.policy_elsewhere")]
    assert (
        "data.aws_iam_policy_document.not_in_these_files.json could not be resolved"
        in reasons[("CKV_CISSR_2", "aws_iam_role.trust_not_here")]
    )
    assert (
        "merges other documents (source_policy_documents)"
        in reasons[("CKV_CISSR_2", "aws_iam_role.trust_merged_from_variable")]
    )
    assert (
        "may attach arn:aws:iam::aws:policy/AWSSupportAccess to this role"
        in reasons[("CKV_CISSR_2", "aws_iam_role.second")]
    )


def test_json_output_is_valid_even_with_warnings_on_stderr(scan: Scan) -> None:
    run = scan("cloudformation_unknowns", "cloudformation", False)
    assert json.loads(run.stdout)["check_type"] == "cloudformation"
    assert "UNKNOWN for ImportedPolicyRole" in run.stderr


def test_an_unknown_is_shown_at_checkovs_default_log_level(tmp_path: Path) -> None:
    """No LOG_LEVEL set (Checkov's default, WARNING), the command as a user runs it: the run passes and
    stderr names the check, the resource and the reason of the verdict that could not be decided."""
    (tmp_path / "main.tf").write_text(UNDECIDED_SUPPORT_ROLE_TF, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "CIS_SUPPORT_ROLE_CONFIG")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("cis-support-role-checkov")), "-o", "json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    decided = {(r.check_id, r.status) for r in results_of_json(json.loads(done.stdout))}
    assert decided == {("CKV_CISSR_3", "PASSED"), ("CKV_CISSR_4", "PASSED")}
    warnings = [line for line in done.stderr.splitlines() if " UNKNOWN for " in line]
    assert len(warnings) == 1, done.stderr[-2000:]
    assert "[WARNI]" in warnings[0]
    assert "CKV_CISSR_2 UNKNOWN for aws_iam_role.undecided" in warnings[0]
    assert "var.trusted_principal" in warnings[0]
