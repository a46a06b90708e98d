"""Put what Checkov and Prowler said about the support-role rules side by side (``scripts/demo``).

The findings are read by ``support_role.reports`` (Checkov's JSON, Prowler's JSON-OCSF, each
verdict decoded by the codec: an UNKNOWN reported as a failure in strict mode is still UNKNOWN);
this script pairs them per role and rule and prints the table. Standard library and the core only.

``python scripts/demo_report.py --checkov results.json --account NAME DIR OCSF [--account ...]``
prints one table per account and exits 1 when the two scanners disagree anywhere, 2 when an
input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from support_role import RULES, Status
from support_role.reports import ACCOUNT, Finding, ReportError, read_checkov, read_prowler_ocsf

RULE_ORDER = {rule.id: rule.number for rule in RULES}


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
    lines = [finding.status.value]
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
            failed = (f for f in (row.left, row.right) if f and f.status is not Status.PASS and f.reason)
            reason = next((f.reason for f in failed), "")
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
