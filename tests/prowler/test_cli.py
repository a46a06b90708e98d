"""The real ``prowler`` CLI against a local moto server: our checks load through the entry points, their
findings in CSV and OCSF JSON equal the corpus, the compliance framework, --config-file, exit codes,
every partition, and ``-x prowler_checks`` from a git clone (leaving the built-in check untouched)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import prowler
import pytest

from prowler_checks.generate import cis_framework_name
from prowler_checks.runtime import codes_of
from support_role import CIS_CONTROL, EXISTS, RULES, Verdict
from support_role.localaws import CommandResult, IamQueryClient, MotoServer, region_for, seed_scenario
from support_role.scenarios import Scenario, load_corpus, mismatches
from tests.support import tools
from tests.support.prowler import verdict_of

pytestmark = pytest.mark.slow

OUR_CHECKS = [rule.prowler_id for rule in RULES]
RULE_OF = {rule.prowler_id: rule.id for rule in RULES}
CORPUS = {s.name: s for s in load_corpus()}
BUILTIN_CHECK_DIR = (
    Path(prowler.__file__).parent / "providers" / "aws" / "services" / "iam" / "iam_support_role_created"
)


class Account:
    """A scenario seeded into its own moto server, scanned by the prowler CLI."""

    def __init__(self, scenario: Scenario, server: MotoServer) -> None:
        self.scenario = scenario
        self.server = server

    def prowler(
        self, out: Path, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> CommandResult:
        return tools.run_prowler(self.server, out, *args, cwd=cwd, env=env, timeout=600)


@pytest.fixture
def account(request: pytest.FixtureRequest) -> Iterator[Account]:
    scenario = CORPUS[request.param]
    server = MotoServer(tools.moto_command(), account_id=scenario.account_id, partition=scenario.partition)
    with server:
        seed_scenario(IamQueryClient(server.url, region_for(scenario.partition)), scenario)
        yield Account(scenario, server)


def _csv_rows(out: Path) -> list[dict[str, str]]:
    with (out / "out.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _ocsf(out: Path) -> list[dict[str, Any]]:
    return list(json.loads((out / "out.ocsf.json").read_text(encoding="utf-8")))


def _verdicts(rows: list[tuple[str, str, str, str]]) -> tuple[Verdict, dict[str, dict[str, Verdict | None]]]:
    """(exists, {role: {rule: verdict}}) from (check id, status, status_extended, resource name) rows."""
    exists: list[Verdict] = []
    roles: dict[str, dict[str, Verdict | None]] = {}
    for check_id, status, text, name in rows:
        if check_id not in RULE_OF:
            continue
        verdict = verdict_of(check_id, status, text, name)
        if verdict.rule_id == EXISTS:
            exists.append(verdict)
        else:
            assert verdict.rule_id not in roles.get(name, {}), f"two {check_id} findings for {name}"
            roles.setdefault(name, {})[verdict.rule_id] = verdict
    assert len(exists) == 1
    return exists[0], roles


def _assert_corpus(scenario: Scenario, out: Path) -> None:
    csv_rows = [(r["CHECK_ID"], r["STATUS"], r["STATUS_EXTENDED"], r["RESOURCE_NAME"]) for r in _csv_rows(out)]
    ocsf_rows = [
        (f["metadata"]["event_code"], f["status_code"], f["status_detail"], f["resources"][0]["name"])
        for f in _ocsf(out)
    ]
    for rows in (csv_rows, ocsf_rows):
        exists, roles = _verdicts(rows)
        assert list(mismatches(scenario, exists, roles)) == []
    account_uid = f"arn:{scenario.partition}:iam::{scenario.account_id}:root"
    paths = {spec.name: spec.path for spec in scenario.roles}
    for finding in _ocsf(out):
        resource = finding["resources"][0]
        assert resource["cloud_partition"] == scenario.partition
        if finding["metadata"]["event_code"] == "iam_cis_support_role_exists":
            assert resource["uid"] == account_uid
        else:
            name = resource["name"]
            assert resource["uid"] == f"arn:{scenario.partition}:iam::{scenario.account_id}:role{paths[name]}{name}"
            assert name in finding["status_detail"]


def test_list_checks_shows_ours_beside_the_built_in() -> None:
    result = subprocess.run(
        [tools.prowler_cli(), "aws", "--list-checks", "--no-banner"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    listed = {line.split("]")[0].strip("[ ") for line in result.stdout.splitlines() if line.startswith("[")}
    assert set(OUR_CHECKS) <= listed
    assert "iam_support_role_created" in listed


@pytest.mark.parametrize("account", ["several-support-roles"], indirect=True)
def test_compliance_run_gives_the_corpus_verdicts_in_csv_and_ocsf(account: Account, tmp_path: Path) -> None:
    framework = cis_framework_name("5.0.0")
    result = account.prowler(tmp_path, "--compliance", framework, "-M", "csv", "json-ocsf")
    assert result.returncode == 3, result.stdout + result.stderr  # an unmuted FAIL exists
    assert {f["metadata"]["event_code"] for f in _ocsf(tmp_path)} == set(OUR_CHECKS)  # only the framework's checks
    _assert_corpus(account.scenario, tmp_path)
    exists = next(f for f in _ocsf(tmp_path) if f["metadata"]["event_code"] == "iam_cis_support_role_exists")
    assert all(role in exists["status_detail"] for role in ("admin-support", "open-support", "ops-support"))
    with (tmp_path / "compliance" / f"out_{framework}.csv").open(encoding="utf-8", newline="") as handle:
        compliance = list(csv.DictReader(handle, delimiter=";"))
    assert {row["REQUIREMENTS_ID"] for row in compliance} == {
        CIS_CONTROL["5.0.0"]
    }  # every framework: test_compliance_outputs
    assert {row["CHECKID"] for row in compliance} == set(OUR_CHECKS)
    assert {row["STATUS"] for row in compliance} == {"PASS", "FAIL"}


@pytest.mark.parametrize("account", ["several-support-roles"], indirect=True)
def test_config_file_changes_verdicts_and_z_ignores_exit_code_3(account: Account, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "aws:\n"
        "  max_unused_access_keys_days: 45\n"  # one of Prowler's own keys, beside ours
        "  support_role_allowed_policies:\n"
        "    - AdministratorAccess\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = account.prowler(out, "-c", *OUR_CHECKS, "-M", "csv", "--config-file", str(config), "-z")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {(r["CHECK_ID"], r["RESOURCE_NAME"]): (r["STATUS"], codes_of(r["STATUS_EXTENDED"])) for r in _csv_rows(out)}
    assert rows[("iam_cis_support_role_least_privilege", "admin-support")] == ("PASS", frozenset())  # FAIL by default
    assert rows[("iam_cis_support_role_trusts_specific_principals", "open-support")] == (
        "FAIL",
        frozenset({"wildcard-principal"}),
    )


@pytest.mark.parametrize("account", ["good-single-user-mfa"], indirect=True)
def test_a_bad_config_value_fails_naming_the_key(account: Account, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("aws:\n  support_role_trusted_account_ids: [12345]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = account.prowler(out, "-c", "iam_cis_support_role_exists", "-M", "csv", "--config-file", str(config))
    assert result.returncode == 3, result.stdout + result.stderr  # a refused configuration fails the run
    (row,) = _csv_rows(out)
    assert row["STATUS"] == "FAIL"
    assert "support_role_trusted_account_ids" in row["STATUS_EXTENDED"]
    assert codes_of(row["STATUS_EXTENDED"]) == {"invalid-configuration"}


@pytest.mark.parametrize("account", ["partition-aws-cn", "partition-aws-us-gov"], indirect=True)
def test_every_partition_through_the_cli(account: Account, tmp_path: Path) -> None:
    result = account.prowler(tmp_path, "-c", *OUR_CHECKS, "-M", "csv", "json-ocsf")
    assert result.returncode in (0, 3), result.stdout + result.stderr
    _assert_corpus(account.scenario, tmp_path)


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("account", ["several-support-roles"], indirect=True)
def test_checks_folder_from_a_git_clone_leaves_the_built_in_untouched(account: Account, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(tools.ROOT), str(clone)], check=True, timeout=120)
    # Mark the clone's copy so the findings prove the -x copy ran, not the installed entry point.
    metadata = clone / "prowler_checks" / "iam_cis_support_role_exists" / "iam_cis_support_role_exists.metadata.json"
    data = json.loads(metadata.read_text(encoding="utf-8"))
    data["CheckTitle"] += " [from -x]"
    metadata.write_text(json.dumps(data), encoding="utf-8")
    services = BUILTIN_CHECK_DIR.parent.parent
    before = (_tree_digest(BUILTIN_CHECK_DIR), sorted(p.name for p in services.iterdir()))
    out = tmp_path / "out"
    args = ("-x", "prowler_checks", "-c", "iam_cis_support_role_exists", "iam_support_role_created", "-M", "json-ocsf")
    result = account.prowler(out, *args, cwd=clone)
    assert result.returncode == 0, result.stdout + result.stderr
    findings = {f["metadata"]["event_code"]: f for f in _ocsf(out)}
    assert set(findings) == {"iam_cis_support_role_exists", "iam_support_role_created"}
    assert findings["iam_cis_support_role_exists"]["finding_info"]["title"].endswith("[from -x]")
    assert findings["iam_cis_support_role_exists"]["status_code"] == "PASS"
    assert (_tree_digest(BUILTIN_CHECK_DIR), sorted(p.name for p in services.iterdir())) == before
    assert not any(p.name.startswith("iam_cis_") for p in BUILTIN_CHECK_DIR.parent.iterdir())


@pytest.mark.parametrize("account", ["several-support-roles"], indirect=True)
def test_settings_from_the_environment_reach_the_cli_without_our_keys_in_the_config_file(
    account: Account, tmp_path: Path
) -> None:
    """Prowler App has no config file of ours: the inline variable configures the scan. A --config-file
    holding only Prowler's own keys leaves it in force (precedence: docs/DECISIONS.md)."""
    config = tmp_path / "prowler.yaml"
    config.write_text("aws:\n  max_unused_access_keys_days: 45\n", encoding="utf-8")
    inline = '{"support_role_allowed_policies": ["AdministratorAccess"]}'
    out = tmp_path / "out"
    args = ("-M", "csv", "-c", *OUR_CHECKS, "--config-file", str(config), "-z")
    result = account.prowler(out, *args, env={"CIS_SUPPORT_ROLE_CONFIG_INLINE": inline})
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {(r["CHECK_ID"], r["RESOURCE_NAME"]): (r["STATUS"], codes_of(r["STATUS_EXTENDED"])) for r in _csv_rows(out)}
    assert rows[("iam_cis_support_role_least_privilege", "admin-support")] == ("PASS", frozenset())  # FAIL by default
    assert rows[("iam_cis_support_role_requires_mfa", "admin-support")] == ("FAIL", frozenset({"mfa-not-required"}))


@pytest.mark.parametrize("account", ["good-single-user-mfa"], indirect=True)
def test_a_bad_inline_setting_fails_the_cli_run_naming_the_variable(account: Account, tmp_path: Path) -> None:
    out = tmp_path / "out"
    inline = {"CIS_SUPPORT_ROLE_CONFIG_INLINE": "support_role_strict_unknown: 1"}
    result = account.prowler(out, "-M", "csv", "-c", "iam_cis_support_role_exists", env=inline)
    assert result.returncode == 3, result.stdout + result.stderr  # a refused configuration fails the run
    (row,) = _csv_rows(out)
    assert row["STATUS"] == "FAIL"
    assert codes_of(row["STATUS_EXTENDED"]) == {"invalid-configuration"}
    assert (
        "nothing was checked: $CIS_SUPPORT_ROLE_CONFIG_INLINE: configuration key 'support_role_strict_unknown' "
        "must be true or false, not 1." in row["STATUS_EXTENDED"]
    )
