"""Many accounts: the scan API Prowler App's workers call, and ``cis-support-role-prowler-org``.

One moto server holds every account (``tests/prowler/moto_accounts.py``): AssumeRole into an account's
``ProwlerScan`` role lands in that account, and is refused (AccessDenied) where that role does not exist,
as AWS refuses it. Corpus scenarios are seeded into accounts of their own; the verdicts must be the
corpus's, account by account.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import yaml

from prowler_checks import accounts
from prowler_checks.generate import FRAMEWORK_NAMES
from support_role import EXISTS, RULES, Verdict, read_prowler_finding
from support_role.localaws import MotoServer, seed_scenario
from support_role.scenarios import CORPUS_DIR, Scenario, mismatches, scenario_from_mapping
from tests.prowler.moto_accounts import account_client, accounts_server
from tests.support.prowler import verdict_of
from tests.support.tools import tool_env

ROLE = "ProwlerScan"
OURS = [rule.prowler_id for rule in RULES]
NOBODY = json.dumps({"Version": "2012-10-17", "Statement": []})


def scenario_in(name: str, account: str) -> Scenario:
    """A corpus scenario moved into another account (its ARNs follow: they are written with {account})."""
    raw = yaml.safe_load((CORPUS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return scenario_from_mapping({**raw, "account_id": account})


def seed(server: MotoServer, scenario: Scenario, scan_role: str | None = ROLE, path: str = "/") -> None:
    iam = account_client(server, "iam", scenario.account_id)
    seed_scenario(iam, scenario)
    if scan_role:
        iam.create_role(RoleName=scan_role, Path=path, AssumeRolePolicyDocument=NOBODY)


def fake_env(server: MotoServer) -> dict[str, str]:
    """A command's environment: the server's account credentials and endpoint, none of our settings."""
    return {**tool_env(), **server.client_env()}


def verdicts(rows: Iterable[tuple[str, str, str, str]]) -> tuple[Verdict | None, dict[str, dict[str, Verdict | None]]]:
    """(exists, {role: {rule: verdict}}) from (check ID, status, status_extended, resource name) of one account."""
    exists: list[Verdict] = []
    roles: dict[str, dict[str, Verdict | None]] = {}
    for check_id, status, text, name in rows:
        verdict = verdict_of(check_id, status, text, name)
        if verdict.rule_id == EXISTS:
            exists.append(verdict)
        else:
            assert verdict.rule_id not in roles.get(name, {}), f"two {check_id} findings for {name}"
            roles.setdefault(name, {})[verdict.rule_id] = verdict
    assert len(exists) <= 1
    return (exists[0] if exists else None), roles


# ---------------------------------------------------------------------------------------- input
def test_account_lists_take_ids_role_arns_and_comments() -> None:
    lines = [
        "# production",
        "111111111111",
        "arn:aws:iam::222222222222:role/audit/Scanner  # its own role",
        "",
        "111111111111",  # twice: scanned once
    ]
    assert accounts.parse_targets(lines, "ProwlerScan", "aws") == [
        accounts.Target("111111111111", "arn:aws:iam::111111111111:role/ProwlerScan"),
        accounts.Target("222222222222", "arn:aws:iam::222222222222:role/audit/Scanner"),
    ]
    assert accounts.parse_targets(["333333333333"], "Scan", "aws-us-gov") == [
        accounts.Target("333333333333", "arn:aws-us-gov:iam::333333333333:role/Scan")
    ]


def test_a_bad_account_line_stops_the_run_before_anything_is_scanned(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(accounts.InputError, match=r"line 2: '12345'; line 3: 'arn:aws:iam::111111111111:user/x'"):
        accounts.parse_targets(["111111111111", "12345", "arn:aws:iam::111111111111:user/x"], "R", "aws")
    assert accounts.main(["12345"]) == 2
    assert "not a 12-digit account ID nor a role ARN" in capsys.readouterr().err
    assert accounts.main([]) == 2
    assert accounts.main(["111111111111", "-F", "my_scan"]) == 2  # the dashboard splits names on "_"


# ---------------------------------------------------------------------------- Prowler App's path
@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with accounts_server() as running:
        yield running


@pytest.mark.slow
def test_the_scan_api_call_of_prowler_apps_worker_gives_the_corpus_verdicts(
    server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the App's scan task does: AwsProvider(**the provider's secret), Scan(provider, checks).scan().

    The App passes ``checks_to_execute`` (None: every check of the provider); ours are among them.
    Its settings can only come from the environment: the inline variable changes a verdict here.
    """
    from prowler.lib.scan.scan import Scan
    from prowler.providers.aws.aws_provider import AwsProvider

    scenario = scenario_in("several-support-roles", "710000000001")
    seed(server, scenario)
    for name, value in server.client_env().items():
        monkeypatch.setenv(name, value)
    secret = {"role_arn": f"arn:aws:iam::{scenario.account_id}:role/{ROLE}"}  # an App AWS provider's role secret

    provider = AwsProvider(**secret)
    assert set(OURS) <= set(Scan(provider=provider).checks_to_execute)  # the App's default: every check
    findings = [f for _, batch in Scan(provider=provider, checks=OURS).scan() for f in batch]
    rows = [(f.check_id, f.status.value, f.status_extended, f.resource_name) for f in findings]
    assert {f.account_uid for f in findings} == {scenario.account_id}
    assert list(mismatches(scenario, *verdicts(rows))) == []

    monkeypatch.setenv("CIS_SUPPORT_ROLE_CONFIG_INLINE", '{"support_role_allowed_policies": ["AdministratorAccess"]}')
    provider = AwsProvider(**secret)
    findings = [
        f for _, batch in Scan(provider=provider, checks=["iam_cis_support_role_least_privilege"]).scan() for f in batch
    ]
    assert {(f.resource_name, f.status.value) for f in findings} == {
        ("admin-support", "PASS"),  # FAIL extra-managed-policy by default
        ("open-support", "PASS"),
        ("ops-support", "PASS"),
    }


# --------------------------------------------------------------------- cis-support-role-prowler-org
ORG = {
    "710000000011": ("several-support-roles", ROLE, "/"),
    "710000000012": ("users-only-support-policy", ROLE, "/"),
    "710000000013": ("good-single-user-mfa", "Scanner", "/audit/"),  # given as a role ARN with a path
    "710000000014": ("good-single-user-mfa", None, "/"),  # no scan role: AssumeRole is refused
}


def _command() -> str:
    return str(Path(sys.executable).with_name("cis-support-role-prowler-org"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.fixture(scope="module")
def org_run(
    server: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    for account, (name, role, path) in ORG.items():
        seed(server, scenario_in(name, account), role, path)
    work = tmp_path_factory.mktemp("org")
    listing = work / "accounts.txt"
    listing.write_text(
        "# the organisation\n710000000011\n710000000012\narn:aws:iam::710000000013:role/audit/Scanner\n710000000014\n",
        encoding="utf-8",
    )
    command = [_command(), "--accounts", str(listing), "-j", "2", "-o", str(work / "output"), "-F", "org"]
    result = subprocess.run(command, env=fake_env(server), capture_output=True, text=True, timeout=1800)
    return result, work / "output"


@pytest.mark.slow
def test_every_account_gets_its_corpus_verdicts_and_one_that_cannot_be_scanned_is_reported(
    org_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, output = org_run
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]  # FAIL findings exist
    rows = _rows(output / "org.csv")
    by_account: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_account.setdefault(row["ACCOUNT_UID"], []).append(row)
    assert sorted(by_account) == sorted(ORG)
    for account, (name, role, _) in ORG.items():
        found = [(r["CHECK_ID"], r["STATUS"], r["STATUS_EXTENDED"], r["RESOURCE_NAME"]) for r in by_account[account]]
        if role is not None:
            assert list(mismatches(scenario_in(name, account), *verdicts(found))) == [], account
            continue
        # not scanned: one MANUAL finding per check on the account, naming the role and the error
        assert sorted((check, status, resource) for check, status, _, resource in found) == sorted(
            (check, "MANUAL", account) for check in OURS
        )
        for _, status, text, _ in found:
            assert read_prowler_finding(status, text).codes == {"unreadable-account"}
            assert f"assuming arn:aws:iam::{account}:role/{ROLE} failed" in text and "AccessDenied" in text
    assert f"NOT SCANNED 710000000014: the scan could not start: assuming arn:aws:iam::710000000014:role/{ROLE}" in (
        result.stdout
    )


@pytest.mark.slow
def test_one_compliance_report_across_accounts(org_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, output = org_run
    for framework in FRAMEWORK_NAMES:
        rows = _rows(output / "compliance" / f"org_{framework}.csv")
        assert {r["ACCOUNTID"] for r in rows} == set(ORG)
        assert len({r["REQUIREMENTS_ID"] for r in rows}) == 1
    summary = json.loads((output / "org.accounts.json").read_text(encoding="utf-8"))
    assert (summary["accounts_total"], summary["accounts_scanned"]) == (4, 3)
    (not_scanned,) = summary["accounts_not_scanned"]
    assert not_scanned["account_id"] == "710000000014" and "AccessDenied" in not_scanned["error"]
    requirement = "CIS-Support-Role-5.0.0 1.16"
    status = {a["account_id"]: (a["outcome"], a["requirements"][requirement]) for a in summary["accounts"]}
    assert status == {
        "710000000011": ("scanned", "FAIL"),  # one role trusted by "*", one with AdministratorAccess
        "710000000012": ("scanned", "FAIL"),  # only users hold AWSSupportAccess
        "710000000013": ("scanned", "PASS"),
        "710000000014": ("not-scanned", "MANUAL"),
    }
    assert summary["requirements"][requirement] == {"FAIL": 2, "MANUAL": 1, "PASS": 1}
    assert 0 < summary["worker_peak_rss_mib"] < 2048


@pytest.mark.slow
def test_strict_mode_makes_an_account_that_cannot_be_scanned_fail(server: MotoServer, tmp_path: Path) -> None:
    seed(server, scenario_in("good-single-user-mfa", "710000000021"), None)  # no scan role
    env = {**fake_env(server), "CIS_SUPPORT_ROLE_CONFIG_INLINE": "support_role_strict_unknown: true"}
    command = [_command(), "710000000021", "-j", "1", "-o", str(tmp_path), "-F", "strict"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    rows = _rows(tmp_path / "strict.csv")
    assert sorted((r["CHECK_ID"], r["STATUS"]) for r in rows) == sorted((check, "FAIL") for check in OURS)
    assert all(read_prowler_finding(r["STATUS"], r["STATUS_EXTENDED"]).strict for r in rows)


@pytest.mark.slow
def test_a_refused_configuration_stops_the_run_before_any_account(server: MotoServer, tmp_path: Path) -> None:
    env = {**fake_env(server), "CIS_SUPPORT_ROLE_CONFIG_INLINE": "support_role_strict_unknown: perhaps"}
    result = subprocess.run([_command(), "710000000011", "-o", str(tmp_path)], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid configuration, nothing was scanned: $CIS_SUPPORT_ROLE_CONFIG_INLINE: configuration key" in (
        result.stderr
    )
    assert not any(tmp_path.iterdir())
