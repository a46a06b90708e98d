"""The shared v0.2 cases on the live path: each case's own Terraform, ``terraform apply``-ed to a local
moto server, scanned by the Prowler CLI with our plugin, gives what the case file says.

The cases are the copies in ``tests/checkov/fixtures/cases`` (from ``../shared/cases``); the same
files go through the Checkov CLI in ``tests/checkov/test_checkov_v02_cases.py``, so both scanners are
held to one text. Only the provider is changed, by a Terraform override file that points it at the
moto server (the case's ``main.tf`` is applied as written).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from support_role import EXISTS, LEAST_PRIVILEGE, MFA, TRUST
from support_role.localaws import REGION_OF_PARTITION, MotoServer, Terraform, provider_block, run_command
from tests.e2e.paths import ACCOUNT, PROWLER_CHECKS, Finding, read_prowler_ocsf
from tests.support import tools

pytestmark = pytest.mark.slow

CASES = tools.ROOT / "tests" / "checkov" / "fixtures" / "cases"
REGION = REGION_OF_PARTITION["aws"]


def _apply(case: str, server: MotoServer, work: Path) -> None:
    """The case's Terraform applied to ``server``: the files as they are, plus a provider override
    (or the provider, for a case that declares none)."""
    module = work / "terraform" / case
    shutil.copytree(CASES / case, module)
    declares = any('provider "aws"' in f.read_text(encoding="utf-8") for f in module.glob("*.tf"))
    name = "moto_override.tf" if declares else "moto_provider.tf"
    (module / name).write_text(provider_block(endpoint=server.url), encoding="utf-8")
    terraform = Terraform(module)
    terraform.init()
    terraform.apply()


def _prowler(server: MotoServer, work: Path, config: Mapping[str, object]) -> dict[tuple[str, str], Finding]:
    """{(role name or ACCOUNT, rule id): finding} of one Prowler CLI run of our four checks."""
    out = work / "prowler"
    shutil.rmtree(out, ignore_errors=True)
    args: list[str | os.PathLike[str]] = [
        tools.prowler_cli(),
        "aws",
        "--checks",
        *PROWLER_CHECKS,
        "-f",
        REGION,
        "-M",
        "json-ocsf",
        "-o",
        out,
        "-F",
        "findings",
        "--no-banner",
        "--ignore-exit-code-3",
    ]
    if config:
        config_file = work / "prowler-config.yaml"
        config_file.write_text(json.dumps({"aws": dict(config)}), encoding="utf-8")
        args += ["--config-file", config_file]
    result = run_command(args, env={**tools.tool_env(), **server.client_env()}, cwd=work, check=False, timeout=900)
    ocsf = out / "findings.ocsf.json"
    assert result.returncode == 0 and ocsf.is_file(), result.describe()
    findings: dict[tuple[str, str], Finding] = {}
    for finding in read_prowler_ocsf(json.loads(ocsf.read_text(encoding="utf-8"))):
        key = (finding.role, finding.rule)
        assert key not in findings, f"two findings for {key}"
        findings[key] = finding
    return findings


def _verdicts(findings: Mapping[tuple[str, str], Finding]) -> dict[tuple[str, str], str]:
    return {key: finding.verdict for key, finding in findings.items()}


@pytest.fixture
def moto(moto_server: MotoServer, terraform_available: Path) -> MotoServer:
    """The conftest's moto server (started and stopped there), for a test that also needs terraform."""
    return moto_server


def test_custom_support_policy_case_on_a_live_account(moto: MotoServer, tmp_path: Path) -> None:
    _apply("custom-support-policy", moto, tmp_path)
    account = moto.account_id

    default = _prowler(moto, tmp_path, {})
    assert _verdicts(default) == {(ACCOUNT, EXISTS): "FAIL custom-support-policy no-support-role"}
    reason = default[(ACCOUNT, EXISTS)].reason
    assert f"case-custom (arn:aws:iam::{account}:policy/case-support-console)" in reason
    assert "list the policy in support_role_support_policies" in reason

    listed = _prowler(moto, tmp_path, {"support_role_support_policies": ["case-support-console"]})
    assert _verdicts(listed) == {
        (ACCOUNT, EXISTS): "PASS",
        ("case-custom", TRUST): "PASS",
        ("case-custom", LEAST_PRIVILEGE): "PASS",
        ("case-custom", MFA): "PASS",
    }


def test_the_narrowing_typed_reference_unevaluated_expression_and_partial_module_cases_on_one_live_account(
    moto: MotoServer, tmp_path: Path
) -> None:
    """Four cases applied to one account and scanned by one Prowler run (their role names differ and
    each expects the account-level rule to PASS): live, their roles are ordinary roles whose ARNs are
    known, and each gets what the case file says (the same verdicts as Checkov on HCL and plans,
    tests/checkov/test_checkov_cases.py and test_checkov_v02_cases.py)."""
    for case in ("narrowing", "typed-references", "unevaluated-expressions", "partial-module"):
        _apply(case, moto, tmp_path)
    findings = _prowler(moto, tmp_path, {})
    per_role = {
        "case-sso-narrowed": ("PASS", "PASS", "PASS"),
        "case-any-role": ("FAIL wildcard-principal", "PASS", "PASS"),
        "case-org-wide": ("FAIL wildcard-principal", "PASS", "FAIL mfa-not-required"),
        "case-user-ref": ("PASS", "PASS", "PASS"),
        "case-account-ref": ("FAIL account-root", "PASS", "FAIL mfa-not-required"),
        "case-oidc-ref": ("FAIL oidc-without-subject", "PASS", "PASS"),
        "case-legacy-index": ("PASS", "PASS", "FAIL mfa-not-required"),
        "case-splat": ("PASS", "PASS", "PASS"),
        "case-dynamic": ("FAIL account-root", "PASS", "FAIL mfa-not-required"),
        "case-open": ("FAIL wildcard-principal", "PASS", "FAIL mfa-not-required"),
    }
    expected = {(ACCOUNT, EXISTS): "PASS"}
    for role, verdicts in per_role.items():
        expected.update({(role, rule): v for rule, v in zip((TRUST, LEAST_PRIVILEGE, MFA), verdicts, strict=True)})
    assert _verdicts(findings) == expected
    assert "AWSReservedSSO_IncidentSupport_* (via aws:PrincipalArn)" in findings[("case-sso-narrowed", TRUST)].reason
    assert "is exempt from MFA" in findings[("case-any-role", MFA)].reason
    assert "aws:PrincipalOrgID narrows to an organisation or account, not to people" in (
        findings[("case-org-wide", TRUST)].reason
    )
