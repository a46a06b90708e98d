"""CKV_CISSR_1..4 for CloudFormation: YAML/JSON templates, serverless ``resources``, CDK output.

The per-role rules run on every ``AWS::IAM::Role`` and IAM Identity Center
``AWS::SSO::PermissionSet``; the exists rule runs on every resource and
answers only on the one resource that carries its template's account-level result. It stays
registered for ``*``: a template's in-code marker is its ``Metadata``, which no resource type
announces, and a marked template without roles carries the result on its first resource of any
type (templates are small; the Terraform check, where repositories are large, is narrower).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.common.typing import _CheckResult, _SkippedCheck

try:
    import support_role  # noqa: F401
except ImportError:  # checks used from a plain git clone: the core sits beside this folder
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support_role import EXISTS, RULES, RuleMeta
from support_role.checkov_glue import cloudformation_outcome


class SupportRoleCloudFormationCheck(BaseResourceCheck):
    def __init__(self, rule: RuleMeta) -> None:
        super().__init__(
            name=rule.title,
            id=rule.checkov_id,
            categories=[CheckCategories.IAM],
            supported_resources=["*"] if rule.id == EXISTS else ["AWS::IAM::Role", "AWS::SSO::PermissionSet"],
            guideline=rule.anchor,
        )
        # Checkov declares ``severity`` only by assigning None in BaseCheck.__init__ (so mypy types
        # it as None) and assigns Severity objects itself, as here.
        self.severity = Severities[rule.severity.upper()]  # type: ignore[assignment]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        outcome = cloudformation_outcome(self.id, conf, self.entity_path)
        self.details.extend(outcome.details)
        return CheckResult[outcome.result]

    def run(
        self,
        scanned_file: str,
        entity_configuration: dict[str, Any],
        entity_name: str,
        entity_type: str,
        skip_info: _SkippedCheck,
    ) -> _CheckResult:
        # Also keep the details in the result itself: Checkov's JSON output shows it for every
        # framework, while only its Terraform runners copy ``details`` into their records.
        result = super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        if self.details:
            result["details"] = list(self.details)  # type: ignore[typeddict-unknown-key]
        return result


checks = [SupportRoleCloudFormationCheck(rule) for rule in RULES]
