"""What the values of a root module's vertices refer to: roles, policies, documents, users, groups.

Checkov leaves a reference it could not evaluate as its text (``aws_iam_role.r.id``,
``data.aws_iam_policy_document.t.json``, ``module.m[0].aws_iam_policy.p.arn``); the
:class:`Resolver` of a root module resolves such values against that root's tables only, and
turns policy ARNs and policy documents into facts. Whatever it cannot pin down becomes
:class:`~support_role.Unknown` (or, for a role, a :class:`RoleTarget` that says why), never a guess.

The public interface (what the attachment semantics and the fact building use, and what is
extended for new kinds of references): :func:`parse_reference`, :class:`Reference`,
:class:`RoleTarget`, and the :class:`Resolver` methods ``addresses``, ``role``, ``principal_name``,
``inline_policy_name``, ``policy``, ``policies``, ``customer_policy`` and ``document``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..._arn import is_aws_managed_policy, policy_name, split_arn
from ..._facts import Document, ManagedAttachment, Unknown
from ..._policy import parse_policy, parse_terraform_statements
from ..._values import Choice, describe, is_unresolved_reference
from ._hcl import MODULE, blocks, items, literal, single, text
from .tables import RootTables, Table, Vertex
from .values import conditional

# A reference to an attribute of a resource or data source, e.g. ``aws_iam_role.r["k"].id``,
# ``module.m[0].aws_iam_policy.p.arn``, ``data.aws_iam_policy_document.t.json``.
_REFERENCE = re.compile(
    rf"^(?P<module>(?:{MODULE})*)(?P<data>data\.)?(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z0-9_-]+)"
    r"(?P<index>\[[^\]]*\])?\.(?P<attr>[a-z_]+)$"
)
# What IAM allows in ``policy/<path><name>``: anything else is an expression Checkov left unevaluated.
_POLICY_RESOURCE = re.compile(r"^policy/[\w+=,.@/-]+$")
_LITERAL_INDEX = re.compile(r'^\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]$')
_MERGING_KEYS = ("source_policy_documents", "override_policy_documents", "source_json", "override_json")


@dataclass(frozen=True)
class Reference:
    """A reference to one attribute of a resource or data source, as written.

    ``module`` is the module prefix written before it (``""`` when it names something of the
    referring module), ``index`` the index as written (``""``, ``[0]``, ``["k"]``, ``[each.key]``).
    """

    text: str
    module: str
    data: bool
    type: str
    name: str
    index: str
    attr: str

    @property
    def literal_index(self) -> bool:
        """Whether the index is absent or a literal key or number (not an expression)."""
        return not self.index or bool(_LITERAL_INDEX.match(self.index))


def parse_reference(value: str) -> Reference | None:
    """The reference a whole string is (``aws_iam_role.r.name``), or None when it is something else."""
    found = _REFERENCE.match(value.strip())
    if found is None:
        return None
    return Reference(
        text=value.strip(),
        module=found.group("module") or "",
        data=bool(found.group("data")),
        type=found.group("type"),
        name=found.group("name"),
        index=found.group("index") or "",
        attr=found.group("attr"),
    )


@dataclass(frozen=True)
class RoleTarget:
    """Which roles of the root a role value names.

    Exactly one reading holds: ``addresses`` are certain (``why`` and ``external`` are None); or
    ``external`` is a literal name that no role of the root has (a role defined elsewhere); or
    ``why`` says why the value could not be pinned down, and ``addresses`` are then the roles it
    might name (None: any role of the root).
    """

    addresses: tuple[str, ...] | None
    external: str | None = None
    why: str | None = None


class Resolver:
    """Resolves the values of one root module's vertices against its tables."""

    def __init__(self, tables: RootTables) -> None:
        self.tables = tables

    # -------------------------------------------------------------------------- references
    def addresses(self, table: Table, origin: Vertex, reference: Reference) -> tuple[list[str], bool]:
        """(addresses, exact) of what ``reference``, written in ``origin``, names in ``table``.

        A reference without a module prefix names something of ``origin``'s own module; with a
        literal index (or none) it names one address when that address exists. Otherwise every
        instance under any module is a candidate, and the result is exact only when there is one.
        """
        prefix = reference.module or origin.module
        if reference.literal_index:
            exact = f"{prefix}{reference.type}.{reference.name}{reference.index}"
            if exact in table:
                return [exact], True
        family = table.family(reference.type, reference.name)
        return family, len(family) == 1

    def role(self, origin: Vertex, value: object) -> RoleTarget:
        """The roles an attachment's role value names: a literal name or ARN, or a reference."""
        found = text(value)
        if found is None:
            return RoleTarget(None, why=f"the role is given as {describe(value)}")
        found = found.strip()
        reference = parse_reference(found)
        if reference is not None and reference.type == "aws_iam_role" and not reference.data:
            addresses, exact = self.addresses(self.tables.roles, origin, reference)
            if exact:
                return RoleTarget(tuple(addresses))
            return RoleTarget(tuple(addresses), why=f"the role reference {found} could not be resolved to one role")
        if is_unresolved_reference(found) or "${" in found:
            return RoleTarget(None, why=f"the role {found} could not be resolved")
        name = found.rsplit("/", 1)[-1] if found.startswith("arn:") and ":role/" in found else found
        named = self.tables.roles.by_name.get(name, [])
        return RoleTarget(tuple(named)) if named else RoleTarget((), external=name)

    def principal_name(self, table: Table, origin: Vertex, value: object) -> str:
        """The name of a user or group given by name or by reference (for the exists evidence)."""
        found = text(value) or describe(value)
        reference = parse_reference(found)
        if reference is not None and not reference.data:
            addresses, exact = self.addresses(table, origin, reference)
            if exact:
                return literal(table[addresses[0]].attrs.get("name")) or addresses[0]
        return found

    def inline_policy_name(self, origin: Vertex, value: object) -> str:
        """A policy name listed by ``aws_iam_role_policies_exclusive``: a literal, or a reference to an
        ``aws_iam_role_policy`` of the root that Checkov left unresolved (read as that resource's name)."""
        name = literal(value)
        if name is not None:
            return name
        found = text(value)
        reference = parse_reference(found) if found else None
        if reference is not None and reference.type == "aws_iam_role_policy" and reference.attr in ("name", "id"):
            addresses, exact = self.addresses(self.tables.role_policies, origin, reference)
            if exact:
                target = self.tables.role_policies[addresses[0]].attrs
                return literal(target.get("name")) or literal(target.get("name_prefix")) or addresses[0]
        return describe(value)

    # ---------------------------------------------------------------------------- policies
    def policy(self, origin: Vertex, value: object) -> ManagedAttachment:
        """A managed policy attachment from a policy ARN value (literal, interpolated or reference)."""
        found = text(value)
        if found is None:
            return ManagedAttachment(Unknown(f"{origin.address}: the policy ARN {describe(value)} is not a string"))
        found = found.strip()
        reference = parse_reference(found)
        if reference is not None and reference.type == "aws_iam_policy" and reference.attr in ("arn", "id"):
            if reference.data:
                return self._data_policy(origin, reference)
            addresses, exact = self.addresses(self.tables.policies, origin, reference)
            if exact:
                return self.customer_policy(addresses[0])
            return ManagedAttachment(Unknown(f"{origin.address}: the policy reference {found} could not be resolved"))
        if is_unresolved_reference(found):
            return ManagedAttachment(Unknown(f"{origin.address}: the policy ARN {found} could not be resolved"))
        return self._arn(origin, found)

    def policy_choices(self, origin: Vertex, value: object) -> list[ManagedAttachment]:
        """The policy of a single ARN value; one per branch of a conditional (``cond ? a : b``),
        each attached under its branch's condition (a null branch attaches nothing)."""
        value = single(value)
        if isinstance(value, Choice):
            out: list[ManagedAttachment] = []
            for condition, branch in _branches(value):
                if single(branch) is not None:
                    out += [conditional(a, condition) for a in self.policy_choices(origin, branch)]
            return out
        return [self.policy(origin, value)]

    def policies(self, origin: Vertex, key: str, value: object = None) -> list[ManagedAttachment]:
        """The policies of a list attribute (``managed_policy_arns``, ``policy_arns``).

        In a plan, a set with one element known only after apply is unknown as a whole, and Checkov
        puts the first reference of its expression in its place: the list is then Unknown, not that
        one policy (the AWSSupportAccess ARN beside it would otherwise be lost). A conditional list
        (``cond ? [arn] : []``) gives each branch's policies under its branch's condition.
        """
        raw = origin.attrs.get(key) if value is None else value
        if isinstance(single(raw), Choice):
            choice = single(raw)
            assert isinstance(choice, Choice)
            out: list[ManagedAttachment] = []
            for condition, branch in _branches(choice):
                out += [conditional(a, condition) for a in self.policies(origin, key, branch if branch else [])]
            return out
        listed = items(raw)
        if origin.in_plan:
            references = [i for i in listed if isinstance(i, str) and is_unresolved_reference(i.strip())]
            if references:
                why = f"{origin.address}.{key} is known only after apply (the plan shows only {references[0]})"
                return [ManagedAttachment(Unknown(why))]
        return [self.policy(origin, arn) for arn in listed]

    def customer_policy(self, address: str) -> ManagedAttachment:
        """The ``aws_iam_policy`` at ``address`` as an attachment, with its document."""
        vertex = self.tables.policies[address]
        name = literal(vertex.attrs.get("name")) or address
        path = literal(vertex.attrs.get("path")) or "/"
        arn = f"arn:${{partition}}:iam::${{account}}:policy{path}{name}"
        return ManagedAttachment(arn, self.document(vertex, vertex.attrs.get("policy"), f"{address}.policy"))

    def _data_policy(self, origin: Vertex, reference: Reference) -> ManagedAttachment:
        module = reference.module or origin.module
        vertex = self.tables.data.get(("aws_iam_policy", f"{module}aws_iam_policy.{reference.name}{reference.index}"))
        arn = literal(vertex.attrs.get("arn")) if vertex else None
        if arn is None:
            why = "it looks a policy up by name or the lookup is not in the scanned files"
            return ManagedAttachment(
                Unknown(f"{origin.address}: the policy {reference.text} could not be resolved ({why})")
            )
        return self._arn(origin, arn)

    def _arn(self, origin: Vertex, arn: str) -> ManagedAttachment:
        fields = split_arn(arn)
        if fields is not None and (
            any("${" in part for part in (fields[2], fields[3], fields[5])) or not _POLICY_RESOURCE.match(fields[5])
        ):
            return ManagedAttachment(Unknown(f"{origin.address}: the policy ARN {arn} could not be resolved"))
        if fields is None:
            # not a value a policy ARN can have: an expression Checkov left as text (never read as a
            # policy that is not the support policy: the attachment stays undecided)
            return ManagedAttachment(
                Unknown(f"{origin.address}: the policy ARN {arn} could not be evaluated (it is not an ARN)")
            )
        if is_aws_managed_policy(arn):
            return ManagedAttachment(arn)
        candidates = self.tables.policies.by_name.get(policy_name(arn), [])
        if len(candidates) == 1:
            return ManagedAttachment(arn, self.customer_policy(candidates[0]).document)
        why = "is not defined in the scanned files" if not candidates else "matches several aws_iam_policy resources"
        return ManagedAttachment(arn, Unknown(f"the customer managed policy {arn} {why}"))

    # --------------------------------------------------------------------------- documents
    def document(self, origin: Vertex, value: object, what: str) -> Document:
        """A policy document given inline, as JSON text, or as a data.aws_iam_policy_document reference."""
        while isinstance(value, list) and len(value) == 1:
            value = value[0]
        if value is None:
            return Unknown(f"{what} is not set")
        if isinstance(value, Unknown):  # read from the files or the plan: known not to be known
            return dataclasses.replace(value, reason=f"{what}: {value.reason}")
        if isinstance(value, str):
            reference = parse_reference(value)
            if reference is not None and reference.data and reference.type == "aws_iam_policy_document":
                return self._data_document(origin, reference)
        document = parse_policy(value)
        if isinstance(document, Unknown):
            return Unknown(f"{what}: {document.reason}")
        return document

    def _data_document(self, origin: Vertex, reference: Reference) -> Document:
        if reference.attr not in ("json", "minified_json"):
            return Unknown(f"{reference.text} is not a policy document")
        module = reference.module or origin.module
        base = f"{module}aws_iam_policy_document.{reference.name}"
        vertex = self.tables.data.get(("aws_iam_policy_document", base + reference.index))
        if vertex is None and reference.index:
            # Checkov does not expand count/for_each on data sources: one vertex stands for every
            # instance, with each.key/count.index left as ${...} tokens (read as such, never guessed)
            unexpanded = self.tables.data.get(("aws_iam_policy_document", base))
            if unexpanded is not None and ("for_each" in unexpanded.attrs or "count" in unexpanded.attrs):
                vertex = unexpanded
        if vertex is None:
            return Unknown(f"{reference.text} could not be resolved (the data source is not in the scanned files)")
        merged = [key for key in _MERGING_KEYS if items(vertex.attrs.get(key))]
        if merged:
            return Unknown(f"{reference.text} merges other documents ({', '.join(merged)}), which is not evaluated")
        document = parse_terraform_statements(blocks(vertex.attrs.get("statement")))
        if isinstance(document, Unknown):
            return Unknown(f"{reference.text}: {document.reason}")
        return document


def _branches(choice: Choice) -> tuple[tuple[str, object], tuple[str, object]]:
    """The two branches of a conditional value, each with the condition under which it is taken."""
    return (choice.condition, choice.when_true), (f"not ({choice.condition})", choice.when_false)
