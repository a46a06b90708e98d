"""The core replays every scenario of the shared corpus and gives exactly the expected verdicts."""

from __future__ import annotations

import pytest

from support_role import EXISTS, evaluate_account
from support_role.scenarios import Scenario, load_corpus, mismatches, scenario_account

CORPUS = load_corpus()


@pytest.mark.parametrize("scenario", CORPUS, ids=[s.name for s in CORPUS])
def test_core_gives_the_corpus_verdicts(scenario: Scenario) -> None:
    results = evaluate_account(scenario_account(scenario), scenario.parsed_config())
    roles = {name: verdicts for name, verdicts in results.items() if name}
    assert list(mismatches(scenario, results[""][EXISTS], roles)) == []
