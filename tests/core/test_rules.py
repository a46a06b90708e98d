"""The four rules on hand-built facts: each decision of SEMANTICS.md and docs/DECISIONS.md."""

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
    InlinePolicy,
    ManagedAttachment,
    Role,
    Status,
    Unknown,
    Verdict,
    evaluate_account,
    evaluate_exists,
    evaluate_role,
    is_failure,
    parse_policy,
)

SUPPORT = ManagedAttachment("arn:aws:iam::aws:policy/AWSSupportAccess")
ADMIN = ManagedAttachment("arn:aws:iam::aws:policy/AdministratorAccess")
ALICE = "arn:aws:iam::123456789012:user/alice"
SAML = "arn:aws:iam::123456789012:saml-provider/Corp"
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def statement(principal: object, action: object = "sts:AssumeRole", condition: object = None, **extra: object) -> dict:
    result: dict[str, object] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition is not None:
        result["Condition"] = condition
    result.update(extra)
    return result


def role(
    *statements: Mapping[str, object],
    managed: tuple[ManagedAttachment, ...] | Unknown = (SUPPORT,),
    inline: tuple[InlinePolicy, ...] | Unknown = (),
    trust: object = None,
    name: str = "aws-support",
    boundary: str | None = None,
) -> Role:
    document = parse_policy(trust if trust is not None else {"Version": "2012-10-17", "Statement": list(statements)})
    return Role(name=name, address=name, trust=document, managed=managed, inline=inline, boundary=boundary)


def verdicts(r: Role, config: Config | None = None) -> dict[str, str]:
    """Each rule's verdict as 'STATUS code code' (NA when none), like the corpus writes it."""
    result: dict[str, str] = {}
    for rule_id, verdict in evaluate_role(r, config or Config()).items():
        result[rule_id] = "NA" if verdict is None else " ".join([verdict.status.value, *sorted(verdict.codes)])
    return result


def one(r: Role, rule_id: str, config: Config | None = None) -> str:
    return verdicts(r, config)[rule_id]


GOOD = statement({"AWS": ALICE}, condition=MFA_TRUE)


# --- which roles are judged --------------------------------------------------------------------


def test_a_role_without_the_support_policy_gets_no_verdict() -> None:
    assert verdicts(role(statement("*"), managed=(ADMIN,))) == {TRUST: "NA", LEAST_PRIVILEGE: "NA", MFA: "NA"}


def test_a_permissions_boundary_does_not_make_a_support_role() -> None:
    r = role(GOOD, managed=(), boundary="arn:aws:iam::aws:policy/AWSSupportAccess")
    assert set(verdicts(r).values()) == {"NA"}


def test_a_customer_policy_named_awssupportaccess_does_not_make_a_support_role() -> None:
    look_alike = ManagedAttachment("arn:aws:iam::123456789012:policy/AWSSupportAccess", parse_policy(TRUST_DOC))
    assert set(verdicts(role(GOOD, managed=(look_alike,))).values()) == {"NA"}


TRUST_DOC = {"Statement": {"Effect": "Allow", "Action": "support:*", "Resource": "*"}}


@pytest.mark.parametrize(
    "managed",
    [Unknown("AccessDenied on ListAttachedRolePolicies"), (ManagedAttachment(Unknown("var.policy_arn")),)],
    ids=["attachments-unreadable", "attachment-unresolved"],
)
def test_a_role_that_may_be_a_support_role_is_unknown_for_every_rule(managed: object) -> None:
    r = role(statement("*"), managed=managed)  # type: ignore[arg-type]
    assert verdicts(r) == {rule: "UNKNOWN support-status-unknown" for rule in (TRUST, LEAST_PRIVILEGE, MFA)}


def test_an_unresolved_attachment_beside_the_support_policy_leaves_a_support_role() -> None:
    r = role(GOOD, managed=(SUPPORT, ManagedAttachment(Unknown("var.extra"))))
    assert verdicts(r) == {TRUST: "PASS", LEAST_PRIVILEGE: "UNKNOWN unresolved-policy", MFA: "PASS"}


# --- trust -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ({"AWS": ALICE}, "PASS"),
        ({"AWS": "arn:aws:iam::123456789012:role/Ops"}, "PASS"),
        ({"AWS": "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_S_1"}, "PASS"),
        ({"AWS": "arn:aws:sts::123456789012:assumed-role/Ops/alice"}, "PASS"),
        ({"AWS": "arn:aws:sts::123456789012:federated-user/alice"}, "PASS"),
        ({"AWS": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"}, "PASS"),
        ("*", "FAIL wildcard-principal"),
        ({"AWS": "*"}, "FAIL wildcard-principal"),
        ({"AWS": "arn:aws:iam::123456789012:user/*"}, "FAIL wildcard-principal"),
        ({"AWS": "arn:aws:iam::*:root"}, "FAIL wildcard-principal"),
        ({"Service": "ec2.amazonaws.com"}, "FAIL service-principal"),
        ({"Service": "support.amazonaws.com"}, "FAIL service-principal"),
        ({"AWS": "arn:aws:iam::123456789012:root"}, "FAIL account-root"),
        ({"AWS": "123456789012"}, "FAIL account-root"),
        ({"AWS": "AIDAJQABLZS4A3QDU576Q"}, "FAIL deleted-principal"),
        ({"AWS": "AROADBQP57FF2AEXAMPLE"}, "FAIL deleted-principal"),
        ({"AWS": "arn:aws:iam::123456789012:group/ops"}, "FAIL invalid-principal"),
        (
            {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            "FAIL invalid-principal",
        ),
        ({"AWS": "aws_iam_user.alice.arn"}, "UNKNOWN unresolved-principal"),
        ({"AWS": {"Fn::GetAtt": ["Alice", "Arn"]}}, "UNKNOWN unresolved-principal"),
        ({"AWS": ["*", "var.alice"]}, "FAIL unresolved-principal wildcard-principal"),
        ({"AWS": [ALICE, "arn:aws:iam::123456789012:root"]}, "FAIL account-root"),
    ],
)
def test_trust_judges_every_principal_an_allow_statement_names(principal: object, expected: str) -> None:
    assert one(role(statement(principal, condition=MFA_TRUE)), TRUST) == expected


def test_trust_reads_every_statement_not_only_the_first() -> None:
    r = role(GOOD, statement({"Service": "ec2.amazonaws.com"}))
    assert one(r, TRUST) == "FAIL service-principal"


def test_not_principal_with_allow_fails() -> None:
    r = role({"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "sts:AssumeRole"})
    assert verdicts(r) == {TRUST: "FAIL not-principal", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}


def test_a_trust_policy_with_no_allow_statement_lets_nobody_assume() -> None:
    r = role({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})
    assert verdicts(r) == {TRUST: "FAIL nobody-can-assume", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


def test_statements_that_do_not_allow_an_assume_action_are_ignored() -> None:
    r = role(GOOD, statement("*", action="sts:TagSession"), statement("*", action="sts:SetSourceIdentity"))
    assert verdicts(r) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


@pytest.mark.parametrize("principal", [{"AWS": []}, {}], ids=["empty-principal-list", "empty-principal-object"])
def test_an_allow_statement_with_an_empty_principal_names_nobody(principal: object) -> None:
    assert one(role(statement(principal)), TRUST) == "FAIL no-principal nobody-can-assume"


def test_an_allow_statement_without_principal_fails_even_beside_a_good_one() -> None:
    r = role({"Effect": "Allow", "Action": "sts:AssumeRole"}, GOOD)
    assert one(r, TRUST) == "FAIL no-principal"


# The substring trap and the per-kind assume actions (docs/DECISIONS.md, "Who can actually assume").


def test_an_iam_user_listed_only_for_assume_role_with_saml_cannot_assume() -> None:
    r = role(statement({"AWS": ALICE}, action="sts:AssumeRoleWithSAML"))
    assert verdicts(r) == {TRUST: "FAIL nobody-can-assume", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


def test_an_iam_user_listed_only_for_web_identity_cannot_assume_either() -> None:
    r = role(
        statement({"AWS": ALICE}, action=["sts:AssumeRoleWithWebIdentity"]),
        statement({"Federated": SAML}, "sts:AssumeRoleWithSAML"),
    )
    assert verdicts(r) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


def test_a_saml_provider_needs_assume_role_with_saml() -> None:
    assert one(role(statement({"Federated": SAML}, action="sts:AssumeRole")), TRUST) == "FAIL nobody-can-assume"
    assert one(role(statement({"Federated": SAML}, action="sts:AssumeRoleWithSAML")), TRUST) == "PASS"


def test_an_oidc_provider_needs_assume_role_with_web_identity() -> None:
    sub = {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main"}}
    assert one(role(statement({"Federated": GITHUB}, "sts:AssumeRole", sub)), TRUST) == "FAIL nobody-can-assume"
    assert one(role(statement({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", sub)), TRUST) == "PASS"


def test_a_wildcard_counts_for_every_assume_action() -> None:
    r = role(statement({"AWS": "*"}, action="sts:AssumeRoleWithSAML"))
    assert verdicts(r) == {TRUST: "FAIL wildcard-principal", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}


def test_a_bad_principal_fails_even_when_its_kind_cannot_use_the_action() -> None:
    r = role(statement({"Service": "ec2.amazonaws.com"}, action="sts:AssumeRoleWithSAML"))
    assert one(r, TRUST) == "FAIL nobody-can-assume service-principal"


def test_an_unresolved_federated_principal_may_be_either_provider() -> None:
    r = role(statement({"Federated": "var.identity_provider"}, action="sts:AssumeRoleWithSAML"))
    assert one(r, TRUST) == "UNKNOWN unresolved-principal"


@pytest.mark.parametrize(
    ("action", "expected_trust", "expected_mfa"),
    [
        ("STS:assumerole", "PASS", "FAIL mfa-not-required"),
        ("sts:Assume*", "PASS", "FAIL mfa-not-required"),
        ("sts:*", "PASS", "FAIL mfa-not-required"),
        ("*", "PASS", "FAIL mfa-not-required"),
        ("sts:AssumeRole?ithSAML", "FAIL nobody-can-assume", "PASS"),
        ("sts:AssumeRoleWith*", "FAIL nobody-can-assume", "PASS"),
    ],
)
def test_trust_actions_match_as_iam_matches_them(action: str, expected_trust: str, expected_mfa: str) -> None:
    r = role(statement({"AWS": ALICE}, action=action))
    assert (one(r, TRUST), one(r, MFA)) == (expected_trust, expected_mfa)


def test_not_action_in_trust_is_honoured() -> None:
    covers = role({"Effect": "Allow", "Principal": {"AWS": ALICE}, "NotAction": "sts:TagSession"})
    excludes = role({"Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "sts:*"})
    assert (one(covers, TRUST), one(covers, MFA)) == ("PASS", "FAIL mfa-not-required")
    assert (one(excludes, TRUST), one(excludes, MFA)) == ("FAIL nobody-can-assume", "PASS")


# OIDC subject conditions.

SUB_KEY = "token.actions.githubusercontent.com:sub"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {SUB_KEY: "repo:o/r:ref:refs/heads/main"}}, "PASS"),
        ({"StringLike": {SUB_KEY: "repo:o/r:*"}}, "FAIL oidc-wildcard-subject"),
        ({"StringLike": {SUB_KEY: "repo:o/*"}}, "FAIL oidc-wildcard-subject"),
        ({"StringLike": {SUB_KEY: "repo:o/r:ref:refs/heads/main"}}, "PASS"),
        ({"StringEquals": {SUB_KEY: "repo:o/*"}}, "PASS"),  # StringEquals reads '*' literally
        ({"StringLike": {SUB_KEY: "repo:o/r:*"}, "StringEquals": {SUB_KEY: "repo:o/r:environment:prod"}}, "PASS"),
        ({"StringEqualsIgnoreCase": {SUB_KEY: "repo:o/r:environment:prod"}}, "PASS"),
        ({"StringEquals": {"Token.Actions.GitHubUserContent.com:SUB": "repo:o/r:ref:refs/heads/main"}}, "PASS"),
        (None, "FAIL oidc-without-subject"),
        (
            {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
            "FAIL oidc-without-subject",
        ),
        ({"StringLike": {SUB_KEY: "*"}}, "FAIL oidc-without-subject"),
        ({"StringLike": {SUB_KEY: ["repo:o/r:*", "*"]}}, "FAIL oidc-without-subject"),
        ({"StringEquals": {SUB_KEY: ""}}, "FAIL oidc-without-subject"),
        ({"StringEqualsIfExists": {SUB_KEY: "repo:o/r"}}, "FAIL oidc-without-subject"),
        ({"ForAnyValue:StringEquals": {SUB_KEY: "repo:o/r"}}, "FAIL oidc-without-subject"),
        ({"StringNotEquals": {SUB_KEY: "repo:o/r"}}, "FAIL oidc-without-subject"),
        ({"StringEquals": {"accounts.google.com:sub": "repo:o/r"}}, "FAIL oidc-without-subject"),
    ],
)
def test_an_oidc_provider_needs_a_positive_condition_on_its_subject(condition: object, expected: str) -> None:
    r = role(statement({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", condition))
    assert one(r, TRUST) == expected
    assert one(r, MFA) == "PASS"  # federated principals are exempt from the MFA rule


def test_well_known_oidc_issuers_written_without_an_arn_need_a_subject_condition_too() -> None:
    google = role(statement({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity"))
    pinned = role(
        statement(
            {"Federated": "accounts.google.com"},
            "sts:AssumeRoleWithWebIdentity",
            {"StringEquals": {"accounts.google.com:sub": "1234567890"}},
        )
    )
    assert one(google, TRUST) == "FAIL oidc-without-subject"
    assert one(pinned, TRUST) == "PASS"


# Account roots and trusted accounts.


def test_account_roots_pass_when_the_configuration_allows_them() -> None:
    config = Config(allow_account_roots=True)
    for principal in ("arn:aws:iam::123456789012:root", "123456789012"):
        assert one(role(statement({"AWS": principal}, condition=MFA_TRUE)), TRUST, config) == "PASS"


def test_trusted_accounts_are_the_complete_list() -> None:
    config = Config(trusted_account_ids=frozenset({"444455556666"}))
    own = role(statement({"AWS": ALICE}, condition=MFA_TRUE))
    other = role(statement({"AWS": "arn:aws:iam::444455556666:user/bob"}, condition=MFA_TRUE))
    saml_elsewhere = role(statement({"Federated": SAML}, "sts:AssumeRoleWithSAML"))
    assert one(own, TRUST, config) == "FAIL untrusted-account"  # the own account is not added implicitly
    assert one(other, TRUST, config) == "PASS"
    assert one(saml_elsewhere, TRUST, config) == "FAIL untrusted-account"
    assert one(own, TRUST) == "PASS"  # without the setting, any account


def test_an_allowed_root_of_an_untrusted_account_still_fails() -> None:
    config = Config(allow_account_roots=True, trusted_account_ids=frozenset({"123456789012"}))
    assert one(role(statement({"AWS": "444455556666"}, condition=MFA_TRUE)), TRUST, config) == "FAIL untrusted-account"


def test_an_interpolated_account_cannot_be_compared_with_the_trusted_accounts() -> None:
    r = role(statement({"AWS": "arn:aws:iam::${AWS::AccountId}:user/alice"}, condition=MFA_TRUE))
    assert one(r, TRUST, Config(trusted_account_ids=frozenset({"123456789012"}))) == "UNKNOWN unresolved-account"
    assert one(r, TRUST) == "PASS"


def test_an_unreadable_trust_policy_is_unknown_for_trust_and_mfa() -> None:
    r = role(trust="data.aws_iam_policy_document.trust.json")
    assert verdicts(r) == {
        TRUST: "UNKNOWN unreadable-trust-policy",
        LEAST_PRIVILEGE: "PASS",
        MFA: "UNKNOWN unreadable-trust-policy",
    }


# --- MFA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (MFA_TRUE, "PASS"),
        ({"Bool": {"aws:MultiFactorAuthPresent": True}}, "PASS"),
        ({"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}, "PASS"),
        ({"bool": {"AWS:MultiFactorAuthPresent": "TRUE"}}, "PASS"),
        ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, "PASS"),
        ({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}, "PASS"),
        (None, "FAIL mfa-not-required"),
        ({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, "FAIL mfa-not-required"),
        ({"Bool": {"aws:MultiFactorAuthPresent": ["true", "false"]}}, "FAIL mfa-not-required"),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, "FAIL mfa-if-exists"),
        ({"ForAllValues:Bool": {"aws:MultiFactorAuthPresent": "true"}}, "FAIL mfa-not-required"),
        ({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}, "FAIL mfa-not-required"),
        ({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}, "FAIL mfa-not-required"),
        ({"StringEquals": {"aws:MultiFactorAuthPresent": "true"}}, "FAIL mfa-not-required"),
    ],
)
def test_mfa_is_required_only_by_bool_true_or_a_maximum_age(condition: object, expected: str) -> None:
    assert one(role(statement({"AWS": ALICE}, condition=condition)), MFA) == expected


def test_every_statement_letting_iam_users_in_must_require_mfa() -> None:
    r = role(GOOD, statement({"AWS": "arn:aws:iam::123456789012:user/bob"}))
    assert one(r, MFA) == "FAIL mfa-not-required"


def test_federated_and_service_principals_are_exempt_from_mfa() -> None:
    r = role(statement({"Federated": SAML}, "sts:AssumeRoleWithSAML"), statement({"Service": "ec2.amazonaws.com"}))
    assert one(r, MFA) == "PASS"


def test_a_statement_mixing_federated_and_iam_principals_needs_mfa_for_the_iam_ones() -> None:
    r = role(statement({"AWS": ALICE, "Federated": SAML}, ["sts:AssumeRole", "sts:AssumeRoleWithSAML"]))
    assert one(r, MFA) == "FAIL mfa-not-required"


# --- least privilege ---------------------------------------------------------------------------


def inline(name: str, *statements: Mapping[str, object]) -> InlinePolicy:
    return InlinePolicy(name, parse_policy({"Version": "2012-10-17", "Statement": list(statements)}))


def allow(action: object = None, not_action: object = None) -> dict[str, object]:
    result: dict[str, object] = {"Effect": "Allow", "Resource": "*"}
    if action is not None:
        result["Action"] = action
    if not_action is not None:
        result["NotAction"] = not_action
    return result


@pytest.mark.parametrize(
    ("policy_statement", "expected"),
    [
        (allow(["support:*", "support-console:*", "supportapp:*", "supportplans:*", "trustedadvisor:*"]), "PASS"),
        (allow(["SUPPORT:DescribeCases", "TrustedAdvisor:Describe*"]), "PASS"),
        (allow(not_action="*"), "PASS"),  # excludes everything: allows nothing
        ({"Effect": "Allow", "Resource": "*"}, "PASS"),  # no action element: allows nothing
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, "PASS"),
        (allow("*"), "FAIL non-support-action"),
        (allow("support*:*"), "FAIL non-support-action"),  # IAM rejects it, but IaC may hold it
        (allow("*:*"), "FAIL non-support-action"),
        (allow("supportx:*"), "FAIL non-support-action"),
        (allow("support"), "FAIL non-support-action"),
        (allow(["support:*", "iam:PassRole"]), "FAIL non-support-action"),
        (allow(not_action="iam:*"), "FAIL non-support-action"),
        (allow(not_action=["support:*"]), "FAIL non-support-action"),
    ],
)
def test_inline_policies_may_allow_only_the_support_family(policy_statement: dict, expected: str) -> None:
    r = role(GOOD, inline=(inline("extra", policy_statement),))
    assert one(r, LEAST_PRIVILEGE) == expected


def test_the_failure_names_the_policy_and_the_actions_outside_support() -> None:
    r = role(GOOD, inline=(inline("break-glass", allow(["support:*", "ec2:*", "iam:*"])),))
    verdict = evaluate_role(r, Config())[LEAST_PRIVILEGE]
    assert verdict is not None
    (problem,) = verdict.problems
    assert problem.subject == "inline policy break-glass"
    assert "ec2:*" in problem.detail and "iam:*" in problem.detail and "support:*" not in problem.detail


def test_aws_managed_policies_beside_support_fail_unless_allowed_by_name_or_arn() -> None:
    view_only = ManagedAttachment("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
    r = role(GOOD, managed=(SUPPORT, ADMIN, view_only))
    assert one(r, LEAST_PRIVILEGE) == "FAIL extra-managed-policy"
    by_name = Config(allowed_policies=frozenset({"AdministratorAccess", "ViewOnlyAccess"}))
    by_arn = Config(
        allowed_policies=frozenset(
            {"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}
        )
    )
    assert one(r, LEAST_PRIVILEGE, by_name) == "PASS"
    assert one(r, LEAST_PRIVILEGE, by_arn) == "PASS"
    assert one(r, LEAST_PRIVILEGE, Config(allowed_policies=frozenset({"AdministratorAccess"}))) == (
        "FAIL extra-managed-policy"
    )


def test_customer_policies_are_judged_by_their_document() -> None:
    arn = "arn:aws:iam::123456789012:policy/Tooling"
    support_only = ManagedAttachment(arn, parse_policy({"Statement": allow("support:*")}))
    ec2 = ManagedAttachment(arn, parse_policy({"Statement": allow(["support:*", "ec2:*"])}))
    unseen = ManagedAttachment(arn, Unknown("defined outside the scanned files"))
    not_given = ManagedAttachment(arn, None)
    assert one(role(GOOD, managed=(SUPPORT, support_only)), LEAST_PRIVILEGE) == "PASS"
    assert one(role(GOOD, managed=(SUPPORT, ec2)), LEAST_PRIVILEGE) == "FAIL non-support-action"
    assert one(role(GOOD, managed=(SUPPORT, unseen)), LEAST_PRIVILEGE) == "UNKNOWN policy-not-visible"
    assert one(role(GOOD, managed=(SUPPORT, not_given)), LEAST_PRIVILEGE) == "UNKNOWN policy-not-visible"
    allowed = Config(allowed_policies=frozenset({"Tooling"}))
    assert one(role(GOOD, managed=(SUPPORT, unseen)), LEAST_PRIVILEGE, allowed) == "PASS"


def test_a_failure_outweighs_what_could_not_be_read() -> None:
    r = role(GOOD, managed=(SUPPORT, ADMIN), inline=(InlinePolicy("hidden", Unknown("not valid JSON")),))
    assert one(r, LEAST_PRIVILEGE) == "FAIL extra-managed-policy policy-not-visible"
    assert one(role(GOOD, inline=Unknown("AccessDenied")), LEAST_PRIVILEGE) == "UNKNOWN unreadable-inline-policies"


# --- exists ------------------------------------------------------------------------------------


def account(*roles: Role, **fields: object) -> Account:
    return Account("account 123456789012", tuple(roles), **fields)  # type: ignore[arg-type]


def exists(acct: Account) -> str:
    verdict = evaluate_exists(acct, Config())
    return " ".join([verdict.status.value, *sorted(verdict.codes)])


def test_exists_passes_with_one_support_role_and_lists_every_one() -> None:
    a = role(GOOD, name="a-support")
    b = role(statement("*"), name="b-support")
    other = role(GOOD, name="app", managed=(ADMIN,))
    verdict = evaluate_exists(account(a, other, b), Config())
    assert verdict.status is Status.PASS
    assert verdict.evidence_dict()["support_roles"] == ["a-support", "b-support"]
    assert "a-support" in verdict.reason and "b-support" in verdict.reason


def test_exists_passes_on_what_was_read_even_when_something_else_was_not() -> None:
    unreadable = role(GOOD, name="x", managed=Unknown("AccessDenied"))
    assert exists(account(role(GOOD), unreadable, unreadable=("ListPolicies throttled",))) == "PASS"


def test_exists_is_unknown_when_no_support_role_was_seen_and_something_was_unreadable() -> None:
    assert exists(account(unreadable=("AccessDenied on ListRoles",))) == "UNKNOWN unreadable-account"
    undetermined = role(GOOD, managed=(ManagedAttachment(Unknown("var.policy")),))
    assert exists(account(undetermined)) == "UNKNOWN undetermined-role"


def test_exists_fails_and_says_what_was_found_instead() -> None:
    assert exists(account()) == "FAIL no-support-role"
    assert exists(account(support_users=("alice",))) == "FAIL no-support-role support-policy-not-on-role"
    assert exists(account(support_groups=("ops",))) == "FAIL no-support-role support-policy-not-on-role"
    look_alike = ManagedAttachment("arn:aws:iam::123456789012:policy/AWSSupportAccess", None)
    assert exists(account(role(GOOD, managed=(look_alike,)))) == "FAIL look-alike-policy no-support-role"
    bounded = role(GOOD, managed=(), boundary="arn:aws:iam::aws:policy/AWSSupportAccess")
    assert exists(account(bounded)) == "FAIL boundary-only no-support-role"
    verdict = evaluate_exists(account(support_users=("alice",), support_groups=("ops",)), Config())
    holders = {p.subject for p in verdict.problems if p.code == "support-policy-not-on-role"}
    assert holders == {"user alice, group ops"}


# --- verdict texts and the account view --------------------------------------------------------


def test_every_verdict_says_what_where_and_the_fix() -> None:
    r = role(statement("*"), managed=(SUPPORT, ADMIN))
    for rule_id, verdict in evaluate_role(r, Config()).items():
        assert isinstance(verdict, Verdict)
        assert verdict.rule_id == rule_id
        assert verdict.resource == "aws-support" and verdict.reason.startswith("aws-support ")
        assert verdict.status is Status.FAIL
        assert "Fix:" in verdict.reason
        assert all(p.detail for p in verdict.problems)
        assert verdict.to_dict()["status"] == "FAIL"


def test_unknown_reasons_say_what_could_not_be_read() -> None:
    verdict = evaluate_role(role(trust="var.trust"), Config())[TRUST]
    assert verdict is not None and verdict.status is Status.UNKNOWN
    assert "var.trust" in verdict.reason


def test_evaluate_account_gives_exists_and_every_role() -> None:
    results = evaluate_account(account(role(GOOD), role(GOOD, name="app", managed=())), Config())
    assert set(results) == {"", "aws-support", "app"}
    assert results[""][EXISTS] is not None and results[""][EXISTS].status is Status.PASS
    assert results["app"] == {TRUST: None, LEAST_PRIVILEGE: None, MFA: None}


def test_unknown_counts_as_failure_only_in_strict_mode() -> None:
    assert is_failure(Status.FAIL, Config())
    assert not is_failure(Status.UNKNOWN, Config())
    assert is_failure(Status.UNKNOWN, Config(strict_unknown=True))
    assert not is_failure(Status.PASS, Config(strict_unknown=True))


def test_nobody_can_assume_names_the_action_each_kind_needs() -> None:
    verdict = evaluate_role(role(statement({"AWS": ALICE}, action="sts:AssumeRoleWithSAML")), Config())[TRUST]
    assert verdict is not None
    (problem,) = verdict.problems
    assert problem.code == "nobody-can-assume"
    assert "IAM users and roles: sts:AssumeRole" in problem.detail and "sts:AssumeRoleWithSAML" in problem.detail


def test_an_unresolved_principal_may_be_a_wildcard_so_it_counts_for_every_assume_action() -> None:
    # Found by the property test: "*" replaced by an unresolved value must not turn MFA FAIL into PASS.
    saml_only = role(statement({"AWS": "var.who"}, action="sts:AssumeRoleWithSAML"))
    assert verdicts(saml_only) == {
        TRUST: "UNKNOWN unresolved-principal",
        LEAST_PRIVILEGE: "PASS",
        MFA: "UNKNOWN unresolved-principal",
    }
    with_mfa = role(statement({"AWS": "var.who"}, action="sts:AssumeRoleWithSAML", condition=MFA_TRUE))
    assert one(with_mfa, MFA) == "PASS"
    assume_role = role(statement({"AWS": "var.who"}))  # sts:AssumeRole: any AWS principal can call it
    assert one(assume_role, MFA) == "FAIL mfa-not-required"
    beside_a_user = role(statement({"AWS": ["var.who", ALICE]}, action=["sts:AssumeRole", "sts:AssumeRoleWithSAML"]))
    assert one(beside_a_user, MFA) == "FAIL mfa-not-required"
