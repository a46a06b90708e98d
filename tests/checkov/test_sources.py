"""The translation of Checkov's data shapes into facts, without Checkov (runs in the base environment too).

.venvs/base/bin/pytest tests/checkov/test_sources.py
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

import pytest

from support_role import Config, ManagedAttachment, MaybeAttached, Status, Unknown, evaluate_role, support_status
from support_role._verdict import Problem, Verdict
from support_role.checkov_glue import frames, outcomes, settings
from support_role.checkov_glue import terraform as terraform_glue
from support_role.sources.cloudformation import CloudFormationTemplate
from support_role.sources.terraform import TerraformIndex, module_prefix, root_of

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}


def vertex(
    type_: str, address: str, file: str = "/repo/main.tf", block: str = "resource", **attrs: object
) -> dict[str, object]:
    return {
        "block_type_": block,
        "resource_type": f"data.{type_}" if block == "data" else type_,
        "__address__": address,
        "file_path_": file,
        **attrs,
    }


def role(address: str, name: str, file: str = "/repo/main.tf", **attrs: object) -> dict[str, object]:
    return vertex("aws_iam_role", address, file, name=name, assume_role_policy=TRUST, **attrs)


def attachment(
    address: str, role_value: object, policy: str = SUPPORT, file: str = "/repo/main.tf"
) -> dict[str, object]:
    return vertex("aws_iam_role_policy_attachment", address, file, role=role_value, policy_arn=policy)


# ------------------------------------------------------------------------------- core fix
def test_an_allowed_policy_arn_matches_the_same_arn_with_an_interpolated_partition() -> None:
    """Regression (core): support_role_allowed_policies listed arn:aws:... while IaC wrote
    arn:${data.aws_partition.current.partition}:..., and least privilege failed."""
    config = Config(allowed_policies=frozenset({"arn:aws:iam::aws:policy/AdministratorAccess"}))
    assert config.policy_allowed("arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess")
    assert config.policy_allowed("arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess")
    assert not config.policy_allowed("arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess")
    assert not config.policy_allowed("arn:aws-cn:iam::aws:policy/AdministratorAccess")  # a literal other partition


# ---------------------------------------------------------------------------- terraform
@pytest.mark.parametrize(
    "role_value",
    ["support", "aws_iam_role.r.name", "aws_iam_role.r.id", "aws_iam_role.r.arn"],
)
def test_an_attachment_names_its_role_by_name_or_by_reference(role_value: str) -> None:
    index = TerraformIndex(
        [role("aws_iam_role.r", "support"), attachment("aws_iam_role_policy_attachment.a", role_value)]
    )
    facts = index.role("aws_iam_role.r", "/main.tf")
    assert facts is not None and facts.managed == (ManagedAttachment(SUPPORT),)  # once, as written
    assert support_status(facts) is True


def test_a_reference_from_inside_a_module_is_read_relative_to_that_module() -> None:
    index = TerraformIndex(
        [
            role('module.m["x"].aws_iam_role.this', "x", file="/repo/modules/m/main.tf"),
            role('module.m["y"].aws_iam_role.this', "y", file="/repo/modules/m/main.tf"),
            attachment(
                'module.m["x"].aws_iam_role_policy_attachment.a', "aws_iam_role.this.id", file="/repo/modules/m/main.tf"
            ),
        ]
    )
    x = index.role('module.m["x"].aws_iam_role.this', "/modules/m/main.tf")
    y = index.role('module.m["y"].aws_iam_role.this', "/modules/m/main.tf")
    assert x is not None and y is not None
    assert x.managed == (ManagedAttachment(SUPPORT),) and support_status(x) is True
    assert y.managed == () and support_status(y) is False  # the same module's other instance


def test_an_attachment_whose_role_cannot_be_resolved_makes_other_roles_undecided_not_failed() -> None:
    index = TerraformIndex(
        [
            role("aws_iam_role.plain", "plain"),
            role("aws_iam_role.support", "support", managed_policy_arns=[SUPPORT]),
            attachment("aws_iam_role_policy_attachment.support", "var.role"),
            attachment("aws_iam_role_policy_attachment.readonly", "var.role", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ]
    )
    plain = index.role("aws_iam_role.plain", "/main.tf")
    support = index.role("aws_iam_role.support", "/main.tf")
    assert plain is not None and support is not None

    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    why = "the role var.role could not be resolved"
    # what the source saw: both attachments may name either role; the core decides what that means
    maybe = (
        MaybeAttached(ManagedAttachment(SUPPORT), "aws_iam_role_policy_attachment.support", why),
        MaybeAttached(ManagedAttachment(readonly), "aws_iam_role_policy_attachment.readonly", why),
    )
    assert (plain.managed, plain.maybe_attached) == ((), maybe)
    assert isinstance(support_status(plain), Unknown)  # it might be the support role
    assert (support.managed, support.maybe_attached) == ((ManagedAttachment(SUPPORT),), maybe)
    assert support_status(support) is True
    verdicts = evaluate_role(support, Config())
    assert verdicts["support-role-least-privilege"] is not None
    assert verdicts["support-role-least-privilege"].status is Status.UNKNOWN  # ReadOnlyAccess might be on it


def test_count_zero_and_empty_for_each_create_nothing_and_unevaluated_ones_are_uncertain() -> None:
    index = TerraformIndex(
        [
            role("aws_iam_role.r", "r"),
            role("aws_iam_role.gone", "gone", count=0),
            dict(attachment("aws_iam_role_policy_attachment.none", "r"), for_each={}),
            dict(attachment("aws_iam_role_policy_attachment.maybe", "r"), count="length(var.x)"),
        ]
    )
    assert index.role("aws_iam_role.gone", "/main.tf") is None
    facts = index.role("aws_iam_role.r", "/main.tf")
    assert facts is not None and isinstance(support_status(facts), Unknown)


def test_a_policy_arn_with_an_unevaluated_expression_is_unknown_not_another_policy() -> None:
    index = TerraformIndex(
        [role("aws_iam_role.r", "r"), attachment("aws_iam_role_policy_attachment.a", "r", SUPPORT + "[count.index]")]
    )
    facts = index.role("aws_iam_role.r", "/main.tf")
    assert facts is not None and not isinstance(facts.managed, Unknown)
    assert isinstance(facts.managed[0].arn, Unknown)


def test_roots_are_separate_accounts() -> None:
    index = TerraformIndex(
        [
            role("aws_iam_role.r", "shared-name", file="/repo/a/main.tf", managed_policy_arns=[SUPPORT]),
            role("aws_iam_role.r", "shared-name", file="/repo/b/main.tf"),
            attachment(
                "aws_iam_role_policy_attachment.a",
                "shared-name",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "/repo/b/main.tf",
            ),
        ]
    )
    a = index.role("aws_iam_role.r", "/a/main.tf")
    b = index.role("aws_iam_role.r", "/b/main.tf")
    assert a is not None and b is not None
    assert a.managed == (ManagedAttachment(SUPPORT),)
    assert b.managed == (ManagedAttachment("arn:aws:iam::aws:policy/ReadOnlyAccess"),)
    assert index.role("aws_iam_role.r", "/c/main.tf") is None


def test_module_prefix_and_root_of_a_module_vertex() -> None:
    assert module_prefix('module.a["x.y"].module.b[0].aws_iam_role.r') == 'module.a["x.y"].module.b[0].'
    assert module_prefix("aws_iam_role.r") == ""

    class Module:
        def __init__(self, path: str, outer: object = None) -> None:
            self.path, self.nested_tf_module = path, outer

    nested = Module("/repo/modules/a/main.tf", Module("/repo/live/prod/main.tf"))
    assert root_of({"file_path_": "/repo/modules/b/main.tf", "source_module_object_": nested}) == "/repo/live/prod"
    assert root_of({"file_path_": "/repo/plans/prod.json"}) == "/repo/plans/prod.json"


class CountingGraph:
    """A graph shaped like Checkov's rustworkx graph, counting how often it is walked."""

    def __init__(self, vertices: list[Mapping[str, object]]) -> None:
        self.vertices = vertices
        self.walks = 0

    def nodes(self) -> list[tuple[int, Mapping[str, object]]]:
        self.walks += 1
        return list(enumerate(self.vertices))


def test_the_graph_is_indexed_once_per_scan_not_once_per_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIS_SUPPORT_ROLE_CONFIG", raising=False)
    vertices: list[Mapping[str, object]] = []
    for i in range(50):
        vertices.append(role(f"aws_iam_role.r{i}", f"r{i}"))
        vertices.append(attachment(f"aws_iam_role_policy_attachment.a{i}", f"aws_iam_role.r{i}.name"))
    graph = CountingGraph(vertices)
    for i in range(50):
        conf = {"__address__": f"aws_iam_role.r{i}"}
        for check_id in ("CKV_CISSR_1", "CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4"):
            outcome = terraform_glue.terraform_outcome(check_id, conf, graph, f"/main.tf:aws_iam_role:r{i}")
            assert outcome.result == ("UNKNOWN" if check_id == "CKV_CISSR_1" else "PASSED")
    assert graph.walks == 1


# ------------------------------------------------------------------------------- results
def _verdict(status: Status) -> Verdict:
    problems = () if status is Status.PASS else (Problem("unresolved-principal", "var.x", "a reference"),)
    return Verdict(
        "support-role-trust", status, "aws_iam_role.r", "aws_iam_role.r said something.", problems, (("role", ("r",)),)
    )


def test_not_a_support_role_is_unknown_without_details() -> None:
    assert outcomes.outcome_of(None, Config(), "CKV_CISSR_2") == outcomes.Outcome("UNKNOWN", ())


def test_unknown_is_logged_without_strict_mode_and_failed_with_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cis_support_role.checkov"):
        outcome = outcomes.outcome_of(_verdict(Status.UNKNOWN), Config(), "CKV_CISSR_2")
    assert outcome.result == "UNKNOWN"
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["CKV_CISSR_2 UNKNOWN for aws_iam_role.r"]
    strict = outcomes.outcome_of(_verdict(Status.UNKNOWN), Config(strict_unknown=True), "CKV_CISSR_2")
    assert strict.result == "FAILED"
    assert strict.details == (
        "aws_iam_role.r said something.",
        "strict-unknown: UNKNOWN reported as FAILED (support_role_strict_unknown is true)",
        "verdict: UNKNOWN [unresolved-principal]",
        "problem unresolved-principal: var.x (a reference)",
        "evidence role: r",
    )


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("accounts/*", "accounts/prod", True),
        ("accounts/*", "accounts/prod/modules", False),
        ("accounts/**", "accounts/prod/modules", True),
        ("**/baseline", "live/eu/baseline", True),
        ("**/baseline", "baseline", True),
        ("acc?unts/[!x]*", "accounts/prod", True),
        ("acc?unts/[!p]*", "accounts/prod", False),
    ],
)
def test_baseline_globs_keep_single_stars_within_one_folder(pattern: str, path: str, matches: bool) -> None:
    assert bool(settings.glob_pattern(pattern).match(path)) is matches


# ------------------------------------------------------------------------- cloudformation
def test_cloudformation_reads_roles_policies_and_attachments_of_one_template() -> None:
    template = {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "support",
                    "AssumeRolePolicyDocument": TRUST,
                    "ManagedPolicyArns": [SUPPORT],
                },
            },
            "Extra": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "extra",
                    "Roles": [{"Ref": "Role"}, "support"],  # the same role twice is one attachment
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]},
                },
            },
        }
    }
    facts = CloudFormationTemplate("t.yaml", template).role("Role")
    assert facts is not None and not isinstance(facts.inline, Unknown)
    assert [p.name for p in facts.inline] == ["extra"]


def _find_as_checkov_would(template: Mapping[str, object], resource: object) -> object:
    definition = template  # noqa: F841 - Checkov's runner holds the template in a local like this
    return frames.find_template(resource, "Role", sys._getframe(0))


def test_the_template_is_found_only_where_it_holds_the_very_resource_checked() -> None:
    resource = {"Type": "AWS::IAM::Role", "Properties": {}}
    assert _find_as_checkov_would({"Resources": {"Role": dict(resource)}}, resource) is None  # equal, not the same
    real = {"Resources": {"Role": resource}}
    found = _find_as_checkov_would(real, resource)
    assert found is not None and found[0] is real


def test_a_plan_list_known_only_after_apply_is_unknown_not_the_one_reference_checkov_shows() -> None:
    """managed_policy_arns = [AWSSupportAccess, aws_iam_policy.x.arn]: the plan knows neither."""
    plan = "/repo/plans/prod.json"
    index = TerraformIndex([role("aws_iam_role.r", "r", file=plan, managed_policy_arns=["aws_iam_policy.x.arn"])])
    facts = index.role("aws_iam_role.r", "/plans/prod.json")
    assert facts is not None and not isinstance(facts.managed, Unknown)
    assert [type(a.arn) for a in facts.managed] == [Unknown]
    assert isinstance(support_status(facts), Unknown)
    hcl = TerraformIndex([role("aws_iam_role.r", "r", managed_policy_arns=[SUPPORT, "aws_iam_policy.x.arn"])])
    in_hcl = hcl.role("aws_iam_role.r", "/main.tf")
    assert in_hcl is not None and support_status(in_hcl) is True
    assert in_hcl.managed == (  # HCL keeps every element: the literal, and the reference it cannot follow
        ManagedAttachment(SUPPORT),
        ManagedAttachment(Unknown("aws_iam_role.r: the policy reference aws_iam_policy.x.arn could not be resolved")),
    )


def test_a_data_document_under_for_each_is_read_from_the_one_vertex_checkov_keeps() -> None:
    """Checkov does not expand for_each on data sources; each.key stays a ${...} token."""
    trust = vertex(
        "aws_iam_policy_document",
        "module.team.aws_iam_policy_document.trust",
        "/repo/modules/team/main.tf",
        block="data",
        for_each={"alice": "x", "bob": "y"},
        statement={
            "actions": ["sts:AssumeRole"],
            "principals": {"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:user/${each.key}"]},
            "condition": {"test": "Bool", "variable": "aws:MultiFactorAuthPresent", "values": [True]},
        },
    )
    index = TerraformIndex(
        [
            trust,
            vertex(
                "aws_iam_role",
                'module.team.aws_iam_role.this["alice"]',
                "/repo/modules/team/main.tf",
                name="alice-support",
                assume_role_policy='data.aws_iam_policy_document.trust["alice"].json',
                managed_policy_arns=[SUPPORT],
            ),
        ]
    )
    facts = index.role('module.team.aws_iam_role.this["alice"]', "/modules/team/main.tf")
    assert facts is not None
    verdicts = evaluate_role(facts, Config())
    assert {rule: v.status for rule, v in verdicts.items() if v is not None} == {
        "support-role-trust": Status.PASS,
        "support-role-least-privilege": Status.PASS,
        "support-role-mfa": Status.PASS,
    }


def test_exclusive_inline_names_given_by_reference_are_the_referenced_policies() -> None:
    """Found by tests/e2e/test_generated.py: Checkov left aws_iam_role_policy.p1.name unresolved in
    policy_names, which read as a policy whose document is not in the files."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
    index = TerraformIndex(
        [
            role("aws_iam_role.r", "r", managed_policy_arns=[SUPPORT]),
            vertex("aws_iam_role_policy", "aws_iam_role_policy.p0", role="r", name="inline-0", policy=document),
            vertex("aws_iam_role_policy", "aws_iam_role_policy.p1", role="r", name="inline-1", policy=document),
            vertex(
                "aws_iam_role_policies_exclusive",
                "aws_iam_role_policies_exclusive.r",
                role_name="r",
                policy_names=["inline-0", "aws_iam_role_policy.p1.name"],
            ),
            attachment("aws_iam_role_policy_attachment.again", "aws_iam_role.r.name"),  # the same policy twice
        ]
    )
    facts = index.role("aws_iam_role.r", "/main.tf")
    assert facts is not None and not isinstance(facts.inline, Unknown) and not isinstance(facts.managed, Unknown)
    assert [p.name for p in facts.inline] == ["inline-0", "inline-1"]
    assert facts.managed == (ManagedAttachment(SUPPORT),)
    verdict = evaluate_role(facts, Config())["support-role-least-privilege"]
    assert verdict is not None and verdict.status is Status.PASS
