"""The doctor's Checkov step: the real Checkov CLI over the bundled canary, with our checks."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .._metadata import RULES
from ..reports import ReportError, read_checkov
from ._report import Expected, Report, Step
from ._tools import scanner_env, tail

FRAMEWORKS = ("terraform", "cloudformation")


def checks_dir() -> str | None:
    """The installed ``checkov_checks`` folder (found without importing it)."""
    spec = importlib.util.find_spec("checkov_checks")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return str(locations[0]) if locations else None


def checkov_expectations(data: Mapping[str, object]) -> list[Expected]:
    items = data.get("checkov")
    assert isinstance(items, list)
    return [
        # the file is kept in the resource so that two roots with the same address stay apart
        Expected("checkov", e["check"], e["framework"], f"{e['file']}::{e['resource']}", e["result"])
        for e in items
    ]


def run_checkov(checkov: str, canary: Path, report: Report, expected: list[Expected], timeout: float) -> None:
    name = "checkov scan of the canary"
    directory = checks_dir()
    if directory is None:
        report.steps.append(Step(name, "failed", "the checkov_checks package is not installed beside support_role"))
        return
    ids = ",".join(rule.checkov_id for rule in RULES)
    with tempfile.TemporaryDirectory(prefix="cis-support-role-doctor-") as tmp:
        copy = Path(tmp) / "canary"
        shutil.copytree(canary, copy, ignore=shutil.ignore_patterns("expected.json", "__pycache__"))
        command = [checkov, "-d", str(copy), "--framework", *FRAMEWORKS, "--external-checks-dir", directory]
        command += ["-c", ids, "-o", "json", "--skip-download"]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=scanner_env(LOG_LEVEL="WARNING"), cwd=tmp
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            report.steps.append(Step(name, "failed", f"{checkov} could not run: {error}"))
            return
    try:
        data = json.loads(done.stdout)
    except ValueError:
        detail = f"exit code {done.returncode} and no JSON report:\n{tail(done.stderr or done.stdout)}"
        report.steps.append(Step(name, "failed", detail))
        return
    try:
        findings = read_checkov(data)
    except ReportError as error:
        report.steps.append(Step(name, "failed", f"exit code {done.returncode}: {error}"))
        return
    seen: dict[tuple[str, str, str, str], str] = {}
    for finding in findings:
        key = (finding.framework, finding.check_id, finding.file_path, finding.resource)
        if key in seen:
            report.unexpected.append(f"checkov: two {finding.check_id} results for {finding.resource} in {key[2]}")
        seen[key] = finding.verdict
    files = {(e.where, e.check_id, e.resource): e for e in expected}
    for (framework, check_id, file, resource), result in seen.items():
        item = files.get((framework, check_id, f"{file}::{resource}"))
        if item is None:
            report.unexpected.append(f"checkov: unexpected {check_id} {result} on {resource} in {file}")
        else:
            item.seen = result
    report.expected.extend(expected)
    crashed = sorted({line.split("Failed to run check ", 1)[1] for line in done.stderr.splitlines() if
                      "Failed to run check CKV_CISSR" in line})  # fmt: skip
    report.unexpected.extend(f"checkov: a check raised (Checkov hid it as UNKNOWN): {c}" for c in crashed)
    version = data[0].get("summary", {}).get("checkov_version") if isinstance(data, list) and data else None
    if version is None and isinstance(data, Mapping):
        version = data.get("summary", {}).get("checkov_version")
    ok = done.returncode == 1  # the canary has failing roles
    detail = f"checkov {version or '?'}, exit code {done.returncode}" + ("" if ok else " (expected 1)")
    report.steps.append(Step(name, "ok" if ok else "failed", detail))
