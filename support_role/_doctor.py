"""``python -m support_role doctor``: run both scanners on a bundled canary and say, per check, whether it
loaded and gave its expected result.

Both scanners fail silently in ways that matter here: Checkov only logs a check that fails to load and
turns an exception inside a check into a hidden UNKNOWN; Prowler skips a check whose metadata it
refuses (one log line) and drops the findings of a check that raises (exit code 0). A scan that shows no
finding of ours therefore proves nothing. The doctor scans a canary whose every expected result is
known (``support_role/canary``: Terraform and CloudFormation with one passing and one failing role per
rule, and an account created on a loopback moto server) and compares.

It uses only the standard library and subprocess: it imports neither checkov, prowler nor boto3, so it
runs from any environment and drives the scanners' own command lines, found by ``--checkov`` /
``--prowler`` / ``--moto-server``, then ``$CIS_SUPPORT_ROLE_CHECKOV`` / ``$CIS_SUPPORT_ROLE_PROWLER`` /
``$CIS_SUPPORT_ROLE_MOTO_SERVER``, then the PATH (``moto_server`` also next to the prowler executable).
The moto account is created through the IAM Query API over plain HTTP.

Exit code 0 only when every expected result was seen; 1 otherwise (a scanner not found counts unless
it is skipped with ``--skip``; the moto account is scanned only when ``moto_server`` is found).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ._config import CONFIG_ENV, ConfigError, load_config_file
from ._metadata import RULES

CANARY = Path(__file__).resolve().parent / "canary"
CHECKOV_ENV = "CIS_SUPPORT_ROLE_CHECKOV"
PROWLER_ENV = "CIS_SUPPORT_ROLE_PROWLER"
MOTO_ENV = "CIS_SUPPORT_ROLE_MOTO_SERVER"
FRAMEWORKS = ("terraform", "cloudformation")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LISTED = re.compile(r"\[(\w+)\]")
_PROWLER_CODES = re.compile(r"\[codes: ([^\]]*)\]\s*$")
_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIACANARYDOCTOR0001", "AWS_SECRET_ACCESS_KEY": "canary-not-a-secret"}


@dataclass
class Step:
    """One stage of the doctor: ``ok``, ``failed`` or ``skipped``, with a sentence."""

    name: str
    status: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail}


@dataclass
class Expected:
    """One result the canary must give: where, on what, and as what ("PASS" or "FAIL <codes>")."""

    scanner: str
    check_id: str
    where: str  # a Checkov framework, or "aws" for Prowler
    resource: str
    result: str
    seen: str | None = None

    @property
    def ok(self) -> bool:
        return self.seen == self.result


@dataclass
class Report:
    steps: list[Step] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    listed: dict[str, bool] = field(default_factory=dict)  # Prowler check ID -> in --list-checks
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        steps_ok = all(step.status != "failed" for step in self.steps)
        return steps_ok and all(e.ok for e in self.expected) and not self.unexpected

    def checks(self) -> list[dict[str, object]]:
        """Per check and framework: loaded (any result seen), expected results seen, the misses."""
        groups: dict[tuple[str, str, str], list[Expected]] = {}
        for item in self.expected:
            groups.setdefault((item.scanner, item.check_id, item.where), []).append(item)
        rows: list[dict[str, object]] = []
        for (scanner, check_id, where), items in groups.items():
            loaded = any(e.seen is not None for e in items)
            if scanner == "prowler" and check_id in self.listed:
                loaded = loaded or self.listed[check_id]
            misses = [f"{e.resource}: expected {e.result}, got {e.seen or 'nothing'}" for e in items if not e.ok]
            rows.append(
                {
                    "scanner": scanner,
                    "check_id": check_id,
                    "where": where,
                    "loaded": loaded,
                    "expected": len(items),
                    "matched": sum(e.ok for e in items),
                    "ok": not misses,
                    "problems": misses,
                }
            )
        return rows

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "steps": [step.to_dict() for step in self.steps],
            "prowler_listed": self.listed,
            "checks": self.checks(),
            "unexpected": self.unexpected,
        }


# --------------------------------------------------------------------------------------------- tools
def find_tool(explicit: str | None, env_var: str, name: str, beside: str | None = None) -> str | None:
    """A tool named on the command line, in the environment, next to another tool, or on the PATH."""
    for candidate in (explicit, os.environ.get(env_var)):
        if candidate:
            return candidate
    if beside:
        sibling = Path(beside).parent / name
        if sibling.is_file() and os.access(sibling, os.X_OK):
            return str(sibling)
    return shutil.which(name)


def _runnable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without AWS settings or our configuration, so the canary's expectations hold."""
    drop = ("AWS_", "MOTO_", CONFIG_ENV)
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(extra)
    return env


def _tail(text: str, lines: int = 12) -> str:
    """What a person needs from a tool's output: the lines about our checks or errors, else its end."""
    all_lines = [line.strip() for line in _ANSI.sub("", text).strip().splitlines()]
    relevant: dict[str, None] = {}
    for i, line in enumerate(all_lines):
        if any(word in line for word in ("cis_support_role", "CKV_CISSR", "CRITICAL", "ERROR", "Error:")):
            relevant[line] = None
            if "validation error" in line:  # pydantic puts the field and the reason on the next lines
                relevant.update(dict.fromkeys(all_lines[i + 1 : i + 3]))
    return "\n".join(list(relevant)[:lines] if relevant else all_lines[-lines:])


def _expected_file() -> dict[str, object]:
    data = json.loads((CANARY / "expected.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _result_of(status: str, codes: Sequence[str]) -> str:
    """A scanner's status and problem codes as the expectation is written: "PASS", "FAIL code code"."""
    return " ".join([status, *sorted(c for c in codes if c)])


# ------------------------------------------------------------------------------------------- checkov
def checks_dir() -> str | None:
    """The installed ``checkov_checks`` folder (found without importing it)."""
    spec = importlib.util.find_spec("checkov_checks")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return str(locations[0]) if locations else None


def _checkov_records(data: object) -> Iterator[tuple[str, str, str, str, str]]:
    """(framework, check ID, file, resource, result) of our results in Checkov's JSON output."""
    reports = data if isinstance(data, list) else [data]
    ours = {rule.checkov_id for rule in RULES}
    for report in reports:
        if not isinstance(report, Mapping):
            continue
        results = report.get("results")
        if not isinstance(results, Mapping):
            continue
        for key, status in (("passed_checks", "PASS"), ("failed_checks", "FAIL")):
            for record in results.get(key) or []:
                if not isinstance(record, Mapping) or record.get("check_id") not in ours:
                    continue
                check_result = record.get("check_result")
                details = record.get("details") or (
                    check_result.get("details") if isinstance(check_result, Mapping) else None
                )
                codes: list[str] = []
                for line in details or []:
                    if isinstance(line, str) and line.startswith("verdict: "):
                        codes = [c.strip() for c in line.partition("[")[2].rstrip("]").split(",")]
                yield (
                    str(report.get("check_type")),
                    str(record["check_id"]),
                    str(record.get("file_path")),
                    str(record.get("resource")),
                    _result_of(status, codes),
                )


def run_checkov(checkov: str, report: Report, expected: list[Expected], timeout: float) -> None:
    name = "checkov scan of the canary"
    directory = checks_dir()
    if directory is None:
        report.steps.append(Step(name, "failed", "the checkov_checks package is not installed beside support_role"))
        return
    ids = ",".join(rule.checkov_id for rule in RULES)
    with tempfile.TemporaryDirectory(prefix="cis-support-role-doctor-") as tmp:
        canary = Path(tmp) / "canary"
        shutil.copytree(CANARY, canary, ignore=shutil.ignore_patterns("expected.json", "__pycache__"))
        command = [checkov, "-d", str(canary), "--framework", *FRAMEWORKS, "--external-checks-dir", directory]
        command += ["-c", ids, "-o", "json", "--skip-download"]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=_clean_env(LOG_LEVEL="WARNING"), cwd=tmp
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            report.steps.append(Step(name, "failed", f"{checkov} could not run: {error}"))
            return
    try:
        data = json.loads(done.stdout)
    except ValueError:
        detail = f"exit code {done.returncode} and no JSON report:\n{_tail(done.stderr or done.stdout)}"
        report.steps.append(Step(name, "failed", detail))
        return
    seen: dict[tuple[str, str, str, str], str] = {}
    for framework, check_id, file, resource, result in _checkov_records(data):
        key = (framework, check_id, file, resource)
        if key in seen:
            report.unexpected.append(f"checkov: two {check_id} results for {resource} in {file}")
        seen[key] = result
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


def checkov_expectations(data: Mapping[str, object]) -> list[Expected]:
    items = data.get("checkov")
    assert isinstance(items, list)
    return [
        # the file is kept in the resource so that two roots with the same address stay apart
        Expected("checkov", e["check"], e["framework"], f"{e['file']}::{e['resource']}", e["result"])
        for e in items
    ]


# ------------------------------------------------------------------------------------------- prowler
def run_prowler_list(prowler: str, report: Report, timeout: float) -> None:
    name = "prowler aws --list-checks"
    ids = [rule.prowler_id for rule in RULES]
    try:
        done = subprocess.run(
            [prowler, "aws", "--list-checks", "--no-banner"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_clean_env(),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        report.steps.append(Step(name, "failed", f"{prowler} could not run: {error}"))
        return
    listed = set(_LISTED.findall(_ANSI.sub("", done.stdout)))
    report.listed = {check_id: check_id in listed for check_id in ids}
    missing = [check_id for check_id in ids if check_id not in listed]
    if done.returncode != 0 or missing:
        detail = f"exit code {done.returncode}; not listed: {', '.join(missing) or '-'}\n{_tail(done.stderr)}"
        report.steps.append(Step(name, "failed", detail))
    else:
        report.steps.append(Step(name, "ok", f"{len(ids)} of our checks listed"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_account(moto_server: str, account_id: str, timeout: float = 60) -> Iterator[str]:
    """A moto server on 127.0.0.1 (AWS managed policies loaded) for one account; yields its URL."""
    port = _free_port()
    env = _clean_env(MOTO_IAM_LOAD_MANAGED_POLICIES="true", MOTO_ACCOUNT_ID=account_id)
    process = subprocess.Popen(
        [moto_server, "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                    break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{moto_server} did not start on port {port}") from error
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def iam_call(url: str, region: str, action: str, **params: str) -> str:
    """One IAM Query API call to a moto server (moto does not check signatures; the scope names IAM)."""
    body = urllib.parse.urlencode({"Action": action, "Version": "2010-05-08", **params}).encode()
    key = _FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]
    request = urllib.request.Request(
        f"{url}/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/iam/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.read().decode("utf-8"))


def seed_canary_account(url: str, account: Mapping[str, object]) -> None:
    region = str(account["region"])
    for user in account.get("users") or []:  # type: ignore[attr-defined]
        iam_call(url, region, "CreateUser", UserName=str(user))
    for role in account.get("roles") or []:  # type: ignore[attr-defined]
        iam_call(url, region, "CreateRole", RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(role["trust"]))
        for arn in role["policies"]:
            iam_call(url, region, "AttachRolePolicy", RoleName=role["name"], PolicyArn=arn)


def _prowler_records(findings: object) -> Iterator[tuple[str, str, str]]:
    """(check ID, resource name, result) of our findings in Prowler's OCSF JSON output."""
    ours = {rule.prowler_id for rule in RULES}
    for finding in findings if isinstance(findings, list) else []:
        if not isinstance(finding, Mapping):
            continue
        metadata = finding.get("metadata")
        check_id = metadata.get("event_code") if isinstance(metadata, Mapping) else None
        if check_id not in ours:
            continue
        resources = finding.get("resources")
        first = resources[0] if isinstance(resources, list) and resources else {}
        resource = str(first.get("name")) if isinstance(first, Mapping) else "?"
        detail = str(finding.get("status_detail") or "")
        match = _PROWLER_CODES.search(detail)
        codes = match.group(1).split() if match else []
        yield str(check_id), resource, _result_of(str(finding.get("status_code")), codes)


def run_prowler_canary(
    prowler: str, moto_server: str, report: Report, account: Mapping[str, object], timeout: float
) -> None:
    name = "prowler scan of the canary account (moto)"
    account_id, region = str(account["account_id"]), str(account["region"])
    items = account.get("findings")
    assert isinstance(items, list)
    expected = [Expected("prowler", e["check"], "aws", e["resource"], e["result"]) for e in items]
    ids = [rule.prowler_id for rule in RULES]
    try:
        with moto_account(moto_server, account_id) as url, tempfile.TemporaryDirectory() as out:
            seed_canary_account(url, account)
            env = _clean_env(
                AWS_ENDPOINT_URL=url,
                AWS_DEFAULT_REGION=region,
                AWS_CONFIG_FILE=os.devnull,
                AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                AWS_EC2_METADATA_DISABLED="true",
                **_FAKE_CREDENTIALS,
            )
            command = [prowler, "aws", "-f", region, "--no-banner", "-c", *ids, "-M", "json-ocsf", "-o", out]
            command += ["-F", "canary"]
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
            output = Path(out) / "canary.ocsf.json"
            findings = json.loads(output.read_text(encoding="utf-8")) if output.is_file() else None
    except (OSError, RuntimeError, ValueError, urllib.error.URLError, subprocess.TimeoutExpired) as error:
        report.steps.append(Step(name, "failed", f"could not scan the canary account: {error}"))
        report.expected.extend(expected)
        return
    if findings is None:
        detail = f"exit code {done.returncode} and no OCSF report:\n{_tail(done.stderr or done.stdout)}"
        report.steps.append(Step(name, "failed", detail))
        report.expected.extend(expected)
        return
    by_key = {(e.check_id, e.resource): e for e in expected}
    for check_id, resource, result in _prowler_records(findings):
        item = by_key.get((check_id, resource))
        if item is None or item.seen is not None:
            report.unexpected.append(f"prowler: unexpected {check_id} {result} on {resource}")
        else:
            item.seen = result
    report.expected.extend(expected)
    ok = done.returncode == 3  # the canary has failing roles
    detail = f"moto_server {moto_server}, account {account_id}, exit code {done.returncode}"
    report.steps.append(Step(name, "ok" if ok else "failed", detail + ("" if ok else " (expected 3)")))


# ---------------------------------------------------------------------------------------------- run
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
    data = _expected_file()
    check_configuration(report, config)
    if "checkov" in skip:
        report.steps.append(Step("checkov", "skipped", "--skip checkov"))
    else:
        found = find_tool(checkov, CHECKOV_ENV, "checkov")
        if found is None or not _runnable(found):
            detail = f"checkov not found ({found or 'give --checkov PATH or set $' + CHECKOV_ENV})"
            report.steps.append(Step("checkov", "failed", detail))
            report.expected.extend(checkov_expectations(data))
        else:
            report.steps.append(Step("checkov", "ok", found))
            run_checkov(found, report, checkov_expectations(data), timeout)
    if "prowler" in skip:
        report.steps.append(Step("prowler", "skipped", "--skip prowler"))
        return report
    found = find_tool(prowler, PROWLER_ENV, "prowler")
    if found is None or not _runnable(found):
        detail = f"prowler not found ({found or 'give --prowler PATH or set $' + PROWLER_ENV})"
        report.steps.append(Step("prowler", "failed", detail))
        report.listed = {rule.prowler_id: False for rule in RULES}
        return report
    report.steps.append(Step("prowler", "ok", found))
    run_prowler_list(found, report, timeout)
    account = data.get("prowler")
    assert isinstance(account, Mapping)
    moto = None if "moto" in skip else find_tool(moto_server, MOTO_ENV, "moto_server", beside=found)
    if moto is None or not _runnable(moto):
        why = "--skip moto" if "moto" in skip else f"moto_server not found ({moto or 'give --moto-server PATH'})"
        report.steps.append(Step("prowler scan of the canary account (moto)", "skipped", why))
        return report
    run_prowler_canary(found, moto, report, account, timeout)
    return report


def render(report: Report) -> str:
    lines = ["cis-support-role doctor"]
    for step in report.steps:
        first, *rest = step.detail.splitlines() or [""]
        lines.append(f"  {step.status.upper():<8} {step.name}: {first}")
        lines += [f"           {line}" for line in rest]
    rows = report.checks()
    if rows:
        lines.append("checks:")
    for row in rows:
        state = "ok" if row["ok"] else ("NOT LOADED" if not row["loaded"] else "WRONG")
        listed = ""
        if row["scanner"] == "prowler":
            listed = ", listed" if report.listed.get(str(row["check_id"])) else ", NOT listed"
        lines.append(
            f"  {state:<10} {row['scanner']:<8} {row['check_id']:<48} {row['where']:<15}"
            f" {row['matched']}/{row['expected']} expected results{listed}"
        )
        problems = row["problems"]
        assert isinstance(problems, list)
        lines += [f"             {problem}" for problem in problems]
    for check_id, listed_ok in report.listed.items():
        if not any(r["check_id"] == check_id for r in rows):
            lines.append(f"  {'ok' if listed_ok else 'NOT LOADED':<10} prowler  {check_id:<48} listed: {listed_ok}")
    lines += [f"  UNEXPECTED {line}" for line in report.unexpected]
    if report.ok:
        lines.append("result: OK: every check of ours loaded and gave its expected result")
    else:
        lines.append("result: FAILED: see the lines above")
    return "\n".join(lines)


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
