"""The newcomer review's wording items (defect 11) and the custom-support-policy near miss (D9):
the MFA pass of a trust no IAM user or role can use says who assumes it instead; a condition met twice
is named once; Checkov's default-mode UNKNOWN warning line carries the problem codes; a customer policy
that grants support-family actions (a copy of AWSSupportAccess with Trusted Advisor) is the hint."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from support_role import (
    EXISTS,
    MFA,
    Account,
    Config,
    InlinePolicy,
    ManagedAttachment,
    Role,
    Status,
    evaluate_exists,
    evaluate_role,
    parse_policy,
)
from support_role.checkov_glue.outcomes import outcome_of

SUPPORT = ManagedAttachment("arn:aws:iam::aws:policy/AWSSupportAccess")


def trust(*principals: dict[str, Any], action: str = "sts:AssumeRole") -> object:
    statements = [{"Effect": "Allow", "Principal": p, "Action": action} for p in principals]
    return parse_policy({"Version": "2012-10-17", "Statement": statements})


def mfa_reason(document: object) -> str:
    role = Role(name="r", address="r", trust=document, managed=(SUPPORT,))  # type: ignore[arg-type]
    verdict = evaluate_role(role, Config())[MFA]
    assert verdict is not None and verdict.status is Status.PASS
    return verdict.reason


def test_a_service_only_trust_passes_mfa_without_speaking_of_federation() -> None:
    reason = mfa_reason(trust({"Service": "chatbot.amazonaws.com"}))
    assert "lets no IAM user or role assume it: only AWS services do" in reason
    assert "federated" not in reason


def test_a_federated_trust_keeps_its_wording_and_both_are_named() -> None:
    saml = {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}
    only = mfa_reason(trust(saml, action="sts:AssumeRoleWithSAML"))
    assert "lets no IAM user or role assume it (federated MFA lives at the identity provider)." in only
    both = mfa_reason(
        parse_policy(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": saml, "Action": "sts:AssumeRoleWithSAML"},
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                ],
            }
        )
    )
    assert "federated principals (their MFA lives at the identity provider) and AWS services" in both


@pytest.mark.parametrize(
    ("written", "shown"),
    [("var.create and var.create", "var.create"), ("A and B and A", "A and B"), ("A", "A"), (None, None)],
)
def test_a_condition_met_twice_is_named_once(written: str | None, shown: str | None) -> None:
    assert ManagedAttachment("arn:aws:iam::aws:policy/ReadOnlyAccess", None, written).condition == shown


def test_the_default_mode_unknown_warning_carries_the_problem_codes(caplog: pytest.LogCaptureFixture) -> None:
    role = Role(name="r", address="aws_iam_role.r", trust=trust({"AWS": "${var.who}"}), managed=(SUPPORT,))
    verdict = evaluate_role(role, Config())["support-role-trust"]
    assert verdict is not None and verdict.status is Status.UNKNOWN
    with caplog.at_level(logging.WARNING, logger="cis_support_role.checkov"):
        outcome_of(verdict, Config(), "CKV_CISSR_2")
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("CKV_CISSR_2 UNKNOWN for aws_iam_role.r (Checkov hides UNKNOWN results")
    assert line.endswith("verdict: UNKNOWN [unresolved-principal]")


TRUST_ALICE = trust({"AWS": "arn:aws:iam::111122223333:user/alice"})


@pytest.mark.parametrize(
    "actions",
    [["trustedadvisor:Describe*"], ["support:*", "trustedadvisor:Describe*"], ["support-console:*"]],
)
def test_a_customer_policy_granting_support_family_actions_is_the_near_miss(actions: list[str]) -> None:
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    )
    policy = ManagedAttachment("arn:aws:iam::111122223333:policy/acme-support", document)
    role = Role(name="support", address="support", trust=TRUST_ALICE, managed=(policy,))
    exists = evaluate_exists(Account(address="a", roles=(role,)), Config())
    assert (exists.status, exists.codes) == (Status.FAIL, frozenset({"no-support-role", "custom-support-policy"}))
    assert "support (arn:aws:iam::111122223333:policy/acme-support)" in " ".join(p.subject for p in exists.problems)


def test_a_customer_policy_without_support_actions_is_no_near_miss() -> None:
    document = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}
    )
    policy = ManagedAttachment("arn:aws:iam::111122223333:policy/ec2-read", document)
    role = Role(name="r", address="r", trust=TRUST_ALICE, managed=(policy,), inline=(InlinePolicy("x", document),))
    assert evaluate_exists(Account(address="a", roles=(role,)), Config()).codes == frozenset({"no-support-role"})
    assert EXISTS == "support-role-exists"
