"""Evaluating an HCL expression tree over a scope, as Terraform would at plan time.

The scope answers the names at the root of references (``var``, ``local``, ``data``, resource
types, ``each``, ``count``, ``path``, ...). What the scope cannot know comes back as an
:class:`UnknownValue` with the reason, and spreads through every operation that uses it; a
conditional whose condition is unknown gives a :class:`Choice` of both branches, and every
operation over a choice is made on each branch (at most :data:`MAX_ALTERNATIVES`).

:func:`evaluate` never raises: an error Terraform would report (a type mismatch, a missing
attribute) and anything this evaluator does not implement become an UnknownValue whose reason
says so. It is never a guess: no expression is ever read as literal text.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ._syntax import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    GetAttr,
    IfDirective,
    Index,
    Interp,
    Literal,
    ObjectCons,
    Parens,
    Splat,
    SplatAnchor,
    Template,
    TemplatePart,
    TupleCons,
    Unary,
    Variable,
    parse_template,
)
from ._values import Choice, EncodedJson, UnknownValue, Value, is_known

MAX_ALTERNATIVES = 32
MAX_ITEMS = 100_000
MAX_STRING = 1_000_000
MAX_STEPS = 2_000_000
MAX_FILE_BYTES = 2_000_000


class EvalError(Exception):
    """An expression Terraform would refuse, or one this evaluator does not evaluate."""


class Missing:
    """The scope has no such name."""


MISSING = Missing()


class Scope(Protocol):
    """Where the names at the root of a reference come from."""

    def lookup(self, name: str) -> Value | Missing: ...

    @property
    def root_dir(self) -> str:
        """The directory relative paths in ``file()``/``templatefile()`` start from."""
        ...


@dataclass
class Bindings:
    """A scope with some names bound (``each``, ``count``, a ``for`` variable) over another."""

    parent: Scope
    names: Mapping[str, Value]

    def lookup(self, name: str) -> Value | Missing:
        if name in self.names:
            return self.names[name]
        return self.parent.lookup(name)

    @property
    def root_dir(self) -> str:
        return self.parent.root_dir


@dataclass
class MapScope:
    """A scope made of a plain mapping (``templatefile`` variables, tests)."""

    names: Mapping[str, Value]
    directory: str = "."

    def lookup(self, name: str) -> Value | Missing:
        return self.names.get(name, MISSING)

    @property
    def root_dir(self) -> str:
        return self.directory


@dataclass
class _Budget:
    steps: int = 0


@dataclass
class _Anchor:
    value: Value


@dataclass
class Evaluator:
    """Evaluates expressions in one scope; shares one work budget across nested evaluations."""

    scope: Scope
    budget: _Budget = field(default_factory=_Budget)
    anchors: list[_Anchor] = field(default_factory=list)

    def child(self, scope: Scope) -> Evaluator:
        return Evaluator(scope, self.budget, self.anchors)

    def bind(self, names: Mapping[str, Value]) -> Evaluator:
        return self.child(Bindings(self.scope, names))

    # -------------------------------------------------------------------------------- entry
    def safe_eval(self, expr: Expr) -> Value:
        """:meth:`eval` that turns every refusal into an UnknownValue with the reason."""
        try:
            return self.eval(expr)
        except EvalError as error:
            return UnknownValue(f"{render(expr, 80)} could not be evaluated: {error}")
        except _Unknowable as unknowable:
            return unknowable.value
        except RecursionError:
            return UnknownValue(f"{render(expr, 80)} is nested too deeply to evaluate")

    def eval(self, expr: Expr) -> Value:
        self.budget.steps += 1
        if self.budget.steps > MAX_STEPS:
            raise EvalError("the expression takes too long to evaluate")
        method = _DISPATCH.get(type(expr))
        if method is None:
            raise EvalError(f"{type(expr).__name__} is not an expression")
        return method(self, expr)

    # -------------------------------------------------------------------------------- nodes
    def _literal(self, expr: Literal) -> Value:
        return expr.value

    def _parens(self, expr: Parens) -> Value:
        return self.eval(expr.expr)

    def _variable(self, expr: Variable) -> Value:
        found = self.scope.lookup(expr.name)
        if isinstance(found, Missing):
            raise EvalError(f"{expr.name} is not defined here")
        return found

    def _anchor(self, expr: SplatAnchor) -> Value:
        if not self.anchors:
            raise EvalError("a splat anchor outside a splat")
        return self.anchors[-1].value

    def _getattr(self, expr: GetAttr) -> Value:
        where = render(expr.source) or "an element of the splat"
        return lift([self.eval(expr.source)], lambda args: get_attr(args[0], expr.name, where))

    def _index(self, expr: Index) -> Value:
        where = render(expr.source) or "an element of the splat"
        return lift([self.eval(expr.source), self.eval(expr.key)], lambda args: index(args[0], args[1], where))

    def _splat(self, expr: Splat) -> Value:
        def each(args: list[Value]) -> Value:
            source = args[0]
            if isinstance(source, UnknownValue | EncodedJson):
                return unknown_from(source, f"{render(expr.source)} is not known, so neither is its splat")
            items: tuple[Value, ...]
            if source is None:
                items = ()
            elif isinstance(source, tuple):
                items = source
            else:
                items = (source,)
            out: list[Value] = []
            for item in items:
                self.anchors.append(_Anchor(item))
                try:
                    out.append(self.eval(expr.each))
                finally:
                    self.anchors.pop()
            return lift(out, tuple)

        return lift([self.eval(expr.source)], each)

    def _tuple(self, expr: TupleCons) -> Value:
        items = [self.eval(item) for item in expr.items]
        _check_size(len(items))
        return lift(items, tuple)

    def _object(self, expr: ObjectCons) -> Value:
        flat: list[Value] = []
        for key, value in expr.items:
            flat.append(self.eval(key))
            flat.append(self.eval(value))

        def build(args: list[Value]) -> Value:
            out: dict[str, Value] = {}
            for i in range(0, len(args), 2):
                key = args[i]
                if isinstance(key, UnknownValue | EncodedJson):
                    return unknown_from(key, "an object key is not known")
                out[to_string(key, "an object key")] = args[i + 1]
            return out

        return lift(flat, build)

    def _template(self, expr: Template) -> Value:
        parts = expr.parts
        if len(parts) == 1 and isinstance(parts[0], Interp):
            return self.eval(parts[0].expr)  # "${x}" is x itself, whatever its type
        return self._template_parts(parts)

    def _template_parts(self, parts: Sequence[TemplatePart]) -> Value:
        pieces: list[Value] = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, Interp):
                pieces.append(self.eval(part.expr))
            elif isinstance(part, IfDirective):
                pieces.append(self._if_directive(part))
            else:
                pieces.append(self._for_directive(part))
        return lift(pieces, join_template)

    def _if_directive(self, part: IfDirective) -> Value:
        condition = self.eval(part.condition)
        return lift(
            [condition],
            lambda args: self._choose(
                args[0],
                part.condition,
                lambda: self._template_parts(part.then),
                lambda: self._template_parts(part.otherwise),
            ),
        )

    def _for_directive(self, part: ForDirective) -> Value:
        def run(args: list[Value]) -> Value:
            pieces: list[Value] = []
            pairs = _pairs(args[0], render(part.collection))
            if isinstance(pairs, UnknownValue):
                return pairs
            for key, value in pairs:
                names: dict[str, Value] = {part.value_var: value}
                if part.key_var is not None:
                    names[part.key_var] = key
                pieces.append(self.bind(names)._template_parts(part.body))
            return lift(pieces, join_template)

        return lift([self.eval(part.collection)], run)

    def _call(self, expr: Call) -> Value:
        return call(self, expr)

    def _for(self, expr: ForExpr) -> Value:
        def run(args: list[Value]) -> Value:
            rows: list[tuple[Value, Value]] = []
            pairs = _pairs(args[0], render(expr.collection))
            if isinstance(pairs, UnknownValue):
                return pairs
            for key, value in pairs:
                names: dict[str, Value] = {expr.value_var: value}
                if expr.key_var is not None:
                    names[expr.key_var] = key
                inner = self.bind(names)
                if expr.condition is not None:
                    keep = inner.eval(expr.condition)
                    if isinstance(keep, UnknownValue | Choice | EncodedJson):
                        why = keep.reason if isinstance(keep, UnknownValue) else "it depends on a condition"
                        return UnknownValue(f"which elements {render(expr)} keeps is not known ({why})")
                    if not to_bool(keep, "a for expression's if clause"):
                        continue
                out_key = inner.eval(expr.key) if expr.key is not None else None
                rows.append((out_key, inner.eval(expr.value)))
                _check_size(len(rows))
            if expr.key is None:
                return lift([v for _, v in rows], tuple)
            flat = [x for row in rows for x in row]

            def build(values: list[Value]) -> Value:
                out: dict[str, Value] = {}
                grouped: dict[str, list[Value]] = {}
                for i in range(0, len(values), 2):
                    key = values[i]
                    if isinstance(key, UnknownValue | EncodedJson):
                        return unknown_from(key, "a key of the for expression is not known")
                    text = to_string(key, "a for expression's key")
                    if expr.group:
                        grouped.setdefault(text, []).append(values[i + 1])
                    elif text in out:
                        raise EvalError(f"the for expression makes the key {text!r} twice (add '...' to group)")
                    else:
                        out[text] = values[i + 1]
                if expr.group:
                    return {k: tuple(v) for k, v in grouped.items()}
                return out

            return lift(flat, build)

        return lift([self.eval(expr.collection)], run)

    def _conditional(self, expr: Conditional) -> Value:
        condition = self.eval(expr.condition)
        return lift(
            [condition],
            lambda args: self._choose(
                args[0], expr.condition, lambda: self.eval(expr.then), lambda: self.eval(expr.otherwise)
            ),
        )

    def _choose(
        self, condition: Value, written: Expr, then: Callable[[], Value], otherwise: Callable[[], Value]
    ) -> Value:
        if isinstance(condition, UnknownValue | EncodedJson):
            # both branches may be taken; an error in one of them is not fatal to the other
            first, second = _branch(then), _branch(otherwise)
            if first == second:
                return first
            return Choice(render(written), first, second)
        return then() if to_bool(condition, "a condition") else otherwise()

    def _binary(self, expr: Binary) -> Value:
        left = self.eval(expr.left)
        if isinstance(left, bool) and ((expr.op == "&&" and not left) or (expr.op == "||" and left)):
            return left
        right = self.eval(expr.right)
        return lift([left, right], lambda args: binary(expr.op, args[0], args[1]))

    def _unary(self, expr: Unary) -> Value:
        def run(args: list[Value]) -> Value:
            value = args[0]
            if isinstance(value, UnknownValue | EncodedJson):
                return unknown_from(value, f"{render(expr)} is not known")
            if expr.op == "!":
                return not to_bool(value, "the operand of '!'")
            return _number_result(-to_number(value, "the operand of '-'"))

        return lift([self.eval(expr.operand)], run)


_DISPATCH: dict[type, Callable[[Evaluator, object], Value]] = {
    Literal: Evaluator._literal,  # type: ignore[dict-item]
    Parens: Evaluator._parens,  # type: ignore[dict-item]
    Variable: Evaluator._variable,  # type: ignore[dict-item]
    SplatAnchor: Evaluator._anchor,  # type: ignore[dict-item]
    GetAttr: Evaluator._getattr,  # type: ignore[dict-item]
    Index: Evaluator._index,  # type: ignore[dict-item]
    Splat: Evaluator._splat,  # type: ignore[dict-item]
    TupleCons: Evaluator._tuple,  # type: ignore[dict-item]
    ObjectCons: Evaluator._object,  # type: ignore[dict-item]
    Template: Evaluator._template,  # type: ignore[dict-item]
    Call: Evaluator._call,  # type: ignore[dict-item]
    ForExpr: Evaluator._for,  # type: ignore[dict-item]
    Conditional: Evaluator._conditional,  # type: ignore[dict-item]
    Binary: Evaluator._binary,  # type: ignore[dict-item]
    Unary: Evaluator._unary,  # type: ignore[dict-item]
}


# ------------------------------------------------------------------------------ alternatives
def _branch(make: Callable[[], Value]) -> Value:
    try:
        return make()
    except EvalError as error:
        return UnknownValue(str(error))
    except _Unknowable as unknowable:
        return unknowable.value


def lift(args: list[Value], fn: Callable[[list[Value]], Value]) -> Value:
    """``fn(args)``, made once per alternative when an argument is a :class:`Choice`."""
    if not any(isinstance(value, Choice) for value in args):
        return fn(args)  # one alternative (the common case)
    count = [0]

    def go(values: list[Value]) -> Value:
        for i, value in enumerate(values):
            if isinstance(value, Choice):
                then = go([*values[:i], value.when_true, *values[i + 1 :]])
                otherwise = go([*values[:i], value.when_false, *values[i + 1 :]])
                return then if then == otherwise else Choice(value.condition, then, otherwise)
        count[0] += 1
        if count[0] > MAX_ALTERNATIVES:
            raise EvalError(f"the value has more than {MAX_ALTERNATIVES} alternatives")
        return fn(values)

    return go(args)


def unknown_from(value: Value, why: str) -> UnknownValue:
    """An unknown result that keeps the reason of the unknown it came from."""
    if isinstance(value, UnknownValue):
        return UnknownValue(value.reason)
    return UnknownValue(why)


# ------------------------------------------------------------------------------ conversions
def to_bool(value: Value, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"{what} is {describe_value(value)}, not a bool")


def to_number(value: Value, what: str) -> int | float:
    if isinstance(value, bool):
        raise EvalError(f"{what} is a bool, not a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise EvalError(f"{what} is the string {value[:40]!r}, not a number") from None
        if math.isfinite(number):
            return _number_result(number)
    raise EvalError(f"{what} is {describe_value(value)}, not a number")


def _number_result(number: int | float) -> int | float:
    if isinstance(number, float):
        if not math.isfinite(number):
            raise EvalError("the arithmetic overflows")
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
    return number


def to_string(value: Value, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise EvalError(f"{what} is {describe_value(value)}, not a string")


def describe_value(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "not known"


def _check_size(n: int) -> None:
    if n > MAX_ITEMS:
        raise EvalError(f"the value has more than {MAX_ITEMS} elements")


def join_template(pieces: list[Value]) -> Value:
    """The string of a template's pieces; unknown pieces keep their place as ``${reference}``."""
    out: list[str] = []
    unknown: UnknownValue | None = None
    for piece in pieces:
        if isinstance(piece, UnknownValue):
            unknown = unknown or piece
            if piece.template is not None:
                out.append(piece.template)
            else:
                out.append("${" + (piece.ref.text if piece.ref else "unknown") + "}")
            continue
        if isinstance(piece, EncodedJson):
            unknown = unknown or UnknownValue("a JSON text in the template holds values not known yet")
            out.append("${unknown}")
            continue
        if piece is None:
            raise EvalError("a template interpolates null")
        out.append(to_string(piece, "an interpolated value"))
    text = "".join(out)
    if len(text) > MAX_STRING:
        raise EvalError("the string is too long")
    if unknown is None:
        return text
    return UnknownValue(unknown.reason, None, text)


# ------------------------------------------------------------------------------ traversals
def get_attr(value: Value, name: str, where: str) -> Value:
    if isinstance(value, UnknownValue | EncodedJson):
        return unknown_from(value, f"{where} is not known")
    if isinstance(value, Mapping):
        try:
            return value[name]
        except KeyError:
            raise EvalError(f"{where} has no attribute {name!r}") from None
    raise EvalError(f"{where} is {describe_value(value)}, which has no attribute {name!r}")


def index(value: Value, key: Value, where: str) -> Value:
    if isinstance(value, UnknownValue | EncodedJson):
        return unknown_from(value, f"{where} is not known")
    if isinstance(key, UnknownValue | EncodedJson):
        return unknown_from(key, f"the index into {where} is not known")
    if isinstance(value, tuple):
        number = to_number(key, "a list index")
        if not isinstance(number, int) or not 0 <= number < len(value):
            raise EvalError(f"index {key!r} is out of range for {where} ({len(value)} elements)")
        return value[number]
    if isinstance(value, Mapping):
        text = to_string(key, "a map key")
        try:
            return value[text]
        except KeyError:
            raise EvalError(f"{where} has no element {text!r}") from None
    raise EvalError(f"{where} is {describe_value(value)}, which cannot be indexed")


def iterate(value: Value, where: str) -> Iterator[tuple[Value, Value]]:
    """(key, value) pairs of a collection: index and element, or key and value in key order."""
    if isinstance(value, UnknownValue | EncodedJson):
        raise _Unknowable(unknown_from(value, f"{where} is not known"))
    if isinstance(value, tuple):
        yield from enumerate(value)
        return
    if isinstance(value, Mapping):
        for key in sorted(value):
            yield key, value[key]
        return
    raise EvalError(f"{where} is {describe_value(value)}, not a collection")


def _pairs(value: Value, where: str) -> list[tuple[Value, Value]] | UnknownValue:
    try:
        pairs = list(iterate(value, where))
    except _Unknowable as unknowable:
        return unknowable.value
    _check_size(len(pairs))
    return pairs


class _Unknowable(Exception):
    """Internal: the result is this unknown value (raised from generators)."""

    def __init__(self, value: UnknownValue) -> None:
        super().__init__(value.reason)
        self.value = value


# -------------------------------------------------------------------------------- operators
def binary(op: str, left: Value, right: Value) -> Value:
    for side in (left, right):
        if isinstance(side, UnknownValue | EncodedJson):
            return unknown_from(side, f"an operand of {op!r} is not known")
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if op in ("&&", "||"):
        a, b = to_bool(left, f"the left operand of {op!r}"), to_bool(right, f"the right operand of {op!r}")
        return (a and b) if op == "&&" else (a or b)
    a_num = to_number(left, f"the left operand of {op!r}")
    b_num = to_number(right, f"the right operand of {op!r}")
    if op == "+":
        return _number_result(a_num + b_num)
    if op == "-":
        return _number_result(a_num - b_num)
    if op == "*":
        return _number_result(a_num * b_num)
    if op in ("/", "%"):
        if b_num == 0:
            raise EvalError("division by zero")
        return _number_result(a_num / b_num if op == "/" else math.fmod(a_num, b_num))
    comparisons = {"<": a_num < b_num, ">": a_num > b_num, "<=": a_num <= b_num, ">=": a_num >= b_num}
    if op in comparisons:
        return comparisons[op]
    raise EvalError(f"the operator {op!r} is not known")


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    if isinstance(left, str) != isinstance(right, str):
        return False
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return set(left) == set(right) and all(_equal(left[k], right[k]) for k in left)
    return left == right


# -------------------------------------------------------------------------------- functions
def call(ev: Evaluator, expr: Call) -> Value:
    name = expr.name
    if name in ("try", "can"):
        return _try_can(ev, expr)
    function = FUNCTIONS.get(name)
    if function is None:
        if name in _APPLY_TIME:
            return UnknownValue(f"{name}() is known only when Terraform runs")
        return UnknownValue(f"the function {name}() is not evaluated by this checker")
    args = [ev.eval(arg) for arg in expr.args]
    if expr.expand_last:
        if not args:
            raise EvalError(f"{name}(...) expands no argument")
        last = args.pop()
        if isinstance(last, UnknownValue | EncodedJson):
            return unknown_from(last, f"the expanded argument of {name}() is not known")
        if isinstance(last, Choice):
            return lift([last], lambda a: call_values(ev, name, [*args, *_expand(a[0], name)]))
        args.extend(_expand(last, name))
    return lift(args, lambda values: call_values(ev, name, values))


def _expand(value: Value, name: str) -> list[Value]:
    if isinstance(value, tuple):
        return list(value)
    raise EvalError(f"the expanded argument of {name}() is {describe_value(value)}, not a list")


def call_values(ev: Evaluator, name: str, args: list[Value]) -> Value:
    function = FUNCTIONS[name]
    try:
        return function(ev, args)
    except _Unknowable as unknowable:
        return unknowable.value
    except (TypeError, ValueError, IndexError, KeyError, OverflowError) as error:
        raise EvalError(f"{name}() cannot take these arguments ({type(error).__name__})") from None


def _try_can(ev: Evaluator, expr: Call) -> Value:
    if expr.name == "can":
        if len(expr.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = ev.eval(expr.args[0])
        except EvalError:
            return False
        return unknown_from(value, "can() of a value not known") if not is_known(value) else True
    for arg in expr.args:
        try:
            return ev.eval(arg)
        except EvalError:
            continue
    raise EvalError("no argument of try() could be evaluated")


_APPLY_TIME = frozenset({"timestamp", "uuid", "bcrypt", "uuidv5", "plantimestamp"})


def _arity(args: list[Value], low: int, high: int | None, name: str) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        raise EvalError(f"{name}() takes {low}{'' if high == low else '+' if high is None else f'-{high}'} arguments")


def _known(value: Value, name: str) -> None:
    """Raise the unknown a function cannot look through."""
    if isinstance(value, UnknownValue | EncodedJson):
        raise _Unknowable(unknown_from(value, f"an argument of {name}() is not known"))


def _list(value: Value, name: str) -> tuple[Value, ...]:
    _known(value, name)
    if isinstance(value, tuple):
        return value
    raise EvalError(f"{name}() needs a list, not {describe_value(value)}")


def _map(value: Value, name: str) -> Mapping[str, Value]:
    _known(value, name)
    if isinstance(value, Mapping):
        return value
    raise EvalError(f"{name}() needs a map or object, not {describe_value(value)}")


def _str(value: Value, name: str) -> str:
    _known(value, name)
    return to_string(value, f"an argument of {name}()")


def _int(value: Value, name: str) -> int:
    _known(value, name)
    number = to_number(value, f"an argument of {name}()")
    if not isinstance(number, int):
        raise EvalError(f"{name}() needs a whole number")
    return number


def _scalar_unknown(value: Value) -> bool:
    """An unknown that stands for one scalar: an attribute such as an ARN (a Ref), kept in place."""
    return isinstance(value, UnknownValue) and (value.ref is not None or value.template is not None)


def _distinct(items: Sequence[Value]) -> tuple[Value, ...]:
    out: list[Value] = []
    for item in items:
        if not any(_equal(item, seen) for seen in out):
            out.append(item)
    return tuple(out)


def _f_length(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "length")
    value = args[0]
    _known(value, "length")
    if isinstance(value, tuple | str | Mapping):
        return len(value)
    raise EvalError(f"length() of {describe_value(value)}")


def _f_values(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "values")
    mapping = _map(args[0], "values")
    return tuple(mapping[k] for k in sorted(mapping))


def _f_keys(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "keys")
    return tuple(sorted(_map(args[0], "keys")))


def _f_tolist(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "tolist")
    return _list(args[0], "tolist")


def _f_toset(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "toset")
    items = _distinct(_list(args[0], "toset"))
    if all(isinstance(i, str) for i in items):
        return tuple(sorted(items, key=str))
    known = [i for i in items if not isinstance(i, UnknownValue)]
    return (*known, *[i for i in items if isinstance(i, UnknownValue)])


def _f_tomap(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "tomap")
    return dict(_map(args[0], "tomap"))


def _f_concat(ev: Evaluator, args: list[Value]) -> Value:
    out: list[Value] = []
    for arg in args:
        out.extend(_list(arg, "concat"))
        _check_size(len(out))
    return tuple(out)


def _f_flatten(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "flatten")
    out: list[Value] = []
    pending: list[Value] = list(reversed(_list(args[0], "flatten")))
    while pending:
        item = pending.pop()
        if isinstance(item, tuple):
            pending.extend(reversed(item))
        elif isinstance(item, UnknownValue | EncodedJson) and not _scalar_unknown(item):
            raise _Unknowable(unknown_from(item, "an element of flatten()'s list is not known"))
        else:
            out.append(item)
        _check_size(len(out))
    return tuple(out)


def _f_element(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "element")
    items = _list(args[0], "element")
    position = _int(args[1], "element")
    if not items:
        raise EvalError("element() of an empty list")
    if position < 0:
        raise EvalError("element() with a negative index")
    return items[position % len(items)]


def _f_compact(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "compact")
    out: list[Value] = []
    for item in _list(args[0], "compact"):
        if item is None or item == "":
            continue
        if isinstance(item, UnknownValue | EncodedJson) and not _scalar_unknown(item):
            raise _Unknowable(unknown_from(item, "an element of compact()'s list is not known"))
        out.append(item)
    return tuple(out)


def _f_distinct(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "distinct")
    return _distinct(_list(args[0], "distinct"))


def _f_lookup(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 3, "lookup")
    mapping = _map(args[0], "lookup")
    key = _str(args[1], "lookup")
    if key in mapping:
        return mapping[key]
    if len(args) == 3:
        return args[2]
    raise EvalError(f"lookup() finds no key {key!r}")


def _f_merge(ev: Evaluator, args: list[Value]) -> Value:
    out: dict[str, Value] = {}
    for arg in args:
        if arg is None:
            continue
        mapping = _map(arg, "merge")
        for key in mapping:
            out[key] = mapping[key]
    return out


def _f_coalesce(ev: Evaluator, args: list[Value]) -> Value:
    for arg in args:
        if isinstance(arg, EncodedJson):  # JSON text: never null or empty, whatever its unknown parts
            return arg
        if isinstance(arg, UnknownValue):
            raise _Unknowable(unknown_from(arg, "coalesce() meets a value not known"))
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce() finds no value that is not null or empty")


def _f_coalescelist(ev: Evaluator, args: list[Value]) -> Value:
    for arg in args:
        items = _list(arg, "coalescelist")
        if items:
            return items
    raise EvalError("coalescelist() finds no list that is not empty")


def _f_contains(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "contains")
    items = _list(args[0], "contains")
    _known(args[1], "contains")
    if any(_equal(item, args[1]) for item in items):
        return True
    if any(isinstance(item, UnknownValue | EncodedJson) for item in items):
        raise _Unknowable(UnknownValue("contains() meets an element not known"))
    return False


def _f_one(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "one")
    items = _list(args[0], "one")
    if len(items) > 1:
        raise EvalError("one() of a list with more than one element")
    return items[0] if items else None


def _f_join(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, None, "join")
    separator = _str(args[0], "join")
    pieces: list[Value] = []
    for arg in args[1:]:
        for i, item in enumerate(_list(arg, "join")):
            if pieces or i:
                pieces.append(separator)
            pieces.append(item)
    return join_template(pieces)


def _f_split(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "split")
    separator, text = _str(args[0], "split"), _str(args[1], "split")
    if not separator:
        raise EvalError("split() with an empty separator is not evaluated")
    return tuple(text.split(separator))


def _f_format(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, None, "format")
    spec = _str(args[0], "format")
    pieces: list[Value] = []
    rest = list(args[1:])
    i = 0
    while i < len(spec):
        char = spec[i]
        if char != "%":
            pieces.append(char)
            i += 1
            continue
        verb = spec[i + 1 : i + 2]
        i += 2
        if verb == "%":
            pieces.append("%")
            continue
        if verb not in ("s", "d", "v") or not rest:
            raise EvalError(f"format() verb %{verb} is not evaluated by this checker")
        value = rest.pop(0)
        if verb == "d" and not isinstance(value, UnknownValue | EncodedJson):
            value = str(_int(value, "format"))
        pieces.append(value)
    if rest:
        raise EvalError("format() has more arguments than verbs")
    return join_template(pieces)


def _f_jsonencode(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "jsonencode")
    value = settle(args[0])
    if isinstance(value, Choice):
        return lift([value], lambda a: _f_jsonencode(ev, a))
    if isinstance(value, UnknownValue):
        return value
    if not is_known(value):
        return EncodedJson(value)
    return json.dumps(to_json(value), separators=(",", ":"), sort_keys=True)


def _f_jsondecode(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "jsondecode")
    value = args[0]
    if isinstance(value, EncodedJson):
        return value.value
    text = _str(value, "jsondecode")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise EvalError("jsondecode() of text that is not JSON") from None
    return from_json(raw)


def _read_file(ev: Evaluator, path_value: Value, name: str) -> tuple[str, str]:
    path = _str(path_value, name)
    full = path if os.path.isabs(path) else os.path.join(ev.scope.root_dir, path)
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > MAX_FILE_BYTES:
            raise EvalError(f"{name}() cannot read {path} (not a file of at most {MAX_FILE_BYTES} bytes)")
        with open(full, encoding="utf-8") as handle:
            return full, handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalError(f"{name}() cannot read {path} ({type(error).__name__})") from None


def _f_file(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "file")
    return _read_file(ev, args[0], "file")[1]


def _f_templatefile(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "templatefile")
    full, text = _read_file(ev, args[0], "templatefile")
    names = _map(args[1], "templatefile")
    template = parse_template(text)
    if not isinstance(template, Template):
        raise EvalError(f"templatefile() of {os.path.basename(full)}: {template.message}")
    inner = ev.child(MapScope(dict(names), ev.scope.root_dir))
    return inner._template(template)


def _f_tostring(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "tostring")
    if args[0] is None or _scalar_unknown(args[0]):
        return args[0]
    return _str(args[0], "tostring")


def _f_tonumber(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "tonumber")
    if args[0] is None:
        return None
    _known(args[0], "tonumber")
    return to_number(args[0], "tonumber()'s argument")


def _f_tobool(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "tobool")
    if args[0] is None:
        return None
    _known(args[0], "tobool")
    return to_bool(args[0], "tobool()'s argument")


def _string_fn(fn: Callable[[str], str], name: str) -> Callable[[Evaluator, list[Value]], Value]:
    def run(ev: Evaluator, args: list[Value]) -> Value:
        _arity(args, 1, 1, name)
        return fn(_str(args[0], name))

    return run


def _f_replace(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 3, 3, "replace")
    text, old, new = (_str(a, "replace") for a in args)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise EvalError("replace() with a regular expression is not evaluated by this checker")
    return text.replace(old, new)


def _f_trim2(name: str, fn: Callable[[str, str], str]) -> Callable[[Evaluator, list[Value]], Value]:
    def run(ev: Evaluator, args: list[Value]) -> Value:
        _arity(args, 2, 2, name)
        return fn(_str(args[0], name), _str(args[1], name))

    return run


def _f_startswith(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "startswith")
    return _str(args[0], "startswith").startswith(_str(args[1], "startswith"))


def _f_endswith(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "endswith")
    return _str(args[0], "endswith").endswith(_str(args[1], "endswith"))


def _f_substr(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 3, 3, "substr")
    text, offset, length = _str(args[0], "substr"), _int(args[1], "substr"), _int(args[2], "substr")
    if offset < 0:
        offset += len(text)
    return text[offset:] if length < 0 else text[offset : offset + length]


def _f_range(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 3, "range")
    numbers = [to_number(_known_value(a, "range"), "an argument of range()") for a in args]
    start: int | float = 0 if len(numbers) == 1 else numbers[0]
    stop: int | float = numbers[0] if len(numbers) == 1 else numbers[1]
    step: int | float = numbers[2] if len(numbers) == 3 else 1
    if step == 0 or (stop - start) / step > MAX_ITEMS:
        raise EvalError("range() is too long or has a zero step")
    out: list[Value] = []
    value = start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        out.append(_number_result(value))
        value += step
    return tuple(out)


def _known_value(value: Value, name: str) -> Value:
    _known(value, name)
    return value


def _f_slice(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 3, 3, "slice")
    items = _list(args[0], "slice")
    start, end = _int(args[1], "slice"), _int(args[2], "slice")
    if not 0 <= start <= end <= len(items):
        raise EvalError("slice() indexes are out of range")
    return items[start:end]


def _f_sort(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "sort")
    return tuple(sorted(_str(item, "sort") for item in _list(args[0], "sort")))


def _f_reverse(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "reverse")
    return tuple(reversed(_list(args[0], "reverse")))


def _f_zipmap(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 2, 2, "zipmap")
    keys, values = _list(args[0], "zipmap"), _list(args[1], "zipmap")
    if len(keys) != len(values):
        raise EvalError("zipmap() of lists of different lengths")
    return {_str(k, "zipmap"): v for k, v in zip(keys, values, strict=True)}


def _f_identity(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "sensitive")
    return args[0]


def _f_setunion(ev: Evaluator, args: list[Value]) -> Value:
    out: list[Value] = []
    for arg in args:
        out.extend(_list(arg, "setunion"))
    return _f_toset(ev, [tuple(out)])


def _f_alltrue(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "alltrue")
    return all(to_bool(_known_value(i, "alltrue"), "an element") for i in _list(args[0], "alltrue"))


def _f_anytrue(ev: Evaluator, args: list[Value]) -> Value:
    _arity(args, 1, 1, "anytrue")
    return any(to_bool(_known_value(i, "anytrue"), "an element") for i in _list(args[0], "anytrue"))


FUNCTIONS: dict[str, Callable[[Evaluator, list[Value]], Value]] = {
    "length": _f_length,
    "values": _f_values,
    "keys": _f_keys,
    "tolist": _f_tolist,
    "toset": _f_toset,
    "tomap": _f_tomap,
    "concat": _f_concat,
    "flatten": _f_flatten,
    "element": _f_element,
    "compact": _f_compact,
    "distinct": _f_distinct,
    "lookup": _f_lookup,
    "merge": _f_merge,
    "coalesce": _f_coalesce,
    "coalescelist": _f_coalescelist,
    "contains": _f_contains,
    "one": _f_one,
    "join": _f_join,
    "split": _f_split,
    "format": _f_format,
    "jsonencode": _f_jsonencode,
    "jsondecode": _f_jsondecode,
    "file": _f_file,
    "templatefile": _f_templatefile,
    "tostring": _f_tostring,
    "tonumber": _f_tonumber,
    "tobool": _f_tobool,
    "lower": _string_fn(str.lower, "lower"),
    "upper": _string_fn(str.upper, "upper"),
    "trimspace": _string_fn(str.strip, "trimspace"),
    "chomp": _string_fn(lambda s: s.rstrip("\r\n"), "chomp"),
    "trimprefix": _f_trim2("trimprefix", lambda s, p: s[len(p) :] if p and s.startswith(p) else s),
    "trimsuffix": _f_trim2("trimsuffix", lambda s, p: s[: -len(p)] if p and s.endswith(p) else s),
    "replace": _f_replace,
    "startswith": _f_startswith,
    "endswith": _f_endswith,
    "substr": _f_substr,
    "range": _f_range,
    "slice": _f_slice,
    "sort": _f_sort,
    "reverse": _f_reverse,
    "zipmap": _f_zipmap,
    "sensitive": _f_identity,
    "nonsensitive": _f_identity,
    "setunion": _f_setunion,
    "alltrue": _f_alltrue,
    "anytrue": _f_anytrue,
}


# ------------------------------------------------------------------------------------ JSON
def to_json(value: Value) -> object:
    """A known value as plain JSON data (objects' keys as strings)."""
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_json(value[k]) for k in value}
    if isinstance(value, UnknownValue | Choice | EncodedJson):
        raise EvalError("an unknown value cannot be written as JSON")
    return value


def from_json(raw: object) -> Value:
    if isinstance(raw, list):
        return tuple(from_json(v) for v in raw)
    if isinstance(raw, dict):
        return {str(k): from_json(v) for k, v in raw.items()}
    if isinstance(raw, bool) or raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, int | float):
        return _number_result(raw)
    raise EvalError("jsondecode() met a value it cannot represent")


def settle(value: Value) -> Value:
    """Float every :class:`Choice` nested inside collections up to the top of the value."""
    if isinstance(value, tuple):
        return lift([settle(v) for v in value], tuple)
    if isinstance(value, Mapping) and not isinstance(value, dict):
        value = {k: value[k] for k in value}  # a lazy object: read every attribute
    if isinstance(value, dict):
        keys = list(value)
        return lift([settle(value[k]) for k in keys], lambda vs: dict(zip(keys, vs, strict=True)))
    if isinstance(value, Choice):
        return Choice(value.condition, settle(value.when_true), settle(value.when_false))
    return value


# ---------------------------------------------------------------------------------- render
def render(expr: Expr, limit: int = 160) -> str:
    """The expression written back as HCL (for reasons), shortened to ``limit`` characters."""
    try:
        text = _render(expr)
    except RecursionError:
        text = "(an expression nested too deeply)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(expr: Expr) -> str:
    if isinstance(expr, Literal):
        return "null" if expr.value is None else json.dumps(expr.value)
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, GetAttr):
        return f"{_render(expr.source)}.{expr.name}"
    if isinstance(expr, Index):
        return f"{_render(expr.source)}[{_render(expr.key)}]"
    if isinstance(expr, SplatAnchor):
        return ""
    if isinstance(expr, Splat):
        return f"{_render(expr.source)}[*]{_render(expr.each)}"
    if isinstance(expr, Call):
        args = ", ".join(_render(a) for a in expr.args)
        return f"{expr.name}({args}{'...' if expr.expand_last else ''})"
    if isinstance(expr, TupleCons):
        return "[" + ", ".join(_render(i) for i in expr.items) + "]"
    if isinstance(expr, ObjectCons):
        return "{" + ", ".join(f"{_render(k)} = {_render(v)}" for k, v in expr.items) + "}"
    if isinstance(expr, Parens):
        return f"({_render(expr.expr)})"
    if isinstance(expr, Conditional):
        return f"{_render(expr.condition)} ? {_render(expr.then)} : {_render(expr.otherwise)}"
    if isinstance(expr, Binary):
        return f"{_render(expr.left)} {expr.op} {_render(expr.right)}"
    if isinstance(expr, Unary):
        return f"{expr.op}{_render(expr.operand)}"
    if isinstance(expr, ForExpr):
        head = f"for {expr.key_var + ', ' if expr.key_var else ''}{expr.value_var} in {_render(expr.collection)}"
        cond = f" if {_render(expr.condition)}" if expr.condition is not None else ""
        if expr.key is None:
            return f"[{head} : {_render(expr.value)}{cond}]"
        return f"{{{head} : {_render(expr.key)} => {_render(expr.value)}{'...' if expr.group else ''}{cond}}}"
    if isinstance(expr, Template):
        out = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n"))
            elif isinstance(part, Interp):
                out.append("${" + _render(part.expr) + "}")
            else:
                out.append("%{...}")
        return '"' + "".join(out) + '"'
    return "?"


# ------------------------------------------------------------------------------------ API
def evaluate(expr: Expr, scope: Scope) -> Value:
    """The value of ``expr`` in ``scope``; never raises (see the module docstring)."""
    return Evaluator(scope).safe_eval(expr)
