"""How scenarios are grouped into moto accounts: which share one, and which stay alone (exact)."""

from __future__ import annotations

from dataclasses import replace

from support_role.scenarios import Expectation, Scenario, load_corpus
from tests.e2e.batches import Batch, _chunks, _size, plan_batches


def _by_name() -> dict[str, Scenario]:
    return {s.name: s for s in load_corpus()}


def _grouping(batches: list[Batch]) -> dict[str, tuple[str, str]]:
    """{scenario name: (batch name, the account verdict the batch is held to)}"""
    return {m.scenario.name: (b.name, str(b.expected_exists())) for b in batches for m in b.members}


def test_corpus_scenarios_expecting_the_same_account_failure_share_an_account() -> None:
    batches = plan_batches(load_corpus())
    grouping = _grouping(batches)
    shared = {name: where for name, where in grouping.items() if where[1] != "PASS"}
    assert shared == {
        "empty-account": ("b02-merged-2", "FAIL no-support-role"),
        "permission-set-unassigned": ("b02-merged-2", "FAIL no-support-role"),
        "groups-only-support-policy": ("b03-merged-3", "FAIL no-support-role support-policy-not-on-role"),
        "no-role-users-only": ("b03-merged-3", "FAIL no-support-role support-policy-not-on-role"),
        "users-only-support-policy": ("b03-merged-3", "FAIL no-support-role support-policy-not-on-role"),
        # a verdict no other scenario of its partition and configuration expects: alone
        "anchor-look-alike-policy": ("b09-anchor-look-alike-policy", "FAIL look-alike-policy no-support-role"),
        "boundary-only": ("b10-boundary-only", "FAIL boundary-only no-support-role"),
        "custom-support-policy-default": (
            "b13-custom-support-policy-default",
            "FAIL custom-support-policy no-support-role",
        ),
        "partition-aws-cn-users-only": (
            "b16-partition-aws-cn-users-only",
            "FAIL no-support-role support-policy-not-on-role",
        ),
    }
    # every member of a shared account is held to its own corpus expectation
    corpus = _by_name()
    assert all(str(corpus[name].expect_exists) == verdict for name, (_, verdict) in grouping.items())
    assert len(batches) == 19


def test_a_merge_that_changes_the_account_verdict_is_undone() -> None:
    corpus = _by_name()
    # a scenario that (wrongly) expects no support role although it has one: merged with a really
    # empty account, the core's verdict on the merged account is PASS, not the shared expectation
    wrong = replace(corpus["good-single-user-mfa"], expect_exists=Expectation("FAIL", frozenset({"no-support-role"})))
    batches = plan_batches([wrong, corpus["empty-account"]])
    assert [(b.name, [m.scenario.name for m in b.members], b.alone) for b in batches] == [
        ("b00-empty-account", ["empty-account"], True),
        ("b01-good-single-user-mfa", ["good-single-user-mfa"], True),
    ]
    # the same two, expecting what they really give, are not merged either: their verdicts differ
    assert [b.name for b in plan_batches([corpus["good-single-user-mfa"], corpus["empty-account"]])] == [
        "b00-empty-account",
        "b01-good-single-user-mfa",
    ]


def test_generated_scenarios_that_fail_the_account_rule_merge_whatever_their_codes() -> None:
    corpus = _by_name()
    scenarios = [corpus["boundary-only"], corpus["empty-account"], corpus["anchor-look-alike-policy"]]
    (batch,) = plan_batches(scenarios, merge_failing_exists=True, rename_shared=False, prefix="g")
    assert batch.name == "b00-merged-3"
    assert [m.prefix for m in batch.members] == ["g00-", "g01-", "g02-"]
    assert str(batch.expected_exists()) == "FAIL boundary-only look-alike-policy no-support-role"
    # kept even when the merge changes the account verdict: generated batches are held to the core's
    wrong = replace(corpus["good-single-user-mfa"], expect_exists=Expectation("FAIL", frozenset({"no-support-role"})))
    (kept,) = plan_batches([wrong, corpus["empty-account"]], merge_failing_exists=True, rename_shared=False)
    assert (kept.name, str(kept.expected_exists())) == ("b00-merged-2", "PASS")


def test_a_scenario_without_roles_joins_the_chunk_at_hand() -> None:
    corpus = _by_name()
    one, empty = corpus["good-single-user-mfa"], corpus["empty-account"]
    assert (_size(one), _size(empty)) == (1, 0)
    assert _chunks([one, one, empty], max_roles=2) == [[one, one, empty]]
    assert _chunks([one, one, empty, one], max_roles=2) == [[one, one, empty], [one]]
    assert _chunks([one, one, one], max_roles=2) == [[one, one], [one]]
