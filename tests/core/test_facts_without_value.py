"""What the IaC paths know without a value (SEMANTICS.md since v0.2): typed references, partially
known ARNs, conditional attachments and alternative documents, decided by the core for every path."""

from __future__ import annotations

import pytest

from support_role import (
    EXISTS,
    LEAST_PRIVILEGE,
    MFA,
    TRUST,
    Account,
    Alternatives,
    Config,
    ManagedAttachment,
    PolicyDocument,
    Principal,
    PrincipalKind,
    ReferenceKind,
    Role,
    Statement,
    Status,
    TypedReference,
    Unknown,
    evaluate_exists,
    evaluate_role,
    parse_policy,
)
from support_role._arn import PrincipalClass, classify, identity_center_wildcards_only, reference_arn
from support_role._values import NO_VALUE, Choice

SUPPORT = ManagedAttachment("arn:aws:iam::aws:policy/AWSSupportAccess")
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ALICE = "arn:aws:iam::123456789012:user/alice"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def ref(kind: ReferenceKind, expression: str, **extra: str) -> Principal:
    principal_kind = (
        PrincipalKind.FEDERATED
        if kind in (ReferenceKind.SAML_PROVIDER, ReferenceKind.OIDC_PROVIDER)
        else PrincipalKind.AWS
    )
    return Principal(principal_kind, expression, resolved=False, reference=TypedReference(kind, expression, **extra))


def trusting(*principals: Principal, action: str = "sts:AssumeRole", conditions: dict | None = None) -> Role:
    """A support role whose one trust statement names ``principals`` (conditions parsed as IAM JSON)."""
    parsed = parse_policy(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": action, "Condition": conditions or {}}]}
    )
    assert isinstance(parsed, PolicyDocument)
    statement = Statement(
        effect="Allow", principals=principals, actions=(action,), conditions=parsed.statements[0].conditions
    )
    return Role("aws-support", "aws-support", trust=PolicyDocument((statement,)), managed=(SUPPORT,))


def verdicts(role: Role, config: Config | None = None) -> dict[str, str]:
    result: dict[str, str] = {}
    for rule_id, verdict in evaluate_role(role, config or Config()).items():
        result[rule_id] = "NA" if verdict is None else " ".join([verdict.status.value, *sorted(verdict.codes)])
    return result


# --- typed references ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        (ReferenceKind.IAM_USER, PrincipalClass.IAM_USER),
        (ReferenceKind.IAM_ROLE, PrincipalClass.IAM_ROLE),
        (ReferenceKind.SAML_PROVIDER, PrincipalClass.SAML_PROVIDER),
        (ReferenceKind.OIDC_PROVIDER, PrincipalClass.OIDC_PROVIDER),
        (ReferenceKind.ACCOUNT, PrincipalClass.ACCOUNT_ROOT),
        (ReferenceKind.IAM_GROUP, PrincipalClass.GROUP),
    ],
)
def test_a_typed_reference_is_classified_by_its_kind_in_the_scanned_configurations_own_account(
    kind: ReferenceKind, cls: PrincipalClass
) -> None:
    info = classify(ref(kind, "x.y.arn"))
    assert info.cls is cls
    assert info.own_account and not info.account_is_literal
    assert not info.wildcard


def test_a_typed_reference_with_a_known_account_is_compared_with_the_trusted_accounts() -> None:
    user = ref(ReferenceKind.IAM_USER, "data.aws_iam_user.x.arn", account="210987654321")
    info = classify(user)
    assert info.account == "210987654321" and not info.own_account
    assert verdicts(trusting(user, conditions=MFA_TRUE), Config(trusted_account_ids=frozenset({"210987654321"}))) == {
        TRUST: "PASS",
        LEAST_PRIVILEGE: "PASS",
        MFA: "PASS",
    }
    assert verdicts(trusting(user, conditions=MFA_TRUE), Config(trusted_account_ids=frozenset({"111122223333"})))[
        TRUST
    ] == ("FAIL untrusted-account")


def test_a_user_by_reference_is_a_specific_person_who_needs_mfa() -> None:
    user = ref(ReferenceKind.IAM_USER, "aws_iam_user.oncall.arn", name="case-oncall")
    assert verdicts(trusting(user, conditions=MFA_TRUE)) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    assert verdicts(trusting(user)) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}
    verdict = evaluate_role(trusting(user), Config())[TRUST]
    assert verdict is not None
    assert "aws_iam_user.oncall.arn (iam user)" in verdict.reason


def test_the_account_itself_by_reference_is_an_account_root() -> None:
    account = ref(ReferenceKind.ACCOUNT, "data.aws_caller_identity.current.account_id")
    assert verdicts(trusting(account)) == {
        TRUST: "FAIL account-root",
        LEAST_PRIVILEGE: "PASS",
        MFA: "FAIL mfa-not-required",
    }
    assert verdicts(trusting(account), Config(allow_account_roots=True))[TRUST] == "PASS"


def test_the_own_account_of_a_reference_matters_only_with_trusted_accounts() -> None:
    user = ref(ReferenceKind.IAM_USER, "aws_iam_user.oncall.arn")
    config = Config(trusted_account_ids=frozenset({"123456789012"}))
    verdict = evaluate_role(trusting(user, conditions=MFA_TRUE), config)[TRUST]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.UNKNOWN, frozenset({"unresolved-account"}))
    assert "the scanned configuration's own, which IaC does not know" in verdict.reason


def test_a_group_by_reference_is_not_a_principal() -> None:
    group = ref(ReferenceKind.IAM_GROUP, "aws_iam_group.ops.arn")
    verdict = evaluate_role(trusting(group), Config())[TRUST]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"invalid-principal"}))  # as a literal group ARN
    assert "an IAM group" in verdict.reason


def test_an_oidc_provider_by_reference_is_judged_on_its_issuers_subject() -> None:
    provider = ref(
        ReferenceKind.OIDC_PROVIDER, "aws_iam_openid_connect_provider.ci.arn", issuer="https://token.ci.example.com"
    )
    action = "sts:AssumeRoleWithWebIdentity"
    audience = {"StringEquals": {"token.ci.example.com:aud": "sts.amazonaws.com"}}
    assert verdicts(trusting(provider, action=action, conditions=audience)) == {
        TRUST: "FAIL oidc-without-subject",
        LEAST_PRIVILEGE: "PASS",
        MFA: "PASS",
    }
    pinned = {"StringEquals": {"token.ci.example.com:sub": "repo:org/app:ref:refs/heads/main"}}
    assert verdicts(trusting(provider, action=action, conditions=pinned))[TRUST] == "PASS"
    other_issuer = {"StringEquals": {"other.example.com:sub": "repo:org/app:ref:refs/heads/main"}}
    assert verdicts(trusting(provider, action=action, conditions=other_issuer))[TRUST] == "FAIL oidc-without-subject"


def test_an_oidc_provider_whose_issuer_is_not_readable_is_decided_only_without_any_subject_condition() -> None:
    provider = ref(ReferenceKind.OIDC_PROVIDER, "aws_iam_openid_connect_provider.ci.arn")
    action = "sts:AssumeRoleWithWebIdentity"
    assert verdicts(trusting(provider, action=action))[TRUST] == "FAIL oidc-without-subject"
    pinned = {"StringEquals": {"token.ci.example.com:sub": "repo:org/app:ref:refs/heads/main"}}
    assert verdicts(trusting(provider, action=action, conditions=pinned))[TRUST] == "UNKNOWN unresolved-issuer"


def test_a_saml_provider_and_a_role_by_reference_pass_trust() -> None:
    saml = ref(ReferenceKind.SAML_PROVIDER, "aws_iam_saml_provider.corp.arn")
    role = ref(ReferenceKind.IAM_ROLE, "!GetAtt Responder.Arn")
    assert verdicts(trusting(saml, action="sts:AssumeRoleWithSAML"))[TRUST] == "PASS"
    assert verdicts(trusting(role, conditions=MFA_TRUE))[TRUST] == "PASS"


@pytest.mark.parametrize(
    ("reference", "arn"),
    [
        (
            TypedReference(ReferenceKind.IAM_USER, "u", name="ops/alice"),
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/ops/alice",
        ),
        (
            TypedReference(ReferenceKind.IAM_ROLE, "r", account="210987654321"),
            "arn:${AWS::Partition}:iam::210987654321:role/${name}",
        ),
        (TypedReference(ReferenceKind.ACCOUNT, "a"), "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
        (
            TypedReference(ReferenceKind.OIDC_PROVIDER, "o", issuer="token.ci.example.com"),
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.ci.example.com",
        ),
    ],
)
def test_a_typed_reference_reads_as_the_same_kind_as_its_partially_known_arn(
    reference: TypedReference, arn: str
) -> None:
    assert reference_arn(reference) == arn
    by_reference = classify(Principal(PrincipalKind.AWS, reference.expression, False, reference))
    by_arn = classify(Principal(PrincipalKind.AWS, arn))
    if reference.kind is not ReferenceKind.OIDC_PROVIDER:
        assert (by_arn.cls, by_arn.own_account) == (by_reference.cls, by_reference.own_account)


# --- partially known ARNs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cls", "own"),
    [
        ("arn:${AWS::Partition}:iam::${Admin}:root", PrincipalClass.ACCOUNT_ROOT, False),
        ("arn:${AWS::Partition}:iam::${AWS::AccountId}:root", PrincipalClass.ACCOUNT_ROOT, True),
        ("${AWS::AccountId}", PrincipalClass.ACCOUNT_ROOT, True),
        ("data.aws_caller_identity.current.account_id", PrincipalClass.ACCOUNT_ROOT, True),
        ("${data.aws_caller_identity.current.account_id}", PrincipalClass.ACCOUNT_ROOT, True),
        ("arn:aws:iam::123456789012:user/${var.name}", PrincipalClass.IAM_USER, False),
        ("arn:aws:iam::${account}:role/${local.name}", PrincipalClass.IAM_ROLE, True),
        ("arn:aws:iam::123456789012:${var.kind}/alice", PrincipalClass.UNRESOLVED, False),
        ("arn:aws:iam::123456789012:${var.whole}", PrincipalClass.UNRESOLVED, False),
        ("arn:aws:${var.service}::123456789012:user/alice", PrincipalClass.UNRESOLVED, False),
    ],
)
def test_a_partially_known_arn_has_the_kind_its_literal_parts_say(value: str, cls: PrincipalClass, own: bool) -> None:
    info = classify(Principal(PrincipalKind.AWS, value))
    assert (info.cls, info.own_account, info.wildcard) == (cls, own, False)


def test_a_token_is_never_a_wildcard_but_a_literal_star_is() -> None:
    assert not classify(Principal(PrincipalKind.AWS, "arn:aws:iam::123456789012:user/${values(x)[*].name}")).wildcard
    assert classify(Principal(PrincipalKind.AWS, "arn:aws:iam::${AWS::AccountId}:user/*")).wildcard


def test_an_account_root_whatever_the_account_fails_as_an_account_root() -> None:
    root = Principal(PrincipalKind.AWS, "arn:${AWS::Partition}:iam::${Admin}:root")
    assert verdicts(trusting(root))[TRUST] == "FAIL account-root"
    assert verdicts(trusting(root), Config(allow_account_roots=True, trusted_account_ids=frozenset({"123456789012"})))[
        TRUST
    ] == ("UNKNOWN unresolved-account")


@pytest.mark.parametrize(
    ("arn", "forced"),
    [
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Support_*", True),
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Support_*", True),
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Support_*", True),
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Support_0a1b", True),
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*", False),
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/*", False),
        ("arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Support_*", False),
        ("arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Sup*_*", False),
        ("arn:aws:iam::210987654321:role/*", False),
    ],
)
def test_identity_center_forces_wildcards_only_in_the_region_and_the_suffix(arn: str, forced: bool) -> None:
    assert identity_center_wildcards_only(arn) is forced


# --- alternatives ---------------------------------------------------------------------------------


def _trust_with(principal: object, condition: object = None) -> dict:
    statement: dict[str, object] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_a_choice_in_a_document_gives_one_document_per_branch() -> None:
    document = parse_policy(_trust_with(Choice("UseAlice", ALICE, "*"), MFA_TRUE))
    assert isinstance(document, Alternatives)
    assert [b.condition for b in document.branches] == ["UseAlice", "not UseAlice"]
    values = [b.document.statements[0].principals[0].value for b in document.branches]  # type: ignore[union-attr]
    assert values == [ALICE, "*"]


def test_the_same_condition_twice_takes_the_same_branch_everywhere() -> None:
    document = parse_policy(_trust_with([Choice("C", ALICE, "*"), Choice("C", ALICE, "*")]))
    assert isinstance(document, Alternatives)
    assert len(document.branches) == 2


def test_no_value_drops_the_element_or_the_key() -> None:
    document = parse_policy(_trust_with([ALICE, Choice("Extra", "*", NO_VALUE)], Choice("Mfa", MFA_TRUE, NO_VALUE)))
    assert isinstance(document, Alternatives)
    by_label = {b.condition: b.document for b in document.branches}
    assert set(by_label) == {"Extra and Mfa", "Extra and not Mfa", "not Extra and Mfa", "not Extra and not Mfa"}
    plain = by_label["not Extra and not Mfa"]
    assert isinstance(plain, PolicyDocument)
    assert [p.value for p in plain.statements[0].principals or ()] == [ALICE]
    assert plain.statements[0].conditions == ()


def test_a_document_absent_in_one_branch_is_unknown_in_that_branch() -> None:
    document = parse_policy(Choice("HasTrust", _trust_with(ALICE), NO_VALUE))
    assert isinstance(document, Alternatives)
    assert isinstance(document.branches[1].document, Unknown)
    assert "absent when not HasTrust" in document.branches[1].document.reason


def test_more_conditions_than_can_be_judged_make_the_document_unknown() -> None:
    document = parse_policy(_trust_with([Choice(f"C{i}", ALICE, NO_VALUE) for i in range(5)]))
    assert isinstance(document, Unknown)
    assert "5 conditions" in document.reason


def _alternative_role(trust: object, managed: tuple[ManagedAttachment, ...] = (SUPPORT,)) -> Role:
    return Role("aws-support", "aws-support", trust=parse_policy(trust), managed=managed)


def test_each_branch_of_a_trust_is_judged_and_the_worst_counts() -> None:
    role = _alternative_role(_trust_with(Choice("Open", "*", ALICE), MFA_TRUE))
    verdict = evaluate_role(role, Config())[TRUST]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"wildcard-principal"}))
    assert "* (when Open)" in verdict.reason
    assert verdicts(_alternative_role(_trust_with(Choice("Two", [ALICE], ALICE), MFA_TRUE)))[TRUST] == "PASS"


def test_a_branch_that_lets_nobody_in_fails_even_if_the_other_passes() -> None:
    role = _alternative_role(_trust_with(Choice("On", ALICE, NO_VALUE), MFA_TRUE))
    # Without principals the branch's statement names nobody.
    assert verdicts(role)[TRUST] == "FAIL no-principal nobody-can-assume"


def test_mfa_is_judged_in_each_branch() -> None:
    role = _alternative_role(_trust_with(ALICE, Choice("Strict", MFA_TRUE, NO_VALUE)))
    verdict = evaluate_role(role, Config())[MFA]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"mfa-not-required"}))
    assert "(when not Strict)" in verdict.reason


def test_an_unreadable_branch_makes_a_passing_trust_unknown() -> None:
    role = _alternative_role(Choice("HasTrust", _trust_with(ALICE, MFA_TRUE), NO_VALUE))
    assert verdicts(role) == {
        TRUST: "UNKNOWN unreadable-trust-policy",
        LEAST_PRIVILEGE: "PASS",
        MFA: "UNKNOWN unreadable-trust-policy",
    }


def test_an_inline_policy_with_alternatives_fails_least_privilege_when_a_branch_does() -> None:
    from support_role import InlinePolicy

    policy = parse_policy(
        {
            "Statement": [
                {"Effect": "Allow", "Action": Choice("Debug", ["support:*", "ec2:*"], "support:*"), "Resource": "*"}
            ]
        }
    )
    role = Role(
        "aws-support",
        "aws-support",
        trust=parse_policy(_trust_with(ALICE, MFA_TRUE)),
        managed=(SUPPORT,),
        inline=(InlinePolicy("extra", policy),),
    )
    verdict = evaluate_role(role, Config())[LEAST_PRIVILEGE]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"non-support-action"}))
    assert "extra (when Debug)" in verdict.reason


# --- conditional attachments --------------------------------------------------------------------


def test_a_support_policy_attached_under_a_condition_makes_a_support_role_and_says_so() -> None:
    conditional = ManagedAttachment(SUPPORT.arn, condition="WithSupport")
    role = _alternative_role(_trust_with("arn:${AWS::Partition}:iam::${Admin}:root"), managed=(conditional,))
    results = evaluate_role(role, Config())
    assert verdicts(role) == {TRUST: "FAIL account-root", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}
    for verdict in results.values():
        assert verdict is not None
        assert "Conditionally a support role: AWSSupportAccess is attached only when WithSupport" in verdict.reason
        assert verdict.evidence_dict()["support_condition"] == ["WithSupport"]


def test_an_unconditional_support_attachment_wins_over_a_conditional_one() -> None:
    role = _alternative_role(
        _trust_with(ALICE, MFA_TRUE), managed=(ManagedAttachment(SUPPORT.arn, condition="C"), SUPPORT)
    )
    for verdict in evaluate_role(role, Config()).values():
        assert verdict is not None and "Conditionally" not in verdict.reason


def test_another_policy_attached_under_a_condition_counts_for_least_privilege() -> None:
    role = _alternative_role(
        _trust_with(ALICE, MFA_TRUE), managed=(SUPPORT, ManagedAttachment(ADMIN, condition="Debug"))
    )
    verdict = evaluate_role(role, Config())[LEAST_PRIVILEGE]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"extra-managed-policy"}))
    assert f"{ADMIN} (when Debug)" in verdict.reason


def test_a_conditional_support_role_satisfies_exists_and_the_reason_names_the_condition() -> None:
    role = _alternative_role(_trust_with(ALICE), managed=(ManagedAttachment(SUPPORT.arn, condition="WithSupport"),))
    verdict = evaluate_exists(Account("template t", (role,)), Config())
    assert verdict.status is Status.PASS and verdict.rule_id == EXISTS
    assert "aws-support (only when WithSupport)" in verdict.reason
    assert verdict.evidence_dict()["support_roles"] == ["aws-support"]
    assert verdict.evidence_dict()["conditional_support_roles"] == ["aws-support (when WithSupport)"]


def test_a_typed_reference_in_a_raw_document_is_a_principal_of_its_kind_and_an_arn_in_a_condition() -> None:
    user = TypedReference(ReferenceKind.IAM_USER, "aws_iam_user.alice.arn", name="alice")
    role = TypedReference(ReferenceKind.IAM_ROLE, "aws_iam_role.this.arn", name="support")
    document = parse_policy(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [user]}, "Condition": MFA_TRUE},
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "*"},
                    "Condition": {"ArnLike": {"aws:PrincipalArn": role}},
                },
            ]
        }
    )
    assert isinstance(document, PolicyDocument)
    (principal,) = document.statements[0].principals or ()
    assert principal == Principal(PrincipalKind.AWS, "aws_iam_user.alice.arn", resolved=False, reference=user)
    assert document.statements[1].conditions[0].values == ("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/support",)
    assert verdicts(Role("s", "s", trust=document, managed=(SUPPORT,))) == {
        TRUST: "PASS",
        LEAST_PRIVILEGE: "PASS",
        MFA: "PASS",
    }
