"""Terraform as public modules write it, read from the vertices Checkov hands over (the review of
public code, /work/notes/review-public.md): a ``count``/``for_each`` Checkov leaves as text but the
files settle, an object variable filled by its ``optional()`` defaults, an inline policy chosen by a
conditional Checkov evaluates to null. Each test writes the module files, gives the index the
vertices exactly as Checkov 3.3.30 gave them for the review's reproduction, and checks every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from support_role import Config, Status, evaluate_exists, evaluate_role
from support_role.hcl import EncodedJson, UnknownValue
from support_role.hcl._module import ModuleTree
from support_role.sources.terraform import TerraformIndex

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
ALICE = "arn:aws:iam::111122223333:user/alice"


def write(base: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")


def vertex(
    root: Path, file: str, type_: str, address: str, block: str = "resource", **attrs: object
) -> dict[str, object]:
    """A vertex as Checkov's graph holds it (a module's vertex names the calling file)."""
    out: dict[str, object] = {
        "block_type_": block,
        "resource_type": type_,
        "__address__": address,
        "file_path_": str(root / file),
    }
    if address.startswith("module."):
        out["source_module_object_"] = {"path": str(root / "main.tf"), "nested_tf_module": None}
    return out | attrs


def verdicts(index: TerraformIndex, address: str, config: Config | None = None) -> dict[str, tuple[str, set[str]]]:
    role = index.role(address)
    assert role is not None
    found = evaluate_role(role, config or Config())
    return {rule: (v.status.name, set(v.codes)) for rule, v in found.items() if v is not None}


def exists(index: TerraformIndex) -> tuple[str, set[str]]:
    (root,) = list(index)
    verdict = evaluate_exists(root.account(), Config())
    return verdict.status.name, set(verdict.codes)


# ------------------------------------------------------------------ 1. count = coalesce(...)
TFAM5_MODULE = """
variable "trusted_role_arns" { type = list(string) }
variable "custom_role_policy_arns" {
  type    = list(string)
  default = []
}
variable "number_of_custom_role_policy_arns" {
  type    = number
  default = null
}
resource "aws_iam_role" "this" {
  name               = "support"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.trusted_role_arns } }]
  })
}
resource "aws_iam_role_policy_attachment" "custom" {
  count      = COUNT
  role       = aws_iam_role.this.name
  policy_arn = element(var.custom_role_policy_arns, count.index)
}
"""
TFAM5_CALL = """
module "support_role" {
  source                  = "./modules/role"
  trusted_role_arns       = ["arn:aws:iam::111122223333:user/alice"]
  custom_role_policy_arns = ["arn:aws:iam::aws:policy/AWSSupportAccess"]
}
"""
TRUST_ALICE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/alice"]}}
    ],
}


def _tfam5(tmp_path: Path, count: str) -> TerraformIndex:
    write(tmp_path, {"main.tf": TFAM5_CALL, "modules/role/main.tf": TFAM5_MODULE.replace("COUNT", count)})
    module_file = "modules/role/main.tf"
    checkov_count = count.replace("var.custom_role_policy_arns", "['arn:aws:iam::aws:policy/AWSSupportAccess']")
    return TerraformIndex(
        [
            vertex(tmp_path, module_file, "aws_iam_role", "module.support_role.aws_iam_role.this", name="support",
                   assume_role_policy=TRUST_ALICE),
            vertex(tmp_path, module_file, "aws_iam_role_policy_attachment",
                   "module.support_role.aws_iam_role_policy_attachment.custom", count=checkov_count.replace(" ", ""),
                   role="support", policy_arn="element(['arn:aws:iam::aws:policy/AWSSupportAccess'],count.index)"),
        ]
    )  # fmt: skip


def test_an_attachment_counted_by_coalesce_is_expanded_as_terraform_expands_it(tmp_path: Path) -> None:
    index = _tfam5(tmp_path, "coalesce(var.number_of_custom_role_policy_arns, length(var.custom_role_policy_arns))")
    role = index.role("module.support_role.aws_iam_role.this")
    assert role is not None and [m.arn for m in role.managed] == [SUPPORT]
    assert role.maybe_attached == ()
    assert verdicts(index, "module.support_role.aws_iam_role.this") == {
        "support-role-trust": ("PASS", set()),
        "support-role-least-privilege": ("PASS", set()),
        "support-role-mfa": ("FAIL", {"mfa-not-required"}),
    }
    assert exists(index) == ("PASS", set())


def test_an_attachment_whose_count_cannot_be_evaluated_never_makes_a_role_not_a_support_role(tmp_path: Path) -> None:
    # strrev() is not evaluated by this checker: the attachment may exist, with a policy nobody read
    index = _tfam5(tmp_path, "length(strrev(var.custom_role_policy_arns))")
    address = "module.support_role.aws_iam_role.this"
    found = verdicts(index, address)
    assert found == {
        "support-role-trust": ("UNKNOWN", {"support-status-unknown"}),
        "support-role-least-privilege": ("UNKNOWN", {"support-status-unknown"}),
        "support-role-mfa": ("UNKNOWN", {"support-status-unknown"}),
    }
    role = index.role(address)
    assert role is not None
    (reason,) = [m.why for m in role.maybe_attached]
    assert reason == (
        "module.support_role.aws_iam_role_policy_attachment.custom has a count or for_each that could not be evaluated"
    )
    assert exists(index) == ("UNKNOWN", {"undetermined-role"})


# ----------------------------------------------------- 2. for_each = { for ... if var.create }
TFAM6_MODULE = """
variable "create" {
  type    = bool
  default = true
}
variable "policies" {
  type    = map(string)
  default = {}
}
resource "aws_iam_role" "this" {
  count              = var.create ? 1 : 0
  name               = "support-admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { AWS = "arn:aws:iam::111122223333:root" } }]
  })
}
resource "aws_iam_role_policy_attachment" "this" {
  for_each   = { for k, v in var.policies : k => v if var.create }
  policy_arn = each.value
  role       = aws_iam_role.this[0].name
}
"""
TFAM6_CALL = """
module "support_role_admin" {
  source = "./modules/role"
  policies = {
    AWSSupportAccess    = "arn:aws:iam::aws:policy/AWSSupportAccess"
    AdministratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"
  }
}
"""


# v6 names the role with name_prefix by default: its name is null in the files, chosen at apply
NAME_PREFIX = (
    '  name               = "support-admin"\n',
    '  name        = var.use_name_prefix ? null : "support-admin"\n  name_prefix = "support-admin-"\n',
)


@pytest.mark.parametrize("prefixed", [False, True], ids=["name", "name-prefix"])
def test_an_attachment_for_each_over_a_for_expression_with_if_is_one_attachment_per_key(
    tmp_path: Path, prefixed: bool
) -> None:
    module = TFAM6_MODULE
    if prefixed:
        module = module.replace(*NAME_PREFIX) + 'variable "use_name_prefix" { default = true }\n'
        assert "name_prefix" in module
    write(tmp_path, {"main.tf": TFAM6_CALL, "modules/role/main.tf": module})
    module_file = "modules/role/main.tf"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}
        ],
    }
    checkov_for_each = (
        "{for k , v in {'AWSSupportAccess': 'arn:aws:iam::aws:policy/AWSSupportAccess', 'AdministratorAccess': "
        "'arn:aws:iam::aws:policy/AdministratorAccess'} : k :> v if True}"
    )
    index = TerraformIndex(
        [
            vertex(tmp_path, module_file, "aws_iam_role", "module.support_role_admin.aws_iam_role.this[0]",
                   name="support-admin", assume_role_policy=trust),
            vertex(tmp_path, module_file, "aws_iam_role_policy_attachment",
                   "module.support_role_admin.aws_iam_role_policy_attachment.this", for_each=checkov_for_each,
                   policy_arn="each.value", role="aws_iam_role.this[0].name"),
        ]
    )  # fmt: skip
    assert verdicts(index, "module.support_role_admin.aws_iam_role.this[0]") == {
        "support-role-trust": ("FAIL", {"account-root"}),
        "support-role-least-privilege": ("FAIL", {"extra-managed-policy"}),
        "support-role-mfa": ("FAIL", {"mfa-not-required"}),
    }
    (root,) = list(index)
    assert [v.address for v in root.tables.attachments] == [
        'module.support_role_admin.aws_iam_role_policy_attachment.this["AWSSupportAccess"]',
        'module.support_role_admin.aws_iam_role_policy_attachment.this["AdministratorAccess"]',
    ]


# ------------------------------------------------- 3. count = var.flags.x ? 1 : 0, flags = {}
FLAGS_MODULE = """
variable "flags" {
  type = object({
    iam_create_support_role = optional(bool, true)
  })
  default = { iam_create_support_role = true }
}
data "aws_caller_identity" "current" {}
resource "aws_iam_role" "support" {
  count = var.flags.iam_create_support_role ? 1 : 0
  name  = "AWSSupportRole"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { AWS = data.aws_caller_identity.current.account_id } }]
  })
}
resource "aws_iam_role_policy_attachment" "support" {
  count      = var.flags.iam_create_support_role ? 1 : 0
  role       = aws_iam_role.support[0].name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}
"""
FLAGS_CALL = """
variable "flags_global" {
  type    = map(any)
  default = {}
}
module "baseline_global" {
  source = "./global"
  flags  = var.flags_global
}
"""


def test_a_count_on_an_object_attribute_filled_by_its_optional_default(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": FLAGS_CALL, "global/main.tf": FLAGS_MODULE})
    index = TerraformIndex(
        [
            vertex(tmp_path, "global/main.tf", "aws_iam_role", "module.baseline_global.aws_iam_role.support",
                   count="{} ? 1 : 0", name="AWSSupportRole",
                   assume_role_policy="${jsonencode({'Version': '2012-10-17'})}"),
            vertex(tmp_path, "global/main.tf", "aws_iam_role_policy_attachment",
                   "module.baseline_global.aws_iam_role_policy_attachment.support", count="{} ? 1 : 0",
                   policy_arn=SUPPORT, role="aws_iam_role.support[0].name"),
        ]
    )  # fmt: skip
    assert verdicts(index, "module.baseline_global.aws_iam_role.support") == {
        "support-role-trust": ("FAIL", {"account-root"}),
        "support-role-least-privilege": ("PASS", set()),
        "support-role-mfa": ("FAIL", {"mfa-not-required"}),
    }
    assert exists(index) == ("PASS", set())


TYPED = """
variable "flags" {
  type    = object({ a = optional(bool, true), b = optional(string), c = bool })
}
variable "teams" {
  type = map(object({
    policies = optional(list(string), ["arn:aws:iam::aws:policy/AWSSupportAccess"]),
    mfa      = optional(bool, true)
  }))
  default = { red = {}, blue = { mfa = false, policies = [] } }
}
variable "list" {
  type    = list(object({ name = string, nested = optional(object({ on = optional(bool, false) }), {}) }))
  default = [{ name = "x" }, { name = "y", nested = { on = null } }]
}
variable "number" {
  type    = number
  default = "3"
}
variable "untyped" { default = {} }
module "m" {
  source = "./m"
  flags  = { c = "true" }
}
"""
TYPED_CHILD = """
variable "flags" {
  type = object({ a = optional(bool, true), b = optional(string), c = bool })
}
output "flags" { value = var.flags }
"""


def test_a_variable_is_converted_to_its_type_with_optional_defaults_at_every_depth(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": TYPED, "m/main.tf": TYPED_CHILD})
    tree = ModuleTree(str(tmp_path))
    root = tree.root
    assert root.variable("teams") == {
        "blue": {"policies": (), "mfa": False},
        "red": {"policies": (SUPPORT,), "mfa": True},
    }
    assert root.variable("list") == ({"name": "x", "nested": {"on": False}}, {"name": "y", "nested": {"on": False}})
    assert root.variable("number") == 3
    assert root.variable("untyped") == {}
    assert isinstance(root.variable("flags"), UnknownValue)  # no default, no value: still unknown
    assert tree.evaluate_text("module.m.flags") == {"a": True, "b": None, "c": True}


# ------------------------------- 4. policy = var.x != "" ? var.x : data.aws_iam_policy_document.d.json
INLINE_MODULE = """
variable "name" {}
variable "custom_policy_json" { default = "" }
resource "aws_iam_role" "role" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { AWS = "arn:aws:iam::111122223333:user/alice" },
                   Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } } }]
  })
}
resource "aws_iam_role_policy" "custom" {
  name   = var.name
  policy = var.custom_policy_json != "" ? var.custom_policy_json : data.aws_iam_policy_document.default.json
  role   = aws_iam_role.role.id
}
data "aws_iam_policy_document" "default" {
  statement {
    actions   = ["iam:Get*", "iam:List*"]
    resources = ["*"]
  }
}
output "aws_iam_role" { value = aws_iam_role.role }
"""
INLINE_CALL = """
variable "custom" {
  type    = string
  DEFAULT
}
module "breakglass" {
  source             = "./modules/r"
  name               = "breakglass"
  custom_policy_json = var.custom
}
resource "aws_iam_role_policy_attachment" "support" {
  role       = module.breakglass.aws_iam_role.name
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}
"""


def _inline(tmp_path: Path, default: str, policy: str = "") -> TerraformIndex:
    module = INLINE_MODULE
    if policy:
        module = module.replace(
            'var.custom_policy_json != "" ? var.custom_policy_json : data.aws_iam_policy_document.default.json', policy
        )
    write(tmp_path, {"main.tf": INLINE_CALL.replace("DEFAULT", default), "modules/r/main.tf": module})
    module_file = "modules/r/main.tf"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ALICE},
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
        ],
    }  # fmt: skip
    return TerraformIndex(
        [
            vertex(tmp_path, "main.tf", "aws_iam_role_policy_attachment", "aws_iam_role_policy_attachment.support",
                   policy_arn=SUPPORT, role="module.breakglass.aws_iam_role.name"),
            vertex(tmp_path, module_file, "aws_iam_role", "module.breakglass.aws_iam_role.role", name="breakglass",
                   assume_role_policy=trust),
            # Checkov evaluates the conditional to null
            vertex(tmp_path, module_file, "aws_iam_role_policy", "module.breakglass.aws_iam_role_policy.custom",
                   policy=None, role="aws_iam_role.role.id", name="breakglass"),
        ]
    )  # fmt: skip


def test_an_inline_policy_chosen_by_a_settled_conditional_is_the_chosen_document(tmp_path: Path) -> None:
    index = _inline(tmp_path, 'default = ""')
    assert verdicts(index, "module.breakglass.aws_iam_role.role") == {
        "support-role-trust": ("PASS", set()),
        "support-role-least-privilege": ("FAIL", {"non-support-action"}),
        "support-role-mfa": ("PASS", set()),
    }


def test_an_inline_policy_chosen_by_an_unsettled_conditional_is_judged_branch_by_branch(tmp_path: Path) -> None:
    index = _inline(tmp_path, "")  # var.custom has no value: both branches are judged, the worst counts
    role = index.role("module.breakglass.aws_iam_role.role")
    assert role is not None
    verdict = evaluate_role(role, Config())["support-role-least-privilege"]
    assert verdict is not None
    assert (verdict.status, set(verdict.codes)) == (Status.FAIL, {"non-support-action", "unresolved-policy"})
    details = {p.code: p.detail for p in verdict.problems}
    assert 'when not var.custom_policy_json != ""' in verdict.reason
    assert details["unresolved-policy"].startswith("${var.custom} cannot be read here")


def test_an_inline_policy_written_as_an_expression_nobody_can_read_is_unknown_naming_it(tmp_path: Path) -> None:
    index = _inline(tmp_path, 'default = ""', policy="strrev(var.custom_policy_json)")
    role = index.role("module.breakglass.aws_iam_role.role")
    assert role is not None
    verdict = evaluate_role(role, Config())["support-role-least-privilege"]
    assert verdict is not None
    assert (verdict.status, set(verdict.codes)) == (Status.UNKNOWN, {"unresolved-policy"})
    assert "is not set" not in verdict.reason
    assert "strrev(var.custom_policy_json)" in verdict.reason


def test_coalesce_takes_a_document_with_unknown_parts_as_the_first_value_set(tmp_path: Path) -> None:
    # terraform-aws-modules/iam v5: assume_role_policy = coalesce(var.custom_role_trust_policy, try(data...json, ...))
    text = """
variable "custom" { default = "" }
data "aws_caller_identity" "current" {}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:user/alice"]
    }
  }
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = coalesce(var.custom, try(data.aws_iam_policy_document.trust.json, ""))
}
"""
    write(tmp_path, {"main.tf": text})
    value = ModuleTree(str(tmp_path)).attribute("aws_iam_role.r", "assume_role_policy")
    assert isinstance(value, EncodedJson)
    assert ModuleTree(str(tmp_path)).evaluate_text('coalesce("", null, "x")') == "x"
