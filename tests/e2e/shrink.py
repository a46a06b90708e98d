"""Shrinking a generated account on which the paths disagree, with batched scanner runs.

Hypothesis shrinks by running the test again for every candidate; here one candidate costs a
Terraform apply and a Prowler run, so candidates are tried many at a time instead: every one-step
reduction of the disagreeing role becomes its own role in one shared account, one run of every
path judges them all, and the smallest candidate that still disagrees on the same paths is kept.
Account-level disagreements in a shared account are first narrowed down by halving the members.

The result lands in the corpus (``tests/corpus`` or ``$CIS_SUPPORT_ROLE_COUNTEREXAMPLES``) as a
scenario file whose expectations are the core's verdicts, to be reviewed and committed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from support_role import EXISTS, PER_ROLE_RULES
from support_role.scenarios import CORPUS_DIR, Scenario, ScenarioError, permission_set_key, scenario_from_mapping
from tests.e2e.batches import Batch, Member, plan_batches
from tests.e2e.paths import PATHS, Run, _matches, to_raw
from tests.e2e.strategies import with_core_expectations

MAX_ROUNDS = 8
MAX_CANDIDATES = 70

# Keys whose removal would make a document that moto, Terraform or the corpus format refuses.
_PROTECTED = {"name", "trust", "Version", "Effect", "Resource"}


@dataclass(frozen=True)
class Disagreement:
    scenario: Scenario
    role: str | None  # None: the account-level rule; a role's name, or ``permission set <name>``
    rule: str
    paths: frozenset[str]  # the paths whose verdict differs from the core


def disagreements(run: Run) -> list[Disagreement]:
    """What differs from the core, per scenario, role and rule (with the paths that differ)."""
    found: dict[tuple[str, str | None, str], set[str]] = {}
    scenarios: dict[str, Scenario] = {}
    for batch in run.batches:
        for path in PATHS:
            result = run.results[batch.name][path]
            if result.skipped or result.error:
                continue
            exists = result.findings.get(("(account)", EXISTS))
            if not _matches(batch.expected_exists(), exists):
                scenario = batch.account if not batch.alone else batch.members[0].scenario
                scenarios[scenario.name] = scenario
                found.setdefault((scenario.name, None, EXISTS), set()).add(path)
            for member in batch.members:
                # (name in the batch account, name in the scenario): roles, permission sets, and on the
                # live path the roles Identity Center makes from the assigned sets (judged as their set)
                subjects = [(member.role_name(spec.name), spec.name) for spec in member.scenario.roles]
                for ps in member.scenario.permission_sets:
                    made = next(s for s in batch.account.permission_sets if s.name == member.role_name(ps.name))
                    subjects.append((permission_set_key(made.name), ps.key))
                    if path == "prowler-live" and made.assigned:
                        subjects.append((made.role_name, ps.key))
                for in_batch, name in subjects:
                    for rule in PER_ROLE_RULES:
                        got = result.findings.get((in_batch, rule))
                        if not _matches(member.scenario.expectation(name, rule), got):
                            scenarios[member.scenario.name] = member.scenario
                            found.setdefault((member.scenario.name, name, rule), set()).add(path)
    return [Disagreement(scenarios[s], role, rule, frozenset(p)) for (s, role, rule), p in found.items()]


# ------------------------------------------------------------------------------ reductions
def _reductions(value: object, path: tuple[object, ...] = ()) -> Iterator[tuple[tuple[object, ...], object]]:
    """Every tree one step smaller: (where, the new value there) for each element or key dropped,
    each list of several reduced to one element."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key not in _PROTECTED and len(value) > 1:
                yield path, {k: v for k, v in value.items() if k != key}
            yield from _reductions(item, (*path, key))
    elif isinstance(value, list):
        if len(value) > 1:
            for i in range(len(value)):
                yield path, value[:i] + value[i + 1 :]
            if "trust" in path or "inline" in path:  # policy documents take a lone value for a list
                yield path, value[0]
        for i, item in enumerate(value):
            yield from _reductions(item, (*path, i))


def _put(tree: object, path: tuple[object, ...], new: object) -> object:
    if not path:
        return new
    copied = copy.deepcopy(tree)
    target = copied
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    target[path[-1]] = new  # type: ignore[index]
    return copied


def role_candidates(role: Mapping[str, object]) -> list[dict[str, object]]:
    """One-step reductions of a role of the corpus format (name kept, trust kept a mapping)."""
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    for path, new in _reductions(dict(role)):
        candidate = _put(dict(role), path, new)
        if not isinstance(candidate, dict) or not isinstance(candidate.get("trust"), Mapping):
            continue
        if not _inline_ok(candidate):
            continue
        key = json.dumps(candidate, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(candidate)
    return sorted(out, key=lambda c: len(json.dumps(c)))


def _inline_ok(role: Mapping[str, object]) -> bool:
    """Inline policies moto accepts: a statement list, each with an action and a resource."""
    inline = role.get("inline") or {}
    if not isinstance(inline, Mapping):
        return False
    for document in inline.values():
        statements = document.get("Statement") if isinstance(document, Mapping) else None
        items = statements if isinstance(statements, list) else [statements]
        for statement in items:
            if not isinstance(statement, Mapping) or not ({"Action", "NotAction"} & set(statement)):
                return False
    return True


def _size(raw: Mapping[str, object]) -> int:
    return len(json.dumps(raw, sort_keys=True))


# ---------------------------------------------------------------------------------- shrinking
RunFactory = Callable[[Sequence[Batch], str], Run]


def _still_disagrees(run: Run, scenario_names: Sequence[str], rule: str, paths: frozenset[str]) -> list[str]:
    hits = {d.scenario.name for d in disagreements(run) if d.rule == rule and d.paths & paths}
    return [name for name in scenario_names if name in hits]


def shrink_role(failure: Disagreement, make_run: RunFactory, log: Callable[[str], None]) -> dict[str, object]:
    """The smallest account with one role that still disagrees on the same rule and paths."""
    assert failure.role is not None
    raw = to_raw(failure.scenario)
    role = next(r for r in raw["roles"] if r["name"] == failure.role)  # type: ignore[union-attr,index]
    base = {k: v for k, v in raw.items() if k not in ("roles", "expect", "users", "user_policies", "groups")}
    best = {**base, "name": "candidate", "roles": [dict(role, name="role")]}
    for round_ in range(MAX_ROUNDS):
        candidates = role_candidates(best["roles"][0])[:MAX_CANDIDATES]  # type: ignore[index]
        if not candidates:
            break
        scenarios = []
        for i, c in enumerate(candidates):
            try:
                raw = with_core_expectations({**base, "name": f"c{round_}-{i:02d}", "roles": [c]})
                scenarios.append(scenario_from_mapping(raw))
            except ScenarioError:
                continue  # a reduction the corpus format refuses
        if not scenarios:
            break
        batches = plan_batches(scenarios, merge_failing_exists=True, rename_shared=False, prefix="k")
        run = make_run(batches, f"shrink-{round_}")
        hits = _still_disagrees(run, [s.name for s in scenarios], failure.rule, failure.paths)
        log(f"shrink round {round_}: {len(candidates)} candidates, {len(hits)} still disagree")
        if not hits:
            break
        winner = scenarios[[s.name for s in scenarios].index(hits[0])]
        best = {**base, "name": "candidate", "roles": to_raw(winner)["roles"]}
    return with_core_expectations(best)


def permission_set_alone(failure: Disagreement) -> dict[str, object]:
    """The disagreeing permission set alone in an account (with the scenario's configuration and
    customer policies), expectations from the core: not shrunk further (a permission set has few
    parts; its inline policy is the place to look)."""
    assert failure.role is not None
    raw = to_raw(failure.scenario)
    sets = [s for s in raw.get("permission_sets", []) if permission_set_key(s["name"]) == failure.role]  # type: ignore[attr-defined,index]
    dropped = ("roles", "expect", "users", "user_policies", "groups", "permission_sets")
    base = {k: v for k, v in raw.items() if k not in dropped}
    return with_core_expectations({**base, "name": "candidate", "roles": [], "permission_sets": sets})


def bisect_account(failure: Disagreement, batch: Batch, make_run: RunFactory, log: Callable[[str], None]) -> Scenario:
    """The one member of a shared account whose account-level verdict still disagrees alone,
    found by halving; the shared account itself when no half disagrees alone."""
    members: list[Member] = list(batch.members)
    round_ = 0
    while len(members) > 1:
        half = len(members) // 2
        halves = [members[:half], members[half:]]
        batches = [Batch(f"half-{round_}-{i}", list(h), batch.rename_shared) for i, h in enumerate(halves)]
        run = make_run(batches, f"bisect-{round_}")
        failing = [
            h
            for h, b in zip(halves, batches, strict=True)
            if any(
                d.rule == EXISTS and d.paths & failure.paths and d.scenario.name == b.name for d in disagreements(run)
            )
        ]
        log(f"bisect round {round_}: {len(members)} accounts, failing halves: {len(failing)}")
        if not failing:
            break
        members = failing[0]
        round_ += 1
    if len(members) == 1:
        return members[0].scenario
    return Batch("bisected", members, batch.rename_shared).account


def counterexample_file(raw: Mapping[str, object], paths: frozenset[str], seed: int, rule: str) -> Path:
    """Write a shrunk account to the corpus; the name is a digest of its content."""
    folder = Path(os.environ.get("CIS_SUPPORT_ROLE_COUNTEREXAMPLES", CORPUS_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    content = {k: v for k, v in raw.items() if k not in ("name", "description", "expect")}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:10]
    name = f"generated-{digest}"
    text = json.dumps(raw, sort_keys=True)
    partition, account = str(raw.get("partition", "aws")), str(raw.get("account_id", "123456789012"))
    text = text.replace(f"arn:{partition}:", "arn:{partition}:").replace(account, "{account}")
    placeheld = json.loads(text)
    placeheld["account_id"] = account
    placeheld["partition"] = partition
    document = {
        "name": name,
        "description": (
            f"Found by tests/e2e/test_generated.py (seed {seed}): {', '.join(sorted(paths))} disagreed with the "
            f"core on {rule}. Expectations are the core's verdicts: check them, fix the path, commit this file."
        ),
        **{k: v for k, v in placeheld.items() if k not in ("name", "description")},
    }
    import yaml

    target = folder / f"{name}.yaml"
    target.write_text(yaml.safe_dump(document, sort_keys=False, width=110), encoding="utf-8")
    return target
