"""CKV_CISSR_1..4 for Terraform: HCL, ``.tf.json`` and plan JSON (Checkov's Terraform registry).

The per-role rules run on every ``aws_iam_role`` and IAM Identity Center
``aws_ssoadmin_permission_set``. The exists rule answers only on the one resource
that carries a baseline root module's account-level result; it is registered for every type
(see :func:`support_role.checkov_glue.exists_check_resource_types` for why not fewer), and on a
resource that cannot carry a result under the settings in force it answers "no result" at once
(:func:`support_role.checkov_glue.exists_may_carry`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.common.typing import _CheckResult, _SkippedCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

try:
    import support_role  # noqa: F401
except ImportError:  # checks used from a plain git clone: the core sits beside this folder
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support_role import EXISTS, RULES, RULES_BY_ID, RuleMeta
from support_role.checkov_glue import (
    PER_ROLE_RESOURCE_TYPES,
    exists_check_resource_types,
    exists_may_carry,
    terraform_outcome,
)

EXISTS_CHECK_ID = RULES_BY_ID[EXISTS].checkov_id


class SupportRoleTerraformCheck(BaseResourceCheck):
    def __init__(self, rule: RuleMeta) -> None:
        super().__init__(
            name=rule.title,
            id=rule.checkov_id,
            categories=[CheckCategories.IAM],
            supported_resources=exists_check_resource_types() if rule.id == EXISTS else PER_ROLE_RESOURCE_TYPES,
            guideline=rule.anchor,
        )
        # Checkov declares ``severity`` only by assigning None in BaseCheck.__init__ (so mypy types
        # it as None) and assigns Severity objects itself, as here.
        self.severity = Severities[rule.severity.upper()]  # type: ignore[assignment]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        outcome = terraform_outcome(self.id, conf, self.graph, self.entity_path)
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
        if self.id == EXISTS_CHECK_ID and not skip_info and not exists_may_carry(entity_type):
            # Registered for every type, the exists check runs on every resource of a scan; where
            # no result is possible, answer before Checkov's graph is indexed and before the base
            # class formats its DEBUG line (a suppression comment still gets Checkov's SKIPPED).
            self.details = []
            return {"result": CheckResult.UNKNOWN, "evaluated_keys": []}
        # Also keep the details in the result itself: Checkov's JSON output shows it for every
        # framework, while only its Terraform runners copy ``details`` into their records.
        result = super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        if self.details:
            result["details"] = list(self.details)  # type: ignore[typeddict-unknown-key]
        return result


checks = [SupportRoleTerraformCheck(rule) for rule in RULES]
