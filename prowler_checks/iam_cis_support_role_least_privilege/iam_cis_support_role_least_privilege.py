"""Each support role grants nothing but AWS Support access (one finding per support role)."""

from prowler.lib.check.models import Check, Check_Report_AWS

from prowler_checks.runtime import run_rule
from support_role import LEAST_PRIVILEGE


class iam_cis_support_role_least_privilege(Check):
    def execute(self) -> list[Check_Report_AWS]:
        return run_rule(self, LEAST_PRIVILEGE)
