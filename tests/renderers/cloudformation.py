"""Render a corpus scenario as a CloudFormation template (plain Python, importable from any environment).

Three styles write the same account three ways:

``yaml``
    YAML with short-form tags: every ARN's partition as ``!Sub "arn:${AWS::Partition}:..."``;
    trust policies as objects; inline policies in the role's ``Policies``; customer managed
    policies as ``AWS::IAM::ManagedPolicy`` attached with ``!Ref`` in ``ManagedPolicyArns``.
``json``
    JSON with literal ARNs; trust policies as JSON *strings*; inline policies as
    ``AWS::IAM::RolePolicy`` (``RoleName: {"Ref": ...}``) and ``AWS::IAM::Policy``
    (``Roles: [{"Ref": ...}]``) in turn; customer managed policies named by literal ARN and
    matched by ``ManagedPolicyName``; the account-baseline marker in the template ``Metadata``.
``cdk``
    what ``cdk synth`` writes to ``cdk.out/<Stack>.template.json``: ``Fn::Join`` with
    ``{"Ref": "AWS::Partition"}``, generated role names (no ``RoleName``), hashed logical IDs,
    ``AWS::IAM::Policy`` and ``AWS::IAM::ManagedPolicy`` naming roles in ``Roles``, the
    ``CDKMetadata`` resource and the bootstrap-version parameter.

IAM Identity Center permission sets are ``AWS::SSO::PermissionSet`` (managed policies in the
style's ARN form, ``CustomerManagedPolicyReferences``, ``InlinePolicy`` as an object, or as a JSON
string in the ``json`` style, ``PermissionsBoundary``) and, for an assigned set, an
``AWS::SSO::Assignment`` of it to the account (``!GetAtt <set>.PermissionSetArn``, the stack's own
account by ``AWS::AccountId`` but in the ``json`` style, which writes the account ID); the instance is
a template parameter.

An account with no resource gets an ``AWS::CloudFormation::WaitConditionHandle`` (a template
needs at least one resource).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from support_role.scenarios import Scenario

STYLES: tuple[str, ...] = ("yaml", "json", "cdk")
METADATA = {"cis-support-role": {"account-baseline": True}}
PLACEHOLDER = "Placeholder"
INSTANCE_PARAMETER = "SsoInstanceArn"
MADE_UP_INSTANCE = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
SUPPORT_GROUP_ID = "9067c2d4-1011-70b5-0a1b-2c3d4e5f6a7b"


@dataclass(frozen=True)
class RenderedCloudFormation:
    files: Mapping[str, str]  # path relative to the scenario folder -> content
    template_path: str  # the template among the files
    role_ids: Mapping[str, str]  # scenario role name -> logical ID
    resource_types: Mapping[str, str]  # logical ID -> resource type, for every resource
    marked: bool  # whether the template's Metadata declares it an account baseline
    permission_set_ids: Mapping[str, str] = field(default_factory=dict)  # permission set name -> logical ID

    @property
    def exists_carrier(self) -> str | None:
        """The logical ID that carries the account-level result (docs/checkov.md, "account baseline")."""
        if self.role_ids:
            return min(self.role_ids.values())
        return min(self.resource_types) if self.resource_types else None

    def checkov_resource(self, logical_id: str) -> str:
        """How Checkov names the resource in its reports: ``<Type>.<logical ID>``."""
        return f"{self.resource_types[logical_id]}.{logical_id}"


@dataclass(frozen=True)
class Tag:
    """A short-form intrinsic in YAML output (``!Sub x``, ``!Ref x``)."""

    tag: str
    value: object


def _camel(text: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", text)
    camel = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return camel if camel and camel[0].isalpha() else f"X{camel}"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8].upper()


@dataclass
class _Ids:
    cdk: bool
    taken: set[str] = field(default_factory=set)

    def make(self, kind: str, name: str) -> str:
        base = f"{_camel(name)}{kind}"
        if self.cdk:
            base += _hash(f"{kind}/{name}")
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}{n}", n + 1
        self.taken.add(candidate)
        return candidate


class _Writer:
    def __init__(self, scenario: Scenario, style: str) -> None:
        self.scenario = scenario
        self.style = style
        self.ids = _Ids(cdk=style == "cdk")
        self.resources: dict[str, dict[str, object]] = {}
        self.role_ids = {r.name: self.ids.make("Role", r.name) for r in scenario.roles}
        self.user_ids = {u: self.ids.make("User", u) for u in scenario.users}
        self.group_ids = {g: self.ids.make("Group", g) for g in scenario.groups}
        self.policy_ids = {p: self.ids.make("Policy", p) for p in scenario.customer_policies}
        self.permission_set_ids = {p.name: self.ids.make("PermissionSet", p.name) for p in scenario.permission_sets}

    # ---------------------------------------------------------------------------- values
    def arn(self, text: str) -> object:
        """An ARN in the style's way of writing the partition."""
        prefix = f"arn:{self.scenario.partition}:"
        if not text.startswith(prefix):
            return text
        rest = text[len(prefix) :]
        if self.style == "yaml":
            # an IAM policy variable in the ARN is written with !Sub's escape: ${!aws:username}
            return Tag("!Sub", "arn:${AWS::Partition}:" + rest.replace("${", "${!"))
        if self.style == "cdk":
            return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":" + rest]]}
        return text

    def document(self, value: object) -> object:
        """A policy document with its ARNs written in the style's way."""
        if isinstance(value, Mapping):
            return {k: self.document(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.document(v) for v in value]
        if isinstance(value, str):
            return self.arn(value)
        return value

    def managed_arn(self, arn: str) -> object:
        """A managed policy ARN: customer policies by ``!Ref`` (yaml) or by literal ARN (json)."""
        for policy, logical_id in self.policy_ids.items():
            if arn == self.scenario.customer_policy_arn(policy) and self.style == "yaml":
                return Tag("!Ref", logical_id)
        return self.arn(arn)

    # ------------------------------------------------------------------------- resources
    def add(self, logical_id: str, kind: str, properties: Mapping[str, object], **extra: object) -> None:
        self.resources[logical_id] = {"Type": kind, "Properties": dict(properties), **extra}

    def render(self) -> None:
        s = self.scenario
        for group, logical_id in self.group_ids.items():
            props: dict[str, object] = {} if self.style == "cdk" else {"GroupName": group}
            if s.groups.get(group):
                props["ManagedPolicyArns"] = [self.arn(a) for a in s.groups[group]]
            self.add(logical_id, "AWS::IAM::Group", props)
        for user, logical_id in self.user_ids.items():
            props = {"UserName": user}
            if s.user_policies.get(user):
                props["ManagedPolicyArns"] = [self.arn(a) for a in s.user_policies[user]]
            groups = [g for g, members in s.group_members.items() if user in members]
            if groups:
                props["Groups"] = [self._ref(self.group_ids[g]) for g in groups]
            self.add(logical_id, "AWS::IAM::User", props)
        for policy, logical_id in self.policy_ids.items():
            props = {"ManagedPolicyName": policy, "PolicyDocument": self.document(s.customer_policies[policy])}
            if self.style == "cdk":
                holders = [r.name for r in s.roles if s.customer_policy_arn(policy) in r.policies]
                if holders:
                    props["Roles"] = [{"Ref": self.role_ids[r]} for r in holders]
            self.add(logical_id, "AWS::IAM::ManagedPolicy", props)
        users = [self.user_ids[u] for u in s.users]
        for i, role in enumerate(s.roles):
            logical_id = self.role_ids[role.name]
            trust = self.document(role.trust)
            props = {} if self.style == "cdk" else {"RoleName": role.name}
            props["AssumeRolePolicyDocument"] = json.dumps(trust) if self.style == "json" else trust
            if role.path != "/":
                props["Path"] = role.path
            if role.boundary:
                props["PermissionsBoundary"] = self.arn(role.boundary)
            customer = {s.customer_policy_arn(p) for p in s.customer_policies}
            arns = [a for a in role.policies if not (self.style == "cdk" and a in customer)]
            if arns:
                props["ManagedPolicyArns"] = [self.managed_arn(a) for a in arns]
            if self.style == "yaml" and role.inline:
                props["Policies"] = [
                    {"PolicyName": name, "PolicyDocument": self.document(doc)} for name, doc in role.inline.items()
                ]
            extra: dict[str, object] = {}
            depends = users + ([self.policy_ids[p] for p in s.customer_policies] if self.style == "json" else [])
            if depends:
                extra["DependsOn"] = depends
            self.add(logical_id, "AWS::IAM::Role", props, **extra)
            if self.style != "yaml":
                for j, (name, doc) in enumerate(role.inline.items()):
                    policy_id = self.ids.make("InlinePolicy", f"{role.name}-{name}")
                    props = {"PolicyName": name, "PolicyDocument": self.document(doc)}
                    if self.style == "json" and (i + j) % 2 == 0:
                        props["RoleName"] = {"Ref": logical_id}
                        self.add(policy_id, "AWS::IAM::RolePolicy", props)
                    else:
                        props["Roles"] = [{"Ref": logical_id}]
                        self.add(policy_id, "AWS::IAM::Policy", props)
        self.permission_sets()
        if self.style == "cdk":
            self.add("CDKMetadata", "AWS::CDK::Metadata", {"Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzQ1"})
        if not self.resources:
            self.resources[PLACEHOLDER] = {"Type": "AWS::CloudFormation::WaitConditionHandle"}

    def permission_sets(self) -> None:
        s = self.scenario
        for spec in s.permission_sets:
            logical_id = self.permission_set_ids[spec.name]
            props: dict[str, object] = {"InstanceArn": self._ref(INSTANCE_PARAMETER), "Name": spec.name}
            if spec.policies:
                props["ManagedPolicies"] = [self.arn(a) for a in spec.policies]
            if spec.customer_policies:
                props["CustomerManagedPolicyReferences"] = [{"Name": n, "Path": "/"} for n in spec.customer_policies]
            if spec.inline is not None:
                inline = self.document(spec.inline)
                props["InlinePolicy"] = json.dumps(inline) if self.style == "json" else inline
            if spec.boundary:
                props["PermissionsBoundary"] = {"ManagedPolicyArn": self.arn(spec.boundary)}
            self.add(logical_id, "AWS::SSO::PermissionSet", props)
            if spec.assigned:
                account: object = s.account_id if self.style == "json" else self._ref("AWS::AccountId")
                arn = (
                    Tag("!GetAtt", f"{logical_id}.PermissionSetArn")
                    if self.style == "yaml"
                    else {"Fn::GetAtt": [logical_id, "PermissionSetArn"]}
                )
                assignment = {
                    "InstanceArn": self._ref(INSTANCE_PARAMETER),
                    "PermissionSetArn": arn,
                    "PrincipalType": "GROUP",
                    "PrincipalId": SUPPORT_GROUP_ID,
                    "TargetType": "AWS_ACCOUNT",
                    "TargetId": account,
                }
                self.add(self.ids.make("Assignment", spec.name), "AWS::SSO::Assignment", assignment)

    def _ref(self, logical_id: str) -> object:
        return Tag("!Ref", logical_id) if self.style == "yaml" else {"Ref": logical_id}

    def template(self) -> dict[str, object]:
        out: dict[str, object] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"Scenario {self.scenario.name} ({self.style} style), rendered by tests/renderers",
        }
        if self.style == "json":
            out["Metadata"] = METADATA
        parameters: dict[str, object] = {}
        if self.scenario.permission_sets:
            parameters[INSTANCE_PARAMETER] = {"Type": "String", "Default": MADE_UP_INSTANCE}
        if self.style == "cdk":
            parameters["BootstrapVersion"] = {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/cdk-bootstrap/hnb659fds/version",
                "Description": "Version of the CDK Bootstrap resources in this environment",
            }
        if parameters:
            out["Parameters"] = parameters
        out["Resources"] = self.resources
        return out


# ------------------------------------------------------------------------------ YAML output
def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value))  # a JSON string is a valid double-quoted YAML scalar


def to_yaml(value: object, indent: int = 0) -> str:
    """YAML text for a template, writing :class:`Tag` values as short-form intrinsics."""
    pad = " " * indent
    if isinstance(value, Tag):
        return f"{value.tag} {_yaml_scalar(value.value)}"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            if _is_block(item):
                lines.append(f"{pad}{_yaml_scalar(key)}:\n{to_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{_yaml_scalar(key)}: {to_yaml(item, indent + 2)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for item in value:
            if _is_block(item):
                nested = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {nested.lstrip()}")
            else:
                lines.append(f"{pad}- {to_yaml(item, indent + 2)}")
        return "\n".join(lines)
    return _yaml_scalar(value)


def _is_block(value: object) -> bool:
    return (isinstance(value, Mapping) and bool(value)) or (isinstance(value, list) and bool(value))


def _json_default(value: object) -> object:
    if isinstance(value, Tag):  # never written in the JSON styles; kept safe for callers
        name = "Ref" if value.tag == "!Ref" else "Fn::" + value.tag.lstrip("!")
        return {name: value.value}
    raise TypeError(repr(value))


def render_scenario(scenario: Scenario, style: str = "yaml") -> RenderedCloudFormation:
    """The scenario's account as a CloudFormation template in one of :data:`STYLES`."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    writer = _Writer(scenario, style)
    writer.render()
    template = writer.template()
    if style == "yaml":
        path = "template.yaml"
        text = to_yaml(template) + "\n"
    else:
        stack = _camel(scenario.name) + "Stack"
        path = f"cdk.out/{stack}.template.json" if style == "cdk" else "template.json"
        text = json.dumps(template, indent=1, default=_json_default) + "\n"
    return RenderedCloudFormation(
        files={path: text},
        template_path=path,
        role_ids=dict(writer.role_ids),
        resource_types={k: str(v["Type"]) for k, v in writer.resources.items()},
        marked=style == "json",
        permission_set_ids=dict(writer.permission_set_ids),
    )
