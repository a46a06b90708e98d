"""support-role-exists (CKV_CISSR_1) is account-level: off unless a root module is declared an
account baseline, one result per root, on a predictable resource, never satisfied across roots.

Fixture ``fixtures/baseline``: ``accounts/prod`` (a support role), ``accounts/dev`` (AWSSupportAccess
on a user only), ``accounts/sandbox`` (no IAM at all), ``apps/service`` (a support role, not a
baseline), ``marked`` (the in-code marker), ``cfn/prod.yaml``, ``cfn/dev.yaml``, ``cfn/marked.json``
(the template ``Metadata`` marker).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.checkov import CHECKS_DIR, Result, results_of_json, run_cli, write_config

BASELINE = Path(__file__).resolve().parent / "fixtures" / "baseline"

MARKED = {
    ("/marked/main.tf", "terraform_data.cis_support_role_account_baseline"): (
        "FAILED",
        "FAIL no-support-role support-policy-not-on-role",
    ),
    ("/cfn/marked.json", "AWS::IAM::Role.Operator"): ("FAILED", "FAIL look-alike-policy no-support-role"),
}
DECLARED = {
    ("/accounts/prod/main.tf", "aws_iam_role.breakglass"): ("PASSED", "PASS"),
    ("/accounts/dev/main.tf", "aws_iam_role.deploy"): ("FAILED", "FAIL no-support-role support-policy-not-on-role"),
    ("/accounts/sandbox/main.tf", "aws_s3_bucket.logs"): ("FAILED", "FAIL no-support-role"),
    ("/cfn/prod.yaml", "AWS::IAM::Role.SupportRole"): ("PASSED", "PASS"),
    ("/cfn/dev.yaml", "AWS::IAM::Role.Deploy"): ("FAILED", "FAIL no-support-role support-policy-not-on-role"),
}


def _exists(config: dict[str, object] | None, tmp_path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    env = {}
    if config is not None:
        env["CIS_SUPPORT_ROLE_CONFIG"] = str(write_config(tmp_path / "config.json", config))
    run = run_cli(
        [
            "-d",
            ".",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--skip-download",
            "-c",
            "CKV_CISSR_1",
            "--framework",
            "terraform",
            "cloudformation",
            "-o",
            "json",
        ],
        env=env,
        cwd=BASELINE,
    )
    results: list[Result] = results_of_json(run.json())
    table: dict[tuple[str, str], tuple[str, str]] = {}
    for r in results:
        assert (r.file_path, r.resource) not in table
        table[(r.file_path, r.resource)] = (r.status, r.verdict)
    return table


def test_off_by_default_except_where_the_code_declares_a_baseline(tmp_path: Path) -> None:
    assert _exists(None, tmp_path) == MARKED


@pytest.mark.parametrize(
    "patterns",
    [
        ["accounts/*", "cfn/*.yaml"],
        ["./accounts/*/", "cfn/p*.yaml", "cfn/dev.yaml"],
        [str(BASELINE / "accounts" / "*"), str(BASELINE / "cfn" / "*.yaml")],
        ["**/accounts/*", "**/cfn/*.yaml"],
    ],
    ids=["relative", "trailing-slash-and-several", "absolute", "double-star"],
)
def test_declared_roots_get_one_result_each_on_their_carrier(tmp_path: Path, patterns: list[str]) -> None:
    got = _exists({"support_role_account_baseline_paths": patterns}, tmp_path)
    assert got == MARKED | DECLARED


def test_a_single_star_stays_within_one_folder_level(tmp_path: Path) -> None:
    got = _exists({"support_role_account_baseline_paths": ["*"]}, tmp_path)
    # "*" names cfn/ (the folder of the templates, which a template's root also answers to) but
    # not accounts/prod: that root module is two levels down
    cfn = {k: v for k, v in DECLARED.items() if k[0].startswith("/cfn/")}
    assert got == MARKED | cfn


def test_a_support_role_in_another_root_never_satisfies_a_baseline(tmp_path: Path) -> None:
    got = _exists({"support_role_account_baseline_paths": ["accounts/dev", "apps/service"]}, tmp_path)
    # apps/service has a support role of its own, accounts/prod one too; dev still fails
    assert (
        got[("/accounts/dev/main.tf", "aws_iam_role.deploy")]
        == DECLARED[("/accounts/dev/main.tf", "aws_iam_role.deploy")]
    )
    assert got[("/apps/service/main.tf", "aws_iam_role.support")] == ("PASSED", "PASS")
    assert len(got) == 2 + len(MARKED)


def test_the_exists_result_lists_the_support_roles_and_the_other_holders(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.json", {"support_role_account_baseline_paths": ["accounts/*"]})
    run = run_cli(
        [
            "-d",
            "accounts",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--skip-download",
            "-c",
            "CKV_CISSR_1",
            "--framework",
            "terraform",
            "-o",
            "json",
        ],
        env={"CIS_SUPPORT_ROLE_CONFIG": str(config)},
        cwd=BASELINE,
    )
    details = {r.resource: r.details for r in results_of_json(run.json())}
    assert "evidence support_roles: aws-support" in details["aws_iam_role.breakglass"]
    assert "evidence support_users: alice" in details["aws_iam_role.deploy"]
    assert details["aws_iam_role.deploy"][0].startswith("root module accounts/dev has no support role")
