"""Every AWS call our checks make is a read (List*/Get* on IAM), the four checks share one read of the
account, and the number of calls depends on the support roles, not on the size of the account."""

from __future__ import annotations

import sys

import pytest
from moto import mock_aws

from prowler_checks import runtime
from support_role.localaws import seed_filler_roles, seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import Scenario, scenario_from_mapping
from tests.support.prowler import assert_read_only, iam_client_of, mocked_aws_provider, record_calls, run_checks

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:{partition}:iam::{account}:user/alice"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
INLINE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}


def _support_account(k: int) -> Scenario:
    roles = [
        {
            "name": f"support-{i}",
            "trust": TRUST,
            "policies": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"],
            "inline": {"extra": INLINE},
        }
        for i in range(k)
    ]
    expect = "PASS" if k else "FAIL no-support-role"
    return scenario_from_mapping(
        {"name": f"k{k}", "users": ["alice"], "roles": roles, "expect": {"support-role-exists": expect}}
    )


@pytest.mark.parametrize(("k", "fillers"), [(0, 0), (0, 150), (2, 0), (2, 150), (5, 150)])
def test_calls_are_read_only_and_at_most_3_plus_4k_whatever_the_account_size(k: int, fillers: int) -> None:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT)
        iam = iam_client_of(provider)
        seed_scenario(iam, _support_account(k))
        seed_filler_roles(iam, fillers)
        calls = record_calls(provider.session.current_session)
        findings = run_checks()
    assert_read_only(calls)
    operations = [op for service, op in calls if service == "iam"]
    # moto gives every account an Identity Center instance; without permission sets it costs 2 calls
    assert [op for service, op in calls if service == "sso-admin"] == ["ListInstances", "ListPermissionSets"]
    if k:
        # 1 listing + per role GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy
        assert len(operations) == 1 + 4 * k <= 3 + 4 * k
    else:
        # the listing, then what holds the policy otherwise: boundary use, look-alike customer policies
        assert operations == ["ListEntitiesForPolicy", "ListEntitiesForPolicy", "ListPolicies"]
    assert operations.count("ListEntitiesForPolicy") == (1 if k else 2)  # once for the four checks
    assert len(findings) == 1 + 3 * k


def test_the_account_is_read_once_per_provider_and_again_for_another() -> None:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT)
        seed_scenario(iam_client_of(provider), _support_account(1))
        calls = record_calls(provider.session.current_session)
        run_checks()
        run_checks()
        assert len(calls) == 5 + 2  # IAM, then ListInstances and ListPermissionSets of Identity Center
        other = mocked_aws_provider(ACCOUNT)  # a new run, e.g. the next account of an organisation
        other_calls = record_calls(other.session.current_session)
        run_checks()
    assert len(calls) == 5 + 2
    assert len(other_calls) == 5 + 2


def test_prowlers_iam_service_is_never_loaded() -> None:
    """Importing Prowler's iam_client would enumerate every user, role and policy of the account."""
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT)
        seed_scenario(iam_client_of(provider), _support_account(1))
        run_checks()
    assert "prowler.providers.aws.services.iam.iam_client" not in sys.modules
    assert "prowler.providers.aws.services.iam.iam_service" not in sys.modules
    assert runtime.iam_client.__module__ == "prowler_checks.runtime"
