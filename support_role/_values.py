"""Leaf values as scanners hand them over: strings, CloudFormation intrinsics, Terraform references.

A value that could not be evaluated is returned as ``None`` by :func:`leaf_text` and reported by
the caller as Unknown; a partially known string keeps its ``${...}`` tokens so that an ARN with an
interpolated partition or account can still be read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# A whole value that is a Terraform reference Checkov left unevaluated: ``var.x``,
# ``data.aws_iam_policy_document.x.json``, ``aws_iam_user.alice.arn``, ``module.m.out``.
_TF_REFERENCE = re.compile(
    r"^(?:var|local|data|module|each|count|self|path|terraform|[a-z][a-z0-9]*_[a-z0-9_]+)"
    r"(?:\.[A-Za-z0-9_\-*]+|\[[^\]]*\])+$"
)
_WHOLE_TOKEN = re.compile(r"^\$\{[^{}]*\}$")

CFN_PARTITION_TOKEN = "${AWS::Partition}"
CFN_ACCOUNT_TOKEN = "${AWS::AccountId}"
_CFN_PSEUDO = {
    "AWS::Partition": CFN_PARTITION_TOKEN,
    "AWS::AccountId": CFN_ACCOUNT_TOKEN,
    "AWS::Region": "${AWS::Region}",
    "AWS::URLSuffix": "${AWS::URLSuffix}",
}


class _NoValue:
    """``AWS::NoValue`` (or an HCL ``null``/empty branch): the element or key is absent."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Choice:
    """A raw value that depends on a condition the scan cannot decide.

    Sources put it in place of ``{"Fn::If": [cond, a, b]}`` or an HCL ``cond ? a : b`` inside a raw
    policy document; :func:`support_role.parse_policy` then judges one document per branch.
    ``condition`` is the condition as a person reads it (a CloudFormation condition's name, an HCL
    expression); the same text is the same condition wherever it appears. A branch may be
    :data:`NO_VALUE`: the list element or mapping key is then absent.
    """

    condition: str
    when_true: object
    when_false: object


def is_unresolved_reference(text: str) -> bool:
    """True for a string that is only a reference nobody evaluated (``${x}``, ``var.x``)."""
    stripped = text.strip()
    return bool(_WHOLE_TOKEN.match(stripped) or _TF_REFERENCE.match(stripped))


def leaf_text(value: object) -> str | None:
    """The text of one scalar leaf, evaluating the CloudFormation intrinsics that build strings.

    Returns None when the value cannot be turned into text (an intrinsic we do not evaluate,
    a reference to another resource, a wrong type). Booleans and numbers become their JSON text.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping) and len(value) == 1:
        ((name, arg),) = value.items()
        if name == "Ref" and isinstance(arg, str):
            return _CFN_PSEUDO.get(arg)
        if name == "Fn::Sub":
            template = arg[0] if isinstance(arg, list) and arg else arg
            return template if isinstance(template, str) else None
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            separator, parts = arg
            if not isinstance(separator, str) or not isinstance(parts, list):
                return None
            texts = [leaf_text(part) for part in parts]
            if any(text is None for text in texts):
                return None
            return separator.join(t for t in texts if t is not None)
    return None


def describe(value: object, limit: int = 120) -> str:
    """A short printable rendering of any value, for reasons and evidence."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."
