"""Every scenario of the shared corpus, created in a moto account and scanned by our four Prowler checks,
gives exactly the corpus's verdicts: status and problem codes, on the right resources, reading only.

A scenario's IAM Identity Center permission sets are created through moto's SSO Admin API in the same
account (read as a management account), and the ``AWSReservedSSO_*`` roles Identity Center makes from
the assigned ones through IAM (``support_role.localaws.seed_permission_sets``, ``seed_identity_center_roles``).
"""

from __future__ import annotations

import pytest
from moto import mock_aws

from support_role._identity_center import role_path
from support_role.localaws import seed_identity_center_roles, seed_permission_sets, seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import IDENTITY_CENTER_REGION, Scenario, load_corpus, mismatches, permission_set_key
from tests.support.prowler import (
    assert_read_only,
    iam_client_of,
    mocked_aws_provider,
    record_calls,
    run_checks,
    verdicts,
)

CORPUS = load_corpus()


@pytest.mark.parametrize("scenario", CORPUS, ids=[s.name for s in CORPUS])
def test_prowler_checks_give_the_corpus_verdicts(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", scenario.account_id)
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(scenario.account_id, scenario.partition, scenario.config)
        seed_scenario(iam_client_of(provider), scenario)
        set_arns: dict[str, str] = {}
        if scenario.permission_sets:
            sso = provider.session.current_session.client("sso-admin", region_name=IDENTITY_CENTER_REGION)
            set_arns = seed_permission_sets(sso, scenario)
            seed_identity_center_roles(iam_client_of(provider), scenario)
        calls = record_calls(provider.session.current_session)
        findings = run_checks()
    assert_read_only(calls)

    exists, found = verdicts(findings)
    # a permission set's findings name it (resource_id); the corpus keys it "permission set <name>"
    by_arn = {arn: name for name, arn in set_arns.items()}
    sets = {f.resource_id for f in findings if f.resource_arn in by_arn}
    roles = {permission_set_key(name) if name in sets else name: verdicts for name, verdicts in found.items()}
    assert len(exists) == 1, [f.status_extended for f in findings]
    assert list(mismatches(scenario, exists[0], roles)) == []

    by_resource = {(f.check_metadata.CheckID, f.resource_id): f for f in findings}
    account = by_resource[("iam_cis_support_role_exists", scenario.account_id)]
    assert account.resource_arn == f"arn:{scenario.partition}:iam::{scenario.account_id}:root"
    paths = {spec.name: spec.path for spec in scenario.roles}
    paths.update(dict.fromkeys(scenario.identity_center_roles, role_path(IDENTITY_CENTER_REGION)))
    for finding in findings:
        if finding.check_metadata.CheckID == "iam_cis_support_role_exists":
            continue
        name = finding.resource_id
        if finding.resource_arn in by_arn:
            assert by_arn[finding.resource_arn] == name
        else:
            assert (
                finding.resource_arn == f"arn:{scenario.partition}:iam::{scenario.account_id}:role{paths[name]}{name}"
            )
        assert name in finding.status_extended
    support_roles = sorted(name for name in found if name not in sets)  # the exists check reads roles only
    if exists[0].status.value == "PASS":
        assert all(name in exists[0].reason for name in support_roles)
