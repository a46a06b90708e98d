"""Terraform values Checkov leaves unevaluated, read by the core from the files themselves.

Checkov's graph holds, for an expression it could not evaluate, the expression's text (or a
Python-repr rendering of it); for a plan value known only after apply, the first reference of its
expression. :func:`enrich` gives the Terraform source vertices whose IAM attributes are values
instead: for an HCL root module, evaluated from its ``.tf`` files by :mod:`support_role.hcl`; for a
plan JSON file, read from the plan itself with its unknowns typed by their references.

* A value Checkov evaluated cleanly is kept as Checkov gave it (it may hold what a ``--var-file``
  set, which the files do not show).
* A reference whose target fixes the kind of a principal (:data:`PRINCIPAL_KINDS`) becomes a
  :class:`~support_role.TypedReference` where a policy document holds it; elsewhere (a role or a
  policy named by reference) it becomes the reference's text, which the source resolves.
* A conditional the files do not settle becomes a :class:`~support_role._values.Choice`; a
  resource counted 0 or 1 under such a condition is kept with its condition
  (``__condition__``).
* A root module scanned in part (``checkov -f`` on one of its files) gets the resources of its other
  files as vertices (``__unscanned__``), so that attachments in those files count; a file that
  cannot be read is named in ``__root_problems__`` of the scanned vertices.
* What cannot be evaluated stays as Checkov gave it, and is read as unresolved: never as text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ..._arn import oidc_issuer
from ..._facts import ManagedAttachment, ReferenceKind, TypedReference, Unevaluated, Unknown
from ..._values import Choice, is_unresolved_reference
from ...hcl import Choice as HclChoice
from ...hcl import EncodedJson, Ref, SyntaxProblem, UnknownValue, Value, parse_expression, render
from ...hcl._module import Instance, ModuleCache, ModuleTree
from ...hcl._plan import PlanTree
from ...hcl._syntax import subjects
from ._hcl import single

# (resource type, attribute) whose value is a principal of a known kind (hashicorp/aws 5.100).
PRINCIPAL_KINDS: dict[tuple[str, str], ReferenceKind] = {
    ("aws_iam_user", "arn"): ReferenceKind.IAM_USER,
    ("aws_iam_users", "arns"): ReferenceKind.IAM_USER,
    ("aws_iam_role", "arn"): ReferenceKind.IAM_ROLE,
    ("aws_iam_roles", "arns"): ReferenceKind.IAM_ROLE,
    ("aws_iam_service_linked_role", "arn"): ReferenceKind.IAM_ROLE,
    ("aws_iam_session_context", "issuer_arn"): ReferenceKind.IAM_ROLE,
    ("aws_iam_group", "arn"): ReferenceKind.IAM_GROUP,
    ("aws_iam_saml_provider", "arn"): ReferenceKind.SAML_PROVIDER,
    ("aws_iam_openid_connect_provider", "arn"): ReferenceKind.OIDC_PROVIDER,
    ("aws_caller_identity", "account_id"): ReferenceKind.ACCOUNT,
    ("aws_caller_identity", "id"): ReferenceKind.ACCOUNT,
    ("aws_organizations_account", "id"): ReferenceKind.ACCOUNT,
    ("aws_organizations_organization", "master_account_id"): ReferenceKind.ACCOUNT,
}
# The attribute that holds the name a typed reference shows (with the path, when there is one).
_NAME_ATTRIBUTE = {
    "aws_iam_user": ("name", "user_name"),
    "aws_iam_role": ("name",),
    "aws_iam_group": ("name", "group_name"),
}

# Attributes the Terraform source reads, per resource type; documents are read with typed references.
DOCUMENTS = frozenset({"assume_role_policy", "policy"})
READ: dict[str, tuple[str, ...]] = {
    "aws_iam_role": (
        "name",
        "path",
        "assume_role_policy",
        "managed_policy_arns",
        "inline_policy",
        "permissions_boundary",
    ),
    "aws_iam_policy": ("name", "path", "policy"),
    "aws_iam_role_policy_attachment": ("role", "policy_arn"),
    "aws_iam_policy_attachment": ("roles", "users", "groups", "policy_arn"),
    "aws_iam_role_policy_attachments_exclusive": ("role_name", "policy_arns"),
    "aws_iam_role_policy": ("role", "name", "name_prefix", "policy"),
    "aws_iam_role_policies_exclusive": ("role_name", "policy_names"),
    "aws_iam_user_policy_attachment": ("user", "policy_arn"),
    "aws_iam_user_policy_attachments_exclusive": ("user_name", "policy_arns"),
    "aws_iam_group_policy_attachment": ("group", "policy_arn"),
    "aws_iam_group_policy_attachments_exclusive": ("group_name", "policy_arns"),
    "aws_iam_user": ("name",),
    "aws_iam_group": ("name",),
    "terraform_data": (),
    # IAM Identity Center permission sets and what names them (permission_sets.py)
    "aws_ssoadmin_permission_set": ("name",),
    "aws_ssoadmin_managed_policy_attachment": ("permission_set_arn", "managed_policy_arn"),
    "aws_ssoadmin_customer_managed_policy_attachment": ("permission_set_arn", "customer_managed_policy_reference"),
    "aws_ssoadmin_permission_set_inline_policy": ("permission_set_arn", "inline_policy"),
    "aws_ssoadmin_permissions_boundary_attachment": ("permission_set_arn", "permissions_boundary"),
    "aws_ssoadmin_account_assignment": ("permission_set_arn",),
}
# Attributes that hold one policy document under another name than DOCUMENTS' (type, attribute).
_DOCUMENT_ATTRIBUTES = frozenset({("aws_ssoadmin_permission_set_inline_policy", "inline_policy")})
# Text Checkov leaves where it did not evaluate: a reference, an interpolation, a call, a splat,
# a for expression, a conditional, a Python repr of a collection.
_EXPRESSION = re.compile(
    r"\$\{|\[\s*\*\s*\]|\.\*(?:\.|$)|\[\s*for\s|^\s*[A-Za-z_][A-Za-z0-9_:]*\(|\{'|\['|\s\?\s.*\s:\s"
)

UNSCANNED = "__unscanned__"
CONDITION = "__condition__"
ROOT_PROBLEMS = "__root_problems__"


class _Keep:
    """The converted value is no better than Checkov's: keep Checkov's."""


KEEP = _Keep()


# ------------------------------------------------------------------------------------ readers
class _Reader:
    """What a root's instances hold, from the HCL files or from the plan file."""

    def attribute(self, address: str, name: str) -> Value:
        raise NotImplementedError

    def resolve(self, ref: Ref) -> Value:
        return self.attribute(ref.address, ref.attribute)


@dataclass
class _HclReader(_Reader):
    tree: ModuleTree

    def attribute(self, address: str, name: str) -> Value:
        return self.tree.attribute(address, name)


@dataclass
class _PlanReader(_Reader):
    tree: PlanTree

    def attribute(self, address: str, name: str) -> Value:
        return self.tree.attribute(address, name)

    def resolve(self, ref: Ref) -> Value:
        return self.tree.resolve(ref)


# --------------------------------------------------------------------------------- conversion
def typed_reference(ref: Ref, reader: _Reader) -> TypedReference | None:
    """The principal a reference stands for, when its target fixes the kind (None otherwise).

    A reference kept by a plan without its attribute (a splat) is read as the target's ARN.
    """
    attribute = ref.attribute or ("account_id" if ref.type == "aws_caller_identity" else "arn")
    kind = PRINCIPAL_KINDS.get((ref.type, attribute))
    if kind is None and ref.attribute == "":
        kind = PRINCIPAL_KINDS.get((ref.type, "arns"))
    if kind is None:
        return None
    expression = ref.text if ref.attribute else ref.address
    name: str | None = None
    issuer: str | None = None
    if kind in (ReferenceKind.IAM_USER, ReferenceKind.IAM_ROLE, ReferenceKind.IAM_GROUP):
        for key in _NAME_ATTRIBUTE.get(ref.type, ()):
            value = reader.attribute(ref.address, key)
            if isinstance(value, str) and value:
                path = reader.attribute(ref.address, "path")
                prefix = path.strip("/") + "/" if isinstance(path, str) and path.strip("/") else ""
                name = prefix + value
                break
    if kind is ReferenceKind.SAML_PROVIDER:
        value = reader.attribute(ref.address, "name")
        name = value if isinstance(value, str) else None
    if kind is ReferenceKind.OIDC_PROVIDER:
        value = reader.attribute(ref.address, "url")
        issuer = oidc_issuer(value) if isinstance(value, str) and value else None
    return TypedReference(kind, expression, name=name, issuer=issuer)


def to_raw(value: Value, reader: _Reader, *, typed: bool) -> object:
    """A value in the shapes the Terraform source reads (``typed``: principals as typed references)."""
    if isinstance(value, HclChoice):
        return Choice(
            value.condition, to_raw(value.when_true, reader, typed=typed), to_raw(value.when_false, reader, typed=typed)
        )
    if isinstance(value, EncodedJson):
        return to_raw(value.value, reader, typed=typed)
    if isinstance(value, UnknownValue):
        if value.ref is not None:
            found = typed_reference(value.ref, reader) if typed else None
            return found if found is not None else value.ref.text
        if value.template is not None:
            return value.template
        return "${" + re.sub(r"[{}]", "", value.reason) + "}"
    if isinstance(value, tuple):
        return [to_raw(v, reader, typed=typed) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_raw(value[k], reader, typed=typed) for k in list(value)}
    return value


def _document(value: Value, reader: _Reader) -> object:
    """A policy document attribute: a plan's reference to a data document is followed.

    A document a plan does not know is Unknown with the plan's reason (what it refers to); one
    the HCL reader could not evaluate is left as Checkov gave it.
    """
    if isinstance(value, UnknownValue) and value.ref is not None:
        ref = value.ref
        if (ref.type, ref.attribute) in (
            ("aws_iam_policy_document", "json"),
            ("aws_iam_policy_document", "minified_json"),
            ("aws_iam_policy", "policy"),
        ):
            value = reader.resolve(ref)
        elif isinstance(reader, _PlanReader):
            return Unknown(value.reason)
        else:
            return KEEP
    if isinstance(value, UnknownValue) and value.template is None:
        return Unknown(value.reason) if isinstance(reader, _PlanReader) else KEEP
    if isinstance(value, HclChoice):
        return _document_branches(value, reader)
    return to_raw(value, reader, typed=True)


def _document_branches(value: Value, reader: _Reader) -> object:
    """A conditional document, branch by branch: a branch that is a whole unknown (``var.x`` without
    a value) stays unknown with what it is, instead of being read as the text of a document."""
    if isinstance(value, HclChoice):
        return Choice(
            value.condition,
            _document_branches(value.when_true, reader),
            _document_branches(value.when_false, reader),
        )
    if isinstance(value, UnknownValue) and value.ref is None:
        shown = value.template or value.reason
        return Unevaluated(f"{shown} cannot be read here ({value.reason})" if value.template else value.reason)
    return to_raw(value, reader, typed=True)


LISTS = frozenset({"managed_policy_arns", "policy_arns", "roles", "users", "groups", "policy_names", "inline_policy"})


def convert(name: str, value: Value, reader: _Reader, type_: str = "") -> object:
    """An attribute's value for the source, or :data:`KEEP` when Checkov's is as good (``type_``:
    the resource's type, for an attribute whose meaning depends on it)."""
    if name in DOCUMENTS or (type_, name) in _DOCUMENT_ATTRIBUTES:
        return _document(value, reader)
    if isinstance(value, UnknownValue) and (name in LISTS or (value.ref is None and value.template is None)):
        return KEEP  # a list known only as a whole reference, or a value we cannot read either
    if name == "inline_policy" and isinstance(value, tuple):
        blocks = []
        for block in value:
            if not isinstance(block, Mapping):
                return KEEP
            converted = {k: to_raw(block[k], reader, typed=False) for k in block if k != "policy"}
            if "policy" in block:
                policy = _document(block["policy"], reader)
                if policy is KEEP:
                    return KEEP
                converted["policy"] = policy
            blocks.append(converted)
        return blocks
    return to_raw(value, reader, typed=False)


def suspicious(value: object, depth: int = 0) -> bool:
    """Whether Checkov's value holds anything it did not evaluate (text of an expression)."""
    if depth > 64:
        return True
    if isinstance(value, str):
        return is_unresolved_reference(value) or bool(_EXPRESSION.search(value))
    if isinstance(value, Mapping):
        return "dynamic" in value or any(suspicious(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return any(suspicious(v, depth + 1) for v in value)
    return False


# ------------------------------------------------------------------------------------- roots
def _is_plan(path: str) -> bool:
    lower = path.lower()
    return lower.endswith(".json") and not lower.endswith(".tf.json")


@dataclass
class _Root:
    key: str  # the plan file, or the root module's directory
    vertices: list[dict[str, object]] = field(default_factory=list)


def enrich(
    vertices: Iterable[Mapping[str, object]], root_of: Callable[[Mapping[str, object]], str]
) -> Iterator[Mapping[str, object]]:
    """The vertices with what Checkov left unevaluated read from the files (see the module doc).

    ``root_of`` maps a vertex to its root (the Terraform source's ``root_of``).
    """
    roots: dict[str, _Root] = {}
    passthrough: list[Mapping[str, object]] = []
    for attrs in vertices:
        if attrs.get("block_type_") not in ("resource", "data"):
            passthrough.append(attrs)
            continue
        key = root_of(attrs)
        roots.setdefault(key, _Root(key)).vertices.append(dict(attrs))
    yield from passthrough
    modules = ModuleCache()  # each module directory parsed once for the whole graph, dropped after
    for root in roots.values():
        yield from _enrich_root(root, modules)


def _enrich_root(root: _Root, modules: ModuleCache) -> Iterator[Mapping[str, object]]:
    files = {str(v.get("file_path_") or v.get("__file__") or "") for v in root.vertices} - {""}
    if not files:  # a resource handed over without its file (no graph): nothing to read it from
        yield from root.vertices
        return
    plan_files = [f for f in files if _is_plan(f)]
    if plan_files:
        tree = PlanTree.read(plan_files[0])
        reader: _Reader = _PlanReader(tree)
        beside = _module_beside(plan_files[0], tree, modules)
        for vertex in root.vertices:
            yield _enrich_vertex(vertex, reader, None, plan=True, beside=beside)
        return
    if not os.path.isdir(root.key):
        yield from root.vertices
        return
    module = ModuleTree(root.key, modules)
    reader = _HclReader(module)
    seen = {os.path.abspath(f) for f in files if f}
    extra = list(_unscanned(module, reader, seen, root))  # marks the root's vertices with what it could not read
    for vertex in root.vertices:
        expanded = _expanded(vertex, module)
        if expanded is None:
            yield _enrich_vertex(vertex, reader, module, plan=False)
            continue
        for instance_vertex, target in expanded:
            yield _enrich_vertex(instance_vertex, reader, module, plan=False, target=target)
    yield from extra


# Resources whose own address carries results: Checkov reports on the address it gave.
_CARRIERS = frozenset({"aws_iam_role", "aws_ssoadmin_permission_set", "terraform_data"})


def _expanded(vertex: dict[str, object], module: ModuleTree) -> list[tuple[dict[str, object], str]] | None:
    """One vertex per instance of a resource whose ``count``/``for_each`` Checkov left unevaluated
    (``coalesce(var.n, length(var.arns))``, ``{for k, v in var.policies : k => v if var.create}``)
    where the files settle it, each with the address its attributes are read at; None when
    Checkov expanded it, or the files do not settle it either.

    An instance gets its Terraform address (``x.custom[0]``), except a role or permission set,
    which Checkov reports on the address it gave: it is read from its one instance (several or
    none: left as Checkov gave it, undecided)."""
    type_ = str(vertex.get("resource_type") or "")
    if vertex.get("block_type_") != "resource" or type_ not in READ:
        return None
    if not any(key in vertex and suspicious(vertex.get(key)) for key in ("count", "for_each")):
        return None
    address = _checkov_address(vertex)
    if address is None:
        return None
    found = module.block_instances(address)
    if found is None:
        return None
    if type_ in _CARRIERS and len(found) != 1:
        return None
    out: list[tuple[dict[str, object], str]] = []
    for instance in found:
        attrs = {k: v for k, v in vertex.items() if k not in ("count", "for_each")}
        if type_ not in _CARRIERS:
            attrs["__address__"] = instance.address
        out.append((attrs, instance.address))
    return out


def _checkov_address(attrs: Mapping[str, object]) -> str | None:
    address = attrs.get("__address__")
    if not isinstance(address, str):
        return None
    if attrs.get("block_type_") == "data" and not re.search(r"(?:^|\.)data\.", address):
        # Checkov's HCL graph names a data source without "data."
        prefix_end = re.match(r"^(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*", address)
        cut = prefix_end.end() if prefix_end else 0
        return address[:cut] + "data." + address[cut:]
    return address


def _module_beside(plan_file: str, tree: PlanTree, modules: ModuleCache) -> ModuleTree | None:
    """The root module the plan was made from, when its ``.tf`` files sit beside the plan file
    (``terraform show -json tfplan > tfplan.json`` in the module's folder): every block the plan
    configures at the root must be in those files."""
    directory = os.path.dirname(os.path.abspath(plan_file))
    if tree.problem or not tree.root_blocks or not any(n.endswith(".tf") for n in os.listdir(directory)):
        return None
    module = ModuleTree(directory, modules)
    have = {("managed", t, n) for t, n in module.files.resources} | {("data", t, n) for t, n in module.files.data}
    return module if tree.root_blocks <= have else None


def _from_beside(beside: ModuleTree, tree: PlanTree, address: str, name: str) -> Value | None:
    """An attribute the plan keeps only as references, evaluated from the module beside the plan,
    when the expression written there refers to exactly what the plan says it refers to."""
    expression = beside.expression(address, name)
    if expression is None:
        return None
    planned: set[str] = set()
    for reference in tree.references(address, name):
        parsed = parse_expression(reference)
        if not isinstance(parsed, SyntaxProblem):
            planned |= subjects(parsed)
    if subjects(expression) != planned:
        return None
    return beside.attribute(address, name)


def _enrich_vertex(
    vertex: dict[str, object],
    reader: _Reader,
    module: ModuleTree | None,
    *,
    plan: bool,
    beside: ModuleTree | None = None,
    target: str | None = None,
) -> dict[str, object]:
    """The vertex with its IAM attributes read at ``target`` (default: its own address)."""
    type_ = str(vertex.get("resource_type") or "")
    if vertex.get("block_type_") != "resource" or type_ not in READ:
        return vertex
    address = _checkov_address(vertex)
    if address is None:
        return vertex
    condition: str | None = None
    if target is None:
        target = address
        if module is not None and "count" in vertex and suspicious(vertex.get("count")):
            found = module.conditional_instance(address)
            if found is not None:
                instance, condition = found
                target = instance.address
                vertex["count"] = 1
                vertex[CONDITION] = condition
    out = dict(vertex)
    for name in READ[type_]:
        if name not in vertex:
            continue
        # Checkov's null for an attribute the files write (a conditional it evaluated wrongly,
        # ``x != "" ? x : data.d.json``) is no value either: read it from the files
        expression = module.expression(target, name) if module is not None and single(vertex[name]) is None else None
        if expression is None and not suspicious(vertex.get(name)):
            continue  # Checkov's value is a value (it may hold what a --var-file set)
        value = reader.attribute(target, name)
        converted = convert(name, value, reader, type_)
        if expression is not None and converted is KEEP and isinstance(value, UnknownValue):
            # not "not set": it is set, to an expression nobody can read here
            shown = render(expression, 120)
            converted = Unevaluated(value.reason if value.reason.startswith(shown) else f"{shown}: {value.reason}")
        unread = converted is KEEP or isinstance(converted, Unknown)  # the plan alone does not know it
        if unread and plan and beside is not None and isinstance(reader, _PlanReader):
            written = _from_beside(beside, reader.tree, target, name)
            if written is not None:
                from_module = convert(name, written, _HclReader(beside), type_)
                converted = converted if from_module is KEEP else from_module
        if converted is not KEEP:
            out[name] = converted
    return out


def _unscanned(module: ModuleTree, reader: _Reader, seen: set[str], root: _Root) -> Iterator[dict[str, object]]:
    """Vertices for the resources of the root module's files the scan did not see."""
    files = module.files
    unseen = [f for f in files.files if os.path.abspath(f) not in seen]
    unreadable = [
        f"{why}, and the scan did not read it either: it may attach policies to the roles of root module "
        f"{display(root.key)} (make it readable; a scan of one file with -f: scan the whole folder with checkov -d)"
        for path, why in files.problem_files.items()
        if os.path.abspath(path) not in seen
    ]
    if unreadable:
        for vertex in root.vertices:
            vertex[ROOT_PROBLEMS] = tuple(unreadable)
    if not unseen:
        return
    for (type_, name), block in files.resources.items():
        path = files.file_of(block)
        if path not in unseen or type_ not in READ:
            continue
        value = module.root.resource("managed", type_, name)
        for instance in _instances_of(value):
            attrs: dict[str, object] = {
                "block_type_": "resource",
                "resource_type": type_,
                "__address__": instance.address,
                "file_path_": path,
                UNSCANNED: True,
            }
            for attribute in READ[type_]:
                if attribute in instance:
                    converted = convert(attribute, instance[attribute], reader, type_)
                    attrs[attribute] = (
                        to_raw(instance[attribute], reader, typed=False) if converted is KEEP else converted
                    )
            yield attrs


def conditional(attachment: ManagedAttachment, condition: object) -> ManagedAttachment:
    """The attachment made only when ``condition`` holds (and under its own condition, if any)."""
    if not isinstance(condition, str) or not condition:
        return attachment
    both = condition if attachment.condition is None else f"{attachment.condition} and {condition}"
    return ManagedAttachment(attachment.arn, attachment.document, both)


def display(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return path if relative.startswith("..") else relative


def _instances_of(value: Value) -> list[Instance]:
    if isinstance(value, Instance):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, Instance)]
    if isinstance(value, Mapping):
        return [value[k] for k in value if isinstance(value[k], Instance)]  # type: ignore[misc]
    return []
