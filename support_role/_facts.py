"""The facts the rules decide on: policy documents, roles and the account.

Every fact that may be unreadable is typed ``X | Unknown``; an ``Unknown`` carries the reason a
person reads in the finding. Nothing here knows which scanner produced it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unknown:
    """A fact that could not be read, with the reason (a sentence fragment naming what and why)."""

    reason: str


class PrincipalKind(str, enum.Enum):
    AWS = "AWS"
    SERVICE = "Service"
    FEDERATED = "Federated"
    CANONICAL_USER = "CanonicalUser"


@dataclass(frozen=True)
class Principal:
    """One principal value with its kind. ``resolved`` is False for an unevaluated reference."""

    kind: PrincipalKind
    value: str
    resolved: bool = True


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


Document = PolicyDocument | Unknown


@dataclass(frozen=True)
class ManagedAttachment:
    """A managed policy attached to a role as a permissions policy.

    ``arn`` is the ARN as written (possibly with an interpolated partition) or Unknown when the
    reference could not be resolved. ``document`` is the policy's default version for a customer
    managed policy, Unknown when it is defined outside what was scanned, None when not needed
    (AWS managed policies).
    """

    arn: str | Unknown
    document: Document | None = None


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    document: Document


@dataclass(frozen=True)
class Role:
    """An IAM role as one scanner saw it. ``address`` is where a finding is reported."""

    name: str
    address: str
    arn: str | None = None
    trust: Document = field(default_factory=lambda: Unknown("trust policy not given"))
    managed: tuple[ManagedAttachment, ...] | Unknown = ()
    inline: tuple[InlinePolicy, ...] | Unknown = ()
    boundary: str | None = None


@dataclass(frozen=True)
class Account:
    """What the exists rule looks at: the roles in scope and who else holds the support policy.

    ``unreadable`` lists the reasons some part of the account could not be read (AccessDenied,
    throttling, unresolved references); an empty tuple means everything in scope was read.
    """

    address: str
    roles: tuple[Role, ...]
    support_users: tuple[str, ...] = ()
    support_groups: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    account_id: str | None = None
    partition: str = "aws"
