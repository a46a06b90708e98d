"""The Terraform source's IAM Identity Center permission sets (``aws_ssoadmin_*``), from graph
vertices as Checkov hands them over: what each resource adds, and what an unresolved reference means.
The same accounts through the real Checkov CLI (HCL and plan JSON): tests/checkov/test_checkov_permission_sets.py.
"""

from __future__ import annotations

from support_role import (
    EXISTS,
    LEAST_PRIVILEGE,
    TRUST,
    Config,
    ManagedAttachment,
    Status,
    Unknown,
    evaluate_account,
    evaluate_permission_set,
)
from support_role.sources.terraform import TerraformIndex, permission_set_from_conf

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
SETS = "aws_ssoadmin_permission_set"


def _vertex(type_: str, address: str, **attrs: object) -> dict[str, object]:
    base = {"block_type_": "resource", "resource_type": type_, "__address__": address, "file_path_": "/r/m.tf"}
    return base | attrs


def _set(name: str) -> dict[str, object]:
    return _vertex(SETS, f"{SETS}.{name}", name=name.title())


def _managed(name: str, target: str, arn: str) -> dict[str, object]:
    address = f"aws_ssoadmin_managed_policy_attachment.{name}"
    return _vertex("aws_ssoadmin_managed_policy_attachment", address, permission_set_arn=target, managed_policy_arn=arn)


def _assignment(name: str, target: str) -> dict[str, object]:
    address = f"aws_ssoadmin_account_assignment.{name}"
    return _vertex("aws_ssoadmin_account_assignment", address, permission_set_arn=target, target_id="111122223333")


def _index(*vertices: dict[str, object]) -> TerraformIndex:
    return TerraformIndex(list(vertices))


def test_each_aws_ssoadmin_resource_adds_to_the_permission_set_it_references() -> None:
    index = _index(
        _set("ops"),
        _managed("ops", f"{SETS}.ops.arn", SUPPORT),
        _vertex(
            "aws_ssoadmin_permission_set_inline_policy",
            "aws_ssoadmin_permission_set_inline_policy.ops",
            permission_set_arn=f"{SETS}.ops.arn",
            inline_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", '
            '"Resource": "*"}]}',
        ),
        _vertex(
            "aws_ssoadmin_permissions_boundary_attachment",
            "aws_ssoadmin_permissions_boundary_attachment.ops",
            permission_set_arn=f"{SETS}.ops.arn",
            permissions_boundary=[{"managed_policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        ),
        _assignment("ops", f"{SETS}.ops.arn"),
        _managed("elsewhere", "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef", SUPPORT),
    )
    found = index.permission_set(f"{SETS}.ops")
    assert found is not None
    assert (found.name, found.assigned, found.boundary) == ("Ops", True, "arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert found.managed == (ManagedAttachment(SUPPORT),)
    assert not isinstance(found.inline, Unknown) and [p.name for p in found.inline] == ["AwsSSOInlinePolicy"]
    verdicts = evaluate_permission_set(found, Config())
    least = verdicts[LEAST_PRIVILEGE]
    assert least is not None
    assert (least.status, [p.code for p in least.problems]) == (Status.FAIL, ["non-support-action"])


def test_an_attachment_whose_permission_set_is_not_known_leaves_every_set_it_may_name_undecided() -> None:
    index = _index(_set("ops"), _set("dev"), _managed("any", "var.permission_set_arn", SUPPORT))
    for address in (f"{SETS}.ops", f"{SETS}.dev"):
        found = index.permission_set(address)
        assert found is not None and found.managed == ()
        verdicts = evaluate_permission_set(found, Config())
        trust = verdicts[TRUST]
        assert trust is not None and trust.status is Status.UNKNOWN
        assert trust.problems[0].code == "support-status-unknown"
        assert "aws_ssoadmin_managed_policy_attachment.any" in trust.problems[0].detail


def test_an_assignment_whose_permission_set_is_not_known_leaves_the_baseline_undecided() -> None:
    index = _index(_set("ops"), _managed("ops", f"{SETS}.ops.arn", SUPPORT), _assignment("any", "var.set_arn"))
    root = next(iter(index))
    exists = evaluate_account(root.account(), Config())[""][EXISTS]
    assert exists is not None and exists.status is Status.UNKNOWN
    assert [(p.code, p.subject) for p in exists.problems] == [("undetermined-role", "permission set Ops")]


def test_a_permissions_boundary_does_not_make_a_support_permission_set() -> None:
    index = _index(
        _set("reader"),
        _managed("reader", f"{SETS}.reader.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        _vertex(
            "aws_ssoadmin_permissions_boundary_attachment",
            "aws_ssoadmin_permissions_boundary_attachment.reader",
            permission_set_arn=f"{SETS}.reader.arn",
            permissions_boundary=[{"managed_policy_arn": SUPPORT}],
        ),
        _assignment("reader", f"{SETS}.reader.arn"),
    )
    found = index.permission_set(f"{SETS}.reader")
    assert found is not None
    assert set(evaluate_permission_set(found, Config()).values()) == {None}
    exists = evaluate_account(next(iter(index)).account(), Config())[""][EXISTS]
    assert exists is not None and exists.status is Status.FAIL
    assert [p.code for p in exists.problems] == ["no-support-role", "boundary-only"]


def test_without_a_graph_a_permission_set_is_undecided_and_says_why() -> None:
    found = permission_set_from_conf({"name": ["Ops"]}, f"{SETS}.ops")
    assert isinstance(found.managed, Unknown)
    assert "no graph" in found.managed.reason
    trust = evaluate_permission_set(found, Config())[TRUST]
    assert trust is not None and trust.status is Status.UNKNOWN
