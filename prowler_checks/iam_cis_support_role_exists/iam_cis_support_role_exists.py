"""The CIS control: at least one role has AWSSupportAccess attached; the finding lists every support role."""

from prowler.lib.check.models import Check, Check_Report_AWS

from prowler_checks.runtime import run_rule
from support_role import EXISTS


class iam_cis_support_role_exists(Check):
    def execute(self) -> list[Check_Report_AWS]:
        return run_rule(self, EXISTS)
