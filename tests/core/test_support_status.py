"""Whether a role is a support role is decided once, in the core, from what the sources saw.

The sources report attachments whose role they could not pin down as ``MaybeAttached`` facts on
every role they could name (or on the account); ``support_status`` and ``with_maybe_attached``
decide what that means, the same way for Terraform and CloudFormation.
"""

from __future__ import annotations

import dataclasses

from support_role import (
    EXISTS,
    LEAST_PRIVILEGE,
    Account,
    Config,
    InlinePolicy,
    ManagedAttachment,
    MaybeAttached,
    Role,
    Status,
    Unknown,
    evaluate_exists,
    evaluate_role,
    support_status,
    with_maybe_attached,
)
from support_role.sources.cloudformation import CloudFormationTemplate
from support_role.sources.terraform import TerraformIndex

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::1:user/a"}}],
}
ANY = "the role var.role could not be resolved"


def _maybe(policy: ManagedAttachment | InlinePolicy) -> MaybeAttached:
    return MaybeAttached(policy, "aws_iam_role_policy_attachment.x", ANY)


def test_a_possible_support_attachment_makes_a_role_undecided() -> None:
    role = Role("plain", "aws_iam_role.plain", maybe_attached=(_maybe(ManagedAttachment(SUPPORT)),))
    status = support_status(role)
    assert status == Unknown(f"aws_iam_role_policy_attachment.x may attach {SUPPORT} to this role: {ANY}")
    verdicts = evaluate_role(role, Config())
    assert {rule: (v.status, v.codes) for rule, v in verdicts.items() if v is not None} == {
        rule: (Status.UNKNOWN, frozenset({"support-status-unknown"})) for rule in verdicts
    }


def test_a_possible_other_policy_changes_nothing_on_a_role_that_is_not_a_support_role() -> None:
    role = Role("plain", "aws_iam_role.plain", maybe_attached=(_maybe(ManagedAttachment(READ_ONLY)),))
    assert support_status(role) is False
    assert with_maybe_attached(role) == dataclasses.replace(role, maybe_attached=())


def test_a_possible_other_policy_makes_a_support_roles_least_privilege_undecided() -> None:
    inline = InlinePolicy("extra", Unknown("not read"))
    role = Role(
        "support",
        "aws_iam_role.s",
        managed=(ManagedAttachment(SUPPORT),),
        maybe_attached=(_maybe(ManagedAttachment(READ_ONLY)), _maybe(inline), _maybe(ManagedAttachment(SUPPORT))),
    )
    assert support_status(role) is True
    folded = with_maybe_attached(role)
    assert folded.managed == (
        ManagedAttachment(SUPPORT),
        ManagedAttachment(Unknown(f"aws_iam_role_policy_attachment.x may attach {READ_ONLY} to this role: {ANY}")),
    )
    assert folded.inline == (
        InlinePolicy(
            "extra (aws_iam_role_policy_attachment.x)",
            Unknown(f"aws_iam_role_policy_attachment.x may add inline policy extra to this role: {ANY}"),
        ),
    )
    assert with_maybe_attached(folded) == folded
    verdict = evaluate_role(role, Config())[LEAST_PRIVILEGE]
    assert verdict is not None
    assert (verdict.status, verdict.codes) == (Status.UNKNOWN, frozenset({"unresolved-policy", "policy-not-visible"}))


def test_folding_keeps_every_other_field_of_the_role() -> None:
    """A new field of Role must survive the merge (a field-by-field copy would drop it)."""
    values: dict[str, object] = {
        "name": "n",
        "address": "a",
        "arn": "arn:aws:iam::1:role/n",
        "trust": Unknown("t"),
        "managed": (ManagedAttachment(SUPPORT),),
        "inline": (),
        "boundary": SUPPORT,
        "maybe_attached": (_maybe(ManagedAttachment(READ_ONLY)),),
    }
    assert {f.name for f in dataclasses.fields(Role)} == set(values), "a new Role field: give it a value here"
    folded = with_maybe_attached(Role(**values))  # type: ignore[arg-type]
    kept = {name for name in values if getattr(folded, name) == values[name]}
    assert kept == set(values) - {"managed", "maybe_attached"}


def test_an_attachment_that_may_name_a_role_outside_the_scan_makes_the_exists_rule_undecided() -> None:
    account = Account("root module x", (), maybe_attached=(_maybe(ManagedAttachment(Unknown("var.arn"))),))
    verdict = evaluate_exists(account, Config())
    assert (verdict.status, verdict.codes) == (Status.UNKNOWN, frozenset({"unreadable-account"}))
    assert (
        verdict.problems[0].detail == f"aws_iam_role_policy_attachment.x may attach AWSSupportAccess to a role: {ANY}"
    )
    other = Account("root module x", (), maybe_attached=(_maybe(ManagedAttachment(READ_ONLY)),))
    assert evaluate_exists(other, Config()).codes == {"no-support-role"}
    assert verdict.rule_id == EXISTS


# ------------------------------------------------------------------------------ the sources
def test_terraform_reports_what_it_saw_and_does_not_decide() -> None:
    def vertex(type_: str, address: str, **attrs: object) -> dict[str, object]:
        return {"block_type_": "resource", "resource_type": type_, "__address__": address, "file_path_": "/r/m.tf"} | (
            attrs
        )

    index = TerraformIndex(
        [
            vertex("aws_iam_role", "aws_iam_role.plain", name="plain", assume_role_policy=TRUST),
            vertex("aws_iam_role_policy_attachment", "aws_iam_role_policy_attachment.x", role="var.role",
                   policy_arn=SUPPORT),
        ]
    )  # fmt: skip
    role = index.role("aws_iam_role.plain", "/m.tf")
    assert role is not None
    assert role.managed == ()
    assert role.maybe_attached == (_maybe(ManagedAttachment(SUPPORT)),)


def test_cloudformation_reports_what_it_saw_and_does_not_decide() -> None:
    template = {
        "Resources": {
            "Plain": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "plain", "AssumeRolePolicyDocument": TRUST}},
            "Attach": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"Roles": [{"Fn::ImportValue": "x"}], "PolicyDocument": TRUST},
            },
        }
    }
    index = CloudFormationTemplate("t.yaml", template)
    role = index.role("Plain")
    assert role is not None and role.managed == ()
    assert [(m.source, type(m.policy)) for m in role.maybe_attached] == [("Attach", ManagedAttachment)]
    assert index.account().maybe_attached == ()  # the template has a role: the attachment is on it
    alone = CloudFormationTemplate("t.yaml", {"Resources": {"Attach": template["Resources"]["Attach"]}})
    assert [m.source for m in alone.account().maybe_attached] == ["Attach"]
