"""Terraform's JSON configuration syntax (``.tf.json``), read into the same tree as HCL files.

The file is parsed with :mod:`json`; its objects become the blocks and attributes that
:func:`~support_role.hcl.parse_body` would give for the same configuration written in HCL, so the
evaluator reads both alike. Terraform's rules for the JSON syntax:

* the file is one object whose properties are block types (``resource``, ``data``, ``variable``,
  ``locals``, ``module``, ``output``, ...); a block type with labels nests one object per label
  (``{"resource": {"aws_iam_role": {"support": {...}}}}``); where blocks repeat, the value is an
  array of objects; a property named ``//`` is a comment;
* in a body, whether a property is an attribute or a nested block is fixed by the schema of the
  block (the provider's schema for a resource): :data:`NESTED_BLOCKS` holds the part of the AWS
  provider's schema this checker reads (``hashicorp/aws`` 5.x), plus Terraform's own meta blocks
  (``lifecycle``, ``provisioner``, ``connection``, ``dynamic``); any other property is an attribute;
* an attribute's value is an expression: a string is a template (``"${aws_iam_user.a.arn}"`` is the
  reference itself, ``"arn:${local.p}:iam::aws:policy/X"`` a string, ``$${`` a literal ``${``), a
  number, boolean or null is itself, an array is a tuple, an object an object whose property names
  are templates too; exceptions: a variable's ``default`` is a literal value (strings not read as
  templates), and a ``dynamic`` block's ``iterator`` is a bare name.

Nothing here raises: :func:`parse_json_body` returns a :class:`SyntaxProblem` naming what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ._syntax import (
    Attribute,
    Block,
    Body,
    Expr,
    Literal,
    ObjectCons,
    SyntaxProblem,
    Template,
    TupleCons,
    Variable,
    parse_template,
)

_Schema = Mapping[str, "_Schema"]

_POLICY_DOCUMENT_STATEMENT: _Schema = {"principals": {}, "not_principals": {}, "condition": {}}
NESTED_BLOCKS: Mapping[str, _Schema] = {
    "aws_iam_policy_document": {"statement": _POLICY_DOCUMENT_STATEMENT},
    "aws_iam_role": {"inline_policy": {}},
    "aws_ssoadmin_customer_managed_policy_attachment": {"customer_managed_policy_reference": {}},
    "aws_ssoadmin_permissions_boundary_attachment": {"permissions_boundary": {"customer_managed_policy_reference": {}}},
}
"""Nested block types per resource or data source type: each maps to the nested blocks of that
block in turn (an excerpt of ``terraform providers schema -json`` for ``hashicorp/aws``)."""

_LIFECYCLE: _Schema = {"precondition": {}, "postcondition": {}}
_META_BLOCKS: _Schema = {"lifecycle": _LIFECYCLE, "provisioner": {"connection": {}}, "connection": {}}
# Labels of each top-level block type (Terraform's configuration language).
_TOP_LEVEL_LABELS = {
    "resource": 2,
    "data": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "check": 1,
}
_MAX_DEPTH = 120  # as the HCL parser: nesting beyond this is refused


class _Refused(Exception):
    pass


def parse_json_body(text: str, what: str = "the file") -> Body | SyntaxProblem:
    """A ``.tf.json`` file's content as a configuration body, or why it cannot be read."""
    try:
        raw = json.loads(text.lstrip("\ufeff"))
    except ValueError as error:
        return SyntaxProblem(f"{what} is not valid JSON ({error})")
    except RecursionError:
        return SyntaxProblem(f"{what} is nested too deeply to read")
    if not isinstance(raw, dict):
        return SyntaxProblem(f"{what} is not a JSON object, as Terraform's JSON syntax requires")
    try:
        return Body(tuple(_top_level(raw, what)))
    except _Refused as error:
        return SyntaxProblem(f"{what} is not valid Terraform JSON ({error})")
    except RecursionError:
        return SyntaxProblem(f"{what} is nested too deeply to read")


def _top_level(raw: Mapping[str, object], what: str) -> list[Attribute | Block]:
    items: list[Attribute | Block] = []
    for kind, value in raw.items():
        if kind == "//":
            continue
        labels = _TOP_LEVEL_LABELS.get(kind)
        if labels is None:
            continue  # a block type this checker does not read (Terraform refuses unknown ones)
        for found_labels, body in _labelled(value, labels, kind):
            items.append(_block(kind, found_labels, body, found_labels))
    return items


def _labelled(value: object, labels: int, kind: str) -> list[tuple[tuple[str, ...], Mapping[str, object]]]:
    """The (labels, body) of each block under a block type property."""
    out: list[tuple[tuple[str, ...], Mapping[str, object]]] = []
    pending: list[tuple[tuple[str, ...], object]] = [((), value)]
    while pending:
        have, item = pending.pop(0)
        if isinstance(item, list):
            pending[0:0] = [(have, element) for element in item]
            continue
        if not isinstance(item, dict):
            raise _Refused(f"a {kind} block is not an object")
        if len(have) == labels:
            out.append((have, item))
            continue
        pending[0:0] = [((*have, str(label)), inner) for label, inner in item.items() if label != "//"]
    return out


def _block(kind: str, labels: tuple[str, ...], body: Mapping[str, object], top: tuple[str, ...]) -> Block:
    if kind in ("resource", "data"):
        schema: _Schema = {**_META_BLOCKS, **NESTED_BLOCKS.get(top[0], {})}
        return Block(kind, labels, _body(body, schema, 1), 0, 0)
    if kind == "variable":
        return Block(kind, labels, _variable(body), 0, 0)
    if kind == "locals":
        return Block(kind, labels, Body(tuple(_attribute(k, v, 1) for k, v in body.items() if k != "//")), 0, 0)
    nested: _Schema = {"precondition": {}} if kind == "output" else {}
    return Block(kind, labels, _body(body, nested, 1), 0, 0)


def _variable(body: Mapping[str, object]) -> Body:
    items: list[Attribute | Block] = []
    for name, value in body.items():
        if name == "//":
            continue
        if name == "default":
            items.append(Attribute(name, _literal(value, 1), 0))
        elif name == "validation":
            items.extend(Block(name, (), _body(v, {}, 2), 0, 0) for v in _bodies(value, name))
        else:
            items.append(_attribute(name, value, 1))
    return Body(tuple(items))


def _body(body: Mapping[str, object], schema: _Schema, depth: int) -> Body:
    if depth > _MAX_DEPTH:
        raise _Refused("nested too deeply")
    items: list[Attribute | Block] = []
    for name, value in body.items():
        if name == "//":
            continue
        if name == "dynamic":
            items.extend(_dynamic(value, schema, depth))
        elif name in schema:
            items.extend(Block(name, (), _body(v, schema[name], depth + 1), 0, 0) for v in _bodies(value, name))
        else:
            items.append(_attribute(name, value, depth))
    return Body(tuple(items))


def _bodies(value: object, name: str) -> list[Mapping[str, object]]:
    """A nested block property: one object, or an array of objects (one per block)."""
    found = value if isinstance(value, list) else [value]
    if not all(isinstance(v, dict) for v in found):
        raise _Refused(f"a {name} block is not an object")
    return found  # type: ignore[return-value]


def _dynamic(value: object, schema: _Schema, depth: int) -> list[Block]:
    """``"dynamic": {"statement": {"for_each": ..., "iterator": "s", "content": {...}}}``."""
    out: list[Block] = []
    for labels, body in _labelled(value, 1, "dynamic"):
        inner = schema.get(labels[0], {})
        items: list[Attribute | Block] = []
        for name, item in body.items():
            if name == "content":
                items.extend(Block("content", (), _body(v, inner, depth + 2), 0, 0) for v in _bodies(item, name))
            elif name == "iterator" and isinstance(item, str):
                items.append(Attribute(name, Variable(item), 0))
            elif name != "//":
                items.append(_attribute(name, item, depth + 1))
        out.append(Block("dynamic", labels, Body(tuple(items)), 0, 0))
    return out


def _attribute(name: str, value: object, depth: int) -> Attribute:
    return Attribute(name, _expression(value, depth), 0)


def _expression(value: object, depth: int) -> Expr:
    """A JSON value read as an expression: strings are templates."""
    if depth > _MAX_DEPTH:
        raise _Refused("nested too deeply")
    if isinstance(value, str):
        return _template(value)
    if isinstance(value, list):
        return TupleCons(tuple(_expression(v, depth + 1) for v in value))
    if isinstance(value, dict):
        return ObjectCons(tuple((_template(k), _expression(v, depth + 1)) for k, v in value.items()))
    if value is None or isinstance(value, bool | int | float):
        return Literal(value)
    raise _Refused(f"an unexpected value {type(value).__name__}")


def _template(text: str) -> Template:
    parsed = parse_template(text)
    if isinstance(parsed, SyntaxProblem):
        raise _Refused(f"the string {text[:80]!r}: {parsed.message}")
    return parsed


def _literal(value: object, depth: int) -> Expr:
    """A JSON value taken literally (a variable's default): no templates."""
    if depth > _MAX_DEPTH:
        raise _Refused("nested too deeply")
    if isinstance(value, str):
        return Template((value,)) if value else Template(())
    if isinstance(value, list):
        return TupleCons(tuple(_literal(v, depth + 1) for v in value))
    if isinstance(value, dict):
        return ObjectCons(tuple((Template((k,)), _literal(v, depth + 1)) for k, v in value.items()))
    if value is None or isinstance(value, bool | int | float):
        return Literal(value)
    raise _Refused(f"an unexpected value {type(value).__name__}")
