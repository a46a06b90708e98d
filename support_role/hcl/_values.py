"""What an HCL expression evaluates to: plain Python values, typed unknowns and alternatives.

* ``None`` (null), ``bool``, ``int``/``float`` (numbers), ``str``;
* ``tuple`` for lists, tuples and sets (a set is kept in Terraform's order: strings sorted);
* a ``Mapping[str, Value]`` for objects and maps (a resource instance is a lazy mapping whose
  attributes are evaluated when read);
* :class:`UnknownValue`: a value nobody can know from the files, with the reason and, when it
  is an attribute Terraform knows only after apply, the :class:`Ref` that fixes its kind
  (``aws_iam_user.alice.arn`` is an IAM user's ARN whatever its value);
* :class:`Choice`: one of two values, depending on a condition the files do not settle
  (``var.enabled ? [arn] : []`` with ``enabled`` set only when Terraform runs);
* :class:`EncodedJson`: the JSON text of a value that holds unknowns (``jsonencode`` of a
  document naming ``aws_iam_user.alice.arn``), so that the document keeps its shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class Ref:
    """An attribute of a resource or data source instance: ``<address>.<attribute>``.

    ``address`` is the instance address with its module path and key
    (``module.team["red"].aws_iam_role.this``, ``data.aws_caller_identity.current``);
    ``type`` is the resource type without ``data.``; ``mode`` is ``managed`` or ``data``.
    """

    address: str
    type: str
    mode: str
    attribute: str

    @property
    def text(self) -> str:
        return f"{self.address}.{self.attribute}"


@dataclass(frozen=True)
class UnknownValue:
    """A value that cannot be known from the scanned files.

    ``reason`` is a sentence fragment a person reads in a finding. ``ref`` names the attribute
    when the value is one Terraform computes at apply. ``template`` keeps, for a string built
    around unknown parts, the string with each unknown part written as ``${<reference>}``
    (``arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess``).
    """

    reason: str
    ref: Ref | None = None
    template: str | None = None


@dataclass(frozen=True)
class Choice:
    """``when_true`` when ``condition`` (as written) holds, else ``when_false``.

    The same shape as the core's ``support_role._values.Choice`` (which a policy document's
    reader expands into one document per branch).
    """

    condition: str
    when_true: Value
    when_false: Value


@dataclass(frozen=True)
class EncodedJson:
    """A string that is the JSON encoding of ``value`` (which holds unknown parts)."""

    value: Value


Value: TypeAlias = (
    "bool | int | float | str | tuple[Value, ...] | Mapping[str, Value] | UnknownValue | Choice | EncodedJson | None"
)


def is_known(value: Value) -> bool:
    """Whether the value holds no unknown and no alternative anywhere inside it."""
    pending: list[Value] = [value]
    seen = 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > 100_000 or isinstance(item, UnknownValue | Choice | EncodedJson):
            return False
        if isinstance(item, tuple):
            pending.extend(item)
        elif isinstance(item, Mapping):
            pending.extend(item.values())
    return True


def branches(value: Value, limit: int = 64) -> list[tuple[tuple[str, ...], Value]] | None:
    """Every alternative of a value with the conditions that lead to it (``not (c)`` for the
    else branch); ``[((), value)]`` when it has none; None beyond ``limit`` alternatives."""
    out: list[tuple[tuple[str, ...], Value]] = []
    pending: list[tuple[tuple[str, ...], Value]] = [((), value)]
    while pending:
        conditions, item = pending.pop()
        if isinstance(item, Choice):
            pending.append(((*conditions, f"not ({item.condition})"), item.when_false))
            pending.append(((*conditions, item.condition), item.when_true))
            continue
        out.append((conditions, item))
        if len(out) > limit:
            return None
    return out
