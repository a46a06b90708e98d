"""Read what Checkov and Prowler said about the support-role rules, and put them side by side.

Used by ``scripts/demo`` (the table) and by the end-to-end tests (the same readers). Standard
library only; the rule table comes from the core (``support_role``), which every environment has.

Where the verdicts are read from:

* Checkov JSON (``-o json``): our checks ``CKV_CISSR_1..4``. Each result's ``details`` holds a
  ``verdict: STATUS [codes]`` line (so an UNKNOWN reported as FAILED in strict mode is still read
  as UNKNOWN) and an ``evidence role: <name>`` line naming the IAM role. The account-level result
  belongs to the root module (Terraform directory, plan file or template) it was found in.
* Prowler JSON-OCSF (``-M json-ocsf``): our checks ``iam_cis_support_role_*`` (``metadata.event_code``),
  ``status_code`` PASS/FAIL/MANUAL (MANUAL is UNKNOWN), the problem codes at the end of
  ``status_detail`` as ``[codes: ...]``, the role in ``resources[0].name``.

``python scripts/demo_report.py --checkov results.json --account NAME DIR OCSF [--account ...]``
prints one table per account and exits 1 when the two scanners disagree anywhere, 2 when an
input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from support_role import EXISTS, RULES

ACCOUNT = "(account)"
CHECKOV_RULES = {rule.checkov_id: rule.id for rule in RULES}
PROWLER_RULES = {rule.prowler_id: rule.id for rule in RULES}
RULE_ORDER = {rule.id: rule.number for rule in RULES}
_VERDICT_LINE = re.compile(r"^verdict: (?P<status>[A-Z]+) \[(?P<codes>[^\]]*)\]$")
_PROWLER_CODES = re.compile(r"\s\[codes: (?P<codes>[^\]]*)\]$")
_STRICT_NOTE = "because support_role_strict_unknown is true"


class ReportError(ValueError):
    """A scanner output that cannot be read as such."""


@dataclass(frozen=True)
class Finding:
    """One scanner's verdict of one rule on one role (or on the account: ``role == ACCOUNT``)."""

    rule: str
    role: str
    status: str  # PASS, FAIL or UNKNOWN
    codes: frozenset[str]
    reason: str
    scope: str = ""  # Checkov: the root module (directory, plan file or template); Prowler: ""
    resource: str = ""  # the scanner's own name for the resource (Checkov address, Prowler ARN)

    @property
    def verdict(self) -> str:
        return " ".join([self.status, *sorted(self.codes)])


# ----------------------------------------------------------------------------------- Checkov
def _checkov_reports(data: object) -> list[Mapping[str, object]]:
    """Checkov writes one report per framework (a list when several ran); with nothing to scan,
    a bare summary (``{"passed": 0, "failed": 0, ...}``)."""
    reports = data if isinstance(data, list) else [data]
    found: list[Mapping[str, object]] = []
    for report in reports:
        if isinstance(report, Mapping) and isinstance(report.get("results"), Mapping):
            found.append(report)
        elif not (isinstance(report, Mapping) and "passed" in report and "failed" in report):
            raise ReportError("not a Checkov JSON report (no 'results' in it)")
    return found


def checkov_scope(file_abs_path: str, check_type: str) -> str:
    """The root module a Checkov result belongs to: a Terraform directory, or the file itself."""
    if check_type == "terraform":
        return os.path.dirname(file_abs_path)
    return file_abs_path


def read_checkov(data: object) -> list[Finding]:
    """Our rules' results in a Checkov JSON report (one framework's dict, or a list of them)."""
    findings: list[Finding] = []
    for report in _checkov_reports(data):
        check_type = str(report.get("check_type", ""))
        results = report["results"]
        assert isinstance(results, Mapping)
        for bucket in ("passed_checks", "failed_checks"):
            for item in results.get(bucket) or []:
                if not isinstance(item, Mapping) or item.get("check_id") not in CHECKOV_RULES:
                    continue
                rule = CHECKOV_RULES[str(item["check_id"])]
                # Checkov's Terraform runners copy a check's details into the record; its other
                # runners leave them in check_result, where our checks also put them.
                result = item.get("check_result")
                nested = result.get("details") if isinstance(result, Mapping) else None
                details = [str(d) for d in item.get("details") or nested or []]
                status = "PASS" if bucket == "passed_checks" else "FAIL"
                codes: frozenset[str] = frozenset()
                role = ACCOUNT if rule == EXISTS else str(item.get("resource", "?"))
                for line in details:
                    match = _VERDICT_LINE.match(line)
                    if match:
                        status = match.group("status")
                        codes = frozenset(c.strip() for c in match.group("codes").split(",") if c.strip())
                    elif line.startswith("evidence role: ") and rule != EXISTS:
                        role = line[len("evidence role: ") :].strip()
                path = str(item.get("file_abs_path") or item.get("file_path") or "")
                reason = details[0] if details else ""
                resource = str(item.get("resource", ""))
                findings.append(Finding(rule, role, status, codes, reason, checkov_scope(path, check_type), resource))
    return findings


# ----------------------------------------------------------------------------------- Prowler
def read_prowler_ocsf(data: object) -> list[Finding]:
    """Our rules' findings in a Prowler JSON-OCSF output file."""
    if not isinstance(data, list):
        raise ReportError("not a Prowler JSON-OCSF file (expected a list of findings)")
    findings: list[Finding] = []
    for item in data:
        if not isinstance(item, Mapping):
            continue
        metadata = item.get("metadata")
        check_id = metadata.get("event_code") if isinstance(metadata, Mapping) else None
        if check_id not in PROWLER_RULES:
            continue
        rule = PROWLER_RULES[str(check_id)]
        detail = str(item.get("status_detail") or "")
        match = _PROWLER_CODES.search(detail)
        codes = frozenset(match.group("codes").split()) if match else frozenset()
        reason = detail[: match.start()] if match else detail
        status = {"PASS": "PASS", "FAIL": "FAIL", "MANUAL": "UNKNOWN"}.get(str(item.get("status_code")), "?")
        if status == "FAIL" and _STRICT_NOTE in detail:
            status = "UNKNOWN"
        resources = item.get("resources")
        name, uid = "?", ""
        if isinstance(resources, list) and resources and isinstance(resources[0], Mapping):
            name = str(resources[0].get("name") or "?")
            uid = str(resources[0].get("uid") or "")
        findings.append(Finding(rule, ACCOUNT if rule == EXISTS else name, status, codes, reason.strip(), "", uid))
    return findings


def load_json(path: str | os.PathLike[str]) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportError(f"cannot read {path}: {error}") from None


# --------------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Row:
    role: str
    rule: str
    left: Finding | None
    right: Finding | None

    @property
    def agree(self) -> bool:
        if self.left is None or self.right is None:
            return self.left is None and self.right is None
        return self.left.verdict == self.right.verdict


def index(findings: Iterable[Finding]) -> dict[tuple[str, str], Finding]:
    """Findings by (role, rule); a role reported twice for one rule keeps the first."""
    result: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        result.setdefault((finding.role, finding.rule), finding)
    return result


def compare(left: Iterable[Finding], right: Iterable[Finding]) -> list[Row]:
    """Every (role, rule) either scanner reported, the account first, then roles by name."""
    a, b = index(left), index(right)
    keys = sorted(set(a) | set(b), key=lambda k: (k[0] != ACCOUNT, k[0], RULE_ORDER.get(k[1], 99)))
    return [Row(role, rule, a.get((role, rule)), b.get((role, rule))) for role, rule in keys]


def _cell_lines(finding: Finding | None, width: int) -> list[str]:
    """A verdict in a column of ``width``: the status, then the codes, wrapped between codes."""
    if finding is None:
        return ["(no result)"]
    lines = [finding.status]
    for code in sorted(finding.codes):
        if len(lines[-1]) + 1 + len(code) <= width:
            lines[-1] += " " + code
        else:
            lines.append("  " + code)
    return lines


def render(rows: Sequence[Row], title: str, names: tuple[str, str] = ("Checkov", "Prowler"), width: int = 110) -> str:
    """A side-by-side table; under every row that is not a PASS on both sides, the reason."""
    role_w = max([len(ACCOUNT), *(len(r.role) for r in rows)]) + 2
    rule_w = max(len(rule.id) for rule in RULES) + 2
    cell_w = 30
    lines = [title, ""]
    lines.append(f"{'ROLE':<{role_w}}{'RULE':<{rule_w}}{names[0].upper():<{cell_w}}{names[1].upper():<{cell_w}}SAME?")
    lines.append("-" * (role_w + rule_w + 2 * cell_w + 5))
    wrap = textwrap.TextWrapper(width=width, initial_indent=" " * 4, subsequent_indent=" " * 6)
    for row in rows:
        left, right = _cell_lines(row.left, cell_w - 2), _cell_lines(row.right, cell_w - 2)
        mark = "yes" if row.agree else "NO  <-- the scanners disagree"
        for i in range(max(len(left), len(right))):
            first = i == 0
            a = left[i] if i < len(left) else ""
            b = right[i] if i < len(right) else ""
            role, rule = (row.role, row.rule) if first else ("", "")
            lines.append(f"{role:<{role_w}}{rule:<{rule_w}}{a:<{cell_w}}{b:<{cell_w}}{mark if first else ''}".rstrip())
        if row.agree:
            reason = next((f.reason for f in (row.left, row.right) if f and f.status != "PASS" and f.reason), "")
            lines += wrap.wrap(f"why: {reason}") if reason else []
        else:
            for name, finding in zip(names, (row.left, row.right), strict=True):
                if finding is not None and finding.reason:
                    lines += wrap.wrap(f"{name} says: {finding.reason}")
    agreed = sum(r.agree for r in rows)
    lines += ["", f"{agreed} of {len(rows)} verdicts are the same in both scanners."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", required=True, help="Checkov's JSON output (-o json)")
    parser.add_argument(
        "--account",
        nargs=3,
        action="append",
        required=True,
        metavar=("NAME", "DIR", "OCSF"),
        help="an account: its name, the Terraform directory Checkov scanned, Prowler's JSON-OCSF file",
    )
    args = parser.parse_args(argv)
    try:
        checkov = read_checkov(load_json(args.checkov))
        accounts = [(name, os.path.abspath(d), read_prowler_ocsf(load_json(o))) for name, d, o in args.account]
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    disagreements = 0
    for name, directory, prowler in accounts:
        scopes = [(f, os.path.abspath(f.scope)) for f in checkov]
        mine = [f for f, scope in scopes if scope == directory or scope.startswith(directory + os.sep)]
        rows = compare(mine, prowler)
        if not rows:
            print(f"error: no result of our rules for {name}: did the scanners load the checks?", file=sys.stderr)
            return 2
        disagreements += sum(not r.agree for r in rows)
        print(render(rows, f"== {name}: Checkov on {os.path.relpath(directory)} | Prowler on its moto account =="))
        print()
    if disagreements:
        print(f"The scanners disagree on {disagreements} verdict(s): that is a bug, please report it.")
        return 1
    print("Checkov (on the code) and Prowler (on the account) give the same verdict for every rule and role.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
