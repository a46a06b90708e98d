"""The committed metadata and compliance files are what the core says, and Prowler itself loads and
validates them through its plugin entry points, beside (not instead of) its built-in support-role check."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import prowler
import pytest
from prowler.lib.check.compliance import update_checks_metadata_with_compliance
from prowler.lib.check.compliance_models import Compliance
from prowler.lib.check.models import CheckMetadata, load_check_metadata
from prowler.providers.common.builtin import is_builtin_check

from prowler_checks import generate
from support_role import CIS_CONTROL, RULES, RULES_BY_ID, SECURITY_HUB_CONTROL, RuleMeta
from tests.support.prowler import CHECKS

PROWLER_IDS = [rule.prowler_id for rule in RULES]
# Prowler reads and validates every framework on each load (most of this module's time): the module
# loads them once.


@pytest.fixture(scope="module")
def frameworks() -> dict[str, Compliance]:
    """Every AWS compliance framework Prowler loads, ours included (through the entry point)."""
    return dict(Compliance.get_bulk("aws"))


@pytest.fixture(scope="module")
def checks_with_compliance(frameworks: dict[str, Compliance]) -> dict[str, CheckMetadata]:
    """Every AWS check's metadata with the frameworks Prowler attaches to it (as a scan does)."""
    return dict(update_checks_metadata_with_compliance(frameworks, CheckMetadata.get_bulk("aws")))


def test_committed_files_are_what_the_generator_writes_from_the_core() -> None:
    for path, text in generate.rendered().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m prowler_checks.generate"
    assert generate.main(["--check"]) == 0


@pytest.mark.parametrize("rule", RULES, ids=[r.prowler_id for r in RULES])
def test_prowler_validates_each_metadata_file_and_it_equals_the_core(rule: RuleMeta) -> None:
    metadata = load_check_metadata(str(generate.metadata_path(rule)))  # Prowler's validators run here
    assert metadata.CheckID == rule.prowler_id
    assert metadata.ServiceName == "iam"
    assert metadata.CheckTitle == rule.title
    assert metadata.Description == rule.description
    assert metadata.Risk == rule.risk
    assert metadata.Severity.value == rule.severity
    assert metadata.ResourceType == rule.resource_type
    assert metadata.Remediation.Recommendation.Text == rule.remediation.text
    assert rule.remediation.cli == metadata.Remediation.Code.CLI
    assert rule.remediation.terraform.strip() in metadata.Remediation.Code.Terraform
    assert rule.remediation.cloudformation.strip() in metadata.Remediation.Code.NativeIaC
    assert rule.anchor in metadata.AdditionalURLs


@pytest.mark.parametrize("rule_id", list(CHECKS))
def test_each_check_class_loads_with_consistent_names(rule_id: str) -> None:
    check = CHECKS[rule_id]()  # Prowler checks CheckID == class name == file name here
    assert check.CheckID == type(check).__name__


def test_entry_points_declare_our_checks_and_compliance_package() -> None:
    checks = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="prowler.checks.aws")}
    for check_id in PROWLER_IDS:
        assert checks[check_id] == f"prowler_checks.{check_id}.{check_id}"
    compliance = [ep.value for ep in importlib.metadata.entry_points(group="prowler.compliance") if ep.name == "aws"]
    assert "prowler_checks.compliance" in compliance


def test_prowler_loads_our_checks_beside_its_built_in_support_role_check() -> None:
    bulk = CheckMetadata.get_bulk("aws")
    for rule in RULES:
        assert bulk[rule.prowler_id].CheckTitle == rule.title
        assert not is_builtin_check("aws", "iam", rule.prowler_id), f"{rule.prowler_id} would be shadowed"
    assert bulk["iam_support_role_created"].CheckTitle != RULES[0].title  # the built-in is untouched


def test_prowler_loads_one_framework_per_cis_version_and_one_for_security_hub(
    frameworks: dict[str, Compliance],
) -> None:
    builtin = {p.stem for p in (Path(prowler.__file__).parent / "compliance" / "aws").glob("*.json")}
    ours = {name: frameworks[name] for name in generate.FRAMEWORK_NAMES}
    assert sorted(ours) == sorted([f"cis-{v}-support-role_aws" for v in CIS_CONTROL] + ["securityhub-support-role_aws"])
    for name, framework in ours.items():
        assert name not in builtin
        # The dashboard splits a name holding "CIS_" into levels and rewrites "AWS_"; Prowler renders
        # a name starting with "cis_" with its CIS schema.
        assert "CIS_" not in name.upper() and "AWS_" not in name.upper() and name.endswith("_aws")
        (requirement,) = framework.Requirements  # one per framework: shown whole everywhere
        assert sorted(requirement.Checks) == sorted(PROWLER_IDS)
        assert framework.Provider == "AWS"
    mapping = {
        (f.Framework, f.Version): (f.Requirements[0].Id, f.Requirements[0].Attributes[0].Section) for f in ours.values()
    }
    iam_section = {"1": "1 Identity and Access Management", "2": "2 Identity and Access Management"}
    expected = {("CIS-Support-Role", v): (n, iam_section[n[0]]) for v, n in CIS_CONTROL.items()}
    expected[("AWS-Security-Hub-Support-Role", "")] = ("IAM.18", "IAM")
    assert mapping == expected
    assert {number for number, _ in mapping.values()} == {"1.20", "1.17", "1.16", "2.16", "2.15", "IAM.18"}
    for name in generate.FRAMEWORK_NAMES:
        on_disk = json.loads(generate.compliance_path(name).read_text(encoding="utf-8"))
        assert on_disk == generate.compliance_frameworks()[name]
    assert generate.leftovers() == []


def test_prowler_attaches_every_framework_to_each_of_our_checks(
    checks_with_compliance: dict[str, CheckMetadata],
) -> None:
    for check_id in PROWLER_IDS:
        attached = {(c.Framework, c.Version) for c in checks_with_compliance[check_id].Compliance}
        assert attached == {("CIS-Support-Role", v) for v in CIS_CONTROL} | {("AWS-Security-Hub-Support-Role", "")}


def test_asff_lists_every_requirement_uncut(checks_with_compliance: dict[str, CheckMetadata]) -> None:
    """Prowler's ASFF joins a framework's requirements into one string and cuts it at 64 characters."""
    from prowler.lib.outputs.asff.asff import ASFF
    from prowler.lib.outputs.compliance.compliance_check import get_check_compliance

    bulk = checks_with_compliance
    for rule_id in CHECKS:
        report = type("Report", (), {"check_metadata": bulk[RULES_BY_ID[rule_id].prowler_id]})()
        standards, related = ASFF.format_compliance(get_check_compliance(report, "aws", bulk))
        expected = [f"CIS-Support-Role-{v} {n}" for v, n in CIS_CONTROL.items()]
        expected.append(f"AWS-Security-Hub-Support-Role {SECURITY_HUB_CONTROL}")
        assert sorted(related) == sorted(expected), rule_id
        assert sorted(s["StandardsId"] for s in standards) == sorted(e.rsplit(" ", 1)[0] for e in expected)
