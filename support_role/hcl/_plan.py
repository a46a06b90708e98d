"""A Terraform plan (``terraform show -json``) read with what it knows only after apply.

Terraform's plan JSON gives every resource's planned values, marks the values it will know only
after apply (``resource_changes[].change.after_unknown``) and keeps, in its ``configuration``
section, each attribute's ``constant_value`` or the ``references`` of its expression (never the
expression itself). :class:`PlanTree` answers the attributes of any instance with those unknowns
in place, typed where the references fix what they are:

* an unknown whose attribute refers to exactly one attribute of one resource is that attribute
  (``policy_arn = aws_iam_policy.x.arn``, ``assume_role_policy = data.aws_iam_policy_document.t.json``):
  an :class:`UnknownValue` with its :class:`Ref` (and the data document's JSON is built from its
  planned statements, as the provider will);
* unknown elements of a list whose references name as many resource attributes, in order
  (``identifiers = [aws_iam_user.a.arn, aws_iam_role.b.arn]``), are those attributes;
* anything else stays unknown with the references it depends on in the reason (a splat
  ``values(aws_iam_user.x)[*].arn`` is kept only as ``aws_iam_user.x``: its attribute is not
  known from the plan).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ._eval import from_json
from ._values import Ref, UnknownValue, Value

_MAX_PLAN_BYTES = 200_000_000
_RESOURCE_REFERENCE = re.compile(
    r'^(?P<address>(?:module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.)*'
    r'(?P<data>data\.)?(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)'
    r"\.(?P<attribute>[a-z_][a-z0-9_]*)$"
)
_INDEX = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]')
_VALUE_ROOTS = ("var.", "local.", "each.", "count.", "path.", "terraform.", "self.")


@dataclass
class _Resource:
    address: str
    mode: str
    type: str
    values: Mapping[str, object]
    unknown: object  # after_unknown: True, or the same shape as values with True at unknown leaves
    config: Mapping[str, object] | None  # the configuration block (expressions) of this resource
    module: str  # module address prefix, e.g. 'module.a["x"].'


@dataclass
class PlanTree:
    """One plan file, read once. ``problem`` says why it could not be read (then it is empty)."""

    path: str
    resources: dict[str, _Resource] = field(default_factory=dict)
    problem: str | None = None
    root_blocks: set[tuple[str, str, str]] = field(default_factory=set)  # (mode, type, name) configured at the root
    _cache: dict[tuple[str, str], Value] = field(default_factory=dict)
    _busy: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def read(cls, path: str) -> PlanTree:
        tree = cls(path)
        try:
            if os.path.getsize(path) > _MAX_PLAN_BYTES:
                tree.problem = f"{os.path.basename(path)} is larger than {_MAX_PLAN_BYTES} bytes"
                return tree
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, RecursionError) as error:
            tree.problem = f"{os.path.basename(path)} cannot be read as JSON ({type(error).__name__})"
            return tree
        tree.load(data)
        return tree

    def load(self, data: object) -> None:
        if not isinstance(data, Mapping):
            self.problem = "the plan is not a JSON object"
            return
        configs: dict[str, Mapping[str, object]] = {}
        configuration = data.get("configuration")
        if isinstance(configuration, Mapping):
            _configs(configuration.get("root_module"), "", configs)
        for key, config in configs.items():
            if (
                not key.startswith("module.")
                and isinstance(config.get("type"), str)
                and isinstance(config.get("name"), str)
            ):
                mode = "data" if config.get("mode") == "data" else "managed"
                self.root_blocks.add((mode, str(config["type"]), str(config["name"])))
        changes: dict[str, object] = {}
        for change in _list(data.get("resource_changes")):
            if isinstance(change, Mapping) and isinstance(change.get("address"), str):
                body = change.get("change")
                if isinstance(body, Mapping):
                    changes[str(change["address"])] = body.get("after_unknown", False)
        for section in ("prior_state", "planned_values"):
            root = data.get(section)
            if section == "prior_state" and isinstance(root, Mapping):
                root = root.get("values")
            if isinstance(root, Mapping):
                self._walk(root.get("root_module"), changes, configs)

    def _walk(self, module: object, changes: Mapping[str, object], configs: Mapping[str, Mapping[str, object]]) -> None:
        pending = [module]
        while pending:
            current = pending.pop()
            if not isinstance(current, Mapping):
                continue
            for resource in _list(current.get("resources")):
                if not isinstance(resource, Mapping):
                    continue
                address, type_, mode = resource.get("address"), resource.get("type"), resource.get("mode")
                values = resource.get("values")
                if not isinstance(address, str) or not isinstance(type_, str) or not isinstance(values, Mapping):
                    continue
                module_prefix = address[: address.rfind(f"{'data.' if mode == 'data' else ''}{type_}.")]
                config_key = _INDEX.sub("", module_prefix) + address[len(module_prefix) :].split("[", 1)[0]
                self.resources[address] = _Resource(
                    address,
                    "data" if mode == "data" else "managed",
                    type_,
                    values,
                    changes.get(address, False),
                    configs.get(config_key),
                    module_prefix,
                )
            pending.extend(_list(current.get("child_modules")))

    # ------------------------------------------------------------------------------- queries
    def addresses(self) -> list[str]:
        return list(self.resources)

    def attribute(self, address: str, name: str) -> Value:
        """The planned value of ``address``'s attribute ``name``, unknowns typed where possible."""
        resource = self.resources.get(address)
        if resource is None:
            return UnknownValue(f"{address} is not in the plan")
        key = (address, name)
        if key in self._cache:
            return self._cache[key]
        if key in self._busy:
            return UnknownValue(f"{address}.{name} refers to itself in the plan")
        self._busy.add(key)
        try:
            value = self._attribute(resource, name)
        finally:
            self._busy.discard(key)
        self._cache[key] = value
        return value

    def _attribute(self, resource: _Resource, name: str) -> Value:
        unknown = resource.unknown.get(name, False) if isinstance(resource.unknown, Mapping) else resource.unknown
        expression = _expression(resource.config, name)
        if unknown is True:
            if (
                resource.mode == "data"
                and resource.type == "aws_iam_policy_document"
                and name in ("json", "minified_json")
            ):
                return self._document(resource)
            return self._whole(resource, name, expression)
        raw = resource.values.get(name)
        return self._merge(resource, name, raw, unknown, expression)

    def _document(self, resource: _Resource) -> Value:
        """A data document's JSON built from its planned arguments, as the provider will."""
        from ._iam import policy_document_json

        view = {key: self.attribute(resource.address, key) for key in resource.values if key not in ("json", "id")}
        return policy_document_json(_Named(view, resource.address))

    def _whole(self, resource: _Resource, name: str, expression: object) -> Value:
        """An attribute wholly unknown: typed by the one resource attribute it refers to, if that
        is all it refers to (the caller decides whether that attribute can be its value: see
        :meth:`resolve`)."""
        refs = _references(expression)
        attributes = _attribute_refs(refs)
        where = f"{resource.address}.{name}"
        if len(attributes) == 1 and not _value_refs(refs):
            target, attribute = attributes[0]
            address = _qualify(target, resource.module)
            mode, type_ = _mode_type(target)
            ref = Ref(address, type_, mode, attribute)
            return UnknownValue(
                f"{where} is known only after apply (the plan keeps only the reference {ref.text})", ref
            )
        shown = ", ".join(refs) if refs else "none"
        return UnknownValue(f"{where} is known only after apply (the plan keeps only its references: {shown})")

    def references(self, address: str, name: str) -> list[str]:
        """The references the configuration keeps for an instance's attribute (empty when none)."""
        resource = self.resources.get(address)
        return _references(_expression(resource.config, name)) if resource is not None else []

    def resolve(self, ref: Ref) -> Value:
        """The planned value of the attribute a reference names (unknown when it is not planned)."""
        if ref.address in self.resources:
            return self.attribute(ref.address, ref.attribute)
        return UnknownValue(f"{ref.text} is not in the plan")

    def _merge(self, resource: _Resource, name: str, raw: object, unknown: object, expression: object) -> Value:
        """Planned values with their unknown leaves put in, typed by the expression's references."""
        leaves: list[tuple[str, ...]] = []
        _unknown_leaves(unknown, (), leaves)
        if not leaves:
            try:
                return from_json(raw)
            except Exception:  # a value the plan writes oddly (huge numbers): unreadable, not fatal
                return UnknownValue(f"{resource.address}.{name} cannot be read from the plan")
        typed = self._type_leaves(resource, name, leaves, expression)
        return _rebuild(raw, unknown, (), typed, f"{resource.address}.{name}")

    def _type_leaves(
        self, resource: _Resource, name: str, leaves: list[tuple[str, ...]], expression: object
    ) -> dict[tuple[str, ...], Value]:
        """Each unknown leaf's value: the resource attribute it stands for when the references say."""
        out: dict[tuple[str, ...], Value] = {}
        # group leaves by the expression that holds them (an attribute of a nested block, a list)
        groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for leaf in leaves:
            holder, _ = _holder(expression, leaf)
            groups.setdefault(holder, []).append(leaf)
        for holder, members in groups.items():
            held = _at(expression, holder)
            refs = _references(held)
            # an attribute the plan already knows (a data source read while planning, such as
            # data.aws_caller_identity.x.account_id) cannot be what an unknown element stands for
            attributes = [a for a in _attribute_refs(refs) if not self._known(a, resource.module)]
            where = f"{resource.address}.{name}"
            if attributes and not _value_refs(refs) and len(attributes) in (1, len(members)):
                for i, leaf in enumerate(members):
                    target, attribute = attributes[0] if len(attributes) == 1 else attributes[i]
                    address = _qualify(target, resource.module)
                    mode, type_ = _mode_type(target)
                    ref = Ref(address, type_, mode, attribute)
                    out[leaf] = UnknownValue(f"{ref.text} is known only after apply", ref)
                continue
            collections = _collection_refs(refs)
            if not attributes and not _value_refs(refs) and len({t for _, t in collections}) == 1:
                # values(aws_iam_user.x)[*].arn keeps only "aws_iam_user.x": which attribute is not
                # in the plan (the Ref's attribute is empty; the caller decides what that can be)
                target, type_ = collections[0]
                mode = "data" if target.startswith("data.") or ".data." in target else "managed"
                for leaf in members:
                    ref = Ref(_qualify(target, resource.module), type_, mode, "")
                    out[leaf] = UnknownValue(f"an attribute of {ref.address} known only after apply", ref)
                continue
            shown = ", ".join(refs) if refs else "nothing the plan names"
            for leaf in members:
                out[leaf] = UnknownValue(
                    f"part of {where} is known only after apply, and the plan keeps only what it refers to ({shown})"
                )
        return out

    def _known(self, reference: tuple[str, str], module: str) -> bool:
        """Whether the plan knows the whole value of a referenced resource attribute."""
        target, attribute = reference
        found = self.resources.get(_qualify(target, module))
        if found is None or attribute not in found.values:
            return False
        unknown = found.unknown.get(attribute, False) if isinstance(found.unknown, Mapping) else found.unknown
        leaves: list[tuple[str, ...]] = []
        _unknown_leaves(unknown, (), leaves)
        return unknown is not True and not leaves


class _Named(Mapping[str, Value]):
    """A mapping that also says where it comes from (for reasons)."""

    def __init__(self, data: Mapping[str, Value], address: str) -> None:
        self.data = data
        self.address = address

    def __getitem__(self, key: str) -> Value:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


# ------------------------------------------------------------------------------- helpers
def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _configs(module: object, prefix: str, out: dict[str, Mapping[str, object]]) -> None:
    if not isinstance(module, Mapping):
        return
    for resource in _list(module.get("resources")):
        if isinstance(resource, Mapping) and isinstance(resource.get("address"), str):
            out[prefix + str(resource["address"])] = resource
    calls = module.get("module_calls")
    if isinstance(calls, Mapping):
        for name, call in calls.items():
            if isinstance(call, Mapping):
                _configs(call.get("module"), f"{prefix}module.{name}.", out)


def _expression(config: Mapping[str, object] | None, name: str) -> object:
    if not isinstance(config, Mapping):
        return None
    expressions = config.get("expressions")
    return expressions.get(name) if isinstance(expressions, Mapping) else None


def _references(expression: object) -> list[str]:
    """Every reference in an expression (or a block of expressions), in order, once."""
    out: list[str] = []
    pending = [expression]
    while pending:
        item = pending.pop(0)
        if isinstance(item, Mapping):
            refs = item.get("references")
            if isinstance(refs, list):
                out.extend(r for r in refs if isinstance(r, str) and r not in out)
            pending.extend(v for k, v in item.items() if k != "references")
        elif isinstance(item, list):
            pending.extend(item)
    return out


def _resource_ref(ref: str) -> re.Match[str] | None:
    match = _RESOURCE_REFERENCE.match(ref)
    if match is None or ref.startswith(_VALUE_ROOTS) or match.group("type") in ("module", "data"):
        return None
    return match


def _attribute_refs(refs: list[str]) -> list[tuple[str, str]]:
    """(resource address, attribute) of each reference to an attribute of a resource, in order."""
    out: list[tuple[str, str]] = []
    for ref in refs:
        match = _resource_ref(ref)
        if match:
            pair = (match.group("address"), match.group("attribute"))
            if pair not in out:
                out.append(pair)
    return out


_BARE_RESOURCE = re.compile(
    r'^(?P<address>(?:module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.)*'
    r"(?:data\.)?(?P<type>[a-z][a-z0-9_]*)\.[A-Za-z0-9_-]+)$"
)


def _collection_refs(refs: list[str]) -> list[tuple[str, str]]:
    """(address, type) of each reference to a whole resource (no attribute), in order."""
    out: list[tuple[str, str]] = []
    for ref in refs:
        match = _BARE_RESOURCE.match(ref)
        if match and not ref.startswith(_VALUE_ROOTS) and match.group("type") not in ("module", "data"):
            out.append((match.group("address"), match.group("type")))
    return out


def _value_refs(refs: list[str]) -> list[str]:
    """References to values other than resource attributes whose value the plan may not show
    (variables, locals, module outputs); ``each``/``count`` are known when Terraform plans."""
    return [
        r
        for r in refs
        if r.startswith(_VALUE_ROOTS[:2] + _VALUE_ROOTS[4:])
        or (r.startswith("module.") and _resource_ref(r) is None and r.count(".") >= 2)
    ]


def _qualify(target: str, module: str) -> str:
    return target if target.startswith("module.") else module + target


def _mode_type(target: str) -> tuple[str, str]:
    parts = re.sub(r"^(?:module\.[^.]+\.)*", "", _INDEX.sub("", target)).split(".")
    if parts[0] == "data" and len(parts) >= 2:
        return "data", parts[1]
    return "managed", parts[0]


def _unknown_leaves(unknown: object, path: tuple[str, ...], out: list[tuple[str, ...]]) -> None:
    if unknown is True:
        out.append(path)
    elif isinstance(unknown, Mapping):
        for key, item in unknown.items():
            _unknown_leaves(item, (*path, str(key)), out)
    elif isinstance(unknown, list):
        for i, item in enumerate(unknown):
            _unknown_leaves(item, (*path, str(i)), out)


def _holder(expression: object, leaf: tuple[str, ...]) -> tuple[tuple[str, ...], object]:
    """The deepest expression object on the leaf's path (nested blocks are lists of objects)."""
    holder: tuple[str, ...] = ()
    current = expression
    for i, step in enumerate(leaf):
        if isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        elif (
            isinstance(current, Mapping)
            and step in current
            and not ("references" in current or "constant_value" in current)
        ):
            current = current[step]
        else:
            break
        holder = leaf[: i + 1]
    return holder, current


def _at(expression: object, path: tuple[str, ...]) -> object:
    current = expression
    for step in path:
        if isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        elif isinstance(current, Mapping):
            current = current.get(step)
        else:
            return None
    return current


def _rebuild(
    raw: object, unknown: object, path: tuple[str, ...], typed: Mapping[tuple[str, ...], Value], where: str
) -> Value:
    if unknown is True:
        return typed.get(path, UnknownValue(f"part of {where} is known only after apply"))
    if isinstance(raw, list):
        marks = unknown if isinstance(unknown, list) else []
        return tuple(
            _rebuild(item, marks[i] if i < len(marks) else False, (*path, str(i)), typed, where)
            for i, item in enumerate(raw)
        )
    if isinstance(raw, Mapping):
        marks_map = unknown if isinstance(unknown, Mapping) else {}
        keys = list(raw) + [k for k in marks_map if k not in raw]
        return {str(k): _rebuild(raw.get(k), marks_map.get(k, False), (*path, str(k)), typed, where) for k in keys}
    try:
        return from_json(raw)
    except Exception:
        return UnknownValue(f"part of {where} cannot be read from the plan")
