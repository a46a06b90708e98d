"""The rules on IAM Identity Center permission sets, and on the roles Identity Center makes from them."""

from __future__ import annotations

import re

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
    PermissionSet,
    Role,
    Status,
    Unknown,
    evaluate_account,
    evaluate_exists,
    evaluate_permission_set,
    evaluate_role,
    parse_policy,
)
from support_role._identity_center import permission_set_of_role, role_name, role_path
from support_role.scenarios import ScenarioError, mismatches, scenario_account, scenario_from_mapping

SUPPORT = ManagedAttachment("arn:aws:iam::aws:policy/AWSSupportAccess")
ADMIN = ManagedAttachment("arn:aws:iam::aws:policy/AdministratorAccess")
EC2_DOC = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
)
SUPPORT_DOC = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
)


def permission_set(*managed: ManagedAttachment, **fields: object) -> PermissionSet:
    return PermissionSet("SupportOps", "aws_ssoadmin_permission_set.support", managed=managed, **fields)  # type: ignore[arg-type]


def codes(verdicts: dict[str, object]) -> dict[str, tuple[str, list[str]] | None]:
    out: dict[str, tuple[str, list[str]] | None] = {}
    for rule, verdict in verdicts.items():
        out[rule] = None if verdict is None else (verdict.status.value, sorted(verdict.codes))  # type: ignore[attr-defined]
    return out


def test_a_permission_set_with_only_aws_support_access_passes_every_rule_with_the_reason() -> None:
    verdicts = evaluate_permission_set(permission_set(SUPPORT), Config())
    assert codes(verdicts) == {TRUST: ("PASS", []), LEAST_PRIVILEGE: ("PASS", []), MFA: ("PASS", [])}
    trust, mfa = verdicts[TRUST], verdicts[MFA]
    assert trust is not None and mfa is not None
    assert trust.reason == (
        "aws_ssoadmin_permission_set.support is reached only through IAM Identity Center assignments, each to a "
        "user or a group of the identity store whom an administrator chose; the roles it makes trust only "
        "Identity Center's SAML provider."
    )
    assert "MFA is enforced" in mfa.reason
    assert trust.evidence_dict() == {
        "permission_set": ["SupportOps"],
        "trusted_principals": ["IAM Identity Center assignments"],
    }


def test_a_permission_set_without_the_support_policy_gets_no_verdict() -> None:
    assert set(evaluate_permission_set(permission_set(ADMIN), Config()).values()) == {None}
    bounded = permission_set(ADMIN, boundary="arn:aws:iam::aws:policy/AWSSupportAccess")
    assert set(evaluate_permission_set(bounded, Config()).values()) == {None}


def test_least_privilege_is_judged_as_for_a_role() -> None:
    customer = ManagedAttachment("arn:aws:iam::111122223333:policy/ops/extra", EC2_DOC)
    inline = (InlinePolicy("AwsSSOInlinePolicy", EC2_DOC),)
    facts = permission_set(SUPPORT, ADMIN, customer, inline=inline)
    verdict = evaluate_permission_set(facts, Config())[LEAST_PRIVILEGE]
    assert verdict is not None and verdict.status is Status.FAIL
    assert sorted((p.code, p.subject) for p in verdict.problems) == [
        ("extra-managed-policy", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ("non-support-action", "arn:aws:iam::111122223333:policy/ops/extra"),
        ("non-support-action", "inline policy AwsSSOInlinePolicy"),
    ]
    assert verdict.evidence_dict()["permission_set"] == ["SupportOps"]
    allowed = Config(allowed_policies=frozenset({"AdministratorAccess"}))
    fine = permission_set(SUPPORT, ADMIN, ManagedAttachment("arn:aws:iam::111122223333:policy/s", SUPPORT_DOC))
    assert codes(evaluate_permission_set(fine, allowed))[LEAST_PRIVILEGE] == ("PASS", [])


def test_a_customer_reference_whose_document_is_not_visible_is_unknown() -> None:
    hidden = ManagedAttachment("arn:aws:iam::111122223333:policy/extra", Unknown("not in this account"))
    verdict = evaluate_permission_set(permission_set(SUPPORT, hidden), Config())[LEAST_PRIVILEGE]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.UNKNOWN, frozenset({"policy-not-visible"}))
    assert "not in this account" in verdict.reason


def test_unreadable_managed_policies_leave_every_rule_undecided() -> None:
    unread = PermissionSet("SupportOps", "permission set SupportOps", managed=Unknown("AccessDenied"))
    assert codes(evaluate_permission_set(unread, Config())) == {
        rule: ("UNKNOWN", ["support-status-unknown"]) for rule in (TRUST, LEAST_PRIVILEGE, MFA)
    }


def account(*permission_sets: PermissionSet, roles: tuple[Role, ...] = ()) -> Account:
    return Account("root module baseline", roles, permission_sets=permission_sets)


def test_exists_counts_a_support_permission_set_assigned_in_scope() -> None:
    verdict = evaluate_exists(account(permission_set(SUPPORT, assigned=True)), Config())
    assert (verdict.status, verdict.codes) == (Status.PASS, frozenset())
    assert verdict.reason == "root module baseline has support role(s): permission set SupportOps."


def test_exists_does_not_count_an_unassigned_support_permission_set_and_lists_it() -> None:
    verdict = evaluate_exists(account(permission_set(SUPPORT)), Config())
    assert (verdict.status, verdict.codes) == (Status.FAIL, frozenset({"no-support-role"}))
    assert verdict.evidence_dict()["unassigned_support_permission_sets"] == ["permission set SupportOps"]
    assert "permission set SupportOps would make one" in verdict.reason


def test_exists_is_undecided_when_an_assignment_cannot_be_resolved() -> None:
    maybe = permission_set(SUPPORT, assigned=Unknown("the permission set of aws_ssoadmin_account_assignment.a"))
    verdict = evaluate_exists(account(maybe), Config())
    assert (verdict.status, verdict.codes) == (Status.UNKNOWN, frozenset({"undetermined-role"}))
    # an assignment of a permission set that is certainly not a support one changes nothing
    other = permission_set(ADMIN, assigned=Unknown("unresolved"))
    assert evaluate_exists(account(other), Config()).codes == frozenset({"no-support-role"})


def test_exists_names_an_assigned_permission_set_with_the_support_policy_only_as_boundary() -> None:
    bounded = permission_set(ADMIN, boundary="arn:aws:iam::aws:policy/AWSSupportAccess", assigned=True)
    verdict = evaluate_exists(account(bounded), Config())
    assert verdict.codes == frozenset({"no-support-role", "boundary-only"})


SSO_PATH = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/"
IDENTITY_CENTER_ROLE = f"{SSO_PATH}eu-west-1/AWSReservedSSO_Support_Ops_0123456789abcdef"


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (IDENTITY_CENTER_ROLE, "Support_Ops"),
        (f"{SSO_PATH}AWSReservedSSO_Admin_0123456789abcdef", "Admin"),
        ("arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef", None),  # not Identity Center's path
        (f"{SSO_PATH}AWSReservedSSO_Admin_0123", None),
        (f"{SSO_PATH}support", None),
        (None, None),
    ],
)
def test_the_permission_set_of_a_role_is_read_off_its_path_and_name(arn: str | None, expected: str | None) -> None:
    assert permission_set_of_role(arn) == expected


def test_the_name_helpers_give_what_identity_center_writes() -> None:
    name = role_name("SupportOps", "0123456789abcdef")
    arn = f"arn:aws:iam::111122223333:role{role_path('us-east-1')}{name}"
    assert permission_set_of_role(arn) == "SupportOps"


def test_findings_on_a_role_made_from_a_permission_set_name_it_and_say_where_to_fix() -> None:
    trust = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_0123_DO_NOT_DELETE"},
                    "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                }
            ],
        }
    )
    role = Role("AWSReservedSSO_Support_Ops_0123456789abcdef", "r", IDENTITY_CENTER_ROLE, trust, (SUPPORT, ADMIN))
    verdicts = evaluate_role(role, Config())
    assert codes(verdicts) == {
        TRUST: ("PASS", []),
        LEAST_PRIVILEGE: ("FAIL", ["extra-managed-policy"]),
        MFA: ("PASS", []),
    }
    for verdict in verdicts.values():
        assert verdict is not None
        assert verdict.evidence_dict()["permission_set"] == ["Support_Ops"]
        assert verdict.reason.endswith(
            "IAM Identity Center made this role from permission set Support_Ops: change the permission set (in the "
            "management or delegated-administrator account), not the role, which Identity Center overwrites."
        )
    plain = Role("support", "r", "arn:aws:iam::111122223333:role/support", trust, (SUPPORT,))
    assert all("permission_set" not in v.evidence_dict() for v in evaluate_role(plain, Config()).values() if v)


def test_exists_ignores_permission_sets_by_default() -> None:
    assert evaluate_exists(Account("a", ()), Config()).codes == frozenset({"no-support-role"})
    assert EXISTS == "support-role-exists"


SUPPORT_ARN = "arn:{partition}:iam::aws:policy/AWSSupportAccess"


def _scenario(permission_sets: list[dict[str, object]], **extra: object) -> dict[str, object]:
    return {"name": "s", "permission_sets": permission_sets, "expect": {"support-role-exists": "PASS"}, **extra}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_scenario([{"name": "a b", "policies": [SUPPORT_ARN]}]), "is not 1-32 of"),
        (_scenario([{"name": "S", "policies": ["arn:aws:iam::123456789012:policy/x"]}]), "not an AWS managed policy"),
        (
            _scenario([{"name": "S", "customer_policies": ["nowhere"], "assigned": True}]),
            "is assigned and refers to 'nowhere'",
        ),
        (_scenario([{"name": "S"}, {"name": "S"}]), "used twice"),
        (_scenario([{"name": "S", "assigned": "yes"}]), "assigned must be true or false"),
        (_scenario([{"name": "S"}], partition="aws-cn"), "aws partition only"),
        (
            _scenario([{"name": "S", "assigned": True}], config={"support_role_trusted_account_ids": ["111122223333"]}),
            "the trusted accounts leave out the account",
        ),
        (
            {**_scenario([{"name": "S"}]), "expect": {"support-role-exists": "PASS", "permission_sets": {"T": {}}}},
            "expect.permission_sets.T names no permission set",
        ),
    ],
)
def test_the_corpus_format_refuses_permission_sets_no_path_could_hold(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        scenario_from_mapping(raw)


def test_an_assigned_permission_set_stands_for_its_role_in_the_corpus() -> None:
    raw = _scenario([{"name": "SupportOps", "policies": [SUPPORT_ARN], "assigned": True}])
    raw["expect"] = {
        "support-role-exists": "PASS",
        "permission_sets": {
            "SupportOps": {TRUST: "PASS", LEAST_PRIVILEGE: "FAIL extra-managed-policy", MFA: "PASS"},
        },
    }
    scenario = scenario_from_mapping(raw)
    (role,) = scenario.identity_center_roles
    assert role == "AWSReservedSSO_SupportOps_e1de2d7e4129ea85"
    assert str(scenario.expectation(role, LEAST_PRIVILEGE)) == "FAIL extra-managed-policy"
    assert str(scenario.expectation("permission set SupportOps", LEAST_PRIVILEGE)) == "FAIL extra-managed-policy"
    assert scenario.subjects(identity_center_roles=False) == ["permission set SupportOps"]
    results = evaluate_account(scenario_account(scenario), Config())
    assert list(mismatches(scenario, results[""][EXISTS], results, identity_center_roles=True)) == [
        f"s: {role}: {LEAST_PRIVILEGE}: expected FAIL extra-managed-policy, got PASS",
        f"s: permission set SupportOps: {LEAST_PRIVILEGE}: expected FAIL extra-managed-policy, got PASS",
    ]
    without_role = {k: v for k, v in results.items() if k != role}
    assert next(mismatches(scenario, results[""][EXISTS], without_role, identity_center_roles=True)) == (
        f"s: {role}: {TRUST}: expected PASS, got no result"
    )
