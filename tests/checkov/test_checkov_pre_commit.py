"""The repository's .pre-commit-hooks.yaml works with the real pre-commit.

``pre-commit try-repo`` clones this repository, builds the hook's own environment (our package
plus Checkov from PyPI) and runs the hook on a temporary git repository: slow, hence marked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checkov.harness import ROOT

ROLES_TF = """
resource "aws_iam_role" "open" {
  name = "open-support"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}

resource "aws_iam_role" "good" {
  name = "good-support"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:user/alice" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_hook_and_fails_on_a_finding(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if pre_commit is None:
        pytest.fail("pre-commit is not installed in this environment (it is in requirements/checkov.txt)")
    repo = tmp_path / "infra"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.com")
    _git(repo, "config", "user.name", "test")
    (repo / "main.tf").write_text(ROLES_TF, encoding="utf-8")
    # The repository's own Checkov configuration is honoured by the hook (not overridden, not refused).
    (repo / ".checkov.yaml").write_text("skip-check:\n  - CKV_CISSR_4\n", encoding="utf-8")
    _git(repo, "add", "main.tf", ".checkov.yaml")
    _git(repo, "commit", "-qm", "roles")
    env = {k: v for k, v in os.environ.items() if k != "CIS_SUPPORT_ROLE_CONFIG"}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    done = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "cis-support-role-checkov", "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert "CIS support role checks (Checkov)" in output
    assert "- hook id: cis-support-role-checkov" in output
    assert 'Check: CKV_CISSR_2: "Support roles are trusted only by specific people"' in output
    assert "FAILED for resource: aws_iam_role.open" in output
    assert "FAILED for resource: aws_iam_role.good" not in output
    assert "CKV_CISSR_4" not in output  # skipped by the repository's .checkov.yaml
    assert "Passed checks: 3, Failed checks: 1, Skipped checks: 0" in output  # good: 2, open: least privilege
    assert done.returncode == 1, output[-3000:]
