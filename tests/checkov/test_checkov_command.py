"""``cis-support-role-checkov`` honours every way Checkov takes options and adds only what is missing.

The option tests build the command's Checkov (Checkov's own parser and config-file discovery,
in this process, without scanning) and read the options Checkov ends up with; the CLI tests run
the installed command on real folders, among them the shared case ``checkov-config``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support_role import EXISTS, RULES
from support_role.checkov_glue import PER_ROLE_RESOURCE_TYPES
from tests.support.checkov import CHECKS_DIR, OPEN_SUPPORT_ROLE_TF, ROOT

OUR_IDS = [rule.checkov_id for rule in RULES]
# A copy of the shared case ../shared/cases/checkov-config (its .checkov.yaml says what must happen).
CASE = Path(__file__).resolve().parent / "fixtures" / "checkov-config"
CHECKOV_ENV_VARS = ("CKV_CHECK", "CKV_SKIP_CHECK", "CKV_FRAMEWORK", "CIS_SUPPORT_ROLE_CONFIG")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory and home directory, and none of Checkov's option variables.

    The environment is restored afterwards as a whole: building Checkov in this process sets
    variables of its own (``CKV_GITHUB_CONF_DIR_PATH``), which later CLI runs would inherit.
    """
    saved_environment = dict(os.environ)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in CHECKOV_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(work)
    saved = sys.argv
    yield work
    sys.argv = saved
    os.environ.clear()
    os.environ.update(saved_environment)


def _options(*args: str, include_builtin: bool = False) -> tuple[object, list[str]]:
    """Checkov's options after the command completed them: (normalised config, what was added)."""
    from checkov_checks.__main__ import _checkov_class

    sys.argv = ["cis-support-role-checkov", *args]
    checkov = _checkov_class()(list(args), include_builtin)
    return checkov.config, checkov.added


def _checks(config: object) -> list[str]:
    return [c for value in (getattr(config, "check", None) or []) for c in value.split(",")]


def test_the_check_ids_are_every_rules_checkov_id() -> None:
    from checkov_checks.__main__ import CHECK_IDS

    assert list(CHECK_IDS) == OUR_IDS
    assert len(set(CHECK_IDS)) == len(RULES)


def test_with_no_option_given_everything_is_added(workdir: Path) -> None:
    config, added = _options()
    assert added == [
        "--external-checks-dir", str(CHECKS_DIR), "-d", ".", "--skip-download",
        "--check", ",".join(OUR_IDS),
        "--framework", "terraform", "terraform_plan", "cloudformation", "serverless",
    ]  # fmt: skip
    assert config.external_checks_dir == [str(CHECKS_DIR)]  # type: ignore[attr-defined]
    assert config.directory == ["."]  # type: ignore[attr-defined]
    assert config.skip_download is True  # type: ignore[attr-defined]
    assert _checks(config) == OUR_IDS
    assert sorted(config.framework) == ["cloudformation", "serverless", "terraform", "terraform_plan"]  # type: ignore[attr-defined]


def test_options_given_on_the_command_line_are_kept(workdir: Path) -> None:
    config, added = _options(
        "-f", "plan.json", "--skip-download", "--check=CKV_CISSR_2", "--framework", "terraform_plan",
        "--external-checks-dir", "mine",
    )  # fmt: skip
    assert added == ["--external-checks-dir", str(CHECKS_DIR)]
    assert config.file == ["plan.json"]  # type: ignore[attr-defined]
    assert config.directory is None  # type: ignore[attr-defined]
    assert _checks(config) == ["CKV_CISSR_2"]
    assert config.framework == ["terraform_plan"]  # type: ignore[attr-defined]
    assert config.external_checks_dir == ["mine", str(CHECKS_DIR)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "where", ["working-directory", "scanned-directory", "home", "config-file", "environment", "command-line"]
)
def test_a_skip_check_from_any_source_is_honoured(workdir: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared case: skip-check CKV_CISSR_2 must not make Checkov refuse --check (exit 2)."""
    args: list[str] = []
    text = "skip-check:\n  - CKV_CISSR_2\ncompact: true\n"
    if where == "working-directory":
        (workdir / ".checkov.yaml").write_text(text, encoding="utf-8")
    elif where == "scanned-directory":
        (workdir / "infra").mkdir()
        (workdir / "infra" / ".checkov.yml").write_text(text, encoding="utf-8")
        args = ["-d", "infra"]
    elif where == "home":
        (Path(os.environ["HOME"]) / ".checkov.yaml").write_text(text, encoding="utf-8")
    elif where == "config-file":
        (workdir / "ci.yaml").write_text(text, encoding="utf-8")
        args = ["--config-file", "ci.yaml"]
    elif where == "environment":
        monkeypatch.setenv("CKV_SKIP_CHECK", "CKV_CISSR_2")
    else:
        args = ["--skip-check", "CKV_CISSR_2"]
    config, added = _options(*args)
    assert config.skip_check == ["CKV_CISSR_2"]  # type: ignore[attr-defined]
    assert _checks(config) == [i for i in OUR_IDS if i != "CKV_CISSR_2"]
    assert "--check" in added
    if where not in ("environment", "command-line"):
        assert config.compact is True  # type: ignore[attr-defined]


def test_check_and_framework_from_a_config_file_are_not_overridden(workdir: Path) -> None:
    (workdir / ".checkov.yaml").write_text(
        "check: CKV_CISSR_4\nframework:\n  - cloudformation\nexternal-checks-dir:\n  - team_checks\n"
        "directory:\n  - stacks\n",
        encoding="utf-8",
    )
    config, added = _options()
    assert added == ["--external-checks-dir", str(CHECKS_DIR), "--skip-download"]
    assert _checks(config) == ["CKV_CISSR_4"]
    assert config.framework == ["cloudformation"]  # type: ignore[attr-defined]
    assert config.directory == ["stacks"]  # type: ignore[attr-defined]
    # a folder from the file is kept beside ours (on the command line it would replace the file's)
    assert config.external_checks_dir == ["team_checks", str(CHECKS_DIR)]  # type: ignore[attr-defined]


def test_check_and_framework_from_the_environment_are_not_overridden(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKV_CHECK", "CKV_CISSR_3")
    monkeypatch.setenv("CKV_FRAMEWORK", "terraform")
    config, added = _options("-d", "infra")
    assert added == ["--external-checks-dir", str(CHECKS_DIR), "--skip-download"]
    assert _checks(config) == ["CKV_CISSR_3"]
    assert config.framework == ["terraform"]  # type: ignore[attr-defined]


def test_a_skipped_framework_is_left_out_of_ours(workdir: Path) -> None:
    config, added = _options("--skip-framework", "serverless,terraform_plan")
    assert added[added.index("--framework") :] == ["--framework", "terraform", "cloudformation"]
    assert sorted(config.framework) == ["cloudformation", "terraform"]  # type: ignore[attr-defined]
    assert sorted(config.skip_framework) == ["serverless", "terraform_plan"]  # type: ignore[attr-defined]


def test_wildcards_and_severities_in_skip_check_are_left_to_checkov(workdir: Path) -> None:
    config, _ = _options("--skip-check", "CKV_CISSR_*,LOW")
    assert _checks(config) == OUR_IDS


def test_skipping_every_check_of_ours_is_a_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        _options("--skip-check", ",".join(OUR_IDS))
    assert stopped.value.code == 2
    assert "every support-role check" in capsys.readouterr().err
    config, added = _options("--skip-check", ",".join(OUR_IDS), include_builtin=True)
    assert config.check is None  # type: ignore[attr-defined]
    assert "--check" not in added


def test_include_builtin_checks_adds_no_check_and_no_framework(workdir: Path) -> None:
    config, added = _options("-d", "infra", include_builtin=True)
    assert added == ["--external-checks-dir", str(CHECKS_DIR), "--skip-download"]
    assert config.check is None  # type: ignore[attr-defined]
    assert config.framework == ["all"]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- the real command
def _command() -> str:
    return str(Path(sys.executable).with_name("cis-support-role-checkov"))


def _run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in CHECKOV_ENV_VARS}
    env["HOME"] = str(home)
    env.setdefault("LOG_LEVEL", "WARNING")
    return subprocess.run([_command(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_the_shared_case_runs_with_the_repositorys_own_checkov_configuration(tmp_path: Path) -> None:
    """The shared case checkov-config: CKV_CISSR_2 skipped by .checkov.yaml, exit 0, compact output."""
    folder = tmp_path / "case"
    shutil.copytree(CASE, folder)
    (tmp_path / "home").mkdir()
    done = _run(["-d", ".", "-o", "json"], folder, tmp_path / "home")
    assert "mutually exclusive" not in done.stderr
    data = json.loads(done.stdout)
    results = {
        (r["check_id"], r["resource"], status)
        for status in ("passed_checks", "failed_checks", "skipped_checks")
        for r in data["results"][status]
    }
    assert results == {
        ("CKV_CISSR_3", "aws_iam_role.open", "passed_checks"),
        ("CKV_CISSR_4", "aws_iam_role.open", "passed_checks"),
    }
    assert done.returncode == 0, done.stderr[-2000:]


def test_help_documents_the_commands_own_option_and_checkovs(tmp_path: Path) -> None:
    done = _run(["--help"], tmp_path, tmp_path)
    assert done.returncode == 0
    assert "--include-builtin-checks" in done.stdout
    assert ",".join(OUR_IDS) in done.stdout
    assert "--skip-check SKIP_CHECK" in done.stdout  # Checkov's own help follows


def test_list_shows_our_checks_for_terraform_and_cloudformation(tmp_path: Path) -> None:
    done = _run(["--list"], tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    # | index | Id | Type | Entity | Policy | IaC | Resource Link |
    rows = {
        (cells[2], cells[4], cells[5], cells[6])
        for line in done.stdout.splitlines()
        if (cells := [c.strip() for c in line.split("|")]) and len(cells) > 7 and cells[2] in OUR_IDS
    }
    expected = set()
    per_role = {"Terraform": PER_ROLE_RESOURCE_TYPES, "Cloudformation": ["AWS::IAM::Role", "AWS::SSO::PermissionSet"]}
    # no settings: the Terraform exists check on the marker's type alone (docs/DECISIONS.md)
    exists = {"Terraform": ["terraform_data"], "Cloudformation": ["*"]}
    for rule in RULES:
        for iac in ("Terraform", "Cloudformation"):
            for entity in exists[iac] if rule.id == EXISTS else per_role[iac]:
                expected.add((rule.checkov_id, entity, rule.title, iac))
    assert rows == expected


def test_the_command_runs_only_our_checks_by_default(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    (folder / "main.tf").write_text(OPEN_SUPPORT_ROLE_TF, encoding="utf-8")
    done = _run(["-o", "json"], folder, tmp_path)
    data = json.loads(done.stdout)
    reports = data if isinstance(data, list) else [data]
    ids = {r["check_id"] for rep in reports for k in ("passed_checks", "failed_checks") for r in rep["results"][k]}
    assert ids == {"CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"}
    assert done.returncode == 1


def test_the_command_keeps_the_builtin_checks_when_asked(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    (folder / "main.tf").write_text(OPEN_SUPPORT_ROLE_TF, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "checkov_checks", "-d", str(folder), "--include-builtin-checks",
         "--framework", "terraform", "-o", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**{k: v for k, v in os.environ.items() if k not in CHECKOV_ENV_VARS}, "HOME": str(tmp_path)},
    )  # fmt: skip
    data = json.loads(done.stdout)
    ids = {r["check_id"] for k in ("passed_checks", "failed_checks") for r in data["results"][k]}
    assert {"CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"} <= ids
    assert "CKV_AWS_60" in ids  # a built-in check on the same role (IAM role allows assume from '*')


def test_show_config_ends_with_what_the_command_added(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from checkov_checks.__main__ import main

    (workdir / ".checkov.yaml").write_text("skip-check:\n  - CKV_CISSR_2\n", encoding="utf-8")
    assert main(["--show-config"]) == 0
    out = capsys.readouterr().out
    assert "skip-check:" in out  # Checkov's own listing of where each option came from
    others = ",".join(i for i in OUR_IDS if i != "CKV_CISSR_2")
    assert out.rstrip().endswith(
        f"Added by cis-support-role-checkov:\n  --external-checks-dir {CHECKS_DIR} -d . --skip-download "
        f"--check {others} --framework terraform terraform_plan cloudformation serverless"
    )
