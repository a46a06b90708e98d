"""``python -m support_role doctor`` against the real scanners: it passes when every check of ours loads
and gives its expected result on the canary, and it fails, naming the check, when one does not load
(a Checkov check that cannot be imported, a Prowler check whose metadata Prowler refuses), both made by
shadowing our packages with broken copies on PYTHONPATH, the way a bad install or a bad edit would.

Runs in the base environment; the scanners are found through ``$CIS_SUPPORT_ROLE_CHECKOV`` and
``$CIS_SUPPORT_ROLE_PROWLER`` (exported by ``scripts/envs.sh``) or the repository's ``.venvs``.
The doctor itself imports neither checkov, prowler nor boto3 (checked below).
"""

from __future__ import annotations

import ast
import glob
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomllib

from support_role import RULES
from support_role.doctor import Expected, Report, Step, render
from tests.support import tools
from tests.support.tools import ROOT

CANARY = ROOT / "support_role" / "doctor" / "canary"


def _tool(find: Callable[[], Path]) -> str:
    try:
        return str(find())
    except tools.ToolMissing as missing:
        pytest.skip(str(missing))


def _doctor(*args: str, pythonpath: Path | None = None) -> tuple[int, dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if k != "CIS_SUPPORT_ROLE_CONFIG"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(ROOT)])
    done = subprocess.run(
        [sys.executable, "-m", "support_role", "doctor", "--json", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=pythonpath or ROOT.parent,  # not the repository root, whose packages would come first on sys.path
        timeout=1800,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def _rows(report: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(r["scanner"], r["check_id"], r["where"]): r for r in report["checks"]}


@pytest.mark.slow
def test_the_doctor_sees_every_check_load_and_give_its_expected_result() -> None:
    checkov = _tool(tools.checkov_cli)
    prowler = _tool(tools.prowler_cli)
    code, report, stderr = _doctor("--checkov", checkov, "--prowler", prowler)
    assert code == 0, json.dumps(report, indent=2) + stderr
    assert report["ok"] is True
    assert [(s["name"], s["status"]) for s in report["steps"]] == [
        ("configuration", "ok"),
        ("checkov", "ok"),
        ("checkov scan of the canary", "ok"),
        ("prowler", "ok"),
        ("prowler aws --list-checks", "ok"),
        ("prowler scan of the canary account (moto)", "ok"),  # moto_server next to prowler was found
    ]
    rows = _rows(report)
    expected_keys = {("checkov", r.checkov_id, f) for r in RULES for f in ("terraform", "cloudformation")}
    expected_keys |= {("prowler", r.prowler_id, "aws") for r in RULES}
    assert set(rows) == expected_keys
    assert all(r["loaded"] and r["ok"] and r["matched"] == r["expected"] > 0 for r in rows.values())
    assert report["prowler_listed"] == {r.prowler_id: True for r in RULES}
    assert report["unexpected"] == []


@pytest.mark.slow
def test_the_doctor_fails_naming_a_checkov_check_that_did_not_load(tmp_path: Path) -> None:
    """A Terraform check file that cannot be imported: Checkov logs it and scans on without it."""
    checkov = _tool(tools.checkov_cli)
    shadow = tmp_path / "checkov_checks"
    shutil.copytree(ROOT / "checkov_checks", shadow, ignore=shutil.ignore_patterns("__pycache__"))
    broken = shadow / "cis_support_role_terraform.py"
    broken.write_text("raise ImportError('a broken install')\n" + broken.read_text(encoding="utf-8"), encoding="utf-8")
    code, report, _ = _doctor("--checkov", checkov, "--skip", "prowler", pythonpath=tmp_path)
    assert code == 1 and report["ok"] is False
    rows = _rows(report)
    for rule in RULES:
        assert rows[("checkov", rule.checkov_id, "terraform")]["loaded"] is False
        assert rows[("checkov", rule.checkov_id, "terraform")]["matched"] == 0
        assert rows[("checkov", rule.checkov_id, "cloudformation")]["ok"] is True  # the other file still loads
    problems = rows[("checkov", "CKV_CISSR_2", "terraform")]["problems"]
    assert (
        "/terraform/account/main.tf::aws_iam_role.canary_trust_fail: expected FAIL account-root, got nothing"
        in problems
    )


@pytest.mark.slow
def test_the_doctor_fails_naming_a_prowler_check_prowler_refused(tmp_path: Path) -> None:
    """Invalid metadata (a title starting with "Ensure"): Prowler refuses the check."""
    prowler = _tool(tools.prowler_cli)
    shadow = tmp_path / "prowler_checks"
    shutil.copytree(ROOT / "prowler_checks", shadow, ignore=shutil.ignore_patterns("__pycache__"))
    check = "iam_cis_support_role_requires_mfa"
    metadata_file = shadow / check / f"{check}.metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    metadata["CheckTitle"] = "Ensure " + metadata["CheckTitle"]
    metadata_file.write_text(json.dumps(metadata), encoding="utf-8")
    code, report, _ = _doctor("--prowler", prowler, "--skip", "checkov", "--skip", "moto", pythonpath=tmp_path)
    assert code == 1 and report["ok"] is False
    assert check in report["prowler_listed"] and not report["prowler_listed"][check]
    steps = {s["name"]: s for s in report["steps"]}
    assert steps["prowler aws --list-checks"]["status"] == "failed"
    # the detail names the refused check and why (Prowler 5.46's --list-checks stops at it altogether)
    assert f"{check}.metadata.json is not valid" in steps["prowler aws --list-checks"]["detail"]
    assert "CheckTitle must not start with 'Ensure'" in steps["prowler aws --list-checks"]["detail"]
    assert steps["prowler scan of the canary account (moto)"]["status"] == "skipped"


def test_a_missing_scanner_is_a_failure_unless_skipped(tmp_path: Path) -> None:
    code, report, _ = _doctor("--checkov", str(tmp_path / "no-checkov"), "--skip", "prowler")
    assert code == 1
    assert {"name": "checkov", "status": "failed"}.items() <= report["steps"][1].items()
    assert all(not r["loaded"] for r in report["checks"])
    code, report, _ = _doctor("--skip", "checkov", "--skip", "prowler")
    assert code == 0 and report["checks"] == []


def test_the_text_report_says_the_checks_of_a_missing_scanner_did_not_run(tmp_path: Path) -> None:
    """Not "NOT LOADED" (which means Checkov ran without our check): the scanner never ran."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "support_role",
            "doctor",
            "--checkov",
            str(tmp_path / "no-checkov"),
            "--skip",
            "prowler",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        timeout=600,
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "NOT LOADED" not in done.stdout
    not_run = [line.split()[3] for line in lines if line.strip().startswith("NOT RUN")]
    assert sorted(set(not_run)) == sorted(rule.checkov_id for rule in RULES), lines
    assert lines[-1] == "result: FAILED: see the lines above"


def test_the_doctor_finds_the_checkov_beside_its_own_interpreter(tmp_path: Path) -> None:
    """`<venv>/bin/python -m support_role doctor` finds `<venv>/bin/checkov` when the venv is not on the PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    checkov = bin_dir / "checkov"
    checkov.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    checkov.chmod(0o755)
    done = subprocess.run(
        [str(bin_dir / "python"), "-m", "support_role", "doctor", "--json", "--skip", "prowler"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=600,
    )
    steps = {s["name"]: s for s in json.loads(done.stdout)["steps"]}
    assert steps["checkov"] == {"name": "checkov", "status": "ok", "detail": str(checkov)}, steps


def test_an_invalid_configuration_fails_the_doctor_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("aws:\n  support_role_trusted_account_ids: [12345]\n", encoding="utf-8")
    code, report, _ = _doctor("--skip", "checkov", "--skip", "prowler", "--config", str(config))
    assert code == 1
    (step,) = [s for s in report["steps"] if s["name"] == "configuration"]
    assert step["status"] == "failed" and "support_role_trusted_account_ids" in step["detail"]


def test_the_doctor_imports_no_scanner_and_no_boto3() -> None:
    """The doctor and the local account it uses import no scanner, no AWS SDK and no moto: the doctor
    runs from any environment. Exempt: the modules run as commands in Prowler's environment
    (``python -m support_role.localaws.moto_iam``, ``python -m support_role.localaws.sso_seed``),
    provided that no module of the package imports them."""
    commands = {"moto_iam", "sso_seed"}
    files = [*(ROOT / "support_role" / "doctor").glob("*.py"), *(ROOT / "support_role" / "localaws").glob("*.py")]
    files = [f for f in files if f.stem not in commands]
    assert len(files) >= 8
    imported: set[str] = set()
    imported_within: set[str] = set()  # modules of the package imported by relative or absolute name
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
                imported_within |= {alias.name.rsplit(".", 1)[-1] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.level == 0:
                    imported.add(node.module.split(".")[0])
                imported_within.add(node.module.rsplit(".", 1)[-1])
                imported_within |= {alias.name for alias in node.names}
    assert imported.isdisjoint({"checkov", "prowler", "boto3", "botocore", "moto", "yaml"}), imported
    assert imported_within.isdisjoint(commands), imported_within & commands


def test_the_canary_ships_in_the_package_data() -> None:
    """Every canary file matches a package-data glob of pyproject.toml (as setuptools expands them)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]
    globs = [*patterns.get("*", []), *patterns.get("support_role.doctor", [])]
    shipped = {
        Path(match).resolve()
        for pattern in globs
        for match in glob.glob(str(ROOT / "support_role" / "doctor" / pattern), recursive=True)
    }
    canary = {path.resolve() for path in CANARY.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    assert canary and canary <= shipped, sorted(str(p) for p in canary - shipped)
    assert {p.suffix for p in canary} == {".tf", ".yaml", ".json"}


def test_an_ok_with_a_skipped_part_names_what_was_not_tried() -> None:
    """An OK must not claim that every check gave its expected result when a part never ran."""
    ran = Expected("prowler", "iam_cis_support_role_exists", "aws", "account", "PASS", seen="PASS")
    full = Report(steps=[Step("prowler", "ok", "found")], expected=[ran])
    assert render(full).splitlines()[-1] == "result: OK: every check of ours loaded and gave its expected result"
    skipped = Report(
        steps=[
            Step("checkov", "skipped", "--skip checkov"),
            Step("prowler", "ok", "found"),
            Step("prowler scan of the canary account (moto)", "skipped", "--skip moto"),
        ],
        listed={"iam_cis_support_role_exists": True},
    )
    assert skipped.ok
    assert render(skipped).splitlines()[-1] == (
        "result: OK for what ran; not tried: checkov, prowler scan of the canary account (moto)"
    )
