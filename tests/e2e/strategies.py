"""Hypothesis strategies for whole accounts, written in the corpus format (support_role.scenarios).

A generated account is a raw scenario mapping (what a corpus YAML file holds, without ``expect``):
roles with random trust policies (every principal kind, single values and lists, NotPrincipal,
wildcards, account roots, unique IDs, other partitions, every assume action and its wildcards,
MFA and OIDC conditions with their qualifiers), managed policy attachments, inline policies and
boundaries, plus users and groups holding the support policy, and, in the aws partition, IAM
Identity Center permission sets (see :func:`permission_set`).

Everything generated must be creatable by ``terraform apply`` on moto (valid inline policies,
existing AWS managed policies, names IAM accepts): the comparison is between scanners, not
between what moto and Terraform accept. So no ``support*:*`` (IAM and moto refuse a wildcard in
the service prefix of a permissions policy: "Vendor support* is not valid"); the core's reading
of it is proved in tests/core. Customer managed policies come from a fixed catalogue,
so that one name always means one document and accounts can be merged into one moto account.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from support_role import EXISTS, PER_ROLE_RULES, evaluate_account
from support_role.scenarios import describe_verdict, scenario_account, scenario_from_mapping

# Partitions moto can host (it has no aws-iso-e/aws-iso-f backend); the others appear in principals.
ACCOUNT_PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc")
ALL_PARTITIONS = (*ACCOUNT_PARTITIONS, "aws-iso-e", "aws-iso-f")
OTHER_ACCOUNT = "444455556666"
STRANGER_ACCOUNT = "999988887777"

# Configurations a generated account may use; few, so that accounts can share one scanner run.
# "tuned" lists SupportFamily as a support policy (a custom support policy: on roles and permission
# sets alike it then counts as AWSSupportAccess).
CONFIGS: dict[str, dict[str, object]] = {
    "default": {},
    "tuned": {
        "support_role_allow_account_roots": True,
        "support_role_trusted_account_ids": ["{account}", OTHER_ACCOUNT],
        "support_role_allowed_policies": ["ReadOnlyAccess", "IncidentDiagnostics"],
        "support_role_support_policies": ["SupportFamily"],
    },
}

_SUPPORT = "arn:{partition}:iam::aws:policy/AWSSupportAccess"
AWS_MANAGED = (
    "arn:{partition}:iam::aws:policy/AdministratorAccess",
    "arn:{partition}:iam::aws:policy/ReadOnlyAccess",
    "arn:{partition}:iam::aws:policy/job-function/ViewOnlyAccess",
    "arn:{partition}:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy",
)


def _doc(*statements: Mapping[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [dict(s) for s in statements]}


def _allow(actions: object, **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": actions, "Resource": "*", **extra}


# name -> document; a look-alike named AWSSupportAccess is among them.
CUSTOMER_POLICIES: dict[str, dict[str, object]] = {
    "SupportCasesOnly": _doc(_allow(["support:DescribeCases", "support:CreateCase", "support:AddCommunicationToCase"])),
    "SupportFamily": _doc(_allow(["support:*", "support-console:*", "supportapp:*", "supportplans:*"])),
    "TrustedAdvisorRead": _doc(_allow("trustedadvisor:Describe*")),
    "Ec2Describe": _doc(_allow("ec2:Describe*")),
    "IncidentDiagnostics": _doc(_allow(["logs:GetLogEvents", "cloudwatch:GetMetricData"])),
    "SupportCaseWildcard": _doc(_allow("support:*Case*")),
    "AWSSupportAccess": _doc(_allow("support:*")),
}

USERS = ("alice", "bob", "carol")
GROUPS = ("support-team", "ops")

INLINE_ACTIONS = (
    "support:*",
    "support:DescribeCases",
    "Support:describe*",
    "support-console:*",
    "supportapp:*",
    "supportplans:GetSupportPlan",
    "trustedadvisor:Describe*",
    "TRUSTEDADVISOR:*",
    "support:*Case*",
    "*",
    "*:*",
    "ec2:DescribeInstances",
    "iam:PassRole",
    "s3:*",
    "sts:AssumeRole",
)

ASSUME_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "STS:assumerole",
    "sts:Assume*",
    "sts:AssumeRoleWith*",
    "sts:*",
    "*",
    "sts:AssumeRol?",
    "sts:TagSession",
    "sts:SetSourceIdentity",
)

_UNIQUE_ID_CHARS = string.ascii_uppercase + "234567"


def _account_of(draw: Callable[..., Any]) -> str:
    return str(draw(st.sampled_from(("{account}",) * 4 + (OTHER_ACCOUNT, STRANGER_ACCOUNT))))


def _partition_of(draw: Callable[..., Any]) -> str:
    # Mostly the account's own partition; sometimes another (a principal IAM would refuse, but
    # every scanner must still read it the same way).
    return str(draw(st.sampled_from(("{partition}",) * 16 + ALL_PARTITIONS)))


@st.composite
def aws_principal(draw: Callable[..., Any]) -> str:
    part = _partition_of(draw)
    acct = _account_of(draw)
    name = draw(st.sampled_from(USERS * 3 + ("support-*", "?lice", "team/alice")))
    kind = draw(
        st.sampled_from(
            (
                "user",
                "user",
                "user",
                "user",
                "role",
                "role",
                "sso-role",
                "assumed-role",
                "federated-user",
                "root",
                "bare-account",
                "star",
                "wild-account",
                "unique-id",
                "group",
                "malformed",
            )
        )
    )
    if kind == "user":
        return f"arn:{part}:iam::{acct}:user/{name}"
    if kind == "role":
        return f"arn:{part}:iam::{acct}:role/{draw(st.sampled_from(('responder', 'ops/*', 'admin')))}"
    if kind == "sso-role":
        return f"arn:{part}:iam::{acct}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Support_0a1b"
    if kind == "assumed-role":
        return f"arn:{part}:sts::{acct}:assumed-role/responder/{draw(st.sampled_from(('alice', '*')))}"
    if kind == "federated-user":
        return f"arn:{part}:sts::{acct}:federated-user/alice"
    if kind == "root":
        return f"arn:{part}:iam::{acct}:root"
    if kind == "bare-account":
        return acct
    if kind == "star":
        return "*"
    if kind == "wild-account":
        return f"arn:{part}:iam::*:user/alice"
    if kind == "unique-id":
        prefix = draw(st.sampled_from(("AIDA", "AROA")))
        return prefix + "".join(draw(st.lists(st.sampled_from(_UNIQUE_ID_CHARS), min_size=17, max_size=17)))
    if kind == "group":
        return f"arn:{part}:iam::{acct}:group/support-team"
    return str(draw(st.sampled_from(("alice", f"arn:{part}:iam:::user/alice", "arn:aws:s3:::bucket"))))


SERVICES = ("support.amazonaws.com", "ec2.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com.cn", "*")
OIDC_HOSTS = ("token.actions.githubusercontent.com", "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789")


@st.composite
def federated_principal(draw: Callable[..., Any]) -> str:
    part = _partition_of(draw)
    acct = _account_of(draw)
    kind = draw(st.sampled_from(("saml", "oidc", "oidc", "well-known", "star", "wild-saml")))
    if kind == "saml":
        return f"arn:{part}:iam::{acct}:saml-provider/Okta"
    if kind == "oidc":
        return f"arn:{part}:iam::{acct}:oidc-provider/{draw(st.sampled_from(OIDC_HOSTS))}"
    if kind == "well-known":
        return str(draw(st.sampled_from(("accounts.google.com", "cognito-identity.amazonaws.com"))))
    if kind == "wild-saml":
        return f"arn:{part}:iam::{acct}:saml-provider/*"
    return "*"


CANONICAL_USER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"


def _one_or_list(values: list[str], as_list: bool) -> object:
    return values if as_list or len(values) != 1 else values[0]


@st.composite
def principal_element(draw: Callable[..., Any]) -> object:
    if draw(st.integers(0, 19)) == 0:
        return "*"
    element: dict[str, object] = {}
    weighted = ("AWS",) * 8 + ("Service", "Federated", "Federated", "CanonicalUser")
    kinds = draw(st.lists(st.sampled_from(weighted), min_size=1, max_size=2))
    for kind in dict.fromkeys(kinds):
        if kind == "AWS":
            values = draw(st.lists(aws_principal(), min_size=1, max_size=2, unique=True))
        elif kind == "Service":
            values = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2, unique=True))
        elif kind == "Federated":
            values = draw(st.lists(federated_principal(), min_size=1, max_size=2, unique=True))
        else:
            values = [CANONICAL_USER]
        element[kind] = _one_or_list(values, draw(st.booleans()))
    return element


@st.composite
def trust_conditions(draw: Callable[..., Any]) -> dict[str, dict[str, object]]:
    conditions: dict[str, dict[str, object]] = {}
    chosen = draw(
        st.lists(
            st.sampled_from(
                (
                    "mfa",
                    "mfa",
                    "mfa",
                    "mfa",
                    "mfa-false",
                    "mfa-if-exists",
                    "mfa-age",
                    "mfa-age-set",
                    "oidc-sub",
                    "oidc-sub-like",
                    "oidc-sub-star",
                    "oidc-sub-if-exists",
                    "oidc-aud",
                    "org",
                )
            ),
            max_size=3,
            unique=True,
        )
    )
    host = draw(st.sampled_from(OIDC_HOSTS))

    def add(operator: str, key: str, value: object) -> None:
        conditions.setdefault(operator, {})[key] = value

    for item in chosen:
        if item == "mfa":
            add("Bool", "aws:MultiFactorAuthPresent", draw(st.sampled_from(("true", ["true"], True))))
        elif item == "mfa-false":
            add("Bool", "aws:MultiFactorAuthPresent", "false")
        elif item == "mfa-if-exists":
            add("BoolIfExists", "aws:MultiFactorAuthPresent", "true")
        elif item == "mfa-age":
            add(draw(st.sampled_from(("NumericLessThan", "NumericLessThanEquals"))), "aws:MultiFactorAuthAge", "3600")
        elif item == "mfa-age-set":
            add("ForAllValues:NumericLessThan", "aws:MultiFactorAuthAge", "3600")
        elif item == "oidc-sub":
            add("StringEquals", f"{host}:sub", "repo:example/infra:ref:refs/heads/main")
        elif item == "oidc-sub-like":
            add("StringLike", f"{host}:sub", "repo:example/*")
        elif item == "oidc-sub-star":
            add("StringLike", f"{host}:sub", "*")
        elif item == "oidc-sub-if-exists":
            add("StringEqualsIfExists", f"{host}:sub", "repo:example/infra:ref:refs/heads/main")
        elif item == "oidc-aud":
            add("StringEquals", f"{host}:aud", "sts.amazonaws.com")
        else:
            add("StringEquals", "aws:PrincipalOrgID", "o-abcdef1234")
    return conditions


@st.composite
def trust_statement(draw: Callable[..., Any]) -> dict[str, object]:
    statement: dict[str, object] = {"Effect": draw(st.sampled_from(("Allow",) * 6 + ("Deny",)))}
    form = draw(st.sampled_from(("principal",) * 12 + ("not-principal", "none")))
    if form == "principal":
        statement["Principal"] = draw(principal_element())
    elif form == "not-principal":
        statement["NotPrincipal"] = {"AWS": draw(aws_principal())}
    if draw(st.integers(0, 9)) == 0:
        statement["NotAction"] = draw(st.sampled_from(("sts:TagSession", ["sts:TagSession", "sts:SetSourceIdentity"])))
    else:
        actions = draw(st.lists(st.sampled_from(ASSUME_ACTIONS), min_size=1, max_size=3, unique=True))
        statement["Action"] = _one_or_list(actions, draw(st.booleans()))
    conditions = draw(trust_conditions())
    if conditions:
        statement["Condition"] = conditions
    return statement


@st.composite
def careful_statement(draw: Callable[..., Any]) -> dict[str, object]:
    """What a careful engineer writes: named people or a federation, MFA, one assume action."""
    kind = draw(st.sampled_from(("user", "user", "role", "sso", "saml", "oidc")))
    if kind in ("user", "role"):
        names = draw(st.lists(st.sampled_from(USERS), min_size=1, max_size=2, unique=True))
        values = [f"arn:{{partition}}:iam::{{account}}:{kind}/{name}" for name in names]
        principal: dict[str, object] = {"AWS": _one_or_list(values, draw(st.booleans()))}
        action: object = "sts:AssumeRole"
        conditions: dict[str, object] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    elif kind == "sso":
        principal = {"AWS": "arn:{partition}:iam::{account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_1a"}
        action = ["sts:AssumeRole", "sts:TagSession"]
        conditions = {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}
    elif kind == "saml":
        principal = {"Federated": "arn:{partition}:iam::{account}:saml-provider/Okta"}
        action = "sts:AssumeRoleWithSAML"
        conditions = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    else:
        host = draw(st.sampled_from(OIDC_HOSTS))
        principal = {"Federated": f"arn:{{partition}}:iam::{{account}}:oidc-provider/{host}"}
        action = "sts:AssumeRoleWithWebIdentity"
        conditions = {"StringEquals": {f"{host}:sub": "repo:example/infra:ref:refs/heads/main"}}
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Condition": conditions}


@st.composite
def trust_policy(draw: Callable[..., Any]) -> dict[str, object]:
    if draw(st.integers(0, 2)) == 0:
        statements = [draw(careful_statement())]
        if draw(st.integers(0, 3)) == 0:
            statements.append(draw(trust_statement()))  # one careless statement beside it
    else:
        statements = draw(st.lists(trust_statement(), min_size=1, max_size=2))
    for i, statement in enumerate(statements):
        if draw(st.booleans()):
            statement["Sid"] = f"S{i}"
    version = draw(st.sampled_from(("2012-10-17",) * 5 + ("2008-10-17",)))
    if len(statements) == 1 and draw(st.integers(0, 4)) == 0:
        return {"Version": version, "Statement": statements[0]}  # a lone statement, not a list
    return {"Version": version, "Statement": statements}


@st.composite
def inline_policy(draw: Callable[..., Any]) -> dict[str, object]:
    statements: list[dict[str, object]] = []
    for _ in range(draw(st.integers(1, 2))):
        actions = draw(st.lists(st.sampled_from(INLINE_ACTIONS), min_size=1, max_size=3, unique=True))
        key = draw(st.sampled_from(("Action",) * 5 + ("NotAction",)))
        effect = draw(st.sampled_from(("Allow",) * 4 + ("Deny",)))
        statements.append({"Effect": effect, key: _one_or_list(actions, draw(st.booleans())), "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


@st.composite
def role(draw: Callable[..., Any], index: int, support: bool = True) -> dict[str, object]:
    spec: dict[str, object] = {
        "name": f"role-{index}",
        "trust": draw(trust_policy()),
    }
    if draw(st.integers(0, 4)) == 0:
        spec["path"] = "/incident-response/"
    policies: list[str] = []
    if support and draw(st.integers(0, 9)) < 8:
        policies.append(_SUPPORT)
    policies += draw(st.lists(st.sampled_from(AWS_MANAGED), max_size=2, unique=True))
    customer = draw(st.lists(st.sampled_from(sorted(CUSTOMER_POLICIES)), max_size=2, unique=True))
    policies += [f"arn:{{partition}}:iam::{{account}}:policy/{name}" for name in customer]
    if draw(st.integers(0, 2)) > 0:
        policies = draw(st.permutations(policies))
    spec["policies"] = list(policies)
    inline_count = draw(st.integers(0, 2))
    if inline_count:
        spec["inline"] = {f"inline-{i}": draw(inline_policy()) for i in range(inline_count)}
    if draw(st.integers(0, 9)) == 0:
        spec["boundary"] = draw(st.sampled_from((_SUPPORT, AWS_MANAGED[0])))
    return spec


# AWS managed policies a permission set may carry beside AWSSupportAccess. Identity Center attaches
# any AWS managed policy, but moto 5.2.5's SSO Admin refuses every one whose path is not "/" (it looks
# the path up under a key its policy data does not use: "Policy does not exist" for
# job-function/ViewOnlyAccess), and no person's permission set holds a service-role policy.
PERMISSION_SET_MANAGED = AWS_MANAGED[:2]
# A customer managed policy reference to a policy defined in each member account, not in this one
# (only on a permission set that is not assigned: Identity Center could not provision it here).
ELSEWHERE_POLICY = "DefinedInEachMemberAccount"


@st.composite
def permission_set(draw: Callable[..., Any], index: int, support: bool = True) -> dict[str, object]:
    """An IAM Identity Center permission set in the corpus format, as the corpus' ``permission-set-*``
    scenarios hold them: with or without AWSSupportAccess, other AWS managed policies, customer
    managed policy references (to the catalogue, or, when not assigned, to a policy defined elsewhere),
    an inline policy, a boundary, and an assignment to the account or none.

    ``support=False``: no assigned set has AWSSupportAccess (the account keeps no support role; an
    unassigned support set is only listed in the evidence). A boundary on any set: the live path
    applies it to the permission set and puts it on the role Identity Center makes from an assigned
    one, where a support boundary is ``boundary-only`` for the account as on the permission set in code.
    """
    assigned = draw(st.booleans())
    spec: dict[str, object] = {"name": f"ps-{index}", "assigned": assigned}
    policies: list[str] = []
    if (support or not assigned) and draw(st.integers(0, 9)) < 7:
        policies.append(_SUPPORT)
    policies += draw(st.lists(st.sampled_from(PERMISSION_SET_MANAGED), max_size=1))
    if policies:
        spec["policies"] = draw(st.permutations(policies))
    customer = draw(st.lists(st.sampled_from(sorted(CUSTOMER_POLICIES)), max_size=2, unique=True))
    if not assigned and draw(st.integers(0, 4)) == 0:
        customer.append(ELSEWHERE_POLICY)
    if customer:
        spec["customer_policies"] = customer
    if draw(st.integers(0, 2)) == 0:
        spec["inline"] = draw(inline_policy())
    if draw(st.integers(0, 4)) == 0:
        spec["boundary"] = draw(st.sampled_from((_SUPPORT, AWS_MANAGED[0])))
    return spec


@st.composite
def account(
    draw: Callable[..., Any], partition: str = "aws", config: str = "default", support: bool = True
) -> dict[str, object]:
    """One generated account in the corpus format (no ``expect``; see :func:`with_core_expectations`).

    ``support=False`` attaches AWSSupportAccess to no role and to no assigned permission set (the
    account-level rule's failures: users and groups holding it, boundaries, look-alike policies,
    nothing at all). Permission sets only in the aws partition (where Identity Center is in the corpus).
    """
    roles = [draw(role(i, support)) for i in range(draw(st.integers(1, 4)))]
    users = draw(st.lists(st.sampled_from(USERS), max_size=2, unique=True))
    raw: dict[str, object] = {"name": "generated", "partition": partition, "config": dict(CONFIGS[config])}
    if users:
        raw["users"] = users
        holders = draw(st.lists(st.sampled_from(users), max_size=len(users), unique=True))
        if holders:
            raw["user_policies"] = {user: [_SUPPORT] for user in holders}
    if draw(st.integers(0, 3)) == 0:
        group = draw(st.sampled_from(GROUPS))
        raw["groups"] = {group: {"members": users[:1], "policies": [_SUPPORT]}}
    sets: list[dict[str, object]] = []
    if partition == "aws":
        sets = [draw(permission_set(i, support)) for i in range(draw(st.sampled_from((0, 1, 1, 2))))]
    used = {
        str(p).rsplit("/", 1)[-1]
        for r in roles
        for p in r.get("policies", [])  # type: ignore[attr-defined]
        if ":{account}:policy/" in str(p)
    }
    used |= {str(n) for s in sets for n in s.get("customer_policies", []) if n in CUSTOMER_POLICIES}  # type: ignore[attr-defined]
    if used:
        raw["customer_policies"] = {name: CUSTOMER_POLICIES[name] for name in sorted(used)}
    raw["roles"] = roles
    if sets:
        raw["permission_sets"] = sets
    return raw


def with_core_expectations(raw: Mapping[str, object]) -> dict[str, object]:
    """The raw scenario with ``expect`` filled in from the core's verdicts (the reference semantics)."""
    bare = {k: v for k, v in raw.items() if k != "expect"}
    scenario = scenario_from_mapping({**bare, "expect": {EXISTS: "PASS"}})
    results = evaluate_account(scenario_account(scenario), scenario.parsed_config())
    expect: dict[str, object] = {EXISTS: describe_verdict(results[""][EXISTS])}
    per_role: dict[str, dict[str, str]] = {}
    for spec in scenario.roles:
        verdicts = results.get(spec.name, {})
        described = {rule: describe_verdict(verdicts.get(rule)) for rule in PER_ROLE_RULES}
        if any(text != "NA" for text in described.values()):
            per_role[spec.name] = described
    if per_role:
        expect["roles"] = per_role
    per_set: dict[str, dict[str, str]] = {}
    for permission_set_spec in scenario.permission_sets:
        verdicts = results.get(permission_set_spec.key, {})
        described = {rule: describe_verdict(verdicts.get(rule)) for rule in PER_ROLE_RULES}
        if any(text != "NA" for text in described.values()):
            per_set[permission_set_spec.name] = described
    if per_set:
        expect["permission_sets"] = per_set
    return {**bare, "expect": expect}


def draw_accounts(
    count: int, *, partition: str, config: str, seed: int, support: bool = True
) -> list[dict[str, object]]:
    """``count`` distinct generated accounts, drawn by Hypothesis from ``seed`` (reproducible)."""
    found: dict[str, dict[str, object]] = {}
    attempt = 0
    while len(found) < count and attempt < 20:

        @settings(
            max_examples=count * 2,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis_seed(seed + attempt)
        @given(account(partition, config, support))
        def collect(raw: dict[str, object]) -> None:
            if len(found) < count:
                found.setdefault(repr(raw), raw)

        collect()
        attempt += 1
    accounts = list(found.values())[:count]
    for i, raw in enumerate(accounts):
        kind = "" if support else "-no-support"
        raw["name"] = f"generated-{partition}-{config}{kind}-{seed}-{i:03d}"
    return accounts
