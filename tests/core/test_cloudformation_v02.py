"""The CloudFormation source reads what a template knows without a value (SEMANTICS.md since v0.2):
typed references, Fn::Sub with a variable map, Fn::Join (CDK), Fn::If with AWS::NoValue, resource
conditions. Templates are written the way Checkov hands them over (intrinsics in long form)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from support_role import (
    EXISTS,
    LEAST_PRIVILEGE,
    MFA,
    TRUST,
    Alternatives,
    Config,
    ReferenceKind,
    Status,
    TypedReference,
    evaluate_account,
    evaluate_role,
)
from support_role.sources.cloudformation import CloudFormationTemplate

SUPPORT_SUB = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"}
SUPPORT_JOIN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AWSSupportAccess"]]}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def trust(principal: object, condition: Mapping[str, object] | None = None, action: str = "sts:AssumeRole") -> dict:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Principal": principal}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def role(document: object, managed: object = (SUPPORT_SUB,), **extra: object) -> dict:
    props: dict[str, Any] = {"AssumeRolePolicyDocument": document}
    if managed is not None:
        props["ManagedPolicyArns"] = list(managed) if isinstance(managed, tuple) else managed
    resource: dict[str, Any] = {"Type": "AWS::IAM::Role", "Properties": props}
    resource.update(extra)
    return resource


OTHERS: dict[str, Any] = {
    "Oncall": {"Type": "AWS::IAM::User", "Properties": {"UserName": "oncall", "Path": "/ops/"}},
    "Responder": {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": trust({"Service": "ec2.amazonaws.com"})},
    },
    "Admins": {"Type": "AWS::IAM::Group", "Properties": {}},
    "Corp": {"Type": "AWS::IAM::SAMLProvider", "Properties": {"Name": "Corp", "SamlMetadataDocument": "x"}},
    "Ci": {
        "Type": "AWS::IAM::OIDCProvider",
        "Properties": {"Url": "https://token.ci.example.com", "ClientIdList": ["sts.amazonaws.com"]},
    },
}


def verdicts(resource: Mapping[str, Any], config: Config | None = None) -> dict[str, str]:
    template = CloudFormationTemplate("t.yaml", {"Resources": {"Support": resource, **OTHERS}})
    found = template.role("Support")
    assert found is not None
    return {
        rule_id: "NA" if v is None else " ".join([v.status.value, *sorted(v.codes)])
        for rule_id, v in evaluate_role(found, config or Config()).items()
    }


def principal_of(resource: Mapping[str, Any]) -> object:
    template = CloudFormationTemplate("t.yaml", {"Resources": {"Support": resource, **OTHERS}})
    found = template.role("Support")
    assert found is not None and not isinstance(found.trust, Alternatives)
    return found.trust.statements[0].principals[0]  # type: ignore[union-attr,index]


# --- typed references ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "name"),
    [
        ({"Fn::GetAtt": ["Oncall", "Arn"]}, ReferenceKind.IAM_USER, "ops/oncall"),
        ({"Fn::GetAtt": "Oncall.Arn"}, ReferenceKind.IAM_USER, "ops/oncall"),
        ({"Fn::Sub": "${Oncall.Arn}"}, ReferenceKind.IAM_USER, "ops/oncall"),
        ({"Fn::GetAtt": ["Responder", "Arn"]}, ReferenceKind.IAM_ROLE, None),
        ({"Fn::GetAtt": ["Admins", "Arn"]}, ReferenceKind.IAM_GROUP, None),
    ],
)
def test_getatt_of_an_iam_identity_is_a_typed_reference(value: object, kind: ReferenceKind, name: str | None) -> None:
    principal = principal_of(role(trust({"AWS": value})))
    reference = principal.reference  # type: ignore[attr-defined]
    assert isinstance(reference, TypedReference)
    assert (reference.kind, reference.name) == (kind, name)


def test_a_user_by_getatt_is_a_specific_person() -> None:
    assert verdicts(role(trust({"AWS": {"Fn::GetAtt": ["Oncall", "Arn"]}}, MFA_TRUE))) == {
        TRUST: "PASS",
        LEAST_PRIVILEGE: "PASS",
        MFA: "PASS",
    }
    assert verdicts(role(trust({"AWS": {"Fn::GetAtt": ["Oncall", "Arn"]}})))[MFA] == "FAIL mfa-not-required"


def test_a_role_by_getatt_needs_no_mfa_and_a_group_is_no_principal() -> None:
    assert verdicts(role(trust({"AWS": {"Fn::GetAtt": ["Responder", "Arn"]}}))) == {
        TRUST: "PASS",
        LEAST_PRIVILEGE: "PASS",
        MFA: "PASS",
    }
    assert verdicts(role(trust({"AWS": {"Fn::GetAtt": ["Admins", "Arn"]}})))[TRUST] == "FAIL invalid-principal"


def test_the_account_id_pseudo_parameter_is_the_account_root() -> None:
    assert verdicts(role(trust({"AWS": {"Ref": "AWS::AccountId"}}))) == {
        TRUST: "FAIL account-root",
        LEAST_PRIVILEGE: "PASS",
        MFA: "FAIL mfa-not-required",
    }
    cdk = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
    assert verdicts(role(trust({"AWS": cdk})))[TRUST] == "FAIL account-root"


def test_providers_by_ref_are_federations_and_the_oidc_issuer_comes_from_the_url() -> None:
    assert verdicts(role(trust({"Federated": {"Ref": "Corp"}}, action="sts:AssumeRoleWithSAML")))[TRUST] == "PASS"
    oidc = {"Federated": {"Ref": "Ci"}}
    action = "sts:AssumeRoleWithWebIdentity"
    audience = {"StringEquals": {"token.ci.example.com:aud": "sts.amazonaws.com"}}
    assert verdicts(role(trust(oidc, audience, action))) == {
        TRUST: "FAIL oidc-without-subject",
        LEAST_PRIVILEGE: "PASS",
        MFA: "PASS",
    }
    pinned = {"StringEquals": {"token.ci.example.com:sub": "repo:org/app:ref:refs/heads/main"}}
    assert verdicts(role(trust(oidc, pinned, action)))[TRUST] == "PASS"
    wildcard = {"StringLike": {"token.ci.example.com:sub": "repo:org/*"}}
    assert verdicts(role(trust({"Federated": {"Fn::GetAtt": ["Ci", "Arn"]}}, wildcard, action)))[TRUST] == (
        "FAIL oidc-wildcard-subject"
    )


def test_a_parameter_without_default_as_a_whole_principal_stays_unknown() -> None:
    assert (
        verdicts(role(trust({"AWS": {"Ref": "TrustedPrincipal"}}, MFA_TRUE)))[TRUST] == "UNKNOWN unresolved-principal"
    )


def test_typed_references_meet_the_trusted_accounts_as_the_templates_own_account() -> None:
    config = Config(trusted_account_ids=frozenset({"123456789012"}))
    assert verdicts(role(trust({"AWS": {"Fn::GetAtt": ["Oncall", "Arn"]}}, MFA_TRUE)), config)[TRUST] == (
        "UNKNOWN unresolved-account"
    )


# --- Fn::Sub with a variable map, Fn::Join ----------------------------------------------------------


def test_sub_with_a_variable_map_keeps_unknown_variables_as_tokens() -> None:
    root = {"Fn::Sub": ["arn:${AWS::Partition}:iam::${Admin}:root", {"Admin": {"Ref": "AdminAccountId"}}]}
    assert principal_of(role(trust({"AWS": root}))).value == "arn:${AWS::Partition}:iam::${AdminAccountId}:root"  # type: ignore[attr-defined]
    assert verdicts(role(trust({"AWS": root})))[TRUST] == "FAIL account-root"
    user = {"Fn::Sub": ["arn:aws:iam::${Acct}:user/${Name}", {"Acct": "210987654321", "Name": "alice"}]}
    assert principal_of(role(trust({"AWS": user}))).value == "arn:aws:iam::210987654321:user/alice"  # type: ignore[attr-defined]


def test_join_with_an_unknown_account_is_still_a_user() -> None:
    user = {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam", "", {"Fn::ImportValue": "acct"}, "user/alice"]]}
    assert verdicts(role(trust({"AWS": user}, MFA_TRUE)))[TRUST] == "PASS"


def test_a_policy_arn_joined_with_an_unknown_name_is_unknown_not_another_policy() -> None:
    arn = {"Fn::Join": ["", ["arn:aws:iam::aws:policy/", {"Ref": "PolicyName"}]]}
    assert verdicts(role(trust({"AWS": "arn:aws:iam::1:user/a"}, MFA_TRUE), managed=(arn,)))[TRUST] == (
        "UNKNOWN support-status-unknown"
    )


# --- Fn::If and conditions --------------------------------------------------------------------------


def test_a_support_policy_under_fn_if_with_no_value_makes_a_conditional_support_role() -> None:
    managed = ({"Fn::If": ["WithSupport", SUPPORT_SUB, {"Ref": "AWS::NoValue"}]},)
    resource = role(trust({"AWS": "arn:aws:iam::210987654321:user/alice"}, MFA_TRUE), managed=managed)
    template = CloudFormationTemplate("t.yaml", {"Resources": {"Support": resource}})
    found = template.role("Support")
    assert found is not None
    results = evaluate_role(found, Config())
    for verdict in results.values():
        assert verdict is not None and verdict.status is Status.PASS
        assert "attached only when WithSupport" in verdict.reason
    exists = evaluate_account(template.account(), Config())[""][EXISTS]
    assert exists is not None and exists.status is Status.PASS
    assert "Support (only when WithSupport)" in exists.reason


def test_fn_if_over_the_whole_list_and_nested_conditions_are_named() -> None:
    managed = {"Fn::If": ["Debug", [SUPPORT_JOIN, ADMIN], [{"Fn::If": ["Prod", SUPPORT_SUB, {"Ref": "AWS::NoValue"}]}]]}
    resource = role(trust({"AWS": "arn:aws:iam::210987654321:user/alice"}, MFA_TRUE), managed=managed)
    found = CloudFormationTemplate("t.yaml", {"Resources": {"Support": resource}}).role("Support")
    assert found is not None and not isinstance(found.managed, type(None))
    assert [a.condition for a in found.managed] == ["Debug", "Debug", "not Debug and Prod"]  # type: ignore[union-attr]
    least = evaluate_role(found, Config())[LEAST_PRIVILEGE]
    assert least is not None and least.codes == frozenset({"extra-managed-policy"})
    assert f"{ADMIN} (when Debug)" in least.reason
    assert "attached only when Debug or not Debug and Prod" in least.reason


def test_a_trust_under_fn_if_is_judged_branch_by_branch() -> None:
    alice = "arn:aws:iam::210987654321:user/alice"
    document = {"Fn::If": ["WithMfa", trust({"AWS": alice}, MFA_TRUE), trust({"AWS": alice})]}
    assert verdicts(role(document)) == {TRUST: "PASS", LEAST_PRIVILEGE: "PASS", MFA: "FAIL mfa-not-required"}
    inside = trust({"AWS": {"Fn::If": ["Open", "*", alice]}}, MFA_TRUE)
    assert verdicts(role(inside))[TRUST] == "FAIL wildcard-principal"
    dropped = trust(
        {"AWS": [alice, {"Fn::If": ["Extra", {"Ref": "AWS::AccountId"}, {"Ref": "AWS::NoValue"}]}]}, MFA_TRUE
    )
    assert verdicts(role(dropped)) == {TRUST: "FAIL account-root", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}


def test_a_conditional_inline_policy_counts_for_least_privilege_with_its_condition() -> None:
    policy = {
        "PolicyName": "debug",
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]},
    }
    resource = role(trust({"AWS": "arn:aws:iam::1:user/a"}, MFA_TRUE))
    resource["Properties"]["Policies"] = [{"Fn::If": ["Debug", policy, {"Ref": "AWS::NoValue"}]}]
    template = CloudFormationTemplate("t.yaml", {"Resources": {"Support": resource}})
    found = template.role("Support")
    assert found is not None
    least = evaluate_role(found, Config())[LEAST_PRIVILEGE]
    assert least is not None and least.codes == frozenset({"non-support-action"})
    assert "inline policy debug (when Debug)" in least.reason


def test_resource_conditions_make_attachments_conditional() -> None:
    resources = {
        "Support": role(trust({"AWS": "arn:aws:iam::1:user/a"}, MFA_TRUE), managed=None, Condition="Baseline"),
        "Attach": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Condition": "Extra",
            "Properties": {
                "Roles": [{"Ref": "Support"}],
                "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]},
            },
        },
    }
    resources["Support"]["Properties"]["ManagedPolicyArns"] = [SUPPORT_SUB]
    found = CloudFormationTemplate("t.yaml", {"Resources": resources}).role("Support")
    assert found is not None
    assert [a.condition for a in found.managed] == ["Baseline", "Baseline and Extra"]  # type: ignore[union-attr]


def test_the_shared_conditional_case_gives_what_it_says() -> None:
    """/work/shared/cases/conditional/template.yaml as Checkov hands it over (long-form intrinsics)."""
    template = {
        "Resources": {
            "ConditionalSupportRole": role(
                trust(
                    {
                        "AWS": {
                            "Fn::Sub": [
                                "arn:${AWS::Partition}:iam::${Admin}:root",
                                {"Admin": {"Ref": "AdminAccountId"}},
                            ]
                        }
                    }
                ),
                managed=({"Fn::If": ["WithSupport", SUPPORT_SUB, {"Ref": "AWS::NoValue"}]},),
            ),
            "ChannelRole": role(trust({"Service": "chatbot.amazonaws.com"}), managed=(SUPPORT_JOIN,)),
            "ChannelRolePolicy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "channel-notifications",
                    "Roles": [{"Ref": "ChannelRole"}],
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": ["cloudwatch:Describe*", "cloudwatch:Get*"], "Resource": "*"}
                        ]
                    },
                },
            },
        }
    }
    index = CloudFormationTemplate("template.yaml", template)
    results = evaluate_account(index.account(), Config())
    short = {
        (address, rule_id): "NA" if v is None else " ".join([v.status.value, *sorted(v.codes)])
        for address, verdicts_ in results.items()
        if address
        for rule_id, v in verdicts_.items()
    }
    assert short == {
        ("ChannelRole", TRUST): "FAIL service-principal",
        ("ChannelRole", LEAST_PRIVILEGE): "FAIL non-support-action",
        ("ChannelRole", MFA): "PASS",
        ("ConditionalSupportRole", TRUST): "FAIL account-root",
        ("ConditionalSupportRole", LEAST_PRIVILEGE): "PASS",
        ("ConditionalSupportRole", MFA): "FAIL mfa-not-required",
    }
    channel = results["ChannelRole"][TRUST]
    assert channel is not None and "no person" not in channel.reason and "whoever uses the service" in channel.reason
    for verdict in results["ConditionalSupportRole"].values():
        assert verdict is not None and "only when WithSupport" in verdict.reason


# --- parameters without a default ------------------------------------------------------------------

PARAMETERS: dict[str, Any] = {
    "TrustedAccountId": {"Type": "String", "AllowedPattern": "^[0-9]{12}$"},
    "Responder": {"Type": "String", "AllowedValues": ["arn:aws:iam::210987654321:user/alice", "*"]},
    "SupportPolicy": {"Type": "String", "AllowedValues": [SUPPORT_SUB["Fn::Sub"], ADMIN]},
    "Free": {"Type": "String"},
}


def _with_parameters(resource: Mapping[str, Any], config: Config | None = None) -> dict[str, str]:
    template = CloudFormationTemplate("t.yaml", {"Resources": {"Support": resource}}, parameters=PARAMETERS)
    found = template.role("Support")
    assert found is not None
    return {
        rule_id: "NA" if v is None else " ".join([v.status.value, *sorted(v.codes)])
        for rule_id, v in evaluate_role(found, config or Config()).items()
    }


def test_a_parameter_declared_as_an_account_id_is_that_accounts_root() -> None:
    resource = role(trust({"AWS": {"Ref": "TrustedAccountId"}}))
    assert _with_parameters(resource) == {
        TRUST: "FAIL account-root",
        LEAST_PRIVILEGE: "PASS",
        MFA: "FAIL mfa-not-required",
    }
    config = Config(allow_account_roots=True, trusted_account_ids=frozenset({"210987654321"}))
    assert _with_parameters(resource, config)[TRUST] == "UNKNOWN unresolved-account"
    user = {"Fn::Sub": "arn:${AWS::Partition}:iam::${TrustedAccountId}:user/alice"}
    assert _with_parameters(role(trust({"AWS": user}, MFA_TRUE)))[TRUST] == "PASS"


def test_a_parameter_with_allowed_values_is_judged_value_by_value() -> None:
    verdicts_ = _with_parameters(role(trust({"AWS": {"Ref": "Responder"}}, MFA_TRUE)))
    assert verdicts_ == {TRUST: "FAIL wildcard-principal", LEAST_PRIVILEGE: "PASS", MFA: "PASS"}
    template = CloudFormationTemplate(
        "t.yaml",
        {"Resources": {"Support": role(trust({"AWS": {"Ref": "Responder"}}, MFA_TRUE))}},
        parameters=PARAMETERS,
    )
    found = template.role("Support")
    assert found is not None
    trust_verdict = evaluate_role(found, Config())[TRUST]
    assert (
        trust_verdict is not None
        and "* (when not Responder = arn:aws:iam::210987654321:user/alice)" in trust_verdict.reason
    )


def test_a_policy_parameter_with_allowed_values_attaches_each_under_its_condition() -> None:
    resource = role(trust({"AWS": "arn:aws:iam::1:user/a"}, MFA_TRUE), managed=({"Ref": "SupportPolicy"},))
    assert _with_parameters(resource) == {TRUST: "PASS", LEAST_PRIVILEGE: "FAIL extra-managed-policy", MFA: "PASS"}


def test_a_parameter_without_a_declaration_that_tells_stays_unknown() -> None:
    assert _with_parameters(role(trust({"AWS": {"Ref": "Free"}}, MFA_TRUE)))[TRUST] == "UNKNOWN unresolved-principal"
    free_policy = role(trust({"AWS": "arn:aws:iam::1:user/a"}, MFA_TRUE), managed=({"Ref": "Free"},))
    assert _with_parameters(free_policy)[TRUST] == "UNKNOWN support-status-unknown"


def test_parameters_as_checkov_keeps_them_are_read_too() -> None:
    """Checkov keeps each parameter as a pseudo resource: {"Type": "parameters", "Properties": <declaration>}."""
    checkov_shape = {
        "TrustedAccountId": {
            "Type": "parameters",
            "Properties": {"Type": "String", "AllowedPattern": "\\d{12}", "__startline__": 6, "__endline__": 8},
        }
    }
    template = {
        "Resources": {"Support": role(trust({"AWS": {"Ref": "TrustedAccountId"}}))},
        "Parameters": checkov_shape,
    }
    found = CloudFormationTemplate("t.yaml", template).role("Support")
    assert found is not None
    trust_verdict = evaluate_role(found, Config())[TRUST]
    assert trust_verdict is not None and trust_verdict.codes == frozenset({"account-root"})
