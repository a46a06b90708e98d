"""Oracles on what our checks hand to a scanner (any environment: the codec and the core only)."""

from __future__ import annotations

from collections.abc import Sequence

from support_role._codec import CHECKOV_UNKNOWN, checkov_result, read_checkov_details


def assert_checkov_result_carries_its_verdict(result: str, details: Sequence[str], strict_unknown: bool) -> None:
    """The result Checkov shows and the verdict our details carry say the same thing.

    With details: the result is the one the verdict's status gives under the strict setting
    (PASS -> PASSED, FAIL -> FAILED, UNKNOWN -> UNKNOWN, or FAILED in strict mode), and the strict
    token is there exactly when strict mode turned an UNKNOWN into FAILED. Without details: nothing
    was judged (not a support role, not the carrier of the account-level result), and the result is
    Checkov's hidden UNKNOWN. AssertionError naming both otherwise.
    """
    wire = read_checkov_details(details)
    if not details:
        assert result == CHECKOV_UNKNOWN, f"{result} without any details: a result that rests on nothing"
        return
    assert wire is not None, f"{result} with details that carry no verdict: {list(details)}"
    expected = checkov_result(wire.status, strict_unknown)
    assert result == expected, f"{result}, but the details say {wire.key}: {expected} under strict={strict_unknown}"
    assert wire.strict == (strict_unknown and wire.status.value == "UNKNOWN"), list(details)
