"""cis-support-role: the CIS AWS "support role" control and its intent, decided once for every scanner."""

from ._arn import PARTITIONS, is_support_policy, support_policy_arn
from ._config import CONFIG_ENV, Config, ConfigError, config_from_environment, config_from_mapping, load_config_file
from ._facts import (
    Account,
    Condition,
    InlinePolicy,
    ManagedAttachment,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Role,
    Statement,
    Unknown,
)
from ._metadata import (
    CIS_CONTROL,
    EXISTS,
    LEAST_PRIVILEGE,
    MFA,
    PER_ROLE_RULES,
    RULES,
    RULES_BY_ID,
    SECURITY_HUB_CONTROL,
    TRUST,
    RuleMeta,
)
from ._policy import action_matches, parse_policy, parse_terraform_statements
from ._rules import (
    evaluate_account,
    evaluate_exists,
    evaluate_least_privilege,
    evaluate_mfa,
    evaluate_role,
    evaluate_trust,
    is_failure,
    support_status,
)
from ._verdict import Problem, Status, Verdict

__version__ = "0.1.0"

__all__ = [
    "CIS_CONTROL",
    "CONFIG_ENV",
    "EXISTS",
    "LEAST_PRIVILEGE",
    "MFA",
    "PARTITIONS",
    "PER_ROLE_RULES",
    "RULES",
    "RULES_BY_ID",
    "SECURITY_HUB_CONTROL",
    "TRUST",
    "Account",
    "Condition",
    "Config",
    "ConfigError",
    "InlinePolicy",
    "ManagedAttachment",
    "PolicyDocument",
    "Principal",
    "PrincipalKind",
    "Problem",
    "Role",
    "RuleMeta",
    "Statement",
    "Status",
    "Unknown",
    "Verdict",
    "action_matches",
    "config_from_environment",
    "config_from_mapping",
    "evaluate_account",
    "evaluate_exists",
    "evaluate_least_privilege",
    "evaluate_mfa",
    "evaluate_role",
    "evaluate_trust",
    "is_failure",
    "is_support_policy",
    "load_config_file",
    "parse_policy",
    "parse_terraform_statements",
    "support_policy_arn",
    "support_status",
]
