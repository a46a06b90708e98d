"""The demo's table: pairing Checkov's and Prowler's verdicts per role and rule, the text, the exit code.

The findings are read by support_role.reports from outputs of the shape the real tools write
(tests/core/test_reports.py holds them and tests the reading).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import demo_report as report
from support_role import MFA, Problem, Status, Verdict
from support_role._codec import prowler_status_extended
from support_role.reports import prowler_finding, read_checkov, read_prowler_ocsf
from tests.core.test_reports import CHECKOV, PROWLER, ocsf

NO_MFA = Verdict(MFA, Status.FAIL, "support", "no MFA", (Problem("mfa-not-required", "support", ""),))


def _no_mfa_from_prowler() -> object:
    finding = prowler_finding(
        "iam_cis_support_role_requires_mfa", "FAIL", prowler_status_extended(NO_MFA, False), "support"
    )
    assert finding is not None
    return finding


def test_rows_pair_the_scanners_and_flag_every_difference() -> None:
    left = read_checkov(CHECKOV)
    right = read_prowler_ocsf(PROWLER)
    rows = report.compare(left, right)
    assert [(r.role, r.rule, r.agree) for r in rows] == [
        ("(account)", "support-role-exists", True),
        ("support", "support-role-trust", True),
        ("support", "support-role-least-privilege", True),
        ("support", "support-role-mfa", True),
    ]
    changed = [f for f in right if f.rule != "support-role-mfa"]
    changed.append(_no_mfa_from_prowler())
    rows = report.compare(left, changed)
    assert [(r.rule, r.agree) for r in rows if not r.agree] == [("support-role-mfa", False)]
    rows = report.compare(left, [f for f in right if f.rule != "support-role-trust"])
    missing = [r for r in rows if not r.agree]
    assert [(m.rule, m.left is not None, m.right) for m in missing] == [("support-role-trust", True, None)]


def test_the_table_shows_verdicts_side_by_side_with_reasons() -> None:
    right = [f for f in read_prowler_ocsf(PROWLER) if f.rule != "support-role-mfa"]
    right.append(_no_mfa_from_prowler())
    text = report.render(report.compare(read_checkov(CHECKOV), right), "== acct ==")
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
    prowler[3] = ocsf("iam_cis_support_role_requires_mfa", NO_MFA, "support")
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
