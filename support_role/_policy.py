"""Turning every shape a policy document arrives in into one :class:`PolicyDocument`.

Shapes: a JSON string or a mapping; ``Statement`` as one mapping or a list; principals as ``"*"``,
``{"AWS": "*"}``, a string or a list; actions as a string or a list; CloudFormation intrinsics in
leaves; Terraform ``aws_iam_policy_document`` statement blocks. Anything malformed or unresolvable
becomes :class:`Unknown` with the reason. Nothing here raises on any input, and the caller's data
is never modified.

A raw value may hold :class:`~support_role._values.Choice` markers (a source's ``Fn::If`` or HCL
conditional): the document is then read once per combination of the conditions it depends on
(at most :data:`MAX_CONDITIONS` distinct conditions) and returned as :class:`Alternatives`. A
:class:`~support_role.TypedReference` may stand where a principal value stands (it becomes a
:class:`Principal` of that kind without a value) or where a condition value stands (it reads as its
partially known ARN, see :func:`support_role._arn.reference_arn`).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping

from ._arn import reference_arn
from ._facts import (
    Alternatives,
    Branch,
    Condition,
    Document,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Statement,
    TypedReference,
    Unknown,
)
from ._values import NO_VALUE, Choice, describe, is_unresolved_reference, leaf_text

_KINDS = {kind.value.lower(): kind for kind in PrincipalKind}
_MAX_DEPTH = 64
MAX_CONDITIONS = 4  # 16 branches; a document that depends on more conditions is Unknown


class _Malformed(Exception):
    """Internal: why a document cannot be read. Never leaves this module."""


def parse_policy(raw: object) -> Document:
    """A policy document from a JSON string or a mapping; Unknown with the reason otherwise.

    :class:`Alternatives` when the raw value holds :class:`Choice` markers.
    """
    return _branches(raw, _parse_one)


def parse_terraform_statements(blocks: object) -> Document:
    """A document from ``aws_iam_policy_document`` ``statement`` blocks (list-wrapped or not).

    :class:`Alternatives` when the blocks hold :class:`Choice` markers.
    """
    return _branches(blocks, _parse_blocks)


def _parse_one(raw: object) -> PolicyDocument | Unknown:
    if isinstance(raw, Unknown):  # a branch the source could not read (kept with its reason)
        return raw
    try:
        return _parse_document(raw)
    except _Malformed as error:
        return Unknown(str(error))
    except RecursionError:
        return Unknown("the policy document is nested too deeply to read")


def _parse_blocks(blocks: object) -> PolicyDocument | Unknown:
    try:
        statements = tuple(_terraform_statement(block) for block in _as_list(blocks, "statement"))
        return PolicyDocument(statements)
    except _Malformed as error:
        return Unknown(str(error))
    except RecursionError:
        return Unknown("the policy document is nested too deeply to read")


def _branches(raw: object, parse: Callable[[object], PolicyDocument | Unknown]) -> Document:
    """Parse ``raw``, once per branch when it depends on conditions."""
    try:
        conditions = _conditions_in(raw, [], 0)
    except RecursionError:
        return Unknown("the policy document is nested too deeply to read")
    if not conditions:
        return parse(raw)
    if len(conditions) > MAX_CONDITIONS:
        listed = ", ".join(conditions)
        return Unknown(f"the policy depends on {len(conditions)} conditions ({listed}), too many branches to judge")
    branches: list[Branch] = []
    for assignment in itertools.product((True, False), repeat=len(conditions)):
        chosen = dict(zip(conditions, assignment, strict=True))
        label = " and ".join(c if on else f"not {c}" for c, on in chosen.items())
        value = _choose(raw, chosen)
        if value is NO_VALUE:
            branches.append(Branch(label, Unknown(f"the policy is absent when {label}")))
        else:
            branches.append(Branch(label, parse(value)))
    return Alternatives(tuple(branches))


def _conditions_in(value: object, found: list[str], depth: int) -> list[str]:
    """The distinct conditions of every :class:`Choice` in ``value``, in the order first met."""
    if depth > _MAX_DEPTH:
        return found
    if isinstance(value, Choice):
        if value.condition not in found:
            found.append(value.condition)
        _conditions_in(value.when_true, found, depth + 1)
        _conditions_in(value.when_false, found, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.values():
            _conditions_in(item, found, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _conditions_in(item, found, depth + 1)
    return found


def _choose(value: object, chosen: Mapping[str, bool]) -> object:
    """``value`` with every Choice replaced by its branch; NO_VALUE elements and keys dropped."""
    if isinstance(value, Choice):
        return _choose(value.when_true if chosen[value.condition] else value.when_false, chosen)
    if isinstance(value, Mapping):
        result = {key: _choose(item, chosen) for key, item in value.items()}
        return {key: item for key, item in result.items() if item is not NO_VALUE}
    if isinstance(value, list | tuple):
        return [item for item in (_choose(i, chosen) for i in value) if item is not NO_VALUE]
    return value


def _parse_document(raw: object) -> PolicyDocument:
    if isinstance(raw, str):
        text = raw.strip()
        if is_unresolved_reference(text):
            raise _Malformed(f"the policy is a reference that was not resolved ({describe(text)})")
        if text.startswith("%7B") or text.startswith("%7b"):
            text = urllib.parse.unquote(text)  # the raw IAM API returns URL-encoded documents
        try:
            raw = json.loads(text)
        except ValueError:
            raise _Malformed(f"the policy is not valid JSON ({describe(text, 60)})") from None
    if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], Mapping):
        raw = raw[0]  # Checkov wraps Terraform attribute values in a list
    if not isinstance(raw, Mapping):
        raise _Malformed(f"the policy is not a JSON object ({type(raw).__name__})")
    if "Statement" not in raw:
        raise _Malformed("the policy has no Statement")
    statements = raw["Statement"]
    items = [statements] if isinstance(statements, Mapping) else statements
    if not isinstance(items, list):
        raise _Malformed("the policy's Statement is neither an object nor a list")
    return PolicyDocument(tuple(_json_statement(item) for item in items))


def _json_statement(item: object) -> Statement:
    if not isinstance(item, Mapping):
        raise _Malformed("a statement is not a JSON object")
    effect = _effect(item.get("Effect"))
    return Statement(
        effect=effect,
        sid=_optional_text(item.get("Sid")),
        principals=_json_principals(item["Principal"]) if "Principal" in item else None,
        not_principals=_json_principals(item["NotPrincipal"]) if "NotPrincipal" in item else None,
        actions=_strings(item["Action"], "Action") if "Action" in item else None,
        not_actions=_strings(item["NotAction"], "NotAction") if "NotAction" in item else None,
        resources=_loose_strings(item["Resource"]) if "Resource" in item else None,
        not_resources=_loose_strings(item["NotResource"]) if "NotResource" in item else None,
        conditions=_json_conditions(item.get("Condition")),
    )


def _effect(value: object) -> str:
    text = leaf_text(_single(value))
    if text is None or text.lower() not in ("allow", "deny"):
        raise _Malformed(f"a statement's Effect is {describe(value)}, not Allow or Deny")
    return "Allow" if text.lower() == "allow" else "Deny"


def _optional_text(value: object) -> str | None:
    value = _single(value)
    return value if isinstance(value, str) else None


def _single(value: object) -> object:
    """Checkov wraps scalar Terraform attributes in one-element lists."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _as_list(value: object, what: str) -> list[object]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str | Mapping):
        return [value]
    raise _Malformed(f"{what} is {type(value).__name__}, not a string or a list")


def _strings(value: object, what: str) -> tuple[str, ...]:
    """Actions and condition values: every leaf must be known, or the document is Unknown."""
    result: list[str] = []
    for item in _flatten(value, what):
        if isinstance(item, TypedReference):
            result.append(reference_arn(item))
            continue
        text = leaf_text(item)
        if text is None or is_unresolved_reference(text):
            raise _Malformed(f"{what} value {describe(item)} could not be resolved")
        result.append(text)
    return tuple(result)


def _loose_strings(value: object) -> tuple[str, ...]:
    """Resources: the rules never decide on them, so unreadable leaves are kept as their repr."""
    try:
        items = _flatten(value, "Resource")
    except _Malformed:
        return (describe(value),)
    return tuple(leaf_text(item) or describe(item) for item in items)


def _flatten(value: object, what: str, depth: int = 0) -> list[object]:
    if depth > _MAX_DEPTH:
        raise _Malformed(f"{what} is nested too deeply")
    if isinstance(value, list | tuple):
        out: list[object] = []
        for item in value:
            out.extend(_flatten(item, what, depth + 1))
        return out
    if isinstance(value, Mapping) and leaf_text(value) is None and not _is_intrinsic(value):
        raise _Malformed(f"{what} holds an object where a string was expected")
    return [value]


def _is_intrinsic(value: Mapping[object, object]) -> bool:
    return len(value) == 1 and any(
        isinstance(k, str) and (k == "Ref" or k.startswith("Fn::") or k == "Condition") for k in value
    )


def _json_principals(value: object) -> tuple[Principal, ...]:
    value = _single(value) if not isinstance(value, Mapping) else value
    if isinstance(value, str):
        if value.strip() == "*":
            return (Principal(PrincipalKind.AWS, "*"),)
        raise _Malformed(f'Principal is the string {describe(value)}; only "*" may stand alone')
    if not isinstance(value, Mapping):
        raise _Malformed(f"Principal is {type(value).__name__}, not an object")
    if _is_intrinsic(value):
        raise _Malformed(f"Principal is an intrinsic that was not evaluated ({describe(value)})")
    principals: list[Principal] = []
    for raw_kind, raw_values in value.items():
        kind = _KINDS.get(str(raw_kind).lower())
        if kind is None:
            raise _Malformed(f"Principal has an unknown kind {describe(raw_kind)}")
        principals.extend(_principal_values(kind, raw_values))
    return tuple(principals)


def _principal_values(kind: PrincipalKind, raw_values: object) -> list[Principal]:
    principals: list[Principal] = []
    for item in _flatten(raw_values, "Principal"):
        if isinstance(item, TypedReference):
            principals.append(Principal(kind, item.expression, resolved=False, reference=item))
            continue
        text = leaf_text(item)
        if text is None:
            principals.append(Principal(kind, describe(item), resolved=False))
        else:
            principals.append(Principal(kind, text, resolved=not is_unresolved_reference(text)))
    return principals


def _json_conditions(value: object) -> tuple[Condition, ...]:
    value = _single(value)
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _Malformed("Condition is not an object")
    conditions: list[Condition] = []
    for operator, tests in value.items():
        if not isinstance(operator, str) or not isinstance(tests, Mapping):
            raise _Malformed(f"Condition operator {describe(operator)} does not map keys to values")
        for key, values in tests.items():
            conditions.append(_condition(operator, str(key), _strings(values, f"Condition {operator}")))
    return tuple(conditions)


def _condition(operator: str, key: str, values: tuple[str, ...]) -> Condition:
    qualifier: str | None = None
    base = operator.strip()
    if ":" in base:
        prefix, base = base.split(":", 1)
        qualifier = prefix.lower()
    if_exists = base.lower().endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    return Condition(operator, base.lower(), qualifier, if_exists, key.strip().lower(), values)


def _terraform_statement(block: object) -> Statement:
    block = _single(block)
    if not isinstance(block, Mapping):
        raise _Malformed("a statement block is not an object")
    effect = _effect(block.get("effect", "Allow")) if _single(block.get("effect")) is not None else "Allow"

    def principal_blocks(name: str) -> tuple[Principal, ...] | None:
        if name not in block or _single(block[name]) in (None, []):
            return None
        principals: list[Principal] = []
        for raw in _as_list(block[name], name):
            raw = _single(raw)
            if not isinstance(raw, Mapping):
                raise _Malformed(f"a {name} block is not an object")
            kind_text = leaf_text(_single(raw.get("type")))
            kind = _KINDS.get((kind_text or "").lower())
            if kind_text == "*":
                kind = PrincipalKind.AWS
            if kind is None:
                raise _Malformed(f"a {name} block has type {describe(raw.get('type'))}")
            principals.extend(_principal_values(kind, raw.get("identifiers")))
        return tuple(principals)

    conditions: list[Condition] = []
    for raw in _as_list(block.get("condition"), "condition"):
        raw = _single(raw)
        if not isinstance(raw, Mapping):
            raise _Malformed("a condition block is not an object")
        test = leaf_text(_single(raw.get("test")))
        variable = leaf_text(_single(raw.get("variable")))
        if not test or not variable or is_unresolved_reference(test) or is_unresolved_reference(variable):
            raise _Malformed("a condition block's test or variable could not be resolved")
        conditions.append(_condition(test, variable, _strings(raw.get("values"), f"condition {test}")))

    def optional(name: str) -> tuple[str, ...] | None:
        return _strings(block[name], name) if _single(block.get(name)) not in (None, []) else None

    return Statement(
        effect=effect,
        sid=_optional_text(block.get("sid")),
        principals=principal_blocks("principals"),
        not_principals=principal_blocks("not_principals"),
        actions=optional("actions"),
        not_actions=optional("not_actions"),
        resources=_loose_strings(block["resources"]) if "resources" in block else None,
        not_resources=_loose_strings(block["not_resources"]) if "not_resources" in block else None,
        conditions=tuple(conditions),
    )


@functools.lru_cache(maxsize=4096)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    # IAM globs know only '*' and '?'; everything else (brackets included) is literal.
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower()]
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """IAM's action match: case-insensitive, ``*`` any run of characters, ``?`` one character."""
    return _action_pattern(pattern.strip()).match(action.lower()) is not None


def statement_allows_action(statement: Statement, action: str) -> bool:
    """Whether the statement's Action/NotAction covers ``action`` (effect not considered)."""
    if statement.actions is not None:
        return any(action_matches(p, action) for p in statement.actions)
    if statement.not_actions is not None:
        return not any(action_matches(p, action) for p in statement.not_actions)
    return False
