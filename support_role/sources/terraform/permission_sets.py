"""IAM Identity Center permission sets of one root module (the ``aws_ssoadmin_*`` resources).

A permission set is an ``aws_ssoadmin_permission_set``; what it grants comes from separate
resources that name it by ``permission_set_arn``:

* ``aws_ssoadmin_managed_policy_attachment`` (``managed_policy_arn``: an AWS managed policy);
* ``aws_ssoadmin_customer_managed_policy_attachment`` (``customer_managed_policy_reference``: the
  customer managed policy of that name and path in each assigned account, judged by the
  ``aws_iam_policy`` of that name and path in the root, else Unknown);
* ``aws_ssoadmin_permission_set_inline_policy`` (``inline_policy``: the one inline policy);
* ``aws_ssoadmin_permissions_boundary_attachment`` (``permissions_boundary``);
* ``aws_ssoadmin_account_assignment``: the set is assigned to an account (what an account baseline
  counts, docs/DECISIONS.md).

A permission set's ARN exists only once it is created, so only a reference to one of the root's
permission sets (``aws_ssoadmin_permission_set.<n>.arn``, which Checkov leaves as its text in HCL
and puts in place of the unknown value in a plan) names it; a literal ARN names a permission set
defined elsewhere, which is not judged here. A reference that cannot be pinned down to one set
(an index that is an expression, a ``count``/``for_each`` Checkov could not evaluate, any other
expression) is a :class:`~support_role.MaybeAttached` on every set it could name, and an
assignment of that kind leaves those sets' ``assigned`` Unknown unless another assignment is certain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..._facts import InlinePolicy, ManagedAttachment, MaybeAttached, PermissionSet, Unknown
from ..._identity_center import INLINE_POLICY_NAME, reference_path
from ..._values import describe, is_unresolved_reference
from ._hcl import blocks, literal, text
from .references import Resolver, parse_reference
from .tables import PERMISSION_SET_TYPE, SSO_ATTACHMENT_TYPES, RootTables, Vertex


@dataclass(frozen=True)
class _Target:
    """The permission sets a ``permission_set_arn`` names: certain ``addresses``, or the ones it might
    name with ``why`` it is not certain (``addresses`` empty and ``why`` None: a set defined elsewhere)."""

    addresses: tuple[str, ...]
    why: str | None = None


@dataclass
class _Found:
    managed: dict[str, list[ManagedAttachment]] = field(default_factory=dict)
    inline: dict[str, list[InlinePolicy]] = field(default_factory=dict)
    boundary: dict[str, str | None] = field(default_factory=dict)  # None: a boundary that could not be read
    maybe: dict[str, list[MaybeAttached]] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)
    maybe_assigned: dict[str, str] = field(default_factory=dict)  # address -> why it may be assigned


class _Reader:
    def __init__(self, tables: RootTables, resolver: Resolver) -> None:
        self.tables = tables
        self.resolver = resolver
        self.found = _Found()

    def target(self, origin: Vertex) -> _Target:
        value = text(origin.attrs.get("permission_set_arn"))
        every = tuple(self.tables.permission_sets.by_address)
        if value is None:
            shown = describe(origin.attrs.get("permission_set_arn"))
            return _Target(every, f"{origin.address}: its permission set is given as {shown}")
        value = value.strip()
        reference = parse_reference(value)
        if reference is not None and reference.type == PERMISSION_SET_TYPE and not reference.data:
            addresses, exact = self.resolver.addresses(self.tables.permission_sets, origin, reference)
            if not exact:
                return _Target(
                    tuple(addresses), f"{origin.address}: {value} could not be resolved to one permission set"
                )
            if origin.uncertain:
                why = f"{origin.address} has a count or for_each that could not be evaluated"
                return _Target(tuple(addresses), why)
            return _Target(tuple(addresses))
        if is_unresolved_reference(value) or "${" in value:
            return _Target(every, f"{origin.address}: its permission set {value} could not be resolved")
        return _Target(())  # a literal ARN: a permission set this root does not define

    def add(self, origin: Vertex, policy: ManagedAttachment | InlinePolicy) -> None:
        target = self.target(origin)
        for address in target.addresses:
            if target.why is not None:
                self.found.maybe.setdefault(address, []).append(MaybeAttached(policy, origin.address, target.why))
            elif isinstance(policy, InlinePolicy):
                self.found.inline.setdefault(address, []).append(policy)
            elif policy not in self.found.managed.get(address, []):
                self.found.managed.setdefault(address, []).append(policy)

    def reference(self, origin: Vertex, value: object, what: str) -> ManagedAttachment:
        """A ``customer_managed_policy_reference`` block: the root's ``aws_iam_policy`` of that name and path."""
        found = blocks(value)
        entry = found[0] if len(found) == 1 else None
        raw_name = entry.get("name") if entry is not None else None
        name = literal(raw_name)
        if entry is not None and name is None:
            name = self._policy_name(origin, raw_name)
        if entry is None or name is None:
            shown = describe(value if entry is None else raw_name)
            return ManagedAttachment(Unknown(f"{origin.address}.{what} {shown} is not evaluated"))
        path = reference_path(literal(entry.get("path")))
        arn = f"arn:${{partition}}:iam::${{account}}:policy{path}{name}"
        policies = self.tables.policies
        candidates = [
            a for a in policies.by_name.get(name, []) if reference_path(literal(policies[a].attrs.get("path"))) == path
        ]
        if len(candidates) == 1:
            return ManagedAttachment(arn, self.resolver.customer_policy(candidates[0]).document)
        why = "is not defined in the scanned files" if not candidates else "matches several aws_iam_policy resources"
        return ManagedAttachment(
            arn, Unknown(f"the customer managed policy {path}{name} that {origin.address} refers to {why}")
        )

    def _policy_name(self, origin: Vertex, value: object) -> str | None:
        """The name of the root's ``aws_iam_policy`` a reference (``aws_iam_policy.p.name``) names."""
        found = text(value)
        reference = parse_reference(found) if found else None
        if reference is None or reference.type != "aws_iam_policy" or reference.data or reference.attr != "name":
            return None
        addresses, exact = self.resolver.addresses(self.tables.policies, origin, reference)
        return literal(self.tables.policies[addresses[0]].attrs.get("name")) if exact else None


def _managed(reader: _Reader, vertex: Vertex) -> None:
    reader.add(vertex, reader.resolver.policy(vertex, vertex.attrs.get("managed_policy_arn")))


def _customer(reader: _Reader, vertex: Vertex) -> None:
    key = "customer_managed_policy_reference"
    reader.add(vertex, reader.reference(vertex, vertex.attrs.get(key), key))


def _inline(reader: _Reader, vertex: Vertex) -> None:
    document = reader.resolver.document(vertex, vertex.attrs.get("inline_policy"), f"{vertex.address}.inline_policy")
    reader.add(vertex, InlinePolicy(INLINE_POLICY_NAME, document))


def _boundary(reader: _Reader, vertex: Vertex) -> None:
    # A boundary never makes or unmakes a support permission set; it is kept for the exists evidence only.
    target = reader.target(vertex)
    if target.why is not None:
        return
    found = blocks(vertex.attrs.get("permissions_boundary"))
    arn: str | None = None
    if len(found) == 1:
        arn = literal(found[0].get("managed_policy_arn"))
        if arn is None and blocks(found[0].get("customer_managed_policy_reference")):
            reference = reader.reference(vertex, found[0].get("customer_managed_policy_reference"), "boundary")
            arn = reference.arn if isinstance(reference.arn, str) else None
    for address in target.addresses:
        reader.found.boundary[address] = arn


def _assignment(reader: _Reader, vertex: Vertex) -> None:
    target = reader.target(vertex)
    for address in target.addresses:
        if target.why is None:
            reader.found.assigned.add(address)
        else:
            reader.found.maybe_assigned.setdefault(address, target.why)


_READERS: dict[str, Callable[[_Reader, Vertex], None]] = {
    "aws_ssoadmin_managed_policy_attachment": _managed,
    "aws_ssoadmin_customer_managed_policy_attachment": _customer,
    "aws_ssoadmin_permission_set_inline_policy": _inline,
    "aws_ssoadmin_permissions_boundary_attachment": _boundary,
    "aws_ssoadmin_account_assignment": _assignment,
}
if set(_READERS) != SSO_ATTACHMENT_TYPES:
    raise ImportError("permission_sets: the readers and SSO_ATTACHMENT_TYPES name different resource types")


def read_permission_sets(tables: RootTables, resolver: Resolver) -> dict[str, PermissionSet]:
    """Every permission set of the root by address, with what the root's ``aws_ssoadmin_*`` resources add."""
    reader = _Reader(tables, resolver)
    for vertex in tables.sso_attachments:
        _READERS[vertex.type](reader, vertex)
    found = reader.found
    result: dict[str, PermissionSet] = {}
    for address, vertex in tables.permission_sets.by_address.items():
        assigned: bool | Unknown = address in found.assigned
        if not assigned and address in found.maybe_assigned:
            assigned = Unknown(found.maybe_assigned[address])
        result[address] = PermissionSet(
            name=literal(vertex.attrs.get("name")) or address,
            address=address,
            managed=tuple(found.managed.get(address, [])),
            inline=tuple(found.inline.get(address, [])),
            boundary=found.boundary.get(address),
            assigned=assigned,
            maybe_attached=tuple(found.maybe.get(address, [])),
        )
    return result
