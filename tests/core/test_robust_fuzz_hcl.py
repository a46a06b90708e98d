"""Fuzz of the HCL reader (``support_role.hcl``): it never raises, and never reads text as a value.

Three fuzzers:

* **junk text**: arbitrary strings, weighted towards HCL's punctuation, through the expression,
  template and body parsers and the evaluator: a result or a :class:`SyntaxProblem`, never an
  exception;
* **expressions**: expressions built from every form the parser knows (references, splats,
  function calls of every implemented function, ``for``, conditionals, templates), evaluated over
  a scope of known values, unknowns and typed unknowns: the result is always a well-formed value,
  and a ``*`` in a result string always comes from a string literal of the expression (a splat
  is never a wildcard principal);
* **modules**: root modules of random blocks written to disk and read by :class:`ModuleTree`;
  every attribute of every instance evaluates without raising.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_role.hcl import (
    FUNCTIONS,
    Body,
    Choice,
    EncodedJson,
    MapScope,
    Ref,
    SyntaxProblem,
    Template,
    UnknownValue,
    Value,
    evaluate,
    parse_body,
    parse_expression,
    parse_template,
)
from support_role.hcl._json import parse_json_body
from support_role.hcl._module import Instance, ModuleTree
from support_role.hcl._syntax import Expr

FUZZ_CASES = {"junk": 300, "expressions": 300, "modules": 40}
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

TYPED = UnknownValue("known after apply", Ref("aws_iam_user.u", "aws_iam_user", "managed", "arn"))
SCOPE = MapScope(
    {
        "var": {"list": ("a", "b"), "map": {"k": "v", "x": "y"}, "flag": True, "n": 2, "empty": ()},
        "local": {"nested": {"a": ({"arn": "arn:aws:iam::111122223333:user/a"},)}, "s": "text"},
        "aws_iam_user": {"u": {"arn": TYPED, "name": "u"}, "many": {"a": {"arn": TYPED}, "b": {"arn": TYPED}}},
        "unknown": UnknownValue("set when Terraform runs"),
        "count": {"index": 1},
        "each": {"key": "k", "value": "v"},
    }
)

PUNCTUATION = [*list('{}[]()"$%~.*,:?=!<>&|+-/#\n\\ '), "${", "%{", "[*]", ".*", "=>", "...", "<<EOT\n", "\nEOT"]
junk_text = st.lists(st.one_of(st.sampled_from(PUNCTUATION), st.text(max_size=4)), max_size=40).map("".join)


def well_formed(value: object, depth: int = 0) -> bool:
    """Whether the value is one of the value shapes the reader promises (support_role.hcl._values)."""
    if depth > 200:
        return False
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, UnknownValue):
        return isinstance(value.reason, str) and bool(value.reason)
    if isinstance(value, EncodedJson):
        return well_formed(value.value, depth + 1)
    if isinstance(value, Choice):
        return well_formed(value.when_true, depth + 1) and well_formed(value.when_false, depth + 1)
    if isinstance(value, tuple):
        return all(well_formed(v, depth + 1) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and well_formed(value[k], depth + 1) for k in list(value)[:50])
    return False


def strings_in(value: object, depth: int = 0) -> list[str]:
    if depth > 200:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, UnknownValue):
        return [value.template] if value.template else []
    if isinstance(value, EncodedJson):
        return strings_in(value.value, depth + 1)
    if isinstance(value, Choice):
        return strings_in(value.when_true, depth + 1) + strings_in(value.when_false, depth + 1)
    if isinstance(value, tuple):
        return [s for v in value for s in strings_in(v, depth + 1)]
    if isinstance(value, Mapping):
        return [s for k in list(value)[:50] for s in [k, *strings_in(value[k], depth + 1)]]
    return []


# --------------------------------------------------------------------------------- junk
@settings(max_examples=FUZZ_CASES["junk"], **SETTINGS)  # type: ignore[arg-type]
@given(junk_text)
def test_junk_text_never_raises_anywhere(text: str) -> None:
    expression = parse_expression(text)
    assert isinstance(expression, SyntaxProblem) or well_formed(evaluate(expression, SCOPE))
    template = parse_template(text)
    assert isinstance(template, SyntaxProblem | Template)
    if isinstance(template, Template):
        assert well_formed(evaluate(template, SCOPE))
    assert isinstance(parse_body(text), SyntaxProblem | Body)


# -------------------------------------------------------------------------- expressions
NAMES = [
    "var.list",
    "var.map",
    "var.flag",
    "var.n",
    "var.empty",
    "local.nested",
    "local.s",
    "unknown",
    "aws_iam_user.u",
    "aws_iam_user.many",
    "count.index",
    "each.key",
    "each.value",
    "missing.name",
]
LITERALS = ['"a"', '"*"', '"arn:aws:iam::111122223333:user/*"', "1", "0", "true", "false", "null", '""']


def _expressions() -> st.SearchStrategy[str]:
    leaf = st.sampled_from(NAMES + LITERALS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.builds(lambda e, a: f"{e}.{a}", inner, st.sampled_from(["arn", "name", "a", "k", "0"])),
            st.builds(lambda e, i: f"{e}[{i}]", inner, inner),
            st.builds(lambda e, a: f"{e}[*].{a}", inner, st.sampled_from(["arn", "name"])),
            st.builds(lambda e: f"{e}.*.arn", inner),
            st.builds(
                lambda f, args: f"{f}({', '.join(args)})",
                st.sampled_from(sorted(FUNCTIONS)),
                st.lists(inner, max_size=3),
            ),
            st.builds(lambda c, a, b: f"({c} ? {a} : {b})", inner, inner, inner),
            st.builds(lambda c, v: f"[for k, v in {c} : {v}]", inner, st.sampled_from(["v", "k", "v.arn", "unknown"])),
            st.builds(lambda c: f"{{for k, v in {c} : k => v}}", inner),
            st.builds(lambda items: "[" + ", ".join(items) + "]", st.lists(inner, max_size=3)),
            st.builds(lambda a, b: f'{{a = {a}, "b" = {b}}}', inner, inner),
            st.builds(lambda a, b: f'"x-${{{a}}}-${{{b}}}"', inner, inner),
            st.builds(
                lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(["+", "==", "&&", "||", "<", "%"]), inner
            ),
            st.builds(lambda a: f"!{a}", inner),
        )

    return st.recursive(leaf, extend, max_leaves=12)


def _literal_pieces(expr: Expr) -> str:
    """Every literal string piece written in the expression (where a '*' may legitimately come from)."""
    out: list[str] = []
    pending: list[object] = [expr]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple):
            pending.extend(item)
        elif hasattr(item, "__dataclass_fields__"):
            pending.extend(getattr(item, name) for name in item.__dataclass_fields__)
    return "".join(out)


@settings(max_examples=FUZZ_CASES["expressions"], **SETTINGS)  # type: ignore[arg-type]
@given(_expressions())
def test_expressions_evaluate_to_well_formed_values_and_a_splat_is_never_a_wildcard(text: str) -> None:
    expr = parse_expression(text)
    assert not isinstance(expr, SyntaxProblem), (text, expr)
    value = evaluate(expr, SCOPE)
    assert well_formed(value), (text, value)
    if "*" not in _literal_pieces(expr):
        assert not any("*" in s for s in strings_in(value)), (text, value)
    if isinstance(value, UnknownValue):
        assert "internal" not in value.reason


# ------------------------------------------------------------------------------- modules
block_bodies = st.lists(
    st.sampled_from(
        [
            "name = each.key",
            "count = var.n",
            "for_each = toset(var.list)",
            "arn = aws_iam_user.a.arn",
            "policy = jsonencode({Statement = [{Principal = {AWS = values(aws_iam_user.b)[*].arn}}]})",
            "x = local.l",
            "y = module.m.out",
            'z = templatefile("missing.tpl", {})',
            'dynamic "statement" {\n for_each = var.list\n content {\n sid = statement.key\n }\n}',
            "statement {\n actions = [unknown]\n}",
            "w = data.aws_iam_policy_document.d.json",
        ]
    ),
    max_size=4,
)


@settings(max_examples=FUZZ_CASES["modules"], **SETTINGS)  # type: ignore[arg-type]
@given(
    st.lists(
        st.tuples(st.sampled_from(["aws_iam_user", "aws_iam_role"]), st.sampled_from("ab"), block_bodies), max_size=4
    ),
    block_bodies,
    junk_text,
)
def test_modules_of_random_blocks_never_raise(
    tmp_path_factory: object, resources: list[tuple[str, str, list[str]]], document: list[str], junk: str
) -> None:
    folder = Path(tmp_path_factory.mktemp("module"))  # type: ignore[attr-defined]
    text = 'variable "n" {\n default = 2\n}\nvariable "list" {\n default = ["p", "q"]\n}\nlocals {\n l = var.list\n}\n'
    text += 'module "m" {\n source = "./m"\n}\n'
    text += 'data "aws_iam_policy_document" "d" {\n' + "\n".join(document) + "\n}\n"
    for type_, name, body in resources:
        text += f'resource "{type_}" "{name}" {{\n' + "\n".join(body) + "\n}\n"
    (folder / "main.tf").write_text(text, encoding="utf-8")
    (folder / "junk.tf").write_text(junk, encoding="utf-8")
    (folder / "m").mkdir()
    (folder / "m" / "main.tf").write_text('output "out" {\n value = "o"\n}\n', encoding="utf-8")
    tree = ModuleTree(str(folder))
    for (type_, name), _block in [*list(tree.files.resources.items()), (("data.aws_iam_policy_document", "d"), None)]:
        value = tree.evaluate_text(f"{type_}.{name}")
        assert well_formed(value), value
        for instance in _instances(value):
            for attribute in list(instance):
                assert well_formed(instance[attribute]), (attribute, instance[attribute])
            assert well_formed(instance["json"] if type_.startswith("data.") else instance["arn"])


def _instances(value: Value) -> list[Instance]:
    if isinstance(value, Instance):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, Instance)]
    if isinstance(value, Mapping):
        return [v for v in value.values() if isinstance(v, Instance)]
    if isinstance(value, Choice):
        return _instances(value.when_true) + _instances(value.when_false)
    return []


# ------------------------------------------------------------------------- .tf.json
_json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(NAMES).map(lambda name: "${" + name + "}")
    | st.text(max_size=12)
)
_json_values = st.recursive(
    _json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["resource", "data", "aws_iam_role", "r", "statement", "dynamic", "content", "default", "//"]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=FUZZ_CASES["junk"], **SETTINGS)  # type: ignore[arg-type]
@given(_json_values | junk_text)
def test_terraform_json_of_any_shape_never_raises(value: object) -> None:
    text = value if isinstance(value, str) else json.dumps(value)
    assert isinstance(parse_json_body(text), SyntaxProblem | Body)
