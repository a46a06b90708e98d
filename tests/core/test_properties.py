"""Properties over generated input.

1. Nothing that normalises or judges raises, whatever it is given: arbitrary JSON-like values,
   JSON text, URL-encoded text, Terraform statement-block-like values, CloudFormation
   intrinsic-like values.
2. A PASS rests only on facts that were read: replacing any fact by Unknown never turns a verdict
   into PASS, can only turn it into UNKNOWN, and turns a PASS that rested on that fact into UNKNOWN.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_role import (
    EXISTS,
    LEAST_PRIVILEGE,
    MFA,
    PER_ROLE_RULES,
    TRUST,
    Account,
    Condition,
    Config,
    InlinePolicy,
    ManagedAttachment,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Role,
    Statement,
    Status,
    Unknown,
    Verdict,
    evaluate_exists,
    evaluate_role,
    parse_policy,
    parse_terraform_statements,
)
from support_role._arn import is_aws_managed_policy, is_support_policy
from support_role._policy import statement_allows_action
from support_role._rules import ASSUME_ACTIONS

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- 1. nothing raises ---------------------------------------------------------------------------

POLICY_WORDS = [
    "Version", "Statement", "Sid", "Effect", "Allow", "Deny", "allow", "Principal", "NotPrincipal",
    "AWS", "Service", "Federated", "CanonicalUser", "Action", "NotAction", "Resource", "NotResource",
    "Condition", "Bool", "BoolIfExists", "ForAnyValue:StringLike", "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge", "NumericLessThan", "StringEquals", "*", "sts:AssumeRole", "sts:*",
    "sts:AssumeRoleWithSAML", "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:root",
    "123456789012", "AIDAJQABLZS4A3QDU576Q", "ec2.amazonaws.com", "accounts.google.com", "true",
    "arn:aws:iam::aws:policy/AWSSupportAccess", "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess",
    "var.x", "${var.x}", "data.aws_iam_policy_document.x.json", "%7B", "arn:", "::", "${", "}",
    "effect", "actions", "not_actions", "principals", "not_principals", "type", "identifiers",
    "condition", "test", "variable", "values", "resources", "sid",
    "Ref", "Fn::Sub", "Fn::Join", "Fn::GetAtt", "Fn::If", "AWS::Partition", "AWS::AccountId",
]  # fmt: skip
words = st.sampled_from(POLICY_WORDS)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | words
keys = words | st.text(max_size=8)


def json_like(leaves: st.SearchStrategy[Any] = scalars) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
        max_leaves=30,
    )


def intrinsic(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """CloudFormation intrinsic-like values, well or badly formed."""
    names = st.sampled_from(["Ref", "Fn::Sub", "Fn::Join", "Fn::GetAtt", "Fn::If", "Fn::Select", "Condition"])
    pseudo = st.sampled_from(["AWS::Partition", "AWS::AccountId", "P"])
    separators = st.sampled_from(["", ":"])
    return (
        st.builds(lambda name, arg: {name: arg}, names, children)
        | st.builds(lambda arg: {"Ref": arg}, pseudo | children)
        | st.builds(
            lambda sep, parts: {"Fn::Join": [sep, parts]}, separators | children, st.lists(children, max_size=4)
        )
        | st.builds(lambda template, arg: {"Fn::Sub": [template, arg]}, words | st.text(max_size=20), children)
    )


def with_intrinsics() -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5) | intrinsic(children)
        ),
        max_leaves=30,
    )


def _wrap_in_lists(value: Any, draw: st.DrawFn) -> Any:
    """Checkov wraps Terraform attribute values in lists, sometimes twice; do it at random."""
    for _ in range(draw(st.integers(0, 2))):
        value = [value]
    return value


@st.composite
def terraform_blocks(draw: st.DrawFn) -> Any:
    leaf = with_intrinsics()

    def attribute(strategy: st.SearchStrategy[Any]) -> Any:
        return _wrap_in_lists(draw(strategy), draw)

    def principal_block() -> dict[str, Any]:
        return {
            "type": attribute(st.sampled_from(["AWS", "Service", "Federated", "*", "Other"]) | leaf),
            "identifiers": attribute(st.lists(words | leaf, max_size=3) | leaf),
        }

    def condition_block() -> dict[str, Any]:
        return {
            "test": attribute(st.sampled_from(["Bool", "StringEquals", "NumericLessThan"]) | leaf),
            "variable": attribute(words | leaf),
            "values": attribute(st.lists(words | leaf, max_size=3) | leaf),
        }

    blocks = []
    for _ in range(draw(st.integers(0, 3))):
        block: dict[str, Any] = {}
        for name in draw(st.sets(st.sampled_from(["effect", "actions", "not_actions", "resources", "sid"]))):
            block[name] = attribute(st.lists(words | leaf, max_size=3) | words | leaf)
        for name in draw(st.sets(st.sampled_from(["principals", "not_principals"]))):
            block[name] = [principal_block() for _ in range(draw(st.integers(0, 2)))]
        if draw(st.booleans()):
            block["condition"] = [condition_block() for _ in range(draw(st.integers(0, 2)))]
        blocks.append(block if draw(st.integers(0, 9)) else draw(leaf))
    return _wrap_in_lists(blocks, draw) if draw(st.booleans()) else (blocks[0] if blocks else draw(leaf))


STATEMENT_KEYS = ["Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "Condition", "Sid"]


@st.composite
def policy_shaped(draw: st.DrawFn) -> Any:
    """Documents close enough to a policy that parsing goes deep before anything is wrong."""
    leaf = with_intrinsics()

    def statement() -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name in draw(st.sets(st.sampled_from(STATEMENT_KEYS))):
            mapping = st.dictionaries(words, words | leaf | st.lists(words, max_size=3), max_size=3)
            result[name] = draw(leaf | st.lists(words | leaf, max_size=3) | mapping)
        return result

    statements = [statement() for _ in range(draw(st.integers(0, 3)))]
    lone = len(statements) == 1 and draw(st.booleans())
    return {"Version": "2012-10-17", "Statement": statements[0] if lone else statements}


any_document = json_like() | with_intrinsics() | policy_shaped()


def _judge_everything(trust: object, inline: object, customer: object, arn: str) -> None:
    role = Role(
        name="r",
        address="r",
        trust=parse_policy(trust),
        managed=(ManagedAttachment(SUPPORT_ARN), ManagedAttachment(arn, parse_policy(customer))),
        inline=(InlinePolicy("p", parse_policy(inline)), InlinePolicy("t", parse_terraform_statements(inline))),
    )
    for config in (Config(), Config(allow_account_roots=True, trusted_account_ids=frozenset({"123456789012"}))):
        verdicts = evaluate_role(role, config)
        assert set(verdicts) == set(PER_ROLE_RULES)
        for verdict in verdicts.values():
            assert verdict is not None and verdict.reason
        assert evaluate_exists(Account("a", (role,)), config).reason


@FAST
@given(any_document)
def test_parse_policy_never_raises_on_any_value(raw: Any) -> None:
    result = parse_policy(raw)
    assert isinstance(result, PolicyDocument) or (isinstance(result, Unknown) and result.reason)


@FAST
@given(any_document)
def test_parse_policy_never_raises_on_any_text(raw: Any) -> None:
    text = json.dumps(raw, default=str)
    for form in (text, urllib.parse.quote(text), text[: len(text) // 2]):
        result = parse_policy(form)
        assert isinstance(result, PolicyDocument | Unknown)


@FAST
@given(st.text(max_size=60) | words)
def test_parse_policy_never_raises_on_arbitrary_strings(text: str) -> None:
    assert isinstance(parse_policy(text), PolicyDocument | Unknown)
    assert isinstance(parse_policy("%7B" + text), PolicyDocument | Unknown)


@FAST
@given(terraform_blocks() | json_like())
def test_parse_terraform_statements_never_raises(blocks: Any) -> None:
    result = parse_terraform_statements(blocks)
    assert isinstance(result, PolicyDocument) or (isinstance(result, Unknown) and result.reason)


@FAST
@given(json_like(st.none() | st.booleans() | st.integers() | st.text(max_size=12) | words) | terraform_blocks())
def test_parsing_never_modifies_its_input(raw: Any) -> None:
    before = copy.deepcopy(raw)
    parse_policy(raw)
    parse_terraform_statements(raw)
    assert raw == before


@FAST
@given(any_document, any_document | terraform_blocks(), any_document, st.text(max_size=30) | words)
def test_the_rules_never_raise_on_anything_parsed(trust: Any, inline: Any, customer: Any, arn: str) -> None:
    _judge_everything(trust, inline, customer, arn)


def test_a_deeply_nested_document_is_unknown_not_an_error() -> None:
    deep: Any = "sts:AssumeRole"
    for _ in range(5000):
        deep = [deep]
    assert isinstance(parse_policy({"Statement": {"Effect": "Allow", "Principal": "*", "Action": deep}}), Unknown)
    assert isinstance(parse_policy("[" * 100_000 + "]" * 100_000), Unknown)
    assert isinstance(parse_terraform_statements([{"actions": deep}]), Unknown)


# --- 2. a PASS rests only on facts that were read ------------------------------------------------

ACCOUNT = "123456789012"
PRINCIPALS = [
    Principal(PrincipalKind.AWS, f"arn:aws:iam::{ACCOUNT}:user/alice"),
    Principal(PrincipalKind.AWS, f"arn:aws:iam::{ACCOUNT}:role/Ops"),
    Principal(PrincipalKind.AWS, "arn:aws:iam::444455556666:user/bob"),
    Principal(PrincipalKind.AWS, "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/carol"),
    Principal(PrincipalKind.AWS, f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_S_1"),
    Principal(PrincipalKind.AWS, f"arn:aws:iam::{ACCOUNT}:root"),
    Principal(PrincipalKind.AWS, ACCOUNT),
    Principal(PrincipalKind.AWS, "*"),
    Principal(PrincipalKind.AWS, f"arn:aws:iam::{ACCOUNT}:user/*"),
    Principal(PrincipalKind.AWS, "AIDAJQABLZS4A3QDU576Q"),
    Principal(PrincipalKind.SERVICE, "ec2.amazonaws.com"),
    Principal(PrincipalKind.FEDERATED, f"arn:aws:iam::{ACCOUNT}:saml-provider/Corp"),
    Principal(PrincipalKind.FEDERATED, f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"),
    Principal(PrincipalKind.FEDERATED, "accounts.google.com"),
]
ACTIONS = [
    "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:*", "*",
    "STS:assumerole", "sts:TagSession", "sts:AssumeRole?ith*",
]  # fmt: skip


def _condition(operator: str, key: str, *values: str) -> Condition:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.lower().endswith("ifexists")
    base = base[: -len("IfExists")] if if_exists else base
    return Condition(operator, base.lower(), qualifier.lower() or None, if_exists, key.lower(), values)


CONDITIONS = [
    _condition("Bool", "aws:MultiFactorAuthPresent", "true"),
    _condition("BoolIfExists", "aws:MultiFactorAuthPresent", "true"),
    _condition("Bool", "aws:MultiFactorAuthPresent", "false"),
    _condition("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
    _condition("StringEquals", "token.actions.githubusercontent.com:sub", "repo:o/r:ref:refs/heads/main"),
    _condition("StringLike", "token.actions.githubusercontent.com:sub", "*"),
    _condition("StringEquals", "accounts.google.com:sub", "1234"),
    _condition("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml"),
]


def _document(*statements: dict[str, object]) -> PolicyDocument:
    document = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    assert isinstance(document, PolicyDocument)
    return document


PERMISSION_DOCUMENTS = [
    _document({"Effect": "Allow", "Action": ["support:*", "trustedadvisor:Describe*"], "Resource": "*"}),
    _document({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}),
    _document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    _document({"Effect": "Deny", "NotAction": "support:*", "Resource": "*"}),
    _document({"Effect": "Allow", "NotAction": "*", "Resource": "*"}),
    _document({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
]
SUPPORT_ARN = "arn:aws:iam::aws:policy/AWSSupportAccess"
AWS_MANAGED = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]
CUSTOMER = [f"arn:aws:iam::{ACCOUNT}:policy/Tooling", f"arn:aws:iam::{ACCOUNT}:policy/AWSSupportAccess"]


# Statements a careful author writes: good principals with the assume action their kind uses.
GOOD_CHOICES = [
    (PRINCIPALS[0], "sts:AssumeRole", CONDITIONS[0]),
    (PRINCIPALS[1], "sts:AssumeRole", CONDITIONS[3]),
    (PRINCIPALS[2], "sts:AssumeRole", CONDITIONS[0]),
    (PRINCIPALS[3], "sts:AssumeRole", CONDITIONS[0]),
    (PRINCIPALS[4], "sts:AssumeRole", CONDITIONS[0]),
    (PRINCIPALS[11], "sts:AssumeRoleWithSAML", CONDITIONS[7]),
    (PRINCIPALS[12], "sts:AssumeRoleWithWebIdentity", CONDITIONS[4]),
    (PRINCIPALS[13], "sts:AssumeRoleWithWebIdentity", CONDITIONS[6]),
]


@st.composite
def careful_statements(draw: st.DrawFn) -> Statement:
    principal, action, condition = draw(st.sampled_from(GOOD_CHOICES))
    return Statement("Allow", principals=(principal,), actions=(action,), conditions=(condition,))


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    if draw(st.integers(0, 2)):
        return draw(careful_statements())
    principals = tuple(draw(st.lists(st.sampled_from(PRINCIPALS), max_size=3, unique=True)))
    use_not_principal = draw(st.integers(0, 9)) == 0
    actions = tuple(draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True)))
    use_not_action = draw(st.integers(0, 5)) == 0
    return Statement(
        effect="Deny" if draw(st.integers(0, 7)) == 0 else "Allow",
        principals=None if use_not_principal else principals,
        not_principals=principals if use_not_principal else None,
        actions=None if use_not_action else actions,
        not_actions=actions if use_not_action else None,
        conditions=tuple(draw(st.lists(st.sampled_from(CONDITIONS), max_size=3, unique=True))),
    )


@st.composite
def roles(draw: st.DrawFn, name: str = "r") -> Role:
    managed: list[ManagedAttachment] = []
    if draw(st.integers(0, 4)):
        managed.append(ManagedAttachment(SUPPORT_ARN))
    managed += [ManagedAttachment(arn) for arn in draw(st.lists(st.sampled_from(AWS_MANAGED), max_size=2, unique=True))]
    for arn in draw(st.lists(st.sampled_from(CUSTOMER), max_size=2, unique=True)):
        managed.append(ManagedAttachment(arn, draw(st.sampled_from(PERMISSION_DOCUMENTS))))
    managed = draw(st.permutations(managed))
    inline = tuple(
        InlinePolicy(f"inline-{i}", document)
        for i, document in enumerate(draw(st.lists(st.sampled_from(PERMISSION_DOCUMENTS), max_size=2)))
    )
    trust = PolicyDocument(tuple(draw(st.lists(statements(), max_size=3))))
    boundary = SUPPORT_ARN if draw(st.integers(0, 5)) == 0 else None
    return Role(name, name, trust=trust, managed=tuple(managed), inline=inline, boundary=boundary)


configs = st.builds(
    Config,
    allow_account_roots=st.booleans(),
    trusted_account_ids=st.none() | st.sets(st.sampled_from([ACCOUNT, "444455556666"])).map(frozenset),
    allowed_policies=st.sets(
        st.sampled_from(["AdministratorAccess", "Tooling", "arn:aws:iam::aws:policy/ReadOnlyAccess"])
    ).map(frozenset),
)


@dataclasses.dataclass(frozen=True)
class Mutation:
    """One fact replaced by Unknown, and the rules whose PASS would rest on that fact."""

    what: str
    role: Role
    rests_on_it: frozenset[str]
    # Rules the contract lets FAIL after the replacement: SEMANTICS.md rule 4 puts a reference of
    # unknown kind in the MFA scope (it may be an IAM user), so a role that was exempt becomes a
    # principal that needs MFA.
    may_fail: frozenset[str] = frozenset()


def _is_support_role(role: Role) -> bool:
    return not isinstance(role.managed, Unknown) and any(
        isinstance(a.arn, str) and is_support_policy(a.arn) for a in role.managed
    )


def _judged_statements(document: PolicyDocument) -> Iterator[tuple[int, Statement]]:
    """The statements the trust rule judges: Allow with any assume action."""
    for index, statement in enumerate(document.statements):
        if statement.effect == "Allow" and any(statement_allows_action(statement, a) for a in ASSUME_ACTIONS):
            yield index, statement


def mutations(role: Role, config: Config) -> Iterator[Mutation]:
    unknown = Unknown("replaced by the property test")
    everything = frozenset(PER_ROLE_RULES)
    yield Mutation("trust", dataclasses.replace(role, trust=unknown), frozenset({TRUST, MFA}))
    yield Mutation("managed", dataclasses.replace(role, managed=unknown), everything)
    yield Mutation("inline", dataclasses.replace(role, inline=unknown), frozenset({LEAST_PRIVILEGE}))
    assert isinstance(role.managed, tuple) and isinstance(role.inline, tuple)
    assert isinstance(role.trust, PolicyDocument)
    for i, attachment in enumerate(role.managed):
        replaced = list(role.managed)
        replaced[i] = ManagedAttachment(unknown)
        support = isinstance(attachment.arn, str) and is_support_policy(attachment.arn)
        rests = everything if support else frozenset({LEAST_PRIVILEGE})
        yield Mutation(f"arn of {attachment.arn}", dataclasses.replace(role, managed=tuple(replaced)), rests)
        if attachment.document is not None:
            replaced[i] = ManagedAttachment(attachment.arn, unknown)
            allowed = isinstance(attachment.arn, str) and config.policy_allowed(attachment.arn)
            rests = frozenset() if allowed else frozenset({LEAST_PRIVILEGE})
            yield Mutation(f"document of {attachment.arn}", dataclasses.replace(role, managed=tuple(replaced)), rests)
    for i, policy in enumerate(role.inline):
        replaced_inline = list(role.inline)
        replaced_inline[i] = InlinePolicy(policy.name, unknown)
        rests = frozenset({LEAST_PRIVILEGE})
        yield Mutation(f"inline {policy.name}", dataclasses.replace(role, inline=tuple(replaced_inline)), rests)
    judged = dict(_judged_statements(role.trust))
    for s, statement in enumerate(role.trust.statements):
        for p, principal in enumerate(statement.principals or ()):
            principals = list(statement.principals or ())
            principals[p] = dataclasses.replace(principal, resolved=False)
            new_statements = list(role.trust.statements)
            new_statements[s] = dataclasses.replace(statement, principals=tuple(principals))
            mutated = dataclasses.replace(role, trust=PolicyDocument(tuple(new_statements)))
            rests = frozenset({TRUST}) if s in judged else frozenset()
            yield Mutation(f"principal {principal.value} of statement {s}", mutated, rests, frozenset({MFA}))


def status(verdict: Verdict | None) -> str:
    return "NA" if verdict is None else verdict.status.value


@THOROUGH
@given(roles(), configs)
def test_replacing_a_fact_by_unknown_never_yields_pass_and_unsettles_a_pass_that_rested_on_it(
    role: Role, config: Config
) -> None:
    before = evaluate_role(role, config)
    for mutation in mutations(role, config):
        after = evaluate_role(mutation.role, config)
        for rule_id in PER_ROLE_RULES:
            was, now = status(before[rule_id]), status(after[rule_id])
            where = f"{rule_id} after replacing {mutation.what}: {was} -> {now}"
            allowed = (was, "UNKNOWN", "FAIL") if rule_id in mutation.may_fail else (was, "UNKNOWN")
            assert now in allowed, where  # otherwise an Unknown can only make a verdict UNKNOWN
            if was == "PASS" and rule_id in mutation.rests_on_it:
                assert now == "UNKNOWN", where
            if now == "FAIL" and was != "FAIL":
                # only the case the contract names: a statement without MFA now names a principal
                # of unknown kind that may hold long-term credentials
                codes = {problem.code for problem in after[rule_id].problems}
                assert codes <= {"mfa-not-required", "mfa-if-exists"}, where


@THOROUGH
@given(roles(), configs)
def test_a_pass_never_rests_on_an_unknown_fact(role: Role, config: Config) -> None:
    """Read directly: every fact a PASS depends on is known (here after random unknowns)."""
    for mutation in [Mutation("none", role, frozenset()), *mutations(role, config)]:
        verdicts = evaluate_role(mutation.role, config)
        r = mutation.role
        if any(status(v) == "PASS" for v in verdicts.values()):
            assert _is_support_role(r)
        if status(verdicts[TRUST]) == "PASS" or status(verdicts[MFA]) == "PASS":
            assert isinstance(r.trust, PolicyDocument)
        if status(verdicts[TRUST]) == "PASS":
            assert isinstance(r.trust, PolicyDocument)
            for _, statement in _judged_statements(r.trust):
                assert all(p.resolved for p in statement.principals or ())
        if status(verdicts[LEAST_PRIVILEGE]) == "PASS":
            assert isinstance(r.managed, tuple) and isinstance(r.inline, tuple)
            for attachment in r.managed:
                assert isinstance(attachment.arn, str)
                if not is_aws_managed_policy(attachment.arn) and not config.policy_allowed(attachment.arn):
                    assert isinstance(attachment.document, PolicyDocument)
            assert all(isinstance(policy.document, PolicyDocument) for policy in r.inline)


@FAST
@given(st.lists(roles(), max_size=4), st.booleans(), configs)
def test_exists_never_passes_on_an_unknown_and_never_fails_past_one(
    role_list: list[Role], unreadable: bool, config: Config
) -> None:
    named = [dataclasses.replace(r, name=f"role-{i}", address=f"role-{i}") for i, r in enumerate(role_list)]
    account = Account("account", tuple(named), unreadable=("ListRoles throttled",) if unreadable else ())
    verdict = evaluate_exists(account, config)
    if verdict.status is Status.PASS:
        assert any(_is_support_role(r) for r in named)
        assert verdict.evidence_dict()["support_roles"] == [r.name for r in named if _is_support_role(r)]
    if verdict.status is Status.FAIL:
        assert not unreadable
        assert not any(_is_support_role(r) or isinstance(r.managed, Unknown) for r in named)
    # Hiding one role's attachments: a PASS stays only if another support role was read.
    for i, hidden in enumerate(named):
        others = [*named[:i], dataclasses.replace(hidden, managed=Unknown("hidden")), *named[i + 1 :]]
        after = evaluate_exists(dataclasses.replace(account, roles=tuple(others)), config)
        assert after.status in (verdict.status, Status.UNKNOWN)
        still_supported = any(_is_support_role(r) for r in others)
        assert (after.status is Status.PASS) == still_supported
    if verdict.status is Status.FAIL:
        assert evaluate_exists(dataclasses.replace(account, unreadable=("AccessDenied",)), config).status is (
            Status.UNKNOWN
        )
    assert verdict.rule_id == EXISTS
