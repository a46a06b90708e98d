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

# An IAM policy variable (AWS IAM User Guide, "IAM policy elements: Variables and tags"): literal
# policy text that IAM substitutes at request time, never an IaC reference. Its documented forms:
# - the special characters ``${*}``, ``${?}``, ``${$}`` (a literal ``*``, ``?``, ``$``);
# - ``${<key>}`` where the key is a condition context key ``<prefix>:<name>``: the prefix a service
#   prefix (``aws``, ``s3``, ``sts``, ``saml``), an identity provider's host (``www.amazon.com``,
#   ``cognito-identity.amazonaws.com``, ``accounts.google.com``) or an OIDC issuer with its path
#   (``oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE``); the name may carry a tag key after ``/``
#   (``aws:PrincipalTag/team``, ``aws:ResourceTag/aws:cloudformation:stack-name``; a tag key may
#   hold single spaces, letters of any script and ``_ . : / = + - @``);
# - either key form with a default value: ``${aws:userid, 'anonymous'}`` (single quotes, ``''`` for
#   a quote inside).
# None of these is an HCL expression (an HCL template interpolation has no ``prefix:name`` without
# ``?``, quotes or braces) nor a CloudFormation ``!Sub`` variable (``${Param}``, ``${Res.Attr}``,
# ``${AWS::Region}``: the name after ``::`` starts with a colon, which the key's name may not).
_KEY_PREFIX = r"[A-Za-z0-9][A-Za-z0-9.\-]*(?:/[A-Za-z0-9][A-Za-z0-9.\-_]*)*"
_KEY_NAME = r"[^\W_][\w.:/=+\-@\[\]]*(?: [\w.:/=+\-@\[\]]+)*"
_DEFAULT = r"(?:, *'(?:[^']|'')*')?"
_POLICY_VARIABLE = f"\\$\\{{(?:[*?$]|{_KEY_PREFIX}:{_KEY_NAME}{_DEFAULT})\\}}"
POLICY_VARIABLE = re.compile(_POLICY_VARIABLE)
_SPECIAL_CHARACTERS = frozenset({"${*}", "${?}", "${$}"})


def is_policy_variable(text: str) -> bool:
    """Whether ``text`` is exactly one IAM policy variable (``${aws:username}``, ``${*}``...)."""
    return POLICY_VARIABLE.fullmatch(text) is not None


def request_dependent(text: str) -> bool:
    """Whether ``text`` holds a policy variable whose value the request brings (``${aws:username}``,
    not the fixed ``${*}``/``${?}``/``${$}``): such text matches whatever the caller's context holds."""
    return any(match.group(0) not in _SPECIAL_CHARACTERS for match in POLICY_VARIABLE.finditer(text))


def without_policy_variables(text: str, replacement: str = "") -> str:
    """``text`` with every policy variable replaced (default: removed)."""
    return POLICY_VARIABLE.sub(replacement, text)


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
    """True for a string that is only a reference nobody evaluated (``${x}``, ``var.x``).

    An IAM policy variable (``${aws:username}``) is literal policy text, not a reference.
    """
    stripped = text.strip()
    if _WHOLE_TOKEN.match(stripped):
        return not is_policy_variable(stripped)
    return bool(_TF_REFERENCE.match(stripped))


def unescape_sub(text: str) -> str:
    """A ``Fn::Sub`` template's literal text: ``${!Literal}`` is CloudFormation's escape for ``${Literal}``
    (how a template writes an IAM policy variable: ``${!aws:username}``)."""
    return text.replace("${!", "${")


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
            return unescape_sub(template) if isinstance(template, str) else None
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
