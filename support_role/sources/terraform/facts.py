"""The facts of each root module: its roles, its IAM Identity Center permission sets, its account, and
the resource that carries the account's result."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from ..._facts import Account, InlinePolicy, ManagedAttachment, MaybeAttached, PermissionSet, Role, Unknown
from ..._values import is_unresolved_reference
from ._hcl import blocks, display_path, literal, root_of, single, text
from .attachments import Attachments, read_attachments
from .permission_sets import read_permission_sets
from .references import Resolver
from .tables import PERMISSION_SET_TYPE, GraphTables, RootTables
from .values import CONDITION, UNSCANNED, conditional, enrich


class RootModule:
    """One root module: its roles and its account as facts, read on first use and kept."""

    def __init__(self, tables: RootTables) -> None:
        self.tables = tables
        self.resolver = Resolver(tables)
        self._attachments: Attachments | None = None
        self._roles: dict[str, Role] = {}
        self._permission_sets: dict[str, PermissionSet] | None = None
        self._carrier: tuple[str | None] | None = None

    @property
    def root(self) -> str:
        """The root's path: a directory, or a plan JSON file."""
        return self.tables.root

    @property
    def marker(self) -> str | None:
        """The address of the account-baseline marker resource, when the root declares one."""
        return self.tables.marker

    @property
    def attachments(self) -> Attachments:
        if self._attachments is None:
            self._attachments = read_attachments(self.tables, self.resolver)
        return self._attachments

    def role(self, address: str) -> Role:
        """The facts of the role at ``address`` (KeyError when the root has no such role)."""
        cached = self._roles.get(address)
        if cached is None:
            cached = self._roles[address] = self._read_role(address)
        return cached

    @property
    def permission_sets(self) -> dict[str, PermissionSet]:
        """The root's ``aws_ssoadmin_permission_set`` resources as facts, by address (read once)."""
        if self._permission_sets is None:
            self._permission_sets = read_permission_sets(self.tables, self.resolver)
        return self._permission_sets

    def _read_role(self, address: str) -> Role:
        attachments = self.attachments
        vertex = self.tables.roles[address]
        attrs = vertex.attrs
        resolver = self.resolver
        trust = resolver.document(vertex, attrs.get("assume_role_policy"), f"{address}.assume_role_policy")
        managed = resolver.policies(vertex, "managed_policy_arns")
        for attachment, _ in attachments.managed.get(address, []):
            if attachment not in managed:  # the same policy attached by two resources is one attachment
                managed.append(attachment)
        inline: list[InlinePolicy] = []
        for block in blocks(attrs.get("inline_policy")):
            block_name = literal(block.get("name")) or literal(block.get("name_prefix"))
            if block_name is None and single(block.get("policy")) in (None, ""):
                continue  # an empty inline_policy block only tells Terraform to remove the others
            name = block_name or "inline_policy"
            inline.append(InlinePolicy(name, resolver.document(vertex, block.get("policy"), f"inline policy {name}")))
        inline += attachments.inline.get(address, [])
        seen = {p.name for p in inline}
        for name, source in attachments.exclusive_inline.get(address, []):
            if name not in seen:
                why = f"{source} lists it but its document is not in the scanned files"
                inline.append(InlinePolicy(name, Unknown(why)))
                seen.add(name)
        boundary = text(attrs.get("permissions_boundary"))
        # a role that exists only under a condition has its policies only under that condition
        managed = [conditional(m, attrs.get(CONDITION)) for m in managed]
        return Role(
            name=literal(attrs.get("name")) or address,
            address=address,
            trust=trust,
            managed=tuple(managed),
            inline=tuple(inline),
            boundary=None if boundary is None or is_unresolved_reference(boundary) else boundary.strip(),
            maybe_attached=attachments.maybe_on(address) + self._unread_files(),
        )

    def _unread_files(self) -> tuple[MaybeAttached, ...]:
        """A file of the root that the scan did not see and the reader could not read may attach
        any policy to any role of the root (so no role is judged on what is left)."""
        source = f"root module {display_path(self.root)}"
        return tuple(MaybeAttached(ManagedAttachment(Unknown(p)), source, p) for p in self.tables.problems)

    def account(self) -> Account:
        """The account the root stands for: its roles, the roles it attaches to by name only, who
        else holds the support policy."""
        attachments = self.attachments
        roles = [self.role(address) for address in sorted(self.tables.roles.by_address)]
        for name, attached in sorted(attachments.external_roles.items()):
            roles.append(
                Role(
                    name=name,
                    address=f"{name} (a role not defined in the scanned files)",
                    trust=Unknown("the role is not defined in the scanned files"),
                    managed=tuple(attached),
                )
            )
        has_roles = len(self.tables.roles) > 0
        return Account(
            address=f"root module {display_path(self.root)}",
            roles=tuple(roles),
            support_users=tuple(sorted(attachments.support_users)),
            support_groups=tuple(sorted(attachments.support_groups)),
            unreadable=tuple(self.tables.problems),
            # without a role of its own, whatever the root attaches names a role it does not define
            maybe_attached=() if has_roles else tuple(p.fact for p in attachments.possible),
            permission_sets=tuple(self.permission_sets[a] for a in sorted(self.permission_sets)),
        )

    def carrier(self) -> str | None:
        """The resource that carries the root's account-level (exists) result: the marker, else
        the first role by address, else the first resource by address (found once); never a
        resource of a file the scan did not see (Checkov reports only on what it scanned).

        A root module with ``.tf`` files has its result carried by a role of those files:
        Checkov scans its ``.tf.json`` files with another runner and another graph, which must
        not carry a second result for the same root."""
        if self._carrier is None:
            carrier: str | None = None
            roles = self.tables.roles.by_address
            scanned = [a for a, v in roles.items() if not v.attrs.get(UNSCANNED)]
            if _has_hcl_files(self.root):
                scanned = [a for a in scanned if not roles[a].file.endswith(".tf.json")]
                has_roles = any(not v.file.endswith(".tf.json") for v in roles.values())
            else:
                has_roles = bool(roles)
            if self.marker is not None:
                carrier = self.marker
            elif scanned:
                carrier = min(scanned)
            elif self.tables.resources and not has_roles:
                carrier = min(self.tables.resources)
            self._carrier = (carrier,)
        return self._carrier[0]


def _has_hcl_files(root: str) -> bool:
    """Whether a root module's folder holds ``.tf`` files (a plan file's root holds none)."""
    try:
        return os.path.isdir(root) and any(name.endswith(".tf") for name in os.listdir(root))
    except OSError:
        return False


class TerraformIndex:
    """Every root module of one Checkov graph, indexed once (build it once per scan)."""

    def __init__(self, vertices: Iterable[Mapping[str, object]]) -> None:
        self.tables = GraphTables(enrich(vertices, root_of))
        self.roots: dict[str, RootModule] = {root: RootModule(t) for root, t in self.tables.roots.items()}
        self._carriers: set[str] | None = None

    def is_carrier(self, address: str) -> bool:
        """Whether the address carries some root's exists result (cheap: most resources do not)."""
        if self._carriers is None:
            self._carriers = {c for c in (root.carrier() for root in self.roots.values()) if c is not None}
        return address in self._carriers

    def root_of_resource(self, address: str, scanned_file: str | None = None) -> RootModule | None:
        """The root module holding the resource at ``address`` (in ``scanned_file`` when given)."""
        root = self.tables.root_of_resource(address, scanned_file)
        return self.roots.get(root) if root is not None else None

    def role(self, address: str, scanned_file: str | None = None) -> Role | None:
        """The facts of the role at ``address`` (None when the graph has no such role)."""
        root = self.tables.root_of_role(address, scanned_file)
        return None if root is None else self.roots[root].role(address)

    def permission_set(self, address: str, scanned_file: str | None = None) -> PermissionSet | None:
        """The facts of the IAM Identity Center permission set at ``address`` (None when the graph
        has no such permission set)."""
        root = self.root_of_resource(address, scanned_file)
        return None if root is None else root.permission_sets.get(address)

    def __iter__(self) -> Iterator[RootModule]:
        return iter(self.roots.values())


def role_from_conf(conf: Mapping[str, object], address: str, why: str | None = None) -> Role:
    """A role read from its own resource alone (Checkov gave no graph, or ``why`` the graph did
    not give it): attachments unseen.

    Separate attachment resources cannot be read without the graph, so the role's managed
    policies include an Unknown that says so; a role that shows AWSSupportAccess in its own
    ``managed_policy_arns`` is still recognised as a support role.
    """
    attrs = dict(conf)
    attrs.pop("count", None)  # the scanner handed this resource over, so it is judged whatever count says
    attrs.update({"block_type_": "resource", "resource_type": "aws_iam_role", "__address__": address})
    role = TerraformIndex([attrs]).role(address)
    assert role is not None
    why = why or "Checkov gave the check no graph (TF_SPLIT_GRAPH?)"
    missing = ManagedAttachment(Unknown(f"{why}, so attachment resources could not be read"))
    return replace(role, managed=role.managed if isinstance(role.managed, Unknown) else (*role.managed, missing))


def permission_set_from_conf(conf: Mapping[str, object], address: str) -> PermissionSet:
    """A permission set read from its own resource alone (Checkov gave no graph): what the
    ``aws_ssoadmin_*`` resources add to it is unseen, so its managed policies are Unknown."""
    attrs = dict(conf)
    attrs.pop("count", None)
    attrs.update({"block_type_": "resource", "resource_type": PERMISSION_SET_TYPE, "__address__": address})
    permission_set = TerraformIndex([attrs]).permission_set(address)
    assert permission_set is not None
    why = "Checkov gave the check no graph (TF_SPLIT_GRAPH?), so the permission set's attachments could not be read"
    return replace(permission_set, managed=Unknown(why))
