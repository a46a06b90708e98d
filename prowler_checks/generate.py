"""Write every Prowler metadata file and the compliance framework from the core's rule metadata.

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
from support_role._metadata import CIS_TITLE

HERE = Path(__file__).resolve().parent
FRAMEWORK = "Support-Role-CIS"
FRAMEWORK_VERSION = "1.0"
# Prowler names a framework after its file; a built-in of the same name would win, and names
# starting with "cis_" would be rendered with the CIS-specific output (other attribute schema).
FRAMEWORK_NAME = "support_role_cis_1.0_aws"
COMPLIANCE_FILE = HERE / "compliance" / f"{FRAMEWORK_NAME}.json"
BUILTIN_CHECK = "iam_support_role_created"

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


def compliance_framework() -> dict[str, object]:
    """One requirement per CIS benchmark version and one for Security Hub, each with all four checks."""
    checks = [rule.prowler_id for rule in RULES]
    control = next(rule.prowler_id for rule in RULES if rule.relation == "control")
    intent = ", ".join(rule.prowler_id for rule in RULES if rule.relation != "control")
    comment = f"{control} is the control itself; {intent} check its intent (how the support role is built)."
    requirements: list[dict[str, object]] = [
        {
            "Id": f"cis_{version}_{number}",
            "Name": f"CIS AWS Foundations Benchmark v{version} {number}",
            "Description": CIS_TITLE,
            "Attributes": [
                {
                    "ItemId": number,
                    "Section": f"CIS AWS Foundations Benchmark v{version}",
                    "Service": "iam",
                    "Type": "Automated",
                    "Comment": comment,
                }
            ],
            "Checks": checks,
        }
        for version, number in CIS_CONTROL.items()
    ]
    requirements.append(
        {
            "Id": f"securityhub_{SECURITY_HUB_CONTROL}",
            "Name": f"AWS Security Hub {SECURITY_HUB_CONTROL}",
            "Description": CIS_TITLE,
            "Attributes": [
                {
                    "ItemId": SECURITY_HUB_CONTROL,
                    "Section": "AWS Security Hub controls",
                    "Service": "iam",
                    "Type": "Automated",
                    "Comment": comment,
                }
            ],
            "Checks": checks,
        }
    )
    return {
        "Framework": FRAMEWORK,
        "Name": "CIS AWS Foundations support role (with its intent) and AWS Security Hub IAM.18, by cis-support-role",
        "Version": FRAMEWORK_VERSION,
        "Provider": "AWS",
        "Description": (
            f"The CIS AWS Foundations Benchmark control '{CIS_TITLE}' "
            f"({', '.join(sorted(set(CIS_CONTROL.values())))} depending on the benchmark version) and AWS Security "
            f"Hub {SECURITY_HUB_CONTROL}, checked by the cis-support-role checks: the control itself and its intent "
            "(trusted only by named people, least privilege, MFA)."
        ),
        "Requirements": requirements,
    }


def rendered() -> dict[Path, str]:
    """Every generated file and its exact text."""
    files = {metadata_path(rule): _json(check_metadata(rule)) for rule in RULES}
    files[COMPLIANCE_FILE] = _json(compliance_framework())
    return files


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
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(HERE.parent)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
