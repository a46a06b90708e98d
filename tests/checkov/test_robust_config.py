"""A refused configuration through the real ``checkov`` CLI (``$CIS_SUPPORT_ROLE_CONFIG``), written in
Prowler's config-file format (our keys under ``aws:`` beside Prowler's), so that the very files
``tests/prowler/test_robust_config.py`` gives the Prowler CLI are refused here the same way: every one of
our results FAILED with ``invalid-configuration`` and the key named, one ERROR line, exit code 1.

``test_checkov_outputs.py`` covers a misspelt key on Terraform and a missing file; this adds a wrong type,
an invalid account ID, and CloudFormation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.checkov.test_robust_malformed import CLOUDFORMATION, TERRAFORM
from tests.support.checkov import CHECK_IDS, CHECKS_DIR, results_of_json, run_cli, write_files

pytestmark = pytest.mark.slow

BAD_CONFIGS = {
    "unknown key": (
        "aws:\n  max_unused_access_keys_days: 45\n  support_role_alow_account_roots: true\n",
        "support_role_alow_account_roots",
        "unknown configuration key",
    ),
    "wrong type": (
        "aws:\n  support_role_allowed_policies: ReadOnlyAccess\n",
        "support_role_allowed_policies",
        "must be a list of non-empty strings",
    ),
    "invalid account ID": (
        "aws:\n  support_role_trusted_account_ids: ['12345678901x']\n",
        "support_role_trusted_account_ids",
        "is not a 12-digit AWS account ID",
    ),
}
ROLES = {
    "aws_iam_role.good",
    "aws_iam_role.bad",
    "AWS::IAM::Role.GoodRole",
    "AWS::IAM::Role.BadRole",
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_the_checkov_cli_refuses_a_bad_configuration_naming_the_key(case: str, tmp_path: Path) -> None:
    text, key, message = BAD_CONFIGS[case]
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    folder = tmp_path / "iac"
    write_files(folder, {"terraform/main.tf": TERRAFORM, "cloudformation/roles.yaml": CLOUDFORMATION})
    run = run_cli(
        [
            "-d",
            str(folder),
            "-o",
            "json",
            "--skip-download",
            "--framework",
            "terraform",
            "cloudformation",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "-c",
            ",".join(CHECK_IDS),
        ],
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
    )
    assert run.returncode == 1, run.stderr[-3000:]
    results = results_of_json(run.json())
    per_role = {(r.check_id, r.resource) for r in results if r.check_id != "CKV_CISSR_1"}
    assert per_role == {(check, role) for check in CHECK_IDS if check != "CKV_CISSR_1" for role in ROLES}
    exists = sorted(r.resource for r in results if r.check_id == "CKV_CISSR_1")
    assert exists == ["AWS::IAM::Role.BadRole", "aws_iam_role.bad"]  # once per root/template, on its carrier
    for result in results:
        assert result.status == "FAILED"
        assert key in result.details[0] and message in result.details[0]
        assert result.verdict == "FAIL invalid-configuration"
    errors = [line for line in run.stderr.splitlines() if "[ERROR]  cis-support-role configuration error" in line]
    # logged once per process: Checkov runs each framework's runner in a process of its own
    assert 1 <= len(errors) <= 2 and all(key in line for line in errors)
