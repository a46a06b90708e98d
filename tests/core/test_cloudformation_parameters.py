"""Conditions over parameters in ``ManagedPolicyArns`` (review defect D3, cfn-param-sentinel-policy):
Checkov renders ``!Ref Param`` as the parameter's default and drops ``Conditions``; the source reads
the template as written in its file (``written``) and decides an ``Fn::If`` whose condition depends
only on parameters for every value they may take: each ``AllowedValues`` entry, or without them the
default, each literal the condition compares with, and any other value given at deploy time (which
names the parameter when it is attached)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from support_role import (
    LEAST_PRIVILEGE,
    MFA,
    TRUST,
    Config,
    Status,
    Verdict,
    evaluate_account,
    evaluate_exists,
    evaluate_role,
)
from support_role.sources.cloudformation import CloudFormationTemplate

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
VIEW = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
NO_VALUE = {"Ref": "AWS::NoValue"}
TRUST_DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
HAS_POLICY = {"hasManagedPolicy": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ManagedPolicy"}, "None"]}]}}


def _role(arns: list[object]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST_DOC, "ManagedPolicyArns": arns}}


def verdicts(
    parameters: Mapping[str, object],
    conditions: Mapping[str, object],
    written: list[object],
    rendered: list[object],
) -> dict[str, Verdict]:
    """The per-role verdicts of a role whose ManagedPolicyArns Checkov rendered as ``rendered``."""
    checkov = {"Parameters": parameters, "Resources": {"Role": _role(rendered)}}  # no Conditions: Checkov drops them
    file = {"Parameters": parameters, "Conditions": conditions, "Resources": {"Role": _role(written)}}
    role = CloudFormationTemplate("t.yaml", checkov, written=file).role("Role")
    assert role is not None
    out = {k: v for k, v in evaluate_role(role, Config()).items() if v is not None}
    return out


def short(found: Mapping[str, Verdict]) -> dict[str, str]:
    return {k: " ".join([v.status.value, *sorted(v.codes)]) for k, v in found.items()}


SENTINEL_ENTRY = {"Fn::If": ["hasManagedPolicy", {"Ref": "ManagedPolicy"}, NO_VALUE]}


def test_a_none_sentinel_is_ruled_out_by_its_condition_and_every_allowed_policy_is_judged() -> None:
    parameters = {"ManagedPolicy": {"Type": "String", "AllowedValues": [ADMIN, VIEW, "None"], "Default": "None"}}
    rendered = [{"Fn::If": ["hasManagedPolicy", "None", NO_VALUE]}, SUPPORT]
    found = verdicts(parameters, HAS_POLICY, [SENTINEL_ENTRY, SUPPORT], rendered)
    assert short(found) == {TRUST: "PASS", LEAST_PRIVILEGE: "FAIL extra-managed-policy", MFA: "PASS"}
    reason = found[LEAST_PRIVILEGE].reason
    assert f"{ADMIN} (when hasManagedPolicy)" in reason
    assert f"{VIEW} (when hasManagedPolicy)" in reason
    assert "None" not in reason
    # without the file (Checkov's rendering alone) the sentinel reads as a customer policy named None
    alone = CloudFormationTemplate("t.yaml", {"Parameters": parameters, "Resources": {"Role": _role(rendered)}})
    role = alone.role("Role")
    assert role is not None
    assert evaluate_role(role, Config())[LEAST_PRIVILEGE].status is Status.UNKNOWN  # type: ignore[union-attr]


def test_a_sentinel_without_allowed_values_is_unknown_naming_the_parameter() -> None:
    parameters = {"ManagedPolicy": {"Type": "String", "Default": "None"}}
    rendered = [{"Fn::If": ["hasManagedPolicy", "None", NO_VALUE]}, SUPPORT]
    found = verdicts(parameters, HAS_POLICY, [SENTINEL_ENTRY, SUPPORT], rendered)
    assert short(found) == {TRUST: "PASS", LEAST_PRIVILEGE: "UNKNOWN unresolved-policy", MFA: "PASS"}
    reason = found[LEAST_PRIVILEGE].reason
    assert "!Ref ManagedPolicy could not be resolved (a parameter whose value is given at deploy time" in reason
    assert "None" not in reason.replace("None (", "")


def test_an_opt_in_switch_without_allowed_values_still_makes_a_conditional_support_role() -> None:
    parameters = {"CreateSupportRole": {"Type": "String", "Default": "false"}}
    conditions = {"WithSupport": {"Fn::Equals": [{"Ref": "CreateSupportRole"}, "true"]}}
    entry = {"Fn::If": ["WithSupport", SUPPORT, NO_VALUE]}
    found = verdicts(parameters, conditions, [entry], [entry])
    assert short(found) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    assert "Conditionally a support role: AWSSupportAccess is attached only when WithSupport" in found[TRUST].reason


def test_an_opt_in_switch_with_allowed_values_is_judged_the_same() -> None:
    parameters = {"CreateSupportRole": {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"}}
    conditions = {
        "Enabled": {"Fn::Equals": [{"Ref": "CreateSupportRole"}, "true"]},
        "WithSupport": {"Condition": "Enabled"},
    }
    entry = {"Fn::If": ["WithSupport", SUPPORT, NO_VALUE]}
    found = verdicts(parameters, conditions, [entry], [entry])
    assert short(found) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    assert "only when WithSupport" in found[LEAST_PRIVILEGE].reason


def test_a_policy_chosen_among_allowed_values_is_judged_for_each() -> None:
    parameters = {"Policy": {"Type": "String", "AllowedValues": [SUPPORT, ADMIN], "Default": SUPPORT}}
    found = verdicts(parameters, {}, [{"Ref": "Policy"}], [SUPPORT])
    assert short(found) == {TRUST: "PASS", LEAST_PRIVILEGE: "FAIL extra-managed-policy", MFA: "PASS"}
    assert f"{ADMIN} (when Policy = {ADMIN})" in found[LEAST_PRIVILEGE].reason
    assert f"only when Policy = {SUPPORT}" in found[TRUST].reason


def test_a_condition_on_a_pseudo_parameter_keeps_both_branches_as_checkov_rendered_them() -> None:
    conditions = {"InUsEast1": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    entry = {"Fn::If": ["InUsEast1", ADMIN, NO_VALUE]}
    found = verdicts({}, conditions, [entry, SUPPORT], [entry, SUPPORT])
    assert short(found)[LEAST_PRIVILEGE] == "FAIL extra-managed-policy"
    assert f"{ADMIN} (when InUsEast1)" in found[LEAST_PRIVILEGE].reason


def test_the_exists_rule_sees_the_same_attachments() -> None:
    parameters = {"ManagedPolicy": {"Type": "String", "AllowedValues": [ADMIN, "None"], "Default": "None"}}
    file = {"Parameters": parameters, "Conditions": HAS_POLICY, "Resources": {"Role": _role([SENTINEL_ENTRY, SUPPORT])}}
    checkov = {
        "Parameters": parameters,
        "Resources": {"Role": _role([{"Fn::If": ["hasManagedPolicy", "None", NO_VALUE]}, SUPPORT])},
    }
    account = CloudFormationTemplate("t.yaml", checkov, written=file).account()
    assert evaluate_exists(account, Config()).status is Status.PASS
    role = evaluate_account(account, Config())["Role"][LEAST_PRIVILEGE]
    assert role is not None and (role.status, role.codes) == (Status.FAIL, frozenset({"extra-managed-policy"}))


def test_a_branch_the_default_reaches_is_judged_with_the_default() -> None:
    # bkc1's SupportAccess: default the AWSSupportAccess ARN, attached when it is not empty
    parameters = {"SupportAccess": {"Type": "String", "Default": SUPPORT}}
    conditions = {"hasSupportAccess": {"Fn::Not": [{"Fn::Equals": [{"Ref": "SupportAccess"}, ""]}]}}
    entry = {"Fn::If": ["hasSupportAccess", {"Ref": "SupportAccess"}, NO_VALUE]}
    found = verdicts(parameters, conditions, [entry], [{"Fn::If": ["hasSupportAccess", SUPPORT, NO_VALUE]}])
    assert short(found) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    assert "Conditionally a support role: AWSSupportAccess is attached only when hasSupportAccess" in (
        found[TRUST].reason
    )
