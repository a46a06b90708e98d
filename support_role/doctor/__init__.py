"""``python -m support_role doctor``: run both scanners on a bundled canary and say, per check, whether it
loaded and gave its expected result.

Both scanners fail silently in ways that matter here: Checkov only logs a check that fails to load and
turns an exception inside a check into a hidden UNKNOWN; Prowler skips a check whose metadata it
refuses (one log line) and drops the findings of a check that raises (exit code 0). A scan that shows no
finding of ours therefore proves nothing. The doctor scans a canary whose every expected result is
known (``support_role/doctor/canary``: Terraform and CloudFormation with one passing and one failing role per
rule, and an account created on a loopback moto server) and compares.

It uses only the standard library and subprocess: it imports neither checkov, prowler nor boto3, so it
runs from any environment and drives the scanners' own command lines, found by ``--checkov`` /
``--prowler`` / ``--moto-server``, then ``$CIS_SUPPORT_ROLE_CHECKOV`` / ``$CIS_SUPPORT_ROLE_PROWLER`` /
``$CIS_SUPPORT_ROLE_MOTO_SERVER``, then the PATH (``moto_server`` also next to the prowler executable).
The moto server is :class:`support_role.localaws.MotoServer` (the one the tests and the demo use), the
account is created through its IAM Query API client.

Exit code 0 only when every expected result was seen; 1 otherwise (a scanner not found counts unless
it is skipped with ``--skip``; the moto account is scanned only when ``moto_server`` is found).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .._config import CONFIG_ENV, ConfigError, load_config_file
from .._metadata import RULES
from ..scenarios import ScenarioError
from ._checkov import checkov_expectations, run_checkov
from ._prowler import CANARY_STEP, canary_account, run_prowler_canary, run_prowler_list
from ._report import Expected, Report, Step, render
from ._tools import find_tool, runnable

__all__ = ["CANARY", "Expected", "Report", "Step", "diagnose", "expected_file", "main", "render"]

CANARY = Path(__file__).resolve().parent / "canary"
CHECKOV_ENV = "CIS_SUPPORT_ROLE_CHECKOV"
PROWLER_ENV = "CIS_SUPPORT_ROLE_PROWLER"
MOTO_ENV = "CIS_SUPPORT_ROLE_MOTO_SERVER"


def expected_file() -> dict[str, object]:
    """``canary/expected.json``: what each scanner must report on the canary."""
    data = json.loads((CANARY / "expected.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def check_configuration(report: Report, path: str | None) -> None:
    """The configuration real scans would use: refused here as the scanners would refuse it."""
    path = path or os.environ.get(CONFIG_ENV)
    if not path:
        report.steps.append(Step("configuration", "ok", f"${CONFIG_ENV} not set: the defaults"))
        return
    try:
        load_config_file(path)
    except ConfigError as error:
        report.steps.append(Step("configuration", "failed", str(error)))
        return
    report.steps.append(Step("configuration", "ok", f"{path} is valid"))


def diagnose(
    checkov: str | None = None,
    prowler: str | None = None,
    moto_server: str | None = None,
    skip: Sequence[str] = (),
    config: str | None = None,
    timeout: float = 900,
) -> Report:
    report = Report()
    data = expected_file()
    check_configuration(report, config)
    if "checkov" in skip:
        report.steps.append(Step("checkov", "skipped", "--skip checkov"))
    else:
        # beside this interpreter first: `python -m support_role doctor` run from an environment that
        # is not on the PATH still finds its own Checkov
        found = find_tool(checkov, CHECKOV_ENV, "checkov", beside=sys.executable)
        if found is None or not runnable(found):
            detail = f"checkov not found ({found or 'give --checkov PATH or set $' + CHECKOV_ENV})"
            report.steps.append(Step("checkov", "failed", detail))
            report.expected.extend(checkov_expectations(data))
        else:
            report.steps.append(Step("checkov", "ok", found))
            run_checkov(found, CANARY, report, checkov_expectations(data), timeout)
    if "prowler" in skip:
        report.steps.append(Step("prowler", "skipped", "--skip prowler"))
        return report
    found = find_tool(prowler, PROWLER_ENV, "prowler", beside=sys.executable)
    if found is None or not runnable(found):
        detail = f"prowler not found ({found or 'give --prowler PATH or set $' + PROWLER_ENV})"
        report.steps.append(Step("prowler", "failed", detail))
        report.listed = {rule.prowler_id: False for rule in RULES}
        return report
    report.steps.append(Step("prowler", "ok", found))
    run_prowler_list(found, report, timeout)
    moto = None if "moto" in skip else find_tool(moto_server, MOTO_ENV, "moto_server", beside=found)
    if moto is None or not runnable(moto):
        why = "--skip moto" if "moto" in skip else f"moto_server not found ({moto or 'give --moto-server PATH'})"
        report.steps.append(Step(CANARY_STEP, "skipped", why))
        return report
    try:
        account = canary_account(data)
    except ScenarioError as error:
        report.steps.append(Step(CANARY_STEP, "failed", f"the canary account cannot be read: {error}"))
        return report
    run_prowler_canary(found, moto, report, account, timeout)
    return report


def main(
    checkov: str | None,
    prowler: str | None,
    moto_server: str | None,
    skip: Sequence[str],
    config: str | None,
    as_json: bool,
    timeout: float,
) -> int:
    report = diagnose(checkov, prowler, moto_server, skip, config, timeout)
    print(json.dumps(report.to_dict(), indent=2) if as_json else render(report))
    return 0 if report.ok else 1
