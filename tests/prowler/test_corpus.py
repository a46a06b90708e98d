"""Every scenario of the shared corpus, created in a moto account and scanned by our four Prowler checks,
gives exactly the corpus's verdicts: status and problem codes, on the right resources, reading only."""

from __future__ import annotations

import pytest
from moto import mock_aws

from support_role.localaws import seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import Scenario, load_corpus, mismatches
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
        calls = record_calls(provider.session.current_session)
        findings = run_checks()
    assert_read_only(calls)

    exists, roles = verdicts(findings)
    assert len(exists) == 1, [f.status_extended for f in findings]
    assert list(mismatches(scenario, exists[0], roles)) == []

    by_resource = {(f.check_metadata.CheckID, f.resource_id): f for f in findings}
    account = by_resource[("iam_cis_support_role_exists", scenario.account_id)]
    assert account.resource_arn == f"arn:{scenario.partition}:iam::{scenario.account_id}:root"
    paths = {spec.name: spec.path for spec in scenario.roles}
    for finding in findings:
        if finding.check_metadata.CheckID == "iam_cis_support_role_exists":
            continue
        name = finding.resource_id
        assert finding.resource_arn == f"arn:{scenario.partition}:iam::{scenario.account_id}:role{paths[name]}{name}"
        assert name in finding.status_extended
    support_roles = sorted(name for name in roles)
    if exists[0].status.value == "PASS":
        assert all(name in exists[0].reason for name in support_roles)
