"""IAM policy variables (``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${*}``...) are literal
policy text, never an unresolved IaC reference; a Terraform or CloudFormation reference that was not
rendered stays unresolved. Both directions, on the core (the live-account path's reading) and on the
CloudFormation source (``!Sub`` with the ``${!...}`` escape). Review defect D10."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

import pytest

from support_role import (
    LEAST_PRIVILEGE,
    MFA,
    TRUST,
    Config,
    PolicyDocument,
    Unknown,
    evaluate_role,
    parse_policy,
)
from support_role._values import is_policy_variable, is_unresolved_reference, leaf_text, request_dependent
from support_role.sources.cloudformation import CloudFormationTemplate
from support_role.sources.iam_api import role_from_api

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
ALICE = "arn:aws:iam::111122223333:user/alice"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

POLICY_VARIABLES = [
    "${aws:username}",
    "${aws:userid}",
    "${aws:PrincipalAccount}",
    "${aws:PrincipalTag/team}",
    "${aws:PrincipalTag/cost center}",
    "${aws:ResourceTag/aws:cloudformation:stack-name}",
    "${AWS:currenttime}",
    "${saml:sub}",
    "${sts:ExternalId}",
    "${s3:prefix}",
    "${www.amazon.com:user_id}",
    "${cognito-identity.amazonaws.com:sub}",
    "${oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub}",
    "${iot:Connection.Thing.Attributes[color]}",
    "${*}",
    "${?}",
    "${$}",
    "${aws:userid, 'anonymous'}",
    "${aws:PrincipalTag/team, 'company-wide'}",
    "${aws:username, 'it''s'}",
]
REFERENCES = [
    "${var.x}",
    "${local.x}",
    "${aws_iam_user.a.arn}",
    "${data.aws_caller_identity.current.account_id}",
    "${module.m.role_arn}",
    "${each.key}",
    "${var.users[0]}",
    '${var.a ? "b" : "c"}',
    "${a ? b:c}",
    "${a?b:c}",
    "${a:b ? c : d}",
    '${"a:b"}',
    '${join(":", var.x)}',
    "${ aws:username }",
    "${aws:}",
    "${:username}",
    "${aws:x, y}",
    "${AWS::AccountId}",
    "${AWS::Partition}",
    "${AWS::Region}",
    "${AccountId}",
    "${Role.Arn}",
]


@pytest.mark.parametrize("text", POLICY_VARIABLES)
def test_a_policy_variable_is_literal_policy_text(text: str) -> None:
    assert is_policy_variable(text)
    assert not is_unresolved_reference(text)
    assert not is_unresolved_reference(f"  {text} ")


@pytest.mark.parametrize("text", REFERENCES)
def test_an_iac_reference_or_expression_stays_unresolved(text: str) -> None:
    assert not is_policy_variable(text)
    assert is_unresolved_reference(text)


def test_only_variables_the_request_fills_in_depend_on_it() -> None:
    assert request_dependent("repo:org/${aws:username}")
    assert not request_dependent("literal${*}star${?}${$}")
    assert not request_dependent("${var.x}")


def trust(condition: Mapping[str, object] | None = None, principal: object = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": ALICE} if principal is None else principal,
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def uploads(value: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": "arn:aws:s3:::uploads/*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": value}},
            }
        ],
    }


ETLEAP_CONDITION = {**MFA_TRUE, "StringLike": {"sts:RoleSessionName": "${aws:username}"}}


def test_the_parsed_condition_keeps_the_variable_as_its_value() -> None:
    document = parse_policy(trust(ETLEAP_CONDITION))
    assert isinstance(document, PolicyDocument)
    values = {c.key: c.values for c in document.statements[0].conditions}
    assert values == {"aws:multifactorauthpresent": ("true",), "sts:rolesessionname": ("${aws:username}",)}


@pytest.mark.parametrize("value", ["${var.session}", "${aws_iam_user.a.name}", "var.session", "${AWS::AccountId}"])
def test_an_unrendered_reference_in_a_condition_still_makes_the_document_unreadable(value: str) -> None:
    document = parse_policy(trust({**MFA_TRUE, "StringLike": {"sts:RoleSessionName": value}}))
    assert isinstance(document, Unknown)
    assert f"Condition StringLike value {value} could not be resolved" in document.reason


def live(trust_document: Mapping[str, Any], inline: Mapping[str, object] | None = None) -> dict[str, str]:
    """The live-account path: what GetRole & co. return, as the Prowler checks read it."""
    role = role_from_api(
        {
            "RoleName": "support",
            "Arn": "arn:aws:iam::111122223333:role/support",
            "AssumeRolePolicyDocument": trust_document,
        },
        [{"PolicyName": "AWSSupportAccess", "PolicyArn": SUPPORT}],
        dict(inline or {}),
        {},
    )
    return {
        rule_id: "NA" if v is None else " ".join([v.status.value, *sorted(v.codes)])
        for rule_id, v in evaluate_role(role, Config()).items()
    }


def test_live_a_session_name_pinned_to_the_user_name_only_narrows() -> None:
    assert live(trust(ETLEAP_CONDITION)) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    # the IAM API returns documents URL-encoded
    encoded = urllib.parse.quote(json.dumps(trust(ETLEAP_CONDITION)))
    assert live(encoded) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}  # type: ignore[arg-type]


def test_live_the_account_root_with_mfa_and_the_session_condition_is_an_account_root() -> None:
    root = trust(ETLEAP_CONDITION, {"AWS": "arn:aws:iam::841591717599:root"})
    assert live(root) == {TRUST: "FAIL account-root", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


@pytest.mark.parametrize("value", ["${aws:PrincipalAccount}", "${aws:PrincipalTag/team, 'company-wide'}", "${*}"])
def test_live_an_inline_policy_narrowed_by_a_variable_is_judged_by_its_actions(value: str) -> None:
    verdicts = live(trust(MFA_TRUE), {"uploads": json.dumps(uploads(value))})
    assert verdicts == {TRUST: "PASS", LEAST_PRIVILEGE: "FAIL non-support-action", MFA: "PASS"}


def test_a_variable_in_a_narrowing_arn_names_no_specific_person() -> None:
    # aws:PrincipalArn = user/${aws:username} matches every user of the account: a wildcard
    narrowed = trust({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/${aws:username}"}}, {"AWS": "*"})
    assert live(narrowed)[TRUST] == "FAIL wildcard-principal"
    # IAM does not substitute variables in Principal: no such principal exists
    assert live(trust(MFA_TRUE, {"AWS": "arn:aws:iam::111122223333:user/${aws:username}"}))[TRUST] == (
        "FAIL wildcard-principal"
    )
    assert live(trust(MFA_TRUE, {"AWS": "${aws:username}"}))[TRUST] == "FAIL invalid-principal"
    # while an IaC interpolation in the name is still a specific (partially known) user
    assert live(trust(MFA_TRUE, {"AWS": "arn:aws:iam::111122223333:user/${var.name}"}))[TRUST] == "PASS"


GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"


def test_an_oidc_subject_filled_in_from_the_request_is_a_wildcard_and_a_fixed_character_is_not() -> None:
    def subject(operator: str, value: str) -> str:
        document = trust({operator: {SUB: value}}, {"Federated": GITHUB})
        document["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentity"
        return live(document)[TRUST]

    assert subject("StringEquals", "repo:org/${aws:PrincipalTag/repo}:ref:refs/heads/main") == (
        "FAIL oidc-wildcard-subject"
    )
    assert subject("StringLike", "repo:org/app${*}:ref:refs/heads/main") == "PASS"
    assert subject("StringLike", "repo:org/app:ref:refs/heads/*") == "FAIL oidc-wildcard-subject"


# --- CloudFormation: ${!Literal} is the escape for the literal ${Literal} ------------------------


def test_sub_escape_renders_the_literal_variable() -> None:
    assert leaf_text({"Fn::Sub": "${!aws:username}-${AWS::Region}"}) == "${aws:username}-${AWS::Region}"
    assert leaf_text({"Fn::Sub": ["${!aws:PrincipalAccount}", {}]}) == "${aws:PrincipalAccount}"


INLINE_SUB = """{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
    "Resource": "arn:${AWS::Partition}:s3:::incident-uploads/*",
    "Condition": {"StringEquals": {"aws:ResourceAccount": "${!aws:PrincipalAccount}"}}}]
}"""


def cfn(inline_document: object, condition: Mapping[str, object] | None = None) -> dict[str, str]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}
    statement["Condition"] = condition or MFA_TRUE
    template = {
        "Resources": {
            "SupportRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                    "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"}],
                    "Policies": [{"PolicyName": "own-bucket-prefix", "PolicyDocument": inline_document}],
                },
            }
        }
    }
    role = CloudFormationTemplate("t.yaml", template).role("SupportRole")
    assert role is not None
    return {
        rule_id: "NA" if v is None else " ".join([v.status.value, *sorted(v.codes)])
        for rule_id, v in evaluate_role(role, Config()).items()
    }


def test_cfn_sub_with_an_escaped_variable_in_a_condition_is_judged_by_its_actions() -> None:
    expected = {TRUST: "PASS", LEAST_PRIVILEGE: "FAIL non-support-action", MFA: "PASS"}
    assert cfn({"Fn::Sub": INLINE_SUB}) == expected
    assert cfn({"Fn::Sub": [INLINE_SUB, {"Bucket": "incident-uploads"}]}) == expected
    # a plain string (no Sub) writes the variable without the escape
    assert cfn(json.loads(INLINE_SUB.replace("${!", "${").replace("${AWS::Partition}", "aws"))) == expected


def test_cfn_trust_with_an_escaped_variable_in_a_condition() -> None:
    condition = {**MFA_TRUE, "StringLike": {"sts:RoleSessionName": {"Fn::Sub": "${!aws:username}"}}}
    allowed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
    assert cfn(allowed, condition) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


def test_cfn_an_unknown_sub_variable_in_a_condition_stays_unresolved() -> None:
    # ${Bucket} names no parameter or resource: it is not a policy variable
    unknown = INLINE_SUB.replace("${!aws:PrincipalAccount}", "${Bucket}")
    assert cfn({"Fn::Sub": unknown})[LEAST_PRIVILEGE] == "UNKNOWN policy-not-visible"
