"""The core replays every scenario of the shared corpus and gives exactly the expected verdicts.

The corpus is replayed by every path (Terraform, CloudFormation, a moto account), so these tests
also keep each scenario representable everywhere: literal values only, names IAM accepts,
permission policies IAM (and moto) would store, every referenced user and policy declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from support_role import EXISTS, Config, ConfigError, Status, evaluate_account
from support_role._values import without_policy_variables
from support_role.scenarios import (
    CORPUS_DIR,
    Scenario,
    ScenarioError,
    load_corpus,
    load_scenario,
    mismatches,
    scenario_account,
    scenario_from_mapping,
)

CORPUS = load_corpus()
IDS = [s.name for s in CORPUS]


@pytest.mark.parametrize("scenario", CORPUS, ids=IDS)
def test_core_gives_the_corpus_verdicts(scenario: Scenario) -> None:
    results = evaluate_account(scenario_account(scenario), scenario.parsed_config())
    roles = {name: verdicts for name, verdicts in results.items() if name}
    assert list(mismatches(scenario, results[""][EXISTS], roles)) == []


@pytest.mark.parametrize("scenario", CORPUS, ids=IDS)
def test_exists_evidence_names_every_support_role_and_every_other_holder(scenario: Scenario) -> None:
    account = scenario_account(scenario)
    verdict = evaluate_account(account, scenario.parsed_config())[""][EXISTS]
    assert verdict is not None
    evidence = verdict.evidence_dict()
    # The roles with per-role expectations are exactly the support roles, in the account's order: the
    # scenario's roles, the roles Identity Center makes from assigned support permission sets, and
    # those permission sets themselves (what an IaC account baseline counts).
    supporting = [p for p in scenario.permission_sets if p.assigned and p.name in scenario.expect_permission_sets]
    assert evidence["support_roles"] == [
        *(r.name for r in scenario.roles if r.name in scenario.expect_roles),
        *(p.role_name for p in supporting),
        *(f"permission set {p.name}" for p in supporting),
    ]
    assert evidence["support_users"] == sorted(u for u, ps in scenario.user_policies.items() if _support(ps))
    assert evidence["support_groups"] == sorted(g for g, ps in scenario.groups.items() if _support(ps))
    if verdict.status is Status.PASS:
        assert all(name in verdict.reason for name in evidence["support_roles"])


def _support(policies: tuple[str, ...]) -> bool:
    return any(p.endswith(":iam::aws:policy/AWSSupportAccess") for p in policies)


def test_the_corpus_is_large_enough_and_covers_every_decided_failure() -> None:
    assert len(CORPUS) >= 45
    codes = {
        code
        for s in CORPUS
        for expectation in [s.expect_exists, *(e for rules in s.expect_roles.values() for e in rules.values())]
        for code in expectation.codes
    }
    assert codes >= {
        "no-support-role",
        "support-policy-not-on-role",
        "look-alike-policy",
        "boundary-only",
        "wildcard-principal",
        "service-principal",
        "deleted-principal",
        "invalid-principal",
        "account-root",
        "untrusted-account",
        "oidc-without-subject",
        "not-principal",
        "no-principal",
        "nobody-can-assume",
        "extra-managed-policy",
        "non-support-action",
        "mfa-not-required",
        "mfa-if-exists",
        "oidc-wildcard-subject",
        "custom-support-policy",
    }


def test_the_corpus_covers_partitions_configuration_and_several_roles() -> None:
    assert {s.partition for s in CORPUS} >= {"aws", "aws-cn", "aws-us-gov", "aws-iso-b"}
    used = {key for s in CORPUS for key in s.config}
    assert used >= {
        "support_role_allow_account_roots",
        "support_role_trusted_account_ids",
        "support_role_allowed_policies",
        "support_role_support_policies",
        "support_role_allowed_actions",
    }
    assert any(len(s.expect_roles) >= 3 for s in CORPUS)  # several support roles
    assert any(len(s.roles) > len(s.expect_roles) > 0 for s in CORPUS)  # support roles beside others
    statuses = {e.status for s in CORPUS for rules in s.expect_roles.values() for e in rules.values()}
    assert statuses == {"PASS", "FAIL"}  # UNKNOWN needs a fault or a reference: tested elsewhere


# --- representable on every path ---------------------------------------------------------------

MOTO_PARTITIONS = {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"}
# AWS managed policies the scenarios may attach; each exists in AWS and in moto's copy of them.
KNOWN_AWS_MANAGED = {"AWSSupportAccess", "AdministratorAccess", "ReadOnlyAccess"}
NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
LONG_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
PATH = re.compile(r"^/(?:[\x21-\x7e]*/)?$")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _permission_policy_problems(document: Mapping[str, object]) -> Iterator[str]:
    """What IAM's PutRolePolicy/CreatePolicy (and moto's copy of its validation) would refuse."""
    if document.get("Version") != "2012-10-17":
        yield "Version must be 2012-10-17"
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, Mapping):
            yield "a statement is not a mapping"
            continue
        if statement.get("Effect") not in ("Allow", "Deny"):
            yield f"Effect {statement.get('Effect')!r} (IAM is case-sensitive here)"
        if ("Action" in statement) == ("NotAction" in statement):
            yield "exactly one of Action and NotAction"
        if ("Resource" in statement) == ("NotResource" in statement):
            yield "exactly one of Resource and NotResource"
        if "Principal" in statement or "NotPrincipal" in statement:
            yield "a permission policy has no principal"
        for action in _as_list(statement.get("Action", statement.get("NotAction"))):
            if not isinstance(action, str):
                yield f"action {action!r} is not a string"
            elif action != "*" and (action.count(":") != 1 or re.search(r"[^A-Za-z0-9.-]", action.split(":")[0])):
                yield f"action {action!r}: IAM refuses wildcards and odd characters in the service prefix"


@pytest.mark.parametrize("scenario", CORPUS, ids=IDS)
def test_every_scenario_is_representable_on_every_path(scenario: Scenario) -> None:
    assert scenario.source is not None and scenario.source.name == f"{scenario.name}.yaml"
    assert 40 <= len(scenario.description) <= 500, "one or two sentences: what it shows and why"
    assert scenario.partition in MOTO_PARTITIONS
    assert re.fullmatch(r"[0-9]{12}", scenario.account_id)
    everything = [
        scenario.config,
        [(r.trust, r.policies, r.inline, r.boundary) for r in scenario.roles],
        scenario.customer_policies,
        scenario.user_policies,
        scenario.groups,
    ]
    for text in _strings(everything):
        # an IAM policy variable is literal policy text on every path (HCL escapes it as $${...})
        assert "${" not in without_policy_variables(text), text
        assert "{partition}" not in text and "{account}" not in text, text
        assert not text.startswith(("Ref", "Fn::")), text  # no CloudFormation intrinsics either
    for name in (*scenario.users, *(r.name for r in scenario.roles)):
        assert NAME.match(name), name
    for name in (*scenario.groups, *scenario.customer_policies, *(n for r in scenario.roles for n in r.inline)):
        assert LONG_NAME.match(name), name
    problems: list[str] = []
    for spec in scenario.roles:
        assert PATH.match(spec.path), spec.path
        assert spec.trust.get("Version") == "2012-10-17", spec.name
        for statement in _as_list(spec.trust.get("Statement")):
            assert isinstance(statement, Mapping) and "Resource" not in statement, spec.name
        for name, document in spec.inline.items():
            problems += [f"{spec.name} inline {name}: {p}" for p in _permission_policy_problems(document)]
        for arn in [*spec.policies, *([spec.boundary] if spec.boundary else [])]:
            assert arn.startswith(f"arn:{scenario.partition}:iam::"), arn
    for name, document in scenario.customer_policies.items():
        problems += [f"customer policy {name}: {p}" for p in _permission_policy_problems(document)]
    assert problems == []
    attached = [p for r in scenario.roles for p in (*r.policies, r.boundary or "")]
    attached += [p for ps in (*scenario.user_policies.values(), *scenario.groups.values()) for p in ps]
    for arn in attached:
        if ":iam::aws:policy/" in arn:
            assert arn.rsplit("/", 1)[-1] in KNOWN_AWS_MANAGED, arn


# --- the scenario format -------------------------------------------------------------------------

GOOD_ROLE = {
    "name": "aws-support",
    "trust": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}},
    "policies": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"],
}
GOOD_EXPECT = {
    "support-role-exists": "PASS",
    "roles": {
        "aws-support": {
            "support-role-trust": "FAIL wildcard-principal",
            "support-role-least-privilege": "PASS",
            "support-role-mfa": "FAIL mfa-not-required",
        }
    },
}


def scenario(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"name": "s", "roles": [dict(GOOD_ROLE)], "expect": GOOD_EXPECT}
    base.update(fields)
    return base


def test_a_minimal_scenario_loads_with_substitutions() -> None:
    loaded = scenario_from_mapping(scenario(partition="aws-cn", account_id="111122223333"))
    assert loaded.roles[0].policies == ("arn:aws-cn:iam::aws:policy/AWSSupportAccess",)
    assert loaded.customer_policy_arn("P") == "arn:aws-cn:iam::111122223333:policy/P"
    assert str(loaded.expectation("aws-support", "support-role-trust")) == "FAIL wildcard-principal"
    assert str(loaded.expectation("other", "support-role-trust")) == "NA"
    assert loaded.parsed_config() == Config()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "needs a name"),
        ({"partition": "aws-mars"}, "unknown partition"),
        ({"roles": [{"trust": {}}]}, "roles[0] needs a name"),
        ({"roles": [{"name": "r"}]}, "needs a trust policy mapping"),
        ({"roles": [{**GOOD_ROLE, "policies": "arn"}]}, "must be a list of strings"),
        ({"roles": [{**GOOD_ROLE, "inline": {"p": '{"Statement": []}'}}]}, "must be a mapping, not str"),
        ({"roles": [{**GOOD_ROLE, "boundary": ["arn"]}]}, "boundary: must be a string"),
        ({"customer_policies": {"P": "text"}}, "customer_policies.P"),
        ({"expect": {**GOOD_EXPECT, "support-role-exists": "MAYBE"}}, "status 'MAYBE'"),
        ({"expect": {**GOOD_EXPECT, "support-role-exists": "PASS extra"}}, "PASS takes no problem codes"),
        ({"expect": {**GOOD_EXPECT, "support-role-exists": "FAIL"}}, "needs the problem codes"),
        ({"expect": {**GOOD_EXPECT, "support-role-exists": None}}, "must be a string"),
        ({"expect": {**GOOD_EXPECT, "roles": {"ghost": {}}}}, "names no role"),
        ({"expect": {**GOOD_EXPECT, "roles": {"aws-support": {"support-role-trust": "PASS"}}}}, "must give exactly"),
        (
            {"roles": [{**GOOD_ROLE, "policies": ["arn:{partition}:iam::{account}:policy/Undefined"]}]},
            "not defined under customer_policies",
        ),
        ({"users": ["alice"], "user_policies": {"bob": []}}, "user 'bob' missing from users"),
        ({"groups": {"ops": {"members": ["carol"]}}}, "member 'carol' missing from users"),
        ({"config": {"support_role_trusted_account_ids": ["12"]}}, "config: configuration key"),
        ({"config": {"support_role_typo": True}}, "support_role_typo"),
    ],
)
def test_a_malformed_scenario_is_refused_naming_the_problem(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        scenario_from_mapping(scenario(**fields))


def test_a_scenario_error_is_not_a_config_error() -> None:
    with pytest.raises(ScenarioError) as error:
        scenario_from_mapping(scenario(config={"support_role_allow_account_roots": "yes"}))
    assert not isinstance(error.value, ConfigError)


def test_a_file_error_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text("- not a mapping\n")
    with pytest.raises(ScenarioError, match=r"broken\.yaml"):
        load_scenario(file)


def test_two_scenarios_with_one_name_are_refused(tmp_path: Path) -> None:
    for file in ("a.yaml", "b.yaml"):
        (tmp_path / file).write_text((CORPUS_DIR / "good-single-user-mfa.yaml").read_text())
    with pytest.raises(ScenarioError, match="used twice: good-single-user-mfa"):
        load_corpus(tmp_path)


def test_mismatches_name_each_difference() -> None:
    loaded = scenario_from_mapping(scenario())
    results = evaluate_account(scenario_account(loaded), Config(allow_account_roots=True))
    assert list(mismatches(loaded, results[""][EXISTS], {})) == [
        "s: aws-support: support-role-trust: expected FAIL wildcard-principal, got no result",
        "s: aws-support: support-role-least-privilege: expected PASS, got no result",
        "s: aws-support: support-role-mfa: expected FAIL mfa-not-required, got no result",
    ]
    assert list(mismatches(loaded, None, {"aws-support": results["aws-support"]})) == [
        "s: support-role-exists: expected PASS, got NA"
    ]
