"""The repository's .pre-commit-hooks.yaml works with the real pre-commit.

``pre-commit try-repo`` clones this repository, builds the hook's own environment (our package
plus Checkov from PyPI) and runs the hook on a temporary git repository: slow, hence marked. The
hook fails on a finding, honours the repository's .checkov.yaml, and shows a verdict it could not
decide (UNKNOWN) also when it passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.checkov import GOOD_SUPPORT_ROLE_TF, OPEN_SUPPORT_ROLE_TF, ROOT, UNDECIDED_SUPPORT_ROLE_TF

ROLES_TF = OPEN_SUPPORT_ROLE_TF + "\n" + GOOD_SUPPORT_ROLE_TF


# Trusted by a variable without a default: the trust cannot be decided (UNKNOWN) without strict mode.


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
    env = {k: v for k, v in os.environ.items() if k not in ("CIS_SUPPORT_ROLE_CONFIG", "LOG_LEVEL")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def try_repo() -> tuple[int, str]:
        done = subprocess.run(
            [pre_commit, "try-repo", str(ROOT), "cis-support-role-checkov", "--all-files"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        return done.returncode, done.stdout + done.stderr

    returncode, output = try_repo()
    assert "CIS support role checks (Checkov)" in output
    assert "- hook id: cis-support-role-checkov" in output
    assert 'Check: CKV_CISSR_2: "Support roles are trusted only by specific people"' in output
    assert "FAILED for resource: aws_iam_role.open" in output
    assert "FAILED for resource: aws_iam_role.good" not in output
    assert "PASSED for resource" not in output  # the hook's default --quiet
    assert "CKV_CISSR_4" not in output  # skipped by the repository's .checkov.yaml
    assert "Failed checks: 1, Skipped checks: 0" in output  # open: trust (least privilege passes)
    assert returncode == 1, output[-3000:]

    # A passing run still shows what could not be decided (the hook is verbose, LOG_LEVEL unset).
    (repo / "main.tf").write_text(UNDECIDED_SUPPORT_ROLE_TF, encoding="utf-8")
    _git(repo, "commit", "-qam", "a role trusted by a variable")
    returncode, output = try_repo()
    assert returncode == 0, output[-3000:]
    assert "Failed checks: 0, Skipped checks: 0" in output
    warnings = [line for line in output.splitlines() if " UNKNOWN for " in line]
    assert len(warnings) == 1, output[-3000:]
    assert "CKV_CISSR_2 UNKNOWN for aws_iam_role.undecided" in warnings[0]
    assert "var.trusted_principal" in warnings[0]
