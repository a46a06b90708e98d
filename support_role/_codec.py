"""Every wire form of a verdict, written and read back in one place.

A :class:`~support_role.Verdict` leaves the core as text in three forms, and tools (the demo report,
the doctor, the tests) read it back from each scanner's output:

* the **verdict key**, ``"FAIL account-root wildcard-principal"``: the status and the sorted
  problem codes, ``"NA"`` when a rule does not apply (not a support role). The corpus writes its
  expectations in this form. :class:`VerdictKey`.
* **Checkov**: the check's result (``PASSED``, ``FAILED``, ``UNKNOWN``) and its ``details`` lines::

      <reason>
      strict-unknown: UNKNOWN reported as FAILED (support_role_strict_unknown is true)   (strict mode only)
      verdict: <STATUS> [<code>, <code>]
      problem <code>: <subject> (<detail>)                    (one per problem; "(<detail>)" only when set)
      evidence <key>: <value>, <value>                        (one per evidence key; "-" when empty)

  :func:`checkov_result`, :func:`checkov_details`, :func:`read_checkov_details`.
* **Prowler**: the finding's ``status`` (``PASS``, ``FAIL``, ``MANUAL``), its ``status_extended``::

      <reason>                                   the core's sentence
      [ Note: <note>; <note>.]                   reads that failed without changing the verdict
      [ Reported as FAIL because support_role_strict_unknown is true. [strict-unknown]]
      [ [codes: <code> <code>]]                  whenever there are codes (and in strict mode)

  (one line; the parts in brackets only when they apply)

  and its ``resource_details``, ``<key>: <value>, <value>; <key>: -``.
  :func:`prowler_status`, :func:`prowler_status_extended`, :func:`prowler_resource_details`,
  :func:`read_prowler_finding`, :func:`read_prowler_codes`.

Strict mode (``support_role_strict_unknown``: an UNKNOWN verdict reported as a failure) is marked
by the token :data:`STRICT_TOKEN` in both scanners' text, beside a sentence for people; readers
look for the token, never for the sentence.

Reading is exact: ``read(write(verdict))`` gives back everything the form carries (a Checkov
``details`` list carries the whole verdict but its rule and resource; Prowler's text carries the
reason, the status and the codes, its ``resource_details`` the evidence). A value that would be
misread (a subject ending in ``(...)``, an evidence value holding ``", "``) is written with
backslash escapes; values without such characters, which is every value the rules produce in
practice, are written as they are. Problem codes are lower-case words joined by ``-`` and
evidence keys lower-case words joined by ``_`` (the writers never raise: a check must report, so
anything else is written as it is and may not read back; :meth:`VerdictKey.parse` refuses it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._verdict import Problem, Status, Verdict

Evidence = tuple[tuple[str, tuple[str, ...]], ...]

STRICT_TOKEN = "strict-unknown"
"""Marks an UNKNOWN verdict that strict mode reported as a failure (Checkov FAILED, Prowler FAIL)."""

NOT_APPLICABLE = "NA"
"""The verdict key of a rule that does not apply (the role is not a support role)."""

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def _check_code(code: str) -> str:
    if not _CODE.match(code):
        raise ValueError(f"{code!r} is not a problem code (lower-case words joined by '-')")
    return code


# ------------------------------------------------------------------------------- verdict key
@dataclass(frozen=True)
class VerdictKey:
    """A verdict's status and problem codes: what the corpus expects and what parity compares.

    ``status`` is None when the rule does not apply (written ``NA``).
    """

    status: Status | None
    codes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, verdict: Verdict | None) -> VerdictKey:
        return cls(None) if verdict is None else cls(verdict.status, verdict.codes)

    @classmethod
    def parse(cls, text: str) -> VerdictKey:
        """``"FAIL a b"`` -> ``VerdictKey(Status.FAIL, {"a", "b"})``; ``"NA"`` -> ``VerdictKey(None)``.

        Raises ValueError for an unknown status, a code that is not a problem code, or codes
        after ``NA``.
        """
        words = text.split()
        if not words:
            raise ValueError("an empty verdict key")
        first, codes = words[0], frozenset(_check_code(c) for c in words[1:])
        if first == NOT_APPLICABLE:
            if codes:
                raise ValueError(f"{NOT_APPLICABLE} takes no problem codes: {text!r}")
            return cls(None)
        try:
            return cls(Status(first), codes)
        except ValueError:
            raise ValueError(f"{first!r} is not a status ({', '.join(s.value for s in Status)} or NA)") from None

    def __str__(self) -> str:
        head = NOT_APPLICABLE if self.status is None else self.status.value
        return " ".join([head, *sorted(self.codes)])


def verdict_key(verdict: Verdict | None) -> str:
    """The verdict key of a verdict (``"NA"`` for None): ``str(VerdictKey.of(verdict))``."""
    return str(VerdictKey.of(verdict))


# ------------------------------------------------------------------------------ what is read
@dataclass(frozen=True)
class WireVerdict:
    """A verdict as read back from a scanner's output.

    ``strict`` is True when strict mode reported this UNKNOWN verdict as a failure. ``problems``
    and ``evidence`` are what the form carries: Checkov's details carry both, Prowler's text
    carries neither (its ``resource_details`` carry the evidence).
    """

    status: Status
    codes: frozenset[str]
    reason: str
    strict: bool = False
    problems: tuple[Problem, ...] = ()
    evidence: Evidence = ()

    @property
    def key(self) -> VerdictKey:
        return VerdictKey(self.status, self.codes)

    def verdict(self, rule_id: str, resource: str) -> Verdict:
        """The core's verdict, given what the form does not carry: the rule and the resource."""
        return Verdict(rule_id, self.status, resource, self.reason, self.problems, self.evidence)


# ---------------------------------------------------------------------------------- escapes
def _escape(text: str, specials: str) -> str:
    return "".join("\\" + c if c == "\\" or c in specials else c for c in text)


def _unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for c in chars:
        out.append(next(chars, "") if c == "\\" else c)
    return "".join(out)


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at each unescaped ``separator`` character followed by a space (escapes kept)."""
    parts: list[str] = []
    start = i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == separator and text.startswith(" ", i + 1):
            parts.append(text[start:i])
            start = i = i + 2
            continue
        i += 1
    parts.append(text[start:])
    return parts


_EMPTY = "-"


def _values(values: Sequence[str], specials: str) -> str:
    """Values joined by ``", "`` (``-`` for none), escaped only when the plain form would be misread."""
    plain = ", ".join(values) if values else _EMPTY
    if "\\" not in plain and not any(c in plain for c in specials if c != ",") and _read_values(plain) == tuple(values):
        return plain
    return ", ".join(_escape(v, specials + ("-" if v == _EMPTY else "")) for v in values)


def _read_values(text: str) -> tuple[str, ...]:
    if "\\" not in text:
        return () if text == _EMPTY else tuple(text.split(", "))
    return tuple(_unescape(v) for v in _split(text, ","))


def _problem_text(subject: str, detail: str) -> str:
    """``subject (detail)``, or the subject alone without a detail; escaped only when needed."""
    plain = f"{subject} ({detail})" if detail else subject
    if "\\" not in plain and _read_problem_text(plain) == (subject, detail):
        return plain
    subject, detail = _escape(subject, "()"), _escape(detail, "()")
    return f"{subject} ({detail})" if detail else subject


def _read_problem_text(text: str) -> tuple[str, str]:
    """(subject, detail). Plain: the detail is the last parenthesised group, matched by nesting.
    Escaped (a backslash in it): every parenthesis of the values is escaped, so the first
    unescaped one opens the detail."""
    if "\\" in text:
        i = 0
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == "(":
                return _unescape(text[: i - 1]), _unescape(text[i + 1 : -1])
            i += 1
        return _unescape(text), ""
    if not text.endswith(")"):
        return text, ""
    depth = 0
    for i in range(len(text) - 1, 0, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return (text[: i - 1], text[i + 1 : -1]) if text[i - 1] == " " else (text, "")
    return text, ""


# ---------------------------------------------------------------------------------- Checkov
CHECKOV_PASSED, CHECKOV_FAILED, CHECKOV_UNKNOWN = "PASSED", "FAILED", "UNKNOWN"
_VERDICT_PREFIX = "verdict: "
_PROBLEM_PREFIX = "problem "
_EVIDENCE_PREFIX = "evidence "
CHECKOV_STRICT_LINE = f"{STRICT_TOKEN}: UNKNOWN reported as FAILED (support_role_strict_unknown is true)"


def checkov_result(status: Status, strict_unknown: bool) -> str:
    """Checkov's result for a verdict status: UNKNOWN stays UNKNOWN, or FAILED in strict mode."""
    if status is Status.PASS:
        return CHECKOV_PASSED
    if status is Status.FAIL or strict_unknown:
        return CHECKOV_FAILED
    return CHECKOV_UNKNOWN


def checkov_details(verdict: Verdict, strict_unknown: bool) -> tuple[str, ...]:
    """The ``details`` lines of a Checkov result (see the module's docstring for the shape).

    ``strict_unknown`` is the setting: the strict line is written only for an UNKNOWN verdict.
    """
    codes = ", ".join(sorted(verdict.codes))
    lines = [verdict.reason]
    if strict_unknown and verdict.status is Status.UNKNOWN:
        lines.append(CHECKOV_STRICT_LINE)
    lines.append(f"{_VERDICT_PREFIX}{verdict.status.value} [{codes}]")
    lines += [f"{_PROBLEM_PREFIX}{p.code}: {_problem_text(p.subject, p.detail)}" for p in verdict.problems]
    lines += [f"{_EVIDENCE_PREFIX}{key}: {_values(values, ',')}" for key, values in verdict.evidence]
    return tuple(lines)


def read_checkov_details(details: Sequence[str]) -> WireVerdict | None:
    """The verdict written by :func:`checkov_details`; None when the lines are not in that shape
    (not one of our results, or a Checkov output that dropped the details).

    The lines are read by position: the reason, the strict line if any, the verdict line, then
    problem and evidence lines.
    """
    lines = list(details)
    if len(lines) < 2:
        return None
    strict = lines[1].startswith(STRICT_TOKEN + ":")
    position = 2 if strict else 1
    if position >= len(lines) or not lines[position].startswith(_VERDICT_PREFIX):
        return None
    status_text, _, codes_text = lines[position][len(_VERDICT_PREFIX) :].partition(" ")
    if status_text not in Status.__members__ or not (codes_text.startswith("[") and codes_text.endswith("]")):
        return None
    codes = frozenset(c for c in codes_text[1:-1].split(", ") if c)
    problems: list[Problem] = []
    evidence: list[tuple[str, tuple[str, ...]]] = []
    for line in lines[position + 1 :]:
        if line.startswith(_PROBLEM_PREFIX):
            code, _, rest = line[len(_PROBLEM_PREFIX) :].partition(": ")
            problems.append(Problem(code, *_read_problem_text(rest)))
        elif line.startswith(_EVIDENCE_PREFIX):
            key, _, rest = line[len(_EVIDENCE_PREFIX) :].partition(": ")
            evidence.append((key, _read_values(rest)))
    return WireVerdict(Status(status_text), codes, lines[0], strict, tuple(problems), tuple(evidence))


# ---------------------------------------------------------------------------------- Prowler
PROWLER_PASS, PROWLER_FAIL, PROWLER_MANUAL = "PASS", "FAIL", "MANUAL"
PROWLER_STRICT_SENTENCE = "Reported as FAIL because support_role_strict_unknown is true."
_STRICT_MARK = f" [{STRICT_TOKEN}]"
_PROWLER_CODES = re.compile(r" \[codes: ([a-z0-9 -]*)\]\Z")


def prowler_status(status: Status, strict_unknown: bool) -> str:
    """Prowler's status for a verdict status: UNKNOWN is MANUAL, or FAIL in strict mode."""
    if status is Status.UNKNOWN:
        return PROWLER_FAIL if strict_unknown else PROWLER_MANUAL
    return PROWLER_PASS if status is Status.PASS else PROWLER_FAIL


def prowler_status_extended(verdict: Verdict, strict_unknown: bool, notes: Iterable[str] = ()) -> str:
    """A finding's ``status_extended``: the reason, the notes, the strict mark, the codes.

    ``notes`` (reads that failed without changing the verdict) become part of the reason
    sentence and are read back as such. The codes tail is written whenever there are codes or
    strict mode applies, and, empty, when the reason itself ends like a tail.
    """
    text = verdict.reason
    listed = list(notes)
    if listed:
        text = f"{text} Note: {'; '.join(listed)}."
    strict = strict_unknown and verdict.status is Status.UNKNOWN
    if strict:
        text += f" {PROWLER_STRICT_SENTENCE}{_STRICT_MARK}"
    codes = sorted(verdict.codes)
    if codes or strict or _PROWLER_CODES.search(text):
        text += f" [codes: {' '.join(codes)}]"
    return text


def read_prowler_codes(status_extended: str) -> frozenset[str]:
    """The problem codes at the end of a ``status_extended`` (empty for a PASS)."""
    match = _PROWLER_CODES.search(status_extended)
    return frozenset(match.group(1).split()) if match else frozenset()


def prowler_resource_details(evidence: Evidence) -> str:
    """A finding's ``resource_details``: ``key: value, value; key: -`` ("" without evidence)."""
    return "; ".join(f"{key}: {_values(values, ',;')}" for key, values in evidence)


def read_prowler_resource_details(text: str) -> Evidence:
    """The evidence written by :func:`prowler_resource_details`."""
    if not text:
        return ()
    parts = _split(text, ";") if "\\" in text else text.split("; ")
    return tuple((key, _read_values(values)) for key, _, values in (part.partition(": ") for part in parts))


def read_prowler_finding(status: str, status_extended: str, resource_details: str = "") -> WireVerdict:
    """The verdict behind a Prowler finding of ours, from its status and text (and evidence).

    Raises ValueError for a status other than PASS, FAIL and MANUAL.
    """
    match = _PROWLER_CODES.search(status_extended)
    codes = frozenset(match.group(1).split()) if match else frozenset()
    reason = status_extended[: match.start()] if match else status_extended
    strict = bool(match) and reason.endswith(_STRICT_MARK)
    if strict:
        reason = reason[: -len(_STRICT_MARK)].removesuffix(" " + PROWLER_STRICT_SENTENCE)
    if status == PROWLER_MANUAL or (status == PROWLER_FAIL and strict):
        core = Status.UNKNOWN
    elif status in (PROWLER_PASS, PROWLER_FAIL):
        core = Status(status)
    else:
        raise ValueError(f"{status!r} is not a status of our Prowler findings (PASS, FAIL, MANUAL)")
    return WireVerdict(core, codes, reason, strict, (), read_prowler_resource_details(resource_details))
