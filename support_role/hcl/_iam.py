"""``data "aws_iam_policy_document"`` built as the AWS provider builds it.

Order, as in the provider (hashicorp/aws, ``data_source_iam_policy_document.go``): start from
``source_json``; add each of ``source_policy_documents`` in order (a Sid met twice among them is
an error); merge the document of the ``statement`` blocks (``dynamic`` ones expanded; a Sid
twice is an error); merge each of ``override_policy_documents`` in order, then
``override_json``. Merging adds a statement without Sid and replaces the statement that has the
same Sid (else adds it).

The result is the document's JSON text when every part of it is known, an
:class:`EncodedJson` of the document when some leaves are not (a principal known only after
apply keeps its place and its :class:`Ref`), or an :class:`UnknownValue` when its shape itself
is not known (the statements of a ``dynamic`` block over an unknown collection).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ._eval import EvalError, from_json, lift, settle, to_json, to_string
from ._values import Choice, EncodedJson, UnknownValue, Value, is_known

_VERSION = "2012-10-17"


class _Refused(Exception):
    """Internal: the document cannot be built (the message says why)."""


def policy_document_json(instance: Mapping[str, Value]) -> Value:
    """The ``json`` attribute of an ``aws_iam_policy_document`` instance (a lazy block object)."""
    where = getattr(instance, "address", "the policy document")
    try:
        raw = _build(instance, where)
    except _Refused as refused:
        return UnknownValue(f"{where} cannot be built: {refused}")
    except EvalError as error:
        return UnknownValue(f"{where} cannot be built: {error}")
    document = settle(raw)
    return lift([document], _encode)


def _encode(args: list[Value]) -> Value:
    document = args[0]
    if isinstance(document, UnknownValue):
        return document
    if is_known(document):
        return json.dumps(to_json(document), separators=(",", ":"))
    return EncodedJson(document)


def _get(instance: Mapping[str, Value], name: str) -> Value:
    """An argument as written (None when the block does not set it: never "read from AWS")."""
    if name not in instance:
        return None
    try:
        return instance[name]
    except KeyError:
        return None


def _known(value: Value, what: str) -> Value:
    if isinstance(value, UnknownValue):
        raise _Refused(f"{what} is not known ({value.reason})")
    if isinstance(value, Choice):
        raise _Refused(f"{what} depends on {value.condition}")
    return value


def _build(instance: Mapping[str, Value], where: str) -> Value:
    merged: dict[str, Value] = {"Version": _VERSION, "Statement": ()}
    source_json = _get(instance, "source_json")
    if source_json is not None:
        _merge(merged, _decode(source_json, "source_json"))
    sources = _known(_get(instance, "source_policy_documents"), "source_policy_documents")
    seen: set[str] = {s for s in (_sid(x) for x in _statements(merged)) if s}
    for i, text in enumerate(_list(sources, "source_policy_documents")):
        document = _decode(text, f"source_policy_documents[{i}]")
        for statement in _statements(document):
            sid = _sid(statement)
            if sid:
                if sid in seen:
                    raise _Refused(f"duplicate Sid {sid!r} among its source documents (Terraform refuses it)")
                seen.add(sid)
        _merge(merged, document)
    own: list[Value] = []
    sids: set[str] = set()
    blocks = _known(_get(instance, "statement"), "its statement blocks")
    for block in _list(blocks, "statement"):
        if not isinstance(block, Mapping):
            raise _Refused("a statement block is not a block")
        statement = _statement(block)
        sid = _sid(statement)
        if sid:
            if sid in sids:
                raise _Refused(f"duplicate Sid {sid!r} in its statement blocks (Terraform refuses it)")
            sids.add(sid)
        own.append(statement)
    current: dict[str, Value] = {"Version": _get(instance, "version") or _VERSION, "Statement": tuple(own)}
    policy_id = _get(instance, "policy_id")
    if policy_id is not None:
        current["Id"] = policy_id
    _merge(merged, current)
    overrides = _known(_get(instance, "override_policy_documents"), "override_policy_documents")
    for i, text in enumerate(_list(overrides, "override_policy_documents")):
        _merge(merged, _decode(text, f"override_policy_documents[{i}]"))
    override_json = _get(instance, "override_json")
    if override_json is not None:
        _merge(merged, _decode(override_json, "override_json"))
    return merged


def _list(value: Value, what: str) -> tuple[Value, ...]:
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    raise _Refused(f"{what} is not a list")


def _decode(value: Value, what: str) -> dict[str, Value]:
    value = _known(value, what)
    if isinstance(value, EncodedJson):
        decoded = value.value
    elif isinstance(value, str):
        try:
            decoded = from_json(json.loads(value))
        except (ValueError, RecursionError):
            raise _Refused(f"{what} is not JSON") from None
    else:
        raise _Refused(f"{what} is not a JSON text")
    if not isinstance(decoded, Mapping):
        raise _Refused(f"{what} is not a JSON object")
    return dict(decoded)


def _statements(document: Mapping[str, Value]) -> list[Value]:
    raw = document.get("Statement")
    if raw is None:
        return []
    if isinstance(raw, Mapping):
        return [raw]
    if isinstance(raw, tuple | list):
        return list(raw)
    raise _Refused("a document's Statement is neither an object nor a list")


def _sid(statement: Value) -> str:
    if isinstance(statement, Mapping):
        sid = statement.get("Sid")
        if isinstance(sid, str):
            return sid
    return ""


def _merge(target: dict[str, Value], document: Mapping[str, Value]) -> None:
    if document.get("Id"):
        target["Id"] = document["Id"]
    version = document.get("Version")
    if isinstance(version, str) and isinstance(target.get("Version"), str) and version > str(target["Version"]):
        target["Version"] = version
    statements = list(_statements(target))
    for statement in _statements(document):
        sid = _sid(statement)
        if sid:
            for i, existing in enumerate(statements):
                if _sid(existing) == sid:
                    statements[i] = statement
                    break
            else:
                statements.append(statement)
        else:
            statements.append(statement)
    target["Statement"] = tuple(statements)


def _strings(value: Value, what: str) -> Value:
    """A list attribute of a statement (actions, identifiers, values): unknown elements kept."""
    if value is None:
        return None
    if isinstance(value, UnknownValue | Choice):
        return value
    if isinstance(value, tuple):
        return tuple(_scalar(v, what) for v in value)
    return (_scalar(value, what),)


def _scalar(value: Value, what: str) -> Value:
    if isinstance(value, UnknownValue | Choice | EncodedJson):
        return value
    if value is None:
        raise _Refused(f"{what} holds null")
    try:
        return to_string(value, what)
    except EvalError:
        raise _Refused(f"{what} holds {type(value).__name__}, not a string") from None


def _statement(block: Mapping[str, Value]) -> dict[str, Value]:
    statement: dict[str, Value] = {}
    sid = _get(block, "sid")
    if sid not in (None, ""):
        statement["Sid"] = sid
    effect = _get(block, "effect")
    statement["Effect"] = "Allow" if effect is None else effect
    for attribute, key in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        values = _strings(_get(block, attribute), attribute)
        if values is not None and values != ():
            statement[key] = values
    for attribute, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(_get(block, attribute), attribute)
        if principals is not None:
            statement[key] = principals
    conditions = _conditions(_get(block, "condition"))
    if conditions:
        statement["Condition"] = conditions
    return statement


def _principals(value: Value, what: str) -> Value:
    value = _known(value, f"its {what} blocks")
    blocks = _list(value, what)
    if not blocks:
        return None
    out: dict[str, list[Value]] = {}
    for block in blocks:
        if not isinstance(block, Mapping):
            raise _Refused(f"a {what} block is not a block")
        kind = _known(_get(block, "type"), f"the type of a {what} block")
        if not isinstance(kind, str):
            raise _Refused(f"the type of a {what} block is not a string")
        identifiers = _strings(_get(block, "identifiers"), "identifiers")
        if kind == "*":
            return "*"
        bucket = out.setdefault(kind, [])
        if isinstance(identifiers, tuple):
            bucket.extend(identifiers)
        elif identifiers is not None:
            bucket.append(identifiers)
    return {kind: tuple(ids) for kind, ids in out.items()}


def _conditions(value: Value) -> dict[str, Value]:
    value = _known(value, "its condition blocks")
    out: dict[str, dict[str, Value]] = {}
    for block in _list(value, "condition"):
        if not isinstance(block, Mapping):
            raise _Refused("a condition block is not a block")
        test = _known(_get(block, "test"), "the test of a condition block")
        variable = _known(_get(block, "variable"), "the variable of a condition block")
        if not isinstance(test, str) or not isinstance(variable, str):
            raise _Refused("a condition block's test or variable is not a string")
        values = _strings(_get(block, "values"), "values")
        existing = out.setdefault(test, {}).get(variable)
        if isinstance(existing, tuple) and isinstance(values, tuple):
            values = existing + values
        out[test][variable] = values
    return dict(out)
