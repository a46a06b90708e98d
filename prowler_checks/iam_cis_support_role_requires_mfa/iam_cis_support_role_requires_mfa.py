"""Each support role requires MFA from the IAM users and roles it trusts (one finding per support role)."""

from prowler.lib.check.models import Check, Check_Report_AWS

from prowler_checks.runtime import run_rule
from support_role import MFA


class iam_cis_support_role_requires_mfa(Check):
    def execute(self) -> list[Check_Report_AWS]:
        return run_rule(self, MFA)
