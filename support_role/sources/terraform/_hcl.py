"""Values as Checkov hands them over for Terraform, and where a vertex belongs.

Checkov renders what it could evaluate and leaves the rest as text: scalars wrapped in one-element
lists (in ``conf``, not in graph vertices), lists wrapped twice, references it could not evaluate as
the reference's text (``var.x``, ``aws_iam_role.r.id``), partly evaluated strings with ``${...}``
tokens. These helpers read such values without guessing; nothing here imports Checkov.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from ..._values import is_unresolved_reference

MODULE = r'module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.'
"""One ``module.<name>[<literal key>].`` step of an address (a regular expression)."""
_MODULE_PREFIX = re.compile(rf"^(?:{MODULE})*")
_EMPTY_COLLECTIONS = frozenset({"set()", "[]", "{}", "toset([])", "tomap({})"})


def single(value: object) -> object:
    """Checkov wraps scalar attributes in one-element lists (in ``conf``, not in vertices)."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def items(value: object) -> list[object]:
    """A list attribute as a flat list (Checkov's ``conf`` wraps lists twice)."""
    if value is None:
        return []
    out: list[object] = []
    pending = [value]  # a stack, not recursion: a value nested thousands deep must not raise
    while pending:
        item = pending.pop()
        if isinstance(item, list | tuple):
            pending.extend(reversed(item))
        else:
            out.append(item)
    return out


def blocks(value: object) -> list[Mapping[str, object]]:
    """Nested blocks (``inline_policy``, ``statement``): one mapping or a list of them."""
    return [item for item in items(value) if isinstance(item, Mapping)]


def text(value: object) -> str | None:
    """The string of a scalar attribute; None when it is not a string."""
    value = single(value)
    return value if isinstance(value, str) else None


def literal(value: object) -> str | None:
    """A string that is a value, not an unevaluated reference or interpolation."""
    found = text(value)
    if found is None or not found.strip() or is_unresolved_reference(found) or "${" in found:
        return None
    return found.strip()


def module_prefix(address: str) -> str:
    """``module.a["x"].module.b.`` for ``module.a["x"].module.b.aws_iam_role.r``; ``""`` at the root."""
    match = _MODULE_PREFIX.match(address)
    return match.group(0) if match else ""


def instances(attrs: Mapping[str, object]) -> int | None:
    """0 when ``count``/``for_each`` says the resource is not created, None when they could not
    be evaluated, 1 otherwise (Checkov expands evaluated ones into one vertex per instance)."""
    if "count" in attrs:
        count = single(attrs["count"])
        if isinstance(count, bool) or not isinstance(count, int | str):
            return None
        if isinstance(count, str):
            if not count.strip().isdigit():
                return None
            count = int(count)
        if count == 0:
            return 0
    if "for_each" in attrs:
        each = attrs["for_each"]
        if isinstance(each, Mapping | list | tuple):
            return 0 if not each else 1
        if isinstance(each, str) and each.replace(" ", "") in _EMPTY_COLLECTIONS:
            return 0
        return None
    return 1


def _module_attr(obj: object, name: str) -> object:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def root_of(vertex: Mapping[str, object]) -> str:
    """The root a vertex belongs to: a plan file, or the directory of the calling root module."""
    file = str(vertex.get("file_path_") or vertex.get("__file__") or "")
    if is_plan_file(file):
        return file
    module = vertex.get("source_module_object_")
    for _ in range(64):  # module nesting is shallow; the bound only guards against cycles
        if module is None:
            break
        outer = _module_attr(module, "nested_tf_module")
        if outer is None:
            caller = _module_attr(module, "path")
            if isinstance(caller, str) and caller:
                file = caller
            break
        module = outer
    return os.path.dirname(file) or "."


def is_plan_file(path: str) -> bool:
    """Whether a vertex's file is a plan JSON file (not ``.tf.json``)."""
    lower = path.lower()
    return lower.endswith(".json") and not lower.endswith(".tf.json")


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it, else as given."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative
