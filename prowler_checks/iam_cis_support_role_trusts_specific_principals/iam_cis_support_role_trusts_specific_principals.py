"""Each support role is trusted only by specific people (one finding per support role)."""

from prowler.lib.check.models import Check, Check_Report_AWS

from prowler_checks.runtime import run_rule
from support_role import TRUST


class iam_cis_support_role_trusts_specific_principals(Check):
    def execute(self) -> list[Check_Report_AWS]:
        return run_rule(self, TRUST)
