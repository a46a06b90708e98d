"""Our support_role_* keys in Prowler's audit config change the verdicts; a bad value is never
replaced by a default: every check reports FAIL naming the key (as Checkov does), and the error is logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from moto import mock_aws

from prowler_checks.runtime import codes_of
from support_role.localaws import seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import scenario_from_mapping
from tests.support.prowler import CHECKS, iam_client_of, mocked_aws_provider, record_calls, run_checks

ACCOUNT = "123456789012"
ROOT_TRUSTED = scenario_from_mapping(
    {
        "name": "root-trusted",
        "roles": [
            {
                "name": "aws-support",
                "trust": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:{partition}:iam::444455556666:root"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                        }
                    ],
                },
                "policies": [
                    "arn:{partition}:iam::aws:policy/AWSSupportAccess",
                    "arn:{partition}:iam::aws:policy/ReadOnlyAccess",
                ],
            }
        ],
        "expect": {"support-role-exists": "PASS"},
    }
)


TEXTS: dict[str, str] = {}


def _scan(audit_config: dict[str, object]) -> tuple[dict[str, tuple[str, str, frozenset[str]]], list[tuple[str, str]]]:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT, "aws", audit_config)
        seed_scenario(iam_client_of(provider), ROOT_TRUSTED)
        calls = record_calls(provider.session.current_session)
        findings = run_checks()
    summary = {}
    TEXTS.clear()
    for finding in findings:
        TEXTS[finding.check_metadata.CheckID] = finding.status_extended
        assert finding.check_metadata.CheckID not in summary
        summary[finding.check_metadata.CheckID] = (
            finding.status,
            finding.resource_id,
            codes_of(finding.status_extended),
        )
    return summary, calls


def test_defaults_read_the_contract_strictly() -> None:
    summary, _ = _scan({"shodan_api_key": None, "max_unused_access_keys_days": 45})  # Prowler's own keys pass by
    assert summary == {
        "iam_cis_support_role_exists": ("PASS", ACCOUNT, frozenset()),
        "iam_cis_support_role_trusts_specific_principals": ("FAIL", "aws-support", frozenset({"account-root"})),
        "iam_cis_support_role_least_privilege": ("FAIL", "aws-support", frozenset({"extra-managed-policy"})),
        "iam_cis_support_role_requires_mfa": ("PASS", "aws-support", frozenset()),
    }


def test_configuration_changes_the_verdicts() -> None:
    summary, _ = _scan(
        {
            "support_role_allow_account_roots": True,
            "support_role_trusted_account_ids": [444455556666],  # unquoted YAML: an int
            "support_role_allowed_policies": ["ReadOnlyAccess"],
        }
    )
    assert {check: status for check, (status, _, _) in summary.items()} == dict.fromkeys(
        (cls.__name__ for cls in CHECKS.values()), "PASS"
    )


def test_allowed_actions_from_prowlers_config_file_change_least_privilege() -> None:
    # ROOT_TRUSTED's extra policy is the AWS managed ReadOnlyAccess: allowed actions never allow a whole
    # managed policy, so least privilege still fails; support_role_allowed_policies does allow it.
    summary, _ = _scan({"support_role_allowed_actions": ["s3:Get*"]})
    assert summary["iam_cis_support_role_least_privilege"][::2] == ("FAIL", frozenset({"extra-managed-policy"}))


def test_an_account_outside_the_trusted_list_fails() -> None:
    summary, _ = _scan({"support_role_allow_account_roots": True, "support_role_trusted_account_ids": ["111122223333"]})
    assert summary["iam_cis_support_role_trusts_specific_principals"] == (
        "FAIL",
        "aws-support",
        frozenset({"untrusted-account"}),
    )


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"support_role_allow_account_roots": "yes"}, "support_role_allow_account_roots"),
        ({"support_role_trusted_account_ids": ["12345"]}, "support_role_trusted_account_ids"),
        ({"support_role_alowed_policies": ["ReadOnlyAccess"]}, "support_role_alowed_policies"),
        ({"support_role_support_policies": ["arn:aws:iam::aws:policy/X"]}, "support_role_support_policies"),
        ({"support_role_allowed_actions": ["*"]}, "support_role_allowed_actions"),
    ],
)
def test_a_bad_value_makes_every_check_fail_naming_the_key(
    config: dict[str, object], key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        summary, calls = _scan(config)
    assert summary == {cls.__name__: ("FAIL", ACCOUNT, frozenset({"invalid-configuration"})) for cls in CHECKS.values()}
    assert calls == []  # nothing is judged, so nothing is read
    assert all(key in text and "--config-file" in text for text in TEXTS.values())
    logged = [r.getMessage() for r in caplog.records if "invalid configuration" in r.getMessage()]
    assert len(logged) == 4
    assert all(key in message for message in logged)


def test_a_bad_value_fails_every_check_whatever_strict_unknown_says(caplog: pytest.LogCaptureFixture) -> None:
    for strict in (True, False):
        summary, _ = _scan({"support_role_strict_unknown": strict, "support_role_allowed_policies": "ReadOnlyAccess"})
        assert {status for status, _, _ in summary.values()} == {"FAIL"}


# ------------------------------------------------------------------ settings from the environment
ALLOW_ALL = "aws:\n  support_role_allow_account_roots: true\n  support_role_allowed_policies: [ReadOnlyAccess]\n"


def test_the_inline_variable_configures_a_scan_without_a_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIS_SUPPORT_ROLE_CONFIG_INLINE", ALLOW_ALL)
    summary, _ = _scan({"max_unused_access_keys_days": 45})  # Prowler's packaged defaults: none of our keys
    assert {check: status for check, (status, _, _) in summary.items()} == dict.fromkeys(
        (cls.__name__ for cls in CHECKS.values()), "PASS"
    )


def test_the_file_variable_configures_a_scan_without_a_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(ALLOW_ALL, encoding="utf-8")
    monkeypatch.setenv("CIS_SUPPORT_ROLE_CONFIG", str(config))
    summary, _ = _scan({})
    assert {status for status, _, _ in summary.values()} == {"PASS"}


def test_config_file_keys_win_over_the_environment_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CIS_SUPPORT_ROLE_CONFIG_INLINE", ALLOW_ALL)
    with caplog.at_level(logging.WARNING):
        summary, _ = _scan({"support_role_allowed_policies": ["ReadOnlyAccess"]})
    assert summary["iam_cis_support_role_least_privilege"][0] == "PASS"  # from the file
    assert summary["iam_cis_support_role_trusts_specific_principals"] == (  # roots not allowed: the variable is unused
        "FAIL",
        "aws-support",
        frozenset({"account-root"}),
    )
    warnings = [r.getMessage() for r in caplog.records if "take precedence" in r.getMessage()]
    assert warnings == [
        "cis-support-role: $CIS_SUPPORT_ROLE_CONFIG_INLINE is set but Prowler's --config-file (aws: section) holds "
        "support_role_* keys, which take precedence; the settings of $CIS_SUPPORT_ROLE_CONFIG_INLINE are not used"
    ]


@pytest.mark.parametrize(
    ("environment", "audit_config", "source"),
    [
        (
            {"CIS_SUPPORT_ROLE_CONFIG_INLINE": "support_role_strict_unknown: maybe"},
            {},
            "$CIS_SUPPORT_ROLE_CONFIG_INLINE",
        ),
        # a broken variable is refused even when the file's keys would win
        (
            {"CIS_SUPPORT_ROLE_CONFIG_INLINE": "{broken"},
            {"support_role_strict_unknown": True},
            "$CIS_SUPPORT_ROLE_CONFIG_INLINE",
        ),
        ({"CIS_SUPPORT_ROLE_CONFIG": "/nonexistent/settings.yaml"}, {}, "$CIS_SUPPORT_ROLE_CONFIG"),
        (
            {"CIS_SUPPORT_ROLE_CONFIG": "/x.yaml", "CIS_SUPPORT_ROLE_CONFIG_INLINE": "{}"},
            {},
            "$CIS_SUPPORT_ROLE_CONFIG and $CIS_SUPPORT_ROLE_CONFIG_INLINE",
        ),
    ],
)
def test_a_refused_environment_setting_fails_every_check_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], audit_config: dict[str, object], source: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    summary, calls = _scan(audit_config)
    assert summary == {cls.__name__: ("FAIL", ACCOUNT, frozenset({"invalid-configuration"})) for cls in CHECKS.values()}
    assert calls == []
    assert all(f"invalid, so nothing was checked: {source}" in text for text in TEXTS.values())
