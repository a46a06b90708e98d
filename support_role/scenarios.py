"""The shared scenario corpus: account states with the verdict every rule must give.

A scenario file (YAML, one scenario per file) describes an account the way the IAM API would show
it; every path (the core, Checkov on Terraform/plan JSON/CloudFormation, Prowler on a moto account)
replays the same files. ``{partition}`` and ``{account}`` in any string are replaced by the
scenario's partition and account ID.

Expectations are ``"PASS"``, ``"NA"`` (not a support role), or a status followed by the exact set
of problem codes, e.g. ``"FAIL wildcard-principal service-principal"``. Roles not listed under
``expect.roles`` must get NA from every per-role rule.

IAM Identity Center permission sets (``permission_sets``: name, AWS managed ``policies``, the names
of ``customer_policies`` it refers to, ``inline``, ``boundary``, and ``assigned``: an assignment to the
scenario's account) are expected under ``expect.permission_sets`` the same way. A reference names one of
the scenario's customer policies, or, on a permission set that is not assigned, a policy the account does
not define (judged as a policy that is not visible);
each assigned one also stands for the ``AWSReservedSSO_*`` role Identity Center makes from it in the
account, which must get the permission set's verdicts wherever roles are read from the account.
A path reports a permission set under the key ``permission set <name>``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import _identity_center
from ._arn import PARTITIONS, is_aws_managed_policy, is_support_policy
from ._codec import verdict_key
from ._config import Config, ConfigError, config_from_mapping
from ._facts import Account, Document, InlinePolicy, ManagedAttachment, PermissionSet, Role, Unknown
from ._metadata import EXISTS, PER_ROLE_RULES
from ._policy import parse_policy
from ._verdict import Verdict
from .sources.iam_api import role_from_api

DEFAULT_ACCOUNT = "123456789012"
STATUSES = ("PASS", "FAIL", "UNKNOWN", "NA")


class ScenarioError(ValueError):
    """A scenario file that does not follow the format; the message names the file and field."""


@dataclass(frozen=True)
class Expectation:
    status: str
    codes: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: object, where: str) -> Expectation:
        if not isinstance(text, str) or not text.split():
            raise ScenarioError(f"{where}: expectation must be a string like 'FAIL code', not {text!r}")
        status, *codes = text.split()
        if status not in STATUSES:
            raise ScenarioError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}")
        if status in ("PASS", "NA") and codes:
            raise ScenarioError(f"{where}: {status} takes no problem codes")
        if status in ("FAIL", "UNKNOWN") and not codes:
            raise ScenarioError(f"{where}: {status} needs the problem codes it expects")
        return cls(status, frozenset(codes))

    def matches(self, verdict: Verdict | None) -> bool:
        if verdict is None:
            return self.status == "NA"
        return verdict.status.value == self.status and verdict.codes == self.codes

    def __str__(self) -> str:
        return " ".join([self.status, *sorted(self.codes)])


def describe_verdict(verdict: Verdict | None) -> str:
    """The verdict key (``"FAIL code code"``, ``"NA"``), as the corpus writes its expectations."""
    return verdict_key(verdict)


@dataclass(frozen=True)
class RoleSpec:
    name: str
    trust: Mapping[str, object]
    policies: tuple[str, ...] = ()
    inline: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    boundary: str | None = None
    path: str = "/"


@dataclass(frozen=True)
class PermissionSetSpec:
    name: str
    policies: tuple[str, ...] = ()  # AWS managed policy ARNs
    customer_policies: tuple[str, ...] = ()  # names of customer policies (path /), the scenario's or undefined
    inline: Mapping[str, object] | None = None
    boundary: str | None = None
    assigned: bool = False  # assigned to the scenario's account: Identity Center makes its role there

    @property
    def key(self) -> str:
        """How every path reports the permission set (the corpus' name for it)."""
        return permission_set_key(self.name)

    @property
    def role_name(self) -> str:
        """The name of the role Identity Center makes from it (a fixed suffix stands for its random one)."""
        return _identity_center.role_name(self.name, hashlib.sha256(self.name.encode()).hexdigest()[:16])


def permission_set_key(name: str) -> str:
    return f"permission set {name}"


IDENTITY_CENTER_REGION = "us-east-1"  # where the scenarios' Identity Center instance lives (partition aws)
_PERMISSION_SET_NAME = re.compile(r"^[\w+=,.@-]{1,32}$")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    partition: str
    account_id: str
    config: Mapping[str, object]
    users: tuple[str, ...]
    user_policies: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, tuple[str, ...]]  # group -> managed policy ARNs
    group_members: Mapping[str, tuple[str, ...]]
    customer_policies: Mapping[str, Mapping[str, object]]
    roles: tuple[RoleSpec, ...]
    expect_exists: Expectation
    expect_roles: Mapping[str, Mapping[str, Expectation]]
    source: Path | None = None
    permission_sets: tuple[PermissionSetSpec, ...] = ()
    expect_permission_sets: Mapping[str, Mapping[str, Expectation]] = field(default_factory=dict)

    def customer_policy_arn(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:policy/{name}"

    @property
    def identity_center_roles(self) -> dict[str, str]:
        """The roles Identity Center makes in the account: role name -> permission set name."""
        return {spec.role_name: spec.name for spec in self.permission_sets if spec.assigned}

    def expectation(self, role: str, rule_id: str) -> Expectation:
        """The expectation for a role, a role Identity Center makes, or ``permission set <name>``."""
        made_from = self.identity_center_roles.get(role)
        if made_from is not None:
            return self.expectation(permission_set_key(made_from), rule_id)
        for spec in self.permission_sets:
            if role == spec.key:
                return self.expect_permission_sets.get(spec.name, {}).get(rule_id, Expectation("NA"))
        return self.expect_roles.get(role, {}).get(rule_id, Expectation("NA"))

    def subjects(self, identity_center_roles: bool = True) -> list[str]:
        """Every name a path reports per-role verdicts under: roles, permission sets, and, where the
        path reads the account's roles, the roles Identity Center makes."""
        names = [spec.name for spec in self.roles]
        if identity_center_roles:
            names += list(self.identity_center_roles)
        return names + [spec.key for spec in self.permission_sets]

    def parsed_config(self) -> Config:
        return config_from_mapping(self.config)


def _substitute(value: object, partition: str, account: str) -> object:
    if isinstance(value, str):
        return value.replace("{partition}", partition).replace("{account}", account)
    if isinstance(value, list):
        return [_substitute(v, partition, account) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _substitute(v, partition, account) for k, v in value.items()}
    return value


def _mapping(data: Mapping[str, object], key: str, where: str) -> Mapping[str, object]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{where}: {key} must be a mapping")
    return value


def _documents(value: Mapping[str, object], where: str) -> dict[str, Mapping[str, object]]:
    """Policy documents by name; a document that is not a mapping is an error, never dropped."""
    documents: dict[str, Mapping[str, object]] = {}
    for name, document in value.items():
        if not isinstance(document, Mapping):
            raise ScenarioError(f"{where}.{name}: a policy document must be a mapping, not {type(document).__name__}")
        documents[str(name)] = document
    return documents


def _optional_string(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ScenarioError(f"{where}: must be a string")
    return value


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: must be a list of strings")
    return tuple(value)


def scenario_from_mapping(raw: Mapping[str, object], source: Path | None = None) -> Scenario:
    where = str(source or raw.get("name", "scenario"))
    partition = str(raw.get("partition", "aws"))
    if partition not in PARTITIONS:
        raise ScenarioError(f"{where}: unknown partition {partition!r}")
    account = str(raw.get("account_id", DEFAULT_ACCOUNT))
    data = _substitute(raw, partition, account)
    assert isinstance(data, Mapping)
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{where}: a scenario needs a name")
    roles: list[RoleSpec] = []
    for i, item in enumerate(data.get("roles") or []):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ScenarioError(f"{where}: roles[{i}] needs a name")
        trust = item.get("trust")
        if not isinstance(trust, Mapping):
            raise ScenarioError(f"{where}: role {item['name']} needs a trust policy mapping")
        inline = _mapping(item, "inline", f"{where}: role {item['name']}")
        roles.append(
            RoleSpec(
                name=item["name"],
                trust=trust,
                policies=_string_list(item.get("policies"), f"{where}: role {item['name']} policies"),
                inline=_documents(inline, f"{where}: role {item['name']} inline"),
                boundary=_optional_string(item.get("boundary"), f"{where}: role {item['name']} boundary"),
                path=str(item.get("path", "/")),
            )
        )
    groups: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for group, spec in _mapping(data, "groups", where).items():
        spec = spec if isinstance(spec, Mapping) else {}
        groups[str(group)] = (
            _string_list(spec.get("policies"), f"{where}: groups.{group}.policies"),
            _string_list(spec.get("members"), f"{where}: groups.{group}.members"),
        )
    expect = _mapping(data, "expect", where)
    expect_roles: dict[str, dict[str, Expectation]] = {}
    role_names = {r.name for r in roles}
    for role_name, rules in _mapping(expect, "roles", where).items():
        if role_name not in role_names or not isinstance(rules, Mapping):
            raise ScenarioError(f"{where}: expect.roles.{role_name} names no role of the scenario")
        if set(rules) != set(PER_ROLE_RULES):
            raise ScenarioError(f"{where}: expect.roles.{role_name} must give exactly {', '.join(PER_ROLE_RULES)}")
        expect_roles[role_name] = {
            rule: Expectation.parse(text, f"{where}: expect.roles.{role_name}.{rule}") for rule, text in rules.items()
        }
    customer = _documents(_mapping(data, "customer_policies", where), f"{where}: customer_policies")
    permission_sets = _permission_sets(data.get("permission_sets"), where)
    expect_sets: dict[str, dict[str, Expectation]] = {}
    set_names = {spec.name for spec in permission_sets}
    for set_name, rules in _mapping(expect, "permission_sets", where).items():
        if set_name not in set_names or not isinstance(rules, Mapping):
            raise ScenarioError(f"{where}: expect.permission_sets.{set_name} names no permission set of the scenario")
        if set(rules) != set(PER_ROLE_RULES):
            raise ScenarioError(
                f"{where}: expect.permission_sets.{set_name} must give exactly {', '.join(PER_ROLE_RULES)}"
            )
        expect_sets[str(set_name)] = {
            rule: Expectation.parse(text, f"{where}: expect.permission_sets.{set_name}.{rule}")
            for rule, text in rules.items()
        }
    scenario = Scenario(
        name=name,
        description=str(data.get("description", "")).strip(),
        partition=partition,
        account_id=account,
        config=_mapping(data, "config", where),
        users=_string_list(data.get("users"), f"{where}: users"),
        user_policies={
            str(k): _string_list(v, f"{where}: user_policies")
            for k, v in _mapping(data, "user_policies", where).items()
        },
        groups={g: policies for g, (policies, _) in groups.items()},
        group_members={g: members for g, (_, members) in groups.items()},
        customer_policies=customer,
        roles=tuple(roles),
        expect_exists=Expectation.parse(expect.get(EXISTS), f"{where}: expect.{EXISTS}"),
        expect_roles=expect_roles,
        source=source,
        permission_sets=permission_sets,
        expect_permission_sets=expect_sets,
    )
    _check_references(scenario, where)
    try:
        scenario.parsed_config()  # a bad config in a scenario is a scenario error, found at load
    except ConfigError as error:
        raise ScenarioError(f"{where}: config: {error}") from None
    _check_permission_sets(scenario, where)
    return scenario


def _permission_sets(value: object, where: str) -> tuple[PermissionSetSpec, ...]:
    specs: list[PermissionSetSpec] = []
    for i, item in enumerate(value or []) if isinstance(value, list) else enumerate([value] if value else []):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ScenarioError(f"{where}: permission_sets[{i}] needs a name")
        name = item["name"]
        inline = item.get("inline")
        if inline is not None and not isinstance(inline, Mapping):
            raise ScenarioError(f"{where}: permission set {name} inline must be a policy document mapping")
        assigned = item.get("assigned", False)
        if not isinstance(assigned, bool):
            raise ScenarioError(f"{where}: permission set {name} assigned must be true or false")
        specs.append(
            PermissionSetSpec(
                name=name,
                policies=_string_list(item.get("policies"), f"{where}: permission set {name} policies"),
                customer_policies=_string_list(
                    item.get("customer_policies"), f"{where}: permission set {name} customer_policies"
                ),
                inline=inline,
                boundary=_optional_string(item.get("boundary"), f"{where}: permission set {name} boundary"),
                assigned=assigned,
            )
        )
    return tuple(specs)


def _check_permission_sets(scenario: Scenario, where: str) -> None:
    """Permission sets every path can hold: Identity Center in the aws partition, AWS managed policies
    by ARN, references to the scenario's customer policies, a role name no role of the scenario has."""
    names = [spec.name for spec in scenario.permission_sets]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{where}: a permission set name is used twice")
    if scenario.permission_sets and scenario.partition != "aws":
        raise ScenarioError(f"{where}: permission sets are in the aws partition only (docs/DECISIONS.md)")
    trusted = scenario.parsed_config().trusted_account_ids
    for spec in scenario.permission_sets:
        if not _PERMISSION_SET_NAME.match(spec.name):
            raise ScenarioError(f"{where}: permission set name {spec.name!r} is not 1-32 of [\\w+=,.@-]")
        for arn in spec.policies:
            if not is_aws_managed_policy(arn):
                raise ScenarioError(f"{where}: permission set {spec.name}: {arn} is not an AWS managed policy ARN")
        for policy in spec.customer_policies:
            if policy not in scenario.customer_policies and spec.assigned:
                # Identity Center cannot provision it to an account without that policy.
                raise ScenarioError(
                    f"{where}: permission set {spec.name} is assigned and refers to {policy!r}, not a customer policy"
                )
        if spec.assigned and spec.role_name in {role.name for role in scenario.roles}:
            raise ScenarioError(f"{where}: role {spec.role_name} is the one Identity Center makes from {spec.name}")
        if spec.assigned and trusted is not None and scenario.account_id not in trusted:
            # Its role trusts the account's own SAML provider, which such a list would reject.
            raise ScenarioError(
                f"{where}: permission set {spec.name} is assigned, but the trusted accounts leave out the account"
            )


def _check_references(scenario: Scenario, where: str) -> None:
    known = {scenario.customer_policy_arn(n) for n in scenario.customer_policies}
    attached = [p for r in scenario.roles for p in r.policies]
    attached += [p for ps in scenario.user_policies.values() for p in ps]
    attached += [p for ps in scenario.groups.values() for p in ps]
    for arn in attached:
        if f":{scenario.account_id}:policy/" in arn and arn not in known:
            raise ScenarioError(f"{where}: {arn} is attached but not defined under customer_policies")
    for user in scenario.user_policies:
        if user not in scenario.users:
            raise ScenarioError(f"{where}: user_policies names user {user!r} missing from users")
    for group, members in scenario.group_members.items():
        for user in members:
            if user not in scenario.users:
                raise ScenarioError(f"{where}: group {group!r} has member {user!r} missing from users")


def load_scenario(path: str | Path) -> Scenario:
    import yaml  # the corpus is test data; the rule core itself needs no YAML

    file = Path(path)
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"{file}: a scenario file must hold a mapping")
    return scenario_from_mapping(raw, file)


# The corpus is part of the repository, not of the installed package: from a wheel this folder does
# not exist, and loading it without naming a folder is an error rather than an empty corpus.
CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def load_corpus(directory: str | Path | None = None) -> list[Scenario]:
    """Every scenario file (``*.yaml``) of ``directory`` (default: the repository's ``tests/corpus``).

    Raises ScenarioError for a folder that does not exist or holds no scenario file (a replay of
    nothing proves nothing), and for a broken file or a name used twice.
    """
    folder = Path(directory) if directory is not None else CORPUS_DIR
    if not folder.is_dir():
        hint = (
            ""
            if directory is not None
            else " (the scenario corpus is part of the repository, not of the installed package: "
            "name its folder, e.g. python -m support_role corpus path/to/tests/corpus)"
        )
        raise ScenarioError(f"{folder}: no such folder{hint}")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ScenarioError(f"{folder}: no scenario file (*.yaml) in this folder")
    scenarios = [load_scenario(p) for p in files]
    names = [s.name for s in scenarios]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ScenarioError(f"{folder}: scenario names used twice: {', '.join(sorted(duplicates))}")
    return scenarios


def scenario_account(scenario: Scenario) -> Account:
    """The account the scenario describes, as the core's facts (the IAM API's view of it)."""
    customer: dict[str, Document] = {
        scenario.customer_policy_arn(n): parse_policy(doc) for n, doc in scenario.customer_policies.items()
    }
    roles = []
    for spec in scenario.roles:
        api_role: dict[str, object] = {
            "RoleName": spec.name,
            "Arn": f"arn:{scenario.partition}:iam::{scenario.account_id}:role{spec.path}{spec.name}",
            "AssumeRolePolicyDocument": spec.trust,
        }
        if spec.boundary:
            api_role["PermissionsBoundary"] = {"PermissionsBoundaryArn": spec.boundary}
        attached = [{"PolicyArn": arn, "PolicyName": arn.rsplit("/", 1)[-1]} for arn in spec.policies]
        roles.append(role_from_api(api_role, attached, dict(spec.inline), customer))
    for permission_set in scenario.permission_sets:
        if permission_set.assigned:
            roles.append(_identity_center_role(scenario, permission_set, customer))
    return Account(
        address=f"account {scenario.account_id}",
        roles=tuple(roles),
        support_users=tuple(u for u, ps in sorted(scenario.user_policies.items()) if any(map(is_support_policy, ps))),
        support_groups=tuple(g for g, ps in sorted(scenario.groups.items()) if any(map(is_support_policy, ps))),
        account_id=scenario.account_id,
        partition=scenario.partition,
        permission_sets=tuple(_permission_set(scenario, spec, customer) for spec in scenario.permission_sets),
    )


def _permission_set(scenario: Scenario, spec: PermissionSetSpec, customer: Mapping[str, Document]) -> PermissionSet:
    """A permission set as the SSO Admin API shows it in the account where it is defined (the scenario's)."""
    managed = [ManagedAttachment(arn) for arn in spec.policies]
    for name in spec.customer_policies:
        arn = scenario.customer_policy_arn(name)
        missing = Unknown(
            f"the permission set refers to policy /{name}, which account {scenario.account_id} does not have"
        )
        managed.append(ManagedAttachment(arn, customer.get(arn, missing)))
    inline = (
        (InlinePolicy(_identity_center.INLINE_POLICY_NAME, parse_policy(spec.inline)),)
        if spec.inline is not None
        else ()
    )
    return PermissionSet(spec.name, spec.key, None, tuple(managed), inline, spec.boundary, spec.assigned)


def identity_center_trust(scenario: Scenario) -> dict[str, object]:
    """The trust policy of the roles Identity Center makes: its SAML provider in the account."""
    provider = (
        f"arn:{scenario.partition}:iam::{scenario.account_id}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    )
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        ],
    }


def _identity_center_role(scenario: Scenario, spec: PermissionSetSpec, customer: Mapping[str, Document]) -> Role:
    """The role Identity Center makes from an assigned permission set, as the IAM API shows it."""
    path = _identity_center.role_path(IDENTITY_CENTER_REGION)
    api_role: dict[str, object] = {
        "RoleName": spec.role_name,
        "Arn": f"arn:{scenario.partition}:iam::{scenario.account_id}:role{path}{spec.role_name}",
        "AssumeRolePolicyDocument": identity_center_trust(scenario),
    }
    if spec.boundary:
        api_role["PermissionsBoundary"] = {"PermissionsBoundaryArn": spec.boundary}
    arns = [*spec.policies, *(scenario.customer_policy_arn(n) for n in spec.customer_policies)]
    attached = [{"PolicyArn": arn, "PolicyName": arn.rsplit("/", 1)[-1]} for arn in arns]
    inline = {_identity_center.INLINE_POLICY_NAME: spec.inline} if spec.inline is not None else {}
    return role_from_api(api_role, attached, inline, customer)


def mismatches(
    scenario: Scenario,
    exists: Verdict | None,
    roles: Mapping[str, Mapping[str, Verdict | None]],
    identity_center_roles: bool = True,
) -> Iterator[str]:
    """Every difference between the expected and the given verdicts, one line each.

    ``roles`` maps role names (and ``permission set <name>``) to per-role verdicts; a name missing
    from it is a mismatch too. ``identity_center_roles``: whether the path reads the account's roles,
    and so must show the roles Identity Center makes from assigned permission sets (IaC does not).
    """
    if not scenario.expect_exists.matches(exists):
        yield f"{scenario.name}: {EXISTS}: expected {scenario.expect_exists}, got {describe_verdict(exists)}"
    for name in scenario.subjects(identity_center_roles):
        got = roles.get(name)
        for rule_id in PER_ROLE_RULES:
            expected = scenario.expectation(name, rule_id)
            verdict = got.get(rule_id) if got is not None else None
            if got is None and expected.status != "NA":
                yield f"{scenario.name}: {name}: {rule_id}: expected {expected}, got no result"
            elif not expected.matches(verdict):
                yield f"{scenario.name}: {name}: {rule_id}: expected {expected}, got {describe_verdict(verdict)}"
