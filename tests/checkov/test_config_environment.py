"""The settings from the environment through the real ``checkov`` CLI: ``$CIS_SUPPORT_ROLE_CONFIG_INLINE``
(the settings themselves, what Prowler App users set too) changes verdicts as the file does, and a bad
value or both variables at once fail every result naming the variable (docs/DECISIONS.md, Prowler,
"Settings from the environment")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.checkov import CHECK_IDS, CHECKS_DIR, results_of_json, run_cli, write_files

pytestmark = pytest.mark.slow

ROOT_TRUSTED_TF = """
resource "aws_iam_role" "support" {
  name = "aws-support"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}
"""


def _scan(tmp_path: Path, env: dict[str, str]) -> tuple[int, dict[str, tuple[str, str]], str]:
    folder = tmp_path / "iac"
    write_files(folder, {"main.tf": ROOT_TRUSTED_TF})
    args = ["-d", str(folder), "-o", "json", "--skip-download", "--framework", "terraform"]
    run = run_cli([*args, "--external-checks-dir", str(CHECKS_DIR), "-c", ",".join(CHECK_IDS)], env=env)
    results = {r.check_id: (r.status, r.verdict) for r in results_of_json(run.json())}
    return run.returncode, results, "\n".join(r.details[0] for r in results_of_json(run.json()))


def test_the_inline_variable_changes_the_verdict_as_the_file_does(tmp_path: Path) -> None:
    _, default, _ = _scan(tmp_path / "default", {})
    assert default["CKV_CISSR_2"] == ("FAILED", "FAIL account-root")
    code, allowed, _ = _scan(
        tmp_path / "inline", {"CIS_SUPPORT_ROLE_CONFIG_INLINE": '{"aws": {"support_role_allow_account_roots": true}}'}
    )
    assert allowed["CKV_CISSR_2"] == ("PASSED", "PASS")
    assert code == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CIS_SUPPORT_ROLE_CONFIG_INLINE": "support_role_allow_account_roots: yes please"},
            "$CIS_SUPPORT_ROLE_CONFIG_INLINE: configuration key 'support_role_allow_account_roots' must be true",
        ),
        (
            {"CIS_SUPPORT_ROLE_CONFIG_INLINE": "{}", "CIS_SUPPORT_ROLE_CONFIG": "/etc/cis-support-role.yaml"},
            "$CIS_SUPPORT_ROLE_CONFIG and $CIS_SUPPORT_ROLE_CONFIG_INLINE: both are set",
        ),
    ],
)
def test_a_refused_environment_fails_every_result_naming_the_variable(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    code, results, details = _scan(tmp_path, env)
    # every result, the account-level one included (once per root, on its carrier)
    assert results == dict.fromkeys(CHECK_IDS, ("FAILED", "FAIL invalid-configuration"))
    assert details.count(message) == len(CHECK_IDS)
    assert code == 1
