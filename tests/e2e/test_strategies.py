"""The generated accounts hold what the corpus' ``permission-set-*`` scenarios hold (no scanner runs).

tests/e2e/test_generated.py judges the drawn accounts on every path; this only checks, on one seed,
that the draws cover every kind of permission set those scenarios describe, and the shrinker's
reduction of a disagreeing permission set.
"""

from __future__ import annotations

from collections import Counter

from support_role import LEAST_PRIVILEGE
from support_role.scenarios import scenario_from_mapping
from tests.e2e.shrink import Disagreement, permission_set_alone
from tests.e2e.strategies import ELSEWHERE_POLICY, draw_accounts, with_core_expectations

SUPPORT = "arn:{partition}:iam::aws:policy/AWSSupportAccess"


def test_drawn_accounts_hold_every_kind_of_permission_set() -> None:
    raws = draw_accounts(40, partition="aws", config="default", seed=11)
    raws += draw_accounts(10, partition="aws", config="tuned", seed=12)
    raws += draw_accounts(10, partition="aws", config="default", seed=13, support=False)
    kinds: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for raw in raws:
        scenario = scenario_from_mapping(with_core_expectations(raw))  # the corpus format accepts each
        for spec in scenario.permission_sets:
            support = any(arn.endswith(":iam::aws:policy/AWSSupportAccess") for arn in spec.policies)
            kinds["assigned" if spec.assigned else "unassigned"] += 1
            kinds["support" if support else "not support"] += 1
            kinds["extra managed"] += len(spec.policies) > int(support)
            kinds["customer in scope"] += any(n in scenario.customer_policies for n in spec.customer_policies)
            kinds["customer elsewhere"] += ELSEWHERE_POLICY in spec.customer_policies
            kinds["inline"] += spec.inline is not None
            kinds["boundary"] += spec.boundary is not None
        for rules in scenario.expect_permission_sets.values():
            verdicts[str(rules[LEAST_PRIVILEGE])] += 1
    assert set(kinds) == {
        "assigned",
        "unassigned",
        "support",
        "not support",
        "extra managed",
        "customer in scope",
        "customer elsewhere",
        "inline",
        "boundary",
    }
    assert all(kinds.values()), kinds
    assert {"PASS", "FAIL extra-managed-policy", "FAIL non-support-action"} <= set(verdicts), verdicts
    assert any("policy-not-visible" in v for v in verdicts), verdicts
    # no assigned support set in the accounts drawn without a support role
    for raw in raws[50:]:
        for item in raw.get("permission_sets", []):  # type: ignore[attr-defined]
            assert not (item["assigned"] and SUPPORT in item.get("policies", [])), raw


def test_a_disagreeing_permission_set_is_written_alone() -> None:
    raw = next(r for r in draw_accounts(20, partition="aws", config="default", seed=11) if r.get("permission_sets"))
    scenario = scenario_from_mapping(with_core_expectations(raw))
    spec = scenario.permission_sets[-1]
    alone = permission_set_alone(Disagreement(scenario, spec.key, LEAST_PRIVILEGE, frozenset({"prowler-live"})))
    assert alone["roles"] == []
    assert [s["name"] for s in alone["permission_sets"]] == [spec.name]  # type: ignore[attr-defined,index]
    assert scenario_from_mapping(alone).permission_sets[0] == spec
