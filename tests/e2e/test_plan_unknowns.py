"""What a plan JSON cannot know, the plan path must call UNKNOWN, never nothing.

``managed_policy_arns = [".../AWSSupportAccess", aws_iam_policy.extra.arn]`` on a role: before the
apply, Terraform's plan JSON marks the whole list unknown (``after_unknown``) and its configuration
keeps only the reference, so the literal AWSSupportAccess ARN is nowhere in the plan. The role may
be a support role: every per-role rule must be UNKNOWN (``support-status-unknown``), as the
contract says for "maybe a support role". The HCL path sees the literal and decides.

This is why the parity tests never write an account with customer managed policies in the
renderer's ``inline`` style (see ``tests/e2e/paths.py:terraform_style``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from support_role import PER_ROLE_RULES
from support_role.localaws import Terraform, offline_provider_files, run_command
from tests.e2e.paths import CHECKOV_CHECKS, read_checkov
from tests.support import tools

pytestmark = pytest.mark.slow

MAIN_TF = """
resource "aws_iam_policy" "extra" {
  name   = "SupportCaseTooling"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "support:*", Resource = "*" }]
  })
}

resource "aws_iam_role" "support" {
  name = "aws-support"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:user/alice" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess", aws_iam_policy.extra.arn]
}
"""


def test_a_role_whose_attachments_the_plan_does_not_know_is_unknown_on_the_plan_path(
    terraform_available: Path, checkov_cli: Path, tmp_path: Path
) -> None:
    hcl = tmp_path / "scan" / "hcl"
    hcl.mkdir(parents=True)
    (hcl / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    tf = Terraform(tmp_path / "run")
    (tf.directory / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    for name, text in offline_provider_files().items():
        (tf.directory / name).write_text(text, encoding="utf-8")
    tf.init()
    shown = tf.show_json(tf.plan())
    plan = tmp_path / "scan" / "plan" / "plan.json"
    plan.parent.mkdir()
    plan.write_text(json.dumps(shown), encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"support_role_strict_unknown": True}), encoding="utf-8")
    result = run_command(
        [
            tools.checkov_cli(),
            "-d",
            tmp_path / "scan",
            "--external-checks-dir",
            tools.CHECKS_DIR,
            "--framework",
            "terraform",
            "terraform_plan",
            "--check",
            CHECKOV_CHECKS,
            "--skip-download",
            "--soft-fail",
            "-o",
            "json",
        ],
        env={**tools.tool_env(), "CIS_SUPPORT_ROLE_CONFIG": str(config)},
        check=False,
    )
    assert result.returncode == 0, result.describe()
    findings = read_checkov(json.loads(result.stdout))
    by_path = {
        "hcl": {f.rule: f.verdict for f in findings if f.role == "aws-support" and os.sep + "hcl" in f.scope},
        "plan": {f.rule: f.verdict for f in findings if f.role == "aws-support" and f.scope.endswith("plan.json")},
    }
    assert by_path["hcl"] == dict.fromkeys(PER_ROLE_RULES, "PASS")
    assert by_path["plan"] == dict.fromkeys(PER_ROLE_RULES, "UNKNOWN support-status-unknown")
