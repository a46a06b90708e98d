"""Render a corpus scenario as a Terraform root module (plain Python, importable from any environment).

The resources are provider-agnostic: no ``provider`` or ``terraform`` block is written into the
root module, so the same text serves ``checkov -d``, ``terraform plan`` offline (add
``support_role.localaws.offline_provider_files``) and ``terraform apply`` against a moto server
(add ``support_role.localaws.provider_block`` with the server's ``endpoint``).

Four styles write the same account four ways, so that every way the Checkov checks must read is
exercised by the whole corpus:

``inline``
    literal ARNs; each role under ``count = 1``; trust with ``jsonencode``;
    ``managed_policy_arns`` and ``inline_policy`` blocks on the role;
    ``aws_iam_user_policy_attachment`` / ``aws_iam_group_policy_attachment``.
``resources``
    partitions interpolated from ``data.aws_partition``; trust as a heredoc;
    ``aws_iam_role_policy_attachment`` naming the role by ``.name`` and ``.id`` in turn (and a
    customer managed policy by ``aws_iam_policy.<n>.arn``; the other styles write its ARN);
    ``aws_iam_role_policy`` (role by ``.id``).
``documents``
    trust and inline policies from ``data.aws_iam_policy_document`` (``jsonencode`` where a
    document cannot be written as one); ``aws_iam_policy_attachment`` per policy with its
    ``roles``/``users``/``groups`` lists beside ``aws_iam_role_policy_attachments_exclusive``;
    ``aws_iam_role_policy`` with ``aws_iam_role_policies_exclusive``; the in-code account-baseline
    marker ``terraform_data.cis_support_role_account_baseline``.
``modules``
    every role made by a local module called with ``for_each`` (attachments and inline policies
    inside the module use ``for_each`` and name the role by ``.name`` and ``.id``); the marker.

The marker is also written in the other styles when the scenario has no resource at all (an
account with nothing in it still needs a resource to carry the account-level result).

IAM Identity Center permission sets are written in every style as ``aws_ssoadmin_permission_set``
with one ``aws_ssoadmin_managed_policy_attachment`` per AWS managed policy (``for_each`` over them in
the ``modules`` style), ``aws_ssoadmin_customer_managed_policy_attachment`` (the policy named by
``aws_iam_policy.<n>.name`` where the root defines it, else literally),
``aws_ssoadmin_permission_set_inline_policy``, ``aws_ssoadmin_permissions_boundary_attachment`` and,
for an assigned set, ``aws_ssoadmin_account_assignment`` to the account (a group as principal). The
Identity Center instance is ``local.sso_instance_arn`` (a made-up ARN: a plan reads nothing from
Identity Center); the ``references`` style names the account by ``data.aws_caller_identity``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from support_role.scenarios import RoleSpec, Scenario

STYLES: tuple[str, ...] = ("inline", "resources", "documents", "modules")
# Written by reference (users, roles, providers, the account ID, data documents, counted roles):
# a plan of it made before apply knows none of those values, so it is planned against an account
# (tests/e2e), never offline like STYLES.
REFERENCES = "references"
ALL_STYLES: tuple[str, ...] = (*STYLES, REFERENCES)
MARKER_ADDRESS = "terraform_data.cis_support_role_account_baseline"
MODULE_NAME = "support_role"


@dataclass(frozen=True)
class RenderedTerraform:
    """A root module: its files, and where each scenario role's resource is."""

    files: Mapping[str, str]  # path relative to the root module -> content
    role_addresses: Mapping[str, str]  # scenario role name -> resource address
    resource_addresses: tuple[str, ...]  # every resource of the root module (count/for_each expanded)
    marker: bool  # whether the account-baseline marker resource is written
    permission_set_addresses: Mapping[str, str] = field(default_factory=dict)  # set name -> resource address

    @property
    def exists_carrier(self) -> str | None:
        """Where the checks report the account-level result (docs/checkov.md, "account baseline")."""
        if self.marker:
            return MARKER_ADDRESS
        roles = [a for a in self.resource_addresses if _local_type(a) == "aws_iam_role"]
        if roles:
            return min(roles)
        return min(self.resource_addresses) if self.resource_addresses else None


def _local_type(address: str) -> str:
    local = re.sub(r"^(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*", "", address)
    return local.split(".", 1)[0]


# ----------------------------------------------------------------------------- HCL writing
def hcl_string(text: str) -> str:
    """A quoted HCL string whose content is exactly ``text`` (no interpolation happens)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = escaped.replace("\t", "\\t").replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def hcl_value(value: object, indent: str = "") -> str:
    """An HCL expression for a JSON-like value (for ``jsonencode``), keys quoted."""
    inner = indent + "  "
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{inner}{hcl_string(str(k))} = {hcl_value(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{hcl_value(v, inner)}" for v in value) + f",\n{indent}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    return hcl_string(str(value))


def _heredoc(document: Mapping[str, object], interpolate_partition: str | None) -> str:
    text = json.dumps(document, indent=2)
    text = text.replace("${", "$${").replace("%{", "%%{")
    if interpolate_partition:
        text = text.replace(f'"arn:{interpolate_partition}:', '"arn:${data.aws_partition.current.partition}:')
    return f"<<EOT\n{text}\nEOT"


def _interpolated(text: str, partition: str | None) -> str:
    """An HCL string for an ARN, the partition written as data.aws_partition when asked."""
    quoted = hcl_string(text)
    if partition and text.startswith(f"arn:{partition}:"):
        return '"arn:${data.aws_partition.current.partition}:' + quoted[len(f'"arn:{partition}:') :]
    return quoted


def _interpolate_tree(value: object, partition: str) -> object:
    """Mark ARNs in a document for partition interpolation (used inside ``jsonencode``)."""
    if isinstance(value, Mapping):
        return {k: _interpolate_tree(v, partition) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate_tree(v, partition) for v in value]
    if isinstance(value, str) and value.startswith(f"arn:{partition}:"):
        return _Raw(_interpolated(value, partition))
    return value


@dataclass(frozen=True)
class _Raw:
    """An HCL expression written as is."""

    text: str


def _hcl(value: object, indent: str = "") -> str:
    if isinstance(value, _Raw):
        return value.text
    inner = indent + "  "
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{inner}{hcl_string(str(k))} = {_hcl(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{_hcl(v, inner)}" for v in value) + f",\n{indent}]"
    return hcl_value(value, indent)


# ------------------------------------------------------------------ aws_iam_policy_document
_STATEMENT_KEYS = {
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
}
_KINDS = {"AWS", "Service", "Federated", "CanonicalUser"}


def _as_strings(value: object) -> list[str] | None:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            return None
    return out


def _literal_identifiers(kind: str, identifiers: list[str]) -> str:
    return "[" + ", ".join(hcl_string(i) for i in identifiers) + "]"


IdentifierWriter = Callable[[str, list[str]], str]


def _principal_blocks(name: str, value: object, identifiers: IdentifierWriter) -> list[str] | None:
    if value == "*":
        return [f'  {name} {{\n    type        = "*"\n    identifiers = ["*"]\n  }}']
    if not isinstance(value, Mapping) or not value:
        return None
    blocks = []
    for kind, raw in value.items():
        ids = _as_strings(raw)
        if kind not in _KINDS or not ids:
            return None
        listed = identifiers(kind, ids)
        blocks.append(f"  {name} {{\n    type        = {hcl_string(kind)}\n    identifiers = {listed}\n  }}")
    return blocks


def policy_document_data(
    name: str, document: Mapping[str, object], identifiers: IdentifierWriter = _literal_identifiers
) -> str | None:
    """A ``data "aws_iam_policy_document"`` block for the document, or None when it cannot be one.

    ``identifiers`` writes the HCL list of a principal block's identifiers (literal strings by
    default; the ``references`` style writes references where it can).
    """
    if not set(document) <= {"Version", "Statement", "Id"} or document.get("Version") not in (None, "2012-10-17"):
        return None
    raw = document.get("Statement")
    statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(statements, list):
        return None
    blocks: list[str] = []
    for statement in statements:
        if not isinstance(statement, Mapping) or not set(statement) <= _STATEMENT_KEYS:
            return None
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            return None
        lines = ["  statement {", f"    effect = {hcl_string(str(effect))}"]
        if "Sid" in statement:
            if not isinstance(statement["Sid"], str):
                return None
            lines.append(f"    sid = {hcl_string(statement['Sid'])}")
        for key, attr in (
            ("Action", "actions"),
            ("NotAction", "not_actions"),
            ("Resource", "resources"),
            ("NotResource", "not_resources"),
        ):
            if key in statement:
                values = _as_strings(statement[key])
                if not values:
                    return None
                lines.append(f"    {attr} = [{', '.join(hcl_string(v) for v in values)}]")
        for key, block in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
            if key in statement:
                principal_blocks = _principal_blocks(block, statement[key], identifiers)
                if principal_blocks is None:
                    return None
                lines += ["  " + b.replace("\n", "\n  ") for b in principal_blocks]
        condition = statement.get("Condition")
        if condition is not None:
            if not isinstance(condition, Mapping):
                return None
            for operator, tests in condition.items():
                if not isinstance(tests, Mapping):
                    return None
                for key, values in tests.items():
                    listed = _as_strings(values)
                    if listed is None:
                        return None
                    lines.append(
                        "    condition {\n"
                        f"      test     = {hcl_string(str(operator))}\n"
                        f"      variable = {hcl_string(str(key))}\n"
                        f"      values   = [{', '.join(hcl_string(v) for v in listed)}]\n"
                        "    }"
                    )
        lines.append("  }")
        blocks.append("\n".join(lines))
    return f'data "aws_iam_policy_document" "{name}" {{\n' + "\n".join(blocks) + "\n}\n"


# --------------------------------------------------------------------------------- naming
def tf_name(text: str, taken: set[str]) -> str:
    """A Terraform block name for ``text``, unique among ``taken`` (which it is added to)."""
    base = re.sub(r"[^a-z0-9_]", "_", text.lower()).strip("_") or "x"
    if not re.match(r"[a-z_]", base):
        base = f"r_{base}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


@dataclass
class _Names:
    roles: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)  # customer policy name -> tf name
    permission_sets: dict[str, str] = field(default_factory=dict)  # permission set name -> tf name
    taken: dict[str, set[str]] = field(default_factory=dict)

    def name(self, kind: str, text: str) -> str:
        return tf_name(text, self.taken.setdefault(kind, set()))


def _names(scenario: Scenario) -> _Names:
    names = _Names()
    for role in scenario.roles:
        names.roles[role.name] = names.name("role", role.name)
    for user in scenario.users:
        names.users[user] = names.name("user", user)
    for group in scenario.groups:
        names.groups[group] = names.name("group", group)
    for policy in scenario.customer_policies:
        names.policies[policy] = names.name("policy", policy)
    for permission_set in scenario.permission_sets:
        names.permission_sets[permission_set.name] = names.name("permission_set", permission_set.name)
    return names


# ------------------------------------------------------------------------------ rendering
@dataclass
class _Writer:
    scenario: Scenario
    style: str
    names: _Names
    partition: str | None  # interpolate this partition through data.aws_partition
    blocks: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    permission_sets: dict[str, str] = field(default_factory=dict)  # set name -> resource address

    def add(self, kind: str, name: str, body: str, *, data: bool = False, index: str = "") -> None:
        if data:
            self.blocks.append(f'data "{kind}" "{name}" {{\n{body}}}\n')
        else:
            self.blocks.append(f'resource "{kind}" "{name}" {{\n{body}}}\n')
            self.addresses.append(f"{kind}.{name}{index}")

    def arn(self, arn: str, *, reference: bool = False) -> str:
        """An HCL expression for a policy ARN; with ``reference``, a customer policy's by reference.

        Elsewhere customer policies are named by literal ARN (the checks find the ``aws_iam_policy``
        by name): a reference inside a list makes the whole list unknown in a Terraform plan.
        """
        for policy, tf in self.names.policies.items():
            if reference and arn == self.scenario.customer_policy_arn(policy):
                return f"aws_iam_policy.{tf}.arn"
        return _interpolated(arn, self.partition)

    def customer(self, arns: Iterable[str]) -> list[str]:
        """The ``aws_iam_policy`` resources of the customer policies among ``arns``."""
        return [
            f"aws_iam_policy.{tf}"
            for policy, tf in self.names.policies.items()
            if self.scenario.customer_policy_arn(policy) in set(arns)
        ]

    def depends_on(self, arns: Iterable[str] = (), *, users: bool = False) -> str:
        """A ``depends_on`` line: literal ARNs and principals give Terraform no order of their own."""
        needed = [f"aws_iam_user.{tf}" for tf in self.names.users.values()] if users else []
        needed += self.customer(arns)
        return f"  depends_on = [{', '.join(needed)}]\n" if needed else ""

    def document(self, name: str, document: Mapping[str, object], *, heredoc: bool = False, data: bool = False) -> str:
        """An HCL expression for a policy document in the style's way."""
        if data:
            block = policy_document_data(name, document)
            if block is not None:
                self.blocks.append(block)
                return f"data.aws_iam_policy_document.{name}.json"
        if heredoc:
            return _heredoc(document, self.partition)
        tree = _interpolate_tree(document, self.partition) if self.partition else document
        return f"jsonencode({_hcl(tree, '  ')})"


def _customer_policies(w: _Writer, *, data: bool) -> None:
    for policy, tf in w.names.policies.items():
        document = w.scenario.customer_policies[policy]
        expression = w.document(f"policy_{tf}", document, data=data)
        w.add("aws_iam_policy", tf, f"  name   = {hcl_string(policy)}\n  policy = {expression}\n")


def _users_and_groups(w: _Writer, *, via_policy_attachment: bool) -> None:
    for user, tf in w.names.users.items():
        w.add("aws_iam_user", tf, f"  name = {hcl_string(user)}\n")
    for group, tf in w.names.groups.items():
        w.add("aws_iam_group", tf, f"  name = {hcl_string(group)}\n")
        members = w.scenario.group_members.get(group, ())
        if members:
            listed = ", ".join(f"aws_iam_user.{w.names.users[m]}.name" for m in members)
            body = (
                f"  name  = {hcl_string(group + '-members')}\n  group = aws_iam_group.{tf}.name\n  users = [{listed}]\n"
            )
            w.add("aws_iam_group_membership", tf, body)
    if via_policy_attachment:
        return
    for user, arns in w.scenario.user_policies.items():
        for i, arn in enumerate(arns):
            body = f"  user       = aws_iam_user.{w.names.users[user]}.name\n  policy_arn = {w.arn(arn)}\n"
            body += w.depends_on([arn])
            w.add("aws_iam_user_policy_attachment", f"{w.names.users[user]}_{i}", body)
    for group, arns in w.scenario.groups.items():
        for i, arn in enumerate(arns):
            body = f"  group      = aws_iam_group.{w.names.groups[group]}.name\n  policy_arn = {w.arn(arn)}\n"
            body += w.depends_on([arn])
            w.add("aws_iam_group_policy_attachment", f"{w.names.groups[group]}_{i}", body)


def _role_head(w: _Writer, role: RoleSpec, trust: str) -> str:
    body = f"  name = {hcl_string(role.name)}\n"
    if role.path != "/":
        body += f"  path = {hcl_string(role.path)}\n"
    if role.boundary:
        body += f"  permissions_boundary = {_interpolated(role.boundary, w.partition)}\n"
    return body + f"  assume_role_policy = {trust}\n"


def _style_inline(w: _Writer) -> None:
    _customer_policies(w, data=False)
    _users_and_groups(w, via_policy_attachment=False)
    for role in w.scenario.roles:
        tf = w.names.roles[role.name]
        body = "  count = 1\n" + _role_head(w, role, w.document(f"trust_{tf}", role.trust))
        if role.policies:
            body += f"  managed_policy_arns = [{', '.join(w.arn(a) for a in role.policies)}]\n"
        for name, document in role.inline.items():
            body += (
                f"  inline_policy {{\n    name   = {hcl_string(name)}\n    policy = {w.document('', document)}\n  }}\n"
            )
        w.add("aws_iam_role", tf, body + w.depends_on(role.policies, users=True), index="[0]")


def _style_resources(w: _Writer) -> None:
    w.blocks.append('data "aws_partition" "current" {}\n')
    _customer_policies(w, data=False)
    _users_and_groups(w, via_policy_attachment=False)
    for role in w.scenario.roles:
        tf = w.names.roles[role.name]
        w.add(
            "aws_iam_role",
            tf,
            _role_head(w, role, w.document(f"trust_{tf}", role.trust, heredoc=True)) + w.depends_on(users=True),
        )
        for i, arn in enumerate(role.policies):
            attribute = "name" if i % 2 == 0 else "id"
            body = f"  role       = aws_iam_role.{tf}.{attribute}\n  policy_arn = {w.arn(arn, reference=True)}\n"
            w.add("aws_iam_role_policy_attachment", f"{tf}_{i}", body)
        for i, (name, document) in enumerate(role.inline.items()):
            policy = w.document("", document, heredoc=True)
            body = f"  role   = aws_iam_role.{tf}.id\n  name   = {hcl_string(name)}\n  policy = {policy}\n"
            w.add("aws_iam_role_policy", f"{tf}_{i}", body)


def _style_documents(w: _Writer) -> None:
    _customer_policies(w, data=True)
    _users_and_groups(w, via_policy_attachment=True)
    holders: dict[str, dict[str, list[str]]] = {}  # policy arn -> roles/users/groups expressions
    for role in w.scenario.roles:
        tf = w.names.roles[role.name]
        w.add(
            "aws_iam_role",
            tf,
            _role_head(w, role, w.document(f"trust_{tf}", role.trust, data=True)) + w.depends_on(users=True),
        )
        for arn in role.policies:
            holders.setdefault(arn, {}).setdefault("roles", []).append(f"aws_iam_role.{tf}.name")
        if role.policies:
            arns = ", ".join(w.arn(a) for a in role.policies)
            body = f"  role_name   = aws_iam_role.{tf}.name\n  policy_arns = [{arns}]\n" + w.depends_on(role.policies)
            w.add("aws_iam_role_policy_attachments_exclusive", tf, body)
        for i, (name, document) in enumerate(role.inline.items()):
            expression = w.document(f"inline_{tf}_{i}", document, data=True)
            body = f"  role   = aws_iam_role.{tf}.name\n  name   = {hcl_string(name)}\n  policy = {expression}\n"
            w.add("aws_iam_role_policy", f"{tf}_{i}", body)
        if role.inline:
            listed = ", ".join(f"aws_iam_role_policy.{tf}_{i}.name" for i in range(len(role.inline)))
            w.add(
                "aws_iam_role_policies_exclusive",
                tf,
                f"  role_name    = aws_iam_role.{tf}.name\n  policy_names = [{listed}]\n",
            )
    for user, arns in w.scenario.user_policies.items():
        for arn in arns:
            holders.setdefault(arn, {}).setdefault("users", []).append(f"aws_iam_user.{w.names.users[user]}.name")
    for group, arns in w.scenario.groups.items():
        for arn in arns:
            holders.setdefault(arn, {}).setdefault("groups", []).append(f"aws_iam_group.{w.names.groups[group]}.name")
    taken: set[str] = set()
    for arn, lists in holders.items():
        name = tf_name(arn.rsplit("/", 1)[-1], taken)
        body = f"  name       = {hcl_string(f'{w.scenario.name}-{name}'[:64])}\n  policy_arn = {w.arn(arn)}\n"
        body += w.depends_on([arn])
        for key in ("roles", "users", "groups"):
            if key in lists:
                body += f"  {key} = [{', '.join(lists[key])}]\n"
        w.add("aws_iam_policy_attachment", name, body)


_MODULE_TF = """variable "name" {
  type = string
}
variable "path" {
  type    = string
  default = "/"
}
variable "trust" {
  type = string
}
variable "boundary" {
  type    = string
  default = null
}
variable "policy_arns" {
  type    = map(string)
  default = {}
}
variable "inline" {
  type    = map(string)
  default = {}
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = var.path
  permissions_boundary = var.boundary
  assume_role_policy   = var.trust
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each   = var.policy_arns
  role       = aws_iam_role.this.name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "this" {
  for_each = var.inline
  role     = aws_iam_role.this.id
  name     = each.key
  policy   = each.value
}

output "name" {
  value = aws_iam_role.this.name
}
"""


def _style_modules(w: _Writer) -> None:
    _customer_policies(w, data=False)
    _users_and_groups(w, via_policy_attachment=False)
    if not w.scenario.roles:
        return
    w.files[f"modules/{MODULE_NAME}/main.tf"] = _MODULE_TF
    entries = []
    for role in w.scenario.roles:
        inline = "".join(f"        {hcl_string(name)} = {w.document('', doc)}\n" for name, doc in role.inline.items())
        entry = (
            f"    {hcl_string(role.name)} = {{\n"
            f"      path        = {hcl_string(role.path)}\n"
            f"      trust       = {w.document('', role.trust)}\n"
            f"      boundary    = {hcl_string(role.boundary) if role.boundary else 'null'}\n"
            "      policy_arns = {\n"
            + "".join(f'        "{i}" = {w.arn(a)}\n' for i, a in enumerate(role.policies))
            + "      }\n"
            f"      inline = {{\n{inline}      }}\n"
            "    }\n"
        )
        entries.append(entry)
    body = (
        f'module "{MODULE_NAME}" {{\n'
        f'  source   = "./modules/{MODULE_NAME}"\n'
        "  for_each = {\n" + "".join(entries) + "  }\n"
        "  name        = each.key\n"
        "  path        = each.value.path\n"
        "  trust       = each.value.trust\n"
        "  boundary    = each.value.boundary\n"
        "  policy_arns = each.value.policy_arns\n"
        "  inline      = each.value.inline\n"
        + w.depends_on([a for r in w.scenario.roles for a in r.policies], users=True).replace("on = ", "on  = ")
        + "}\n"
    )
    w.blocks.append(body)
    for role in w.scenario.roles:
        prefix = f'module.{MODULE_NAME}["{role.name}"].'
        w.addresses.append(prefix + "aws_iam_role.this")
        w.addresses += [f'{prefix}aws_iam_role_policy_attachment.this["{i}"]' for i in range(len(role.policies))]
        w.addresses += [f'{prefix}aws_iam_role_policy.this["{name}"]' for name in role.inline]


# ------------------------------------------------------------------------------- references
_SAML_METADATA = """<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
        <X509Data>
          <X509Certificate>{certificate}</X509Certificate>
        </X509Data>
      </KeyInfo>
    </KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </IDPSSODescriptor>
</EntityDescriptor>
""".format(certificate="TUlJQ2V4YW1wbGVub3RhcmVhbGNlcnRpZmljYXRl" * 24)  # IAM wants 1,000+ characters
USERS_RESOURCE = "aws_iam_user.users"


@dataclass
class _References:
    """Own-account principals written as references to the resources that make them."""

    w: _Writer
    enabled: bool  # False when trusted accounts are configured (see render_scenario)
    users: set[str] = field(default_factory=set)  # user names made by aws_iam_user.users (for_each)
    extra: dict[str, str] = field(default_factory=dict)  # principal ARN -> expression of a resource made for it
    role_exprs: dict[str, str] = field(default_factory=dict)  # scenario role ARN -> expression
    reachable: dict[str, int] = field(default_factory=dict)  # scenario role ARN -> its index

    @property
    def own(self) -> str:
        return self.w.scenario.account_id

    def arn_fields(self, value: str) -> tuple[str, str, str] | None:
        """(service, account, resource) of an own-account ARN without wildcards, else None."""
        parts = value.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[4] != self.own or any(c in value for c in "*?$"):
            return None
        return parts[2], parts[4], parts[5]

    def user_arn(self, name: str) -> str:
        return f"arn:{self.w.scenario.partition}:iam::{self.own}:user/{name}"

    def expression(self, kind: str, value: str, *, role_index: int | None = None) -> str | None:
        """The HCL expression that stands for a principal value, or None to write it literally."""
        if not self.enabled:
            return None
        if kind == "AWS" and value == self.own:
            return "data.aws_caller_identity.current.account_id"
        fields = self.arn_fields(value)
        if fields is None:
            return None
        service, _, resource = fields
        if kind == "AWS" and service == "iam" and resource == "root":
            return (
                '"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"'
            )
        if kind == "AWS" and resource.startswith("user/") and resource.count("/") == 1 and resource[5:] in self.users:
            return f"{USERS_RESOURCE}[{hcl_string(resource[5:])}].arn"
        if kind == "AWS" and value in self.role_exprs and role_index is not None:
            if self.reachable[value] < role_index:  # earlier roles only: no dependency cycle
                return self.role_exprs[value]
            return None
        return self.extra.get(value)

    def identifiers(self, role_index: int | None) -> IdentifierWriter:
        def write(kind: str, values: list[str]) -> str:
            every_user = {self.user_arn(u) for u in self.users}
            if self.enabled and kind == "AWS" and len(values) >= 2 and set(values) == every_user:
                return f"values({USERS_RESOURCE})[*].arn"  # a splat over the for_each users
            listed = [self.expression(kind, v, role_index=role_index) or hcl_string(v) for v in values]
            return "[" + ", ".join(listed) + "]"

        return write

    def tree(self, document: Mapping[str, object], role_index: int | None) -> object:
        """The document for ``jsonencode`` with principal values written as references."""

        def principal(value: object, kind: str) -> object:
            if isinstance(value, list):
                return [principal(v, kind) for v in value]
            if isinstance(value, str):
                found = self.expression(kind, value, role_index=role_index)
                return _Raw(found) if found else value
            return value

        def statement(item: object) -> object:
            if not isinstance(item, Mapping):
                return item
            out = dict(item)
            for key in ("Principal", "NotPrincipal"):
                if isinstance(out.get(key), Mapping):
                    out[key] = {k: principal(v, str(k)) for k, v in out[key].items()}  # type: ignore[union-attr]
            return out

        raw = document.get("Statement")
        statements = [statement(x) for x in raw] if isinstance(raw, list) else statement(raw)
        return {**document, "Statement": statements}


def _principal_values(documents: Iterable[Mapping[str, object]]) -> list[tuple[str, str]]:
    """(kind, value) of every principal string in the documents' Principal and NotPrincipal."""
    out: list[tuple[str, str]] = []
    for document in documents:
        raw = document.get("Statement")
        for statement in raw if isinstance(raw, list) else [raw]:
            if not isinstance(statement, Mapping):
                continue
            for key in ("Principal", "NotPrincipal"):
                value = statement.get(key)
                if not isinstance(value, Mapping):
                    continue
                for kind, items in value.items():
                    for item in items if isinstance(items, list) else [items]:
                        if isinstance(item, str):
                            out.append((str(kind), item))
    return out


def _style_references(w: _Writer) -> None:
    """Principals and policies written by reference, the way most Terraform code is written."""
    scenario = w.scenario
    refs = _References(w, enabled="support_role_trusted_account_ids" not in scenario.config)
    w.blocks.append('data "aws_partition" "current" {}\n')
    w.blocks.append('data "aws_caller_identity" "current" {}\n')
    w.blocks.append('variable "create_support_roles" {\n  type    = bool\n  default = true\n}\n')
    for policy, tf in w.names.policies.items():
        document = scenario.customer_policies[policy]
        expression = w.document(f"policy_{tf}", document, data=True)
        w.add("aws_iam_policy", tf, f"  name   = {hcl_string(policy)}\n  policy = {expression}\n")

    # the principals the trust policies name, made as resources where they are this account's
    principals = _principal_values(r.trust for r in scenario.roles)
    users = list(scenario.users)
    extra_users: list[str] = []
    role_arns = {
        f"arn:{scenario.partition}:iam::{scenario.account_id}:role{r.path}{r.name}": i
        for i, r in enumerate(scenario.roles)
    }
    taken_extra: set[str] = set()
    for kind, value in principals:
        fields = refs.arn_fields(value) if refs.enabled else None
        if fields is None or kind not in ("AWS", "Federated") or value in refs.extra or value in role_arns:
            continue
        service, _, resource = fields
        if service != "iam":
            continue
        head, _, rest = resource.partition("/")
        if kind == "AWS" and head == "user" and rest:
            if "/" not in rest:
                if rest not in users and rest not in extra_users:
                    extra_users.append(rest)
                continue
            path, name = "/" + rest.rsplit("/", 1)[0] + "/", rest.rsplit("/", 1)[1]
            tf = tf_name(f"principal_user_{name}", taken_extra)
            w.add("aws_iam_user", tf, f"  name = {hcl_string(name)}\n  path = {hcl_string(path)}\n")
            refs.extra[value] = f"aws_iam_user.{tf}.arn"
        elif kind == "AWS" and head == "role" and rest and not rest.startswith("aws-reserved/"):
            path = "/" + rest.rsplit("/", 1)[0] + "/" if "/" in rest else "/"
            name = rest.rsplit("/", 1)[-1]
            tf = tf_name(f"principal_role_{name}", taken_extra)
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
            body = f"  name = {hcl_string(name)}\n  path = {hcl_string(path)}\n"
            body += f"  assume_role_policy = {w.document('', trust)}\n"
            w.add("aws_iam_role", tf, body)
            refs.extra[value] = f"aws_iam_role.{tf}.arn"
        elif kind == "AWS" and head == "group" and rest and "/" not in rest and rest not in scenario.groups:
            tf = tf_name(f"principal_group_{rest}", taken_extra)
            w.add("aws_iam_group", tf, f"  name = {hcl_string(rest)}\n")
            refs.extra[value] = f"aws_iam_group.{tf}.arn"
        elif kind == "Federated" and head == "saml-provider" and rest and "/" not in rest:
            tf = tf_name(f"saml_{rest}", taken_extra)
            body = f"  name                   = {hcl_string(rest)}\n"
            body += f"  saml_metadata_document = <<EOT\n{_SAML_METADATA}EOT\n"
            w.add("aws_iam_saml_provider", tf, body)
            refs.extra[value] = f"aws_iam_saml_provider.{tf}.arn"
        elif kind == "Federated" and head == "oidc-provider" and rest:
            tf = tf_name(f"oidc_{rest}", taken_extra)
            body = (
                f"  url             = {hcl_string('https://' + rest)}\n"
                '  client_id_list  = ["sts.amazonaws.com"]\n'
                '  thumbprint_list = ["0123456789abcdef0123456789abcdef01234567"]\n'
            )
            w.add("aws_iam_openid_connect_provider", tf, body)
            refs.extra[value] = f"aws_iam_openid_connect_provider.{tf}.arn"

    # every user of the account under one for_each, so that trusts can name them by key or splat
    all_users = [*users, *extra_users]
    if all_users:
        listed = ", ".join(hcl_string(u) for u in all_users)
        w.blocks.append(
            f'resource "aws_iam_user" "users" {{\n  for_each = toset([{listed}])\n  name     = each.key\n}}\n'
        )
        w.addresses += [f"{USERS_RESOURCE}[{hcl_string(u)}]" for u in sorted(all_users)]
        refs.users = set(all_users) if refs.enabled else set()
    for group, tf in w.names.groups.items():
        w.add("aws_iam_group", tf, f"  name = {hcl_string(group)}\n")
        if refs.enabled:
            refs.extra[f"arn:{scenario.partition}:iam::{scenario.account_id}:group/{group}"] = f"aws_iam_group.{tf}.arn"
        members = scenario.group_members.get(group, ())
        if members:
            names = ", ".join(f"{USERS_RESOURCE}[{hcl_string(m)}].name" for m in members)
            body = (
                f"  name  = {hcl_string(group + '-members')}\n  group = aws_iam_group.{tf}.name\n  users = [{names}]\n"
            )
            w.add("aws_iam_group_membership", tf, body)
    for user, arns in scenario.user_policies.items():
        for i, arn in enumerate(arns):
            tf = f"{w.names.users[user]}_{i}"
            body = f"  user       = {USERS_RESOURCE}[{hcl_string(user)}].name\n"
            body += f"  policy_arn = {w.arn(arn, reference=True)}\n"
            w.add("aws_iam_user_policy_attachment", tf, body)
    for group, arns in scenario.groups.items():
        for i, arn in enumerate(arns):
            tf = f"{w.names.groups[group]}_{i}"
            body = f"  group      = aws_iam_group.{w.names.groups[group]}.name\n"
            body += f"  policy_arn = {w.arn(arn, reference=True)}\n"
            w.add("aws_iam_group_policy_attachment", tf, body)

    # the roles: every other one counted (count = var.create_support_roles ? 1 : 0)
    for i, role in enumerate(scenario.roles):
        tf = w.names.roles[role.name]
        counted = i % 2 == 0
        refs.role_exprs[f"arn:{scenario.partition}:iam::{scenario.account_id}:role{role.path}{role.name}"] = (
            f"aws_iam_role.{tf}[0].arn" if counted else f"aws_iam_role.{tf}.arn"
        )
        refs.reachable = role_arns
    for i, role in enumerate(scenario.roles):
        tf = w.names.roles[role.name]
        counted = i % 2 == 0
        block = policy_document_data(f"trust_{tf}", role.trust, refs.identifiers(i))
        if block is not None:
            if counted:
                block = block.replace(" {\n", " {\n  count = var.create_support_roles ? 1 : 0\n", 1)
            w.blocks.append(block)
            trust = f"data.aws_iam_policy_document.trust_{tf}{'[0]' if counted else ''}.json"
        else:
            trust = f"jsonencode({_hcl(refs.tree(role.trust, i), '  ')})"
        body = ("  count = var.create_support_roles ? 1 : 0\n" if counted else "") + _role_head(w, role, trust)
        w.add("aws_iam_role", tf, body, index="[0]" if counted else "")
        # attachments name the role in turn by .name, .id and (counted roles) the legacy ".0." index
        for j, arn in enumerate(role.policies):
            attribute = ("name", "id")[j % 2]
            target = (
                f"aws_iam_role.{tf}{('[0]', '.0')[j % 2]}.{attribute}" if counted else f"aws_iam_role.{tf}.{attribute}"
            )
            head = "  count      = var.create_support_roles ? 1 : 0\n" if counted else ""
            body = f"{head}  role       = {target}\n  policy_arn = {w.arn(arn, reference=True)}\n"
            w.add("aws_iam_role_policy_attachment", f"{tf}_{j}", body, index="[0]" if counted else "")
        for j, (name, document) in enumerate(role.inline.items()):
            expression = w.document(f"inline_{tf}_{j}", document, data=True)
            target = f"aws_iam_role.{tf}[0].id" if counted else f"aws_iam_role.{tf}.id"
            head = "  count  = var.create_support_roles ? 1 : 0\n" if counted else ""
            body = f"{head}  role   = {target}\n  name   = {hcl_string(name)}\n  policy = {expression}\n"
            w.add("aws_iam_role_policy", f"{tf}_{j}", body, index="[0]" if counted else "")


# ------------------------------------------------------------------- IAM Identity Center
SSO_INSTANCE_LOCAL = "sso_instance_arn"
MADE_UP_INSTANCE = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
SUPPORT_GROUP_ID = "9067c2d4-1011-70b5-0a1b-2c3d4e5f6a7b"  # an identity store group ID (never looked up)


def _permission_sets(w: _Writer) -> None:
    """The scenario's permission sets, their attachments and assignments (see the module docstring)."""
    scenario = w.scenario
    if not scenario.permission_sets:
        return
    by_reference = w.style == REFERENCES
    # a made-up instance everywhere: the live path creates the permission sets itself (tests/e2e/paths.py)
    w.blocks.append(f"locals {{\n  {SSO_INSTANCE_LOCAL} = {hcl_string(MADE_UP_INSTANCE)}\n}}\n")
    instance = f"local.{SSO_INSTANCE_LOCAL}"
    account = "data.aws_caller_identity.current.account_id" if by_reference else hcl_string(scenario.account_id)
    head = f"  instance_arn       = {instance}\n"
    for spec in scenario.permission_sets:
        tf = w.names.permission_sets[spec.name]
        w.add(
            "aws_ssoadmin_permission_set",
            tf,
            f"  instance_arn = {instance}\n  name         = {hcl_string(spec.name)}\n",
        )
        w.permission_sets[spec.name] = f"aws_ssoadmin_permission_set.{tf}"
        of_set = head + f"  permission_set_arn = aws_ssoadmin_permission_set.{tf}.arn\n"
        if spec.policies and w.style == "modules":
            listed = ", ".join(w.arn(a) for a in spec.policies)
            body = f"  for_each           = toset([{listed}])\n{of_set}  managed_policy_arn = each.value\n"
            w.blocks.append(f'resource "aws_ssoadmin_managed_policy_attachment" "{tf}" {{\n{body}}}\n')
            w.addresses += [f"aws_ssoadmin_managed_policy_attachment.{tf}[{hcl_string(a)}]" for a in spec.policies]
        else:
            for j, arn in enumerate(spec.policies):
                body = f"{of_set}  managed_policy_arn = {w.arn(arn)}\n"
                w.add("aws_ssoadmin_managed_policy_attachment", f"{tf}_{j}", body)
        for j, policy in enumerate(spec.customer_policies):
            defined = w.names.policies.get(policy)
            # by reference where the root defines the policy (every style but inline), else by name
            name = f"aws_iam_policy.{defined}.name" if defined and w.style != "inline" else hcl_string(policy)
            depends = f"  depends_on = [aws_iam_policy.{defined}]\n" if defined and w.style == "inline" else ""
            body = f'{of_set}  customer_managed_policy_reference {{\n    name = {name}\n    path = "/"\n  }}\n{depends}'
            w.add("aws_ssoadmin_customer_managed_policy_attachment", f"{tf}_{j}", body)
        if spec.inline is not None:
            data = w.style in ("documents", REFERENCES)
            expression = w.document(f"permission_set_{tf}", spec.inline, data=data, heredoc=w.style == "resources")
            w.add("aws_ssoadmin_permission_set_inline_policy", tf, f"{of_set}  inline_policy      = {expression}\n")
        if spec.boundary:
            body = f"{of_set}  permissions_boundary {{\n    managed_policy_arn = {w.arn(spec.boundary)}\n  }}\n"
            w.add("aws_ssoadmin_permissions_boundary_attachment", tf, body)
        if spec.assigned:
            body = (
                f'{of_set}  principal_type     = "GROUP"\n  principal_id       = {hcl_string(SUPPORT_GROUP_ID)}\n'
                f'  target_type        = "AWS_ACCOUNT"\n  target_id          = {account}\n'
            )
            w.add("aws_ssoadmin_account_assignment", tf, body)


_STYLE_WRITERS = {
    "inline": _style_inline,
    "resources": _style_resources,
    "documents": _style_documents,
    "modules": _style_modules,
    "references": _style_references,
}


def render_scenario(
    scenario: Scenario, style: str = "resources", *, marker: bool | None = None, permission_sets: bool = True
) -> RenderedTerraform:
    """The scenario's account as a Terraform root module in one of :data:`STYLES`.

    ``marker`` forces the account-baseline marker on or off (default: on in the ``documents``
    and ``modules`` styles, and whenever the account has no resource at all). ``permission_sets=False``
    leaves out every ``aws_ssoadmin_*`` resource (what a moto server cannot take from the AWS
    provider: tests/e2e/paths.py).
    """
    if style not in _STYLE_WRITERS:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(ALL_STYLES)}")
    partition = scenario.partition if style in ("resources", REFERENCES) else None
    w = _Writer(scenario, style, _names(scenario), partition)
    _STYLE_WRITERS[style](w)
    if permission_sets:
        _permission_sets(w)
    if marker is None:
        marker = style in ("documents", "modules") or not w.addresses
    if marker:
        w.blocks.append('resource "terraform_data" "cis_support_role_account_baseline" {}\n')
        w.addresses.append(MARKER_ADDRESS)
    header = f"# Scenario {scenario.name} ({style} style), rendered by tests/renderers/terraform.py\n"
    files = {"main.tf": header + "\n" + "\n".join(w.blocks), **w.files}
    if style == "modules":
        role_addresses = {r.name: f'module.{MODULE_NAME}["{r.name}"].aws_iam_role.this' for r in scenario.roles}
    elif style == "inline":
        role_addresses = {r.name: f"aws_iam_role.{w.names.roles[r.name]}[0]" for r in scenario.roles}
    elif style == REFERENCES:
        role_addresses = {
            r.name: f"aws_iam_role.{w.names.roles[r.name]}{'[0]' if i % 2 == 0 else ''}"
            for i, r in enumerate(scenario.roles)
        }
    else:
        role_addresses = {r.name: f"aws_iam_role.{w.names.roles[r.name]}" for r in scenario.roles}
    return RenderedTerraform(files, role_addresses, tuple(w.addresses), marker, dict(w.permission_sets))


# ---------------------------------------------------------------------------------- digest
def digest(rendered: RenderedTerraform, extra: Iterable[str] = ()) -> str:
    """A stable hash of the rendered files (used to tell a committed plan from a stale one)."""
    h = hashlib.sha256()
    for path in sorted(rendered.files):
        h.update(path.encode() + b"\0" + rendered.files[path].encode() + b"\0")
    for item in extra:
        h.update(item.encode() + b"\0")
    return h.hexdigest()
