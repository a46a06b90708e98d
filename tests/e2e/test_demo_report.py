"""The demo's table: reading Checkov's JSON and Prowler's OCSF, pairing verdicts, the exit code.

The inputs have the shape the real tools write (one framework report or a list of them for
Checkov; a list of OCSF detection findings for Prowler); the end-to-end tests read real outputs
with the same functions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.tools import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import demo_report as report


def checkov_result(check_id: str, resource: str, file_abs_path: str, details: list[str]) -> dict[str, object]:
    return {
        "check_id": check_id,
        "check_name": "...",
        "check_result": {"result": "FAILED" if "FAIL" in details[1] else "PASSED"},
        "resource": resource,
        "file_path": "/" + Path(file_abs_path).name,
        "file_abs_path": file_abs_path,
        "details": details,
    }


def checkov_report(check_type: str, passed: list[object], failed: list[object]) -> dict[str, object]:
    return {
        "check_type": check_type,
        "results": {"passed_checks": passed, "failed_checks": failed, "skipped_checks": [], "parsing_errors": []},
        "summary": {"passed": len(passed), "failed": len(failed)},
    }


def ocsf(check_id: str, status: str, detail: str, name: str) -> dict[str, object]:
    return {
        "metadata": {"event_code": check_id},
        "status_code": status,
        "status_detail": detail,
        "resources": [{"name": name, "uid": f"arn:aws:iam::111111111111:role/{name}"}],
    }


TF = "/work/examples/acct/main.tf"
CHECKOV = [
    checkov_report(
        "terraform",
        passed=[
            checkov_result("CKV_CISSR_1", "terraform_data.marker", TF, ["ok", "verdict: PASS []"]),
            checkov_result("CKV_CISSR_4", "aws_iam_role.s", TF, ["ok", "verdict: PASS []", "evidence role: support"]),
        ],
        failed=[
            checkov_result(
                "CKV_CISSR_2",
                "aws_iam_role.s",
                TF,
                ["s trusts *.", "verdict: FAIL [account-root, wildcard-principal]", "evidence role: support"],
            ),
            # strict mode: an UNKNOWN shown as FAILED keeps its verdict line
            checkov_result(
                "CKV_CISSR_3",
                "aws_iam_role.s",
                TF,
                [
                    "unknown policy",
                    "UNKNOWN reported as FAILED",
                    "verdict: UNKNOWN [policy-not-visible]",
                    "evidence role: support",
                ],
            ),
            checkov_result("CKV_AWS_61", "aws_iam_role.s", TF, ["not ours", "verdict: FAIL [x]"]),
        ],
    ),
    {"passed": 0, "failed": 0, "skipped": 0},  # a framework with nothing to scan
]
PROWLER = [
    ocsf("iam_cis_support_role_exists", "PASS", "account 111111111111 has support role(s): support.", "111111111111"),
    ocsf(
        "iam_cis_support_role_trusts_specific_principals",
        "FAIL",
        "support trusts *. [codes: account-root wildcard-principal]",
        "support",
    ),
    ocsf("iam_cis_support_role_least_privilege", "MANUAL", "unknown policy [codes: policy-not-visible]", "support"),
    ocsf("iam_cis_support_role_requires_mfa", "PASS", "support requires MFA.", "support"),
    ocsf("iam_support_role_created", "PASS", "not ours", "support"),
]


def test_checkov_json_is_read_into_rule_role_verdicts() -> None:
    found = {(f.role, f.rule): f for f in report.read_checkov(CHECKOV)}
    assert {key: f.verdict for key, f in found.items()} == {
        ("(account)", "support-role-exists"): "PASS",
        ("support", "support-role-mfa"): "PASS",
        ("support", "support-role-trust"): "FAIL account-root wildcard-principal",
        ("support", "support-role-least-privilege"): "UNKNOWN policy-not-visible",
    }
    assert found[("support", "support-role-trust")].reason == "s trusts *."
    assert found[("support", "support-role-trust")].scope == "/work/examples/acct"
    assert found[("support", "support-role-trust")].resource == "aws_iam_role.s"


def test_checkov_scope_is_the_directory_for_terraform_and_the_file_otherwise() -> None:
    assert report.checkov_scope("/a/b/main.tf", "terraform") == "/a/b"
    assert report.checkov_scope("/a/b/plan.json", "terraform_plan") == "/a/b/plan.json"
    assert report.checkov_scope("/a/b/template.yaml", "cloudformation") == "/a/b/template.yaml"


def test_prowler_ocsf_is_read_with_manual_as_unknown_and_the_codes() -> None:
    found = {(f.role, f.rule): f for f in report.read_prowler_ocsf(PROWLER)}
    assert {key: f.verdict for key, f in found.items()} == {
        ("(account)", "support-role-exists"): "PASS",
        ("support", "support-role-trust"): "FAIL account-root wildcard-principal",
        ("support", "support-role-least-privilege"): "UNKNOWN policy-not-visible",
        ("support", "support-role-mfa"): "PASS",
    }
    assert found[("support", "support-role-trust")].reason == "support trusts *."


def test_prowler_strict_mode_fail_is_read_back_as_unknown() -> None:
    detail = "x. Reported as FAIL because support_role_strict_unknown is true. [codes: policy-not-visible]"
    (finding,) = report.read_prowler_ocsf([ocsf("iam_cis_support_role_least_privilege", "FAIL", detail, "r")])
    assert finding.verdict == "UNKNOWN policy-not-visible"


@pytest.mark.parametrize("bad", [{"not": "a report"}, [{"results": None}], "text"])
def test_unreadable_inputs_are_refused(bad: object) -> None:
    with pytest.raises(report.ReportError):
        report.read_checkov(bad)
    with pytest.raises(report.ReportError):
        report.read_prowler_ocsf({"not": "a list"})


def test_rows_pair_the_scanners_and_flag_every_difference() -> None:
    left = report.read_checkov(CHECKOV)
    right = report.read_prowler_ocsf(PROWLER)
    rows = report.compare(left, right)
    assert [(r.role, r.rule, r.agree) for r in rows] == [
        ("(account)", "support-role-exists", True),
        ("support", "support-role-trust", True),
        ("support", "support-role-least-privilege", True),
        ("support", "support-role-mfa", True),
    ]
    changed = [f for f in right if f.rule != "support-role-mfa"]
    changed.append(report.Finding("support-role-mfa", "support", "FAIL", frozenset({"mfa-not-required"}), "no MFA"))
    rows = report.compare(left, changed)
    assert [(r.rule, r.agree) for r in rows if not r.agree] == [("support-role-mfa", False)]
    rows = report.compare(left, [f for f in right if f.rule != "support-role-trust"])
    missing = [r for r in rows if not r.agree]
    assert [(m.rule, m.left is not None, m.right) for m in missing] == [("support-role-trust", True, None)]


def test_the_table_shows_verdicts_side_by_side_with_reasons() -> None:
    right = [f for f in report.read_prowler_ocsf(PROWLER) if f.rule != "support-role-mfa"]
    right.append(report.Finding("support-role-mfa", "support", "FAIL", frozenset({"mfa-not-required"}), "no MFA"))
    text = report.render(report.compare(report.read_checkov(CHECKOV), right), "== acct ==")
    lines = text.splitlines()
    assert lines[0] == "== acct =="
    trust = next(line for line in lines if "support-role-trust" in line)
    assert trust.split() == ["support", "support-role-trust", "FAIL", "account-root", "FAIL", "account-root", "yes"]
    assert "  wildcard-principal" in lines[lines.index(trust) + 1]
    mfa = next(line for line in lines if "support-role-mfa" in line)
    assert mfa.split()[:5] == ["support", "support-role-mfa", "PASS", "FAIL", "mfa-not-required"]
    assert mfa.endswith("NO  <-- the scanners disagree")
    assert "    Prowler says: no MFA" in lines
    assert "    why: s trusts *." in lines
    assert lines[-1] == "3 of 4 verdicts are the same in both scanners."


def _write(tmp_path: Path, checkov: object, prowler: object) -> list[str]:
    (tmp_path / "checkov.json").write_text(json.dumps(checkov))
    (tmp_path / "p.ocsf.json").write_text(json.dumps(prowler))
    return [
        "--checkov",
        str(tmp_path / "checkov.json"),
        "--account",
        "acct",
        "/work/examples/acct",
        str(tmp_path / "p.ocsf.json"),
    ]


def test_exit_code_is_0_when_the_scanners_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report.main(_write(tmp_path, CHECKOV, PROWLER)) == 0
    assert "give the same verdict for every rule and role" in capsys.readouterr().out


def test_exit_code_is_1_when_they_disagree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prowler = [dict(p) for p in PROWLER]
    prowler[3] = ocsf("iam_cis_support_role_requires_mfa", "FAIL", "no MFA [codes: mfa-not-required]", "support")
    assert report.main(_write(tmp_path, CHECKOV, prowler)) == 1
    assert "The scanners disagree on 1 verdict(s)" in capsys.readouterr().out


def test_exit_code_is_2_without_results_or_with_unreadable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report.main(_write(tmp_path, [{"passed": 0, "failed": 0}], [])) == 2
    assert "did the scanners load the checks" in capsys.readouterr().err
    args = _write(tmp_path, CHECKOV, PROWLER)
    (tmp_path / "p.ocsf.json").write_text("{not json")
    assert report.main(args) == 2
