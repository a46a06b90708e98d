"""Terraform modules read from their ``.tf`` files: what a reference in them evaluates to.

:func:`read_module` parses every ``*.tf`` and ``*.tf.json`` file of a directory; a :class:`ModuleTree`
reads each directory once (its :class:`ModuleCache`, which one reading of a scan's roots can share)
and keeps nothing once it is dropped. A :class:`ModuleInstance` is one instance of a module (the root, or a call of a
local module with its ``for_each``/``count`` key) and answers the names of its expressions:

* ``var.x``: the module call's argument (evaluated in the caller, with ``each``/``count`` of
  that instance), else ``terraform.tfvars``/``*.auto.tfvars`` at the root, else the default,
  else unknown (the value is given when Terraform runs);
* ``local.x``, ``path.module``/``path.root``/``path.cwd``, ``module.<name>.<output>`` (local
  modules only);
* ``<type>.<name>`` and ``data.<type>.<name>``: the instances of that resource (an object per
  ``for_each`` key, a list for ``count``, else one object). An instance's attribute written in
  the block is evaluated with that instance's ``each``/``count``; its nested blocks (with
  ``dynamic`` blocks expanded) are objects too; any other attribute is one Terraform computes
  (``arn``, ``id``, ``account_id``): an :class:`UnknownValue` carrying its :class:`Ref`.
* ``data.aws_iam_policy_document.<name>.json``: the document the AWS provider builds
  (``_iam.py``), with unknown parts kept in place.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from ._eval import (
    MISSING,
    Bindings,
    EvalError,
    Evaluator,
    Missing,
    Scope,
    from_json,
    lift,
    render,
    to_number,
    to_string,
)
from ._json import parse_json_body
from ._syntax import Attribute, Block, Body, Expr, SyntaxProblem, parse_body, parse_expression
from ._types import convert as convert_to_type
from ._values import Choice, EncodedJson, Ref, UnknownValue, Value, branches

_META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"})
_MAX_FILE_BYTES = 5_000_000
_MAX_MODULE_DEPTH = 16
# Attributes the AWS provider chooses when they are null (``name = var.use_name_prefix ? null : var.name``
# with ``name_prefix``, as terraform-aws-modules writes it): known only after apply, like ``arn``.
_COMPUTED_WHEN_NULL = frozenset(
    {("aws_iam_role", "name"), ("aws_iam_policy", "name"), ("aws_iam_role_policy", "name"), ("aws_iam_user", "name")}
)


# ------------------------------------------------------------------------------------ files
@dataclass
class ModuleFiles:
    """The blocks of one module directory, by kind and name, and what could not be read."""

    directory: str
    files: tuple[str, ...] = ()
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    resources: dict[tuple[str, str], Block] = field(default_factory=dict)
    data: dict[tuple[str, str], Block] = field(default_factory=dict)
    modules: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    block_files: dict[int, str] = field(default_factory=dict)  # id(block) -> file it is in
    problems: tuple[str, ...] = ()  # a sentence naming each file that could not be read and why
    problem_files: dict[str, str] = field(default_factory=dict)  # path of each such file -> its sentence

    def blocks(self, mode: str) -> dict[tuple[str, str], Block]:
        """The resource blocks (``mode`` "managed") or data blocks ("data"), by (type, name)."""
        return self.data if mode == "data" else self.resources

    def file_of(self, block: Block) -> str:
        return self.block_files.get(id(block), "")


def _stamp(directory: str) -> tuple[tuple[str, float, int], ...]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return ()
    out = []
    for name in names:
        if name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
            try:
                info = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            out.append((name, info.st_mtime, info.st_size))
    return tuple(out)


def read_module(directory: str) -> ModuleFiles:
    """The module in ``directory``, parsed from its files (each call reads them again: keep the
    result, as :class:`ModuleCache` does, rather than a process-wide cache that would hold every
    parsed module of a scan until the process ends)."""
    directory = os.path.abspath(directory)
    return _read_module(directory, _stamp(directory))


class ModuleCache:
    """The modules read so far, by directory: each read once (one reading of a scan's roots)."""

    def __init__(self) -> None:
        self._modules: dict[str, ModuleFiles] = {}

    def read(self, directory: str) -> ModuleFiles:
        directory = os.path.abspath(directory)
        found = self._modules.get(directory)
        if found is None:
            found = self._modules[directory] = read_module(directory)
        return found


def _read_module(directory: str, stamp: tuple[tuple[str, float, int], ...]) -> ModuleFiles:
    module = ModuleFiles(directory)
    problems: dict[str, str] = {}
    files: list[str] = []
    for name, _, size in stamp:
        path = os.path.join(directory, name)
        in_json = name.endswith(".tf.json")
        if not (in_json or name.endswith(".tf")):
            continue
        if name in ("override.tf", "override.tf.json") or name.endswith(("_override.tf", "_override.tf.json")):
            problems[path] = f"{name}: override files are not merged by this checker"
            continue
        if size > _MAX_FILE_BYTES:
            problems[path] = f"{name} is larger than {_MAX_FILE_BYTES} bytes"
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            problems[path] = f"{name} cannot be read ({type(error).__name__})"
            continue
        body = parse_json_body(text, name) if in_json else parse_body(text, name)
        if isinstance(body, SyntaxProblem):
            problems[path] = body.message
            continue
        files.append(path)
        _index_body(module, body, path)
    module.files = tuple(files)
    module.problems = tuple(problems.values())
    module.problem_files = problems
    return module


def _index_body(module: ModuleFiles, body: Body, path: str) -> None:
    for block in body.blocks:
        module.block_files[id(block)] = path
        labels = block.labels
        if block.type == "resource" and len(labels) == 2:
            module.resources[(labels[0], labels[1])] = block
        elif block.type == "data" and len(labels) == 2:
            module.data[(labels[0], labels[1])] = block
        elif block.type == "variable" and len(labels) == 1:
            module.variables[labels[0]] = block
        elif block.type == "locals":
            for attribute in block.body.attributes.values():
                module.locals[attribute.name] = attribute
        elif block.type == "module" and len(labels) == 1:
            module.modules[labels[0]] = block
        elif block.type == "output" and len(labels) == 1:
            module.outputs[labels[0]] = block


def read_tfvars(directory: str) -> dict[str, Value]:
    """Values of ``terraform.tfvars`` and ``*.auto.tfvars`` (HCL or JSON), later files winning."""
    names = [n for n, _, _ in _stamp(directory)]
    ordered: list[str] = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    ordered += sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    values: dict[str, Value] = {}
    empty = _EmptyScope(directory)
    for name in ordered:
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(_MAX_FILE_BYTES)
        except (OSError, UnicodeDecodeError):
            continue
        if name.endswith(".json"):
            try:
                raw = json.loads(text)
            except ValueError:
                continue
            if isinstance(raw, dict):
                for key, item in raw.items():
                    try:
                        values[str(key)] = from_json(item)
                    except (EvalError, RecursionError):
                        values[str(key)] = UnknownValue(f"{name}: the value of {key} cannot be read")
            continue
        body = parse_body(text, name)
        if isinstance(body, Body):
            for attribute in body.attributes.values():
                values[attribute.name] = Evaluator(empty).safe_eval(attribute.expr)
    return values


@dataclass
class _EmptyScope:
    directory: str

    def lookup(self, name: str) -> Value | Missing:
        return MISSING

    @property
    def root_dir(self) -> str:
        return self.directory


# ------------------------------------------------------------------------------- instances
def _key_text(key: Value) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return "[" + json.dumps(to_string(key, "an instance key")) + "]"


class LazyObject(Mapping[str, Value]):
    """An object whose attributes are evaluated when read (and then remembered)."""

    def __init__(self) -> None:
        self._cache: dict[str, Value] = {}
        self._busy: set[str] = set()

    def _names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _compute(self, name: str) -> Value:
        raise NotImplementedError

    def __getitem__(self, name: str) -> Value:
        if name in self._cache:
            return self._cache[name]
        if name in self._busy:
            return UnknownValue(f"{self._describe()}.{name} refers to itself")
        self._busy.add(name)
        try:
            value = self._compute(name)
        finally:
            self._busy.discard(name)
        self._cache[name] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __len__(self) -> int:
        return len(self._names())

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def _describe(self) -> str:
        return "the object"


class _Table(LazyObject):
    """Names of one kind (``var``, ``local``, resources of a type, ...) answered by a function."""

    def __init__(self, names: tuple[str, ...], compute: Callable[[str], Value], what: str) -> None:
        super().__init__()
        self.names = names
        self.known = frozenset(names)  # membership in constant time: a table may hold 10,000s of names
        self.compute = compute
        self.what = what

    def _names(self) -> tuple[str, ...]:
        return self.names

    def __contains__(self, name: object) -> bool:
        try:
            return name in self.known
        except TypeError:  # an unhashable key is no name
            return False

    def _compute(self, name: str) -> Value:
        if name not in self.known:
            raise KeyError(name)
        return self.compute(name)

    def _describe(self) -> str:
        return self.what


class BlockObject(LazyObject):
    """A block's body: attributes evaluated in ``scope``; nested blocks (and ``dynamic`` ones) as lists."""

    def __init__(self, body: Body, scope: Scope, where: str) -> None:
        super().__init__()
        self.body = body
        self.scope = scope
        self.where = where
        self._known_names: tuple[str, ...] | None = None

    def _names(self) -> tuple[str, ...]:
        if self._known_names is None:
            self._known_names = _body_names(self.body)
        return self._known_names

    def _compute(self, name: str) -> Value:
        attribute = self.body.attributes.get(name)
        if attribute is not None:
            return Evaluator(self.scope).safe_eval(attribute.expr)
        if any(b.type == name or (b.type == "dynamic" and b.labels[:1] == (name,)) for b in self.body.blocks):
            return nested_blocks(self.body, name, self.scope, f"{self.where}.{name}")
        raise KeyError(name)

    def _describe(self) -> str:
        return self.where


def _body_names(body: Body) -> tuple[str, ...]:
    """The names a block's body answers: its attributes, then its kinds of nested blocks."""
    names = [a.name for a in body.items if isinstance(a, Attribute) and a.name not in _META_ARGUMENTS]
    for block in body.blocks:
        kind = block.labels[0] if block.type == "dynamic" and block.labels else block.type
        if kind not in names and kind not in _META_ARGUMENTS:
            names.append(kind)
    return tuple(names)


def nested_blocks(body: Body, name: str, scope: Scope, where: str) -> Value:
    """The blocks named ``name`` in a body, in source order, ``dynamic`` blocks expanded."""
    pieces: list[Value] = []
    for block in body.blocks:
        if block.type == name:
            pieces.append((BlockObject(block.body, scope, where),))
        elif block.type == "dynamic" and block.labels[:1] == (name,):
            pieces.append(_dynamic(block, scope, where))
    return lift(pieces, _concat_tuples)


def _concat_tuples(pieces: list[Value]) -> Value:
    out: list[Value] = []
    for piece in pieces:
        if isinstance(piece, UnknownValue):
            return piece
        if isinstance(piece, tuple):
            out.extend(piece)
    return tuple(out)


def _dynamic(block: Block, scope: Scope, where: str) -> Value:
    name = block.labels[0]
    attributes = block.body.attributes
    contents = [b for b in block.body.blocks if b.type == "content"]
    if "for_each" not in attributes or len(contents) != 1:
        return UnknownValue(f'the dynamic "{name}" block in {where} has no for_each or no single content block')
    iterator = name
    if "iterator" in attributes:
        expr = attributes["iterator"].expr
        written = render(expr)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", written):
            return UnknownValue(f'the dynamic "{name}" block in {where} has an iterator that is not a name')
        iterator = written
    collection = Evaluator(scope).safe_eval(attributes["for_each"].expr)
    content = contents[0].body

    def expand(args: list[Value]) -> Value:
        value = args[0]
        if isinstance(value, UnknownValue | EncodedJson):
            reason = value.reason if isinstance(value, UnknownValue) else "it holds values not known yet"
            return UnknownValue(f'the dynamic "{name}" blocks in {where} cannot be known: {reason}')
        pairs: list[tuple[Value, Value]]
        if isinstance(value, tuple):
            pairs = list(enumerate(value))
        elif isinstance(value, Mapping):
            pairs = [(k, value[k]) for k in sorted(value)]
        elif value is None:
            pairs = []
        else:
            return UnknownValue(f'the for_each of the dynamic "{name}" block in {where} is not a collection')
        out: list[Value] = []
        for key, item in pairs:
            bound = Bindings(scope, {iterator: {"key": key, "value": item}})
            out.append(BlockObject(content, bound, where))
        return tuple(out)

    return lift([collection], expand)


class Instance(BlockObject):
    """One instance of a resource or data source (``each``/``count`` bound)."""

    def __init__(self, module: ModuleInstance, block: Block, mode: str, type_: str, address: str, scope: Scope) -> None:
        super().__init__(block.body, scope, address)
        self.module = module
        self.block = block
        self.mode = mode
        self.type = type_
        self.address = address

    def _compute(self, name: str) -> Value:
        if self.mode == "data" and self.type == "aws_iam_policy_document" and name in ("json", "minified_json"):
            from ._iam import policy_document_json

            return policy_document_json(self)
        try:
            value = super()._compute(name)
        except KeyError:
            if name in _META_ARGUMENTS:
                raise
        else:
            if value is not None or (self.type, name) not in _COMPUTED_WHEN_NULL or self.mode != "managed":
                return value
        ref = Ref(self.address, self.type, self.mode, name)
        if self.mode == "data":
            return UnknownValue(f"{ref.text} is read from AWS when Terraform runs", ref)
        return UnknownValue(f"{ref.text} is known only after apply", ref)


# --------------------------------------------------------------------------------- modules
class ModuleInstance:
    """One instance of a module: the root, or a call of a local module (``path`` from the root)."""

    def __init__(
        self,
        files: ModuleFiles,
        root_dir: str,
        path: tuple[tuple[str, Value | None], ...] = (),
        caller: ModuleInstance | None = None,
        call: Block | None = None,
        call_scope: Scope | None = None,
        tfvars: Mapping[str, Value] | None = None,
        modules: ModuleCache | None = None,
    ) -> None:
        self.files = files
        if modules is None:
            modules = caller.modules if caller is not None else ModuleCache()
        self.modules: ModuleCache = modules
        self.root = root_dir
        self.path = path
        self.caller = caller
        self.call = call
        self.call_scope = call_scope
        self.tfvars = tfvars or {}
        self.prefix = "".join(f"module.{name}{'' if key is None else _key_text(key)}." for name, key in path)
        self._tables: dict[str, Value] = {}
        self._resources: dict[tuple[str, str, str], Value] = {}
        self._children: dict[str, Value] = {}

    # ---------------------------------------------------------------------------- the scope
    @property
    def root_dir(self) -> str:
        return self.root

    def lookup(self, name: str) -> Value | Missing:
        if name in self._tables:
            return self._tables[name]
        table = self._table(name)
        if table is not MISSING:
            self._tables[name] = table  # type: ignore[assignment]
        return table

    def _table(self, name: str) -> Value | Missing:
        files = self.files
        if name == "var":
            return _Table(tuple(files.variables), self.variable, "var")
        if name == "local":
            return _Table(tuple(files.locals), self.local, "local")
        if name == "path":
            return {"module": files.directory, "root": self.root, "cwd": self.root}
        if name == "terraform":
            workspace = UnknownValue(
                "terraform.workspace is chosen when Terraform runs", template="${terraform.workspace}"
            )
            return {"workspace": workspace}
        if name == "data":
            types = tuple(dict.fromkeys(t for t, _ in files.data))
            return _Table(types, lambda t: self._type_table("data", t), "data")
        if name == "module":
            return _Table(tuple(files.modules), self.child_value, "module")
        if name in ("count", "each", "self"):
            return MISSING
        if any(t == name for t, _ in files.resources):
            return self._type_table("managed", name)
        return MISSING

    def _type_table(self, mode: str, type_: str) -> Value:
        table = self.files.blocks(mode)
        names = tuple(n for t, n in table if t == type_)
        what = f"data.{type_}" if mode == "data" else type_
        return _Table(names, lambda n: self.resource(mode, type_, n), what)

    # ---------------------------------------------------------------------------- variables
    def variable(self, name: str) -> Value:
        """The variable's value converted to its ``type`` (``optional()`` defaults filled in)."""
        block = self.files.variables.get(name)
        value = self._variable_value(name, block)
        type_attribute = block.body.attributes.get("type") if block is not None else None
        if type_attribute is None:
            return value
        constant = Evaluator(_EmptyScope(self.files.directory))
        return convert_to_type(value, type_attribute.expr, constant.safe_eval)

    def _variable_value(self, name: str, block: Block | None) -> Value:
        if self.call is not None and self.call_scope is not None:
            argument = self.call.body.attributes.get(name)
            if argument is not None:
                return Evaluator(self.call_scope).safe_eval(argument.expr)
        elif name in self.tfvars:
            return self.tfvars[name]
        if block is not None and "default" in block.body.attributes:
            return Evaluator(_EmptyScope(self.files.directory)).safe_eval(block.body.attributes["default"].expr)
        return UnknownValue(
            f"var.{name} has no default: its value is given when Terraform runs", template=f"${{var.{name}}}"
        )

    def local(self, name: str) -> Value:
        return Evaluator(self).safe_eval(self.files.locals[name].expr)

    # ---------------------------------------------------------------------------- resources
    def resource(self, mode: str, type_: str, name: str) -> Value:
        """Every instance of ``type_.name``: one object, a list (count) or a map (for_each)."""
        key = (mode, type_, name)
        if key in self._resources:
            return self._resources[key]
        table = self.files.blocks(mode)
        block = table[(type_, name)]
        base = f"{self.prefix}{'data.' if mode == 'data' else ''}{type_}.{name}"
        value = instances(
            block, self, lambda scope, key: Instance(self, block, mode, type_, base + _suffix(key), scope), base
        )
        self._resources[key] = value
        return value

    def instance(self, mode: str, type_: str, name: str, key: Value | None) -> Instance | UnknownValue | None:
        """The instance with that key (None: no key); None when there is no such instance."""
        table = self.files.blocks(mode)
        if (type_, name) not in table:
            return None
        value = self.resource(mode, type_, name)
        if isinstance(value, UnknownValue):
            return value
        if isinstance(value, Choice):
            return UnknownValue(f"whether {type_}.{name} exists depends on {value.condition}")
        if key is None:
            return value if isinstance(value, Instance) else None
        if isinstance(value, tuple) and isinstance(key, int) and 0 <= key < len(value):
            found = value[key]
            return found if isinstance(found, Instance) else None
        if isinstance(value, Mapping) and not isinstance(value, Instance) and isinstance(key, str) and key in value:
            found = value[key]
            return found if isinstance(found, Instance) else None
        return None

    # ------------------------------------------------------------------------------ modules
    def child_value(self, name: str) -> Value:
        """``module.<name>``: its outputs (per instance for for_each/count)."""
        if name in self._children:
            return self._children[name]
        made = self._child_instances(name)

        def outputs(value: Value) -> Value:
            if isinstance(value, ModuleInstance):
                return value.outputs()
            if isinstance(value, tuple):
                return tuple(outputs(v) for v in value)
            if isinstance(value, Mapping):
                return {k: outputs(value[k]) for k in value}
            return value

        result = lift([made], lambda args: outputs(args[0]))
        self._children[name] = result
        return result

    def _child_instances(self, name: str) -> Value:
        call = self.files.modules[name]
        source_attr = call.body.attributes.get("source")
        source = Evaluator(self).safe_eval(source_attr.expr) if source_attr else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            shown = source if isinstance(source, str) else "an unknown source"
            return UnknownValue(f"module.{name} comes from {shown}, which this checker does not read")
        if len(self.path) >= _MAX_MODULE_DEPTH:
            return UnknownValue(f"module.{name} is nested more than {_MAX_MODULE_DEPTH} modules deep")
        directory = os.path.normpath(os.path.join(self.files.directory, source))
        files = self.modules.read(directory)
        base = f"{self.prefix}module.{name}"

        def make(scope: Scope, key: Value | None) -> Value:
            return ModuleInstance(files, self.root, (*self.path, (name, key)), self, call, scope)  # type: ignore[return-value]

        return instances(call, self, make, base)

    def child(self, name: str, key: Value | None) -> ModuleInstance | UnknownValue | None:
        if name not in self.files.modules:
            return None
        value = self._child_instances(name)
        if isinstance(value, UnknownValue):
            return value
        if isinstance(value, Choice):
            return UnknownValue(f"whether module.{name} exists depends on {value.condition}")
        if key is None:
            return value if isinstance(value, ModuleInstance) else None
        found: object = None
        if isinstance(value, tuple) and isinstance(key, int) and 0 <= key < len(value):
            found = value[key]
        if isinstance(value, Mapping) and isinstance(key, str) and key in value:
            found = value[key]
        return found if isinstance(found, ModuleInstance) else None

    def outputs(self) -> Value:
        def output(name: str) -> Value:
            value = self.files.outputs[name].body.attributes.get("value")
            return Evaluator(self).safe_eval(value.expr) if value else None

        return _Table(tuple(self.files.outputs), output, f"{self.prefix}outputs")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _suffix(key: Value | None) -> str:
    return "" if key is None else _key_text(key)


def instances(block: Block, module: ModuleInstance, maker: Callable[[Scope, Value | None], Value], base: str) -> Value:
    """The instances a block's ``count``/``for_each`` makes, each made by ``maker(scope, key)``."""
    attributes = block.body.attributes
    if "for_each" in attributes:
        collection = Evaluator(module).safe_eval(attributes["for_each"].expr)

        def per_key(args: list[Value]) -> Value:
            value = args[0]
            if isinstance(value, UnknownValue | EncodedJson):
                reason = value.reason if isinstance(value, UnknownValue) else "it holds values not known yet"
                return UnknownValue(f"the instances of {base} are not known: its for_each {reason}")
            pairs: list[tuple[str, Value]]
            if isinstance(value, Mapping):
                pairs = [(k, value[k]) for k in sorted(value)]
            elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                pairs = [(str(v), v) for v in sorted(set(value), key=str)]
            else:
                return UnknownValue(f"the for_each of {base} is not a map or a set of strings")
            out: dict[str, Value] = {}
            for key, item in pairs:
                scope = Bindings(module, {"each": {"key": key, "value": item}})
                out[key] = maker(scope, key)
            return out

        return lift([collection], per_key)
    if "count" in attributes:
        count = Evaluator(module).safe_eval(attributes["count"].expr)

        def per_index(args: list[Value]) -> Value:
            value = args[0]
            if isinstance(value, UnknownValue | EncodedJson):
                reason = value.reason if isinstance(value, UnknownValue) else "it is not known"
                return UnknownValue(f"the instances of {base} are not known: its count {reason}")
            try:
                number = to_number(value, "count")
            except EvalError:
                return UnknownValue(f"the count of {base} is not a number")
            if not isinstance(number, int) or not 0 <= number <= 10_000:
                return UnknownValue(f"the count of {base} is not a whole number from 0 to 10000")
            return tuple(maker(Bindings(module, {"count": {"index": i}}), i) for i in range(number))

        return lift([count], per_index)
    return maker(module, None)


# ------------------------------------------------------------------------------ addresses
_ADDRESS_STEP = re.compile(r'(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<key>\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?(?:\.|$)')


def split_address(address: str) -> tuple[tuple[tuple[str, Value | None], ...], str, str, str, Value | None] | None:
    """``module.a["x"].data.t.n[0]`` -> (module path, mode, type, name, key); None if not an address."""
    steps: list[tuple[str, Value | None]] = []
    pos = 0
    while pos < len(address):
        match = _ADDRESS_STEP.match(address, pos)
        if not match:
            return None
        key_text = match.group("key")
        key: Value | None = None
        if key_text:
            inner = key_text[1:-1]
            key = int(inner) if inner.isdigit() else json.loads(inner)
        steps.append((match.group("name"), key))
        pos = match.end()
    modules: list[tuple[str, Value | None]] = []
    while len(steps) >= 2 and steps[0] == ("module", None):
        modules.append(steps[1])
        steps = steps[2:]
    mode = "managed"
    if steps and steps[0] == ("data", None):
        mode = "data"
        steps = steps[1:]
    if len(steps) != 2 or steps[0][1] is not None:
        return None
    return tuple(modules), mode, steps[0][0], steps[1][0], steps[1][1]


class ModuleTree:
    """A root module and every local module it calls, read from disk (each directory once; with
    ``modules``, once for every tree that shares it)."""

    def __init__(self, root_dir: str, modules: ModuleCache | None = None) -> None:
        self.root_dir = os.path.abspath(root_dir)
        modules = modules if modules is not None else ModuleCache()
        self.files = modules.read(self.root_dir)
        self.root = ModuleInstance(self.files, self.root_dir, tfvars=read_tfvars(self.root_dir), modules=modules)

    def module_at(self, path: tuple[tuple[str, Value | None], ...]) -> ModuleInstance | UnknownValue | None:
        current: ModuleInstance = self.root
        for name, key in path:
            found = current.child(name, key)
            if not isinstance(found, ModuleInstance):
                return found
            current = found
        return current

    def instance_at(self, address: str) -> Instance | UnknownValue | None:
        """The resource or data instance at a Terraform/Checkov address (``data.`` optional for
        data sources is not guessed: give it)."""
        parts = split_address(address)
        if parts is None:
            return None
        path, mode, type_, name, key = parts
        module = self.module_at(path)
        if not isinstance(module, ModuleInstance):
            return module
        return module.instance(mode, type_, name, key)

    def block_instances(self, address: str) -> list[Instance] | None:
        """Every instance of the block at ``address`` (given without an index), in Terraform's
        order, when the files settle its ``count``/``for_each``; None when they do not (or there
        is no such block)."""
        found = self._block_at(address, indexed=False)
        if found is None:
            return None
        module, mode, type_, name, _ = found
        value = module.resource(mode, type_, name)
        if isinstance(value, Instance):
            return [value]
        if isinstance(value, tuple) and all(isinstance(v, Instance) for v in value):
            return [v for v in value if isinstance(v, Instance)]
        if isinstance(value, dict) and all(isinstance(v, Instance) for v in value.values()):
            return [v for v in value.values() if isinstance(v, Instance)]
        return None

    def conditional_instance(self, address: str) -> tuple[Instance, str] | None:
        """The one instance of a block whose ``count`` is 0 or 1 under a condition the files do not
        settle (``count = var.enabled ? 1 : 0``), with the condition under which it exists."""
        located = self._block_at(address, indexed=False)
        if located is None:
            return None
        module, mode, type_, name, block = located
        if "count" not in block.body.attributes:
            return None
        count = Evaluator(module).safe_eval(block.body.attributes["count"].expr)
        found = branches(count)
        if not isinstance(count, Choice) or found is None:
            return None
        creating = [conditions for conditions, value in found if value == 1]
        if not creating or any(value not in (0, 1) for _, value in found):
            return None
        condition = " or ".join(" and ".join(c) for c in creating)
        prefix = module.prefix + ("data." if mode == "data" else "")
        instance = Instance(
            module, block, mode, type_, f"{prefix}{type_}.{name}[0]", Bindings(module, {"count": {"index": 0}})
        )
        return instance, condition

    def expression(self, address: str, name: str) -> Expr | None:
        """The expression written for a top-level attribute of the block at ``address``."""
        found = self._block_at(address, indexed=True)
        attribute = found[4].body.attributes.get(name) if found is not None else None
        return attribute.expr if attribute is not None else None

    def _block_at(self, address: str, *, indexed: bool) -> tuple[ModuleInstance, str, str, str, Block] | None:
        """(module, mode, type, name, block) of the block at ``address``; None when the address does
        not parse, names an index and ``indexed`` is false, or its module or block is not in the files."""
        parts = split_address(address)
        if parts is None or (not indexed and parts[4] is not None):
            return None
        path, mode, type_, name, _ = parts
        module = self.module_at(path)
        if not isinstance(module, ModuleInstance):
            return None
        block = module.files.blocks(mode).get((type_, name))
        return None if block is None else (module, mode, type_, name, block)

    def attribute(self, address: str, name: str) -> Value:
        """The attribute ``name`` of the instance at ``address`` (its nested blocks as objects)."""
        found = self.instance_at(address)
        if found is None:
            return UnknownValue(f"{address} is not in the scanned files")
        if isinstance(found, UnknownValue):
            return found
        if name not in found and not name.isidentifier():
            return UnknownValue(f"{address} has no attribute {name}")
        return found[name]

    def evaluate_text(self, text: str, address: str | None = None) -> Value:
        """An expression evaluated where the instance at ``address`` is (its module, ``each``/
        ``count`` bound), or at the root."""
        expr = parse_expression(text)
        if isinstance(expr, SyntaxProblem):
            return UnknownValue(expr.message)
        scope: Scope = self.root
        if address is not None:
            found = self.instance_at(address)
            if isinstance(found, Instance):
                scope = found.scope
        return Evaluator(scope).safe_eval(expr)
