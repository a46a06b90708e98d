"""The shrinker: one-step reductions stay in the corpus format, and a disagreement shrinks, in
batched scanner runs, to a small scenario file in the corpus folder.

The disagreement is made on purpose: the reference (normally the core) is wrapped so that it
wrongly expects least privilege to PASS whenever AdministratorAccess is attached; Checkov (on HCL
and CloudFormation, the cheap paths) rightly says FAIL extra-managed-policy, and the shrinker must
keep exactly what that needs: AWSSupportAccess (a support role) and AdministratorAccess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
import yaml

from support_role import LEAST_PRIVILEGE
from support_role.scenarios import load_scenario, scenario_from_mapping
from tests.e2e import shrink
from tests.e2e.batches import Batch, plan_batches
from tests.e2e.paths import Run
from tests.e2e.strategies import with_core_expectations

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"]},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ],
}
ROLE = {
    "name": "role-0",
    "trust": TRUST,
    "policies": [SUPPORT, ADMIN, "arn:aws:iam::aws:policy/ReadOnlyAccess"],
    "inline": {
        "inline-0": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    },
}


def test_reductions_are_one_step_smaller_and_keep_the_format() -> None:
    candidates = shrink.role_candidates(ROLE)
    assert candidates, "a role with this much in it can shrink"
    for candidate in candidates:
        assert candidate["name"] == "role-0"
        assert json.dumps(candidate, sort_keys=True) != json.dumps(ROLE, sort_keys=True)
        assert len(json.dumps(candidate)) < len(json.dumps(ROLE))
        assert isinstance(candidate.get("policies", []), list)  # the corpus format wants lists here
        for document in candidate.get("inline", {}).values():
            statements = document["Statement"]
            for statement in statements if isinstance(statements, list) else [statements]:
                assert "Resource" in statement and "Effect" in statement  # moto refuses them without
        scenario_from_mapping({"name": "x", "roles": [candidate], "expect": {"support-role-exists": "PASS"}})
    shown = [json.dumps(c, sort_keys=True) for c in candidates]
    assert len(shown) == len(set(shown))
    without_admin = dict(ROLE, policies=[SUPPORT, "arn:aws:iam::aws:policy/ReadOnlyAccess"])
    assert without_admin in candidates
    assert dict(ROLE, trust={**TRUST, "Statement": TRUST["Statement"][:1]}) in candidates


def _wrong_reference(raw: Mapping[str, object]) -> dict[str, object]:
    """The core's expectations, except least privilege wrongly PASSes when AdministratorAccess is attached."""
    result = with_core_expectations(raw)
    roles = result["expect"].get("roles", {})  # type: ignore[union-attr]
    for spec in raw["roles"]:  # type: ignore[union-attr]
        if ADMIN in spec.get("policies", []) and spec["name"] in roles:
            roles[spec["name"]][LEAST_PRIVILEGE] = "PASS"
    return result


@pytest.mark.slow
def test_a_disagreement_shrinks_into_a_small_corpus_file(
    checkov_cli: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shrink, "with_core_expectations", _wrong_reference)
    monkeypatch.setenv("CIS_SUPPORT_ROLE_COUNTEREXAMPLES", str(tmp_path / "corpus"))
    scenario = scenario_from_mapping(_wrong_reference({"name": "start", "users": ["alice"], "roles": [ROLE]}))

    def checkov_only(batches: Sequence[Batch], name: str) -> Run:
        run = Run(tmp_path / name, batches, live=False)
        run.execute()
        return run

    first = checkov_only(plan_batches([scenario]), "first")
    (failure,) = shrink.disagreements(first)
    assert (failure.role, failure.rule, failure.paths) == ("role-0", LEAST_PRIVILEGE, {"checkov-hcl", "checkov-cfn"})

    raw = shrink.shrink_role(failure, checkov_only, print)
    written = shrink.counterexample_file(raw, failure.paths, 0, failure.rule)

    assert written.parent == tmp_path / "corpus" and written.name.startswith("generated-")
    document = yaml.safe_load(written.read_text())
    (role,) = document["roles"]
    assert sorted(role["policies"]) == sorted(
        ["arn:{partition}:iam::aws:policy/AWSSupportAccess", "arn:{partition}:iam::aws:policy/AdministratorAccess"]
    )
    assert "inline" not in role
    assert len(json.dumps(role["trust"])) < len(json.dumps(TRUST))
    assert "checkov-cfn, checkov-hcl disagreed with the core on support-role-least-privilege" in document["description"]
    loaded = load_scenario(written)  # a valid corpus file, whose expectation is the reference's
    assert str(loaded.expectation("role", LEAST_PRIVILEGE)) == "PASS"
