"""The doctor's Prowler steps: ``--list-checks``, and the real Prowler CLI over a canary moto account."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import urllib.error
from collections.abc import Mapping
from pathlib import Path

from .._metadata import EXISTS, PER_ROLE_RULES, RULES, RULES_BY_ID
from ..localaws import IamError, IamQueryClient, MotoServer, MotoServerError, region_for, seed_scenario
from ..reports import ReportError, read_prowler_ocsf
from ..scenarios import Scenario, ScenarioError, scenario_from_mapping
from ._report import Expected, Report, Step
from ._tools import scanner_env, strip_colours, tail

_LISTED = re.compile(r"\[(\w+)\]")
CANARY_STEP = "prowler scan of the canary account (moto)"


def run_prowler_list(prowler: str, report: Report, timeout: float) -> None:
    name = "prowler aws --list-checks"
    ids = [rule.prowler_id for rule in RULES]
    try:
        done = subprocess.run(
            [prowler, "aws", "--list-checks", "--no-banner"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=scanner_env(),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        report.steps.append(Step(name, "failed", f"{prowler} could not run: {error}"))
        return
    listed = set(_LISTED.findall(strip_colours(done.stdout)))
    report.listed = {check_id: check_id in listed for check_id in ids}
    missing = [check_id for check_id in ids if check_id not in listed]
    if done.returncode != 0 or missing:
        detail = f"exit code {done.returncode}; not listed: {', '.join(missing) or '-'}\n{tail(done.stderr)}"
        report.steps.append(Step(name, "failed", detail))
    else:
        report.steps.append(Step(name, "ok", f"{len(ids)} of our checks listed"))


def canary_account(data: Mapping[str, object]) -> Scenario:
    """The canary account: ``expected.json``'s ``prowler`` section, in the scenario corpus format."""
    raw = data.get("prowler")
    if not isinstance(raw, Mapping):
        raise ScenarioError("expected.json: no 'prowler' scenario")
    return scenario_from_mapping(raw)


def prowler_expectations(account: Scenario) -> list[Expected]:
    """The findings Prowler must give on the canary account: its expectations, NA left out."""
    expected = [
        Expected("prowler", RULES_BY_ID[EXISTS].prowler_id, "aws", account.account_id, str(account.expect_exists))
    ]
    for rule in PER_ROLE_RULES:
        for role in account.roles:
            expectation = account.expectation(role.name, rule)
            if expectation.status != "NA":
                expected.append(Expected("prowler", RULES_BY_ID[rule].prowler_id, "aws", role.name, str(expectation)))
    return expected


def run_prowler_canary(prowler: str, moto_server: str, report: Report, account: Scenario, timeout: float) -> None:
    expected = prowler_expectations(account)
    report.expected.extend(expected)
    ids = [rule.prowler_id for rule in RULES]
    region = region_for(account.partition)
    server = MotoServer([moto_server], account_id=account.account_id, partition=account.partition)
    try:
        with server, tempfile.TemporaryDirectory() as out:
            seed_scenario(IamQueryClient(server.url, region), account)
            command = [prowler, "aws", "-f", region, "--no-banner", "-c", *ids, "-M", "json-ocsf", "-o", out]
            command += ["-F", "canary"]
            env = scanner_env(**server.client_env())
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
            output = Path(out) / "canary.ocsf.json"
            findings = json.loads(output.read_text(encoding="utf-8")) if output.is_file() else None
    except (OSError, MotoServerError, IamError, ValueError, urllib.error.URLError, subprocess.TimeoutExpired) as error:
        report.steps.append(Step(CANARY_STEP, "failed", f"could not scan the canary account: {error}"))
        return
    if findings is None:
        detail = f"exit code {done.returncode} and no OCSF report:\n{tail(done.stderr or done.stdout)}"
        report.steps.append(Step(CANARY_STEP, "failed", detail))
        return
    by_key = {(e.check_id, e.resource): e for e in expected}
    try:
        ours = read_prowler_ocsf(findings)
    except ReportError as error:
        report.steps.append(Step(CANARY_STEP, "failed", f"exit code {done.returncode}: {error}"))
        return
    for finding in ours:
        item = by_key.get((finding.check_id, finding.resource))
        if item is None or item.seen is not None:
            report.unexpected.append(f"prowler: unexpected {finding.check_id} {finding.verdict} on {finding.resource}")
        else:
            item.seen = finding.verdict
    ok = done.returncode == 3  # the canary has failing roles
    detail = f"moto_server {moto_server}, account {account.account_id}, exit code {done.returncode}"
    report.steps.append(Step(CANARY_STEP, "ok" if ok else "failed", detail + ("" if ok else " (expected 3)")))
