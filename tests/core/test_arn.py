"""Partitions, the support policy by exact ARN, and what kind of principal a trust policy names."""

from __future__ import annotations

import pytest

from support_role import PARTITIONS, Principal, PrincipalKind, is_support_policy, support_policy_arn
from support_role._arn import PrincipalClass, classify, is_aws_managed_policy, split_arn
from support_role._values import leaf_text

ALL_PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


def test_the_eight_partitions_are_known() -> None:
    assert set(PARTITIONS) == set(ALL_PARTITIONS)


@pytest.mark.parametrize("partition", ALL_PARTITIONS)
def test_the_support_policy_is_recognised_in_every_partition(partition: str) -> None:
    arn = f"arn:{partition}:iam::aws:policy/AWSSupportAccess"
    assert support_policy_arn(partition) == arn
    assert is_support_policy(arn)
    assert is_support_policy(f"  {arn} ")
    assert is_aws_managed_policy(arn)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess",
        "arn:${local.partition}:iam::aws:policy/AWSSupportAccess",
        "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess",
    ],
)
def test_an_interpolated_partition_counts(arn: str) -> None:
    assert is_support_policy(arn)


@pytest.mark.parametrize(
    "intrinsic",
    [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"},
        {"Fn::Sub": ["arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess", {}]},
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AWSSupportAccess"]]},
        {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam", "", "aws", "policy/AWSSupportAccess"]]},
    ],
    ids=["Sub", "Sub-list", "Join-CDK", "Join-colon"],
)
def test_cloudformation_intrinsic_partitions_count(intrinsic: object) -> None:
    text = leaf_text(intrinsic)
    assert text is not None
    assert is_support_policy(text)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:policy/AWSSupportAccess",  # customer managed look-alike
        "arn:aws:iam::${AWS::AccountId}:policy/AWSSupportAccess",  # look-alike in CloudFormation
        "arn:aws:iam::aws:policy/support/AWSSupportAccess",  # a path the real policy does not have
        "arn:aws:iam::aws:policy/AWSSupportAccessV2",
        "arn:aws:iam::aws:policy/awssupportaccess",
        "arn:aws:iam::aws:policy/AWSSupportServiceRolePolicy",
        "arn:aws:iam::aws:role/AWSSupportAccess",
        "arn:aws-mars:iam::aws:policy/AWSSupportAccess",  # not a partition
        "arn:aws:sts::aws:policy/AWSSupportAccess",
        "arn:aws:iam:us-east-1:aws:policy/AWSSupportAccess",
        "AWSSupportAccess",  # a name is not the policy
        "arn:aws:iam::aws:policy/AWSSupportAccess:extra",
        "",
    ],
)
def test_look_alikes_are_not_the_support_policy(arn: str) -> None:
    assert not is_support_policy(arn)


def test_aws_managed_policies_with_a_path_are_aws_managed() -> None:
    assert is_aws_managed_policy("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
    assert not is_aws_managed_policy("arn:aws:iam::123456789012:policy/ViewOnlyAccess")


def test_split_arn_keeps_tokens_with_colons_whole() -> None:
    assert split_arn("arn:${AWS::Partition}:iam::${AWS::AccountId}:user/a:b") == [
        "arn",
        "${AWS::Partition}",
        "iam",
        "",
        "${AWS::AccountId}",
        "user/a:b",
    ]
    assert split_arn("not:an:arn") is None
    assert split_arn("urn:aws:iam::1:user/a") is None


def aws(value: str) -> Principal:
    return Principal(PrincipalKind.AWS, value)


@pytest.mark.parametrize(
    ("principal", "cls", "account"),
    [
        (aws("*"), PrincipalClass.WILDCARD, None),
        (aws("123456789012"), PrincipalClass.ACCOUNT_ROOT, "123456789012"),
        (aws("arn:aws:iam::123456789012:root"), PrincipalClass.ACCOUNT_ROOT, "123456789012"),
        (aws("arn:aws-cn:iam::123456789012:root"), PrincipalClass.ACCOUNT_ROOT, "123456789012"),
        (aws("AIDAJQABLZS4A3QDU576Q"), PrincipalClass.UNIQUE_ID, None),
        (aws("AROADBQP57FF2AEXAMPLE"), PrincipalClass.UNIQUE_ID, None),
        (aws("arn:aws:iam::123456789012:user/alice"), PrincipalClass.IAM_USER, "123456789012"),
        (aws("arn:aws-us-gov:iam::123456789012:user/ops/alice"), PrincipalClass.IAM_USER, "123456789012"),
        (aws("arn:aws:iam::123456789012:role/Ops"), PrincipalClass.IAM_ROLE, "123456789012"),
        (
            aws("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_X_1"),
            PrincipalClass.IDENTITY_CENTER_ROLE,
            "123456789012",
        ),
        (aws("arn:aws:sts::123456789012:assumed-role/Ops/alice"), PrincipalClass.ASSUMED_ROLE, "123456789012"),
        (aws("arn:aws:sts::123456789012:federated-user/alice"), PrincipalClass.FEDERATED_USER, "123456789012"),
        (aws("arn:aws:iam::123456789012:group/ops"), PrincipalClass.GROUP, "123456789012"),
        (aws("alice"), PrincipalClass.INVALID, None),
        (aws("arn:aws-mars:iam::123456789012:user/alice"), PrincipalClass.INVALID, None),
        (aws("aws_iam_user.alice.arn"), PrincipalClass.UNRESOLVED, None),
        (Principal(PrincipalKind.AWS, "{'Fn::GetAtt': ...}", resolved=False), PrincipalClass.UNRESOLVED, None),
        (Principal(PrincipalKind.SERVICE, "ec2.amazonaws.com"), PrincipalClass.SERVICE, None),
        (Principal(PrincipalKind.CANONICAL_USER, "79a59df900b949e5"), PrincipalClass.CANONICAL_USER, None),
        (
            Principal(PrincipalKind.FEDERATED, "arn:aws:iam::123456789012:saml-provider/Corp"),
            PrincipalClass.SAML_PROVIDER,
            "123456789012",
        ),
        (
            Principal(
                PrincipalKind.FEDERATED, "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            ),
            PrincipalClass.OIDC_PROVIDER,
            "123456789012",
        ),
        (Principal(PrincipalKind.FEDERATED, "accounts.google.com"), PrincipalClass.OIDC_PROVIDER, None),
        (Principal(PrincipalKind.FEDERATED, "cognito-identity.amazonaws.com"), PrincipalClass.OIDC_PROVIDER, None),
        (Principal(PrincipalKind.FEDERATED, "*"), PrincipalClass.WILDCARD, None),
    ],
)
def test_principal_classes(principal: Principal, cls: PrincipalClass, account: str | None) -> None:
    info = classify(principal)
    assert info.cls is cls
    assert info.account == account


@pytest.mark.parametrize(
    "principal",
    [
        aws("arn:aws:iam::123456789012:user/*"),
        aws("arn:aws:iam::123456789012:user/support-*"),
        aws("arn:aws:iam::*:root"),
        aws("arn:aws:iam::12345678901?:root"),
        aws("arn:aws:iam::123456789012:role/Ops?"),
        Principal(PrincipalKind.SERVICE, "*.amazonaws.com"),
        Principal(PrincipalKind.FEDERATED, "arn:aws:iam::123456789012:saml-provider/*"),
    ],
)
def test_a_wildcard_inside_a_principal_is_seen(principal: Principal) -> None:
    assert classify(principal).wildcard


def test_interpolations_are_not_wildcards() -> None:
    info = classify(aws("arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"))
    assert info.cls is PrincipalClass.IAM_USER
    assert not info.wildcard
    assert info.account == "${AWS::AccountId}"
    assert not info.account_is_literal


def test_oidc_provider_host_is_the_issuer_with_its_path() -> None:
    info = classify(
        Principal(
            PrincipalKind.FEDERATED,
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123",
        )
    )
    assert info.oidc_host == "oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
