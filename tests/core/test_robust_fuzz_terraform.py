"""Fuzz of the Terraform source (``support_role.sources.terraform``) and its Checkov glue
(``support_role.checkov_glue.terraform_outcome``), with data in the shapes Checkov hands over.

Checkov gives a check the resource's ``conf`` (every value wrapped in a list, list attributes
twice) and a graph whose vertices hold the attributes unwrapped; references it could not evaluate
stay strings (``var.x``, ``data.aws_iam_policy_document.x.json``, ``${...}``), ``jsonencode`` and
heredoc documents arrive as mappings, plan JSON documents as JSON text. Two fuzzers:

* **model-based**: accounts of roles, attachments and policies built from readable and unreadable
  parts, rendered the way Checkov shows them; the outcome of each of our four checks on each role
  (through ``terraform_outcome`` with a fake graph, and through ``role_from_conf`` as when Checkov
  gives no graph) is never PASSED when a fact it rests on was unreadable, and the exists rule
  never FAILS when a support attachment could not be read;
* **junk**: vertices of every type we read, with arbitrary attribute values (odd types, unicode,
  deep nesting, huge lists): nothing raises, every result is PASSED/FAILED/UNKNOWN with details.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_role import EXISTS, LEAST_PRIVILEGE, MFA, RULES, TRUST, Config, Status, evaluate_role
from support_role.checkov_glue import terraform as terraform_glue
from support_role.checkov_glue import terraform_outcome
from support_role.sources.terraform import TerraformIndex, role_from_conf
from tests.support.verdicts import assert_checkov_result_carries_its_verdict

FUZZ_CASES = {"model": 300, "junk": 300}
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
CHECK_ID = {rule.id: rule.checkov_id for rule in RULES}
FILE = "/fuzz/main.tf"
ACCOUNT = "123456789012"

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
SUPPORT_INTERPOLATED = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"

GOOD_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
WILD_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}]}
UNRESOLVED_PRINCIPAL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "var.support_users"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
SERVICE_TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "support.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}
ROOT_TRUST = {"Statement": {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}}
SUPPORT_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}]}
TOO_MUCH = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# An aws_iam_policy_document data source as Checkov's graph holds it (one statement block, unwrapped).
GOOD_TRUST_BLOCKS = {
    "actions": ["sts:AssumeRole"],
    "principals": {"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:user/alice"]},
    "condition": {"test": "Bool", "variable": "aws:MultiFactorAuthPresent", "values": [True]},
}


def _deep(depth: int, leaf: Any = "sts:AssumeRole") -> Any:
    value: Any = leaf
    for _ in range(depth):
        value = [value]
    return value


@dataclass(frozen=True)
class Part:
    """One value as Checkov shows it, and whether the fact it gives can be read (and decides)."""

    value: Any
    readable: bool
    label: str
    resolved: bool = True  # trust only: every principal is a value, not a reference


def _truncations(document: Mapping[str, Any]) -> st.SearchStrategy[Part]:
    text = json.dumps(document)
    return st.integers(1, len(text) - 1).map(lambda n: Part(text[:n], False, "truncated JSON"))


UNREADABLE_DOCUMENTS = st.one_of(
    st.sampled_from(
        [
            Part("var.trust", False, "var"),
            Part("${var.trust}", False, "interpolation"),
            Part("data.aws_iam_policy_document.missing.json", False, "data source not scanned"),
            Part("data.aws_iam_policy_document.merged.json", False, "merged data source"),
            Part("${jsonencode(local.policy)}", False, "function call"),
            Part("{'Statement': []}", False, "python repr"),
            Part("", False, "empty"),
            Part(42, False, "int"),
            Part(["a", "b"], False, "list"),
            Part({"Statement": _deep(200)}, False, "deep"),  # deeper ones: the huge-and-deep test below
            Part({"Version": "2012-10-17"}, False, "no statement"),
            Part({"Statement": [{"Effect": "Maybe", "Action": "sts:AssumeRole", "Principal": "*"}]}, False, "effect"),
            Part({"Statement": [{"Effect": "Allow", "Action": "var.actions", "Principal": "*"}]}, False, "ref action"),
        ]
    ),
    _truncations(GOOD_TRUST),
)
TRUSTS = st.one_of(
    st.sampled_from(
        [
            Part(GOOD_TRUST, True, "jsonencode"),
            Part([GOOD_TRUST], True, "wrapped jsonencode"),
            Part(json.dumps(GOOD_TRUST), True, "JSON text (plan)"),
            Part("data.aws_iam_policy_document.trust.json", True, "data source"),
            Part(WILD_TRUST, True, "wildcard"),
            Part(SERVICE_TRUST, True, "service principal"),
            Part(ROOT_TRUST, True, "account root"),
            Part(UNRESOLVED_PRINCIPAL, True, "unresolved principal", resolved=False),
        ]
    ),
    UNREADABLE_DOCUMENTS,
)
PERMISSIONS = st.one_of(
    st.sampled_from(
        [
            Part(SUPPORT_ONLY, True, "support only"),
            Part(json.dumps(SUPPORT_ONLY), True, "support only text"),
            Part(TOO_MUCH, True, "star"),
        ]
    ),
    UNREADABLE_DOCUMENTS,
)


@dataclass(frozen=True)
class Arn:
    value: Any
    readable: bool  # the ARN itself can be read
    support: bool  # it is AWSSupportAccess
    document: Part | None = None  # a customer managed policy defined in the files


def _arns(customer: Part) -> st.SearchStrategy[Arn]:
    return st.sampled_from(
        [
            Arn(SUPPORT, True, True),
            Arn(SUPPORT_INTERPOLATED, True, True),
            Arn(f"  {SUPPORT}  ", True, True),
            Arn(ADMIN, True, False),
            Arn("var.policy_arn", False, False),
            Arn("${var.policy_arn}", False, False),
            Arn("data.aws_iam_policy.lookup.arn", False, False),
            Arn("aws_iam_policy.custom.arn", True, False, customer),
            Arn(17, False, False),
        ]
    )


ROLE_VALUES = ("name", "reference", "reference-id", "unresolved", "junk")


@dataclass
class RoleModel:
    index: int
    name: str
    trust: Part
    managed: list[Arn]
    inline: list[Part]


@dataclass
class Attachment:
    kind: str  # aws_iam_role_policy_attachment | aws_iam_role_policy
    target: int  # which role, or -1 for a value that names no role with certainty
    role_value: Any
    arn: Arn | None = None
    document: Part | None = None


@dataclass
class Model:
    roles: list[RoleModel]
    attachments: list[Attachment]
    customer: Part
    marker: bool
    vertices: list[dict[str, Any]] = field(default_factory=list)

    def concerns(self, attachment: Attachment, role: RoleModel) -> bool:
        return attachment.target in (-1, role.index)

    def certain_support(self, role: RoleModel) -> bool:
        return any(a.support for a in role.managed) or any(
            a.target == role.index and a.arn is not None and a.arn.support for a in self.attachments
        )

    def maybe_support(self, role: RoleModel) -> bool:
        """An attachment that could be AWSSupportAccess on this role but could not be read."""
        direct = [a for a in role.managed if not a.readable]
        direct += [a.arn for a in self.attachments if a.target == role.index and a.arn and not a.arn.readable]
        uncertain = [
            a.arn for a in self.attachments if a.target == -1 and a.arn and (a.arn.support or not a.arn.readable)
        ]
        return bool(direct or uncertain)

    def permissions_readable(self, role: RoleModel) -> bool:
        arns = list(role.managed)
        arns += [a.arn for a in self.attachments if self.concerns(a, role) and a.arn is not None]
        documents = list(role.inline)
        documents += [a.document for a in self.attachments if self.concerns(a, role) and a.document is not None]
        documents += [a.document for a in arns if a.document is not None]
        return all(a.readable for a in arns) and all(d.readable for d in documents)


def _wrap(value: Any, times: int) -> Any:
    for _ in range(times):
        value = [value]
    return value


NAMES = ["aws-support", "ops-support", "support-ünï-支持", "s" * 64]


@st.composite
def models(draw: st.DrawFn) -> Model:
    # Two in five accounts mix readable and unreadable parts, two are all readable (so that every PASS
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
            NAMES[i],
            draw(trusts),
            draw(st.lists(arns, max_size=3)),
            draw(st.lists(permissions, max_size=2)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    attachments: list[Attachment] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["aws_iam_role_policy_attachment", "aws_iam_role_policy"]))
        how = draw(st.sampled_from(ROLE_VALUES[:3] if readable else ROLE_VALUES))
        target = draw(st.integers(0, len(roles) - 1))
        role_value = {
            "name": roles[target].name,
            "reference": f"aws_iam_role.r{target}.name",
            "reference-id": f"aws_iam_role.r{target}.id",
            "unresolved": "var.role_name",
            "junk": draw(st.sampled_from([None, 3, ["x", "y"], {"a": 1}])),
        }[how]
        target = target if how in ("name", "reference", "reference-id") else -1
        if kind == "aws_iam_role_policy":
            attachments.append(Attachment(kind, target, role_value, document=draw(permissions)))
        else:
            attachments.append(Attachment(kind, target, role_value, arn=draw(arns)))
    model = Model(roles, attachments, customer, draw(st.integers(0, 3)) > 0)  # mostly a marked baseline
    model.vertices = _render(model, draw)
    return model


def _vertex(type_: str, name: str, attrs: dict[str, Any], block: str = "resource") -> dict[str, Any]:
    address = f"{type_}.{name}"
    return {
        "block_type_": block,
        "resource_type": f"data.{type_}" if block == "data" else type_,
        "__address__": address,
        "file_path_": FILE,
        "source_module_object_": None,
        **attrs,
    }


def _render(model: Model, draw: st.DrawFn) -> list[dict[str, Any]]:
    vertices = [
        _vertex("aws_iam_policy_document", "trust", {"statement": GOOD_TRUST_BLOCKS}, "data"),
        _vertex(
            "aws_iam_policy_document",
            "merged",
            {"statement": GOOD_TRUST_BLOCKS, "source_policy_documents": ["data.aws_iam_policy_document.x.json"]},
            "data",
        ),
        _vertex("aws_iam_policy", "custom", {"name": "custom", "policy": model.customer.value}),
    ]
    if model.marker:
        vertices.append(_vertex("terraform_data", "cis_support_role_account_baseline", {}))
    for role in model.roles:
        attrs: dict[str, Any] = {"name": role.name, "assume_role_policy": role.trust.value}
        if role.managed or draw(st.booleans()):
            attrs["managed_policy_arns"] = [a.value for a in role.managed]
        if role.inline:
            blocks = [{"name": f"inline-{i}", "policy": p.value} for i, p in enumerate(role.inline)]
            attrs["inline_policy"] = blocks[0] if len(blocks) == 1 and draw(st.booleans()) else blocks
        vertices.append(_vertex("aws_iam_role", f"r{role.index}", attrs))
    for i, attachment in enumerate(model.attachments):
        if attachment.kind == "aws_iam_role_policy":
            attrs = {"name": f"extra-{i}", "role": attachment.role_value, "policy": attachment.document.value}  # type: ignore[union-attr]
        else:
            attrs = {"role": attachment.role_value, "policy_arn": attachment.arn.value}  # type: ignore[union-attr]
        vertices.append(_vertex(attachment.kind, f"a{i}", attrs))
    return vertices


def conf_of(vertex: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's ``conf`` as Checkov hands it to a check: every value wrapped in a list."""
    conf: dict[str, Any] = {}
    for key, value in vertex.items():
        if key in ("block_type_", "resource_type", "file_path_", "source_module_object_"):
            continue
        if key == "__address__":
            conf[key] = value
        elif key == "inline_policy" and isinstance(value, list | dict):
            blocks = value if isinstance(value, list) else [value]
            conf[key] = [{k: [v] for k, v in b.items()} if isinstance(b, dict) else b for b in blocks]
        else:
            conf[key] = [value]
    return conf


class FakeGraph:
    """The part of Checkov's graph our glue reads: ``nodes(data=True)`` as networkx gives it."""

    def __init__(self, vertices: list[dict[str, Any]]) -> None:
        self.vertices = vertices

    def nodes(self, data: bool = False) -> Iterator[Any]:
        for i, vertex in enumerate(self.vertices):
            yield (i, vertex) if data else i


@pytest.fixture(autouse=True)
def _default_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIS_SUPPORT_ROLE_CONFIG", raising=False)


def _allowed(model: Model, role: RoleModel, rule_id: str) -> bool:
    """Whether the model lets this rule PASS this role: every fact it rests on was readable."""
    if not model.certain_support(role):
        return False
    if rule_id == TRUST:
        return role.trust.readable and role.trust.resolved
    if rule_id == MFA:
        return role.trust.readable
    return model.permissions_readable(role)


def test_terraform_outcome_never_passes_on_unreadable_facts() -> None:
    seen: dict[str, int] = {}
    cases = [0]

    @settings(max_examples=FUZZ_CASES["model"], **SETTINGS)
    @given(models())
    def run(model: Model) -> None:
        cases[0] += 1
        graph = FakeGraph(model.vertices)
        for role in model.roles:
            vertex = next(v for v in model.vertices if v["__address__"] == f"aws_iam_role.r{role.index}")
            conf = conf_of(vertex)
            entity_path = f"{FILE}:aws_iam_role:r{role.index}"
            alone = evaluate_role(role_from_conf(conf, vertex["__address__"]), Config())
            for rule_id in (TRUST, LEAST_PRIVILEGE, MFA):
                outcome = terraform_outcome(CHECK_ID[rule_id], conf, graph, entity_path)
                assert_checkov_result_carries_its_verdict(outcome.result, outcome.details, strict_unknown=False)
                key = f"{rule_id} {outcome.result}"
                seen[key] = seen.get(key, 0) + 1
                if outcome.result == "PASSED":
                    assert _allowed(model, role, rule_id), (rule_id, role, model.attachments, outcome.details)
                if outcome.result != "UNKNOWN" or outcome.details:
                    assert outcome.details and outcome.details[0]
                if model.maybe_support(role) and not model.certain_support(role):
                    assert outcome.result == "UNKNOWN"
                # without the graph the attachments are unseen: never a least-privilege PASS
                verdict = alone[rule_id]
                if verdict is not None and verdict.status is Status.PASS:
                    assert rule_id != LEAST_PRIVILEGE and _allowed_alone(role, rule_id)
        exists = [
            terraform_outcome(CHECK_ID[EXISTS], conf_of(v), graph, f"{FILE}:{v['resource_type']}:x")
            for v in model.vertices
            if v["block_type_"] == "resource"
        ]
        decided = [o for o in exists if o.details]
        assert len(decided) == (1 if model.marker else 0)  # one carrier per baseline root
        for outcome in decided:
            assert_checkov_result_carries_its_verdict(outcome.result, outcome.details, strict_unknown=False)
            seen[f"exists {outcome.result}"] = seen.get(f"exists {outcome.result}", 0) + 1
            if outcome.result == "PASSED":
                assert any(model.certain_support(r) for r in model.roles)
            if outcome.result == "FAILED":
                assert not any(model.maybe_support(r) or model.certain_support(r) for r in model.roles), outcome.details

    run()
    assert cases[0] >= FUZZ_CASES["model"]
    # the oracle is not vacuous: every rule was decided, and PASS, FAIL and UNKNOWN all occurred (tallies
    # vary from run to run; these floors hold with a wide margin)
    for rule_id in (TRUST, LEAST_PRIVILEGE, MFA):
        assert seen.get(f"{rule_id} PASSED", 0) + seen.get(f"{rule_id} FAILED", 0) > 0, seen
    for result in ("PASSED", "FAILED", "UNKNOWN"):
        assert sum(n for key, n in seen.items() if key.endswith(result) and not key.startswith("exists")) > 0, seen
        assert seen.get(f"exists {result}", 0) > 0, seen
    print(f"\nfuzz terraform (model): {cases[0]} accounts, outcomes {sorted(seen.items())}")


def _allowed_alone(role: RoleModel, rule_id: str) -> bool:
    if not any(a.support for a in role.managed):
        return False
    return role.trust.readable and (role.trust.resolved or rule_id == MFA)


# --- junk: any attribute value on any vertex type we read ------------------------------------------

WORDS = [
    "var.x", "${var.x}", "local.y", "each.value", "count.index", "module.m.arn", "aws_iam_role.r0.name",
    "aws_iam_role.r0.arn", 'aws_iam_role.r0["k"].name', "aws_iam_role.r0[0].id", "aws_iam_policy.custom.arn",
    "data.aws_iam_policy.lookup.arn", "data.aws_iam_policy_document.trust.json", "data.aws_iam_policy_document.x.json",
    SUPPORT, SUPPORT_INTERPOLATED, ADMIN, "arn:aws:iam::123456789012:user/alice", "arn:${", "${", "}", "*",
    "aws-support", "support:*", "sts:AssumeRole", "AWS", "Service", "Federated", "Allow", "Deny", "Bool",
    "module.a[\"x\"].module.b.aws_iam_role.r", "ünï©ødé", "支持", "\x00", "a" * 300, "_" * 200 + "!",
]  # fmt: skip
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10) | st.sampled_from(WORDS)
keys = st.text(max_size=8) | st.sampled_from(WORDS)
junk = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4), max_leaves=20)


ATTRIBUTES = {
    "aws_iam_role": [
        "name",
        "assume_role_policy",
        "managed_policy_arns",
        "inline_policy",
        "permissions_boundary",
        "count",
    ],
    "aws_iam_role_policy_attachment": ["role", "policy_arn"],
    "aws_iam_policy_attachment": ["roles", "users", "groups", "policy_arn"],
    "aws_iam_role_policy_attachments_exclusive": ["role_name", "policy_arns"],
    "aws_iam_role_policy": ["name", "name_prefix", "role", "policy"],
    "aws_iam_role_policies_exclusive": ["role_name", "policy_names"],
    "aws_iam_user_policy_attachment": ["user", "policy_arn"],
    "aws_iam_group_policy_attachment": ["group", "policy_arn"],
    "aws_iam_user_policy_attachments_exclusive": ["user_name", "policy_arns"],
    "aws_iam_policy": ["name", "path", "policy"],
    "aws_iam_user": ["name"],
    "aws_iam_group": ["name"],
    "terraform_data": [],
}
DATA_ATTRIBUTES = {
    "aws_iam_policy_document": ["statement", "source_policy_documents", "override_json"],
    "aws_iam_policy": ["arn", "name"],
}


@st.composite
def junk_vertices(draw: st.DrawFn) -> list[dict[str, Any]]:
    vertices = []
    for i in range(draw(st.integers(1, 8))):
        is_data = draw(st.integers(0, 4)) == 0
        table = DATA_ATTRIBUTES if is_data else ATTRIBUTES
        type_ = draw(st.sampled_from(sorted(table)))
        names = draw(st.sets(st.sampled_from(table[type_]))) if table[type_] else set()
        attrs = {key: draw(junk) for key in names}
        name = draw(st.sampled_from(["r0", "custom", "trust", "cis_support_role_account_baseline", f"j{i}"]))
        vertex = _vertex(type_, name, attrs, "data" if is_data else "resource")
        if draw(st.integers(0, 5)) == 0:  # a module call or a plan file
            vertex["source_module_object_"] = draw(
                st.sampled_from([{"path": "/fuzz/modules/m/main.tf", "nested_tf_module": None}, {"path": 7}, "odd"])
            )
            vertex["__address__"] = f"module.m.{vertex['__address__']}"
        if draw(st.integers(0, 5)) == 0:
            vertex["file_path_"] = draw(st.sampled_from(["/fuzz/plan.json", "", "/fuzz/x.tf.json", None]))
        vertices.append(vertex)
    return vertices


def test_terraform_outcome_survives_any_attribute_value() -> None:
    cases = [0]

    @settings(max_examples=FUZZ_CASES["junk"], **SETTINGS)
    @given(junk_vertices())
    def run(vertices: list[dict[str, Any]]) -> None:
        cases[0] += 1
        graph = FakeGraph(vertices)
        for vertex in vertices:
            if vertex["block_type_"] != "resource":
                continue
            conf = conf_of(vertex)
            path = f"{vertex['file_path_']}:{vertex['resource_type']}:x"
            for rule in RULES:
                if rule.id != EXISTS and vertex["resource_type"] != "aws_iam_role":
                    continue  # Checkov runs the per-role checks on roles only
                for g in (graph, None):
                    outcome = terraform_outcome(rule.checkov_id, conf, g, path)
                    assert_checkov_result_carries_its_verdict(outcome.result, outcome.details, strict_unknown=False)
                    assert all(isinstance(line, str) for line in outcome.details)
        index = TerraformIndex(vertices)
        for root in index:
            assert root.account().address

    run()
    assert cases[0] >= FUZZ_CASES["junk"]
    print(f"\nfuzz terraform (junk): {cases[0]} graphs")


def test_huge_and_deep_terraform_is_read_in_bounded_time() -> None:
    """2,000 roles, a 5,000-statement trust policy, attribute values nested 5,000 deep."""
    big_trust = {"Version": "2012-10-17", "Statement": GOOD_TRUST["Statement"] * 5000}
    vertices = [_vertex("terraform_data", "cis_support_role_account_baseline", {})]
    for i in range(2000):
        trust = big_trust if i == 0 else GOOD_TRUST
        attrs = {"name": f"role-{i}", "assume_role_policy": trust, "managed_policy_arns": [SUPPORT]}
        vertices.append(_vertex("aws_iam_role", f"r{i}", attrs))
    # Checkov-style list wrapping taken to the extreme is still read; a trust policy nested that deep is not
    deep = {"name": "deep", "assume_role_policy": GOOD_TRUST, "managed_policy_arns": _deep(5000, SUPPORT)}
    vertices.append(_vertex("aws_iam_role", "deep", deep))
    deep_trust = {
        "name": "deep-trust",
        "assume_role_policy": {"Statement": _deep(5000)},
        "managed_policy_arns": [SUPPORT],
    }
    vertices.append(_vertex("aws_iam_role", "deep_trust", deep_trust))
    vertices.append(_vertex("aws_iam_role_policy_attachment", "deep", {"role": _deep(5000), "policy_arn": _deep(5000)}))
    graph = FakeGraph(vertices)
    started = time.monotonic()
    outcomes = {
        v["__address__"]: terraform_outcome(CHECK_ID[TRUST], conf_of(v), graph, f"{FILE}:aws_iam_role:x")
        for v in vertices
        if v["resource_type"] == "aws_iam_role"
    }
    elapsed = time.monotonic() - started
    assert outcomes["aws_iam_role.r0"].result == "PASSED"
    assert outcomes["aws_iam_role.r1999"].result == "PASSED"
    assert outcomes["aws_iam_role.deep"].result == "PASSED"
    assert outcomes["aws_iam_role.deep_trust"].result == "UNKNOWN"
    assert "trust policy unreadable" in outcomes["aws_iam_role.deep_trust"].details[0]
    assert elapsed < 60, elapsed


def test_the_glue_caches_do_not_leak_between_graphs() -> None:
    """A new graph (the next Checkov run) is read afresh, never answered from the previous one."""
    good = [
        _vertex("aws_iam_role", "r0", {"name": "a", "assume_role_policy": GOOD_TRUST, "managed_policy_arns": [SUPPORT]})
    ]
    bad = [
        _vertex("aws_iam_role", "r0", {"name": "a", "assume_role_policy": WILD_TRUST, "managed_policy_arns": [SUPPORT]})
    ]
    path = f"{FILE}:aws_iam_role:r0"
    for _ in range(3):
        assert terraform_outcome(CHECK_ID[TRUST], conf_of(good[0]), FakeGraph(good), path).result == "PASSED"
        assert terraform_outcome(CHECK_ID[TRUST], conf_of(bad[0]), FakeGraph(bad), path).result == "FAILED"
    assert len(terraform_glue._SCANS) <= terraform_glue._MAX_SCANS


def test_a_role_with_count_zero_handed_over_alone_is_judged_not_a_crash() -> None:
    """Regression: role_from_conf asserted (an exception Checkov would hide) on ``count = 0``."""
    conf = {"count": [0], "name": ["a"], "assume_role_policy": [WILD_TRUST], "managed_policy_arns": [[SUPPORT]]}
    verdict = evaluate_role(role_from_conf(conf, "aws_iam_role.r"), Config())[TRUST]
    assert verdict is not None and verdict.status is Status.FAIL and verdict.codes == {"wildcard-principal"}


def test_deeply_wrapped_list_attributes_are_flattened_not_a_crash() -> None:
    """Regression: the recursive list flattening raised RecursionError past ~1,000 levels."""
    conf = {"name": ["a"], "assume_role_policy": [GOOD_TRUST], "managed_policy_arns": _deep(3000, SUPPORT)}
    verdict = evaluate_role(role_from_conf(conf, "aws_iam_role.r"), Config())[MFA]
    assert verdict is not None and verdict.status is Status.PASS


def _deep_mapping(depth: int) -> Any:
    value: Any = {"a": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_value_nested_beyond_the_recursion_limit_is_unknown_not_an_exception() -> None:
    """Regression: a deeply nested mapping where a string was expected raised RecursionError while the
    reason was written (Checkov hides that as UNKNOWN even in strict mode). Now UNKNOWN with a reason."""
    vertices = [
        _vertex("aws_iam_role", "r", {"name": "r", "assume_role_policy": GOOD_TRUST, "managed_policy_arns": [SUPPORT]}),
        _vertex("aws_iam_role_policy_attachment", "a", {"role": _deep_mapping(5000), "policy_arn": ADMIN}),
    ]
    outcome = terraform_outcome(
        CHECK_ID[LEAST_PRIVILEGE], conf_of(vertices[0]), FakeGraph(vertices), f"{FILE}:aws_iam_role:r"
    )
    assert outcome.result == "UNKNOWN"
    assert outcome.details[1] == "verdict: UNKNOWN [unreadable-resource]", outcome.details
