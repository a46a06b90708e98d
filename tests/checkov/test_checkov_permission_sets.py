"""IAM Identity Center permission sets through the real Checkov CLI: the per-role checks on the
permission-set resource, and a support permission set assigned in an account baseline for CKV_CISSR_1.

Fixture ``fixtures/permission_sets``: ``cfn/baseline.yaml`` (six permission sets, one assigned, a
customer managed policy of the template), ``cfn/unassigned.yaml`` (a support permission set that no
assignment uses); the same two accounts in Terraform (``tf/baseline``, ``tf/unassigned``, with the
``aws_ssoadmin_*`` resources) and as their plan JSON (``plan/``, made by a real offline
``terraform plan`` of ``tf/``: ``test_the_committed_plans_are_those_of_the_terraform_files``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from support_role.localaws import Terraform, TerraformMissing, offline_provider_files, terraform_cli
from tests.checkov.generate_plans import normalise
from tests.support.checkov import CHECK_IDS, results_of_json, run_cli, write_config
from tests.support.tools import CHECKS_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "permission_sets"
ALL_PASS = {"CKV_CISSR_2": ("PASSED", "PASS"), "CKV_CISSR_3": ("PASSED", "PASS"), "CKV_CISSR_4": ("PASSED", "PASS")}


def _scan(
    framework: str, tmp_path: Path, strict: bool = True, directory: str = "."
) -> tuple[dict[tuple[str, str, str], tuple[str, str]], str]:
    config = write_config(tmp_path / "config.json", {"support_role_strict_unknown": strict})
    run = run_cli(
        [
            "-d",
            directory,
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--skip-download",
            "-c",
            ",".join(CHECK_IDS),
            "--framework",
            framework,
            "-o",
            "json",
        ],
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
        cwd=FIXTURES,
    )
    table: dict[tuple[str, str, str], tuple[str, str]] = {}
    for result in results_of_json(run.json()):
        key = (result.file_path, result.resource, result.check_id)
        assert key not in table, key
        table[key] = (result.status, result.verdict)
    return table, run.stderr


def _expect(file: str, resource: str, **overrides: tuple[str, str]) -> dict[tuple[str, str, str], tuple[str, str]]:
    rules = {**ALL_PASS, **{k.replace("CKV_", "CKV_CISSR_"): v for k, v in overrides.items()}}
    return {(file, resource, check): value for check, value in rules.items()}


def test_cloudformation_permission_sets_get_the_per_role_checks_and_count_for_the_baseline(tmp_path: Path) -> None:
    table, _ = _scan("cloudformation", tmp_path)
    baseline, unassigned = "/cfn/baseline.yaml", "/cfn/unassigned.yaml"
    assert table == {
        **_expect(baseline, "AWS::SSO::PermissionSet.SupportOps"),
        **_expect(baseline, "AWS::SSO::PermissionSet.SupportAdmin", CKV_3=("FAILED", "FAIL extra-managed-policy")),
        **_expect(baseline, "AWS::SSO::PermissionSet.SupportEc2", CKV_3=("FAILED", "FAIL non-support-action")),
        **_expect(baseline, "AWS::SSO::PermissionSet.SupportElsewhere", CKV_3=("FAILED", "UNKNOWN policy-not-visible")),
        # the exists result sits on the first resource by logical ID (no IAM role in either template)
        (baseline, "AWS::SSO::PermissionSet.BoundedReader", "CKV_CISSR_1"): ("PASSED", "PASS"),
        **_expect(unassigned, "AWS::SSO::PermissionSet.SupportOps"),
        (unassigned, "AWS::SSO::Assignment.DeveloperToThisAccount", "CKV_CISSR_1"): (
            "FAILED",
            "FAIL no-support-role",
        ),
    }


def test_the_findings_say_why_a_permission_set_passes_trust_and_mfa_and_which_policy_fails(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.json", {})
    run = run_cli(
        [
            "-f",
            "cfn/baseline.yaml",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--skip-download",
            "-c",
            "CKV_CISSR_2,CKV_CISSR_3",
            "-o",
            "json",
        ],
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
        cwd=FIXTURES,
    )
    details = {(r.resource, r.check_id): r.details for r in results_of_json(run.json())}
    trust = details[("AWS::SSO::PermissionSet.SupportOps", "CKV_CISSR_2")]
    assert trust[0] == (
        "SupportOps is reached only through IAM Identity Center assignments, each to a user or a group of the "
        "identity store whom an administrator chose; the roles it makes trust only Identity Center's SAML provider."
    )
    ec2 = details[("AWS::SSO::PermissionSet.SupportEc2", "CKV_CISSR_3")]
    assert "problem non-support-action: arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/ops/ec2-operations" in (
        " ".join(ec2)
    )
    assert run.returncode == 1


def _terraform_expectations(baseline: str, unassigned: str, prefix: str) -> dict[tuple[str, str, str], tuple[str, str]]:
    """The same verdicts as the CloudFormation templates', on the ``aws_ssoadmin_permission_set`` resources."""
    sets = f"{prefix}aws_ssoadmin_permission_set"
    marker = f"{prefix}terraform_data.cis_support_role_account_baseline"
    return {
        **_expect(baseline, f"{sets}.support_ops"),
        **_expect(baseline, f"{sets}.support_admin", CKV_3=("FAILED", "FAIL extra-managed-policy")),
        **_expect(baseline, f"{sets}.support_ec2", CKV_3=("FAILED", "FAIL non-support-action")),
        **_expect(baseline, f"{sets}.support_elsewhere", CKV_3=("FAILED", "UNKNOWN policy-not-visible")),
        (baseline, marker, "CKV_CISSR_1"): ("PASSED", "PASS"),
        **_expect(unassigned, f"{sets}.support_ops"),
        (unassigned, marker, "CKV_CISSR_1"): ("FAILED", "FAIL no-support-role"),
    }


def test_terraform_permission_sets_get_the_per_role_checks_and_count_for_the_baseline(tmp_path: Path) -> None:
    table, _ = _scan("terraform", tmp_path, directory="tf")
    assert table == _terraform_expectations("/baseline/main.tf", "/unassigned/main.tf", "")


def test_plan_json_permission_sets_get_the_same_verdicts_as_their_terraform_files(tmp_path: Path) -> None:
    table, _ = _scan("terraform_plan", tmp_path, directory="plan")
    assert table == _terraform_expectations("/baseline.json", "/unassigned.json", "")


def test_the_exists_finding_names_the_assigned_support_permission_set_and_the_unassigned_one(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.json", {})
    run = run_cli(
        ["-d", "tf", "--external-checks-dir", str(CHECKS_DIR), "--skip-download", "-c", "CKV_CISSR_1", "-o", "json"],
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
        cwd=FIXTURES,
    )
    details = {r.file_path: r.details for r in results_of_json(run.json())}
    assert details["/baseline/main.tf"][0] == "root module tf/baseline has support role(s): permission set SupportOps."
    assert (
        "no IAM role has AWSSupportAccess attached (permission set SupportOps would make one, but no account "
        "assignment of it is in scope)"
    ) in " ".join(details["/unassigned/main.tf"])


@pytest.mark.slow
def test_the_committed_plans_are_those_of_the_terraform_files() -> None:
    """``plan/*.json`` are what a real offline ``terraform plan`` of ``tf/*`` shows (so they cannot drift)."""
    try:
        terraform_cli()
    except TerraformMissing as missing:
        pytest.skip(str(missing))
    for name in ("baseline", "unassigned"):
        with tempfile.TemporaryDirectory() as tmp:
            module = Path(tmp) / "module"
            shutil.copytree(FIXTURES / "tf" / name, module)
            terraform = Terraform(module)
            terraform.write(offline_provider_files())
            terraform.init()
            fresh = normalise(terraform.show_json(terraform.plan("plan.bin")))
        committed = json.loads((FIXTURES / "plan" / f"{name}.json").read_text(encoding="utf-8"))
        assert fresh == committed, f"plan/{name}.json is stale: regenerate it from tf/{name} (see this test)"
