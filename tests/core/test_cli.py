"""``python -m support_role``: run as users run it, in a subprocess of the installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from support_role import RULES
from support_role.scenarios import CORPUS_DIR, load_corpus

REPOSITORY = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "support_role", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_the_package_is_installed_not_just_on_the_path(tmp_path: Path) -> None:
    done = run(cwd=tmp_path, code="import support_role, sys; print(support_role.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).parent.name == "support_role"


def test_rules_json_lists_every_rule_with_its_mapping(tmp_path: Path) -> None:
    done = run("rules", "--json", cwd=tmp_path)  # outside the repository: the installed package
    assert done.returncode == 0, done.stderr
    rules = json.loads(done.stdout)
    assert [rule["id"] for rule in rules] == [
        "support-role-exists",
        "support-role-trust",
        "support-role-least-privilege",
        "support-role-mfa",
    ]
    for rule, meta in zip(rules, RULES, strict=True):
        assert {"id", "title", "severity", "checkov_ids", "prowler_id", "cis", "security_hub"} <= set(rule)
        assert rule["title"] == meta.title
        assert rule["severity"] == meta.severity
        assert rule["checkov_ids"] == [meta.checkov_id]
        assert rule["prowler_id"] == meta.prowler_id
        assert rule["cis"]["3.0.0"] == "1.17" and rule["cis"]["1.2.0"] == "1.20" and rule["cis"]["7.0.0"] == "2.15"
        assert rule["security_hub"] == "IAM.18"


def test_rules_needs_no_yaml_and_no_scanner(tmp_path: Path) -> None:
    # The core has no runtime dependencies: block PyYAML and the scanners, then run the command.
    code = (
        "import sys\n"
        "for name in ('yaml', 'checkov', 'prowler', 'boto3', 'botocore'):\n"
        "    sys.modules[name] = None\n"
        "from support_role._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = run("rules", "--json", cwd=tmp_path, code=code)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 4


def test_importing_the_core_loads_no_scanner_and_no_yaml(tmp_path: Path) -> None:
    code = (
        "import sys, support_role, support_role.scenarios, support_role.sources.iam_api\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'checkov', 'prowler', 'boto3', 'botocore'}))\n"
    )
    done = run(cwd=tmp_path, code=code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_rules_table_names_every_scanner_id(tmp_path: Path) -> None:
    done = run("rules", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for meta in RULES:
        assert meta.id in done.stdout and meta.checkov_id in done.stdout and meta.prowler_id in done.stdout


def test_corpus_replays_the_shared_corpus_without_a_difference() -> None:
    done = run("corpus", "--json", cwd=REPOSITORY)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mismatches"] == []
    assert {row["scenario"] for row in report["rows"]} == {s.name for s in load_corpus()}


def test_corpus_exits_1_and_names_a_differing_verdict(tmp_path: Path) -> None:
    scenario = (CORPUS_DIR / "anchor-wildcard-trust.yaml").read_text()
    (tmp_path / "wrong.yaml").write_text(scenario.replace("FAIL wildcard-principal", "PASS"))
    done = run("corpus", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "MISMATCH anchor-wildcard-trust: aws-support: support-role-trust: expected PASS, got FAIL wildcard-principal"
        in done.stdout
    )


def test_corpus_exits_2_with_a_message_on_a_broken_scenario(tmp_path: Path) -> None:
    shutil.copy(CORPUS_DIR / "good-single-user-mfa.yaml", tmp_path / "good.yaml")
    (tmp_path / "broken.yaml").write_text("name: broken\nexpect:\n  support-role-exists: MAYBE\n")
    done = run("corpus", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert "broken.yaml" in done.stderr and "MAYBE" in done.stderr
    assert "Traceback" not in done.stderr


def test_corpus_without_a_folder_outside_the_repository_fails_saying_where_the_corpus_is(tmp_path: Path) -> None:
    """As installed from a wheel: the package without the repository around it has no corpus."""
    site = tmp_path / "site"
    shutil.copytree(REPOSITORY / "support_role", site / "support_role", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(
        [sys.executable, "-m", "support_role", "corpus"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},  # this copy shadows the editable install
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "0 scenarios" not in done.stdout
    assert f"{site / 'tests' / 'corpus'}: no such folder" in done.stderr
    assert "python -m support_role corpus path/to/tests/corpus" in done.stderr


def test_corpus_of_a_folder_without_scenarios_fails(tmp_path: Path) -> None:
    done = run("corpus", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{tmp_path}: no scenario file (*.yaml) in this folder" in done.stderr
