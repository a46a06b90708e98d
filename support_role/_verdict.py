"""Verdicts: what a rule decided about one role or one account, why, and on what evidence."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(str, enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Problem:
    """One reason a rule did not pass: a stable code, what it concerns, and a sentence fragment."""

    code: str
    subject: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    rule_id: str
    status: Status
    resource: str  # the role's address, or the account's
    reason: str  # one sentence: what is wrong (or right), where, and the fix
    problems: tuple[Problem, ...] = ()
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.problems)

    def evidence_dict(self) -> dict[str, list[str]]:
        return {key: list(values) for key, values in self.evidence}

    def to_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "status": self.status.value,
            "resource": self.resource,
            "reason": self.reason,
            "problems": [{"code": p.code, "subject": p.subject, "detail": p.detail} for p in self.problems],
            "evidence": self.evidence_dict(),
        }
