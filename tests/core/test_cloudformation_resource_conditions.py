"""Resource ``Condition``s (review defect D6, cfn-resource-condition-default-false): Checkov drops
the attribute, and drops the resource where the condition is false with the parameters' defaults.
The source reads the template as written in its file: a kept role under a condition is a
conditional support role (every reason says so); a dropped one counts for the exists rule as a
conditional support role, and never carries a result (Checkov runs no check on it)."""

from __future__ import annotations

from typing import Any

from support_role import EXISTS, LEAST_PRIVILEGE, MFA, TRUST, Config, Status, evaluate_exists, evaluate_role
from support_role.sources.cloudformation import CloudFormationTemplate

SUPPORT_SUB = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"}
ROOT_SUB = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
PARAMETERS = {"CreateSupportRole": {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"}}
CONDITIONS = {"WithSupport": {"Fn::Equals": [{"Ref": "CreateSupportRole"}, "true"]}}


def support_role(condition: bool = True) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT_SUB}, "Action": "sts:AssumeRole"}],
            },
            "ManagedPolicyArns": [SUPPORT_SUB],
        },
    }
    if condition:
        resource["Condition"] = "WithSupport"
    return resource


USER = {"Type": "AWS::IAM::User", "Properties": {"UserName": "oncall"}}
WRITTEN = {
    "Parameters": PARAMETERS,
    "Conditions": CONDITIONS,
    "Resources": {"SupportRole": support_role(), "Oncall": USER},
}


def test_a_kept_role_under_a_condition_is_a_conditional_support_role() -> None:
    # Checkov kept it (the condition holds with the defaults) without its Condition attribute
    checkov = {"Parameters": PARAMETERS, "Resources": {"SupportRole": support_role(condition=False), "Oncall": USER}}
    role = CloudFormationTemplate("t.yaml", checkov, written=WRITTEN).role("SupportRole")
    assert role is not None
    found = evaluate_role(role, Config())
    assert {k: " ".join([v.status.value, *sorted(v.codes)]) for k, v in found.items() if v is not None} == {
        TRUST: "FAIL account-root",
        LEAST_PRIVILEGE: "PASS",
        MFA: "FAIL mfa-not-required",
    }
    for verdict in found.values():
        assert verdict is not None
        assert "Conditionally a support role: AWSSupportAccess is attached only when WithSupport" in verdict.reason


def test_a_dropped_role_counts_for_exists_and_carries_no_result() -> None:
    checkov = {"Parameters": PARAMETERS, "Resources": {"Oncall": USER}}
    template = CloudFormationTemplate("t.yaml", checkov, written=WRITTEN)
    exists = evaluate_exists(template.account(), Config())
    assert exists.status is Status.PASS
    assert "WithSupport" in exists.reason
    assert template.carrier() == "Oncall"
    # without the file, the exists rule would rest on what Checkov dropped
    alone = CloudFormationTemplate("t.yaml", checkov)
    assert evaluate_exists(alone.account(), Config()).codes == frozenset({"no-support-role"})
    assert EXISTS == "support-role-exists"


def test_a_policy_dropped_by_its_condition_still_attaches_under_it() -> None:
    policy = {
        "Type": "AWS::IAM::Policy",
        "Condition": "WithSupport",
        "Properties": {
            "PolicyName": "extra",
            "Roles": [{"Ref": "SupportRole"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            },
        },
    }
    written = {**WRITTEN, "Resources": {"SupportRole": support_role(condition=False), "Extra": policy}}
    checkov = {"Parameters": PARAMETERS, "Resources": {"SupportRole": support_role(condition=False)}}
    role = CloudFormationTemplate("t.yaml", checkov, written=written).role("SupportRole")
    assert role is not None
    least = evaluate_role(role, Config())[LEAST_PRIVILEGE]
    assert least is not None and (least.status, least.codes) == (Status.FAIL, frozenset({"non-support-action"}))
    assert "extra (when WithSupport)" in least.reason
