"""The tables of one Checkov graph: its vertices, per Terraform root module, by kind and by name.

Built once per scan from the attribute mappings of the graph's vertices (see the package's
docstring). Only what the support-role rules read is kept: roles, customer managed policies,
users, groups, data sources, the attachment resources, IAM Identity Center permission sets with
the resources that add to or assign them, and the account-baseline marker; every
resource's address is kept too, for the carrier of the exists result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ._hcl import instances, is_plan_file, items, literal, module_prefix, root_of
from .values import ROOT_PROBLEMS

MARKER_TYPE = "terraform_data"
MARKER_NAME = "cis_support_role_account_baseline"
MARKER_ADDRESS = f"{MARKER_TYPE}.{MARKER_NAME}"

ATTACHMENT_TYPES = frozenset(
    {
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role_policy_attachments_exclusive",
        "aws_iam_role_policy",
        "aws_iam_role_policies_exclusive",
        "aws_iam_user_policy_attachment",
        "aws_iam_user_policy_attachments_exclusive",
        "aws_iam_group_policy_attachment",
        "aws_iam_group_policy_attachments_exclusive",
    }
)
"""The resource types that attach policies (read by :mod:`.attachments`)."""

PERMISSION_SET_TYPE = "aws_ssoadmin_permission_set"
SSO_ATTACHMENT_TYPES = frozenset(
    {
        "aws_ssoadmin_managed_policy_attachment",
        "aws_ssoadmin_customer_managed_policy_attachment",
        "aws_ssoadmin_permission_set_inline_policy",
        "aws_ssoadmin_permissions_boundary_attachment",
        "aws_ssoadmin_account_assignment",
    }
)
"""The resource types that add to an IAM Identity Center permission set or assign it (read by
:mod:`.permission_sets`)."""


@dataclass
class Vertex:
    """One resource or data source of the graph, with where it is."""

    block: str  # resource | data
    type: str  # without the "data." prefix
    address: str  # full address, with module prefix and index (data sources without "data.")
    module: str  # module prefix of the address
    file: str
    attrs: Mapping[str, object]
    uncertain: bool = False  # count/for_each could not be evaluated: it may not exist at all

    @property
    def local(self) -> str:
        """The address inside its module: ``aws_iam_role.r["k"]``."""
        return self.address[len(self.module) :]

    @property
    def family(self) -> str:
        """``type.name``: the local address without its index."""
        return self.local.split("[", 1)[0]

    @property
    def in_plan(self) -> bool:
        """Whether the vertex comes from a plan JSON file (values known only after apply differ)."""
        return is_plan_file(self.file)


@dataclass
class Table:
    """Vertices of one kind by address, with lookups by ``type.name`` and by literal IAM name."""

    by_address: dict[str, Vertex] = field(default_factory=dict)
    by_family: dict[str, list[str]] = field(default_factory=dict)  # "aws_iam_role.r" -> addresses
    by_name: dict[str, list[str]] = field(default_factory=dict)  # literal ``name`` -> addresses

    def add(self, vertex: Vertex) -> None:
        self.by_address[vertex.address] = vertex
        self.by_family.setdefault(vertex.family, []).append(vertex.address)
        name = literal(vertex.attrs.get("name"))
        if name is not None:
            self.by_name.setdefault(name, []).append(vertex.address)

    def __contains__(self, address: object) -> bool:
        return address in self.by_address

    def __getitem__(self, address: str) -> Vertex:
        return self.by_address[address]

    def __len__(self) -> int:
        return len(self.by_address)

    def family(self, type_: str, name: str) -> list[str]:
        """Every address that is ``type_.name`` under any module prefix and index."""
        return list(self.by_family.get(f"{type_}.{name}", ()))


@dataclass
class RootTables:
    """The vertices of one root module (a directory with the modules it calls, or a plan file)."""

    root: str
    roles: Table = field(default_factory=Table)
    policies: Table = field(default_factory=Table)  # aws_iam_policy
    users: Table = field(default_factory=Table)
    groups: Table = field(default_factory=Table)
    role_policies: Table = field(default_factory=Table)  # aws_iam_role_policy
    data: dict[tuple[str, str], Vertex] = field(default_factory=dict)  # (type, address) -> data source
    attachments: list[Vertex] = field(default_factory=list)  # resources of ATTACHMENT_TYPES, in graph order
    permission_sets: Table = field(default_factory=Table)  # aws_ssoadmin_permission_set
    sso_attachments: list[Vertex] = field(default_factory=list)  # resources of SSO_ATTACHMENT_TYPES, in graph order
    resources: list[str] = field(default_factory=list)  # every resource address
    marker: str | None = None  # the account-baseline marker's address, when declared
    problems: list[str] = field(default_factory=list)  # files of the root the scan did not see nor could read

    def add(self, vertex: Vertex) -> None:
        for problem in items(vertex.attrs.get(ROOT_PROBLEMS)):
            if isinstance(problem, str) and problem not in self.problems:
                self.problems.append(problem)
        if vertex.block == "data":
            self.data[(vertex.type, vertex.address)] = vertex
            return
        self.resources.append(vertex.address)
        table = _TABLES.get(vertex.type)
        if table is not None:
            getattr(self, table).add(vertex)
        if vertex.type in ATTACHMENT_TYPES:
            self.attachments.append(vertex)
        elif vertex.type in SSO_ATTACHMENT_TYPES:
            self.sso_attachments.append(vertex)
        elif vertex.type == MARKER_TYPE and vertex.address == MARKER_ADDRESS:
            self.marker = vertex.address


_TABLES = {
    "aws_iam_role": "roles",
    "aws_iam_policy": "policies",
    "aws_iam_user": "users",
    "aws_iam_group": "groups",
    "aws_iam_role_policy": "role_policies",
    PERMISSION_SET_TYPE: "permission_sets",
}


def vertex_of(attrs: Mapping[str, object]) -> Vertex | None:
    """The vertex of a graph node's attributes; None for what is not a resource or data source,
    or a resource that ``count = 0`` or an empty ``for_each`` does not create."""
    block = attrs.get("block_type_")
    if block not in ("resource", "data"):
        return None
    address = attrs.get("__address__")
    type_ = attrs.get("resource_type")
    if not isinstance(address, str) or not isinstance(type_, str):
        return None
    count = instances(attrs)
    if count == 0:
        return None
    if block == "data" and type_.startswith("data."):
        type_ = type_[len("data.") :]
    file = str(attrs.get("file_path_") or attrs.get("__file__") or "")
    return Vertex(str(block), type_, address, module_prefix(address), file, attrs, count is None)


class GraphTables:
    """Every root module's tables, and which root holds a resource address (one pass over the graph)."""

    def __init__(self, vertices: Iterable[Mapping[str, object]]) -> None:
        self.roots: dict[str, RootTables] = {}
        self._role_roots: dict[str, list[tuple[str, str]]] = {}  # role address -> [(root, file)]
        self._resource_roots: dict[str, list[tuple[str, str]]] = {}
        for attrs in vertices:
            vertex = vertex_of(attrs)
            if vertex is not None:
                self._add(root_of(attrs), vertex)

    def _add(self, root: str, vertex: Vertex) -> None:
        tables = self.roots.get(root)
        if tables is None:
            tables = self.roots[root] = RootTables(root)
        tables.add(vertex)
        if vertex.block == "resource":
            self._resource_roots.setdefault(vertex.address, []).append((root, vertex.file))
            if vertex.type == "aws_iam_role":
                self._role_roots.setdefault(vertex.address, []).append((root, vertex.file))

    def root_of_role(self, address: str, scanned_file: str | None = None) -> str | None:
        """The root holding the role at ``address`` (in ``scanned_file`` when given)."""
        return _pick(self._role_roots.get(address, []), scanned_file)

    def root_of_resource(self, address: str, scanned_file: str | None = None) -> str | None:
        """The root holding the resource at ``address`` (in ``scanned_file`` when given)."""
        return _pick(self._resource_roots.get(address, []), scanned_file)


def _pick(candidates: list[tuple[str, str]], scanned_file: str | None) -> str | None:
    """The root of the candidate whose file is the scanned file (Checkov gives it relative to the
    scanned folder: ``/../modules/x/main.tf`` for a local module outside it, which Checkov loads)."""
    if scanned_file:
        steps = [s for s in scanned_file.replace("\\", "/").split("/") if s not in ("", ".")]
        while steps and steps[0] == "..":
            steps.pop(0)
        suffix = "/".join(steps)
        candidates = [c for c in candidates if (f := c[1].replace("\\", "/")) == suffix or f.endswith("/" + suffix)]
    return candidates[0][0] if candidates else None
