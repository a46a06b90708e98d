"""The Terraform cases of issue 9 (``fixtures/cases/``), each through the real Checkov CLI.

Every case folder is scanned as HCL (``-d``; the partial module also with ``-f`` on one of its
files) and, where it applies, as the JSON of a real ``terraform plan`` made against a fresh moto
account before apply and again after apply (``fixtures/case-plans/``, made by
``generate_case_plans.py``): scanned alone, and beside the case's ``.tf`` files (the way
``terraform show -json tfplan > tfplan.json`` leaves it in the module's folder). Each test states
the exact result of every check on every resource, with the problem codes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.checkov.generate_case_plans import CASES, KINDS, plan_file, stale
from tests.support.checkov import CHECK_IDS, results_of_json, run_cli, write_config
from tests.support.tools import CHECKS_DIR

# resource -> check -> verdict ("PASS", "FAIL code ...", "UNKNOWN code ..."); a check not listed
# for a resource must give no result there (not a support role, or not the exists carrier).
Expected = Mapping[str, Mapping[str, str]]

TYPED_REFERENCES: Expected = {
    "aws_iam_role.user_ref": {"CKV_CISSR_2": "PASS", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "PASS"},
    "aws_iam_role.account_ref": {
        "CKV_CISSR_2": "FAIL account-root",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
    "aws_iam_role.oidc_ref": {"CKV_CISSR_2": "FAIL oidc-without-subject", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "PASS"},
    "aws_iam_role.legacy_index[0]": {
        "CKV_CISSR_2": "PASS",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
}
UNEVALUATED: Expected = {
    "aws_iam_role.splat": {"CKV_CISSR_2": "PASS", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "PASS"},
    "aws_iam_role.dynamic": {
        "CKV_CISSR_2": "FAIL account-root",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
}
PARTIAL: Expected = {
    "aws_iam_role.open": {
        "CKV_CISSR_1": "PASS",
        "CKV_CISSR_2": "FAIL wildcard-principal",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    }
}
NARROWING: Expected = {
    "aws_iam_role.sso_narrowed": {"CKV_CISSR_2": "PASS", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "PASS"},
    "aws_iam_role.any_role": {"CKV_CISSR_2": "FAIL wildcard-principal", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "PASS"},
    "aws_iam_role.org_wide": {
        "CKV_CISSR_2": "FAIL wildcard-principal",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
}
CUSTOM_DEFAULT: Expected = {
    "terraform_data.cis_support_role_account_baseline": {"CKV_CISSR_1": "FAIL custom-support-policy no-support-role"}
}
CUSTOM_LISTED: Expected = {
    "terraform_data.cis_support_role_account_baseline": {"CKV_CISSR_1": "PASS"},
    "aws_iam_role.custom": {"CKV_CISSR_2": "PASS", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "PASS"},
}
LISTED = {"support_role_support_policies": ["case-support-console"]}


def scan(
    target: Path, framework: str | tuple[str, ...], config: Mapping[str, object], tmp_path: Path
) -> dict[str, dict[str, str]]:
    """{resource: {check: verdict}} of one Checkov CLI run (strict mode, so UNKNOWN shows)."""
    config_file = write_config(tmp_path / "config.json", {"support_role_strict_unknown": True, **config})
    where = ["-d", str(target)] if target.is_dir() else ["-f", str(target)]
    frameworks = [framework] if isinstance(framework, str) else list(framework)
    args = [*where, "--framework", *frameworks, "--external-checks-dir", str(CHECKS_DIR)]
    args += ["--check", ",".join(CHECK_IDS), "--skip-download", "--soft-fail", "-o", "json"]
    run = run_cli(
        args,
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config_file)},
        cwd=target if target.is_dir() else target.parent,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found: dict[str, dict[str, str]] = {}
    for result in results_of_json(json.loads(run.stdout or "[]")):
        assert result.check_id not in found.get(result.resource, {}), f"two results for {result}"
        found.setdefault(result.resource, {})[result.check_id] = result.verdict
    return found


def copy_case(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / case
    shutil.copytree(CASES / case, folder)
    return folder


def plan_in(case: str, kind: str, tmp_path: Path, *, beside: bool) -> Path:
    """The case's plan as ``tfplan.json``, beside a copy of its ``.tf`` files or alone."""
    if case in stale():
        pytest.fail(f"the plans of {case} are stale: run python -m tests.checkov.generate_case_plans and commit them")
    folder = copy_case(case, tmp_path) if beside else tmp_path / f"{case}-{kind}"
    folder.mkdir(exist_ok=True)
    target = folder / "tfplan.json"
    shutil.copy(plan_file(case, kind), target)
    return target


# ------------------------------------------------------------------------------------ HCL
@pytest.mark.parametrize(
    ("case", "config", "expected"),
    [
        ("typed-references", {}, TYPED_REFERENCES),
        ("unevaluated-expressions", {}, UNEVALUATED),
        ("narrowing", {}, NARROWING),
        ("custom-support-policy", {}, CUSTOM_DEFAULT),
        ("custom-support-policy", LISTED, CUSTOM_LISTED),
    ],
    ids=["typed-references", "unevaluated-expressions", "narrowing", "custom-default", "custom-listed"],
)
def test_hcl_of_each_case_gives_what_the_case_says(
    case: str, config: Mapping[str, object], expected: Expected, tmp_path: Path
) -> None:
    assert scan(copy_case(case, tmp_path), "terraform", config, tmp_path) == expected


def test_the_partial_module_scanned_whole_gives_what_the_case_says(tmp_path: Path) -> None:
    folder = copy_case("partial-module", tmp_path)
    assert scan(folder, "terraform", {"support_role_account_baseline_paths": [str(folder)]}, tmp_path) == PARTIAL


def test_one_file_of_the_partial_module_is_judged_with_the_rest_of_its_module(tmp_path: Path) -> None:
    folder = copy_case("partial-module", tmp_path)
    config = {"support_role_account_baseline_paths": [str(folder)]}
    assert scan(folder / "roles.tf", "terraform", config, tmp_path) == PARTIAL


def test_one_file_of_a_module_whose_other_file_cannot_be_read_is_unknown_never_a_fail(tmp_path: Path) -> None:
    folder = copy_case("partial-module", tmp_path)
    attach = folder / "attach.tf"
    attach.write_text(attach.read_text(encoding="utf-8") + "\nresource {\n", encoding="utf-8")
    config = {"support_role_account_baseline_paths": [str(folder)]}
    found = scan(folder / "roles.tf", "terraform", config, tmp_path)
    # the unreadable file may attach AWSSupportAccess to the role: whether it is a support role is unknown
    maybe = "UNKNOWN support-status-unknown"
    assert found == {
        "aws_iam_role.open": {
            "CKV_CISSR_1": "UNKNOWN undetermined-role unreadable-account",
            "CKV_CISSR_2": maybe,
            "CKV_CISSR_3": maybe,
            "CKV_CISSR_4": maybe,
        }
    }


# ------------------------------------------------------------------- .tf.json beside .tf
# Checkov scans a root module's .tf files with its terraform runner and its .tf.json files with its
# terraform_json runner (two graphs; it names the latter's resources resource.<name>). Each file refers
# to the other, so neither side is right unless the reader reads Terraform's JSON syntax too.
TF_JSON_MODULE = Path(__file__).parent / "fixtures" / "tf-json-module"
TF_JSON: Expected = {
    "aws_iam_role.hcl_side": {
        "CKV_CISSR_1": "PASS",  # carried once, by the .tf side, though two runners see the root
        "CKV_CISSR_2": "PASS",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "PASS",
    },
    "resource.json_account": {
        "CKV_CISSR_2": "FAIL account-root",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
    "resource.json_dynamic": {"CKV_CISSR_2": "PASS", "CKV_CISSR_3": "PASS", "CKV_CISSR_4": "FAIL mfa-not-required"},
}


# IAM Identity Center permission sets whose attributes Checkov leaves unevaluated (for_each with
# each.key, an inline policy from a document of dynamic statements, which Checkov reads as empty:
# least privilege was a silent PASS) are read through the same evaluator as roles.
PERMISSION_SET_EXPRESSIONS = Path(__file__).parent / "fixtures" / "permission-set-expressions"
PERMISSION_SETS: Expected = {
    "aws_ssoadmin_account_assignment.support": {"CKV_CISSR_1": "PASS"},
    'aws_ssoadmin_permission_set.sets["support"]': {
        "CKV_CISSR_2": "PASS",
        "CKV_CISSR_3": "FAIL non-support-action",
        "CKV_CISSR_4": "PASS",
    },
}


def test_terraform_json_beside_hcl_and_permission_sets_written_with_expressions(tmp_path: Path) -> None:
    """Both modules in one Checkov run (its cost is one CLI start, not two)."""
    folders = [tmp_path / "scan" / "tf-json", tmp_path / "scan" / "permission-sets"]
    for source, folder in zip((TF_JSON_MODULE, PERMISSION_SET_EXPRESSIONS), folders, strict=True):
        shutil.copytree(source, folder)
    config = {"support_role_account_baseline_paths": [str(f) for f in folders]}
    found = scan(tmp_path / "scan", ("terraform", "terraform_json"), config, tmp_path)
    assert found == {**TF_JSON, **PERMISSION_SETS}


# ------------------------------------------------------------- public modules (review of public code)
# Reductions of public Terraform (/work/notes/review-public.md), one root module per folder:
# terraform-aws-modules/iam v5 (count = coalesce(...)) and v6 (for_each over a for expression with
# if), a count on an object variable's optional() attribute, an inline policy chosen by a conditional
# Checkov evaluates to null, and a local module outside the scanned folder (source = "../../...",
# which Checkov loads and reports as /../...).
PUBLIC_MODULES = Path(__file__).parent / "fixtures" / "public-modules"
PUBLIC_MODULES_OUTSIDE = Path(__file__).parent / "fixtures" / "public-modules-outside"
PUBLIC: Expected = {
    "module.support_role.aws_iam_role.this": {
        "CKV_CISSR_1": "PASS",
        "CKV_CISSR_2": "PASS",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
    "module.support_role_admin.aws_iam_role.this[0]": {
        "CKV_CISSR_2": "FAIL account-root",
        "CKV_CISSR_3": "FAIL extra-managed-policy",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
    "module.baseline_global.aws_iam_role.support": {
        "CKV_CISSR_2": "FAIL account-root",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
    "module.breakglass.aws_iam_role.role": {
        "CKV_CISSR_2": "PASS",
        "CKV_CISSR_3": "FAIL non-support-action",
        "CKV_CISSR_4": "PASS",
    },
    "module.baseline.aws_iam_role.support": {
        "CKV_CISSR_1": "PASS",
        "CKV_CISSR_2": "PASS",
        "CKV_CISSR_3": "PASS",
        "CKV_CISSR_4": "FAIL mfa-not-required",
    },
}


def test_public_module_patterns_are_judged_as_terraform_builds_them(tmp_path: Path) -> None:
    """Five root modules in one Checkov run (one CLI start)."""
    scan_dir = tmp_path / "public-modules"
    shutil.copytree(PUBLIC_MODULES, scan_dir)
    shutil.copytree(PUBLIC_MODULES_OUTSIDE, tmp_path / "public-modules-outside")
    baselines = [str(scan_dir / "tfam-coalesce-count"), str(scan_dir / "module-outside-scan-dir")]
    found = scan(scan_dir, "terraform", {"support_role_account_baseline_paths": baselines}, tmp_path)
    assert found == PUBLIC


# ----------------------------------------------------------------------------------- plans
PLAN_EXPECTED: dict[str, tuple[Mapping[str, object], Expected]] = {
    "typed-references": ({}, TYPED_REFERENCES),
    "unevaluated-expressions": ({}, UNEVALUATED),
    "narrowing": ({}, NARROWING),
    "custom-support-policy": (LISTED, CUSTOM_LISTED),
}
# A plan made before apply keeps, for the OIDC provider's ARN inside a jsonencode() trust, only the
# reference: alone it cannot say where in the document the principal is (docs/terraform.md).
FRESH_ALONE = {
    "typed-references": {
        **TYPED_REFERENCES,
        "aws_iam_role.oidc_ref": {
            "CKV_CISSR_2": "UNKNOWN unreadable-trust-policy",
            "CKV_CISSR_3": "PASS",
            "CKV_CISSR_4": "UNKNOWN unreadable-trust-policy",
        },
    }
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(PLAN_EXPECTED))
def test_the_plan_of_each_case_beside_its_module_gives_what_the_case_says(case: str, kind: str, tmp_path: Path) -> None:
    config, expected = PLAN_EXPECTED[case]
    assert scan(plan_in(case, kind, tmp_path, beside=True), "terraform_plan", config, tmp_path) == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(PLAN_EXPECTED))
def test_the_plan_of_each_case_alone_gives_what_the_case_says_or_unknown_where_the_plan_cannot_know(
    case: str, kind: str, tmp_path: Path
) -> None:
    config, expected = PLAN_EXPECTED[case]
    if kind == "fresh":
        expected = FRESH_ALONE.get(case, expected)
    assert scan(plan_in(case, kind, tmp_path, beside=False), "terraform_plan", config, tmp_path) == expected
