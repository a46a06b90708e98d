"""The rule changes of v0.2 (SEMANTICS.md "since v0.2"), on hand-built facts with exact verdicts:
narrowing by aws:PrincipalArn, the MFA scope, wildcard OIDC subjects, the service-principal reason,
custom support policies and allowed extra actions."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from support_role import (
    EXISTS,
    LEAST_PRIVILEGE,
    MFA,
    TRUST,
    Account,
    Config,
    ConfigError,
    InlinePolicy,
    ManagedAttachment,
    Role,
    Status,
    Verdict,
    config_from_mapping,
    evaluate_exists,
    evaluate_role,
    parse_policy,
)
from support_role._config import action_covered, policy_listed

SUPPORT = ManagedAttachment("arn:aws:iam::aws:policy/AWSSupportAccess")
OTHER = "210987654321"
ROOT = f"arn:aws:iam::{OTHER}:root"
SSO = f"arn:aws:iam::{OTHER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IncidentSupport_*"
SSO_REGION = f"arn:aws:iam::{OTHER}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_IncidentSupport_*"
ALICE = f"arn:aws:iam::{OTHER}:user/alice"
RESPONDER = f"arn:aws:iam::{OTHER}:role/responder"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def statement(principal: object, condition: Mapping[str, object] | None = None, action: str = "sts:AssumeRole") -> dict:
    result: dict[str, object] = {"Effect": "Allow", "Action": action, "Principal": principal}
    if condition:
        result["Condition"] = condition
    return result


def role(
    *statements: Mapping[str, object],
    managed: tuple[ManagedAttachment, ...] = (SUPPORT,),
    inline: tuple[InlinePolicy, ...] = (),
    name: str = "aws-support",
    arn: str | None = None,
) -> Role:
    trust = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    return Role(name=name, address=name, arn=arn, trust=trust, managed=managed, inline=inline)


def verdict(r: Role, rule_id: str, config: Config | None = None) -> Verdict:
    result = evaluate_role(r, config or Config())[rule_id]
    assert result is not None
    return result


def short(r: Role, config: Config | None = None) -> dict[str, str]:
    return {
        rule_id: "NA" if v is None else " ".join([v.status.value, *sorted(v.codes)])
        for rule_id, v in evaluate_role(r, config or Config()).items()
    }


def narrowed(operator: str, values: object, principal: object = None) -> dict:
    return statement({"AWS": ROOT} if principal is None else principal, {operator: {"aws:PrincipalArn": values}})


# --- narrowing by aws:PrincipalArn ------------------------------------------------------------------


def test_an_account_root_narrowed_to_an_identity_center_permission_set_trusts_its_people() -> None:
    r = role(narrowed("ArnLike", [SSO, SSO_REGION]))
    assert short(r) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    trust = verdict(r, TRUST)
    assert f"{SSO} (via aws:PrincipalArn)" in trust.reason
    assert trust.evidence_dict()["trusted_principals"] == [
        f"{SSO} (via aws:PrincipalArn)",
        f"{SSO_REGION} (via aws:PrincipalArn)",
    ]
    assert "is exempt from MFA" in verdict(r, MFA).reason


@pytest.mark.parametrize("operator", ["ArnEquals", "ArnLike", "StringEquals", "StringLike"])
def test_every_positive_operator_narrows(operator: str) -> None:
    assert short(role(narrowed(operator, RESPONDER)))[TRUST] == "PASS"


@pytest.mark.parametrize(
    "operator",
    ["ArnLikeIfExists", "StringEqualsIfExists", "ForAnyValue:ArnLike", "ForAllValues:StringEquals", "ArnNotLike"],
)
def test_ifexists_set_qualifiers_and_negations_do_not_narrow(operator: str) -> None:
    r = role(narrowed(operator, RESPONDER))
    assert short(r) == {TRUST: "FAIL account-root", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}
    if operator != "ArnNotLike":
        assert f"aws:PrincipalArn under {operator} does not narrow it" in verdict(r, TRUST).reason


def test_a_wildcard_principal_narrowed_to_the_roles_own_arn_is_self_assumption() -> None:
    own = "arn:aws:iam::123456789012:role/aws-support"
    r = role(narrowed("ArnLike", own, principal={"AWS": "*"}), arn=own)
    assert short(r) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    assert f"{own} (via aws:PrincipalArn, the role itself)" in verdict(r, TRUST).reason


def test_narrowed_to_every_role_of_an_account_fails_trust_but_needs_no_mfa() -> None:
    r = role(narrowed("ArnLike", f"arn:aws:iam::{OTHER}:role/*"))
    assert short(r) == {TRUST: "FAIL wildcard-principal", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    assert "only IAM Identity Center's region segment and permission-set suffix" in verdict(r, TRUST).reason


@pytest.mark.parametrize(
    "value",
    [
        f"arn:aws:iam::{OTHER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*",  # every permission set
        f"arn:aws:iam::{OTHER}:*",
        "*",
        "arn:aws:iam::*:role/responder",
    ],
)
def test_other_wildcards_in_the_narrowing_fail(value: str) -> None:
    assert short(role(narrowed("ArnLike", value)))[TRUST] == "FAIL wildcard-principal"


def test_every_named_arn_must_be_acceptable() -> None:
    r = role(narrowed("ArnEquals", [RESPONDER, f"arn:aws:iam::{OTHER}:role/*"]))
    trust = verdict(r, TRUST)
    assert (trust.status, trust.codes) == (Status.FAIL, frozenset({"wildcard-principal"}))
    assert trust.evidence_dict()["trusted_principals"] == [f"{RESPONDER} (via aws:PrincipalArn)"]


def test_the_organisation_or_the_account_alone_are_not_people() -> None:
    org = role(statement({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-abcd123456"}}))
    assert short(org) == {TRUST: "FAIL wildcard-principal", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}
    assert "aws:PrincipalOrgID narrows to an organisation or account, not to people" in verdict(org, TRUST).reason
    account = role(statement({"AWS": "*"}, {"StringEquals": {"aws:PrincipalAccount": OTHER}}))
    assert short(account)[TRUST] == "FAIL wildcard-principal"


def test_narrowed_arns_meet_the_trusted_accounts() -> None:
    config = Config(trusted_account_ids=frozenset({"111122223333"}))
    assert short(role(narrowed("ArnEquals", RESPONDER)), config)[TRUST] == "FAIL untrusted-account"
    assert (
        short(role(narrowed("ArnEquals", RESPONDER)), Config(trusted_account_ids=frozenset({OTHER})))[TRUST] == "PASS"
    )


def test_a_narrowed_value_that_is_not_a_user_or_role_fails() -> None:
    assert short(role(narrowed("ArnEquals", ROOT)))[TRUST] == "FAIL account-root"
    assert short(role(narrowed("ArnEquals", f"arn:aws:sts::{OTHER}:assumed-role/responder/s")))[TRUST] == (
        "FAIL invalid-principal"
    )
    assert short(role(narrowed("ArnEquals", f"arn:aws:iam::{OTHER}:group/ops")))[TRUST] == "FAIL invalid-principal"


def test_an_unresolved_narrowed_value_is_unknown() -> None:
    r = role(narrowed("ArnEquals", f"arn:aws:iam::{OTHER}:${{var.kind}}/x"))
    assert short(r) == {TRUST: "UNKNOWN unresolved-principal", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}


def test_with_several_narrowing_conditions_the_tightest_decides() -> None:
    # Both conditions must hold: the specific ArnEquals bounds the wide ArnLike.
    tight = statement(
        {"AWS": ROOT},
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OTHER}:role/*"}, "ArnEquals": {"aws:PrincipalArn": RESPONDER}},
    )
    assert short(role(tight)) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


def test_narrowing_does_not_change_specific_principals_beside_it() -> None:
    r = role(statement({"AWS": [ROOT, ALICE]}, {"ArnEquals": {"aws:PrincipalArn": [RESPONDER]}}))
    assert verdict(r, TRUST).evidence_dict()["trusted_principals"] == [f"{RESPONDER} (via aws:PrincipalArn)", ALICE]


# --- the MFA scope --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        RESPONDER,
        f"arn:aws:iam::{OTHER}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Support_0123456789abcdef",
        f"arn:aws:sts::{OTHER}:assumed-role/responder/session",
    ],
)
def test_a_statement_only_roles_can_use_needs_no_mfa(principal: str) -> None:
    r = role(statement({"AWS": principal}))
    assert short(r) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    mfa = verdict(r, MFA)
    assert "Identity Center sessions carry no MFA context" in mfa.reason
    assert mfa.evidence_dict()["mfa_exempt_roles"] == [principal]


def test_users_and_roles_in_one_statement_need_mfa_and_the_finding_says_to_split_them() -> None:
    r = role(statement({"AWS": [ALICE, RESPONDER]}))
    mfa = verdict(r, MFA)
    assert (mfa.status, mfa.codes) == (Status.FAIL, frozenset({"mfa-not-required"}))
    assert mfa.evidence_dict()["mfa_missing_for"] == [ALICE]
    assert f"the roles it also names ({RESPONDER}) are exempt" in mfa.reason
    assert "give the users a statement of their own" in mfa.reason


def test_users_and_roles_in_separate_statements_need_mfa_only_for_the_users() -> None:
    r = role(statement({"AWS": ALICE}, MFA_TRUE), statement({"AWS": RESPONDER}))
    assert short(r)[MFA] == "PASS"
    mfa = verdict(r, MFA)
    assert mfa.evidence_dict()["mfa_required_for"] == [ALICE]
    assert mfa.evidence_dict()["mfa_exempt_roles"] == [RESPONDER]


@pytest.mark.parametrize(
    ("principal", "condition"),
    [
        ({"AWS": ROOT}, None),  # an account root not narrowed to roles
        ({"AWS": "*"}, None),
        ({"AWS": ROOT}, {"ArnEquals": {"aws:PrincipalArn": [RESPONDER, ALICE]}}),  # narrowed to a user too
        ({"AWS": "aws_iam_role.unknown_kind.arn"}, None),  # a reference of unknown kind (Checkov left it)
    ],
)
def test_whatever_may_include_users_still_needs_mfa(principal: object, condition: dict | None) -> None:
    assert short(role(statement(principal, condition)))[MFA] == "FAIL mfa-not-required"


def test_not_principal_still_needs_mfa() -> None:
    r = role({"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": RESPONDER}})
    assert short(r)[MFA] == "FAIL mfa-not-required"


# --- OIDC subjects and services -------------------------------------------------------------------

GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"


@pytest.mark.parametrize("subject", ["repo:my-org/*", "repo:my-org/app:*", "repo:my-org/app:ref:refs/heads/?ain"])
def test_a_wildcard_oidc_subject_fails_with_its_own_code(subject: str) -> None:
    r = role(statement({"Federated": GITHUB}, {"StringLike": {SUB: subject}}, "sts:AssumeRoleWithWebIdentity"))
    trust = verdict(r, TRUST)
    assert (trust.status, trust.codes) == (Status.FAIL, frozenset({"oidc-wildcard-subject"}))
    assert f"the subject condition {subject} is a wildcard" in trust.reason
    assert "pin the repository and a branch or environment" in trust.reason


def test_a_service_principal_fails_because_the_service_acts_for_whoever_uses_it() -> None:
    trust = verdict(role(statement({"Service": "chatbot.amazonaws.com"})), TRUST)
    assert (trust.status, trust.codes) == (Status.FAIL, frozenset({"service-principal"}))
    assert "it acts with the role for whoever uses the service" in trust.reason
    assert "for everyone in its channels" in trust.reason
    assert "no person can use" not in trust.reason


# --- custom support policies ----------------------------------------------------------------------

CUSTOM_ARN = "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/case-support-console"
CUSTOM_DOC = parse_policy(
    {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["support:*", "support-console:*", "trustedadvisor:Describe*"],
                "Resource": "*",
            }
        ]
    }
)
CUSTOM = ManagedAttachment(CUSTOM_ARN, CUSTOM_DOC)
GOOD_TRUST = statement({"AWS": ALICE}, MFA_TRUE)


def test_by_default_a_custom_support_policy_is_not_a_support_role_and_exists_says_why() -> None:
    custom_role = role(GOOD_TRUST, managed=(CUSTOM,), name="case-custom")
    assert short(custom_role) == {TRUST: "NA", LEAST_PRIVILEGE: "NA", MFA: "NA"}
    exists = evaluate_exists(Account("root module .", (custom_role,)), Config())
    assert (exists.status, exists.codes) == (Status.FAIL, frozenset({"no-support-role", "custom-support-policy"}))
    assert f"case-custom ({CUSTOM_ARN})" in exists.reason
    assert "support_role_support_policies" in exists.reason


def test_a_customer_policy_without_support_permissions_gives_no_hint() -> None:
    ec2 = ManagedAttachment(
        CUSTOM_ARN, parse_policy({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]})
    )
    exists = evaluate_exists(Account("a", (role(GOOD_TRUST, managed=(ec2,)),)), Config())
    assert exists.codes == frozenset({"no-support-role"})


@pytest.mark.parametrize("listed", ["case-support-console", "arn:aws:iam::123456789012:policy/case-support-console"])
def test_a_listed_custom_support_policy_counts_as_the_support_policy_in_every_rule(listed: str) -> None:
    config = config_from_mapping({"support_role_support_policies": [listed]})
    custom_role = role(GOOD_TRUST, managed=(CUSTOM,), name="case-custom")
    assert short(custom_role, config) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    exists = evaluate_exists(Account("a", (custom_role,)), config)
    assert exists.status is Status.PASS and exists.evidence_dict()["support_roles"] == ["case-custom"]


def test_a_listed_custom_policy_beside_aws_support_access_is_not_an_extra_policy() -> None:
    config = config_from_mapping({"support_role_support_policies": ["case-support-console"]})
    assert short(role(GOOD_TRUST, managed=(SUPPORT, CUSTOM)), config)[LEAST_PRIVILEGE] == "PASS"


def test_an_aws_managed_policy_never_counts_as_a_custom_support_policy() -> None:
    config = config_from_mapping({"support_role_support_policies": ["ReadOnlyAccess"]})
    readonly = ManagedAttachment("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert short(role(GOOD_TRUST, managed=(readonly,)), config) == {TRUST: "NA", LEAST_PRIVILEGE: "NA", MFA: "NA"}


@pytest.mark.parametrize(
    ("listed", "arn", "expected"),
    [
        ("x", "arn:aws:iam::123456789012:policy/team/x", True),
        ("arn:aws:iam::123456789012:policy/x", "arn:aws:iam::123456789012:policy/x", True),
        ("arn:aws:iam::123456789012:policy/x", "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/x", True),
        ("arn:aws:iam::123456789012:policy/x", "arn:aws:iam::999999999999:policy/x", False),
        ("arn:aws:iam::123456789012:policy/x", "arn:aws-cn:iam::123456789012:policy/x", False),
        ("arn:aws:iam::123456789012:policy/x", "arn:aws:iam::${AWS::AccountId}:policy/team/x", False),
    ],
)
def test_listed_policies_match_by_name_or_by_arn_with_interpolated_own_fields(
    listed: str, arn: str, expected: bool
) -> None:
    assert policy_listed(frozenset({listed}), arn) is expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("case-support", None),
        (["arn:aws:iam::aws:policy/AWSSupportAccess"], "is an AWS managed policy"),
        (["arn:aws:iam::123456789012:role/x"], "is not an IAM policy ARN"),
        (["team/x"], "is neither a policy name nor an ARN"),
        ([""], "must be a list of non-empty strings"),
    ],
)
def test_support_policies_are_validated(value: object, message: str | None) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_mapping({"support_role_support_policies": value})
    assert "support_role_support_policies" in str(raised.value)
    if message:
        assert message in str(raised.value)


# --- allowed actions -------------------------------------------------------------------------------


def _inline(*actions: str) -> InlinePolicy:
    return InlinePolicy(
        "responder-reads", parse_policy({"Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})
    )


def test_allowed_action_patterns_may_stand_beside_the_support_family() -> None:
    config = config_from_mapping({"support_role_allowed_actions": ["health:Describe*", "cloudtrail:LookupEvents"]})
    r = role(
        GOOD_TRUST,
        inline=(_inline("support:*", "health:DescribeEvents", "Health:describe*", "cloudtrail:LookupEvents"),),
    )
    assert short(r, config)[LEAST_PRIVILEGE] == "PASS"
    assert short(r)[LEAST_PRIVILEGE] == "FAIL non-support-action"


def test_an_action_broader_than_the_allowed_pattern_still_fails() -> None:
    config = config_from_mapping({"support_role_allowed_actions": ["health:Describe*"]})
    least = verdict(role(GOOD_TRUST, inline=(_inline("health:*", "cloudtrail:LookupEvents"),)), LEAST_PRIVILEGE, config)
    assert (least.status, least.codes) == (Status.FAIL, frozenset({"non-support-action"}))
    assert "allows cloudtrail:LookupEvents, health:*" in least.reason


def test_allowed_actions_apply_to_customer_policies_too() -> None:
    config = config_from_mapping({"support_role_allowed_actions": ["health:Describe*"]})
    doc = parse_policy({"Statement": [{"Effect": "Allow", "Action": "health:DescribeEvents", "Resource": "*"}]})
    customer = ManagedAttachment("arn:aws:iam::123456789012:policy/responder-reads", doc)
    assert short(role(GOOD_TRUST, managed=(SUPPORT, customer)), config)[LEAST_PRIVILEGE] == "PASS"


@pytest.mark.parametrize(
    ("pattern", "action", "covered"),
    [
        ("health:Describe*", "health:DescribeEvents", True),
        ("health:Describe*", "health:Describe*", True),
        ("health:Describe*", "HEALTH:describeevents", True),
        ("health:Describe*", "health:*", False),
        ("health:Describe*", "health:Desc*", False),
        ("health:*", "health:Des?ribe", True),
        ("health:Describe?vents", "health:Describe*vents", False),
        ("health:Describe?vents", "health:Describe?vents", True),
        ("cloudtrail:LookupEvents", "cloudtrail:LookupEvents", True),
        ("cloudtrail:LookupEvents", "cloudtrail:Lookup*", False),
    ],
)
def test_an_allowed_pattern_covers_an_action_only_when_it_covers_all_it_matches(
    pattern: str, action: str, covered: bool
) -> None:
    assert action_covered(pattern, action) is covered


@pytest.mark.parametrize("value", [["*"], ["*:Describe*"], ["health"], ["health:Describe* "], "health:*", [1]])
def test_allowed_actions_are_validated(value: object) -> None:
    if value == ["health:Describe* "]:
        assert config_from_mapping({"support_role_allowed_actions": value}).allowed_actions == ("health:Describe*",)
        return
    with pytest.raises(ConfigError) as raised:
        config_from_mapping({"support_role_allowed_actions": value})
    assert "support_role_allowed_actions" in str(raised.value)


def test_exists_with_a_custom_support_policy_and_the_setting_in_one_account() -> None:
    config = config_from_mapping({"support_role_support_policies": ["case-support-console"]})
    verdicts = evaluate_exists(Account("a", (role(GOOD_TRUST, managed=(CUSTOM,), name="case-custom"),)), config)
    assert verdicts.rule_id == EXISTS and verdicts.status is Status.PASS
