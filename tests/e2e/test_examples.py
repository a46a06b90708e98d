"""The demo's examples: each ``main.tf`` creates exactly the account its ``account.yaml`` describes,
the core gives ``account.yaml``'s verdicts, and ``scripts/demo`` (with terraform, and without it)
shows Checkov and Prowler agreeing on every one of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support_role import EXISTS, PER_ROLE_RULES, evaluate_account
from support_role.localaws import (
    IamQueryClient,
    MotoServer,
    Terraform,
    provider_block,
    region_for,
    run_command,
    seed_scenario,
)
from support_role.reports import ACCOUNT, read_checkov, read_prowler_ocsf
from support_role.scenarios import Scenario, load_scenario, mismatches, scenario_account
from tests.e2e.paths import _matches
from tests.support import tools

EXAMPLES_DIR = tools.ROOT / "examples"
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.iterdir() if (p / "account.yaml").is_file())

# What boto3 reads back from an account: everything the scenario format describes.
DUMP = r"""
import json, boto3
iam = boto3.client("iam")
def every(method, key, **kwargs):
    return [item for page in iam.get_paginator(method).paginate(**kwargs) for item in page[key]]
users = sorted(u["UserName"] for u in every("list_users", "Users"))
account = {
    "users": {u: sorted(p["PolicyArn"] for p in every("list_attached_user_policies", "AttachedPolicies", UserName=u))
              for u in users},
    "groups": {
        g["GroupName"]: {
            "policies": sorted(p["PolicyArn"] for p in every("list_attached_group_policies", "AttachedPolicies",
                                                             GroupName=g["GroupName"])),
            "members": sorted(u["UserName"] for u in iam.get_group(GroupName=g["GroupName"])["Users"]),
        }
        for g in every("list_groups", "Groups")
    },
    "customer_policies": {
        p["PolicyName"]: iam.get_policy_version(
            PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
        for p in every("list_policies", "Policies", Scope="Local")
    },
    "roles": {},
}
for listed in every("list_roles", "Roles"):
    name = listed["RoleName"]
    role = iam.get_role(RoleName=name)["Role"]
    account["roles"][name] = {
        "path": role["Path"],
        "trust": role["AssumeRolePolicyDocument"],
        "attached": sorted(
            p["PolicyArn"] for p in every("list_attached_role_policies", "AttachedPolicies", RoleName=name)),
        "inline": {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                   for p in every("list_role_policies", "PolicyNames", RoleName=name)},
        "boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
    }
print(json.dumps(account, sort_keys=True))
"""

def example(name: str) -> Scenario:
    return load_scenario(EXAMPLES_DIR / name / "account.yaml")


def test_there_are_the_three_examples_of_the_readme() -> None:
    assert EXAMPLES == ["classic-mistakes", "no-support-role", "well-configured"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_core_gives_the_verdicts_written_in_account_yaml(name: str) -> None:
    scenario = example(name)
    results = evaluate_account(scenario_account(scenario), scenario.parsed_config())
    assert list(mismatches(scenario, results[""][EXISTS], {k: v for k, v in results.items() if k})) == []


def _dump(server: MotoServer, prowler_python: Path) -> dict[str, object]:
    env = {"PATH": os.environ.get("PATH", ""), **server.client_env()}
    data = json.loads(run_command([prowler_python, "-c", DUMP], env=env).stdout)
    assert isinstance(data, dict)
    return data


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_terraform_apply_of_main_tf_creates_the_account_of_account_yaml(
    name: str, terraform_available: Path, prowler_python: Path, tmp_path: Path
) -> None:
    scenario = example(name)
    with MotoServer(tools.moto_command(), account_id=scenario.account_id, log_dir=tmp_path) as applied:
        tf = Terraform(tmp_path / "tf")
        for source in (EXAMPLES_DIR / name).glob("*.tf"):
            shutil.copy(source, tf.directory / source.name)
        tf.write({"zz_provider.tf": provider_block(scenario.partition, endpoint=applied.url)})
        tf.init()
        tf.apply()
        from_terraform = _dump(applied, prowler_python)
    with MotoServer(tools.moto_command(), account_id=scenario.account_id, log_dir=tmp_path) as seeded:
        seed_scenario(IamQueryClient(seeded.url, region_for(scenario.partition)), scenario)
        from_yaml = _dump(seeded, prowler_python)
    assert from_terraform == from_yaml
    assert set(from_yaml["roles"]) == {r.name for r in scenario.roles}  # type: ignore[arg-type]


def _run_demo(tmp_path: Path, path: str | None = None, examples: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIS_SUPPORT_ROLE_DEMO_DIR": str(tmp_path / "demo")}
    if path is not None:
        env["PATH"] = path
    if examples is not None:
        env["CIS_SUPPORT_ROLE_DEMO_EXAMPLES"] = examples
    for key in [k for k in env if k.startswith("AWS_")]:
        del env[key]
    return subprocess.run(
        ["bash", str(tools.ROOT / "scripts" / "demo")], env=env, capture_output=True, text=True, timeout=1800
    )


def _check_demo_outputs(tmp_path: Path, names: list[str]) -> None:
    """The demo's own outputs hold, for every example, exactly the verdicts of account.yaml."""
    checkov = read_checkov(json.loads((tmp_path / "demo" / "checkov.json").read_text(encoding="utf-8")))
    for name in names:
        scenario = example(name)
        directory = str(EXAMPLES_DIR / name)
        scanners = {
            "checkov": {(f.role, f.rule): f for f in checkov if f.scope == directory},
            "prowler": {
                (f.role, f.rule): f
                for f in read_prowler_ocsf(
                    json.loads((tmp_path / "demo" / "prowler" / f"{name}.ocsf.json").read_text(encoding="utf-8"))
                )
            },
        }
        for scanner, found in scanners.items():
            problems = []
            if not _matches(scenario.expect_exists, found.get((ACCOUNT, EXISTS))):
                problems.append(f"{EXISTS}: expected {scenario.expect_exists}, got {found.get((ACCOUNT, EXISTS))}")
            expected_keys = {(ACCOUNT, EXISTS)}
            for spec in scenario.roles:
                for rule in PER_ROLE_RULES:
                    expected = scenario.expectation(spec.name, rule)
                    if expected.status != "NA":
                        expected_keys.add((spec.name, rule))
                    if not _matches(expected, found.get((spec.name, rule))):
                        problems.append(f"{spec.name}: {rule}: expected {expected}, got {found.get((spec.name, rule))}")
            extra = set(found) - expected_keys
            assert problems == [] and not extra, f"{scanner} on {name}: {problems} extra={extra}"


@pytest.mark.slow
def test_the_demo_applies_the_examples_and_both_scanners_agree(
    terraform_available: Path, checkov_cli: Path, prowler_python: Path, tmp_path: Path
) -> None:
    done = _run_demo(tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Creating the example accounts with terraform apply" in done.stderr
    assert "give the same verdict for every rule and role" in done.stdout
    for name in EXAMPLES:
        assert f"== {name}: Checkov on examples/{name} | Prowler on its moto account ==" in done.stdout
    _check_demo_outputs(tmp_path, EXAMPLES)


@pytest.mark.slow
def test_without_terraform_the_demo_creates_the_same_accounts_through_the_iam_api(
    checkov_cli: Path, prowler_python: Path, tmp_path: Path
) -> None:
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    no_terraform = os.pathsep.join(d for d in dirs if d and not (Path(d) / "terraform").exists())
    done = _run_demo(tmp_path, path=no_terraform, examples="no-support-role")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "terraform is not available: creating each account through the IAM API" in done.stderr
    _check_demo_outputs(tmp_path, ["no-support-role"])
