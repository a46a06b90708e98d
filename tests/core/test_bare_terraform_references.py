"""Regression (found by the end-to-end demo): Checkov renders ``"arn:${data.aws_partition.current.partition}:..."``
inside ``jsonencode`` as ``arn:data.aws_partition.current.partition:...``. Such a partition is an
interpolation like ``${...}``, not an invalid principal: the trust policy of examples/well-configured
(named users in an interpolated partition and account) passes in Checkov as it does in Prowler."""

from __future__ import annotations

import pytest

from support_role import Principal, PrincipalKind, is_support_policy
from support_role._arn import PrincipalClass, classify


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("arn:data.aws_partition.current.partition:iam::123456789012:user/alice", PrincipalClass.IAM_USER),
        (
            "arn:data.aws_partition.current.partition:iam::data.aws_caller_identity.current.account_id:user/alice",
            PrincipalClass.IAM_USER,
        ),
        ("arn:local.partition:iam::123456789012:root", PrincipalClass.ACCOUNT_ROOT),
        ("arn:var.partition:iam::123456789012:role/responder", PrincipalClass.IAM_ROLE),
        ("arn:not a reference:iam::123456789012:user/alice", PrincipalClass.INVALID),
        ("arn:awz:iam::123456789012:user/alice", PrincipalClass.INVALID),
    ],
)
def test_a_bare_terraform_reference_as_partition_reads_like_an_interpolation(
    value: str, expected: PrincipalClass
) -> None:
    assert classify(Principal(PrincipalKind.AWS, value)).cls is expected


def test_the_support_policy_with_a_bare_reference_partition_is_recognised() -> None:
    assert is_support_policy("arn:data.aws_partition.current.partition:iam::aws:policy/AWSSupportAccess")
    assert not is_support_policy("arn:data.aws_partition.current.partition:iam::123456789012:policy/AWSSupportAccess")
