"""Our findings read back from Checkov's JSON and Prowler's JSON-OCSF (support_role.reports).

The inputs have the shape the real tools write (one framework report or a list of them for
Checkov; a list of OCSF detection findings for Prowler), with details and texts written by the
codec's own writers, as our checks write them; the end-to-end tests, the demo and the doctor read
real outputs with the same functions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support_role import LEAST_PRIVILEGE, MFA, TRUST, Problem, Status, Verdict
from support_role._codec import checkov_details, checkov_result, prowler_status, prowler_status_extended
from support_role.reports import (
    ACCOUNT,
    ReportError,
    checkov_finding,
    checkov_parsing_errors,
    read_checkov,
    read_prowler_ocsf,
)

EXISTS_VERDICT = Verdict("support-role-exists", Status.PASS, "root", "root has support role(s): support.")
TRUST_VERDICT = Verdict(
    TRUST,
    Status.FAIL,
    "aws_iam_role.s",
    "s trusts *.",
    (Problem("wildcard-principal", "*", ""), Problem("account-root", "arn:aws:iam::111111111111:root", "")),
    (("role", ("support",)),),
)
LEAST_VERDICT = Verdict(LEAST_PRIVILEGE, Status.UNKNOWN, "aws_iam_role.s", "unknown policy", (
    Problem("policy-not-visible", "arn:aws:iam::111111111111:policy/x", "defined elsewhere"),
), (("role", ("support",)),))  # fmt: skip
MFA_VERDICT = Verdict(MFA, Status.PASS, "aws_iam_role.s", "support requires MFA.", (), (("role", ("support",)),))


def checkov_record(
    check_id: str, resource: str, file_abs_path: str, verdict: Verdict, strict: bool
) -> dict[str, object]:
    return {
        "check_id": check_id,
        "check_name": "...",
        "check_result": {"result": checkov_result(verdict.status, strict)},
        "resource": resource,
        "file_path": "/" + Path(file_abs_path).name,
        "file_abs_path": file_abs_path,
        "details": list(checkov_details(verdict, strict)),
    }


def checkov_report(check_type: str, passed: list[object], failed: list[object]) -> dict[str, object]:
    return {
        "check_type": check_type,
        "results": {"passed_checks": passed, "failed_checks": failed, "skipped_checks": [], "parsing_errors": []},
        "summary": {"passed": len(passed), "failed": len(failed)},
    }


def ocsf(check_id: str, verdict: Verdict, name: str, strict: bool = False) -> dict[str, object]:
    return {
        "metadata": {"event_code": check_id},
        "status_code": prowler_status(verdict.status, strict),
        "status_detail": prowler_status_extended(verdict, strict),
        "resources": [{"name": name, "uid": f"arn:aws:iam::111111111111:role/{name}"}],
    }


TF = "/work/examples/acct/main.tf"
CHECKOV = [
    checkov_report(
        "terraform",
        passed=[
            checkov_record("CKV_CISSR_1", "terraform_data.marker", TF, EXISTS_VERDICT, True),
            checkov_record("CKV_CISSR_4", "aws_iam_role.s", TF, MFA_VERDICT, True),
        ],
        failed=[
            checkov_record("CKV_CISSR_2", "aws_iam_role.s", TF, TRUST_VERDICT, True),
            checkov_record("CKV_CISSR_3", "aws_iam_role.s", TF, LEAST_VERDICT, True),  # strict: UNKNOWN as FAILED
            {**checkov_record("CKV_AWS_61", "aws_iam_role.s", TF, TRUST_VERDICT, True), "check_id": "CKV_AWS_61"},
        ],
    ),
    {"passed": 0, "failed": 0, "skipped": 0},  # a framework with nothing to scan
]
PROWLER = [
    ocsf("iam_cis_support_role_exists", EXISTS_VERDICT, "111111111111"),
    ocsf("iam_cis_support_role_trusts_specific_principals", TRUST_VERDICT, "support"),
    ocsf("iam_cis_support_role_least_privilege", LEAST_VERDICT, "support"),
    ocsf("iam_cis_support_role_requires_mfa", MFA_VERDICT, "support"),
    ocsf("iam_support_role_created", MFA_VERDICT, "support"),  # not ours
]
EXPECTED = {
    (ACCOUNT, "support-role-exists"): "PASS",
    ("support", MFA): "PASS",
    ("support", TRUST): "FAIL account-root wildcard-principal",
    ("support", LEAST_PRIVILEGE): "UNKNOWN policy-not-visible",
}


def test_checkov_json_is_read_into_rule_role_verdicts() -> None:
    found = {(f.role, f.rule): f for f in read_checkov(CHECKOV)}
    assert {key: f.verdict for key, f in found.items()} == EXPECTED
    trust = found[("support", TRUST)]
    assert (trust.reason, trust.scope, trust.resource, trust.result) == (
        "s trusts *.",
        "/work/examples/acct",
        "aws_iam_role.s",
        "FAILED",
    )
    least = found[("support", LEAST_PRIVILEGE)]
    assert least.result == "FAILED" and least.strict and least.status is Status.UNKNOWN
    assert found[(ACCOUNT, "support-role-exists")].resource == "terraform_data.marker"


@pytest.mark.parametrize(
    ("framework", "path", "scope"),
    [
        ("terraform", "/a/b/main.tf", "/a/b"),
        ("terraform_plan", "/a/b/plan.json", "/a/b/plan.json"),
        ("cloudformation", "/a/b/template.yaml", "/a/b/template.yaml"),
    ],
)
def test_checkov_scope_is_the_directory_for_terraform_and_the_file_otherwise(
    framework: str, path: str, scope: str
) -> None:
    details = checkov_details(MFA_VERDICT, False)
    finding = checkov_finding(framework, "PASSED", "CKV_CISSR_4", "r", "/x", path, details)
    assert finding is not None and finding.scope == scope


def test_a_checkov_result_without_our_details_keeps_its_own_status() -> None:
    finding = checkov_finding("terraform", "FAILED", "CKV_CISSR_2", "aws_iam_role.s", "/m.tf", "/m.tf", [])
    assert finding is not None and finding.wire is None
    assert (finding.verdict, finding.role) == ("FAIL", "aws_iam_role.s")  # no evidence: the address
    assert checkov_finding("terraform", "FAILED", "CKV_AWS_61", "aws_iam_role.s", "/m.tf", "/m.tf", []) is None


def test_prowler_ocsf_is_read_with_manual_as_unknown_and_the_codes() -> None:
    found = {(f.role, f.rule): f for f in read_prowler_ocsf(PROWLER)}
    assert {key: f.verdict for key, f in found.items()} == EXPECTED
    assert found[("support", TRUST)].reason == "s trusts *."
    assert found[("support", LEAST_PRIVILEGE)].result == "MANUAL"
    assert found[(ACCOUNT, "support-role-exists")].resource == "111111111111"


def test_prowler_strict_mode_fail_is_read_back_as_unknown() -> None:
    (finding,) = read_prowler_ocsf([ocsf("iam_cis_support_role_least_privilege", LEAST_VERDICT, "r", strict=True)])
    assert (finding.result, finding.verdict, finding.strict) == ("FAIL", "UNKNOWN policy-not-visible", True)


@pytest.mark.parametrize("bad", [{"not": "a report"}, [{"results": None}], "text"])
def test_unreadable_checkov_inputs_are_refused(bad: object) -> None:
    with pytest.raises(ReportError, match="not a Checkov JSON report"):
        read_checkov(bad)


def test_unreadable_prowler_inputs_are_refused() -> None:
    with pytest.raises(ReportError, match="not a Prowler JSON-OCSF file"):
        read_prowler_ocsf({"not": "a list"})
    wrong = {**PROWLER[1], "status_code": "INFO"}
    with pytest.raises(ReportError, match="iam_cis_support_role_trusts_specific_principals on support"):
        read_prowler_ocsf([wrong])


def test_the_files_checkov_could_not_parse_are_listed() -> None:
    """Checkov scans on without a file it could not parse (a syntax error, or HCL that took longer
    than HCL_PARSE_TIMEOUT_SEC to parse): its roots then have no result at all, which a reader must
    be able to tell from a verdict."""
    report = checkov_report("terraform", [], [])
    report["results"]["parsing_errors"] = ["/scan/b02/tf/main.tf"]  # type: ignore[index]
    assert checkov_parsing_errors([report, CHECKOV[0], CHECKOV[1]]) == ["/scan/b02/tf/main.tf"]
    assert checkov_parsing_errors(CHECKOV) == []
