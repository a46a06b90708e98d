"""The four rules of the support-role family. Pure functions from facts to verdicts.

What IaC knows without a value (see :mod:`support_role._facts`) is decided here, once for every
path: a principal's kind comes from :func:`support_role._arn.classify` (typed references and
partially known ARNs included); a document with :class:`Alternatives` is judged branch by branch and
the worst verdict counts (each problem names its branch); a role whose support policy is attached
only under a condition is judged as a support role and every verdict's reason names the condition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from ._arn import (
    ROLE_CLASSES,
    PrincipalClass,
    PrincipalInfo,
    classify,
    is_aws_managed_policy,
    is_support_policy,
    policy_name,
)
from ._config import Config
from ._facts import (
    Account,
    Alternatives,
    Condition,
    Document,
    InlinePolicy,
    ManagedAttachment,
    PermissionSet,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Role,
    Statement,
    Unevaluated,
    Unknown,
)
from ._identity_center import permission_set_of_role
from ._metadata import EXISTS, LEAST_PRIVILEGE, MFA, PER_ROLE_RULES, SUPPORT_SERVICES, TRUST
from ._policy import statement_allows_action
from ._values import request_dependent, without_policy_variables
from ._verdict import Problem, Status, Verdict

ASSUME_ACTIONS: tuple[str, ...] = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
_Holder = TypeVar("_Holder", bound=Role | PermissionSet)
_SUBJECT_OPERATORS = frozenset({"stringequals", "stringlike", "stringequalsignorecase"})
_NARROWING_OPERATORS = frozenset({"arnequals", "arnlike", "stringequals", "stringlike"})
_PRINCIPAL_ARN = "aws:principalarn"
# Condition keys that bound the caller's organisation or account, never its identity (as AWS writes them).
_ORGANISATION_KEYS = {
    key.lower(): key for key in ("aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalOrgPaths")
}
_PEOPLE = frozenset({PrincipalClass.IAM_USER, PrincipalClass.IAM_ROLE, PrincipalClass.IDENTITY_CENTER_ROLE})
# Probes for "grants support permissions" (the custom-support-policy hint): reading and opening cases.
_SUPPORT_PROBES = ("support:DescribeCases", "support:CreateCase")


def _is_support(arn: str, config: Config | None) -> bool:
    """AWSSupportAccess, or a customer policy listed in ``support_role_support_policies``."""
    if is_support_policy(arn):
        return True
    return config is not None and not is_aws_managed_policy(arn) and config.counts_as_support(arn)


def _attached_support_status(role: Role | PermissionSet, config: Config | None = None) -> bool | Unknown:
    """support_status over the certain attachments only (``maybe_attached`` ignored)."""
    if isinstance(role.managed, Unknown):
        return role.managed
    unresolved: list[str] = []
    for attachment in role.managed:
        if isinstance(attachment.arn, Unknown):
            unresolved.append(attachment.arn.reason)
        elif _is_support(attachment.arn, config):
            return True
    if unresolved:
        return Unknown("; ".join(unresolved))
    return False


def with_maybe_attached(role: _Holder, config: Config | None = None) -> _Holder:
    """The role (or permission set) with what may be attached to it folded into its policies, where it
    could change a verdict.

    A possible AWSSupportAccess attachment (or one whose policy is unknown) makes a role that is
    not otherwise a support role undecided; any other possible attachment makes a support role's
    least privilege undecided; a possible support attachment to a support role, or a known other
    policy on a role that is not one, changes nothing. Each becomes a policy whose ARN or
    document is Unknown, with a reason naming the resource and why its role is not known. The
    result has no ``maybe_attached`` left, so folding twice changes nothing.
    """
    if not role.maybe_attached:
        return role
    is_support = _attached_support_status(role, config) is True
    extra_managed: list[ManagedAttachment] = []
    extra_inline: list[InlinePolicy] = []
    for maybe in role.maybe_attached:
        policy = maybe.policy
        if isinstance(policy, InlinePolicy):
            if is_support:
                reason = f"{maybe.source} may add inline policy {policy.name} to this role: {maybe.why}"
                extra_inline.append(InlinePolicy(f"{policy.name} ({maybe.source})", Unknown(reason)))
            continue
        arn = policy.arn
        supports = isinstance(arn, str) and _is_support(arn, config)
        if supports and is_support:
            continue
        if not supports and not is_support and isinstance(arn, str):
            continue  # a role that is not a support role stays one whatever else is attached
        shown = arn if isinstance(arn, str) else f"a policy ({arn.reason})"
        extra_managed.append(ManagedAttachment(Unknown(f"{maybe.source} may attach {shown} to this role: {maybe.why}")))
    managed = role.managed if isinstance(role.managed, Unknown) else (*role.managed, *extra_managed)
    inline = role.inline if isinstance(role.inline, Unknown) else (*role.inline, *extra_inline)
    return dataclasses.replace(role, managed=managed, inline=inline, maybe_attached=())


def support_status(role: Role | PermissionSet, config: Config | None = None) -> bool | Unknown:
    """True when the role (or permission set) has the support policy attached as a permissions policy.

    The support policy is AWSSupportAccess, and with ``config`` also the customer policies listed in
    ``support_role_support_policies``. Unknown when it has not been seen to have it and some
    attachment could not be read, or some resource may attach the support policy (or a policy nobody
    could read) to it (:attr:`Role.maybe_attached`). An attachment made under a condition counts (see
    :func:`support_condition`). The one place that decides whether a role is a support role.
    """
    return _attached_support_status(with_maybe_attached(role, config), config)


def _may_attach_support(account: Account, config: Config | None = None) -> list[str]:
    """Why a role outside the scanned roles may hold the support policy, per attachment."""
    return [
        f"{maybe.source} may attach AWSSupportAccess to a role: {maybe.why}"
        for maybe in account.maybe_attached
        if isinstance(maybe.policy, ManagedAttachment)
        and (isinstance(maybe.policy.arn, Unknown) or _is_support(maybe.policy.arn, config))
    ]


def support_condition(role: Role | PermissionSet, config: Config | None = None) -> str | None:
    """The condition under which a support role has the support policy; None when unconditional.

    Several conditional attachments are joined with "or"; one unconditional attachment wins.
    """
    if isinstance(role.managed, Unknown):
        return None
    conditions: list[str] = []
    for attachment in role.managed:
        if isinstance(attachment.arn, str) and _is_support(attachment.arn, config):
            if attachment.condition is None:
                return None
            if attachment.condition not in conditions:
                conditions.append(attachment.condition)
    return " or ".join(conditions) if conditions else None


def _verdict(
    rule_id: str,
    resource: str,
    fails: list[Problem],
    unknowns: list[Problem],
    passed: str,
    fix: str,
    evidence: Mapping[str, Iterable[str]],
    lead: str = "",
) -> Verdict:
    ev = tuple((k, tuple(v)) for k, v in evidence.items())
    if fails:
        listed = "; ".join(f"{p.subject} ({p.detail})" for p in fails)
        reason = f"{resource} {lead}: {listed}. Fix: {fix}."
        return Verdict(rule_id, Status.FAIL, resource, reason, tuple(fails + unknowns), ev)
    if unknowns:
        listed = "; ".join(f"{p.subject}: {p.detail}" for p in unknowns)
        reason = f"{resource} could not be decided: {listed}. Make it readable to the scanner and scan again."
        return Verdict(rule_id, Status.UNKNOWN, resource, reason, tuple(unknowns), ev)
    return Verdict(rule_id, Status.PASS, resource, f"{resource} {passed}", (), ev)


def _kind(holder: Role | PermissionSet) -> str:
    """The evidence key that names what a per-role verdict is about."""
    return "permission_set" if isinstance(holder, PermissionSet) else "role"


def _undecided(rule_id: str, role: Role | PermissionSet, code: str, reason: str) -> Verdict:
    problem = Problem(code, role.name, reason)
    return _verdict(rule_id, role.address, [], [problem], "", "", {_kind(role): [role.name]})


def _assume_statements(document: PolicyDocument) -> list[Statement]:
    return [
        s
        for s in document.statements
        if s.effect == "Allow" and any(statement_allows_action(s, action) for action in ASSUME_ACTIONS)
    ]


def _assume_actions_of(info: PrincipalInfo) -> tuple[str, ...]:
    """The assume actions a principal of this kind can call; all three when that is not known."""
    if info.cls in (PrincipalClass.WILDCARD, PrincipalClass.UNRESOLVED) or info.wildcard:
        return ASSUME_ACTIONS  # conservative: '*' (or a value nobody resolved, maybe '*') matches every caller
    kind = info.principal.kind
    if kind in (PrincipalKind.AWS, PrincipalKind.SERVICE):
        return ("sts:AssumeRole",)
    if info.cls is PrincipalClass.SAML_PROVIDER:
        return ("sts:AssumeRoleWithSAML",)
    if info.cls is PrincipalClass.OIDC_PROVIDER:
        return ("sts:AssumeRoleWithWebIdentity",)
    if kind is PrincipalKind.FEDERATED:
        return ("sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
    return ASSUME_ACTIONS


def _can_assume(info: PrincipalInfo, statement: Statement) -> bool:
    """Whether the statement grants this principal the assume action its kind uses.

    An IAM user listed with only ``sts:AssumeRoleWithSAML`` cannot assume the role: that call
    takes a SAML assertion, not IAM credentials (the "sts:AssumeRole" substring trap).
    """
    return any(statement_allows_action(statement, action) for action in _assume_actions_of(info))


def _subject_state(statement: Statement, host: str | None) -> tuple[str, tuple[str, ...]]:
    """How a statement conditions an OIDC issuer's subject: ("pinned" | "wildcard" | "none", values).

    Only positive conditions count (no IfExists, no set qualifier). A value that is empty or only
    ``*`` conditions nothing. A ``StringLike`` value with ``*`` or ``?`` trusts every subject that
    matches it; conditions are ANDed, so one pinned condition pins the subject.
    """
    wildcards: list[str] = []
    for c in statement.conditions:
        if not (c.key.endswith(":sub") if host is None else c.key == f"{host.lower()}:sub"):
            continue
        if c.base not in _SUBJECT_OPERATORS or c.if_exists or c.qualifier is not None or not c.values:
            continue
        if any(v.strip().strip("*") == "" for v in c.values):
            continue
        wild = [v for v in c.values if _subject_wildcard(c.base, v)]
        if not wild:
            return "pinned", c.values
        wildcards.extend(wild)
    return ("wildcard", tuple(wildcards)) if wildcards else ("none", ())


def _subject_wildcard(base: str, value: str) -> bool:
    """A subject value that matches more than one subject: a ``StringLike`` glob, or an IAM policy
    variable the request fills in (``${*}``, ``${?}``, ``${$}`` are fixed characters)."""
    if request_dependent(value):
        return True
    return base == "stringlike" and any(ch in without_policy_variables(value) for ch in "*?")


def _oidc_problem(info: PrincipalInfo, statement: Statement) -> tuple[str, str, bool] | None:
    host = info.oidc_host
    state, values = _subject_state(statement, host)
    if state == "wildcard":
        shown = ", ".join(values)
        detail = f"the subject condition {shown} is a wildcard: every workload that matches it may assume the role"
        if host is None:
            return "unresolved-issuer", f"an OIDC provider whose issuer is not readable ({detail})", False
        return "oidc-wildcard-subject", detail + "; pin the repository and a branch or environment", True
    if host is not None:
        if state == "pinned":
            return None
        return "oidc-without-subject", f"no condition on {host}:sub, so any identity of the issuer", True
    # The provider is known to be an OIDC provider but its issuer is not readable: only a statement
    # without any subject condition is decided.
    if state == "none":
        return "oidc-without-subject", "no condition on any issuer's :sub, so any identity of the issuer", True
    detail = "an OIDC provider whose issuer is not readable, so whether the :sub condition names it cannot be told"
    return "unresolved-issuer", detail, False


def _principal_problem(info: PrincipalInfo, statement: Statement, config: Config) -> tuple[str, str, bool] | None:
    """(code, detail, decided) for a principal that is not acceptable; None when it is."""
    cls = info.cls
    if cls is PrincipalClass.UNRESOLVED:
        return "unresolved-principal", "a reference the scanner could not resolve", False
    if cls is PrincipalClass.WILDCARD or info.wildcard:
        return "wildcard-principal", "a wildcard trusts anyone who matches it" + _narrowing_hint(statement), True
    simple: dict[PrincipalClass, tuple[str, str]] = {
        PrincipalClass.SERVICE: (
            "service-principal",
            "a service: it acts with the role for whoever uses the service (a chat-ops service for everyone "
            "in its channels), not for named people",
        ),
        PrincipalClass.UNIQUE_ID: ("deleted-principal", "a unique ID: the trusted user or role was deleted"),
        PrincipalClass.CANONICAL_USER: ("invalid-principal", "a canonical user cannot assume an IAM role"),
        PrincipalClass.INVALID: ("invalid-principal", "not a principal IAM accepts in a trust policy"),
        PrincipalClass.GROUP: ("invalid-principal", "an IAM group, which IAM does not accept as a principal"),
    }
    if cls in simple:
        code, detail = simple[cls]
        return code, detail, True
    if cls is PrincipalClass.ACCOUNT_ROOT and not config.allow_account_roots:
        detail = "an account root trusts every principal of that account" + _narrowing_hint(statement)
        return "account-root", detail, True
    if cls is PrincipalClass.OIDC_PROVIDER:
        found = _oidc_problem(info, statement)
        if found is not None:
            return found
    if config.trusted_account_ids is not None and info.account is not None:
        if info.own_account:
            detail = (
                "its account is the scanned configuration's own, which IaC does not know, "
                "so it cannot be compared with the trusted accounts"
            )
            return "unresolved-account", detail, False
        if not info.account_is_literal:
            return "unresolved-account", "its account is a reference, not comparable with the trusted accounts", False
        if info.account not in config.trusted_account_ids:
            return "untrusted-account", f"account {info.account} is not among the trusted accounts", True
    return None


def _narrowing_hint(statement: Statement) -> str:
    """Why conditions that look like narrowing do not narrow (said in the finding)."""
    hints: list[str] = []
    for c in statement.conditions:
        if c.key in _ORGANISATION_KEYS:
            hints.append(f"{_ORGANISATION_KEYS[c.key]} narrows to an organisation or account, not to people")
        elif c.key == _PRINCIPAL_ARN and (c.if_exists or c.qualifier is not None or c.base not in _NARROWING_OPERATORS):
            hints.append(f"aws:PrincipalArn under {c.operator} does not narrow it")
    return f" ({'; '.join(dict.fromkeys(hints))})" if hints else ""


def _narrowing(statement: Statement) -> list[tuple[str, ...]]:
    """The value lists of every positive ``aws:PrincipalArn`` condition of a statement.

    ``ArnEquals``/``ArnLike``/``StringEquals``/``StringLike`` without ``IfExists`` and without a set
    qualifier (``ForAnyValue:`` and ``ForAllValues:`` pass when the key is missing). Each list bounds
    who may assume; conditions are ANDed, so any one of them is an upper bound.
    """
    return [
        c.values
        for c in statement.conditions
        if c.key == _PRINCIPAL_ARN
        and c.base in _NARROWING_OPERATORS
        and not c.if_exists
        and c.qualifier is None
        and c.values
    ]


def _narrowable(info: PrincipalInfo) -> bool:
    """A principal that an aws:PrincipalArn condition narrows: ``*`` or an account root."""
    return info.principal.kind is PrincipalKind.AWS and info.cls in (
        PrincipalClass.WILDCARD,
        PrincipalClass.ACCOUNT_ROOT,
    )


def _narrowed_problem(info: PrincipalInfo, statement: Statement, config: Config) -> tuple[str, str, bool] | None:
    """(code, detail, decided) for an ARN named by aws:PrincipalArn; None when it is a specific user or role."""
    cls = info.cls
    if cls is PrincipalClass.UNRESOLVED:
        return "unresolved-principal", "an aws:PrincipalArn value the scanner could not resolve", False
    if cls is PrincipalClass.ACCOUNT_ROOT and info.principal.value.strip().endswith(":root"):
        if not config.allow_account_roots:
            return (
                "account-root",
                "aws:PrincipalArn names the account's root user, not a specific IAM user or role",
                True,
            )
    elif cls is PrincipalClass.WILDCARD or (info.wildcard and not info.identity_center_wildcards):
        detail = (
            "a wildcard in aws:PrincipalArn trusts every principal that matches it (only IAM Identity Center's "
            "region segment and permission-set suffix may be wildcards)"
        )
        return "wildcard-principal", detail, True
    elif cls not in _PEOPLE:
        return "invalid-principal", f"aws:PrincipalArn names a {cls.value}, not a specific IAM user or role", True
    return _principal_problem(dataclasses.replace(info, wildcard=False), statement, config)


@dataclasses.dataclass
class _Narrowed:
    """Who a narrowed statement trusts: the ARNs of the narrowing that decides, and their findings."""

    infos: list[PrincipalInfo]
    fails: list[Problem]
    unknowns: list[Problem]


def _narrow(statement: Statement, config: Config) -> _Narrowed | None:
    """The narrowing of a statement by aws:PrincipalArn, None when it has none.

    With several narrowing conditions (ANDed), the first whose ARNs are all acceptable decides (it
    bounds the others), else the first with nothing decided against it, else the first.
    """
    candidates: list[_Narrowed] = []
    for values in _narrowing(statement):
        infos = [classify(Principal(PrincipalKind.AWS, value)) for value in values]
        narrowed = _Narrowed(infos, [], [])
        for info in infos:
            problem = _narrowed_problem(info, statement, config)
            if problem is not None:
                code, detail, decided = problem
                (narrowed.fails if decided else narrowed.unknowns).append(Problem(code, info.principal.value, detail))
        candidates.append(narrowed)
    if not candidates:
        return None
    for narrowed in candidates:
        if not narrowed.fails and not narrowed.unknowns:
            return narrowed
    return next((n for n in candidates if not n.fails), candidates[0])


def _via(info: PrincipalInfo, role: Role) -> str:
    value = info.principal.value
    itself = info.cls is PrincipalClass.IAM_ROLE and (
        value == role.arn or (":role/" in value and value.rsplit("/", 1)[-1] == role.name)
    )
    return f"{value} (via aws:PrincipalArn{', the role itself' if itself else ''})"


@dataclasses.dataclass
class _Findings:
    """What one rule found in one document (or across branches)."""

    fails: list[Problem] = dataclasses.field(default_factory=list)
    unknowns: list[Problem] = dataclasses.field(default_factory=list)
    good: list[str] = dataclasses.field(default_factory=list)  # trusted principals / MFA-covered
    exempt: list[str] = dataclasses.field(default_factory=list)  # MFA: roles, whose sessions are exempt

    def extend(self, other: _Findings, branch: str | None) -> None:
        def mark(p: Problem) -> Problem:
            return p if branch is None else Problem(p.code, f"{p.subject} (when {branch})", p.detail)

        self.fails.extend(mark(p) for p in other.fails if mark(p) not in self.fails)
        self.unknowns.extend(mark(p) for p in other.unknowns if mark(p) not in self.unknowns)
        self.good.extend(g for g in other.good if g not in self.good)
        self.exempt.extend(g for g in other.exempt if g not in self.exempt)


def _by_branch(
    document: Document, judge: Callable[[PolicyDocument], _Findings], undecided: Callable[[Unknown], _Findings]
) -> _Findings:
    """The findings over a document, branch by branch for Alternatives (all problems kept: the worst
    branch decides the status, as FAIL outweighs UNKNOWN outweighs PASS)."""
    if isinstance(document, Unknown):
        return undecided(document)
    if isinstance(document, PolicyDocument):
        return judge(document)
    merged = _Findings()
    for branch in document.branches:
        found = undecided(branch.document) if isinstance(branch.document, Unknown) else judge(branch.document)
        merged.extend(found, branch.condition)
    return merged


def _trust_findings(role: Role, document: PolicyDocument, config: Config) -> _Findings:
    found = _Findings()
    someone_can_assume = False
    for statement in _assume_statements(document):
        if statement.not_principals is not None:
            someone_can_assume = True
            subject = ", ".join(p.value for p in statement.not_principals) or "NotPrincipal"
            found.fails.append(
                Problem("not-principal", f"NotPrincipal {subject}", "Allow with NotPrincipal trusts everyone else")
            )
        if not statement.principals and statement.not_principals is None:
            found.fails.append(
                Problem("no-principal", statement.sid or "statement", "an Allow statement without a principal")
            )
        narrowed = _narrow(statement, config)
        for principal in statement.principals or ():
            info = classify(principal)
            someone_can_assume = someone_can_assume or _can_assume(info, statement)
            if narrowed is not None and _narrowable(info):
                # '*' or an account root narrowed by aws:PrincipalArn trusts exactly the ARNs it names.
                found.extend(
                    _Findings(
                        fails=list(narrowed.fails),
                        unknowns=list(narrowed.unknowns),
                        good=[_via(i, role) for i in narrowed.infos if _narrowed_problem(i, statement, config) is None],
                    ),
                    None,
                )
                continue
            problem = _principal_problem(info, statement, config)
            if problem is None:
                found.good.append(_shown(info))
                continue
            code, detail, decided = problem
            (found.fails if decided else found.unknowns).append(Problem(code, principal.value, detail))
    if not someone_can_assume:
        detail = (
            "no Allow statement grants any principal the assume action its kind uses (IAM users and roles: "
            "sts:AssumeRole, SAML providers: sts:AssumeRoleWithSAML, OIDC providers: sts:AssumeRoleWithWebIdentity)"
        )
        found.fails.append(Problem("nobody-can-assume", role.name, detail))
    return found


def _shown(info: PrincipalInfo) -> str:
    """A principal as evidence: a typed reference says what it refers to."""
    reference = info.reference
    if reference is None:
        return info.principal.value
    return f"{reference.expression} ({reference.kind.value.replace('-', ' ')})"


def evaluate_trust(role: Role, config: Config) -> Verdict:
    def undecided(unknown: Unknown) -> _Findings:
        reason = unknown.reason
        return _Findings(unknowns=[Problem("unreadable-trust-policy", role.name, f"trust policy unreadable: {reason}")])

    found = _by_branch(role.trust, lambda document: _trust_findings(role, document, config), undecided)
    evidence = {
        "role": [role.name],
        "trusted_principals": found.good,
        "rejected_principals": [p.subject for p in found.fails],
    }
    fix = "name each person's IAM user or role by full ARN (or a SAML/Identity Center federation) in the trust policy"
    lead = "can be assumed by principals that are not specific people"
    passed = "trusted only by " + ", ".join(found.good) + "."
    return _verdict(TRUST, role.address, found.fails, found.unknowns, passed, fix, evidence, lead)


def _requires_mfa(conditions: tuple[Condition, ...]) -> bool:
    for c in conditions:
        if c.qualifier is not None or c.if_exists or not c.values:
            continue
        present = c.key == "aws:multifactorauthpresent" and c.base == "bool"
        if present and all(v.strip().lower() == "true" for v in c.values):
            return True
        if c.key == "aws:multifactorauthage" and c.base in ("numericlessthan", "numericlessthanequals"):
            return True
    return False


def _mfa_findings(document: PolicyDocument, config: Config) -> _Findings:
    """Statements that let principals holding long-term IAM credentials assume the role need MFA.

    Exempt: federated and service principals (only AWS principals are read), and statements whose
    every principal, after narrowing by aws:PrincipalArn, is an IAM role, an Identity Center role or
    a role session. Required: IAM users, account roots not narrowed to roles, wildcards,
    NotPrincipal, and references whose kind is unknown.
    """
    found = _Findings()
    for statement in _assume_statements(document):
        needs: list[str] = []  # may hold long-term credentials
        roles: list[str] = []  # role sessions: exempt
        maybe: list[str] = []  # unresolved: able to assume here only if the value turns out to be '*'
        narrowed = _narrow(statement, config)
        role_only = narrowed is not None and any(
            all(classify(Principal(PrincipalKind.AWS, v)).cls in ROLE_CLASSES for v in values)
            for values in _narrowing(statement)
        )
        for p in statement.principals or ():
            info = classify(p)
            if p.kind is not PrincipalKind.AWS or not _can_assume(info, statement):
                continue
            if narrowed is not None and _narrowable(info):
                for value in narrowed.infos:
                    shown = f"{value.principal.value} (via aws:PrincipalArn)"
                    (roles if role_only or value.cls in ROLE_CLASSES else needs).append(shown)
                continue
            unsure = info.cls is PrincipalClass.UNRESOLVED and not statement_allows_action(statement, "sts:AssumeRole")
            if unsure:
                maybe.append(_shown(info))
            elif info.cls in ROLE_CLASSES:
                roles.append(_shown(info))
            else:
                needs.append(_shown(info))
        if statement.not_principals is not None:
            needs.append("NotPrincipal")
        if not needs and not maybe:
            found.exempt.extend(r for r in roles if r not in found.exempt)
            continue
        if _requires_mfa(statement.conditions):
            found.good.extend(needs + maybe + roles)
            continue
        if not needs:
            detail = "an unresolved principal that may assume the role without MFA if it is a wildcard"
            found.unknowns.append(Problem("unresolved-principal", ", ".join(maybe), detail))
            continue
        if_exists = any(c.key == "aws:multifactorauthpresent" and c.if_exists for c in statement.conditions)
        code, detail = (
            ("mfa-if-exists", "BoolIfExists passes when the request carries no MFA information")
            if if_exists
            else ("mfa-not-required", "no aws:MultiFactorAuthPresent or aws:MultiFactorAuthAge condition")
        )
        if roles:
            detail += (
                f"; the roles it also names ({', '.join(roles)}) are exempt and would be locked out by the "
                "condition: give the users a statement of their own that requires MFA"
            )
        found.fails.append(Problem(code, ", ".join(needs), detail))
    return found


def evaluate_mfa(role: Role, config: Config) -> Verdict:

    def undecided(unknown: Unknown) -> _Findings:
        reason = unknown.reason
        return _Findings(unknowns=[Problem("unreadable-trust-policy", role.name, f"trust policy unreadable: {reason}")])

    found = _by_branch(role.trust, lambda document: _mfa_findings(document, config), undecided)
    exempt = (
        "only IAM roles and Identity Center roles may also assume it (" + ", ".join(found.exempt) + "): their "
        "sessions are temporary, MFA is enforced where they start, and Identity Center sessions carry no MFA context"
    )
    if found.good:
        passed = "requires MFA for " + ", ".join(found.good) + ("; " + exempt if found.exempt else "") + "."
    elif found.exempt:
        passed = "is exempt from MFA: " + exempt + "."
    else:
        passed = "lets no IAM user or role assume it" + _who_else_assumes(role.trust) + "."
    fix = 'add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to each such trust statement'
    evidence = {
        "role": [role.name],
        "mfa_required_for": found.good,
        "mfa_missing_for": [p.subject for p in found.fails],
    }
    if found.exempt:
        evidence["mfa_exempt_roles"] = found.exempt
    return _verdict(
        MFA, role.address, found.fails, found.unknowns, passed, fix, evidence, "can be assumed without MFA by"
    )


def _who_else_assumes(trust: Document) -> str:
    """Why a trust that lets no IAM user or role in needs no MFA: who assumes it instead."""
    kinds: set[PrincipalKind] = set()
    documents = [b.document for b in trust.branches] if isinstance(trust, Alternatives) else [trust]
    for document in documents:
        if isinstance(document, PolicyDocument):
            for statement in _assume_statements(document):
                kinds.update(p.kind for p in statement.principals or ())
    federated = PrincipalKind.FEDERATED in kinds
    service = PrincipalKind.SERVICE in kinds
    if federated and service:
        return (
            ": federated principals (their MFA lives at the identity provider) and AWS services (which hold "
            "no user's credentials) do"
        )
    if federated:
        return " (federated MFA lives at the identity provider)"
    if service:
        return ": only AWS services do, acting with the role's own credentials (the trust rule judges that)"
    return ""


def _in_support_family(action: str) -> bool:
    service = action.split(":", 1)[0].strip().lower() if ":" in action else ""
    return service in SUPPORT_SERVICES


def _outside_support(document: PolicyDocument, config: Config) -> list[str]:
    """Allowed actions outside the support family and outside ``support_role_allowed_actions``."""
    outside: list[str] = []
    for s in document.statements:
        if s.effect != "Allow":
            continue
        if s.actions is not None:
            outside.extend(a for a in s.actions if not _in_support_family(a) and not config.action_allowed(a))
        elif s.not_actions is not None and not any(a.strip() == "*" for a in s.not_actions):
            outside.append("NotAction " + ", ".join(s.not_actions))
    return outside


def _check_document(
    name: str, document: Document | None, config: Config, fails: list[Problem], unknowns: list[Problem]
) -> None:
    if document is None:
        unknowns.append(Problem("policy-not-visible", name, "its document was not given to the scanner"))
        return

    def judge(doc: PolicyDocument) -> _Findings:
        outside = _outside_support(doc, config)
        problems = [Problem("non-support-action", name, "allows " + ", ".join(sorted(set(outside))))] if outside else []
        return _Findings(fails=problems)

    def undecided(unknown: Unknown) -> _Findings:
        code = "unresolved-policy" if isinstance(unknown, Unevaluated) else "policy-not-visible"
        return _Findings(unknowns=[Problem(code, name, unknown.reason)])

    found = _by_branch(document, judge, undecided)
    fails.extend(found.fails)
    unknowns.extend(found.unknowns)


def evaluate_least_privilege(role: Role | PermissionSet, config: Config) -> Verdict:
    """Whether a support role (or permission set) grants nothing but AWS Support access."""
    role = with_maybe_attached(role, config)
    fails: list[Problem] = []
    unknowns: list[Problem] = []
    policies: list[str] = []
    if isinstance(role.managed, Unknown):
        unknowns.append(Problem("unreadable-attachments", role.name, role.managed.reason))
    else:
        for attachment in role.managed:
            arn = attachment.arn
            if isinstance(arn, Unknown):
                unknowns.append(Problem("unresolved-policy", "managed policy", arn.reason))
                continue
            shown = arn if attachment.condition is None else f"{arn} (when {attachment.condition})"
            policies.append(shown)
            if _is_support(arn, config) or config.policy_allowed(arn):
                continue
            if is_aws_managed_policy(arn):
                fails.append(
                    Problem("extra-managed-policy", shown, "an AWS managed policy other than AWSSupportAccess")
                )
            else:
                _check_document(shown, attachment.document, config, fails, unknowns)
    if isinstance(role.inline, Unknown):
        unknowns.append(Problem("unreadable-inline-policies", role.name, role.inline.reason))
    else:
        for inline in role.inline:
            policies.append(f"inline:{inline.name}")
            _check_document(f"inline policy {inline.name}", inline.document, config, fails, unknowns)
    evidence = {_kind(role): [role.name], "policies": policies}
    fix = (
        "detach other managed policies and remove non-support statements (or allow a policy or action patterns "
        "in the configuration)"
    )
    lead = "grants more than AWS Support access"
    return _verdict(
        LEAST_PRIVILEGE, role.address, fails, unknowns, "grants only AWS Support access.", fix, evidence, lead
    )


_PER_ROLE = {TRUST: evaluate_trust, LEAST_PRIVILEGE: evaluate_least_privilege, MFA: evaluate_mfa}


def _per_rule(
    holder: Role | PermissionSet, config: Config, rules: Mapping[str, Callable[[Any, Config], Verdict]]
) -> dict[str, Verdict | None]:
    """The per-role rules for a role or a permission set: None for each when it is not a support
    one, UNKNOWN when that could not be read, and the condition named when it is one only under it."""
    holder = with_maybe_attached(holder, config)
    status = support_status(holder, config)
    if status is False:
        return {rule_id: None for rule_id in PER_ROLE_RULES}
    if isinstance(status, Unknown):
        reason = f"whether it carries AWSSupportAccess could not be read: {status.reason}"
        return {rule_id: _undecided(rule_id, holder, "support-status-unknown", reason) for rule_id in PER_ROLE_RULES}
    condition = support_condition(holder, config)
    verdicts = {rule_id: rules[rule_id](holder, config) for rule_id in PER_ROLE_RULES}
    if condition is None:
        return dict(verdicts)
    return {rule_id: _conditional(verdict, condition) for rule_id, verdict in verdicts.items()}


def evaluate_role(role: Role, config: Config) -> dict[str, Verdict | None]:
    """Every per-role rule for one role; None for each when the role is not a support role.

    A role IAM Identity Center made from a permission set has its verdicts say so: the fix belongs
    to the permission set, since Identity Center overwrites changes made to the role.
    """
    verdicts = _per_rule(role, config, _PER_ROLE)
    permission_set = permission_set_of_role(role.arn)
    if permission_set is None:
        return verdicts
    return {
        rule_id: None if verdict is None else _from_permission_set(verdict, permission_set)
        for rule_id, verdict in verdicts.items()
    }


def _conditional(verdict: Verdict, condition: str) -> Verdict:
    """A verdict on a role that is a support role only when ``condition`` holds: the reason says so."""
    note = f"(Conditionally a support role: AWSSupportAccess is attached only when {condition}.)"
    return dataclasses.replace(
        verdict,
        reason=f"{verdict.reason} {note}",
        evidence=(*verdict.evidence, ("support_condition", (condition,))),
    )


def grants_support(document: Document | None) -> bool:
    """Whether a visible policy document (any branch) allows support permissions: reading or opening
    support cases, or any action of the support family named by its service (``trustedadvisor:Describe*``,
    ``support-console:*``), as AWSSupportAccess's copies with Trusted Advisor added do."""
    if isinstance(document, Alternatives):
        return any(grants_support(branch.document) for branch in document.branches)
    if not isinstance(document, PolicyDocument):
        return False
    return any(
        s.effect == "Allow"
        and (
            any(statement_allows_action(s, probe) for probe in _SUPPORT_PROBES)
            or any(_in_support_family(action) for action in s.actions or ())
        )
        for s in document.statements
    )


def _from_permission_set(verdict: Verdict, permission_set: str) -> Verdict:
    note = (
        f" IAM Identity Center made this role from permission set {permission_set}: change the permission set "
        "(in the management or delegated-administrator account), not the role, which Identity Center overwrites."
    )
    evidence = (*verdict.evidence, ("permission_set", (permission_set,)))
    return dataclasses.replace(verdict, reason=verdict.reason + note, evidence=evidence)


def _assignment_trust(permission_set: PermissionSet, config: Config) -> Verdict:
    del config  # no setting changes who Identity Center lets in
    passed = (
        "is reached only through IAM Identity Center assignments, each to a user or a group of the identity "
        "store whom an administrator chose; the roles it makes trust only Identity Center's SAML provider."
    )
    evidence = {"permission_set": [permission_set.name], "trusted_principals": ["IAM Identity Center assignments"]}
    return _verdict(TRUST, permission_set.address, [], [], passed, "", evidence)


def _assignment_mfa(permission_set: PermissionSet, config: Config) -> Verdict:
    del config
    passed = (
        "is used through IAM Identity Center sign-in, where MFA is enforced; its sessions carry no MFA context "
        "for a trust condition to test."
    )
    return _verdict(MFA, permission_set.address, [], [], passed, "", {"permission_set": [permission_set.name]})


_PER_PERMISSION_SET = {TRUST: _assignment_trust, LEAST_PRIVILEGE: evaluate_least_privilege, MFA: _assignment_mfa}


def evaluate_permission_set(permission_set: PermissionSet, config: Config) -> dict[str, Verdict | None]:
    """Every per-role rule for one IAM Identity Center permission set (docs/DECISIONS.md).

    None for each when it is not a support permission set. Least privilege is judged as for a
    role; trust and MFA pass with the reason, since people reach a permission set only through
    Identity Center assignments and sign-in.
    """
    return _per_rule(permission_set, config, _PER_PERMISSION_SET)


def unreadable_permission_sets(rule_id: str, address: str, reasons: Iterable[str]) -> Verdict:
    """The UNKNOWN verdict of a per-role rule on an account whose permission sets could not all be listed."""
    problems = [Problem("unreadable-permission-sets", address, reason) for reason in reasons]
    return _verdict(rule_id, address, [], problems, "", "", {"permission_sets": []})


def evaluate_exists(account: Account, config: Config) -> Verdict:
    """The CIS control: at least one support role in the account.

    A support permission set assigned in scope counts as the role Identity Center makes on
    assignment (an IaC account baseline; docs/DECISIONS.md); one that is not assigned is listed in
    the evidence only.
    """
    supports: list[str] = []
    conditional: dict[str, str] = {}
    undecided: list[Problem] = []
    look_alikes: list[str] = []
    custom: list[str] = []
    boundary_only: list[str] = []
    candidates: list[tuple[str, Role | PermissionSet]] = [
        (role.name, role) for role in (with_maybe_attached(r, config) for r in account.roles)
    ]
    unassigned: list[str] = []
    for permission_set in account.permission_sets:
        shown = f"permission set {permission_set.name}"
        if permission_set.assigned is True:
            candidates.append((shown, permission_set))
        elif isinstance(permission_set.assigned, Unknown) and support_status(permission_set, config) is not False:
            why = f"whether it is assigned to an account could not be read: {permission_set.assigned.reason}"
            undecided.append(Problem("undetermined-role", shown, why))
        elif support_status(permission_set, config) is True:
            unassigned.append(shown)
    for shown, holder in candidates:
        status = support_status(holder, config)
        if status is True:
            condition = support_condition(holder, config)
            supports.append(shown)
            if condition is not None:
                conditional[shown] = condition
        elif isinstance(status, Unknown):
            undecided.append(Problem("undetermined-role", shown, status.reason))
        else:
            if not isinstance(holder.managed, Unknown):
                look_alikes.extend(
                    f"{shown} ({a.arn})"
                    for a in holder.managed
                    if isinstance(a.arn, str) and policy_name(a.arn) == "AWSSupportAccess"
                )
                custom.extend(
                    f"{shown} ({a.arn})"
                    for a in holder.managed
                    if isinstance(a.arn, str)
                    and policy_name(a.arn) != "AWSSupportAccess"
                    and not is_aws_managed_policy(a.arn)
                    and grants_support(a.document)
                )
            if holder.boundary and is_support_policy(holder.boundary):
                boundary_only.append(shown)
    evidence: dict[str, list[str]] = {
        "support_roles": supports,
        "support_users": list(account.support_users),
        "support_groups": list(account.support_groups),
    }
    if conditional:
        evidence["conditional_support_roles"] = [f"{name} (when {c})" for name, c in conditional.items()]
    if unassigned:
        evidence["unassigned_support_permission_sets"] = unassigned
    if supports:
        listed = ", ".join(
            name if name not in conditional else f"{name} (only when {conditional[name]})" for name in supports
        )
        return _verdict(EXISTS, account.address, [], [], f"has support role(s): {listed}.", "", evidence)
    unreadable = [*account.unreadable, *_may_attach_support(account, config)]
    unknowns = [Problem("unreadable-account", account.address, r) for r in unreadable] + undecided
    fails: list[Problem] = []
    if not unknowns:
        detail = "no IAM role has AWSSupportAccess attached"
        if unassigned:
            detail += f" ({', '.join(unassigned)} would make one, but no account assignment of it is in scope)"
        fails.append(Problem("no-support-role", account.address, detail))
        holders = [f"user {u}" for u in account.support_users] + [f"group {g}" for g in account.support_groups]
        if holders:
            fails.append(
                Problem("support-policy-not-on-role", ", ".join(holders), "CIS requires a role, not users or groups")
            )
        if look_alikes:
            fails.append(
                Problem(
                    "look-alike-policy", ", ".join(look_alikes), "a customer managed policy is not AWSSupportAccess"
                )
            )
        if custom:
            detail = (
                "a customer managed policy with support permissions is not AWSSupportAccess, which CIS audits: "
                "attach AWSSupportAccess, or list the policy in support_role_support_policies to count it"
            )
            fails.append(Problem("custom-support-policy", ", ".join(custom), detail))
        if boundary_only:
            fails.append(Problem("boundary-only", ", ".join(boundary_only), "a permissions boundary grants nothing"))
    fix = "create a role trusted by the incident handlers and attach arn:<partition>:iam::aws:policy/AWSSupportAccess"
    return _verdict(EXISTS, account.address, fails, unknowns, "", fix, evidence, "has no support role")


def is_failure(status: Status, config: Config) -> bool:
    """Whether a status is reported as a failure: FAIL always, UNKNOWN in strict mode."""
    return status is Status.FAIL or (status is Status.UNKNOWN and config.strict_unknown)


def evaluate_account(account: Account, config: Config) -> dict[str, dict[str, Verdict | None]]:
    """Every rule over an account: ``{"": {exists}, role address: {per-role rule: verdict}}``."""
    results: dict[str, dict[str, Verdict | None]] = {"": {EXISTS: evaluate_exists(account, config)}}
    for role in account.roles:
        results[role.address] = evaluate_role(role, config)
    for permission_set in account.permission_sets:
        results[permission_set.address] = evaluate_permission_set(permission_set, config)
    return results
