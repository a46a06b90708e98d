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

from ._arn import PrincipalClass, PrincipalInfo, classify, is_aws_managed_policy, is_support_policy, policy_name
from ._config import Config
from ._facts import (
    Account,
    Condition,
    Document,
    InlinePolicy,
    ManagedAttachment,
    PolicyDocument,
    PrincipalKind,
    Role,
    Statement,
    Unknown,
)
from ._metadata import EXISTS, LEAST_PRIVILEGE, MFA, PER_ROLE_RULES, SUPPORT_SERVICES, TRUST
from ._policy import statement_allows_action
from ._verdict import Problem, Status, Verdict

ASSUME_ACTIONS: tuple[str, ...] = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
_SUBJECT_OPERATORS = frozenset({"stringequals", "stringlike", "stringequalsignorecase"})


def _attached_support_status(role: Role) -> bool | Unknown:
    """support_status over the certain attachments only (``maybe_attached`` ignored)."""
    if isinstance(role.managed, Unknown):
        return role.managed
    unresolved: list[str] = []
    for attachment in role.managed:
        if isinstance(attachment.arn, Unknown):
            unresolved.append(attachment.arn.reason)
        elif is_support_policy(attachment.arn):
            return True
    if unresolved:
        return Unknown("; ".join(unresolved))
    return False


def with_maybe_attached(role: Role) -> Role:
    """The role with what may be attached to it folded into its policies, where it could change a verdict.

    A possible AWSSupportAccess attachment (or one whose policy is unknown) makes a role that is
    not otherwise a support role undecided; any other possible attachment makes a support role's
    least privilege undecided; a possible support attachment to a support role, or a known other
    policy on a role that is not one, changes nothing. Each becomes a policy whose ARN or
    document is Unknown, with a reason naming the resource and why its role is not known. The
    result has no ``maybe_attached`` left, so folding twice changes nothing.
    """
    if not role.maybe_attached:
        return role
    is_support = _attached_support_status(role) is True
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
        supports = isinstance(arn, str) and is_support_policy(arn)
        if supports and is_support:
            continue
        if not supports and not is_support and isinstance(arn, str):
            continue  # a role that is not a support role stays one whatever else is attached
        shown = arn if isinstance(arn, str) else f"a policy ({arn.reason})"
        extra_managed.append(ManagedAttachment(Unknown(f"{maybe.source} may attach {shown} to this role: {maybe.why}")))
    managed = role.managed if isinstance(role.managed, Unknown) else (*role.managed, *extra_managed)
    inline = role.inline if isinstance(role.inline, Unknown) else (*role.inline, *extra_inline)
    return dataclasses.replace(role, managed=managed, inline=inline, maybe_attached=())


def support_status(role: Role) -> bool | Unknown:
    """True when the role has the support policy attached as a permissions policy.

    Unknown when it has not been seen to have it and some attachment could not be read, or some
    resource may attach the support policy (or a policy nobody could read) to it
    (:attr:`Role.maybe_attached`). An attachment made under a condition counts (see
    :func:`support_condition`). The one place that decides whether a role is a support role.
    """
    return _attached_support_status(with_maybe_attached(role))


def _may_attach_support(account: Account) -> list[str]:
    """Why a role outside the scanned roles may hold the support policy, per attachment."""
    return [
        f"{maybe.source} may attach AWSSupportAccess to a role: {maybe.why}"
        for maybe in account.maybe_attached
        if isinstance(maybe.policy, ManagedAttachment)
        and (isinstance(maybe.policy.arn, Unknown) or is_support_policy(maybe.policy.arn))
    ]


def support_condition(role: Role) -> str | None:
    """The condition under which a support role has the support policy; None when unconditional.

    Several conditional attachments are joined with "or"; one unconditional attachment wins.
    """
    if isinstance(role.managed, Unknown):
        return None
    conditions: list[str] = []
    for attachment in role.managed:
        if isinstance(attachment.arn, str) and is_support_policy(attachment.arn):
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


def _undecided(rule_id: str, role: Role, code: str, reason: str) -> Verdict:
    problem = Problem(code, role.name, reason)
    return _verdict(rule_id, role.address, [], [problem], "", "", {"role": [role.name]})


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


def _has_subject_condition(statement: Statement, host: str) -> bool:
    key = f"{host.lower()}:sub"
    return any(
        c.key == key
        and c.base in _SUBJECT_OPERATORS
        and not c.if_exists
        and c.qualifier is None
        and c.values
        and not any(v.strip() in ("", "*") for v in c.values)
        for c in statement.conditions
    )


def _oidc_problem(info: PrincipalInfo, statement: Statement) -> tuple[str, str, bool] | None:
    host = info.oidc_host
    if host is not None:
        if _has_subject_condition(statement, host):
            return None
        return "oidc-without-subject", f"no condition on {host}:sub, so any identity of the issuer", True
    # The provider is known to be an OIDC provider but its issuer is not readable: only a statement
    # without any subject condition is decided.
    if not any(c.key.endswith(":sub") for c in statement.conditions):
        return "oidc-without-subject", "no condition on any issuer's :sub, so any identity of the issuer", True
    detail = "an OIDC provider whose issuer is not readable, so whether the :sub condition names it cannot be told"
    return "unresolved-issuer", detail, False


def _principal_problem(info: PrincipalInfo, statement: Statement, config: Config) -> tuple[str, str, bool] | None:
    """(code, detail, decided) for a principal that is not acceptable; None when it is."""
    cls = info.cls
    if cls is PrincipalClass.UNRESOLVED:
        return "unresolved-principal", "a reference the scanner could not resolve", False
    if cls is PrincipalClass.WILDCARD or info.wildcard:
        return "wildcard-principal", "a wildcard trusts anyone who matches it", True
    simple: dict[PrincipalClass, tuple[str, str]] = {
        PrincipalClass.SERVICE: ("service-principal", "a service, which no person can use to open support cases"),
        PrincipalClass.UNIQUE_ID: ("deleted-principal", "a unique ID: the trusted user or role was deleted"),
        PrincipalClass.CANONICAL_USER: ("invalid-principal", "a canonical user cannot assume an IAM role"),
        PrincipalClass.INVALID: ("invalid-principal", "not a principal IAM accepts in a trust policy"),
        PrincipalClass.GROUP: ("invalid-principal", "an IAM group, which IAM does not accept as a principal"),
    }
    if cls in simple:
        code, detail = simple[cls]
        return code, detail, True
    if cls is PrincipalClass.ACCOUNT_ROOT and not config.allow_account_roots:
        return "account-root", "an account root trusts every principal of that account", True
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


@dataclasses.dataclass
class _Findings:
    """What one rule found in one document (or across branches)."""

    fails: list[Problem] = dataclasses.field(default_factory=list)
    unknowns: list[Problem] = dataclasses.field(default_factory=list)
    good: list[str] = dataclasses.field(default_factory=list)  # trusted principals / MFA-covered

    def extend(self, other: _Findings, branch: str | None) -> None:
        def mark(p: Problem) -> Problem:
            return p if branch is None else Problem(p.code, f"{p.subject} (when {branch})", p.detail)

        self.fails.extend(mark(p) for p in other.fails if mark(p) not in self.fails)
        self.unknowns.extend(mark(p) for p in other.unknowns if mark(p) not in self.unknowns)
        self.good.extend(g for g in other.good if g not in self.good)


def _by_branch(
    document: Document, judge: Callable[[PolicyDocument], _Findings], undecided: Callable[[str], _Findings]
) -> _Findings:
    """The findings over a document, branch by branch for Alternatives (all problems kept: the worst
    branch decides the status, as FAIL outweighs UNKNOWN outweighs PASS)."""
    if isinstance(document, Unknown):
        return undecided(document.reason)
    if isinstance(document, PolicyDocument):
        return judge(document)
    merged = _Findings()
    for branch in document.branches:
        found = undecided(branch.document.reason) if isinstance(branch.document, Unknown) else judge(branch.document)
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
        for principal in statement.principals or ():
            info = classify(principal)
            someone_can_assume = someone_can_assume or _can_assume(info, statement)
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
    def undecided(reason: str) -> _Findings:
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


def _mfa_findings(document: PolicyDocument) -> _Findings:
    found = _Findings()
    for statement in _assume_statements(document):
        iam: list[str] = []
        maybe: list[str] = []  # unresolved: able to assume here only if the value turns out to be '*'
        for p in statement.principals or ():
            info = classify(p)
            if p.kind is not PrincipalKind.AWS or not _can_assume(info, statement):
                continue
            unsure = info.cls is PrincipalClass.UNRESOLVED and not statement_allows_action(statement, "sts:AssumeRole")
            (maybe if unsure else iam).append(_shown(info))
        if statement.not_principals is not None:
            iam.append("NotPrincipal")
        if not iam and not maybe:
            continue
        if _requires_mfa(statement.conditions):
            found.good.extend(iam + maybe)
            continue
        if not iam:
            detail = "an unresolved principal that may assume the role without MFA if it is a wildcard"
            found.unknowns.append(Problem("unresolved-principal", ", ".join(maybe), detail))
            continue
        if_exists = any(c.key == "aws:multifactorauthpresent" and c.if_exists for c in statement.conditions)
        code, detail = (
            ("mfa-if-exists", "BoolIfExists passes when the request carries no MFA information")
            if if_exists
            else ("mfa-not-required", "no aws:MultiFactorAuthPresent or aws:MultiFactorAuthAge condition")
        )
        found.fails.append(Problem(code, ", ".join(iam), detail))
    return found


def evaluate_mfa(role: Role, config: Config) -> Verdict:
    del config  # the MFA rule has no settings; the parameter keeps every rule's signature alike

    def undecided(reason: str) -> _Findings:
        return _Findings(unknowns=[Problem("unreadable-trust-policy", role.name, f"trust policy unreadable: {reason}")])

    found = _by_branch(role.trust, _mfa_findings, undecided)
    passed = (
        "requires MFA for " + ", ".join(found.good) + "."
        if found.good
        else "lets no IAM user or role assume it (federated MFA lives at the identity provider)."
    )
    fix = 'add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to each such trust statement'
    evidence = {
        "role": [role.name],
        "mfa_required_for": found.good,
        "mfa_missing_for": [p.subject for p in found.fails],
    }
    return _verdict(
        MFA, role.address, found.fails, found.unknowns, passed, fix, evidence, "can be assumed without MFA by"
    )


def _in_support_family(action: str) -> bool:
    service = action.split(":", 1)[0].strip().lower() if ":" in action else ""
    return service in SUPPORT_SERVICES


def _outside_support(document: PolicyDocument) -> list[str]:
    outside: list[str] = []
    for s in document.statements:
        if s.effect != "Allow":
            continue
        if s.actions is not None:
            outside.extend(a for a in s.actions if not _in_support_family(a))
        elif s.not_actions is not None and not any(a.strip() == "*" for a in s.not_actions):
            outside.append("NotAction " + ", ".join(s.not_actions))
    return outside


def _check_document(name: str, document: Document | None, fails: list[Problem], unknowns: list[Problem]) -> None:
    if document is None:
        unknowns.append(Problem("policy-not-visible", name, "its document was not given to the scanner"))
        return

    def judge(doc: PolicyDocument) -> _Findings:
        outside = _outside_support(doc)
        problems = [Problem("non-support-action", name, "allows " + ", ".join(sorted(set(outside))))] if outside else []
        return _Findings(fails=problems)

    def undecided(reason: str) -> _Findings:
        return _Findings(unknowns=[Problem("policy-not-visible", name, reason)])

    found = _by_branch(document, judge, undecided)
    fails.extend(found.fails)
    unknowns.extend(found.unknowns)


def evaluate_least_privilege(role: Role, config: Config) -> Verdict:
    role = with_maybe_attached(role)
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
            if is_support_policy(arn) or config.policy_allowed(arn):
                continue
            if is_aws_managed_policy(arn):
                fails.append(
                    Problem("extra-managed-policy", shown, "an AWS managed policy other than AWSSupportAccess")
                )
            else:
                _check_document(shown, attachment.document, fails, unknowns)
    if isinstance(role.inline, Unknown):
        unknowns.append(Problem("unreadable-inline-policies", role.name, role.inline.reason))
    else:
        for inline in role.inline:
            policies.append(f"inline:{inline.name}")
            _check_document(f"inline policy {inline.name}", inline.document, fails, unknowns)
    evidence = {"role": [role.name], "policies": policies}
    fix = "detach other managed policies and remove non-support statements (or allow a policy in the configuration)"
    lead = "grants more than AWS Support access"
    return _verdict(
        LEAST_PRIVILEGE, role.address, fails, unknowns, "grants only AWS Support access.", fix, evidence, lead
    )


_PER_ROLE = {TRUST: evaluate_trust, LEAST_PRIVILEGE: evaluate_least_privilege, MFA: evaluate_mfa}


def evaluate_role(role: Role, config: Config) -> dict[str, Verdict | None]:
    """Every per-role rule for one role; None for each when the role is not a support role."""
    role = with_maybe_attached(role)
    status = support_status(role)
    if status is False:
        return {rule_id: None for rule_id in PER_ROLE_RULES}
    if isinstance(status, Unknown):
        reason = f"whether it carries AWSSupportAccess could not be read: {status.reason}"
        return {rule_id: _undecided(rule_id, role, "support-status-unknown", reason) for rule_id in PER_ROLE_RULES}
    condition = support_condition(role)
    verdicts = {rule_id: _PER_ROLE[rule_id](role, config) for rule_id in PER_ROLE_RULES}
    if condition is None:
        return dict(verdicts)
    return {rule_id: _conditional(verdict, condition) for rule_id, verdict in verdicts.items()}


def _conditional(verdict: Verdict, condition: str) -> Verdict:
    """A verdict on a role that is a support role only when ``condition`` holds: the reason says so."""
    note = f"(Conditionally a support role: AWSSupportAccess is attached only when {condition}.)"
    return dataclasses.replace(
        verdict,
        reason=f"{verdict.reason} {note}",
        evidence=(*verdict.evidence, ("support_condition", (condition,))),
    )


def evaluate_exists(account: Account, config: Config) -> Verdict:
    del config  # the exists rule has no settings
    supports: list[str] = []
    conditional: dict[str, str] = {}
    undecided: list[Problem] = []
    look_alikes: list[str] = []
    boundary_only: list[str] = []
    for role in map(with_maybe_attached, account.roles):
        status = support_status(role)
        if status is True:
            condition = support_condition(role)
            supports.append(role.name)
            if condition is not None:
                conditional[role.name] = condition
        elif isinstance(status, Unknown):
            undecided.append(Problem("undetermined-role", role.name, status.reason))
        else:
            if not isinstance(role.managed, Unknown):
                look_alikes.extend(
                    f"{role.name} ({a.arn})"
                    for a in role.managed
                    if isinstance(a.arn, str) and policy_name(a.arn) == "AWSSupportAccess"
                )
            if role.boundary and is_support_policy(role.boundary):
                boundary_only.append(role.name)
    evidence: dict[str, list[str]] = {
        "support_roles": supports,
        "support_users": list(account.support_users),
        "support_groups": list(account.support_groups),
    }
    if conditional:
        evidence["conditional_support_roles"] = [f"{name} (when {c})" for name, c in conditional.items()]
    if supports:
        listed = ", ".join(
            name if name not in conditional else f"{name} (only when {conditional[name]})" for name in supports
        )
        return _verdict(EXISTS, account.address, [], [], f"has support role(s): {listed}.", "", evidence)
    unreadable = [*account.unreadable, *_may_attach_support(account)]
    unknowns = [Problem("unreadable-account", account.address, r) for r in unreadable] + undecided
    fails: list[Problem] = []
    if not unknowns:
        fails.append(Problem("no-support-role", account.address, "no IAM role has AWSSupportAccess attached"))
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
    return results
