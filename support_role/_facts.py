"""The facts the rules decide on: policy documents, roles and the account.

Every fact that may be unreadable is typed ``X | Unknown``; an ``Unknown`` carries the reason a
person reads in the finding. Nothing here knows which scanner produced it.

What the IaC paths know without a value (since v0.2; design note)
-----------------------------------------------------------------
A Terraform or CloudFormation reference often has no value at scan time (HCL in pre-commit, a plan
that creates the resource), yet what it refers to fixes what it is. Sources report that knowledge in
five forms, and the rules decide on it, staying UNKNOWN only for what it does not settle:

* **A typed reference** (:class:`TypedReference` on a :class:`Principal`): the principal's *kind* is
  known from its target (``aws_iam_user.x.arn``, ``!GetAtt Role.Arn`` -> an IAM user / role; a SAML or
  OIDC provider resource, with the OIDC issuer when its URL is readable; an account ID reference ->
  the account root; ``aws_iam_group.x.arn`` -> a group, which IAM refuses as a principal). Its account
  is the scanned configuration's own unless the source knows better, which IaC never knows: that
  matters only when trusted accounts are configured (UNKNOWN ``unresolved-account``).
* **A partially known ARN**: a plain string whose unknown parts are ``${...}`` tokens
  (``arn:${AWS::Partition}:iam::${Admin}:root`` is an account root whatever ``Admin`` is). The kind is
  read from the literal parts (service and resource type); a token there leaves the kind unknown.
  Tokens are never wildcards: only a literal ``*`` or ``?`` is.
* **A conditional managed attachment** (:attr:`ManagedAttachment.condition`): the policy is attached
  only when a named condition holds (``Fn::If`` with ``AWS::NoValue``, ``count = var.on ? 1 : 0``).
  A conditional AWSSupportAccess makes a support role, judged as such, with the condition named in
  every reason; any other conditional policy counts as attached for least privilege.
* **Maybe attached** (:class:`MaybeAttached`): an attachment resource whose role the source could
  not pin down (``role = var.name``); reported on every role it could name, decided by the rules
  (:func:`support_role.support_status`, :func:`support_role.with_maybe_attached`).
* **Alternatives** (:class:`Alternatives`): a document whose content depends on a condition the scan
  cannot decide (``Fn::If`` inside a trust policy, an HCL conditional). Each branch is judged and the
  worst verdict counts (FAIL, then UNKNOWN, then PASS). Sources that read raw values can mark such a
  value with :class:`support_role._values.Choice` and let :func:`support_role.parse_policy` expand it.

Sources hand raw documents to :func:`support_role.parse_policy` with a :class:`TypedReference` where a
principal value stands (or an ``aws:PrincipalArn`` condition value: it then reads as its partially
known ARN), a ``Choice`` where a value depends on a condition (``NO_VALUE`` for an absent branch), and
set :attr:`ManagedAttachment.condition` on conditional attachments; the rules do the rest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unknown:
    """A fact that could not be read, with the reason (a sentence fragment naming what and why)."""

    reason: str


@dataclass(frozen=True)
class Unevaluated(Unknown):
    """A policy written as an expression the source could not evaluate (a conditional whose
    branch nobody can read, a function it does not evaluate): unknown, and not a policy defined
    outside the scanned files (least privilege says ``unresolved-policy``, not ``policy-not-visible``)."""


class PrincipalKind(str, enum.Enum):
    AWS = "AWS"
    SERVICE = "Service"
    FEDERATED = "Federated"
    CANONICAL_USER = "CanonicalUser"


class ReferenceKind(str, enum.Enum):
    """What a reference without a value points to, as far as a trust policy cares."""

    IAM_USER = "iam-user"
    IAM_ROLE = "iam-role"
    SAML_PROVIDER = "saml-provider"
    OIDC_PROVIDER = "oidc-provider"
    ACCOUNT = "account"  # an account ID: as a principal, that account's root
    IAM_GROUP = "iam-group"  # not a principal IAM accepts


@dataclass(frozen=True)
class TypedReference:
    """A reference whose value is unknown at scan time but whose target fixes the principal's kind.

    ``expression`` is the reference as written (``aws_iam_user.alice.arn``, ``!GetAtt Admin.Arn``),
    shown in findings. ``name`` is the target's name with its path (``ops/alice``) when the source
    could read it. ``issuer`` is an OIDC provider's URL without the scheme
    (``token.actions.githubusercontent.com``), the prefix of its ``:sub`` condition key; None when not
    readable. ``account`` is the target's 12-digit account when known, or a ``${...}`` token when it
    is known only to be some other account (a template parameter); None means the scanned
    configuration's own account, which IaC does not know.
    """

    kind: ReferenceKind
    expression: str
    name: str | None = None
    issuer: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class Principal:
    """One principal value with its kind. ``resolved`` is False for an unevaluated reference.

    ``reference`` is set when the value is unknown but its target's kind is (then ``value`` is the
    expression as written and ``resolved`` is False).
    """

    kind: PrincipalKind
    value: str
    resolved: bool = True
    reference: TypedReference | None = None


@dataclass(frozen=True)
class Condition:
    """One condition key test, with the operator split into its parts."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # lower-case operator without qualifier and IfExists, e.g. "stringlike"
    qualifier: str | None  # "foranyvalue" / "forallvalues" / None
    if_exists: bool
    key: str  # lower-case condition key
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" or "Deny"
    sid: str | None = None
    principals: tuple[Principal, ...] | None = None  # None: no Principal element
    not_principals: tuple[Principal, ...] | None = None
    actions: tuple[str, ...] | None = None  # None: no Action element
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Branch:
    """One branch of a value that depends on a condition: the condition as a person reads it
    (``WithSupport``, ``not WithSupport``, ``var.enabled and not var.legacy``) and the document then."""

    condition: str
    document: PolicyDocument | Unknown


@dataclass(frozen=True)
class Alternatives:
    """A document whose content depends on conditions the scan cannot decide; at least two branches.

    Each branch is judged on its own and the worst verdict counts.
    """

    branches: tuple[Branch, ...]


Document = PolicyDocument | Unknown | Alternatives


@dataclass(frozen=True)
class ManagedAttachment:
    """A managed policy attached to a role as a permissions policy.

    ``arn`` is the ARN as written (possibly with an interpolated partition) or Unknown when the
    reference could not be resolved. ``document`` is the policy's default version for a customer
    managed policy, Unknown when it is defined outside what was scanned, None when not needed
    (AWS managed policies). ``condition`` names the condition under which the policy is attached
    (``WithSupport``, ``var.enabled``), None when it is attached unconditionally.
    """

    arn: str | Unknown
    document: Document | None = None
    condition: str | None = None

    def __post_init__(self) -> None:
        # a condition met twice on the way to the attachment (a module's count and its resource's,
        # both var.create) is one condition: "var.create", not "var.create and var.create"
        if self.condition is not None and " and " in self.condition:
            parts = list(dict.fromkeys(self.condition.split(" and ")))
            object.__setattr__(self, "condition", " and ".join(parts))


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    document: Document


@dataclass(frozen=True)
class MaybeAttached:
    """A policy that some resource may attach to a role: the source saw the attachment but could
    not pin down which role it names.

    ``policy`` is what it would attach (a managed policy, whose ARN may itself be Unknown, or an
    inline policy), ``source`` the resource that attaches it (its address or logical ID), ``why``
    the reason its role is not known. A source reports it on every role it might name
    (:attr:`Role.maybe_attached`), or on the account when it may name a role outside what was
    scanned (:attr:`Account.maybe_attached`); what it means for a verdict is decided by the rules
    (:func:`support_role.support_status`), never by the source.

    Attachments that are certain but qualified in other ways belong on the attachment itself, so
    that they compose with this one: a policy attached only under a named condition is a
    :class:`ManagedAttachment` with its ``condition``, whether certainly or maybe attached.
    """

    policy: ManagedAttachment | InlinePolicy
    source: str
    why: str


@dataclass(frozen=True)
class Role:
    """An IAM role as one scanner saw it. ``address`` is where a finding is reported.

    ``managed`` and ``inline`` are the policies certainly attached; ``maybe_attached`` the ones
    some resource may attach to it (see :class:`MaybeAttached`).
    """

    name: str
    address: str
    arn: str | None = None
    trust: Document = field(default_factory=lambda: Unknown("trust policy not given"))
    managed: tuple[ManagedAttachment, ...] | Unknown = ()
    inline: tuple[InlinePolicy, ...] | Unknown = ()
    boundary: str | None = None
    maybe_attached: tuple[MaybeAttached, ...] = ()


@dataclass(frozen=True)
class PermissionSet:
    """An IAM Identity Center permission set as one scanner saw it.

    Identity Center turns a permission set into an ``AWSReservedSSO_<name>_<suffix>`` role in every
    account it is assigned to; the per-role rules judge the permission set the way they judge that
    role. ``managed`` holds the policies the role gets: AWS managed policies by ARN, and customer
    managed policy references as the ARN of the policy of that path and name in the scanned scope
    (its ``document`` Unknown when that scope does not define it). ``inline`` holds the one inline
    policy, named ``AwsSSOInlinePolicy`` as in the accounts. ``assigned`` says whether an assignment
    of the set to an account is in scope (what an IaC account baseline counts), Unknown when an
    assignment's permission set could not be resolved. ``address`` is where a finding is reported.
    ``maybe_attached`` holds what a resource may add to it without naming it certainly (as for a role).
    """

    name: str
    address: str
    arn: str | None = None
    managed: tuple[ManagedAttachment, ...] | Unknown = ()
    inline: tuple[InlinePolicy, ...] | Unknown = ()
    boundary: str | None = None
    assigned: bool | Unknown = False
    maybe_attached: tuple[MaybeAttached, ...] = ()


@dataclass(frozen=True)
class Account:
    """What the exists rule looks at: the roles in scope and who else holds the support policy.

    ``unreadable`` lists the reasons some part of the account could not be read (AccessDenied,
    throttling, unresolved references); an empty tuple means everything in scope was read.
    ``maybe_attached`` holds the attachments that may name a role of the account that is not
    among ``roles`` (see :class:`MaybeAttached`).
    ``permission_sets`` are the IAM Identity Center permission sets in scope (IaC: defined in the
    root; live: read in the management or delegated-administrator account).
    """

    address: str
    roles: tuple[Role, ...]
    support_users: tuple[str, ...] = ()
    support_groups: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    account_id: str | None = None
    partition: str = "aws"
    maybe_attached: tuple[MaybeAttached, ...] = ()
    permission_sets: tuple[PermissionSet, ...] = ()
