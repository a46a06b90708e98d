"""Facts from a CloudFormation template (YAML or JSON, serverless ``resources``, CDK synth output).

Input is the template as a mapping, the way Checkov parsed it (``!Ref Param`` already replaced by
the parameter's default where it has one; other intrinsics kept as ``{"Fn::...": ...}``). Nothing
here imports Checkov. One template is one scope: roles, policies and attachments are matched
within the template.

What is read, per ``AWS::IAM::Role`` (its logical ID carries every per-role result):

* trust: ``AssumeRolePolicyDocument`` as an object or a JSON string;
* managed policies: ``ManagedPolicyArns`` entries as plain ARNs, ``!Sub`` / ``Fn::Sub``,
  ``Fn::Join`` (what CDK writes, with ``{"Ref": "AWS::Partition"}``), ``!Ref`` to an
  ``AWS::IAM::ManagedPolicy`` of the template (its document is then read); and
  ``AWS::IAM::ManagedPolicy`` resources that name the role in ``Roles``;
* inline policies: ``Policies`` on the role, ``AWS::IAM::Policy`` (``Roles``) and
  ``AWS::IAM::RolePolicy`` (``RoleName``), the role named by ``!Ref`` or by its ``RoleName``.

What a template knows without a value (see :mod:`support_role._facts`) is read as such:

* typed references: ``!GetAtt X.Arn`` of an ``AWS::IAM::User`` / ``Role`` / ``Group`` /
  ``SAMLProvider`` / ``OIDCProvider`` of the template, and ``!Ref`` of a SAML or OIDC provider (its
  ARN), become a :class:`~support_role.TypedReference` (the OIDC issuer from the provider's ``Url``);
  ``${AWS::AccountId}`` is the template's own account;
* ``Fn::Sub`` (with or without a variable map) and ``Fn::Join`` (CDK's output) build partially known
  strings: a parameter without a default, a pseudo parameter or an attribute that is not evaluated
  stays a ``${...}`` token, so ``arn:${AWS::Partition}:iam::${Admin}:root`` is an account root;
* ``Fn::If`` (with ``AWS::NoValue``) inside a document becomes a :class:`~support_role.Choice`, so
  the document is judged branch by branch; in ``ManagedPolicyArns`` (entries or the whole list) it
  makes conditional attachments, named by the condition; a resource's ``Condition`` attribute makes
  what it attaches conditional too (and a conditional role's attachments).

Any other intrinsic that is not evaluated (``Fn::ImportValue``, ``Fn::Select``, a ``!Ref`` to a
parameter without default where a whole value is needed, ...) becomes :class:`Unknown` with the reason.

Per ``AWS::SSO::PermissionSet`` (IAM Identity Center): ``ManagedPolicies`` (as ``ManagedPolicyArns``),
``CustomerManagedPolicyReferences`` (judged by the ``AWS::IAM::ManagedPolicy`` of that name and path
in the template), ``InlinePolicy``, ``PermissionsBoundary``; an ``AWS::SSO::Assignment`` whose
``PermissionSetArn`` is ``!GetAtt <set>.PermissionSetArn`` (or ``!Ref``, ``!Sub``) assigns it.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .._arn import is_aws_managed_policy, is_support_policy, oidc_issuer, policy_name, split_arn
from .._facts import (
    Account,
    Document,
    InlinePolicy,
    ManagedAttachment,
    MaybeAttached,
    PermissionSet,
    ReferenceKind,
    Role,
    TypedReference,
    Unknown,
)
from .._identity_center import INLINE_POLICY_NAME, reference_path
from .._policy import parse_policy
from .._values import (
    CFN_ACCOUNT_TOKEN,
    CFN_PARTITION_TOKEN,
    NO_VALUE,
    Choice,
    describe,
    is_unresolved_reference,
    leaf_text,
    unescape_sub,
)

ROLE = "AWS::IAM::Role"
_POLICY_RESOURCE = re.compile(r"^policy/[\w+=,.@/-]+$")
_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^{}]*)\}")
# An AllowedPattern that admits exactly the 12-digit account IDs.
_ACCOUNT_PATTERN = re.compile(r"\^?(?:\\d|\[0-9\])\{12\}\$?")
_MAX_RAW_DEPTH = 64
# What !GetAtt X.Arn (and !Ref X, for providers) of each resource type is, as a principal.
_TYPED = {
    "AWS::IAM::User": ReferenceKind.IAM_USER,
    "AWS::IAM::Role": ReferenceKind.IAM_ROLE,
    "AWS::IAM::Group": ReferenceKind.IAM_GROUP,
    "AWS::IAM::SAMLProvider": ReferenceKind.SAML_PROVIDER,
    "AWS::IAM::OIDCProvider": ReferenceKind.OIDC_PROVIDER,
}
_NAME_PROPERTY = {
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::SAMLProvider": "Name",
}
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
PERMISSION_SET = "AWS::SSO::PermissionSet"
ASSIGNMENT = "AWS::SSO::Assignment"
_SUB_ATTRIBUTE = re.compile(r"\$\{([A-Za-z0-9]+)\.PermissionSetArn\}")
METADATA_KEY = "cis-support-role"
BASELINE_FLAG = "account-baseline"


class _Other:
    """A parameter's value given at deploy time that is none of the literals the template names."""

    def __repr__(self) -> str:
        return "another value"


_OTHER = _Other()
_CONDITION_FUNCTIONS = frozenset({"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"})


def _condition_or_intrinsic(value: Mapping[object, object]) -> str | None:
    """The intrinsic of a mapping, ``Condition`` (a condition named inside another) included."""
    keys = [k for k in value if isinstance(k, str) and not k.startswith("__")]
    if keys == ["Condition"]:
        return "Condition"
    return _intrinsic_name(value)


def _intrinsic_name(value: object) -> str | None:
    if isinstance(value, Mapping):
        keys = [k for k in value if isinstance(k, str) and not k.startswith("__")]
        if len(keys) == 1 and (keys[0] == "Ref" or keys[0].startswith("Fn::")):
            return keys[0]
    return None


def _clean(value: object) -> object:
    """Drop the ``__startline__``/``__file__`` keys Checkov adds to every mapping it parsed."""
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("__"))}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _both(outer: str | None, inner: str) -> str:
    return inner if outer is None else f"{outer} and {inner}"


def _list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: object) -> str | None:
    """A literal string (Sub/Join of pseudo parameters included) without unresolved parts."""
    text = leaf_text(_clean(value))
    return text if text is not None and text.strip() else None


@dataclass
class CloudFormationTemplate:
    """One template, indexed once; roles and the account facts are built on demand."""

    path: str
    template: Mapping[str, object]
    # the template's Parameters (as a template declares them, or as Checkov keeps them: each a pseudo
    # resource of Type "parameters" with the declaration under Properties); None: those of ``template``
    parameters: Mapping[str, object] | None = None
    # the template as written in its file (long-form intrinsics), when ``template`` is Checkov's
    # rendering: Checkov drops ``Conditions`` and puts a parameter's default in place of its ``!Ref``,
    # so a condition over parameters is evaluated here, from the file (see :meth:`_written_arns`)
    written: Mapping[str, object] | None = None
    resources: dict[str, Mapping[str, object]] = field(default_factory=dict)
    roles: dict[str, Mapping[str, object]] = field(default_factory=dict)
    roles_by_name: dict[str, list[str]] = field(default_factory=dict)
    policies_by_name: dict[str, list[str]] = field(default_factory=dict)
    managed: dict[str, list[ManagedAttachment]] = field(default_factory=dict)
    inline: dict[str, list[InlinePolicy]] = field(default_factory=dict)
    external_roles: dict[str, list[ManagedAttachment]] = field(default_factory=dict)
    maybe: list[MaybeAttached] = field(default_factory=list)  # role not pinned down: any role of the template
    support_users: list[str] = field(default_factory=list)
    support_groups: list[str] = field(default_factory=list)
    role_cache: dict[str, Role] = field(default_factory=dict)
    carrier_found: tuple[str | None] | None = None
    permission_sets: dict[str, Mapping[str, object]] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)  # permission sets an AWS::SSO::Assignment assigns
    permission_set_cache: dict[str, PermissionSet] = field(default_factory=dict)
    # resources Checkov dropped (their Condition is false with the parameters' defaults), read from
    # ``written``: they exist when the condition holds, so they count as conditional resources, but
    # Checkov runs no check on them (none carries a result)
    dropped: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.parameters is None:
            declared = self.template.get("Parameters")
            self.parameters = declared if isinstance(declared, Mapping) else {}
        raw = self.template.get("Resources")
        for logical_id, resource in raw.items() if isinstance(raw, Mapping) else []:
            if isinstance(logical_id, str) and isinstance(resource, Mapping) and isinstance(resource.get("Type"), str):
                self.resources[logical_id] = resource
        written = self.written.get("Resources") if self.written is not None else None
        for logical_id, resource in written.items() if isinstance(written, Mapping) else []:
            if (
                isinstance(logical_id, str)
                and logical_id not in self.resources
                and isinstance(resource, Mapping)
                and isinstance(resource.get("Type"), str)
                and isinstance(resource.get("Condition"), str)
            ):
                self.resources[logical_id] = resource
                self.dropped.add(logical_id)
        for logical_id, resource in self.resources.items():
            if resource["Type"] == ROLE:
                self.roles[logical_id] = resource
                name = _text(self._props(logical_id).get("RoleName"))
                if name is not None and "${" not in name:
                    self.roles_by_name.setdefault(name, []).append(logical_id)
            elif resource["Type"] == MANAGED_POLICY:
                name = _text(self._props(logical_id).get("ManagedPolicyName"))
                if name is not None and "${" not in name:
                    self.policies_by_name.setdefault(name, []).append(logical_id)
            elif resource["Type"] == PERMISSION_SET:
                self.permission_sets[logical_id] = resource
        for logical_id, resource in self.resources.items():
            kind = resource["Type"]
            if kind == "AWS::IAM::Policy":
                self._inline_policy(logical_id, "Roles")
            elif kind == "AWS::IAM::RolePolicy":
                self._inline_policy(logical_id, "RoleName")
            elif kind == MANAGED_POLICY:
                attachment = self._customer(logical_id)
                if self._condition(logical_id) is not None:
                    attachment = dataclasses.replace(attachment, condition=self._condition(logical_id))
                roles = _list(self._props(logical_id).get("Roles"))
                for role in _unique(roles):
                    self._attach(logical_id, role, attachment)
            elif kind == ASSIGNMENT:
                self.assigned.update(self._assigned_sets(self._props(logical_id).get("PermissionSetArn")))
            elif kind in ("AWS::IAM::User", "AWS::IAM::Group"):
                props = self._props(logical_id)
                arns = self.attachments(logical_id, _list(props.get("ManagedPolicyArns")))
                if any(isinstance(a.arn, str) and is_support_policy(a.arn) for a in arns):
                    key = "UserName" if kind == "AWS::IAM::User" else "GroupName"
                    name = _text(props.get(key)) or logical_id
                    (self.support_users if kind == "AWS::IAM::User" else self.support_groups).append(name)

    def _props(self, logical_id: str) -> Mapping[str, object]:
        props = self.resources[logical_id].get("Properties")
        return props if isinstance(props, Mapping) else {}

    def _condition(self, logical_id: str) -> str | None:
        """The resource's ``Condition`` attribute: it exists only when that condition holds. Checkov
        drops the attribute (and the resource, where the condition is false with the defaults): the
        template as written in the file has it."""
        condition = self.resources[logical_id].get("Condition")
        if condition is None and self.written is not None:
            resources = self.written.get("Resources")
            resource = resources.get(logical_id) if isinstance(resources, Mapping) else None
            condition = resource.get("Condition") if isinstance(resource, Mapping) else None
        return condition if isinstance(condition, str) and condition.strip() else None

    # ---------------------------------------------------------------------- raw values
    def typed(self, value: object) -> TypedReference | None:
        """The typed reference a ``!GetAtt X.Arn`` / ``!Ref Provider`` is, when X is an IAM identity
        or provider of the template; None otherwise."""
        intrinsic = _intrinsic_name(value)
        if not isinstance(value, Mapping) or intrinsic not in ("Fn::GetAtt", "Ref"):
            return None
        arg = value[intrinsic]
        if intrinsic == "Ref":
            target, attribute, expression = arg, "Arn", f"!Ref {arg}"
            if not isinstance(target, str) or self.resources.get(target, {}).get("Type") not in (
                "AWS::IAM::SAMLProvider",
                "AWS::IAM::OIDCProvider",
            ):
                return None  # !Ref of a user or role is its name, not an ARN
        else:
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if not isinstance(parts, list) or len(parts) != 2 or not all(isinstance(p, str) for p in parts):
                return None
            target, attribute = parts
            expression = f"!GetAtt {target}.{attribute}"
        resource = self.resources.get(target) if isinstance(target, str) else None
        kind = _TYPED.get(str(resource.get("Type"))) if resource is not None else None
        if kind is None or attribute != "Arn" or not isinstance(target, str):
            return None
        props = self._props(target)
        name: str | None = None
        issuer: str | None = None
        key = _NAME_PROPERTY.get(str(self.resources[target]["Type"]))
        literal = _text(props.get(key)) if key else None
        if literal is not None and "${" not in literal:
            path = _text(props.get("Path")) or "/"
            name = f"{path.lstrip('/')}{literal}" if "${" not in path else None
        if kind is ReferenceKind.OIDC_PROVIDER:
            url = _text(props.get("Url"))
            issuer = oidc_issuer(url) if url is not None and "${" not in url else None
        return TypedReference(kind, expression, name=name, issuer=issuer)

    def raw(self, value: object, depth: int = 0) -> object:
        """A template value as the core reads raw documents: ``Fn::If`` -> Choice, ``AWS::NoValue``
        -> NO_VALUE, typed references, Sub/Join as partially known text. Never modifies ``value``."""
        if depth > _MAX_RAW_DEPTH:
            raise RecursionError("template value nested too deeply")
        if isinstance(value, list):
            return [self.raw(item, depth + 1) for item in value]
        if not isinstance(value, Mapping):
            return value
        intrinsic = _intrinsic_name(value)
        if intrinsic is None:
            return {
                k: self.raw(v, depth + 1) for k, v in value.items() if not (isinstance(k, str) and k.startswith("__"))
            }
        arg = value[intrinsic]
        if intrinsic == "Ref" and arg == "AWS::NoValue":
            return NO_VALUE
        typed = self.typed(value)
        if typed is not None:
            return typed
        if intrinsic == "Ref" and isinstance(arg, str):
            declared = self.parameter(arg)
            if declared is not None:
                return declared
        if intrinsic == "Fn::If" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            return Choice(arg[0], self.raw(arg[1], depth + 1), self.raw(arg[2], depth + 1))
        if intrinsic in ("Fn::Sub", "Fn::Join"):
            built = self._built(intrinsic, arg, depth)
            if built is not None:
                return built
        return _clean(value)

    def parameter(self, name: str) -> object | None:
        """What a ``!Ref`` to a parameter without a default may be, from its declaration: one of its
        ``AllowedValues`` (a Choice per value, at most 5), an account ID (``AllowedPattern`` of exactly
        12 digits: a typed reference to that account, whose ID is a ``${name}`` token); None otherwise."""
        declared = self.parameters.get(name) if self.parameters is not None else None
        if isinstance(declared, Mapping) and declared.get("Type") == "parameters":
            declared = declared.get("Properties")  # Checkov keeps a declaration as a pseudo resource
        if not isinstance(declared, Mapping) or "Default" in declared:
            return None  # a default is substituted by Checkov; none declared: nothing known
        allowed = declared.get("AllowedValues")
        if isinstance(allowed, list) and 0 < len(allowed) <= 5:
            texts = [leaf_text(v) for v in allowed]
            if all(isinstance(t, str) and t for t in texts):
                value: object = texts[-1]
                for text in reversed(texts[:-1]):
                    value = Choice(f"{name} = {text}", text, value)
                return value
        pattern = declared.get("AllowedPattern")
        if isinstance(pattern, str) and _ACCOUNT_PATTERN.fullmatch(pattern.strip()):
            return TypedReference(ReferenceKind.ACCOUNT, f"!Ref {name}", account=f"${{{name}}}")
        return None

    def _token(self, value: object, depth: int) -> object:
        """A part of a Sub/Join: its text, a Choice of texts, or a ``${...}`` token for what is not known."""
        raw = self.raw(value, depth + 1)
        if isinstance(raw, str | Choice | TypedReference):
            return raw
        if isinstance(raw, bool | int | float):
            return leaf_text(raw)
        if isinstance(raw, Mapping) and _intrinsic_name(raw) == "Ref" and isinstance(raw.get("Ref"), str):
            pseudo = leaf_text(raw)
            return pseudo if pseudo is not None else f"${{{raw['Ref']}}}"
        if isinstance(raw, Mapping) and _intrinsic_name(raw) == "Fn::GetAtt":
            target = raw["Fn::GetAtt"]
            shown = ".".join(str(t) for t in target) if isinstance(target, list) else str(target)
            return "${" + shown.replace("{", "").replace("}", "") + "}"
        name = _intrinsic_name(raw)
        return f"${{{name or 'value'}}}"

    def _built(self, intrinsic: str, arg: object, depth: int) -> object | None:
        """The text a Sub or Join builds (a Choice when a part depends on a condition)."""
        if intrinsic == "Fn::Sub":
            template, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            if not isinstance(template, str) or not isinstance(variables, Mapping):
                return None
            whole = _SUB_VARIABLE.fullmatch(template.strip())
            if whole and whole.group(1) not in variables and whole.group(1).endswith(".Arn"):
                typed = self.typed({"Fn::GetAtt": whole.group(1)})
                if typed is not None:
                    return typed
            names = [n for n in dict.fromkeys(_SUB_VARIABLE.findall(template)) if n in variables]
            parts: list[object] = []
            last = 0
            for match in _SUB_VARIABLE.finditer(template):
                name = match.group(1)
                if name in names:
                    replacement = self._token(variables[name], depth)
                elif self.parameter(name) is not None:  # ${Param}: what its declaration allows
                    replacement = self._token({"Ref": name}, depth)
                else:
                    continue
                parts.append(unescape_sub(template[last : match.start()]))
                parts.append(replacement)
                last = match.end()
            parts.append(unescape_sub(template[last:]))
            return _concat(parts, "")
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list):
            separator, items = arg
            tokens = [self._token(item, depth) for item in items]
            tokens = [t for t in tokens if t is not NO_VALUE]
            return _concat(tokens, separator)
        return None

    # -------------------------------------------------------------------------- references
    def role_targets(self, value: object) -> tuple[list[str], str | None, str | None]:
        """(role logical IDs, external role name, why unresolved) for a role reference."""
        if isinstance(value, Mapping) and _intrinsic_name(value) == "Ref":
            target = value.get("Ref")
            if isinstance(target, str) and target in self.roles:
                return [target], None, None
            return list(self.roles), None, f"!Ref {describe(target)} does not name a role of the template"
        intrinsic = _intrinsic_name(value)
        text = _text(value) if intrinsic in (None, "Fn::Sub", "Fn::Join") else None
        if text is None or "${" in text:
            return list(self.roles), None, f"the role {describe(_clean(value))} is an intrinsic that is not evaluated"
        name = text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
        ids = self.roles_by_name.get(name, [])
        return (list(ids), None, None) if ids else ([], name, None)

    def policy(self, origin: str, value: object) -> ManagedAttachment:
        """A managed policy from one ``ManagedPolicyArns`` entry."""
        intrinsic = _intrinsic_name(value)
        if intrinsic == "Ref":
            target = value.get("Ref") if isinstance(value, Mapping) else None
            if isinstance(target, str) and self.resources.get(target, {}).get("Type") == MANAGED_POLICY:
                return self._customer(target)
            why = "a parameter whose value is given at deploy time, or not a managed policy of the template"
            return ManagedAttachment(Unknown(f"{origin}: !Ref {describe(target)} could not be resolved ({why})"))
        if intrinsic not in (None, "Fn::Sub", "Fn::Join"):
            return ManagedAttachment(
                Unknown(
                    f"{origin}: a policy ARN given as {intrinsic} {describe(_clean(value))}, which is not evaluated"
                )
            )
        text = _text(value)
        if text is None:
            return ManagedAttachment(
                Unknown(f"{origin}: the policy ARN {describe(_clean(value))} could not be resolved")
            )
        text = text.strip()
        fields = split_arn(text)
        if is_unresolved_reference(text) or (
            fields is not None
            and (
                any("${" in part for part in (fields[2], fields[3], fields[5])) or not _POLICY_RESOURCE.match(fields[5])
            )
        ):
            return ManagedAttachment(Unknown(f"{origin}: the policy ARN {text} could not be resolved"))
        if fields is None or is_aws_managed_policy(text):
            return ManagedAttachment(text)
        candidates = self.policies_by_name.get(policy_name(text), [])
        if len(candidates) == 1:
            return ManagedAttachment(text, self._customer(candidates[0]).document)
        why = "is not defined in the template" if not candidates else "matches several managed policies"
        return ManagedAttachment(text, Unknown(f"the customer managed policy {text} {why}"))

    def attachments(self, origin: str, value: object, condition: str | None = None) -> list[ManagedAttachment]:
        """The managed policies of one ``ManagedPolicyArns`` entry (or the whole list), with the
        condition under which each is attached (``Fn::If`` branches; ``AWS::NoValue`` attaches nothing)."""
        if isinstance(value, list):
            return [a for item in value for a in self.attachments(origin, item, condition)]
        intrinsic = _intrinsic_name(value)
        if isinstance(value, Mapping) and intrinsic == "Ref" and value.get("Ref") == "AWS::NoValue":
            return []
        if isinstance(value, Mapping) and intrinsic == "Fn::If":
            arg = value.get("Fn::If")
            if isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
                when, otherwise = _both(condition, arg[0]), _both(condition, f"not {arg[0]}")
                return self.attachments(origin, arg[1], when) + self.attachments(origin, arg[2], otherwise)
        if isinstance(value, Mapping) and intrinsic == "Ref" and isinstance(value.get("Ref"), str):
            declared = self.parameter(str(value["Ref"]))
            if isinstance(declared, Choice):  # a parameter with AllowedValues: each value, under its condition
                return self.attachments(origin, declared.when_true, _both(condition, declared.condition)) + (
                    self.attachments(origin, declared.when_false, _both(condition, f"not {declared.condition}"))
                )
        if isinstance(value, Choice):
            return self.attachments(origin, value.when_true, _both(condition, value.condition)) + self.attachments(
                origin, value.when_false, _both(condition, f"not {value.condition}")
            )
        attachment = self.policy(origin, value)
        return [attachment if condition is None else dataclasses.replace(attachment, condition=condition)]

    def _customer(self, logical_id: str) -> ManagedAttachment:
        props = self._props(logical_id)
        name = _text(props.get("ManagedPolicyName")) or logical_id
        path = _text(props.get("Path")) or "/"
        arn = f"arn:{CFN_PARTITION_TOKEN}:iam::{CFN_ACCOUNT_TOKEN}:policy{path}{name}"
        return ManagedAttachment(arn, self.document(props.get("PolicyDocument"), f"{logical_id}.PolicyDocument"))

    def document(self, value: object, what: str) -> Document:
        if value is None:
            return Unknown(f"{what} is not set")
        intrinsic = _intrinsic_name(value)
        if intrinsic is not None and intrinsic not in ("Fn::Sub", "Fn::If"):
            return Unknown(f"{what} is given as {intrinsic}, which is not evaluated")
        raw = self.raw(value)
        if intrinsic == "Fn::Sub" and not isinstance(raw, str | Choice):
            text = leaf_text(_clean(value))
            raw = text if text is not None else raw
        document = parse_policy(raw)
        return Unknown(f"{what}: {document.reason}") if isinstance(document, Unknown) else document

    # ----------------------------------------------------------------------- attachments
    def _attach(self, origin: str, role: object, attachment: ManagedAttachment) -> None:
        ids, external, why = self.role_targets(role)
        if why is not None:
            self.maybe.append(MaybeAttached(attachment, origin, why))
        elif external is not None:
            self.external_roles.setdefault(external, []).append(attachment)
        else:
            for logical_id in ids:
                self.managed.setdefault(logical_id, []).append(attachment)

    def _inline_policy(self, logical_id: str, key: str) -> None:
        props = self._props(logical_id)
        name = _text(props.get("PolicyName")) or logical_id
        if self._condition(logical_id) is not None:
            name = f"{name} (when {self._condition(logical_id)})"
        policy = InlinePolicy(name, self.document(props.get("PolicyDocument"), f"{logical_id}.PolicyDocument"))
        targets: set[str] = set()
        for role in _list(props.get(key)):
            ids, _, why = self.role_targets(role)
            if why is not None:
                self.maybe.append(MaybeAttached(policy, logical_id, why))
            else:
                targets.update(ids)
        for target in sorted(targets):
            self.inline.setdefault(target, []).append(policy)

    # ------------------------------------------------------------------------------- facts
    def role(self, logical_id: str) -> Role | None:
        if logical_id not in self.roles:
            return None
        cached = self.role_cache.get(logical_id)
        if cached is not None:
            return cached
        props = self._props(logical_id)
        name = _text(props.get("RoleName"))
        trust = self.document(props.get("AssumeRolePolicyDocument"), f"{logical_id}.AssumeRolePolicyDocument")
        arns = props.get("ManagedPolicyArns")
        role_condition = self._condition(logical_id)
        managed: tuple[ManagedAttachment, ...] | Unknown
        written = self._written_arns(logical_id, arns)
        if written is not None:
            found = [a for value, condition in written for a in self.attachments(logical_id, value, condition)]
            managed = tuple(found) + tuple(self.managed.get(logical_id, []))
        elif arns is not None and not isinstance(arns, list) and _intrinsic_name(arns) != "Fn::If":
            managed = Unknown(f"{logical_id}.ManagedPolicyArns is {describe(_clean(arns))}, which is not evaluated")
        else:
            managed = tuple(self.attachments(logical_id, _list(arns))) + tuple(self.managed.get(logical_id, []))
            if role_condition is not None:  # the role exists only when its condition holds
                managed = tuple(
                    dataclasses.replace(
                        a, condition=_both(role_condition, a.condition) if a.condition else role_condition
                    )
                    for a in managed
                )
        inline: list[InlinePolicy] = []
        policies = props.get("Policies")
        for i, (item, condition) in enumerate(_branches(policies)):
            if not isinstance(item, Mapping) or _intrinsic_name(item) is not None:
                inline.append(InlinePolicy(f"Policies[{i}]", Unknown(f"{logical_id}.Policies[{i}] is not evaluated")))
                continue
            policy_name_ = _text(item.get("PolicyName")) or f"Policies[{i}]"
            document = self.document(item.get("PolicyDocument"), f"inline policy {policy_name_}")
            shown = policy_name_ if condition is None else f"{policy_name_} (when {condition})"
            inline.append(InlinePolicy(shown, document))
        inline += self.inline.get(logical_id, [])
        role = Role(
            name=name if name is not None and "${" not in name else logical_id,
            address=logical_id,
            trust=trust,
            managed=managed,
            inline=tuple(inline),
            boundary=_text(props.get("PermissionsBoundary")),
            maybe_attached=tuple(self.maybe),
        )
        self.role_cache[logical_id] = role
        return role

    # ------------------------------------------------------- conditions over parameters
    def _written_arns(self, logical_id: str, rendered: object) -> list[tuple[object, str | None]] | None:
        """A role's ``ManagedPolicyArns`` as written in the file, with every ``Fn::If`` whose condition
        depends only on parameters decided for each value those parameters may take: (entry, the
        condition under which it is attached). None when the file does not say more than Checkov's
        rendering (no such ``Fn::If``, or a parameter whose values are not known: see :meth:`_values_of`).
        Entries that are not decided that way are taken from Checkov's rendering (``rendered``).

        Checkov renders ``!Ref Param`` as the parameter's default and drops ``Conditions``: a
        ``"None"`` sentinel default behind ``!If [HasPolicy, !Ref Policy, !Ref AWS::NoValue]`` would
        read as a customer policy named ``None``, although the condition rules that value out.
        """
        if self.written is None:
            return None
        resources = self.written.get("Resources")
        resource = resources.get(logical_id) if isinstance(resources, Mapping) else None
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        if not isinstance(props, Mapping) or "ManagedPolicyArns" not in props:
            return None
        entries = props["ManagedPolicyArns"]
        if not isinstance(entries, list) or not isinstance(rendered, list) or len(rendered) != len(entries):
            return None
        out: list[tuple[object, str | None]] = []
        decided = False
        for entry, as_rendered in zip(entries, rendered, strict=True):
            expanded = self._decide(entry)
            if expanded is None:
                out.append((as_rendered, None))
                continue
            decided = True
            out.extend(expanded)
        return out if decided else None

    def _decide(self, entry: object) -> list[tuple[object, str | None]] | None:
        """One ``ManagedPolicyArns`` entry decided for every combination of the values its parameters
        may take (at most 32 combinations): the entries it gives, each with the condition under
        which. An ``Fn::If`` whose condition depends only on parameters; a ``!Ref`` to a parameter
        with several ``AllowedValues``. None when it cannot be decided that way."""
        intrinsic = _intrinsic_name(entry)
        if intrinsic not in ("Fn::If", "Ref"):
            return None
        names: list[str] = []
        compared: dict[str, list[str]] = {}
        if not self._parameters_in(entry, names, compared, 0):
            return None
        choices = [self._values_of(name, compared.get(name, [])) for name in names]
        if intrinsic == "Ref" and any(_OTHER in values for values in choices):
            return None  # a parameter without AllowedValues: Checkov's rendering (its default) is judged
        combinations = 1
        for values in choices:
            combinations *= len(values)
        if not names or combinations > 32 or (intrinsic == "Ref" and combinations < 2):
            return None
        out: list[tuple[object, str | None]] = []
        branches: set[str | None] = set()
        # the values a template names first: a branch one of them reaches is judged with it (the
        # default stands for the parameter, as in Checkov's rendering); a branch only another value
        # reaches attaches that value, unknown until deploy time
        combinations_ = sorted(itertools.product(*choices), key=lambda p: sum(v is _OTHER for v in p))
        for picked in combinations_:
            assignment = dict(zip(names, picked, strict=True))
            labels: list[str] = []
            value = self._pick(entry, assignment, labels, 0)
            if value is None:
                return None
            if value is NO_VALUE:
                continue
            if intrinsic == "Ref":
                labels.append(f"{names[0]} = {picked[0]}")
            label = " and ".join(dict.fromkeys(labels)) or None
            if _OTHER in picked and label in branches:
                continue
            branches.add(label)
            if (value, label) not in out:
                out.append((value, label))
        return out

    def _values_of(self, name: str, compared: list[str]) -> list[str | _Other]:
        """What a parameter may be: each of its ``AllowedValues``; without them its ``Default``, each
        literal a condition compares it with, and any other value given at deploy time."""
        declared = self.parameters.get(name) if self.parameters is not None else None
        if isinstance(declared, Mapping) and declared.get("Type") == "parameters":
            declared = declared.get("Properties")
        declared = declared if isinstance(declared, Mapping) else {}
        allowed = declared.get("AllowedValues")
        if isinstance(allowed, list) and allowed:
            texts = [leaf_text(v) for v in allowed]
            if all(t is not None for t in texts):
                return list(dict.fromkeys(t for t in texts if t is not None))
        default = leaf_text(declared.get("Default")) if "Default" in declared else None
        values: list[str | _Other] = list(dict.fromkeys([*([default] if default is not None else []), *compared]))
        return [*values, _OTHER]

    def _conditions(self) -> Mapping[str, object]:
        found = self.written.get("Conditions") if self.written is not None else None
        return found if isinstance(found, Mapping) else {}

    def _parameters_in(self, value: object, names: list[str], compared: dict[str, list[str]], depth: int) -> bool:
        """Collect the parameters ``value`` (and the conditions it names) depend on, and the literals
        conditions compare them with; False when it depends on something else that is not known (a
        resource, an unknown condition, a pseudo parameter in a condition)."""
        if depth > _MAX_RAW_DEPTH:
            return False
        if isinstance(value, list):
            return all(self._parameters_in(v, names, compared, depth + 1) for v in value)
        if not isinstance(value, Mapping):
            return True
        intrinsic = _condition_or_intrinsic(value)
        if intrinsic is None:
            return all(self._parameters_in(v, names, compared, depth + 1) for v in value.values())
        arg = value[intrinsic]
        if intrinsic == "Ref":
            if arg == "AWS::NoValue":
                return True
            if isinstance(arg, str) and self.parameters is not None and arg in self.parameters:
                if arg not in names:
                    names.append(arg)
                return True
            return False
        if intrinsic == "Condition" or intrinsic == "Fn::If":
            if intrinsic == "Fn::If" and not (isinstance(arg, list) and len(arg) == 3):
                return False
            condition = arg if intrinsic == "Condition" else arg[0]
            definition = self._conditions().get(condition) if isinstance(condition, str) else None
            if definition is None or not self._parameters_in(definition, names, compared, depth + 1):
                return False
            return intrinsic == "Condition" or self._parameters_in(arg[1:], names, compared, depth + 1)
        if intrinsic == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            for one, other in (arg, arg[::-1]):
                text = leaf_text(other) if not isinstance(other, Mapping | list) else None
                if isinstance(one, Mapping) and _intrinsic_name(one) == "Ref" and text is not None:
                    compared.setdefault(str(one["Ref"]), []).append(text)
            return self._parameters_in(arg, names, compared, depth + 1)
        if intrinsic in ("Fn::Not", "Fn::And", "Fn::Or"):
            return self._parameters_in(arg, names, compared, depth + 1)
        return intrinsic not in _CONDITION_FUNCTIONS  # Sub, Join, GetAtt...: read later as the source reads them

    def _truth(self, value: object, assignment: Mapping[str, str | _Other], depth: int) -> bool | None:
        """A condition expression's value under ``assignment``; None when it cannot be evaluated."""
        if depth > _MAX_RAW_DEPTH or not isinstance(value, Mapping):
            return None
        intrinsic = _condition_or_intrinsic(value)
        arg = value.get(intrinsic) if intrinsic is not None else None
        if intrinsic == "Condition" and isinstance(arg, str):
            return self._truth(self._conditions().get(arg), assignment, depth + 1)
        if intrinsic == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left, right = (self._scalar(v, assignment) for v in arg)
            if left is None or right is None or (left is _OTHER and right is _OTHER):
                return None
            return left == right  # another value equals none of the literals it was compared with
        if intrinsic == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._truth(arg[0], assignment, depth + 1)
            return None if inner is None else not inner
        if intrinsic in ("Fn::And", "Fn::Or") and isinstance(arg, list) and arg:
            values = [self._truth(v, assignment, depth + 1) for v in arg]
            if any(v is None for v in values):
                return None
            return all(values) if intrinsic == "Fn::And" else any(values)
        return None

    def _scalar(self, value: object, assignment: Mapping[str, str | _Other]) -> str | _Other | None:
        if isinstance(value, Mapping) and _intrinsic_name(value) == "Ref":
            return assignment.get(str(value["Ref"]))
        return leaf_text(value) if not isinstance(value, Mapping | list) else None

    def _pick(
        self, value: object, assignment: Mapping[str, str | _Other], labels: list[str], depth: int
    ) -> object | None:
        """``value`` under ``assignment``: each ``Fn::If`` replaced by its branch (its condition, or
        ``not`` it, added to ``labels``), each ``!Ref`` to a parameter by its value (left a ``!Ref``,
        which reads as unresolved naming the parameter, for a value given at deploy time); None when
        a condition cannot be evaluated."""
        if depth > _MAX_RAW_DEPTH:
            return None
        intrinsic = _intrinsic_name(value)
        if isinstance(value, Mapping) and intrinsic == "Fn::If":
            arg = value["Fn::If"]
            if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
                return None
            truth = self._truth({"Condition": arg[0]}, assignment, depth + 1)
            if truth is None:
                return None
            labels.append(arg[0] if truth else f"not {arg[0]}")
            return self._pick(arg[1] if truth else arg[2], assignment, labels, depth + 1)
        if isinstance(value, Mapping) and intrinsic == "Ref":
            target = value["Ref"]
            if target == "AWS::NoValue":
                return NO_VALUE
            picked = assignment.get(target) if isinstance(target, str) else None
            if isinstance(picked, str):
                return picked
        return value

    # ------------------------------------------------------------------- permission sets
    def _assigned_sets(self, value: object) -> list[str]:
        """The permission sets of the template a ``PermissionSetArn`` value names.

        A permission set's ARN exists only once it is deployed, so only a reference to it
        (``!GetAtt``, ``!Ref``, ``${Set.PermissionSetArn}`` in ``!Sub``) can name one of the
        template's; any other value names a permission set defined elsewhere. Both branches of an
        ``Fn::If`` count: the assignment may be made.
        """
        intrinsic = _intrinsic_name(value)
        arg = value.get(intrinsic) if isinstance(value, Mapping) and intrinsic else None
        if intrinsic == "Fn::GetAtt":
            target = arg[0] if isinstance(arg, list) and arg else arg.split(".", 1)[0] if isinstance(arg, str) else None
            return [target] if isinstance(target, str) and target in self.permission_sets else []
        if intrinsic == "Ref":
            return [arg] if isinstance(arg, str) and arg in self.permission_sets else []
        if intrinsic == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            found = _SUB_ATTRIBUTE.findall(text) if isinstance(text, str) else []
            return [target for target in found if target in self.permission_sets]
        if intrinsic == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return self._assigned_sets(arg[1]) + self._assigned_sets(arg[2])
        return []

    def _reference(self, origin: str, index: int, value: object) -> ManagedAttachment:
        """A customer managed policy reference: the template's policy of that path and name."""
        entry = _clean(value)
        name = _text(entry.get("Name")) if isinstance(entry, Mapping) else None
        if name is None or "${" in name:
            shown = describe(entry)
            return ManagedAttachment(
                Unknown(f"{origin}.CustomerManagedPolicyReferences[{index}] {shown} is not evaluated")
            )
        path = _policy_path(entry.get("Path") if isinstance(entry, Mapping) else None)
        arn = f"arn:{CFN_PARTITION_TOKEN}:iam::{CFN_ACCOUNT_TOKEN}:policy{path}{name}"
        candidates = [
            c for c in self.policies_by_name.get(name, []) if _policy_path(self._props(c).get("Path")) == path
        ]
        if len(candidates) == 1:
            return ManagedAttachment(arn, self._customer(candidates[0]).document)
        why = "is not defined in the template" if not candidates else "matches several managed policies"
        return ManagedAttachment(
            arn, Unknown(f"the customer managed policy {path}{name} that {origin} refers to {why}")
        )

    def permission_set(self, logical_id: str) -> PermissionSet | None:
        """The facts of an ``AWS::SSO::PermissionSet`` of the template (None for another resource)."""
        if logical_id not in self.permission_sets:
            return None
        cached = self.permission_set_cache.get(logical_id)
        if cached is not None:
            return cached
        props = self._props(logical_id)
        name = _text(props.get("Name"))
        managed: tuple[ManagedAttachment, ...] | Unknown
        policies, references = props.get("ManagedPolicies"), props.get("CustomerManagedPolicyReferences")
        if (policies is not None and not isinstance(policies, list)) or (
            references is not None and not isinstance(references, list)
        ):
            shown = describe(_clean(policies if not isinstance(policies, list) else references))
            managed = Unknown(f"{logical_id}: its managed policies are {shown}, which is not evaluated")
        else:
            managed = tuple(self.policy(logical_id, arn) for arn in _list(policies)) + tuple(
                self._reference(logical_id, i, entry) for i, entry in enumerate(_list(references))
            )
        raw_inline = props.get("InlinePolicy")
        inline: tuple[InlinePolicy, ...] = ()
        if raw_inline is not None and raw_inline != "":
            document = self.document(raw_inline, f"{logical_id}.InlinePolicy")
            inline = (InlinePolicy(INLINE_POLICY_NAME, document),)
        boundary = props.get("PermissionsBoundary")
        boundary_arn: str | None = None
        if isinstance(boundary, Mapping):
            boundary_arn = _text(boundary.get("ManagedPolicyArn"))
            if boundary_arn is None and isinstance(boundary.get("CustomerManagedPolicyReference"), Mapping):
                arn = self._reference(logical_id, 0, boundary.get("CustomerManagedPolicyReference")).arn
                boundary_arn = arn if isinstance(arn, str) else None
        permission_set = PermissionSet(
            name=name if name is not None and "${" not in name else logical_id,
            address=logical_id,
            managed=managed,
            inline=inline,
            boundary=boundary_arn,
            assigned=logical_id in self.assigned,
        )
        self.permission_set_cache[logical_id] = permission_set
        return permission_set

    def account(self) -> Account:
        roles = [r for r in (self.role(logical_id) for logical_id in sorted(self.roles)) if r is not None]
        for name, attachments in sorted(self.external_roles.items()):
            roles.append(
                Role(
                    name=name,
                    address=f"{name} (a role not defined in the template)",
                    trust=Unknown("the role is not defined in the template"),
                    managed=tuple(attachments),
                )
            )
        permission_sets = (self.permission_set(logical_id) for logical_id in sorted(self.permission_sets))
        return Account(
            address=f"template {self.path}",
            roles=tuple(roles),
            support_users=tuple(sorted(self.support_users)),
            support_groups=tuple(sorted(self.support_groups)),
            # without a role of its own, whatever the template attaches names a role it does not define
            maybe_attached=() if self.roles else tuple(self.maybe),
            permission_sets=tuple(p for p in permission_sets if p is not None),
        )

    def marked_baseline(self) -> bool:
        """Whether the template's ``Metadata`` declares it an account baseline."""
        metadata = self.template.get("Metadata")
        ours = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
        flag = ours.get(BASELINE_FLAG) if isinstance(ours, Mapping) else None
        return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")

    def carrier(self) -> str | None:
        """The resource that carries the template's account-level (exists) result (found once)."""
        if self.carrier_found is None:
            roles = [r for r in self.roles if r not in self.dropped]
            resources = [r for r in self.resources if r not in self.dropped]
            if roles:
                self.carrier_found = (min(roles),)
            else:
                self.carrier_found = (min(resources) if resources else None,)
        return self.carrier_found[0]


def _branches(value: object, condition: str | None = None) -> list[tuple[object, str | None]]:
    """The items of a list property with the condition each is there under (``Fn::If`` entries)."""
    if isinstance(value, list):
        return [pair for item in value for pair in _branches(item, condition)]
    if isinstance(value, Mapping) and _intrinsic_name(value) == "Ref" and value.get("Ref") == "AWS::NoValue":
        return []
    if isinstance(value, Mapping) and _intrinsic_name(value) == "Fn::If":
        arg = value.get("Fn::If")
        if isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            return _branches(arg[1], _both(condition, arg[0])) + _branches(arg[2], _both(condition, f"not {arg[0]}"))
    return [] if value is None else [(value, condition)]


def _concat(parts: list[object], separator: str) -> object:
    """Join text parts; a Choice among them makes a Choice of the joined texts; a typed reference
    inside a longer text reads as its partially known ARN's token."""
    for i, part in enumerate(parts):
        if isinstance(part, Choice):
            return Choice(
                part.condition,
                _concat([*parts[:i], part.when_true, *parts[i + 1 :]], separator),
                _concat([*parts[:i], part.when_false, *parts[i + 1 :]], separator),
            )
    if len(parts) == 1 and isinstance(parts[0], TypedReference):
        return parts[0]
    texts = ["${" + p.expression.split(" ", 1)[-1] + "}" if isinstance(p, TypedReference) else p for p in parts]
    texts = [t for t in texts if t is not NO_VALUE]
    if not all(isinstance(t, str) for t in texts):
        return None
    return separator.join(str(t) for t in texts)


def _policy_path(value: object) -> str:
    return reference_path(_text(value))


def _unique(values: list[object]) -> list[object]:
    """Role references without repeats (the same role named twice is attached once)."""
    seen: list[object] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
