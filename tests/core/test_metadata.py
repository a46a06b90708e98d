"""Rule metadata: written once, complete, within both scanners' limits, with the CIS mapping."""

from __future__ import annotations

import re

import pytest

from support_role import CIS_CONTROL, PER_ROLE_RULES, RULES, RULES_BY_ID, SECURITY_HUB_CONTROL, RuleMeta
from support_role import EXISTS as EXISTS_ID
from support_role._arn import is_support_policy
from tests.support.tools import ROOT

IDS = ("support-role-exists", "support-role-trust", "support-role-least-privilege", "support-role-mfa")


def test_the_four_rules_of_the_contract_in_order() -> None:
    assert tuple(rule.id for rule in RULES) == IDS
    assert IDS[0] == EXISTS_ID
    assert IDS[1:] == PER_ROLE_RULES
    assert set(RULES_BY_ID) == set(IDS)


@pytest.mark.parametrize("attribute", ["id", "number", "title", "description", "risk", "checkov_id", "prowler_id"])
def test_identifiers_and_texts_are_unique(attribute: str) -> None:
    values = [getattr(rule, attribute) for rule in RULES]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_texts_fit_both_scanners(rule: RuleMeta) -> None:
    assert rule.title and len(rule.title) <= 150
    assert not rule.title.lower().startswith("ensure")  # Prowler refuses such titles
    assert 0 < len(rule.description) <= 400
    assert 0 < len(rule.risk) <= 400
    assert rule.severity in ("low", "medium", "high")
    assert rule.relation in ("control", "intent")


def test_each_rule_keeps_its_published_scanner_ids() -> None:
    """The IDs users write in skip lists, baselines and pipelines (docs/DECISIONS.md, Identifiers):
    renumbering or renaming a rule must fail here, not silently move every skip to another rule."""
    assert {rule.id: (rule.checkov_id, rule.prowler_id) for rule in RULES} == {
        "support-role-exists": ("CKV_CISSR_1", "iam_cis_support_role_exists"),
        "support-role-trust": ("CKV_CISSR_2", "iam_cis_support_role_trusts_specific_principals"),
        "support-role-least-privilege": ("CKV_CISSR_3", "iam_cis_support_role_least_privilege"),
        "support-role-mfa": ("CKV_CISSR_4", "iam_cis_support_role_requires_mfa"),
    }


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_scanner_ids_follow_each_scanners_rules(rule: RuleMeta) -> None:
    assert re.fullmatch(r"iam_[a-z0-9_]+", rule.prowler_id)  # the service name is the first token
    assert rule.prowler_id != "iam_support_role_created"  # never reuse the built-in's ID


def test_severities_are_the_documented_ones() -> None:
    assert {rule.id: rule.severity for rule in RULES} == {
        "support-role-exists": "low",
        "support-role-trust": "high",
        "support-role-least-privilege": "medium",
        "support-role-mfa": "low",
    }


def test_only_exists_is_the_cis_control_itself() -> None:
    assert [rule.id for rule in RULES if rule.relation == "control"] == ["support-role-exists"]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_remediation_has_text_and_every_snippet(rule: RuleMeta) -> None:
    remediation = rule.remediation
    assert remediation.text
    assert remediation.cli.startswith("aws iam ")
    assert 'resource "aws_iam_role"' in remediation.terraform
    assert "AWS::IAM::Role" in remediation.cloudformation


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_remediation_snippets_are_partition_aware_and_follow_the_rules(rule: RuleMeta) -> None:
    for snippet in (rule.remediation.cli, rule.remediation.terraform, rule.remediation.cloudformation):
        assert "arn:aws:" not in snippet  # no hard-coded commercial partition
    terraform_arns = re.findall(r'"(arn:[^"]*AWSSupportAccess)"', rule.remediation.terraform)
    assert terraform_arns and all(is_support_policy(arn) for arn in terraform_arns)
    cloudformation_arns = re.findall(r"!Sub (arn:\S*AWSSupportAccess)", rule.remediation.cloudformation)
    assert cloudformation_arns and all(is_support_policy(arn) for arn in cloudformation_arns)
    # the example trust policies name a user and require MFA: the snippets pass the rules they fix
    for snippet in (rule.remediation.terraform, rule.remediation.cloudformation):
        assert ":user/" in snippet and "aws:MultiFactorAuthPresent" in snippet
        assert '"*"' not in snippet and ":root" not in snippet


def test_cis_mapping_for_every_benchmark_version() -> None:
    # as the contract states it: v1.2 -> 1.20, v1.3..v4.0 -> 1.17, v5.0 -> 1.16, v6.0 -> 2.16, v7.0 -> 2.15
    from_1_3_to_4_0 = dict.fromkeys(("1.3.0", "1.4.0", "1.5.0", "2.0.0", "3.0.0", "4.0.0"), "1.17")
    assert {"1.2.0": "1.20", **from_1_3_to_4_0, "5.0.0": "1.16", "6.0.0": "2.16", "7.0.0": "2.15"} == CIS_CONTROL
    assert SECURITY_HUB_CONTROL == "IAM.18"


def test_to_dict_carries_the_mapping_pipelines_read() -> None:
    """``python -m support_role rules --json`` is the one published mapping (docs/DECISIONS.md)."""
    data = RULES_BY_ID["support-role-trust"].to_dict()
    assert {k: data[k] for k in ("id", "checkov_ids", "prowler_id", "severity", "security_hub", "guideline")} == {
        "id": "support-role-trust",
        "checkov_ids": ["CKV_CISSR_2"],
        "prowler_id": "iam_cis_support_role_trusts_specific_principals",
        "severity": "high",
        "security_hub": "IAM.18",
        "guideline": "https://github.com/cis-support-role/cis-support-role/blob/main/README.md#support-role-trust",
    }
    assert data["cis"] == CIS_CONTROL


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_guideline_link_leads_to_the_rules_section_of_the_readme(rule: RuleMeta) -> None:
    """Checkov shows the guideline link with every result: it must open the section about that rule,
    and the README's rule table must name the rule's scanner IDs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page, _, anchor = rule.anchor.partition("#")
    assert page.endswith("/README.md") and anchor == rule.id
    assert f'<a id="{anchor}"></a>\n### {rule.id}\n' in readme
    row = next(line for line in readme.splitlines() if line.startswith(f"| [{rule.id}](#{anchor}) |"))
    assert f"`{rule.checkov_id}`" in row and f"`{rule.prowler_id}`" in row
