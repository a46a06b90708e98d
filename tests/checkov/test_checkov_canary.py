"""Canary: every check of ours loads in Checkov and reports on every framework it serves.

Checkov only logs a check that fails to load, and turns an exception inside a check into a
hidden UNKNOWN: without this test a broken check would disappear without a trace.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support_role import RULES
from tests.checkov.generate_plans import PLANS_DIR
from tests.support.checkov import CHECK_IDS, CHECKS_DIR, results_of_json, run_cli

CANARY = Path(__file__).resolve().parent / "fixtures" / "canary"
# A committed real plan of a corpus scenario (a support role and the account-baseline marker).
CANARY_PLAN = PLANS_DIR / "documents" / "anchor-wildcard-trust.json"
FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation")
LOAD_ERRORS = ("Cannot load external check", "Failed to run check", "Traceback")


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("canary")
    shutil.copytree(CANARY / "terraform", folder / "terraform")
    shutil.copytree(CANARY / "cloudformation", folder / "cloudformation")
    (folder / "plan").mkdir()
    shutil.copy(CANARY_PLAN, folder / "plan" / "tfplan.json")
    return run_cli(
        ["-d", str(folder), "--external-checks-dir", str(CHECKS_DIR), "--skip-download",
         "--framework", *FRAMEWORKS, "-o", "json"],
        env={"LOG_LEVEL": "INFO"},
    )  # fmt: skip


def test_no_check_of_ours_failed_to_load_or_raised(canary_run) -> None:  # type: ignore[no-untyped-def]
    problems = [line for line in canary_run.stderr.splitlines() if any(e in line for e in LOAD_ERRORS)]
    assert problems == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_check_of_ours_reports_on_every_framework(canary_run, framework: str) -> None:  # type: ignore[no-untyped-def]
    data = canary_run.json()
    reports = [r for r in (data if isinstance(data, list) else [data]) if r["check_type"] == framework]
    assert len(reports) == 1, f"Checkov produced no {framework} report"
    reported = {r.check_id for r in results_of_json(reports[0])}
    assert reported == set(CHECK_IDS)


def test_checkov_registers_our_checks_with_the_core_metadata() -> None:
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    resource_registry.load_external_checks(str(CHECKS_DIR))
    cfn_registry.load_external_checks(str(CHECKS_DIR))
    for registry in (resource_registry, cfn_registry):
        for rule in RULES:
            check = registry.get_check_by_id(rule.checkov_id)
            assert check is not None, f"{rule.checkov_id} is not registered in {registry.report_type}"
            assert check.name == rule.title
            assert check.severity is not None and check.severity.name == rule.severity.upper()
            assert check.guideline == rule.anchor
    ours = [c for _, c in resource_registry.all_checks() if c.id.startswith("CKV_CISSR_")]
    # each load replaces the last (support_role.checkov_glue.forget_check): one registration of the
    # exists check, whatever ran in this process before, and the per-role checks on their two types
    assert sorted(c.id for c in ours) == ["CKV_CISSR_1", *sorted(2 * [*CHECK_IDS[1:]])]


# Every check Checkov registers on its own, in a process that never loaded ours: the IDs of every
# built-in resource check of every framework (Checkov imports them all at start), and the patterns
# the Terraform and CloudFormation resource registries hold wildcard checks under.
BUILTIN_IDS = """
import json
import checkov.main
from checkov.cloudformation.checks.resource.registry import cfn_registry
from checkov.common.checks.base_check_registry import BaseCheckRegistry
from checkov.terraform.checks.resource.registry import resource_registry
print(json.dumps({
    "ids": sorted({check.id for check in BaseCheckRegistry.get_all_registered_checks()}),
    "terraform": len(resource_registry.checks),
    "wildcards": sorted(resource_registry.wildcard_checks) + sorted(cfn_registry.wildcard_checks),
}))
"""


def test_no_built_in_check_of_any_framework_uses_our_prefix() -> None:
    """Checkov silently drops a custom check whose ID a built-in already registered; a built-in of
    another framework with one of our IDs would also run under ``--check CKV_CISSR_...``.

    Also: no built-in Terraform or CloudFormation resource check is registered for a pattern, so a
    check of ours registered for ``*`` is what sends every resource through Checkov's pattern
    matching (``get_checks``), and the Terraform exists check registers for ``*`` only when the
    settings need it (docs/DECISIONS.md)."""
    done = subprocess.run([sys.executable, "-c", BUILTIN_IDS], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    builtin = set(found["ids"])
    assert len(builtin) > 1000 and {"CKV_AWS_60", "CKV_AWS_61"} <= builtin  # really the built-ins
    assert sorted(i for i in builtin if i.startswith("CKV_CISSR")) == []
    assert found["terraform"] > 400  # the built-in Terraform resource checks' types were loaded
    assert found["wildcards"] == []


def test_the_checks_folder_holds_only_check_modules() -> None:
    """Checkov executes every .py of the folder but those whose name starts with "__", and walks it
    for YAML/JSON checks: the command's modules (``__main__``, ``__outputs``) are not run as checks."""
    files = sorted(p.name for p in CHECKS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert files == [
        "__init__.py",
        "__main__.py",
        "__outputs.py",
        "cis_support_role_cloudformation.py",
        "cis_support_role_terraform.py",
    ]
