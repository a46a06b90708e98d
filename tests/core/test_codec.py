"""The wire forms of a verdict (support_role._codec): exact shapes, and read(write(x)) == x for any verdict."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from support_role import Problem, Status, Verdict
from support_role._codec import (
    STRICT_TOKEN,
    VerdictKey,
    WireVerdict,
    checkov_details,
    checkov_result,
    prowler_resource_details,
    prowler_status,
    prowler_status_extended,
    read_checkov_details,
    read_prowler_codes,
    read_prowler_finding,
    read_prowler_resource_details,
    verdict_key,
)

TRUST_FAIL = Verdict(
    "support-role-trust",
    Status.FAIL,
    "aws_iam_role.s",
    "aws_iam_role.s can be assumed by principals that are not specific people: * (a wildcard). Fix: name them.",
    (
        Problem("wildcard-principal", "*", "a wildcard trusts anyone who matches it"),
        Problem("account-root", "arn:aws:iam::111122223333:root", "an account root trusts every principal"),
    ),
    (("role", ("support",)), ("trusted_principals", ()), ("rejected_principals", ("*", "arn:aws:iam::1:root"))),
)
UNKNOWN = Verdict(
    "support-role-least-privilege",
    Status.UNKNOWN,
    "aws_iam_role.s",
    "aws_iam_role.s could not be decided: x: gone. Make it readable to the scanner and scan again.",
    (Problem("policy-not-visible", "arn:aws:iam::1:policy/x", "the customer managed policy x (defined elsewhere)"),),
    (("role", ("support",)),),
)


# ---------------------------------------------------------------------------------- exact shapes
def test_the_verdict_key_is_the_status_and_the_sorted_codes() -> None:
    assert verdict_key(TRUST_FAIL) == "FAIL account-root wildcard-principal"
    assert verdict_key(None) == "NA"
    assert VerdictKey.parse("FAIL wildcard-principal account-root") == VerdictKey.of(TRUST_FAIL)
    assert VerdictKey.parse("NA") == VerdictKey(None)
    for bad in ("", "MAYBE x", "NA x", "FAIL Not_A_Code"):
        with pytest.raises(ValueError):
            VerdictKey.parse(bad)


def test_checkov_details_are_reason_verdict_problems_evidence() -> None:
    assert checkov_details(TRUST_FAIL, strict_unknown=True) == (
        TRUST_FAIL.reason,
        "verdict: FAIL [account-root, wildcard-principal]",
        "problem wildcard-principal: * (a wildcard trusts anyone who matches it)",
        "problem account-root: arn:aws:iam::111122223333:root (an account root trusts every principal)",
        "evidence role: support",
        "evidence trusted_principals: -",
        "evidence rejected_principals: *, arn:aws:iam::1:root",
    )
    assert checkov_result(Status.FAIL, strict_unknown=False) == "FAILED"


def test_strict_mode_is_a_token_line_in_checkov_and_a_token_in_prowler() -> None:
    lines = checkov_details(UNKNOWN, strict_unknown=True)
    assert lines[1] == f"{STRICT_TOKEN}: UNKNOWN reported as FAILED (support_role_strict_unknown is true)"
    assert lines[2] == "verdict: UNKNOWN [policy-not-visible]"
    assert checkov_result(Status.UNKNOWN, strict_unknown=True) == "FAILED"
    assert checkov_result(Status.UNKNOWN, strict_unknown=False) == "UNKNOWN"
    assert checkov_details(UNKNOWN, strict_unknown=False)[1] == "verdict: UNKNOWN [policy-not-visible]"
    text = prowler_status_extended(UNKNOWN, strict_unknown=True)
    assert text == (
        f"{UNKNOWN.reason} Reported as FAIL because support_role_strict_unknown is true. "
        f"[{STRICT_TOKEN}] [codes: policy-not-visible]"
    )
    assert (prowler_status(Status.UNKNOWN, True), prowler_status(Status.UNKNOWN, False)) == ("FAIL", "MANUAL")
    read = read_prowler_finding("FAIL", text)
    assert (read.status, read.strict, read.reason) == (Status.UNKNOWN, True, UNKNOWN.reason)
    # the sentence alone, without the token, is text: a FAIL stays a FAIL
    assert read_prowler_finding("FAIL", text.replace(f" [{STRICT_TOKEN}]", "")).status is Status.FAIL


def test_prowler_text_ends_with_the_codes_and_the_evidence_goes_to_resource_details() -> None:
    text = prowler_status_extended(TRUST_FAIL, strict_unknown=False, notes=("a read failed", "another"))
    assert text == f"{TRUST_FAIL.reason} Note: a read failed; another. [codes: account-root wildcard-principal]"
    assert read_prowler_codes(text) == {"account-root", "wildcard-principal"}
    assert prowler_resource_details(TRUST_FAIL.evidence) == (
        "role: support; trusted_principals: -; rejected_principals: *, arn:aws:iam::1:root"
    )
    passed = Verdict("support-role-exists", Status.PASS, "account 1", "account 1 has support role(s): s.")
    assert prowler_status_extended(passed, strict_unknown=True) == "account 1 has support role(s): s."
    assert read_prowler_codes(passed.reason) == frozenset()


def test_values_that_would_be_misread_are_escaped_and_others_are_not() -> None:
    odd = Verdict(
        "support-role-exists",
        Status.FAIL,
        "account 1",
        "r",
        (Problem("look-alike-policy", "r (arn:aws:iam::1:policy/AWSSupportAccess)", ""),),
        (("support_roles", ("a, b", "-")),),
    )
    lines = checkov_details(odd, strict_unknown=False)
    assert lines[2] == r"problem look-alike-policy: r \(arn:aws:iam::1:policy/AWSSupportAccess\)"
    assert lines[3] == r"evidence support_roles: a\, b, \-"
    read = read_checkov_details(lines)
    assert read is not None and read.verdict(odd.rule_id, odd.resource) == odd
    # a subject with parentheses and a detail: nothing to escape, the detail is the last group
    nested = Problem("look-alike-policy", "r (x), q (y)", "a customer managed policy (not AWS's)")
    assert checkov_details(Verdict("r", Status.FAIL, "a", "x", (nested,)), False)[2] == (
        "problem look-alike-policy: r (x), q (y) (a customer managed policy (not AWS's))"
    )


def test_lines_that_are_not_ours_read_as_nothing() -> None:
    assert read_checkov_details([]) is None
    assert read_checkov_details(["a reason only"]) is None
    assert read_checkov_details(["x", "verdict: MAYBE []"]) is None
    with pytest.raises(ValueError):
        read_prowler_finding("INFO", "x")


# ------------------------------------------------------------------------------ round trips
WORDS = st.sampled_from(["a", "root", "x9", "support", "2"])
CODES = st.lists(WORDS, min_size=1, max_size=3).map("-".join)
KEYS = st.lists(WORDS, min_size=1, max_size=3).map("_".join)
# the characters the wire forms give a meaning to, among a few others
TEXT = st.text(st.sampled_from(list("()[],;:-\\ \nax.*é€")), max_size=20)
ROUND_TRIP = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVIDENCE = st.lists(st.tuples(KEYS, st.lists(TEXT, max_size=4).map(tuple)), max_size=4).map(tuple)


@st.composite
def verdicts(draw: st.DrawFn) -> Verdict:
    status = draw(st.sampled_from(Status))
    problems = () if status is Status.PASS else tuple(draw(st.lists(st.builds(Problem, CODES, TEXT, TEXT), max_size=4)))
    return Verdict(draw(KEYS), status, draw(TEXT), draw(TEXT), problems, draw(EVIDENCE))


@ROUND_TRIP
@given(verdicts(), st.booleans())
def test_checkov_details_read_back_as_the_verdict(verdict: Verdict, strict_unknown: bool) -> None:
    read = read_checkov_details(checkov_details(verdict, strict_unknown))
    assert read is not None
    assert read.verdict(verdict.rule_id, verdict.resource) == verdict
    assert read.key == VerdictKey.of(verdict)
    assert read.strict is (strict_unknown and verdict.status is Status.UNKNOWN)


@ROUND_TRIP
@given(verdicts(), st.booleans(), st.lists(TEXT, max_size=3))
def test_a_prowler_finding_reads_back_as_the_verdict(verdict: Verdict, strict_unknown: bool, notes: list[str]) -> None:
    text = prowler_status_extended(verdict, strict_unknown, notes)
    read = read_prowler_finding(
        prowler_status(verdict.status, strict_unknown), text, prowler_resource_details(verdict.evidence)
    )
    reason = f"{verdict.reason} Note: {'; '.join(notes)}." if notes else verdict.reason
    strict = strict_unknown and verdict.status is Status.UNKNOWN
    if not strict and reason.endswith(f" [{STRICT_TOKEN}]") and verdict.codes:
        assume(False)  # the one documented ambiguity: a reason that ends with the token itself
    assert read == WireVerdict(verdict.status, verdict.codes, reason, strict, (), verdict.evidence)
    assert read_prowler_codes(text) == verdict.codes


@ROUND_TRIP
@given(EVIDENCE)
def test_resource_details_read_back_as_the_evidence(evidence: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
    assert read_prowler_resource_details(prowler_resource_details(evidence)) == evidence


@ROUND_TRIP
@given(st.one_of(st.none(), verdicts()))
def test_the_verdict_key_reads_back(verdict: Verdict | None) -> None:
    assert VerdictKey.parse(verdict_key(verdict)) == VerdictKey.of(verdict)
