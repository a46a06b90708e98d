"""Facts from Terraform as Checkov's graph shows it: HCL, ``.tf.json`` and plan JSON.

Input is the attribute mapping of every graph vertex (what ``graph.nodes()`` holds in Checkov 3:
``block_type_``, ``resource_type``, ``__address__``, ``file_path_``, ``source_module_object_`` and
the resource's own attributes, already rendered by Checkov). Nothing here imports Checkov: the
vertices are plain mappings, and ``source_module_object_`` is read by duck typing (``path`` and
``nested_tf_module`` as attributes or keys).

A **root** is one Terraform root module: the directory of an HCL/``.tf.json`` root module (with
every module it calls), or one plan JSON file. Roles, attachments and policies are matched
within their root only; IAM names are unique per account and a root module stands for (a part
of) one account, so a role in one root never satisfies or breaks another.

What is read, per role (the role's own resource carries every per-role result):

* trust: ``assume_role_policy`` as a ``jsonencode``/heredoc document (Checkov hands a mapping), a
  JSON string (plan JSON), or a reference to ``data.aws_iam_policy_document.<n>.json``;
* managed policies: ``managed_policy_arns``, ``aws_iam_role_policy_attachment``,
  ``aws_iam_policy_attachment`` (its ``roles`` list), ``aws_iam_role_policy_attachments_exclusive``;
* inline policies: ``inline_policy`` blocks, ``aws_iam_role_policy``,
  ``aws_iam_role_policies_exclusive`` (names whose document must come from the others);
* customer managed policies defined as ``aws_iam_policy`` in the same root: their document.

Roles are referenced by literal name, by ``aws_iam_role.<n>.name/.id/.arn`` (with module prefix
and index), from local modules, under ``count``/``for_each``. Whatever cannot be resolved becomes
:class:`Unknown` with the reason, never a silent omission: an attachment whose role cannot be
pinned down is reported as *maybe attached* (:class:`~support_role.MaybeAttached`) on every role
it could name, and the rules decide what that means.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from ..._arn import is_aws_managed_policy, is_support_policy, policy_name, split_arn
from ..._facts import Account, Document, InlinePolicy, ManagedAttachment, MaybeAttached, Role, Unknown
from ..._policy import parse_policy, parse_terraform_statements
from ..._values import describe, is_unresolved_reference

MARKER_TYPE = "terraform_data"
MARKER_NAME = "cis_support_role_account_baseline"
MARKER_ADDRESS = f"{MARKER_TYPE}.{MARKER_NAME}"

_MODULE = r'module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.'
_MODULE_PREFIX = re.compile(rf"^(?:{_MODULE})*")
# A reference to an attribute of a resource or data source, e.g. ``aws_iam_role.r["k"].id``,
# ``module.m[0].aws_iam_policy.p.arn``, ``data.aws_iam_policy_document.t.json``.
_REFERENCE = re.compile(
    rf"^(?P<module>(?:{_MODULE})*)(?P<data>data\.)?(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z0-9_-]+)"
    r"(?P<index>\[[^\]]*\])?\.(?P<attr>[a-z_]+)$"
)
# What IAM allows in ``policy/<path><name>``: anything else is an expression Checkov left unevaluated.
_POLICY_RESOURCE = re.compile(r"^policy/[\w+=,.@/-]+$")
_LITERAL_INDEX = re.compile(r'^\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]$')

ROLE_ATTACHMENT_TYPES = frozenset(
    {
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role_policy_attachments_exclusive",
        "aws_iam_role_policy",
        "aws_iam_role_policies_exclusive",
    }
)


def _single(value: object) -> object:
    """Checkov wraps scalar attributes in one-element lists (in ``conf``, not in vertices)."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _items(value: object) -> list[object]:
    """A list attribute as a flat list (Checkov's ``conf`` wraps lists twice)."""
    if value is None:
        return []
    out: list[object] = []
    pending = [value]  # a stack, not recursion: a value nested thousands deep must not raise
    while pending:
        item = pending.pop()
        if isinstance(item, list | tuple):
            pending.extend(reversed(item))
        else:
            out.append(item)
    return out


def _blocks(value: object) -> list[Mapping[str, object]]:
    """Nested blocks (``inline_policy``, ``statement``): one mapping or a list of them."""
    return [item for item in _items(value) if isinstance(item, Mapping)]


def _text(value: object) -> str | None:
    value = _single(value)
    return value if isinstance(value, str) else None


def _literal(value: object) -> str | None:
    """A string that is a value, not an unevaluated reference or interpolation."""
    text = _text(value)
    if text is None or not text.strip() or is_unresolved_reference(text) or "${" in text:
        return None
    return text.strip()


def module_prefix(address: str) -> str:
    """``module.a["x"].module.b.`` for ``module.a["x"].module.b.aws_iam_role.r``; ``""`` at the root."""
    match = _MODULE_PREFIX.match(address)
    return match.group(0) if match else ""


_EMPTY_COLLECTIONS = frozenset({"set()", "[]", "{}", "toset([])", "tomap({})"})


def _instances(attrs: Mapping[str, object]) -> int | None:
    """0 when ``count``/``for_each`` says the resource is not created, None when they could not
    be evaluated, 1 otherwise (Checkov expands evaluated ones into one vertex per instance)."""
    if "count" in attrs:
        count = _single(attrs["count"])
        if isinstance(count, bool) or not isinstance(count, int | str):
            return None
        if isinstance(count, str):
            if not count.strip().isdigit():
                return None
            count = int(count)
        if count == 0:
            return 0
    if "for_each" in attrs:
        each = attrs["for_each"]
        if isinstance(each, Mapping | list | tuple):
            return 0 if not each else 1
        if isinstance(each, str) and each.replace(" ", "") in _EMPTY_COLLECTIONS:
            return 0
        return None
    return 1


def _module_attr(obj: object, name: str) -> object:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def root_of(vertex: Mapping[str, object]) -> str:
    """The root a vertex belongs to: a plan file, or the directory of the calling root module."""
    file = str(vertex.get("file_path_") or vertex.get("__file__") or "")
    if _is_plan_file(file):
        return file
    module = vertex.get("source_module_object_")
    for _ in range(64):  # module nesting is shallow; the bound only guards against cycles
        if module is None:
            break
        outer = _module_attr(module, "nested_tf_module")
        if outer is None:
            caller = _module_attr(module, "path")
            if isinstance(caller, str) and caller:
                file = caller
            break
        module = outer
    return os.path.dirname(file) or "."


def _is_plan_file(path: str) -> bool:
    lower = path.lower()
    return lower.endswith(".json") and not lower.endswith(".tf.json")


@dataclass
class _Vertex:
    block: str  # resource | data
    type: str  # without the "data." prefix
    address: str  # full address, with module prefix and index (data sources without "data.")
    module: str  # module prefix of the address
    file: str
    attrs: Mapping[str, object]
    uncertain: bool = False  # count/for_each could not be evaluated: it may not exist at all

    @property
    def local(self) -> str:
        return self.address[len(self.module) :]


@dataclass(frozen=True)
class _Managed:
    """One managed-policy attachment found for a role, with where it came from."""

    attachment: ManagedAttachment
    source: str


@dataclass(frozen=True)
class _Maybe:
    """An attachment whose role could not be pinned down, with the roles it could name."""

    fact: MaybeAttached
    candidates: frozenset[str] | None  # role addresses it could name; None: any role of the root

    def names(self, address: str) -> bool:
        return self.candidates is None or address in self.candidates


@dataclass
class _RootIndex:
    root: str
    roles: dict[str, _Vertex] = field(default_factory=dict)
    roles_by_name: dict[str, list[str]] = field(default_factory=dict)
    roles_by_local: dict[str, list[str]] = field(default_factory=dict)  # "aws_iam_role.r" -> addresses
    policies: dict[str, _Vertex] = field(default_factory=dict)  # aws_iam_policy by address
    policies_by_name: dict[str, list[str]] = field(default_factory=dict)
    policies_by_local: dict[str, list[str]] = field(default_factory=dict)
    data: dict[tuple[str, str], _Vertex] = field(default_factory=dict)  # (type, address) -> data source
    users: dict[str, _Vertex] = field(default_factory=dict)
    groups: dict[str, _Vertex] = field(default_factory=dict)
    role_policies: dict[str, _Vertex] = field(default_factory=dict)  # aws_iam_role_policy by address
    attachments: list[_Vertex] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    marker: str | None = None
    # filled by _resolve()
    managed: dict[str, list[_Managed]] = field(default_factory=dict)
    inline: dict[str, list[InlinePolicy]] = field(default_factory=dict)
    exclusive_inline: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role -> (name, source)
    maybe: list[_Maybe] = field(default_factory=list)
    external_roles: dict[str, list[ManagedAttachment]] = field(default_factory=dict)
    support_users: set[str] = field(default_factory=set)
    support_groups: set[str] = field(default_factory=set)
    resolved: bool = False
    role_cache: dict[str, Role] = field(default_factory=dict)
    carrier_found: tuple[str | None] | None = None

    # ----------------------------------------------------------------------------- lookups
    def _family(self, table: Mapping[str, _Vertex], type_: str, name: str) -> list[str]:
        """Every address in the table that is ``type_.name`` under any module prefix and index."""
        local = f"{type_}.{name}"
        if table is self.roles or table is self.policies:
            by_local = self.roles_by_local if table is self.roles else self.policies_by_local
            return list(by_local.get(local, ()))
        return [a for a, v in table.items() if v.local.split("[", 1)[0] == local]

    def _referenced(
        self, table: Mapping[str, _Vertex], origin: _Vertex, match: re.Match[str]
    ) -> tuple[list[str], bool]:
        """(addresses, exact) for a parsed reference made from ``origin``."""
        module = match.group("module") or ""
        index = match.group("index") or ""
        prefix = module if module else origin.module
        local = f"{match.group('type')}.{match.group('name')}"
        if not index or _LITERAL_INDEX.match(index):
            exact = f"{prefix}{local}{index}"
            if exact in table:
                return [exact], True
        family = self._family(table, match.group("type"), match.group("name"))
        return family, len(family) == 1

    def role_targets(self, origin: _Vertex, value: object) -> tuple[list[str] | None, str | None, str | None]:
        """Which roles an attachment's role value names: (addresses, external name, unresolved why).

        Exactly one of the three is meaningful: role addresses when they are certain, a literal
        name that no role of this root has (a role defined elsewhere), or the reason the value
        could not be pinned down (then the addresses are the candidates it might name, None for
        any role of the root).
        """
        text = _text(value)
        if text is None:
            return None, None, f"the role is given as {describe(value)}"
        text = text.strip()
        match = _REFERENCE.match(text)
        if match and match.group("type") == "aws_iam_role" and not match.group("data"):
            addresses, exact = self._referenced(self.roles, origin, match)
            if exact:
                return addresses, None, None
            return addresses, None, f"the role reference {text} could not be resolved to one role"
        if is_unresolved_reference(text) or "${" in text:
            return None, None, f"the role {text} could not be resolved"
        name = text.rsplit("/", 1)[-1] if text.startswith("arn:") and ":role/" in text else text
        addresses = self.roles_by_name.get(name, [])
        return (list(addresses), None, None) if addresses else ([], name, None)

    def principal_name(self, table: Mapping[str, _Vertex], origin: _Vertex, value: object) -> str:
        """The name of a user or group given by name or by reference (for the exists evidence)."""
        text = _text(value) or describe(value)
        match = _REFERENCE.match(text.strip())
        if match and not match.group("data"):
            addresses, exact = self._referenced(table, origin, match)
            if exact:
                name = _literal(table[addresses[0]].attrs.get("name"))
                return name or addresses[0]
        return text

    def policy(self, origin: _Vertex, value: object) -> ManagedAttachment:
        """A managed policy attachment from a policy ARN value (literal, interpolated or reference)."""
        text = _text(value)
        if text is None:
            return ManagedAttachment(Unknown(f"{origin.address}: the policy ARN {describe(value)} is not a string"))
        text = text.strip()
        match = _REFERENCE.match(text)
        if match and match.group("type") == "aws_iam_policy" and match.group("attr") in ("arn", "id"):
            if match.group("data"):
                return self._data_policy(origin, match, text)
            addresses, exact = self._referenced(self.policies, origin, match)
            if exact:
                return self._customer(addresses[0])
            return ManagedAttachment(Unknown(f"{origin.address}: the policy reference {text} could not be resolved"))
        if is_unresolved_reference(text):
            return ManagedAttachment(Unknown(f"{origin.address}: the policy ARN {text} could not be resolved"))
        return self._arn(origin, text)

    def _data_policy(self, origin: _Vertex, match: re.Match[str], text: str) -> ManagedAttachment:
        module = match.group("module") or origin.module
        address = f"{module}aws_iam_policy.{match.group('name')}{match.group('index') or ''}"
        vertex = self.data.get(("aws_iam_policy", address))
        arn = _literal(vertex.attrs.get("arn")) if vertex else None
        if arn is None:
            why = "it looks a policy up by name or the lookup is not in the scanned files"
            return ManagedAttachment(Unknown(f"{origin.address}: the policy {text} could not be resolved ({why})"))
        return self._arn(origin, arn)

    def _arn(self, origin: _Vertex, text: str) -> ManagedAttachment:
        fields = split_arn(text)
        if fields is not None and (
            any("${" in part for part in (fields[2], fields[3], fields[5])) or not _POLICY_RESOURCE.match(fields[5])
        ):
            return ManagedAttachment(Unknown(f"{origin.address}: the policy ARN {text} could not be resolved"))
        if fields is None or is_aws_managed_policy(text):
            return ManagedAttachment(text)
        candidates = self.policies_by_name.get(policy_name(text), [])
        if len(candidates) == 1:
            return ManagedAttachment(text, self._customer(candidates[0]).document)
        why = "is not defined in the scanned files" if not candidates else "matches several aws_iam_policy resources"
        return ManagedAttachment(text, Unknown(f"the customer managed policy {text} {why}"))

    def _customer(self, address: str) -> ManagedAttachment:
        vertex = self.policies[address]
        name = _literal(vertex.attrs.get("name")) or address
        path = _literal(vertex.attrs.get("path")) or "/"
        arn = f"arn:${{partition}}:iam::${{account}}:policy{path}{name}"
        return ManagedAttachment(arn, self.document(vertex, vertex.attrs.get("policy"), f"{address}.policy"))

    def document(self, origin: _Vertex, value: object, what: str) -> Document:
        """A policy document given inline, as JSON text, or as a data.aws_iam_policy_document reference."""
        value = _single(value)
        if value is None:
            return Unknown(f"{what} is not set")
        if isinstance(value, str):
            match = _REFERENCE.match(value.strip())
            if match and match.group("data") and match.group("type") == "aws_iam_policy_document":
                return self._data_document(origin, match, value.strip())
        document = parse_policy(value)
        if isinstance(document, Unknown):
            return Unknown(f"{what}: {document.reason}")
        return document

    def _data_document(self, origin: _Vertex, match: re.Match[str], text: str) -> Document:
        if match.group("attr") not in ("json", "minified_json"):
            return Unknown(f"{text} is not a policy document")
        module = match.group("module") or origin.module
        base = f"{module}aws_iam_policy_document.{match.group('name')}"
        vertex = self.data.get(("aws_iam_policy_document", base + (match.group("index") or "")))
        if vertex is None and match.group("index"):
            # Checkov does not expand count/for_each on data sources: one vertex stands for every
            # instance, with each.key/count.index left as ${...} tokens (read as such, never guessed)
            unexpanded = self.data.get(("aws_iam_policy_document", base))
            if unexpanded is not None and ("for_each" in unexpanded.attrs or "count" in unexpanded.attrs):
                vertex = unexpanded
        if vertex is None:
            return Unknown(f"{text} could not be resolved (the data source is not in the scanned files)")
        merged = [
            key
            for key in ("source_policy_documents", "override_policy_documents", "source_json", "override_json")
            if _items(vertex.attrs.get(key))
        ]
        if merged:
            return Unknown(f"{text} merges other documents ({', '.join(merged)}), which is not evaluated")
        document = parse_terraform_statements(_blocks(vertex.attrs.get("statement")))
        if isinstance(document, Unknown):
            return Unknown(f"{text}: {document.reason}")
        return document

    # ------------------------------------------------------------------------- resolution
    def resolve(self) -> None:
        if self.resolved:
            return
        self.resolved = True
        for vertex in self.attachments:
            handler = _ATTACHMENT_HANDLERS.get(vertex.type)
            if handler is not None:
                handler(self, vertex)

    def _targets(self, origin: _Vertex, role_value: object) -> tuple[list[str] | None, str | None, str | None]:
        addresses, external, why = self.role_targets(origin, role_value)
        if why is None and origin.uncertain:
            why = f"{origin.address} has a count or for_each that could not be evaluated"
        return addresses, external, why

    def _attach(self, origin: _Vertex, role_value: object, attachment: ManagedAttachment) -> None:
        addresses, external, why = self._targets(origin, role_value)
        if why is not None or addresses is None:
            self.add_maybe(attachment, origin, why, addresses)
            return
        if external is not None:
            self.external_roles.setdefault(external, []).append(attachment)
        for address in addresses:
            attached = self.managed.setdefault(address, [])
            if not any(m.source == origin.address and m.attachment == attachment for m in attached):
                attached.append(_Managed(attachment, origin.address))  # a role named twice is attached once

    def add_maybe(
        self, policy: ManagedAttachment | InlinePolicy, origin: _Vertex, why: str | None, addresses: list[str] | None
    ) -> None:
        """Record an attachment whose role is not pinned down (``addresses``: the roles it could name)."""
        fact = MaybeAttached(policy, origin.address, why or "unresolved")
        self.maybe.append(_Maybe(fact, None if addresses is None else frozenset(addresses)))

    def _attach_inline(self, origin: _Vertex, role_value: object, policy: InlinePolicy) -> None:
        addresses, _, why = self._targets(origin, role_value)
        if why is not None or addresses is None:
            self.add_maybe(policy, origin, why, addresses)
            return
        for address in addresses:
            self.inline.setdefault(address, []).append(policy)

    def _principals(self, origin: _Vertex, table: Mapping[str, _Vertex], values: object, into: set[str]) -> None:
        for value in _items(values):
            into.add(self.principal_name(table, origin, value))

    # ----------------------------------------------------------------------------- facts
    def role(self, address: str) -> Role:
        cached = self.role_cache.get(address)
        if cached is not None:
            return cached
        self.resolve()
        vertex = self.roles[address]
        attrs = vertex.attrs
        name = _literal(attrs.get("name")) or address
        trust = self.document(vertex, attrs.get("assume_role_policy"), f"{address}.assume_role_policy")
        managed: list[ManagedAttachment] = _policy_list(self, vertex, "managed_policy_arns")
        for attached in self.managed.get(address, []):
            if attached.attachment not in managed:  # the same policy attached by two resources is one attachment
                managed.append(attached.attachment)
        inline: list[InlinePolicy] = []
        for block in _blocks(attrs.get("inline_policy")):
            block_name = _literal(block.get("name")) or _literal(block.get("name_prefix"))
            if block_name is None and _single(block.get("policy")) in (None, ""):
                continue  # an empty inline_policy block only tells Terraform to remove the others
            inline_name = block_name or "inline_policy"
            inline.append(
                InlinePolicy(inline_name, self.document(vertex, block.get("policy"), f"inline policy {inline_name}"))
            )
        inline += self.inline.get(address, [])
        seen = {p.name for p in inline}
        for policy_name_, source in self.exclusive_inline.get(address, []):
            if policy_name_ not in seen:
                why = f"{source} lists it but its document is not in the scanned files"
                inline.append(InlinePolicy(policy_name_, Unknown(why)))
                seen.add(policy_name_)
        boundary_text = _text(attrs.get("permissions_boundary"))
        boundary = None if boundary_text is None or is_unresolved_reference(boundary_text) else boundary_text.strip()
        role = Role(
            name=name,
            address=address,
            trust=trust,
            managed=tuple(managed),
            inline=tuple(inline),
            boundary=boundary,
            maybe_attached=tuple(m.fact for m in self.maybe if m.names(address)),
        )
        self.role_cache[address] = role
        return role

    def account(self) -> Account:
        self.resolve()
        roles = [self.role(address) for address in sorted(self.roles)]
        for name, attachments in sorted(self.external_roles.items()):
            roles.append(
                Role(
                    name=name,
                    address=f"{name} (a role not defined in the scanned files)",
                    trust=Unknown("the role is not defined in the scanned files"),
                    managed=tuple(attachments),
                )
            )
        return Account(
            address=f"root module {display_path(self.root)}",
            roles=tuple(roles),
            support_users=tuple(sorted(self.support_users)),
            support_groups=tuple(sorted(self.support_groups)),
            # without a role of its own, whatever the root attaches names a role it does not define
            maybe_attached=() if self.roles else tuple(m.fact for m in self.maybe),
        )

    def carrier(self) -> str | None:
        """The resource that carries the root's account-level (exists) result (found once)."""
        if self.carrier_found is None:
            carrier: str | None = None
            if self.marker is not None:
                carrier = self.marker
            elif self.roles:
                carrier = min(self.roles)
            elif self.resources:
                carrier = min(self.resources)
            self.carrier_found = (carrier,)
        return self.carrier_found[0]


# --------------------------------------------------------------------------- attachment kinds
def _role_policy_attachment(index: _RootIndex, vertex: _Vertex) -> None:
    index._attach(vertex, vertex.attrs.get("role"), index.policy(vertex, vertex.attrs.get("policy_arn")))


def _policy_attachment(index: _RootIndex, vertex: _Vertex) -> None:
    attachment = index.policy(vertex, vertex.attrs.get("policy_arn"))
    for role in _items(vertex.attrs.get("roles")):
        index._attach(vertex, role, attachment)
    arn = attachment.arn
    if isinstance(arn, str) and is_support_policy(arn):
        index._principals(vertex, index.users, vertex.attrs.get("users"), index.support_users)
        index._principals(vertex, index.groups, vertex.attrs.get("groups"), index.support_groups)


def _role_attachments_exclusive(index: _RootIndex, vertex: _Vertex) -> None:
    for attachment in _policy_list(index, vertex, "policy_arns"):
        index._attach(vertex, vertex.attrs.get("role_name"), attachment)


def _policy_list(index: _RootIndex, vertex: _Vertex, key: str) -> list[ManagedAttachment]:
    """The policies of a list attribute (``managed_policy_arns``, ``policy_arns``).

    In a plan, a set with one element known only after apply is unknown as a whole, and Checkov
    puts the first reference of its expression in its place: the list is then Unknown, not that
    one policy (the AWSSupportAccess ARN beside it would otherwise be lost).
    """
    items = _items(vertex.attrs.get(key))
    if _is_plan_file(vertex.file):
        references = [i for i in items if isinstance(i, str) and is_unresolved_reference(i.strip())]
        if references:
            why = f"{vertex.address}.{key} is known only after apply (the plan shows only {references[0]})"
            return [ManagedAttachment(Unknown(why))]
    return [index.policy(vertex, arn) for arn in items]


def _role_policy(index: _RootIndex, vertex: _Vertex) -> None:
    attrs = vertex.attrs
    name = _literal(attrs.get("name")) or _literal(attrs.get("name_prefix")) or vertex.address
    document = index.document(vertex, attrs.get("policy"), f"{vertex.address}.policy")
    index._attach_inline(vertex, attrs.get("role"), InlinePolicy(name, document))


def _role_policies_exclusive(index: _RootIndex, vertex: _Vertex) -> None:
    addresses, _, why = index._targets(vertex, vertex.attrs.get("role_name"))
    names = [_exclusive_name(index, vertex, n) for n in _items(vertex.attrs.get("policy_names"))]
    if why is not None or addresses is None:
        for name in names:
            unseen = Unknown(f"{vertex.address} lists it but its document is not in the scanned files")
            index.add_maybe(InlinePolicy(name, unseen), vertex, why, addresses)
        return
    for address in addresses:
        index.exclusive_inline.setdefault(address, []).extend((name, vertex.address) for name in names)


def _exclusive_name(index: _RootIndex, origin: _Vertex, value: object) -> str:
    """A name listed by ``aws_iam_role_policies_exclusive``; a reference to an ``aws_iam_role_policy``
    of the root that Checkov left unresolved is read as that resource's name."""
    literal = _literal(value)
    if literal is not None:
        return literal
    text = _text(value)
    match = _REFERENCE.match(text.strip()) if text else None
    if match and match.group("type") == "aws_iam_role_policy" and match.group("attr") in ("name", "id"):
        addresses, exact = index._referenced(index.role_policies, origin, match)
        if exact:
            target = index.role_policies[addresses[0]].attrs
            return _literal(target.get("name")) or _literal(target.get("name_prefix")) or addresses[0]
    return describe(value)


def _user_attachment(index: _RootIndex, vertex: _Vertex) -> None:
    attrs = vertex.attrs
    arns = _items(attrs.get("policy_arns")) if "policy_arns" in attrs else [attrs.get("policy_arn")]
    if any(isinstance(a, str) and is_support_policy(a.strip()) for a in (_text(x) for x in arns)):
        index._principals(vertex, index.users, attrs.get("user", attrs.get("user_name")), index.support_users)


def _group_attachment(index: _RootIndex, vertex: _Vertex) -> None:
    attrs = vertex.attrs
    arns = _items(attrs.get("policy_arns")) if "policy_arns" in attrs else [attrs.get("policy_arn")]
    if any(isinstance(a, str) and is_support_policy(a.strip()) for a in (_text(x) for x in arns)):
        index._principals(vertex, index.groups, attrs.get("group", attrs.get("group_name")), index.support_groups)


_ATTACHMENT_HANDLERS = {
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


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it, else as given."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


class TerraformIndex:
    """Every root module of one Checkov graph, indexed once (build it once per scan)."""

    def __init__(self, vertices: Iterable[Mapping[str, object]]) -> None:
        self.roots: dict[str, _RootIndex] = {}
        self._carriers: set[str] | None = None
        self._role_roots: dict[str, list[tuple[str, str]]] = {}  # role address -> [(root, file)]
        self._resource_roots: dict[str, list[tuple[str, str]]] = {}
        for attrs in vertices:
            self._add(attrs)

    def _add(self, attrs: Mapping[str, object]) -> None:
        block = attrs.get("block_type_")
        if block not in ("resource", "data"):
            return
        address = attrs.get("__address__")
        type_ = attrs.get("resource_type")
        if not isinstance(address, str) or not isinstance(type_, str):
            return
        instances = _instances(attrs)
        if instances == 0:
            return  # count = 0 or an empty for_each: the resource is not created
        if block == "data" and type_.startswith("data."):
            type_ = type_[len("data.") :]
        root = root_of(attrs)
        file = str(attrs.get("file_path_") or attrs.get("__file__") or "")
        vertex = _Vertex(str(block), type_, address, module_prefix(address), file, attrs, instances is None)
        index = self.roots.get(root)
        if index is None:
            index = self.roots[root] = _RootIndex(root)
        if block == "data":
            index.data[(type_, address)] = vertex
            return
        index.resources.append(address)
        self._resource_roots.setdefault(address, []).append((root, file))
        if type_ == "aws_iam_role":
            index.roles[address] = vertex
            index.roles_by_local.setdefault(vertex.local.split("[", 1)[0], []).append(address)
            name = _literal(attrs.get("name"))
            if name is not None:
                index.roles_by_name.setdefault(name, []).append(address)
            self._role_roots.setdefault(address, []).append((root, file))
        elif type_ == "aws_iam_policy":
            index.policies[address] = vertex
            index.policies_by_local.setdefault(vertex.local.split("[", 1)[0], []).append(address)
            name = _literal(attrs.get("name"))
            if name is not None:
                index.policies_by_name.setdefault(name, []).append(address)
        elif type_ == "aws_iam_user":
            index.users[address] = vertex
        elif type_ == "aws_iam_group":
            index.groups[address] = vertex
        elif type_ in _ATTACHMENT_HANDLERS:
            index.attachments.append(vertex)
            if type_ == "aws_iam_role_policy":
                index.role_policies[address] = vertex
        elif type_ == MARKER_TYPE and address == MARKER_ADDRESS:
            index.marker = address

    @staticmethod
    def _pick(candidates: list[tuple[str, str]], scanned_file: str | None) -> str | None:
        """The root of the candidate whose file is the scanned file (Checkov gives it relative)."""
        if scanned_file:
            suffix = scanned_file.replace("\\", "/").lstrip("/")
            candidates = [c for c in candidates if (f := c[1].replace("\\", "/")) == suffix or f.endswith("/" + suffix)]
        return candidates[0][0] if candidates else None

    def is_carrier(self, address: str) -> bool:
        """Whether the address carries some root's exists result (cheap: most resources do not)."""
        if self._carriers is None:
            self._carriers = {c for c in (root.carrier() for root in self.roots.values()) if c is not None}
        return address in self._carriers

    def root_of_resource(self, address: str, scanned_file: str | None = None) -> _RootIndex | None:
        root = self._pick(self._resource_roots.get(address, []), scanned_file)
        return self.roots.get(root) if root is not None else None

    def role(self, address: str, scanned_file: str | None = None) -> Role | None:
        """The facts of the role at ``address`` (None when the graph has no such role)."""
        root = self._pick(self._role_roots.get(address, []), scanned_file)
        if root is None:
            return None
        return self.roots[root].role(address)

    def __iter__(self) -> Iterator[_RootIndex]:
        return iter(self.roots.values())


def role_from_conf(conf: Mapping[str, object], address: str) -> Role:
    """A role read from its own resource alone (Checkov gave no graph): attachments unseen.

    Separate attachment resources cannot be read without the graph, so the role's managed
    policies include an Unknown that says so; a role that shows AWSSupportAccess in its own
    ``managed_policy_arns`` is still recognised as a support role.
    """
    attrs = dict(conf)
    attrs.pop("count", None)  # the scanner handed this resource over, so it is judged whatever count says
    attrs.update({"block_type_": "resource", "resource_type": "aws_iam_role", "__address__": address})
    index = TerraformIndex([attrs])
    role = index.role(address)
    assert role is not None
    missing = ManagedAttachment(
        Unknown("Checkov gave the check no graph (TF_SPLIT_GRAPH?), so attachment resources could not be read")
    )
    managed = role.managed if isinstance(role.managed, Unknown) else (*role.managed, missing)
    return replace(role, managed=managed)
