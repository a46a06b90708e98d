"""Write every Prowler metadata file and the compliance frameworks from the core's rule metadata.

    python -m prowler_checks.generate          # (re)write the files
    python -m prowler_checks.generate --check  # exit 1 when a committed file differs

Titles, descriptions, risks, remediation, severity and the CIS / Security Hub mapping come from
``support_role._metadata``; only Prowler's own vocabulary (CheckType, Categories, ResourceGroup) is
chosen here. Needs only the core (no Prowler), so it runs in any environment.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from support_role import CIS_CONTROL, EXISTS, RULES, SECURITY_HUB_CONTROL, RuleMeta
from support_role._metadata import CIS_SECTION_TITLE, CIS_TITLE

HERE = Path(__file__).resolve().parent
COMPLIANCE_DIR = HERE / "compliance"
BUILTIN_CHECK = "iam_support_role_created"

# One Prowler compliance framework per CIS benchmark version and one for the Security Hub control,
# each holding one requirement that maps all four checks. Why not one framework with a requirement
# per version (docs/DECISIONS.md, "Compliance framework shape"): Prowler's dashboard keeps one row
# per finding (it drops rows that differ only in the requirement), so a finding mapped to several
# requirements of one framework shows under the first only; its ASFF output joins a framework's
# requirement IDs into one string cut at 64 characters. One requirement per framework shows in full
# in the dashboard, the compliance CSV and ASFF, and is how Prowler ships CIS (one file per version).
#
# The names are what `--compliance` takes and what the dashboard lists. They must not start with
# "cis_" (Prowler would render them with its CIS schema), nor contain "cis_" or "aws_" in any case
# (the dashboard splits names holding "CIS_" into non-existent levels and rewrites "AWS_"), and end
# in "_aws" (the provider).
CIS_FRAMEWORK = "CIS-Support-Role"
SECURITY_HUB_FRAMEWORK = "AWS-Security-Hub-Support-Role"
SECURITY_HUB_NAME = "securityhub-support-role_aws"


def cis_framework_name(version: str) -> str:
    """The framework name (file stem, ``--compliance`` value) for one CIS benchmark version."""
    return f"cis-{version}-support-role_aws"


FRAMEWORK_NAMES: tuple[str, ...] = (*(cis_framework_name(v) for v in CIS_CONTROL), SECURITY_HUB_NAME)

_CIS_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
_BEST_PRACTICES_TYPE = "Software and Configuration Checks/AWS Security Best Practices"
_CATEGORIES: dict[str, list[str]] = {
    "support-role-exists": ["identity-access"],
    "support-role-trust": ["identity-access", "trust-boundaries"],
    "support-role-least-privilege": ["identity-access", "privilege-escalation"],
    "support-role-mfa": ["identity-access"],
}


def metadata_path(rule: RuleMeta) -> Path:
    return HERE / rule.prowler_id / f"{rule.prowler_id}.metadata.json"


def _fenced(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def check_metadata(rule: RuleMeta) -> dict[str, object]:
    """The ``<check_id>.metadata.json`` Prowler loads and validates for one rule."""
    others = [r.prowler_id for r in RULES if r is not rule]
    related = [*others, BUILTIN_CHECK] if rule.id == EXISTS else others
    cis = ", ".join(f"v{version} {number}" for version, number in CIS_CONTROL.items())
    relation = (
        "the CIS control itself"
        if rule.relation == "control"
        else "the intent of the CIS control (how its remediation builds the role)"
    )
    return {
        "Provider": "aws",
        "CheckID": rule.prowler_id,
        "CheckTitle": rule.title,
        "CheckType": [_CIS_TYPE] if rule.relation == "control" else [_CIS_TYPE, _BEST_PRACTICES_TYPE],
        "ServiceName": rule.prowler_id.split("_", 1)[0],
        "SubServiceName": "",
        "ResourceIdTemplate": "",
        "Severity": rule.severity,
        "ResourceType": rule.resource_type,
        "ResourceGroup": "IAM",
        "Description": rule.description,
        "Risk": rule.risk,
        "RelatedUrl": "",
        "AdditionalURLs": [rule.anchor],
        "Remediation": {
            "Code": {
                "CLI": rule.remediation.cli,
                "NativeIaC": _fenced("yaml", rule.remediation.cloudformation),
                "Terraform": _fenced("hcl", rule.remediation.terraform),
                "Other": "",
            },
            "Recommendation": {"Text": rule.remediation.text, "Url": ""},
        },
        "Categories": _CATEGORIES[rule.id],
        "DependsOn": [],
        "RelatedTo": related,
        "Notes": (
            f"cis-support-role rule {rule.id} (Checkov {rule.checkov_id}): {relation}. "
            f"CIS AWS Foundations Benchmark {cis}; AWS Security Hub {SECURITY_HUB_CONTROL}. "
            "A finding's status_extended ends with [codes: ...], the rule's problem codes."
        ),
    }


def _requirement(requirement_id: str, name: str, section: str, comment: str) -> dict[str, object]:
    return {
        "Id": requirement_id,
        "Name": name,
        "Description": CIS_TITLE,
        "Attributes": [
            {"ItemId": requirement_id, "Section": section, "Service": "iam", "Type": "Automated", "Comment": comment}
        ],
        "Checks": [rule.prowler_id for rule in RULES],
    }


def compliance_frameworks() -> dict[str, dict[str, object]]:
    """Every framework by name: one per CIS version (requirement = the control's number), one for IAM.18."""
    control = next(rule.prowler_id for rule in RULES if rule.relation == "control")
    intent = ", ".join(rule.prowler_id for rule in RULES if rule.relation != "control")
    comment = f"{control} is the control itself; {intent} check its intent (how the support role is built)."
    intent_text = "the control itself and its intent (trusted only by named people, least privilege, MFA)"
    frameworks: dict[str, dict[str, object]] = {}
    for version, number in CIS_CONTROL.items():
        section = f"{number.split('.')[0]} {CIS_SECTION_TITLE}"
        frameworks[cis_framework_name(version)] = {
            "Framework": CIS_FRAMEWORK,
            "Name": (
                f"CIS AWS Foundations Benchmark v{version} {number}, support role with its intent, by cis-support-role"
            ),
            "Version": version,
            "Provider": "AWS",
            "Description": (
                f"CIS AWS Foundations Benchmark v{version} control {number} '{CIS_TITLE}', checked by the "
                f"cis-support-role checks: {intent_text}."
            ),
            "Requirements": [
                _requirement(number, f"CIS AWS Foundations Benchmark v{version} {number}", section, comment)
            ],
        }
    frameworks[SECURITY_HUB_NAME] = {
        "Framework": SECURITY_HUB_FRAMEWORK,
        "Name": f"AWS Security Hub {SECURITY_HUB_CONTROL}, support role with its intent, by cis-support-role",
        "Version": "",
        "Provider": "AWS",
        "Description": (
            f"AWS Security Hub control {SECURITY_HUB_CONTROL} '{CIS_TITLE}' (AWS Config rule iam-policy-in-use), "
            f"checked by the cis-support-role checks: {intent_text}."
        ),
        "Requirements": [
            _requirement(SECURITY_HUB_CONTROL, f"AWS Security Hub {SECURITY_HUB_CONTROL}", "IAM", comment)
        ],
    }
    return frameworks


def compliance_path(name: str) -> Path:
    return COMPLIANCE_DIR / f"{name}.json"


def rendered() -> dict[Path, str]:
    """Every generated file and its exact text."""
    files = {metadata_path(rule): _json(check_metadata(rule)) for rule in RULES}
    files.update({compliance_path(name): _json(data) for name, data in compliance_frameworks().items()})
    return files


def leftovers() -> list[Path]:
    """Compliance files the generator no longer writes (a renamed framework): removed on write."""
    expected = {compliance_path(name) for name in FRAMEWORK_NAMES}
    return sorted(path for path in COMPLIANCE_DIR.glob("*.json") if path not in expected)


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m prowler_checks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when a file is not up to date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    removed = leftovers()
    for path in removed:
        if not args.check:
            path.unlink()
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(HERE.parent)}")
    for path in removed:
        print(f"{'left over' if args.check else 'removed'} {path.relative_to(HERE.parent)}")
    return 1 if args.check and (stale or removed) else 0


if __name__ == "__main__":
    sys.exit(main())
