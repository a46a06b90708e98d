"""The HCL reader of the core (``support_role.hcl``): parser, evaluator, modules, policy documents.

Each test names the Terraform behaviour it reproduces; expectations are exact values, typed
unknowns (with the attribute that fixes their kind) or the reason a value cannot be known.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support_role.hcl import (
    Choice,
    EncodedJson,
    MapScope,
    Ref,
    SyntaxProblem,
    UnknownValue,
    Value,
    branches,
    evaluate_text,
    is_known,
    parse_body,
    parse_expression,
)
from support_role.hcl._module import ModuleTree, split_address
from support_role.hcl._plan import PlanTree
from support_role.hcl._syntax import subjects

ALICE = UnknownValue(
    "aws_iam_user.r.alice.arn is known only after apply",
    Ref('aws_iam_user.r["alice"]', "aws_iam_user", "managed", "arn"),
)
BOB = UnknownValue("later", Ref('aws_iam_user.r["bob"]', "aws_iam_user", "managed", "arn"))
SCOPE = MapScope(
    {
        "var": {"admins": ("arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:user/b"), "on": True},
        "local": {"teams": {"ops": {"ids": ("u1",), "mfa": True}, "dev": {"ids": ("u2",), "mfa": False}}},
        "count": {"index": 3},
        "aws_iam_user": {"r": {"alice": {"arn": ALICE}, "bob": {"arn": BOB}}},
        "unknown": UnknownValue("set when Terraform runs"),
    }
)


def ev(text: str) -> Value:
    return evaluate_text(text, SCOPE)


# --------------------------------------------------------------------------------- parser
@pytest.mark.parametrize(
    "text",
    [
        "a.b[0].c",
        "x.0.y",
        "values(a)[*].arn",
        "a.*.b",
        "[for k, v in m : v.x if v.y]",
        "{for k, v in m : k => v...}",
        "c ? 1 : 2",
        '"a${b}c%{if x}y%{else}z%{endif}"',
        "f(a, b...)",
        "provider::aws::arn_parse(x)",
        "!a && -b >= 3 || c != d",
        '{a = 1, "b" = 2, (c) = 3}',
        "<<-EOT\n  hello\n  EOT",
    ],
)
def test_the_parser_reads_every_expression_form(text: str) -> None:
    assert not isinstance(parse_expression(text), SyntaxProblem)


@pytest.mark.parametrize("text", ["[", '"${', "a.", "f(a...,b)", "{a = }", "<<EOT\nno end", "a ? b", "%%", "a[*"])
def test_invalid_text_is_a_syntax_problem_with_a_position(text: str) -> None:
    result = parse_expression(text)
    assert isinstance(result, SyntaxProblem)
    assert "line 1" in result.message or "line 2" in result.message


def test_a_configuration_body_keeps_blocks_labels_and_line_numbers() -> None:
    body = parse_body('locals {\n  a = 1\n}\n\nresource "aws_iam_role" "r" {\n  name = "x"\n  inline_policy {}\n}\n')
    assert not isinstance(body, SyntaxProblem)
    locals_, role = body.blocks
    assert (locals_.type, locals_.start_line, locals_.end_line) == ("locals", 1, 3)
    assert (role.type, role.labels, role.start_line, role.end_line) == ("resource", ("aws_iam_role", "r"), 5, 8)
    assert list(role.body.attributes) == ["name"]
    assert [b.type for b in role.body.blocks] == ["inline_policy"]


def test_deep_nesting_is_refused_not_a_crash() -> None:
    result = parse_expression("[" * 5000 + "]" * 5000)
    assert isinstance(result, SyntaxProblem)
    assert "nesting" in result.message


# ------------------------------------------------------------------------------ evaluator
def test_a_splat_over_values_of_a_for_each_resource_gives_each_instances_typed_arn() -> None:
    assert ev("values(aws_iam_user.r)[*].arn") == (ALICE, BOB)
    assert ev("[for u in aws_iam_user.r : u.arn]") == (ALICE, BOB)


def test_a_splat_is_never_a_wildcard() -> None:
    assert ev("var.admins[*]") == SCOPE.names["var"]["admins"]  # type: ignore[index]
    assert ev("unknown[*].arn") == UnknownValue("set when Terraform runs")


def test_element_with_count_index_wraps_around_like_terraform() -> None:
    assert ev("element(var.admins, count.index)") == "arn:aws:iam::111122223333:user/b"


def test_legacy_dot_index_is_an_index() -> None:
    assert ev("local.teams.ops.ids.0") == "u1"


def test_for_expressions_with_conditions_and_grouping() -> None:
    assert ev("[for k, v in local.teams : v.ids[0] if v.mfa]") == ("u1",)
    assert ev("{for k, v in local.teams : v.mfa => k...}") == {"false": ("dev",), "true": ("ops",)}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('concat(["x"], var.admins)', ("x", "arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:user/b")),
        ('flatten([["a"], ["b", ["c"]]])', ("a", "b", "c")),
        ('toset(["b", "a", "b"])', ("a", "b")),
        ('tolist(toset(["b", "a"]))', ("a", "b")),
        ("keys({b = 1, a = 2})", ("a", "b")),
        ("values({b = 1, a = 2})", (2, 1)),
        ('compact(["", "a", null])', ("a",)),
        ('distinct(["a", "b", "a"])', ("a", "b")),
        ('lookup({a = 1}, "b", 7)', 7),
        ("merge({a = 1}, {a = 2, b = 3})", {"a": 2, "b": 3}),
        ('join(",", ["a", "b"])', "a,b"),
        ('format("arn:%s:iam::%s:root", "aws", "111122223333")', "arn:aws:iam::111122223333:root"),
        ('jsondecode("{\\"a\\": [1, true]}")', {"a": (1, True)}),
        ('try(local.missing, "fallback")', "fallback"),
        ("can(local.missing)", False),
        ("length(var.admins) + 1", 3),
        ('"${var.on}"', True),
        ('"x-${var.on}"', "x-true"),
        ('"%{for a in ["p", "q"]~} ${a} %{~endfor}"', "pq"),
        ("var.on ? [1] : []", (1,)),
    ],
)
def test_functions_and_operators_give_terraform_s_values(text: str, value: Value) -> None:
    assert ev(text) == value


def test_a_string_around_unknown_parts_keeps_them_as_reference_tokens() -> None:
    result = ev('"arn:aws:iam::${aws_iam_user.r.alice.arn}:x"')
    assert isinstance(result, UnknownValue)
    assert result.template == 'arn:aws:iam::${aws_iam_user.r["alice"].arn}:x'


def test_jsonencode_of_a_document_with_unknown_principals_keeps_its_shape() -> None:
    result = ev("jsonencode({Principal = {AWS = values(aws_iam_user.r)[*].arn}})")
    assert result == EncodedJson({"Principal": {"AWS": (ALICE, BOB)}})
    assert ev('jsondecode(jsonencode({a = "b"}))') == {"a": "b"}


def test_an_unknown_condition_gives_both_branches() -> None:
    result = ev('unknown ? ["arn:aws:iam::aws:policy/AWSSupportAccess"] : []')
    assert result == Choice("unknown", ("arn:aws:iam::aws:policy/AWSSupportAccess",), ())
    assert branches(result) == [
        (("unknown",), ("arn:aws:iam::aws:policy/AWSSupportAccess",)),
        (("not (unknown)",), ()),
    ]


def test_an_alternative_inside_a_collection_floats_to_the_top() -> None:
    result = ev('{a = [unknown ? "x" : "y"]}')
    assert result == Choice("unknown", {"a": ("x",)}, {"a": ("y",)})
    assert not is_known(result)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nosuchfn(1)", "the function nosuchfn() is not evaluated by this checker"),
        ("timestamp()", "timestamp() is known only when Terraform runs"),
        ("local.missing", "local.missing could not be evaluated: local has no attribute 'missing'"),
        ("1 / 0", "1 / 0 could not be evaluated: division by zero"),
        ('replace("a", "/a/", "b")', "regular expression is not evaluated"),
        ("range(1000000000)", "range() is too long"),
    ],
)
def test_what_cannot_be_evaluated_is_unknown_with_the_reason(text: str, reason: str) -> None:
    result = ev(text)
    assert isinstance(result, UnknownValue)
    assert reason in result.reason


def test_too_many_alternatives_are_refused() -> None:
    text = "[" + ", ".join("unknown ? 1 : 2" if i % 2 else f"unknown{i % 1} ? {i} : 0" for i in range(8)) + "]"
    scope = MapScope({**SCOPE.names, "unknown0": UnknownValue("u0")})
    result = evaluate_text(text, scope)
    assert isinstance(result, UnknownValue)
    assert "alternatives" in result.reason


# -------------------------------------------------------------------------------- modules
def write(tmp: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp


MODULE = """
variable "admins" {
  type    = list(string)
  default = ["arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:user/b"]
}
variable "nodefault" {}
variable "enabled" {
  default = true
}
locals {
  team = ["x", "y"]
}
data "aws_caller_identity" "current" {}
resource "aws_iam_user" "team" {
  count = length(local.team)
  name  = local.team[count.index]
}
resource "aws_iam_user" "named" {
  for_each = toset(local.team)
  name     = "named-${each.key}"
}
resource "aws_iam_role" "r" {
  count              = var.enabled ? 1 : 0
  name               = "r"
  assume_role_policy = templatefile("${path.module}/trust.tpl", {
    account = data.aws_caller_identity.current.account_id
  })
}
module "child" {
  source   = "./child"
  for_each = { a = "first", b = "second" }
  label    = each.value
}
"""
CHILD = """
variable "label" {}
resource "aws_iam_role" "this" {
  name = "child-${var.label}"
}
output "name" {
  value = aws_iam_role.this.name
}
"""


def test_a_module_answers_variables_locals_counted_and_keyed_instances(tmp_path: Path) -> None:
    tree = ModuleTree(str(write(tmp_path, {"main.tf": MODULE, "child/main.tf": CHILD, "trust.tpl": "x"})))
    assert tree.files.problems == ()
    assert tree.evaluate_text("aws_iam_user.team[1].name") == "y"
    assert tree.evaluate_text("aws_iam_user.named.x.name") == "named-x"
    assert tree.evaluate_text("aws_iam_user.team.*.arn") == (
        UnknownValue(
            "aws_iam_user.team[0].arn is known only after apply",
            Ref("aws_iam_user.team[0]", "aws_iam_user", "managed", "arn"),
        ),
        UnknownValue(
            "aws_iam_user.team[1].arn is known only after apply",
            Ref("aws_iam_user.team[1]", "aws_iam_user", "managed", "arn"),
        ),
    )
    assert tree.evaluate_text("var.nodefault") == UnknownValue(
        "var.nodefault has no default: its value is given when Terraform runs", template="${var.nodefault}"
    )
    assert tree.evaluate_text("module.child.b.name") == "child-second"
    assert tree.attribute('module.child["a"].aws_iam_role.this', "name") == "child-first"
    assert tree.evaluate_text("var.label", 'module.child["a"].aws_iam_role.this') == "first"
    assert tree.evaluate_text("aws_iam_role.r[0].assume_role_policy") == "x"


def test_tfvars_override_defaults_at_the_root(tmp_path: Path) -> None:
    tree = ModuleTree(
        str(write(tmp_path, {"main.tf": MODULE, "child/main.tf": CHILD, "terraform.tfvars": "enabled = false\n"}))
    )
    assert tree.evaluate_text("length(aws_iam_role.r)") == 0


def test_templatefile_reads_the_template_beside_the_module_and_keeps_unknown_parts(tmp_path: Path) -> None:
    template = '{"Statement": [{"Principal": {"AWS": "arn:aws:iam::${account}:root"}}]}'
    tree = ModuleTree(str(write(tmp_path, {"main.tf": MODULE, "child/main.tf": CHILD, "trust.tpl": template})))
    result = tree.evaluate_text("aws_iam_role.r[0].assume_role_policy")
    assert isinstance(result, UnknownValue)
    assert result.template == (
        '{"Statement": [{"Principal": {"AWS": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"}}]}'
    )


def test_a_file_that_is_not_hcl_is_a_problem_named_by_file(tmp_path: Path) -> None:
    tree = ModuleTree(str(write(tmp_path, {"main.tf": MODULE, "broken.tf": "resource {", "child/main.tf": CHILD})))
    assert len(tree.files.problems) == 1
    assert tree.files.problems == (
        "broken.tf is not valid HCL (line 1, column 11: expected '}' closing a block, found the end)",
    )


def test_addresses_split_into_module_path_mode_type_name_and_key() -> None:
    assert split_address('module.a["x"].module.b.data.aws_iam_role.r[0]') == (
        (("a", "x"), ("b", None)),
        "data",
        "aws_iam_role",
        "r",
        0,
    )
    assert split_address("not an address") is None


# ------------------------------------------------------------------------- policy documents
DOCUMENTS = """
locals {
  teams = {
    oncall = { principals = ["arn:aws:iam::210987654321:user/lead"], mfa = true }
    vendor = { principals = ["arn:aws:iam::444455556666:root"], mfa = false }
  }
}
resource "aws_iam_user" "u" {
  for_each = toset(["a", "b"])
  name     = each.key
}
data "aws_iam_policy_document" "splat" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = values(aws_iam_user.u)[*].arn
    }
  }
}
data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = local.teams
    content {
      sid     = statement.key
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = statement.value.principals
      }
      dynamic "condition" {
        for_each = statement.value.mfa ? [1] : []
        content {
          test     = "Bool"
          variable = "aws:MultiFactorAuthPresent"
          values   = [true]
        }
      }
    }
  }
}
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Base"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:user/base"]
    }
  }
}
data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({ Statement = [{ Sid = "Base", Effect = "Deny", Action = "*" }] })]
  statement {
    sid     = "Extra"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
data "aws_iam_policy_document" "duplicate" {
  source_policy_documents = [data.aws_iam_policy_document.base.json, data.aws_iam_policy_document.base.json]
}
variable "teams" {}
data "aws_iam_policy_document" "unknown_blocks" {
  dynamic "statement" {
    for_each = var.teams
    content {
      actions = ["sts:AssumeRole"]
    }
  }
}
"""


def _document(tmp_path: Path, name: str) -> Value:
    tree = ModuleTree(str(write(tmp_path, {"main.tf": DOCUMENTS})))
    return tree.evaluate_text(f"data.aws_iam_policy_document.{name}.json")


def test_a_document_with_a_splat_keeps_each_user_as_a_typed_unknown(tmp_path: Path) -> None:
    result = _document(tmp_path, "splat")
    assert isinstance(result, EncodedJson)
    statement = result.value["Statement"][0]  # type: ignore[index]
    refs = [p.ref for p in statement["Principal"]["AWS"]]
    assert refs == [
        Ref('aws_iam_user.u["a"]', "aws_iam_user", "managed", "arn"),
        Ref('aws_iam_user.u["b"]', "aws_iam_user", "managed", "arn"),
    ]


def test_dynamic_statement_blocks_expand_into_statements(tmp_path: Path) -> None:
    result = _document(tmp_path, "dynamic")
    assert isinstance(result, str)
    assert json.loads(result)["Statement"] == [
        {
            "Sid": "oncall",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"AWS": ["arn:aws:iam::210987654321:user/lead"]},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
        },
        {
            "Sid": "vendor",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"AWS": ["arn:aws:iam::444455556666:root"]},
        },
    ]


def test_source_and_override_documents_merge_by_sid_as_the_provider_does(tmp_path: Path) -> None:
    result = _document(tmp_path, "merged")
    assert isinstance(result, str)
    statements = json.loads(result)["Statement"]
    assert statements == [
        {"Sid": "Base", "Effect": "Deny", "Action": "*"},
        {"Sid": "Extra", "Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": "*"},
    ]


def test_a_sid_twice_among_source_documents_is_refused_as_terraform_refuses_it(tmp_path: Path) -> None:
    result = _document(tmp_path, "duplicate")
    assert isinstance(result, UnknownValue)
    assert "duplicate Sid 'Base' among its source documents" in result.reason


def test_dynamic_blocks_over_an_unknown_collection_make_the_document_unknown(tmp_path: Path) -> None:
    result = _document(tmp_path, "unknown_blocks")
    assert isinstance(result, UnknownValue)
    assert "var.teams has no default" in result.reason


# ----------------------------------------------------------------------------------- plans
def _plan(tmp_path: Path, plan: dict[str, object]) -> PlanTree:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return PlanTree.read(str(path))


# The shapes of a real `terraform show -json` of a plan made before apply (hashicorp/aws 5.100):
# a user and a role trusted through a deferred aws_iam_policy_document, an attachment naming the
# role by `.id`, and a document built from a splat.
FRESH_PLAN: dict[str, object] = {
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_role.r",
                    "mode": "managed",
                    "type": "aws_iam_role",
                    "name": "r",
                    "values": {"name": "ops", "path": "/"},
                },
                {
                    "address": "aws_iam_role_policy_attachment.a",
                    "mode": "managed",
                    "type": "aws_iam_role_policy_attachment",
                    "name": "a",
                    "values": {"policy_arn": "arn:aws:iam::aws:policy/AWSSupportAccess"},
                },
                {
                    "address": "data.aws_iam_policy_document.t",
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": "t",
                    "values": {
                        "override_policy_documents": None,
                        "source_policy_documents": None,
                        "statement": [
                            {
                                "actions": ["sts:AssumeRole"],
                                "condition": [],
                                "effect": None,
                                "not_principals": [],
                                "principals": [
                                    {"identifiers": [None, "arn:aws:iam::444455556666:root", None], "type": "AWS"}
                                ],
                                "sid": None,
                            }
                        ],
                        "version": None,
                    },
                },
                {
                    "address": "data.aws_iam_policy_document.splat",
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": "splat",
                    "values": {
                        "statement": [
                            {
                                "actions": ["sts:AssumeRole"],
                                "principals": [{"identifiers": [None, None], "type": "AWS"}],
                            }
                        ]
                    },
                },
            ]
        }
    },
    "resource_changes": [
        {
            "address": "aws_iam_role.r",
            "change": {"after_unknown": {"arn": True, "assume_role_policy": True, "id": True}},
        },
        {"address": "aws_iam_role_policy_attachment.a", "change": {"after_unknown": {"id": True, "role": True}}},
        {
            "address": "data.aws_iam_policy_document.t",
            "change": {
                "after_unknown": {
                    "json": True,
                    "statement": [{"principals": [{"identifiers": [True, False, True]}]}],
                }
            },
        },
        {
            "address": "data.aws_iam_policy_document.splat",
            "change": {"after_unknown": {"json": True, "statement": [{"principals": [{"identifiers": [True, True]}]}]}},
        },
    ],
    "configuration": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_role.r",
                    "expressions": {
                        "assume_role_policy": {
                            "references": ["data.aws_iam_policy_document.t.json", "data.aws_iam_policy_document.t"]
                        },
                        "name": {"constant_value": "ops"},
                    },
                },
                {
                    "address": "aws_iam_role_policy_attachment.a",
                    "expressions": {"role": {"references": ["aws_iam_role.r.id", "aws_iam_role.r"]}},
                },
                {
                    "address": "data.aws_iam_policy_document.t",
                    "expressions": {
                        "statement": [
                            {
                                "principals": [
                                    {
                                        "identifiers": {
                                            "references": [
                                                "aws_iam_user.u.arn",
                                                "aws_iam_user.u",
                                                "aws_iam_role.other.arn",
                                                "aws_iam_role.other",
                                            ]
                                        },
                                        "type": {"constant_value": "AWS"},
                                    }
                                ]
                            }
                        ]
                    },
                },
                {
                    "address": "data.aws_iam_policy_document.splat",
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": "splat",
                    "expressions": {
                        "statement": [{"principals": [{"identifiers": {"references": ["aws_iam_user.team"]}}]}]
                    },
                },
            ]
        }
    },
}


def test_a_plan_names_the_one_attribute_an_unknown_value_refers_to(tmp_path: Path) -> None:
    tree = _plan(tmp_path, FRESH_PLAN)
    assert tree.attribute("aws_iam_role_policy_attachment.a", "role") == UnknownValue(
        "aws_iam_role_policy_attachment.a.role is known only after apply"
        " (the plan keeps only the reference aws_iam_role.r.id)",
        Ref("aws_iam_role.r", "aws_iam_role", "managed", "id"),
    )
    assert (
        tree.attribute("aws_iam_role_policy_attachment.a", "policy_arn") == "arn:aws:iam::aws:policy/AWSSupportAccess"
    )


def test_a_deferred_policy_document_is_built_with_its_unknown_principals_typed_in_order(tmp_path: Path) -> None:
    tree = _plan(tmp_path, FRESH_PLAN)
    trust = tree.attribute("aws_iam_role.r", "assume_role_policy")
    assert isinstance(trust, UnknownValue) and trust.ref is not None
    document = tree.resolve(trust.ref)
    assert isinstance(document, EncodedJson)
    principals = document.value["Statement"][0]["Principal"]["AWS"]  # type: ignore[index]
    assert [p.ref if isinstance(p, UnknownValue) else p for p in principals] == [
        Ref("aws_iam_user.u", "aws_iam_user", "managed", "arn"),
        "arn:aws:iam::444455556666:root",
        Ref("aws_iam_role.other", "aws_iam_role", "managed", "arn"),
    ]


def test_a_splat_in_a_plan_keeps_the_resource_but_not_the_attribute(tmp_path: Path) -> None:
    tree = _plan(tmp_path, FRESH_PLAN)
    document = tree.attribute("data.aws_iam_policy_document.splat", "json")
    assert isinstance(document, EncodedJson)
    principals = document.value["Statement"][0]["Principal"]["AWS"]  # type: ignore[index]
    assert [p.ref for p in principals] == [Ref("aws_iam_user.team", "aws_iam_user", "managed", "")] * 2


def test_a_plan_that_is_not_json_is_a_problem_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json", encoding="utf-8")
    tree = PlanTree.read(str(path))
    assert tree.problem == "plan.json cannot be read as JSON (JSONDecodeError)"
    assert tree.attribute("aws_iam_role.r", "name") == UnknownValue("aws_iam_role.r is not in the plan")


def test_a_block_counted_under_an_unsettled_condition_is_one_instance_under_that_condition(tmp_path: Path) -> None:
    text = """
variable "on" {}
resource "aws_iam_role_policy_attachment" "when_on" {
  count      = var.on ? 1 : 0
  role       = "r"
  policy_arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
}
resource "aws_iam_role_policy_attachment" "when_off" {
  count      = var.on ? 0 : 1
  role       = "r"
  policy_arn = "x"
}
resource "aws_iam_role_policy_attachment" "always" {
  count      = 1
  role       = "r"
  policy_arn = "y"
}
"""
    tree = ModuleTree(str(write(tmp_path, {"main.tf": text})))
    found = tree.conditional_instance("aws_iam_role_policy_attachment.when_on")
    assert found is not None and found[1] == "var.on"
    assert found[0].address == "aws_iam_role_policy_attachment.when_on[0]"
    assert found[0]["policy_arn"] == "arn:aws:iam::aws:policy/AWSSupportAccess"
    off = tree.conditional_instance("aws_iam_role_policy_attachment.when_off")
    assert off is not None and off[1] == "not (var.on)"
    assert tree.conditional_instance("aws_iam_role_policy_attachment.always") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "jsonencode({a = aws_iam_openid_connect_provider.ci.arn, b = [for u in aws_iam_user.x : u.arn]})",
            {"aws_iam_openid_connect_provider.ci", "aws_iam_user.x"},
        ),
        ("values(aws_iam_user.responder)[*].arn", {"aws_iam_user.responder"}),
        ("data.aws_iam_policy_document.t[0].json", {"data.aws_iam_policy_document.t"}),
        ('var.a ? local.b["k"] : module.m.out', {"var.a", "local.b", "module.m"}),
        ('"${each.key}-${count.index}-${path.module}"', set()),
    ],
)
def test_subjects_are_what_terraform_s_plan_lists_as_references(text: str, found: set[str]) -> None:
    expression = parse_expression(text)
    assert not isinstance(expression, SyntaxProblem)
    assert subjects(expression) == found


def test_a_plan_gives_the_references_of_an_attribute_and_the_blocks_of_its_root(tmp_path: Path) -> None:
    tree = _plan(tmp_path, FRESH_PLAN)
    assert tree.references("aws_iam_role_policy_attachment.a", "role") == ["aws_iam_role.r.id", "aws_iam_role.r"]
    assert tree.references("aws_iam_role.r", "name") == []
    assert ("data", "aws_iam_policy_document", "splat") in tree.root_blocks


def test_a_module_gives_the_expression_written_for_an_attribute(tmp_path: Path) -> None:
    tree = ModuleTree(str(write(tmp_path, {"main.tf": MODULE, "child/main.tf": CHILD})))
    expression = tree.expression("aws_iam_user.team[1]", "name")
    assert expression is not None and subjects(expression) == {"local.team"}
    assert tree.expression("aws_iam_user.nothing", "name") is None


# ----------------------------------------------------------------------------- .tf.json
MIXED_TF = """
variable "suffix" {
  default = "ops"
}
resource "aws_iam_user" "alice" {
  name = "alice"
}
"""
MIXED_TF_JSON = {
    "//": "a comment",
    "variable": {"literal": {"default": "${not.a.reference}"}},
    "locals": {"principals": ["${aws_iam_user.alice.arn}"], "key": "$${kept}"},
    "data": {
        "aws_iam_policy_document": {
            "trust": {
                "statement": [
                    {
                        "sid": "Fixed",
                        "actions": ["sts:AssumeRole"],
                        "principals": {"type": "AWS", "identifiers": "${local.principals}"},
                        "condition": [{"test": "Bool", "variable": "aws:MultiFactorAuthPresent", "values": ["true"]}],
                    }
                ],
                "dynamic": {
                    "statement": {
                        "for_each": '${toset(["a", "b"])}',
                        "iterator": "s",
                        "content": {"sid": "Dyn${upper(s.value)}", "actions": ["sts:TagSession"]},
                    }
                },
            }
        }
    },
    "resource": {
        "aws_iam_role": {
            "support": [
                {
                    "name": "support-${var.suffix}",
                    "count": 2,
                    "assume_role_policy": "${data.aws_iam_policy_document.trust.json}",
                    "tags": {"team-${var.suffix}": "x"},
                }
            ]
        }
    },
}


def test_terraform_json_files_are_read_as_the_same_configuration_in_hcl(tmp_path: Path) -> None:
    folder = write(tmp_path, {"main.tf": MIXED_TF, "roles.tf.json": json.dumps(MIXED_TF_JSON)})
    tree = ModuleTree(str(folder))
    assert tree.files.problems == ()
    assert tree.attribute("aws_iam_role.support[1]", "name") == "support-ops"
    assert tree.attribute("aws_iam_role.support[0]", "tags") == {"team-ops": "x"}
    assert tree.evaluate_text("var.literal") == "${not.a.reference}"  # a default is a literal value
    assert tree.evaluate_text("local.key") == "${kept}"
    document = tree.attribute("aws_iam_role.support[0]", "assume_role_policy")
    assert isinstance(document, EncodedJson)
    statements = document.value["Statement"]  # type: ignore[index]
    assert [s["Sid"] for s in statements] == ["Fixed", "DynA", "DynB"]
    (principal,) = statements[0]["Principal"]["AWS"]
    assert isinstance(principal, UnknownValue)
    assert principal.ref == Ref("aws_iam_user.alice", "aws_iam_user", "managed", "arn")
    assert statements[0]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": ("true",)}}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"resource": {"aws_iam_role": {"x": ', "roles.tf.json is not valid JSON"),
        ("[1, 2]", "roles.tf.json is not a JSON object"),
        ('{"resource": {"aws_iam_role": {"x": {"name": "${unclosed"}}}}', "roles.tf.json is not valid Terraform JSON"),
        ('{"resource": {"aws_iam_role": ["x"]}}', "roles.tf.json is not valid Terraform JSON"),
    ],
)
def test_a_terraform_json_file_that_cannot_be_read_is_a_problem_named_by_file(
    text: str, why: str, tmp_path: Path
) -> None:
    tree = ModuleTree(str(write(tmp_path, {"main.tf": MIXED_TF, "roles.tf.json": text})))
    assert len(tree.files.problems) == 1
    assert tree.files.problems[0].startswith(why)
    assert tree.attribute("aws_iam_user.alice", "name") == "alice"


def test_json_override_files_are_named_as_not_merged(tmp_path: Path) -> None:
    tree = ModuleTree(str(write(tmp_path, {"main.tf": MIXED_TF, "x_override.tf.json": "{}"})))
    assert tree.files.problems == ("x_override.tf.json: override files are not merged by this checker",)


# The shape of principal-string-and-list's fresh plan (references style): a set of identifiers
# holding a user's ARN (unknown) and the account root built from data sources read while planning;
# Terraform puts the known element first.
MIXED_SET_PLAN: dict[str, object] = {
    "prior_state": {
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "data.aws_caller_identity.current",
                        "mode": "data",
                        "type": "aws_caller_identity",
                        "name": "current",
                        "values": {"account_id": "123456789012", "id": "123456789012"},
                    },
                    {
                        "address": "data.aws_partition.current",
                        "mode": "data",
                        "type": "aws_partition",
                        "name": "current",
                        "values": {"partition": "aws", "id": "aws"},
                    },
                ]
            }
        }
    },
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "data.aws_iam_policy_document.t",
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": "t",
                    "values": {
                        "statement": [
                            {
                                "actions": ["sts:AssumeRole"],
                                "principals": [
                                    {"identifiers": ["arn:aws:iam::123456789012:root", None], "type": "AWS"}
                                ],
                            }
                        ]
                    },
                }
            ]
        }
    },
    "resource_changes": [
        {
            "address": "data.aws_iam_policy_document.t",
            "change": {
                "after_unknown": {"json": True, "statement": [{"principals": [{"identifiers": [False, True]}]}]}
            },
        }
    ],
    "configuration": {
        "root_module": {
            "resources": [
                {
                    "address": "data.aws_iam_policy_document.t",
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": "t",
                    "expressions": {
                        "statement": [
                            {
                                "principals": [
                                    {
                                        "identifiers": {
                                            "references": [
                                                'aws_iam_user.users["alice"].arn',
                                                'aws_iam_user.users["alice"]',
                                                "aws_iam_user.users",
                                                "data.aws_partition.current.partition",
                                                "data.aws_partition.current",
                                                "data.aws_caller_identity.current.account_id",
                                                "data.aws_caller_identity.current",
                                            ]
                                        },
                                        "type": {"constant_value": "AWS"},
                                    }
                                ]
                            }
                        ]
                    },
                }
            ]
        }
    },
}


def test_attributes_the_plan_already_knows_do_not_count_when_unknown_elements_are_typed(tmp_path: Path) -> None:
    tree = _plan(tmp_path, MIXED_SET_PLAN)
    document = tree.attribute("data.aws_iam_policy_document.t", "json")
    assert isinstance(document, EncodedJson)
    principals = document.value["Statement"][0]["Principal"]["AWS"]  # type: ignore[index]
    assert [p.ref if isinstance(p, UnknownValue) else p for p in principals] == [
        "arn:aws:iam::123456789012:root",
        Ref('aws_iam_user.users["alice"]', "aws_iam_user", "managed", "arn"),
    ]
