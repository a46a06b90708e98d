"""Fuzz of the CloudFormation source (``support_role.sources.cloudformation``) and its Checkov glue
(``support_role.checkov_glue.cloudformation_outcome``), with templates as Checkov parses them.

Checkov hands a CloudFormation check the resource (``{"Type", "Properties"}``, with its
``__startline__``/``__endline__`` keys), ``!Ref Param`` replaced by the parameter's default where
there is one, every other intrinsic kept as ``{"Fn::...": ...}``; the glue finds the whole template
in the calling frames. Two fuzzers:

* **model-based**: templates of roles, ``AWS::IAM::Policy``/``RolePolicy``/``ManagedPolicy``
  attachments and managed policy ARNs built from readable parts and unreadable ones (random
  intrinsics: ``Fn::If``, ``Fn::GetAtt``, ``Fn::ImportValue``, ``Ref`` to a parameter without
  default, ``Fn::Select``; truncated JSON text; wrong types); our four checks never PASS a role
  on a fact that was unreadable, and the exists rule never FAILS when a support attachment
  could not be read;
* **junk**: templates whose resources have random properties, random intrinsics in every place
  and wrong types (``Resources`` a list, ``Properties`` a string, ``Ref`` to a list...): nothing
  raises and every result is PASSED/FAILED/UNKNOWN.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_role import EXISTS, LEAST_PRIVILEGE, MFA, RULES, TRUST
from support_role.checkov_glue import Outcome, cloudformation_outcome
from support_role.sources.cloudformation import CloudFormationTemplate
from tests.support.verdicts import assert_checkov_result_carries_its_verdict

FUZZ_CASES = {"model": 300, "junk": 300}
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
CHECK_ID = {rule.id: rule.checkov_id for rule in RULES}
FILE = "/fuzz/template.yaml"
ACCOUNT = "123456789012"

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
SUPPORT_SUB = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"}
SUPPORT_JOIN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AWSSupportAccess"]]}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"

GOOD_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"}},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
WILD_TRUST = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}
UNRESOLVED_PRINCIPAL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::ImportValue": "support-users"}},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
SERVICE_TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "support.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}
ROOT_TRUST = {"Statement": {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}}
SUPPORT_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
TOO_MUCH = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:*"], "Resource": "*"}]}


def _deep(depth: int) -> Any:
    value: Any = {"Fn::Join": ["", ["arn:", "x"]]}
    for _ in range(depth):
        value = {"Fn::Join": ["", [value]]}
    return value


@dataclass(frozen=True)
class Part:
    value: Any
    readable: bool
    label: str
    resolved: bool = True


def _truncations(document: Mapping[str, Any]) -> st.SearchStrategy[Part]:
    text = json.dumps(document)
    return st.integers(1, len(text) - 1).map(lambda n: Part(text[:n], False, "truncated JSON"))


INTRINSICS = [
    {"Fn::If": ["IsProd", SUPPORT_ONLY, {"Ref": "AWS::NoValue"}]},
    {"Fn::GetAtt": ["Other", "Document"]},
    {"Fn::ImportValue": "shared-policy"},
    {"Ref": "DocumentParameter"},
    {"Fn::Select": [0, [SUPPORT_ONLY]]},
    {"Fn::Transform": {"Name": "AWS::Include"}},
    {"Fn::Sub": ["${Doc}", {"Doc": {"Ref": "DocumentParameter"}}]},
]
UNREADABLE_DOCUMENTS = st.one_of(
    st.sampled_from([Part(i, False, next(iter(i))) for i in INTRINSICS]),
    st.sampled_from(
        [
            Part("", False, "empty"),
            Part("not json", False, "text"),
            Part(7, False, "int"),
            Part([SUPPORT_ONLY, SUPPORT_ONLY], False, "list of two"),
            Part({"Statement": [[[[{"Effect": "Allow"}]]]]}, False, "nested lists"),
            Part({"Version": "2012-10-17"}, False, "no statement"),
            # since v0.2 both branches are read: Allow "*" without a principal, or Deny
            Part({"Statement": [{"Effect": {"Fn::If": ["C", "Allow", "Deny"]}, "Action": "*"}]}, True, "effect if"),
            Part({"Statement": [{"Effect": "Allow", "Action": {"Ref": "Actions"}}]}, False, "action ref"),
        ]
    ),
    _truncations(GOOD_TRUST),
)
TRUSTS = st.one_of(
    st.sampled_from(
        [
            Part(GOOD_TRUST, True, "object"),
            Part(json.dumps(GOOD_TRUST), True, "JSON text"),
            Part({"Fn::Sub": json.dumps(GOOD_TRUST)}, True, "Sub of JSON text"),
            Part(WILD_TRUST, True, "wildcard"),
            Part(SERVICE_TRUST, True, "service principal"),
            Part(ROOT_TRUST, True, "account root"),
            Part(UNRESOLVED_PRINCIPAL, True, "unresolved principal", resolved=False),
        ]
    ),
    UNREADABLE_DOCUMENTS,
)
PERMISSIONS = st.one_of(
    st.sampled_from([Part(SUPPORT_ONLY, True, "support"), Part(json.dumps(SUPPORT_ONLY), True, "support text")]),
    st.sampled_from([Part(TOO_MUCH, True, "ec2")]),
    UNREADABLE_DOCUMENTS,
)


@dataclass(frozen=True)
class Arn:
    value: Any
    readable: bool
    support: bool
    document: Part | None = None


def _arns(customer: Part) -> st.SearchStrategy[Arn]:
    return st.sampled_from(
        [
            Arn(SUPPORT, True, True),
            Arn(SUPPORT_SUB, True, True),
            Arn(SUPPORT_JOIN, True, True),
            Arn(ADMIN, True, False),
            Arn({"Ref": "PolicyParameter"}, False, False),
            Arn({"Fn::ImportValue": "policy-arn"}, False, False),
            # since v0.2 a condition's branches are read: conditionally a support role (and an admin one)
            Arn({"Fn::If": ["C", SUPPORT, ADMIN]}, True, True),
            Arn({"Fn::If": ["C", ADMIN, {"Ref": "AWS::NoValue"}]}, True, False),
            Arn({"Ref": ["not", "a", "name"]}, False, False),
            Arn({"Fn::Join": ["", ["arn:aws:iam::aws:policy/", {"Ref": "Name"}]]}, False, False),
            Arn({"Ref": "Custom"}, True, False, customer),
            Arn(17, True, False),  # a number is read as its text "17": certainly not AWSSupportAccess
        ]
    )


@dataclass
class RoleModel:
    index: int
    trust: Part
    managed: list[Arn] | None  # None: ManagedPolicyArns is itself an intrinsic that is not evaluated
    inline: list[Part]


@dataclass
class Attachment:
    kind: str  # AWS::IAM::Policy | AWS::IAM::RolePolicy | AWS::IAM::ManagedPolicy
    target: int  # the role, or -1 for a reference that names no role with certainty
    role_value: Any
    document: Part


@dataclass
class Model:
    roles: list[RoleModel]
    attachments: list[Attachment]
    customer: Part
    marker: bool
    template: dict[str, Any] = field(default_factory=dict)

    def certain_support(self, role: RoleModel) -> bool:
        return role.managed is not None and any(a.support for a in role.managed)

    def maybe_support(self, role: RoleModel) -> bool:
        if role.managed is None:
            return True
        return any(not a.readable for a in role.managed)

    def permissions_readable(self, role: RoleModel) -> bool:
        if role.managed is None or not all(a.readable for a in role.managed):
            return False
        documents = list(role.inline) + [a.document for a in role.managed if a.document is not None]
        documents += [a.document for a in self.attachments if a.target in (-1, role.index)]
        return all(d.readable for d in documents)


NAMES = ["aws-support", "ops-support", "support-ünï-支持"]


def _with_lines(value: Any, draw: st.DrawFn) -> Any:
    """Checkov's CloudFormation parser adds ``__startline__``/``__endline__`` to mappings."""
    if isinstance(value, dict):
        out = {k: _with_lines(v, draw) for k, v in value.items()}
        if draw(st.integers(0, 2)) == 0:
            out["__startline__"], out["__endline__"] = 3, 9
        return out
    if isinstance(value, list):
        return [_with_lines(v, draw) for v in value]
    return value


@st.composite
def models(draw: st.DrawFn) -> Model:
    # Two in five templates mix readable and unreadable parts, two are all readable (so that every PASS
    # path is exercised), one holds no support role at all (so that the exists rule's FAIL is).
    mode = draw(st.sampled_from(["mixed", "mixed", "readable", "readable", "no-support"]))
    readable = mode != "mixed"
    trusts = TRUSTS.filter(lambda p: p.readable) if readable else TRUSTS
    permissions = PERMISSIONS.filter(lambda p: p.readable) if readable else PERMISSIONS
    customer = draw(permissions)
    arns = _arns(customer).filter(lambda a: a.readable) if readable else _arns(customer)
    if mode == "no-support":
        arns = arns.filter(lambda a: not a.support)
    roles = [
        RoleModel(
            i,
            draw(trusts),
            None if not readable and draw(st.integers(0, 9)) == 0 else draw(st.lists(arns, max_size=3)),
            draw(st.lists(permissions, max_size=2)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    attachments: list[Attachment] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::ManagedPolicy"]))
        target = draw(st.integers(0, len(roles) - 1))
        how = draw(st.sampled_from(["ref", "name"] if readable else ["ref", "name", "missing", "import"]))
        value = {
            "ref": {"Ref": f"Role{target}"},
            "name": NAMES[target],
            "missing": {"Ref": "NoSuchRole"},
            "import": {"Fn::ImportValue": "role-name"},
        }[how]
        attachments.append(Attachment(kind, target if how in ("ref", "name") else -1, value, draw(permissions)))
    model = Model(roles, attachments, customer, draw(st.integers(0, 3)) > 0)  # mostly a marked baseline
    model.template = _with_lines(_render(model), draw)
    return model


def _render(model: Model) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Custom": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"ManagedPolicyName": "custom", "PolicyDocument": model.customer.value},
        }
    }
    for role in model.roles:
        props: dict[str, Any] = {"RoleName": NAMES[role.index], "AssumeRolePolicyDocument": role.trust.value}
        if role.managed is None:
            props["ManagedPolicyArns"] = {"Fn::ImportValue": "support-role-policy-arns"}
        elif role.managed:
            props["ManagedPolicyArns"] = [a.value for a in role.managed]
        if role.inline:
            props["Policies"] = [
                {"PolicyName": f"inline-{i}", "PolicyDocument": p.value} for i, p in enumerate(role.inline)
            ]
        resources[f"Role{role.index}"] = {"Type": "AWS::IAM::Role", "Properties": props}
    for i, attachment in enumerate(model.attachments):
        props = {"PolicyName": f"extra-{i}", "PolicyDocument": attachment.document.value}
        if attachment.kind == "AWS::IAM::RolePolicy":
            props["RoleName"] = attachment.role_value
        else:
            props["Roles"] = [attachment.role_value]
        if attachment.kind == "AWS::IAM::ManagedPolicy":
            props["ManagedPolicyName"] = f"extra-{i}"
            del props["PolicyName"]
        resources[f"Extra{i}"] = {"Type": attachment.kind, "Properties": props}
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"PolicyParameter": {"Type": "String"}, "DocumentParameter": {"Type": "String"}},
        "Resources": resources,
    }
    if model.marker:
        template["Metadata"] = {"cis-support-role": {"account-baseline": True}}
    return template


@pytest.fixture(autouse=True)
def _default_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIS_SUPPORT_ROLE_CONFIG", raising=False)


def run_check(template: Mapping[str, Any], rule_id: str, logical_id: str) -> Outcome:
    """Call the glue the way Checkov's CloudFormation runner does: the template is a local of a caller."""
    file_abs_path = FILE  # noqa: F841  (the glue reads the file's path from the caller's locals)
    conf = template["Resources"][logical_id]
    return cloudformation_outcome(CHECK_ID[rule_id], conf, f"{FILE}:{conf.get('Type')}:{logical_id}")


def _allowed(model: Model, role: RoleModel, rule_id: str) -> bool:
    if not model.certain_support(role):
        return False
    if rule_id == TRUST:
        return role.trust.readable and role.trust.resolved
    if rule_id == MFA:
        return role.trust.readable
    return model.permissions_readable(role)


def test_cloudformation_outcome_never_passes_on_unreadable_facts() -> None:
    seen: dict[str, int] = {}
    cases = [0]

    @settings(max_examples=FUZZ_CASES["model"], **SETTINGS)
    @given(models())
    def run(model: Model) -> None:
        cases[0] += 1
        template = model.template
        before = copy.deepcopy(template)
        for role in model.roles:
            for rule_id in (TRUST, LEAST_PRIVILEGE, MFA):
                outcome = run_check(template, rule_id, f"Role{role.index}")
                assert_checkov_result_carries_its_verdict(outcome.result, outcome.details, strict_unknown=False)
                seen[f"{rule_id} {outcome.result}"] = seen.get(f"{rule_id} {outcome.result}", 0) + 1
                if outcome.result == "PASSED":
                    assert _allowed(model, role, rule_id), (rule_id, role, model.attachments, outcome.details)
                if model.maybe_support(role) and not model.certain_support(role):
                    assert outcome.result == "UNKNOWN"
        logical_ids = [i for i in template["Resources"] if not i.startswith("__")]
        decided = [o for o in (run_check(template, EXISTS, i) for i in logical_ids) if o.details]
        assert len(decided) == (1 if model.marker else 0)
        for outcome in decided:
            assert_checkov_result_carries_its_verdict(outcome.result, outcome.details, strict_unknown=False)
            seen[f"exists {outcome.result}"] = seen.get(f"exists {outcome.result}", 0) + 1
            if outcome.result == "PASSED":
                assert any(model.certain_support(r) for r in model.roles)
            if outcome.result == "FAILED":
                assert not any(model.maybe_support(r) or model.certain_support(r) for r in model.roles), (
                    outcome.details,
                    model.roles,
                )
        assert template == before  # the template Checkov holds is never modified

    run()
    assert cases[0] >= FUZZ_CASES["model"]
    # the oracle is not vacuous: every rule was decided, and PASS, FAIL and UNKNOWN all occurred (tallies
    # vary from run to run; these floors hold with a wide margin)
    for rule_id in (TRUST, LEAST_PRIVILEGE, MFA):
        assert seen.get(f"{rule_id} PASSED", 0) + seen.get(f"{rule_id} FAILED", 0) > 0, seen
    for result in ("PASSED", "FAILED", "UNKNOWN"):
        assert sum(n for key, n in seen.items() if key.endswith(result) and not key.startswith("exists")) > 0, seen
        assert seen.get(f"exists {result}", 0) > 0, seen
    print(f"\nfuzz cloudformation (model): {cases[0]} templates, outcomes {sorted(seen.items())}")


# --- junk ----------------------------------------------------------------------------------------

WORDS = [
    "AWS::Partition", "AWS::AccountId", "AWS::NoValue", "Role0", "Custom", "PolicyParameter", SUPPORT, ADMIN,
    "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess", "${", "}", "*", "sts:AssumeRole", "support:*",
    "aws-support", "Allow", "AWS", "Service", "ünï©ødé", "支持", "a" * 300,
]  # fmt: skip
INTRINSIC_NAMES = ["Ref", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::GetAtt", "Fn::ImportValue", "Fn::Select", "Condition"]
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.sampled_from(WORDS)
keys = st.text(max_size=8) | st.sampled_from(WORDS + INTRINSIC_NAMES + ["__startline__", "Statement", "Effect"])
junk = st.recursive(
    scalars,
    lambda c: (
        st.lists(c, max_size=4)
        | st.dictionaries(keys, c, max_size=4)
        | st.builds(lambda name, arg: {name: arg}, st.sampled_from(INTRINSIC_NAMES), c)
        | st.builds(
            lambda sep, parts: {"Fn::Join": [sep, parts]}, st.sampled_from(["", ":"]) | c, st.lists(c, max_size=3)
        )
    ),
    max_leaves=20,
)
PROPERTIES = {
    "AWS::IAM::Role": ["RoleName", "AssumeRolePolicyDocument", "ManagedPolicyArns", "Policies", "PermissionsBoundary"],
    "AWS::IAM::Policy": ["PolicyName", "PolicyDocument", "Roles", "Users", "Groups"],
    "AWS::IAM::RolePolicy": ["PolicyName", "PolicyDocument", "RoleName"],
    "AWS::IAM::ManagedPolicy": ["ManagedPolicyName", "Path", "PolicyDocument", "Roles", "Users", "Groups"],
    "AWS::IAM::User": ["UserName", "ManagedPolicyArns"],
    "AWS::IAM::Group": ["GroupName", "ManagedPolicyArns"],
    "AWS::S3::Bucket": ["BucketName"],
}


@st.composite
def junk_templates(draw: st.DrawFn) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for i in range(draw(st.integers(1, 6))):
        type_ = draw(st.sampled_from(sorted(PROPERTIES)))
        names = draw(st.sets(st.sampled_from(PROPERTIES[type_])))
        props: Any = {name: draw(junk) for name in names}
        if draw(st.integers(0, 9)) == 0:
            props = draw(junk)  # Properties of the wrong type
        resources[draw(st.sampled_from(["Role0", "Custom", f"R{i}"]))] = {"Type": type_, "Properties": props}
    template: dict[str, Any] = {"Resources": resources}
    if draw(st.booleans()):
        template["Parameters"] = draw(junk | st.just({"PolicyParameter": {"Type": "String"}}))
    if draw(st.booleans()):
        template["Metadata"] = draw(junk | st.just({"cis-support-role": {"account-baseline": draw(junk)}}))
    return template


def test_cloudformation_outcome_survives_random_intrinsics_and_wrong_types() -> None:
    cases = [0]

    @settings(max_examples=FUZZ_CASES["junk"], **SETTINGS)
    @given(junk_templates())
    def run(template: dict[str, Any]) -> None:
        cases[0] += 1
        for logical_id, resource in template["Resources"].items():
            for rule in RULES:
                if rule.id != EXISTS and resource["Type"] != "AWS::IAM::Role":
                    continue  # Checkov runs the per-role checks on roles only
                outcome = run_check(template, rule.id, logical_id)
                assert_checkov_result_carries_its_verdict(outcome.result, outcome.details, strict_unknown=False)
                assert all(isinstance(line, str) for line in outcome.details)
        index = CloudFormationTemplate(FILE, template)
        assert index.account().address
        for anything in (template["Resources"], [template], "text", None):
            CloudFormationTemplate(FILE, {"Resources": anything, "Parameters": anything}).account()

    run()
    assert cases[0] >= FUZZ_CASES["junk"]
    print(f"\nfuzz cloudformation (junk): {cases[0]} templates")


def test_huge_templates_are_read_in_bounded_time() -> None:
    big_trust = {"Version": "2012-10-17", "Statement": GOOD_TRUST["Statement"] * 5000}
    resources: dict[str, Any] = {}
    for i in range(2000):
        trust = big_trust if i == 0 else GOOD_TRUST
        resources[f"Role{i}"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": trust, "ManagedPolicyArns": [SUPPORT_SUB]},
        }
    template = {"Resources": resources}
    started = time.monotonic()
    outcomes = {logical_id: run_check(template, TRUST, logical_id) for logical_id in ("Role0", "Role1999")}
    elapsed = time.monotonic() - started
    assert outcomes["Role0"].result == "PASSED"
    assert outcomes["Role1999"].result == "PASSED"
    assert elapsed < 60, elapsed


def test_a_template_nested_beyond_the_recursion_limit_is_unknown_not_an_exception() -> None:
    """Regression: intrinsics nested thousands deep raised RecursionError, which Checkov hides as UNKNOWN
    even in strict mode. Now UNKNOWN with a reason, and FAILED in strict mode."""
    deep = {"AssumeRolePolicyDocument": GOOD_TRUST, "ManagedPolicyArns": [_deep(5000)], "RoleName": _deep(5000)}
    template = {"Resources": {"Deep": {"Type": "AWS::IAM::Role", "Properties": deep}}}
    outcome = run_check(template, TRUST, "Deep")
    assert outcome.result == "UNKNOWN"
    assert outcome.details[:2] == (
        "Deep could not be decided: it is nested too deeply to read. Make it readable to the scanner and scan again.",
        "verdict: UNKNOWN [unreadable-resource]",
    )


def test_strict_mode_fails_a_template_nested_too_deeply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"support_role_strict_unknown": True}), encoding="utf-8")
    monkeypatch.setenv("CIS_SUPPORT_ROLE_CONFIG", str(config))
    deep = {"AssumeRolePolicyDocument": {"Statement": [_deep(5000)]}, "ManagedPolicyArns": [SUPPORT]}
    template = {"Resources": {"Deep": {"Type": "AWS::IAM::Role", "Properties": deep}}}
    assert run_check(template, MFA, "Deep").result == "FAILED"
