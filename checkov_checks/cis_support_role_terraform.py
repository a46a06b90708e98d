"""CKV_CISSR_1..4 for Terraform: HCL, ``.tf.json`` and plan JSON (Checkov's Terraform registry).

The per-role rules run on every ``aws_iam_role`` and IAM Identity Center
``aws_ssoadmin_permission_set``. The exists rule answers only on the one resource
that carries a baseline root module's account-level result; it is registered for what can carry
one under the settings in force when this file is executed
(:func:`support_role.checkov_glue.exists_check_resource_types`: the marker's type
``terraform_data`` without baseline paths, every type with them). Checkov executes this file on
every load (every ``Runner.run`` with ``external_checks_dir``) and keeps the first registration of
a check ID, so each load first removes the earlier load's four checks from Checkov's resource
registry (:func:`support_role.checkov_glue.forget_check`): the registry holds this load's checks
only. Registered for every type, the exists check answers "no result" at once on a resource that
cannot carry a result under the settings in force (:func:`support_role.checkov_glue.exists_may_carry`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.common.typing import _CheckResult, _SkippedCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from checkov.terraform.checks.resource.registry import resource_registry

try:
    import support_role  # noqa: F401
except ImportError:  # checks used from a plain git clone: the core sits beside this folder
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support_role import EXISTS, RULES, RULES_BY_ID, RuleMeta
from support_role.checkov_glue import (
    PER_ROLE_RESOURCE_TYPES,
    exists_check_resource_types,
    exists_may_carry,
    forget_check,
    terraform_outcome,
)

EXISTS_CHECK_ID = RULES_BY_ID[EXISTS].checkov_id
# This load replaces the earlier one (a list, not all(...): forget every check even if one fails).
_FORGOTTEN = [forget_check(resource_registry, rule.checkov_id) for rule in RULES]
EXISTS_RESOURCE_TYPES = exists_check_resource_types(all(_FORGOTTEN))
"""What this load registers the exists check for (the settings when Checkov executed this file)."""


class SupportRoleTerraformCheck(BaseResourceCheck):
    def __init__(self, rule: RuleMeta) -> None:
        super().__init__(
            name=rule.title,
            id=rule.checkov_id,
            categories=[CheckCategories.IAM],
            supported_resources=EXISTS_RESOURCE_TYPES if rule.id == EXISTS else PER_ROLE_RESOURCE_TYPES,
            guideline=rule.anchor,
        )
        # Checkov declares ``severity`` only by assigning None in BaseCheck.__init__ (so mypy types
        # it as None) and assigns Severity objects itself, as here.
        self.severity = Severities[rule.severity.upper()]  # type: ignore[assignment]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        outcome = terraform_outcome(
            self.id, conf, self.graph, self.entity_path, exists_registered_for=EXISTS_RESOURCE_TYPES
        )
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
            # Registered for every type (baseline paths at load), the exists check runs on every
            # resource of a scan; where no result is possible under the settings in force, answer
            # before Checkov's graph is indexed and before the base class formats its DEBUG line
            # (a suppression comment still gets Checkov's SKIPPED).
            self.details = []
            return {"result": CheckResult.UNKNOWN, "evaluated_keys": []}
        # Also keep the details in the result itself: Checkov's JSON output shows it for every
        # framework, while only its Terraform runners copy ``details`` into their records.
        result = super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        if self.details:
            result["details"] = list(self.details)  # type: ignore[typeddict-unknown-key]
        return result


checks = [SupportRoleTerraformCheck(rule) for rule in RULES]
