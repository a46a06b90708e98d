"""What the doctor found: its steps, the expected results and what was seen, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field


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


def render(report: Report) -> str:
    """The report as the text a person reads: steps, one line per check and framework, misses."""
    lines = ["cis-support-role doctor"]
    for step in report.steps:
        first, *rest = step.detail.splitlines() or [""]
        lines.append(f"  {step.status.upper():<8} {step.name}: {first}")
        lines += [f"           {line}" for line in rest]
    rows = report.checks()
    if rows:
        lines.append("checks:")
    # a scanner that was not found did not run: its checks were not tried, which is not "not loaded"
    not_run = {step.name for step in report.steps if step.name in ("checkov", "prowler") and step.status == "failed"}
    for row in rows:
        if row["scanner"] in not_run:
            lines.append(
                f"  {'NOT RUN':<10} {row['scanner']:<8} {row['check_id']:<48} {row['where']:<15} (no {row['scanner']})"
            )
            continue
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
            state = "NOT RUN" if "prowler" in not_run else ("ok" if listed_ok else "NOT LOADED")
            lines.append(f"  {state:<10} prowler  {check_id:<48} listed: {listed_ok}")
    lines += [f"  UNEXPECTED {line}" for line in report.unexpected]
    skipped = [step.name for step in report.steps if step.status == "skipped"]
    if report.ok and not skipped:
        lines.append("result: OK: every check of ours loaded and gave its expected result")
    elif report.ok:
        # a skipped part proved nothing: say what the OK covers
        lines.append(f"result: OK for what ran; not tried: {', '.join(skipped)}")
    else:
        lines.append("result: FAILED: see the lines above")
    return "\n".join(lines)
