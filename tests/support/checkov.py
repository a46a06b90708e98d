"""The Checkov tests' machinery: fixture trees, real Checkov runs, and our results read back.

Runs in the checkov environment (Checkov is imported only inside the functions that run it).
Nothing here imitates Checkov: :func:`run_runner` calls Checkov's own ``Runner`` classes with our
``--external-checks-dir``, :func:`run_cli` its CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from support_role import RULES
from support_role._codec import read_checkov_details
from support_role.reports import Finding, checkov_finding, read_checkov
from tests.support.tools import CHECKOV_ENV, CHECKS_DIR, ROOT, checkov_cli

if TYPE_CHECKING:  # Checkov itself is imported only where it runs
    from checkov.common.output.report import Report
    from checkov.common.runners.base_runner import BaseRunner

CHECK_IDS: tuple[str, ...] = tuple(rule.checkov_id for rule in RULES)
CHECK_OF_RULE: dict[str, str] = {rule.id: rule.checkov_id for rule in RULES}
RULE_OF_CHECK: dict[str, str] = {rule.checkov_id: rule.id for rule in RULES}


@dataclass(frozen=True)
class Result:
    """One result of one of our checks, as Checkov reported it."""

    check_id: str
    resource: str
    file_path: str  # as Checkov reports it: relative to the scanned folder, with a leading /
    status: str  # PASSED | FAILED | SKIPPED
    details: tuple[str, ...]

    @classmethod
    def of(cls, finding: Finding) -> Result:
        return cls(finding.check_id, finding.resource, finding.file_path, finding.result, finding.details)

    @property
    def verdict(self) -> str:
        """The core's verdict our checks recorded in the details, read by the codec: its key
        ("FAIL code code"), or "none" when the details carry none."""
        wire = read_checkov_details(self.details)
        return str(wire.key) if wire is not None else "none"

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(p for p in self.file_path.replace("\\", "/").split("/") if p)


def results_of(reports: Report | list[Report]) -> list[Result]:
    """Our checks' results from the report objects Checkov's runners return (one or a list)."""
    out: list[Result] = []
    for report in reports if isinstance(reports, list) else [reports]:
        for result, records in (
            ("PASSED", report.passed_checks),
            ("FAILED", report.failed_checks),
            ("SKIPPED", report.skipped_checks),
        ):
            for record in records:
                nested = record.check_result.get("details") if record.check_result else None
                details = record.details or (nested if isinstance(nested, list) else [])
                finding = checkov_finding(
                    report.check_type,
                    result,
                    record.check_id,
                    record.resource,
                    record.file_path,
                    record.file_abs_path,
                    [str(line) for line in details],
                )
                if finding is not None:
                    out.append(Result.of(finding))
    return out


def results_of_json(data: object) -> list[Result]:
    """Our checks' results from Checkov's ``-o json`` output (one report or a list of them)."""
    return [Result.of(finding) for finding in read_checkov(data)]


@contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for the duration of a block."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_runner(framework: str, folder: Path, checks: Sequence[str] = CHECK_IDS) -> list[Result]:
    """Checkov's own Runner for one framework over a folder, with our checks loaded from disk."""
    from checkov.runner_filter import RunnerFilter

    runner: BaseRunner[Any, Any, Any]
    if framework == "terraform":
        from checkov.terraform.runner import Runner as TerraformRunner

        runner = TerraformRunner()
    elif framework == "terraform_plan":
        from checkov.terraform.plan_runner import Runner as PlanRunner

        runner = PlanRunner()
    elif framework == "cloudformation":
        from checkov.cloudformation.runner import Runner as CloudFormationRunner

        runner = CloudFormationRunner()
    else:
        raise ValueError(framework)
    runner_filter = RunnerFilter(framework=[framework], checks=list(checks))
    report = runner.run(root_folder=str(folder), external_checks_dir=[str(CHECKS_DIR)], runner_filter=runner_filter)
    return results_of(report)


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def run_cli(args: Iterable[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> CliRun:
    """The real ``checkov`` command of this environment (run from the repository root by default)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CIS_SUPPORT_ROLE_CONFIG")}
    full_env.update(env or {})
    full_env.setdefault("LOG_LEVEL", "WARNING")
    for key, value in CHECKOV_ENV.items():
        full_env.setdefault(key, value)
    completed = subprocess.run(
        [str(checkov_cli()), *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=900
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


def write_files(base: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_config(path: Path, config: Mapping[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(config), indent=2), encoding="utf-8")
    return path


def scan_json(folder: Path, framework: str, config: Mapping[str, object], config_path: Path) -> CliRun:
    """``checkov -d folder --framework framework -o json`` with our checks only (the IDs of ``RULES``),
    the settings ``config`` written to ``config_path`` and given through ``$CIS_SUPPORT_ROLE_CONFIG``."""
    write_config(config_path, config)
    return run_cli(our_checks_args(folder, framework, "-o", "json"), env={"CIS_SUPPORT_ROLE_CONFIG": str(config_path)})


def our_checks_args(folder: Path, framework: str, *extra: str) -> list[str]:
    """Checkov's arguments to scan ``folder`` with our checks only (the IDs of ``RULES``), then ``extra``."""
    return [
        "-d",
        str(folder),
        "--external-checks-dir",
        str(CHECKS_DIR),
        "--skip-download",
        "--framework",
        framework,
        "-c",
        ",".join(CHECK_IDS),
        *extra,
    ]


# Roles the CLI tests scan (one text each, so that a test reading a result knows the role it came from).
# A support role any AWS principal may assume: trust and MFA FAIL, least privilege PASS.
OPEN_SUPPORT_ROLE_TF = """
resource "aws_iam_role" "open" {
  name = "open-support"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}
"""

# A support role trusted by one named user with MFA: every rule PASS.
GOOD_SUPPORT_ROLE_TF = """
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

# A support role trusted by a variable without a default: trust UNKNOWN (visible without strict mode).
UNDECIDED_SUPPORT_ROLE_TF = """
variable "trusted_principal" {}

resource "aws_iam_role" "undecided" {
  name = "undecided-support"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole"
      Principal = { AWS = var.trusted_principal }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}
"""
