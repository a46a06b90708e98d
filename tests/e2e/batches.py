"""Scenarios grouped into batches: one batch is one moto account, one Terraform root module, one
CloudFormation template, one ``terraform plan``/``apply`` and one Prowler run.

A Prowler run costs about 20 CPU seconds of start-up (loading its compliance frameworks) and a
Terraform plan plus apply about 10 (the AWS provider loads its schema each time), whatever the size
of the account; so scenarios share an account wherever their verdicts cannot influence each other:

* the per-role rules read one role at a time, so roles of different scenarios can live side by
  side, their names prefixed (``m03-aws-support``) to keep them apart; so are IAM Identity Center
  permission sets (and with them the ``AWSReservedSSO_*`` roles made from them);
* the configuration is per scanner run, so only scenarios with the same configuration share;
* the account-level rule reads the whole account: in the corpus, scenarios share an account only
  when they expect the same account verdict and the core gives the merged account exactly that
  verdict (else each gets an account of its own), so every member's corpus expectation is what
  the scanners are held to; generated scenarios (``merge_failing_exists``) are compared with the
  core's verdict on the merged account;
* moto 5.2 answers ListEntitiesForPolicy from at most 100 roles unless asked for more, so a
  batch holds at most :data:`MAX_ROLES` roles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from support_role import EXISTS, evaluate_account
from support_role.scenarios import (
    Expectation,
    PermissionSetSpec,
    RoleSpec,
    Scenario,
    describe_verdict,
    scenario_account,
)

MAX_ROLES = 80


@dataclass(frozen=True)
class Member:
    scenario: Scenario
    prefix: str  # prepended to the scenario's role names in the batch account ("" when alone)

    def role_name(self, name: str) -> str:
        return self.prefix + name


@dataclass
class Batch:
    name: str
    members: list[Member]
    rename_shared: bool = True  # prefix users, groups and customer policies too (corpus)
    account: Scenario = field(init=False)

    def __post_init__(self) -> None:
        self.account = merge(self.name, self.members, self.rename_shared)

    @property
    def alone(self) -> bool:
        return len(self.members) == 1 and not self.members[0].prefix

    def expected_exists(self) -> Expectation:
        """The account-level verdict every path must give for the batch account."""
        if self.alone:
            return self.members[0].scenario.expect_exists
        results = evaluate_account(scenario_account(self.account), self.account.parsed_config())
        return Expectation.parse(describe_verdict(results[""][EXISTS]), self.name)


def config_key(scenario: Scenario) -> str:
    return json.dumps(dict(scenario.config), sort_keys=True, default=str)


def plan_batches(
    scenarios: Sequence[Scenario],
    *,
    merge_failing_exists: bool = False,
    rename_shared: bool = True,
    max_roles: int = MAX_ROLES,
    prefix: str = "m",
) -> list[Batch]:
    """Group scenarios into as few accounts as keeps every verdict decidable per scenario.

    Scenarios merge when they share partition, account ID and configuration and expect the same
    account-level verdict; a merged batch is kept only when the core gives the merged account that
    very verdict (else its members go alone). With ``merge_failing_exists`` (generated scenarios,
    whose expectations are the core's anyway) the scenarios that do not expect PASS merge whatever
    their codes, and every merged batch is kept and held to the core's verdict on it.
    """
    groups: dict[tuple[str, str, str, str], list[Scenario]] = {}
    alone: list[Scenario] = []
    for scenario in scenarios:
        expected = str(scenario.expect_exists)
        if merge_failing_exists and expected != "PASS":
            expected = "not PASS"
        key = (scenario.partition, scenario.account_id, config_key(scenario), expected)
        groups.setdefault(key, []).append(scenario)
    batches: list[Batch] = []
    for (*_, expected), members in groups.items():
        if len(members) == 1:
            alone.append(members[0])
            continue
        for chunk in _chunks(members, max_roles):
            batch = _merged(chunk, len(batches), rename_shared, prefix)
            if batch.alone or merge_failing_exists or str(batch.expected_exists()) == expected:
                batches.append(batch)
            else:
                alone.extend(chunk)
    for scenario in sorted(alone, key=lambda s: s.name):
        batches.append(Batch(f"b{len(batches):02d}-{scenario.name}"[:60], [Member(scenario, "")]))
    return batches


def _chunks(members: Sequence[Scenario], max_roles: int) -> list[list[Scenario]]:
    """As few chunks of at most ``max_roles`` roles as the limit allows, filled evenly; a scenario
    without roles joins the chunk at hand."""
    total = sum(_size(s) for s in members)
    target = total / max(1, -(-total // max_roles))
    chunks: list[list[Scenario]] = [[]]
    for scenario in members:
        size = sum(_size(s) for s in chunks[-1])
        if chunks[-1] and _size(scenario) and (size + _size(scenario) > max_roles or size >= target):
            chunks.append([])
        chunks[-1].append(scenario)
    return chunks


def _size(scenario: Scenario) -> int:
    """Roles a scenario puts in an account: its own, and one per permission set (the role Identity
    Center makes from an assigned one; an unassigned one counts too, so that it shares an account)."""
    return len(scenario.roles) + len(scenario.permission_sets)


def _merged(scenarios: Sequence[Scenario], index: int, rename_shared: bool, prefix: str) -> Batch:
    if len(scenarios) == 1:
        return Batch(f"b{index:02d}-{scenarios[0].name}"[:60], [Member(scenarios[0], "")])
    members = [Member(s, f"{prefix}{i:02d}-") for i, s in enumerate(scenarios)]
    return Batch(f"b{index:02d}-merged-{len(members)}", members, rename_shared)


def _renamed(name: str, scenario: Scenario, prefix: str) -> str:
    """A customer policy's name in the merged account: prefixed, but for one the configuration lists
    as a support policy (by name), which keeps its name so that the listing still names it (the
    merge then needs the same document under that name in every member)."""
    listed = scenario.parsed_config().support_policies
    return name if name in listed else prefix + name


def _rename_policy(arn: str, scenario: Scenario, prefix: str) -> str:
    for name in scenario.customer_policies:
        if arn == scenario.customer_policy_arn(name):
            return scenario.customer_policy_arn(_renamed(name, scenario, prefix))
    return arn


def merge(name: str, members: Sequence[Member], rename_shared: bool = True) -> Scenario:
    """One account holding every member's roles (prefixed) and, prefixed too when
    ``rename_shared``, its users, groups and customer managed policies (else their union: the
    same name must then mean the same thing in every member)."""
    if len(members) == 1 and not members[0].prefix:
        return members[0].scenario
    first = members[0].scenario
    users: dict[str, None] = {}
    user_policies: dict[str, tuple[str, ...]] = {}
    groups: dict[str, tuple[str, ...]] = {}
    group_members: dict[str, tuple[str, ...]] = {}
    customer: dict[str, Mapping[str, object]] = {}
    roles: list[RoleSpec] = []
    expect_roles: dict[str, Mapping[str, Expectation]] = {}
    permission_sets: list[PermissionSetSpec] = []
    expect_sets: dict[str, Mapping[str, Expectation]] = {}
    for member in members:
        s, p = member.scenario, member.prefix
        shared = p if rename_shared else ""
        if (s.partition, s.account_id, config_key(s)) != (first.partition, first.account_id, config_key(first)):
            raise ValueError(f"{s.name} cannot share an account with {first.name}")

        def policies(arns: Iterable[str], s: Scenario = s, shared: str = shared) -> tuple[str, ...]:
            return tuple(_rename_policy(a, s, shared) for a in arns)

        for user in s.users:
            users[shared + user] = None
        for user, arns in s.user_policies.items():
            user_policies[shared + user] = _union(user_policies.get(shared + user, ()), policies(arns))
        for group, arns in s.groups.items():
            groups[shared + group] = _union(groups.get(shared + group, ()), policies(arns))
            mates = tuple(shared + u for u in s.group_members.get(group, ()))
            group_members[shared + group] = _union(group_members.get(shared + group, ()), mates)
        for policy, document in s.customer_policies.items():
            renamed = _renamed(policy, s, shared)
            if renamed in customer and customer[renamed] != document:
                raise ValueError(f"customer policy {policy} means two things in {name}")
            customer[renamed] = document
        for spec in s.roles:
            roles.append(replace(spec, name=p + spec.name, policies=policies(spec.policies)))
        for role, rules in s.expect_roles.items():
            expect_roles[p + role] = rules
        for spec in s.permission_sets:  # prefixed, and so are the roles Identity Center makes from them
            refs = tuple(_renamed(n, s, shared) if n in s.customer_policies else n for n in spec.customer_policies)
            permission_sets.append(replace(spec, name=p + spec.name, customer_policies=refs))
        for name, rules in s.expect_permission_sets.items():
            expect_sets[p + name] = rules
    return replace(
        first,
        name=name,
        description=f"{len(members)} scenarios in one account: " + ", ".join(m.scenario.name for m in members),
        users=tuple(users),
        user_policies=user_policies,
        groups=groups,
        group_members=group_members,
        customer_policies=customer,
        roles=tuple(roles),
        expect_exists=Expectation("PASS"),
        expect_roles=expect_roles,
        source=None,
        permission_sets=tuple(permission_sets),
        expect_permission_sets=expect_sets,
    )


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))
