"""What the attachment resources of one root module attach, and to which roles.

Each kind of attachment resource (``aws_iam_role_policy_attachment``, ``aws_iam_policy_attachment``,
the ``_exclusive`` forms, ``aws_iam_role_policy``, the user and group attachments) is read by one
function below, in graph order, into :class:`Attachments`. An attachment whose role cannot be
pinned down (an unresolved reference, a ``count``/``for_each`` Checkov could not evaluate) is kept
as :class:`~support_role.MaybeAttached` with the roles it could name; an attachment naming by
literal name a role the root does not define is kept for that external role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..._arn import is_support_policy
from ..._facts import InlinePolicy, ManagedAttachment, MaybeAttached, Unknown
from ._hcl import items, literal, text
from .references import Resolver, RoleTarget
from .tables import ATTACHMENT_TYPES, RootTables, Table, Vertex
from .values import CONDITION, conditional


@dataclass(frozen=True)
class PossibleAttachment:
    """A :class:`~support_role.MaybeAttached` with the roles it could name (None: any role of the root)."""

    fact: MaybeAttached
    candidates: frozenset[str] | None

    def names(self, address: str) -> bool:
        return self.candidates is None or address in self.candidates


@dataclass
class Attachments:
    """Every attachment of one root module, by role address (external roles by name)."""

    managed: dict[str, list[tuple[ManagedAttachment, str]]] = field(default_factory=dict)  # (policy, source)
    inline: dict[str, list[InlinePolicy]] = field(default_factory=dict)
    exclusive_inline: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (policy name, source)
    possible: list[PossibleAttachment] = field(default_factory=list)
    external_roles: dict[str, list[ManagedAttachment]] = field(default_factory=dict)
    support_users: set[str] = field(default_factory=set)
    support_groups: set[str] = field(default_factory=set)

    def maybe_on(self, address: str) -> tuple[MaybeAttached, ...]:
        """What may be attached to the role at ``address``."""
        return tuple(p.fact for p in self.possible if p.names(address))


def read_attachments(tables: RootTables, resolver: Resolver) -> Attachments:
    """The attachments of every attachment resource of the root, in graph order."""
    reader = _Reader(tables, resolver)
    for vertex in tables.attachments:
        _READERS[vertex.type](reader, vertex)
    return reader.found


class _Reader:
    def __init__(self, tables: RootTables, resolver: Resolver) -> None:
        self.tables = tables
        self.resolver = resolver
        self.found = Attachments()

    def target(self, origin: Vertex, role_value: object) -> RoleTarget:
        """The roles an attachment names; uncertain when the attachment itself may not exist."""
        target = self.resolver.role(origin, role_value)
        if target.why is None and origin.uncertain:
            return RoleTarget(
                target.addresses, why=f"{origin.address} has a count or for_each that could not be evaluated"
            )
        return target

    def maybe(self, policy: ManagedAttachment | InlinePolicy, origin: Vertex, target: RoleTarget) -> None:
        fact = MaybeAttached(policy, origin.address, target.why or "unresolved")
        candidates = None if target.addresses is None else frozenset(target.addresses)
        self.found.possible.append(PossibleAttachment(fact, candidates))

    def attach(self, origin: Vertex, role_value: object, attachment: ManagedAttachment) -> None:
        attachment = conditional(attachment, origin.attrs.get(CONDITION))
        target = self.target(origin, role_value)
        if target.why is not None or target.addresses is None:
            self.maybe(attachment, origin, target)
            return
        if target.external is not None:
            self.found.external_roles.setdefault(target.external, []).append(attachment)
        for address in target.addresses:
            attached = self.found.managed.setdefault(address, [])
            if (attachment, origin.address) not in attached:  # a role named twice is attached once
                attached.append((attachment, origin.address))

    def attach_inline(self, origin: Vertex, role_value: object, policy: InlinePolicy) -> None:
        target = self.target(origin, role_value)
        if target.why is not None or target.addresses is None:
            self.maybe(policy, origin, target)
            return
        for address in target.addresses:
            self.found.inline.setdefault(address, []).append(policy)

    def holders(self, origin: Vertex, table: Table, values: object, into: set[str]) -> None:
        """Users or groups named by an attachment of the support policy (for the exists evidence)."""
        for value in items(values):
            into.add(self.resolver.principal_name(table, origin, value))


# --------------------------------------------------------------------------- attachment kinds
def _role_policy_attachment(reader: _Reader, vertex: Vertex) -> None:
    for attachment in reader.resolver.policy_choices(vertex, vertex.attrs.get("policy_arn")):
        reader.attach(vertex, vertex.attrs.get("role"), attachment)


def _policy_attachment(reader: _Reader, vertex: Vertex) -> None:
    for attachment in reader.resolver.policy_choices(vertex, vertex.attrs.get("policy_arn")):
        for role in items(vertex.attrs.get("roles")):
            reader.attach(vertex, role, attachment)
        arn = attachment.arn
        if isinstance(arn, str) and is_support_policy(arn):
            reader.holders(vertex, reader.tables.users, vertex.attrs.get("users"), reader.found.support_users)
            reader.holders(vertex, reader.tables.groups, vertex.attrs.get("groups"), reader.found.support_groups)


def _role_attachments_exclusive(reader: _Reader, vertex: Vertex) -> None:
    for attachment in reader.resolver.policies(vertex, "policy_arns"):
        reader.attach(vertex, vertex.attrs.get("role_name"), attachment)


def _role_policy(reader: _Reader, vertex: Vertex) -> None:
    attrs = vertex.attrs
    name = literal(attrs.get("name")) or literal(attrs.get("name_prefix")) or vertex.address
    document = reader.resolver.document(vertex, attrs.get("policy"), f"{vertex.address}.policy")
    reader.attach_inline(vertex, attrs.get("role"), InlinePolicy(name, document))


def _role_policies_exclusive(reader: _Reader, vertex: Vertex) -> None:
    target = reader.target(vertex, vertex.attrs.get("role_name"))
    names = [reader.resolver.inline_policy_name(vertex, n) for n in items(vertex.attrs.get("policy_names"))]
    if target.why is not None or target.addresses is None:
        unseen = Unknown(f"{vertex.address} lists it but its document is not in the scanned files")
        for name in names:
            reader.maybe(InlinePolicy(name, unseen), vertex, target)
        return
    for address in target.addresses:
        reader.found.exclusive_inline.setdefault(address, []).extend((name, vertex.address) for name in names)


def _holds_support_policy(vertex: Vertex) -> bool:
    attrs = vertex.attrs
    arns: Iterable[object] = items(attrs.get("policy_arns")) if "policy_arns" in attrs else [attrs.get("policy_arn")]
    return any(isinstance(a, str) and is_support_policy(a.strip()) for a in (text(x) for x in arns))


def _user_attachment(reader: _Reader, vertex: Vertex) -> None:
    if _holds_support_policy(vertex):
        user = vertex.attrs.get("user", vertex.attrs.get("user_name"))
        reader.holders(vertex, reader.tables.users, user, reader.found.support_users)


def _group_attachment(reader: _Reader, vertex: Vertex) -> None:
    if _holds_support_policy(vertex):
        group = vertex.attrs.get("group", vertex.attrs.get("group_name"))
        reader.holders(vertex, reader.tables.groups, group, reader.found.support_groups)


_READERS: dict[str, Callable[[_Reader, Vertex], None]] = {
    "aws_iam_role_policy_attachment": _role_policy_attachment,
    "aws_iam_policy_attachment": _policy_attachment,
    "aws_iam_role_policy_attachments_exclusive": _role_attachments_exclusive,
    "aws_iam_role_policy": _role_policy,
    "aws_iam_role_policies_exclusive": _role_policies_exclusive,
    "aws_iam_user_policy_attachment": _user_attachment,
    "aws_iam_user_policy_attachments_exclusive": _user_attachment,
    "aws_iam_group_policy_attachment": _group_attachment,
    "aws_iam_group_policy_attachments_exclusive": _group_attachment,
}
if set(_READERS) != ATTACHMENT_TYPES:  # the tables collect exactly what is read here
    raise ImportError("attachments: the readers and tables.ATTACHMENT_TYPES name different resource types")
