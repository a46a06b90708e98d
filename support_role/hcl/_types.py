"""A variable's value converted to its ``type`` constraint, as Terraform converts it.

What matters to the checks is what the conversion adds: an ``object({...})`` type fills the
attributes the value leaves out with their ``optional(type, default)`` defaults (null without a
default), at every depth (``list(object(...))``, ``map(object(...))``), so that
``var.flags.create`` of a variable passed as ``{}`` is the default Terraform gives it. Primitive
types convert as Terraform does (``"true"`` to a bool for ``bool``, a number to its string for
``string``). Whatever the conversion cannot settle (an unknown, a lazy resource object, a type
expression this module does not know) is left as it is: never an error, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable

from ._eval import EvalError, to_bool, to_number, to_string
from ._syntax import Call, Expr, ObjectCons, Parens, Template, TupleCons, Variable
from ._values import Choice, UnknownValue, Value

_MAX_DEPTH = 32


def convert(value: Value, type_expr: Expr, default_of: Callable[[Expr], Value], depth: int = 0) -> Value:
    """``value`` converted to the type ``type_expr``; ``default_of`` evaluates an ``optional()``
    default (a constant expression)."""
    if depth > _MAX_DEPTH or value is None or isinstance(value, UnknownValue):
        return value
    while isinstance(type_expr, Parens):
        type_expr = type_expr.expr
    if isinstance(value, Choice):
        return Choice(
            value.condition,
            convert(value.when_true, type_expr, default_of, depth + 1),
            convert(value.when_false, type_expr, default_of, depth + 1),
        )
    if isinstance(type_expr, Variable):
        return _primitive(value, type_expr.name)
    if not isinstance(type_expr, Call) or not type_expr.args:
        return value
    name, args = type_expr.name, type_expr.args
    if name == "object" and isinstance(args[0], ObjectCons):
        return _object(value, args[0], default_of, depth)
    if name in ("list", "set") and isinstance(value, tuple):
        return tuple(convert(item, args[0], default_of, depth + 1) for item in value)
    if name == "map" and isinstance(value, dict):
        return {key: convert(item, args[0], default_of, depth + 1) for key, item in value.items()}
    if name == "tuple" and isinstance(args[0], TupleCons) and isinstance(value, tuple):
        types = args[0].items
        if len(types) != len(value):
            return value
        return tuple(convert(item, t, default_of, depth + 1) for item, t in zip(value, types, strict=True))
    return value


def _primitive(value: Value, name: str) -> Value:
    try:
        if name == "bool" and isinstance(value, str):
            return to_bool(value, "the value")
        if name == "number" and isinstance(value, str):
            return to_number(value, "the value")
        if name == "string" and isinstance(value, bool | int | float):
            return to_string(value, "the value")
    except EvalError:
        return value
    return value


def _object(value: Value, attributes: ObjectCons, default_of: Callable[[Expr], Value], depth: int) -> Value:
    # only plain objects: a lazy mapping (a resource instance, a module's outputs) is left as it is
    if not isinstance(value, dict):
        return value
    out: dict[str, Value] = {}
    for key_expr, attr_type in attributes.items:
        key = _key(key_expr)
        if key is None:
            return value  # a type this module cannot read: leave the value as it is
        optional = isinstance(attr_type, Call) and attr_type.name == "optional" and bool(attr_type.args)
        inner = attr_type.args[0] if optional and isinstance(attr_type, Call) else attr_type
        given = value.get(key)
        if given is None and optional and isinstance(attr_type, Call):
            given = default_of(attr_type.args[1]) if len(attr_type.args) > 1 else None
        if given is None and key not in value and not optional:
            return value  # Terraform refuses the value: leave it as it is
        out[key] = convert(given, inner, default_of, depth + 1)
    return out


def _key(expr: Expr) -> str | None:
    if isinstance(expr, Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
        return expr.parts[0]
    if isinstance(expr, Template) and not expr.parts:
        return ""
    if isinstance(expr, Variable):
        return expr.name
    return None
