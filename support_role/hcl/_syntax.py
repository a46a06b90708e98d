"""HCL native syntax: expressions, string templates and configuration bodies, parsed into a tree.

A hand-written recursive-descent parser that works on the characters directly (templates nest
expressions that nest templates, which a separate lexer would have to track anyway). It follows
the HashiCorp HCL native syntax specification: newlines are insignificant inside parentheses,
brackets and template interpolations and end an attribute or object item elsewhere; bare
identifiers are object keys; ``x.0`` is the legacy index form of ``x[0]``; ``[*]`` and ``.*``
are splats; heredocs (``<<EOT``, ``<<-EOT``) and template directives (``%{ if }``, ``%{ for }``)
with ``~`` strip markers.

Nothing here raises on any input: :func:`parse_expression`, :func:`parse_template` and
:func:`parse_body` return a :class:`SyntaxProblem` naming the position and what was expected.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

# ------------------------------------------------------------------------------------ tree
_MAX_DEPTH = 120  # nesting beyond this is refused, far below Python's own recursion limit


@dataclass(frozen=True)
class SyntaxProblem:
    """Why a text is not HCL: the message names the line, the column and what was expected."""

    message: str


@dataclass(frozen=True)
class Literal:
    value: bool | int | float | None


@dataclass(frozen=True)
class Interp:
    expr: Expr


@dataclass(frozen=True)
class IfDirective:
    condition: Expr
    then: tuple[TemplatePart, ...]
    otherwise: tuple[TemplatePart, ...]


@dataclass(frozen=True)
class ForDirective:
    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[TemplatePart, ...]


TemplatePart = str | Interp | IfDirective | ForDirective


@dataclass(frozen=True)
class Template:
    """A quoted string, heredoc or template file: literal text and interpolations."""

    parts: tuple[TemplatePart, ...]


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class GetAttr:
    source: Expr
    name: str


@dataclass(frozen=True)
class Index:
    source: Expr
    key: Expr


@dataclass(frozen=True)
class SplatAnchor:
    """Stands for each element inside a splat's traversal."""


@dataclass(frozen=True)
class Splat:
    """``source[*].a.b`` or ``source.*.a``: ``each`` is evaluated with the anchor bound to every element."""

    source: Expr
    each: Expr


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    expand_last: bool = False


@dataclass(frozen=True)
class TupleCons:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class ObjectCons:
    items: tuple[tuple[Expr, Expr], ...]  # key expressions (a bare identifier is a literal key)


@dataclass(frozen=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Expr
    value: Expr
    key: Expr | None  # object form: {for ... : key => value}
    group: bool
    condition: Expr | None


@dataclass(frozen=True)
class Conditional:
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Expr


@dataclass(frozen=True)
class Parens:
    expr: Expr


Expr = (
    Literal
    | Template
    | Variable
    | GetAttr
    | Index
    | SplatAnchor
    | Splat
    | Call
    | TupleCons
    | ObjectCons
    | ForExpr
    | Conditional
    | Binary
    | Unary
    | Parens
)


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Body:
    """Attributes and blocks in source order (``items``), with lookups by name."""

    items: tuple[Attribute | Block, ...]

    # Computed once per body (the evaluator asks for them on every attribute it reads); read-only
    # by convention, as the body is.
    @cached_property
    def attributes(self) -> dict[str, Attribute]:
        return {item.name: item for item in self.items if isinstance(item, Attribute)}

    @cached_property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(item for item in self.items if isinstance(item, Block))


# ---------------------------------------------------------------------------------- parser
class _Error(Exception):
    """Internal: the parse failed here. Never leaves this module."""


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<=", ">=", "<", ">"),
    ("+", "-"),
    ("*", "/", "%"),
)
# Every binary operator with its level (a higher level binds tighter), longest first.
_BINARY_OPERATORS: tuple[tuple[str, int], ...] = tuple(
    sorted(((op, level) for level, ops in enumerate(_BINARY_LEVELS) for op in ops), key=lambda o: -len(o[0]))
)
_OPERATOR_START = frozenset(op[0] for ops in _BINARY_LEVELS for op in ops)
# Spaces, tabs and comments (with newlines: and newlines); a /* comment */ may span lines.
_BLANKS = re.compile(r"(?:[ \t\r]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
_BLANKS_AND_NEWLINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
# A run of template text without anything special in it (escapes, newlines, quotes, ${, %{).
_PLAIN_QUOTED = re.compile(r'[^"\\\n$%]+')
_PLAIN_STRING = re.compile(r'([^"\\\n$%]*)"')  # a whole quoted string without escapes or templates
_PLAIN_BARE = re.compile(r"[^$%]+")
_FULL_SPLAT = re.compile(r"\[[ \t]*\*[ \t]*\]")
_KEY_END = re.compile(r"[ \t]*(==|::|=>|=|:)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self._newlines: list[int] | None = None

    # ----------------------------------------------------------------------------- helpers
    def fail(self, expected: str) -> _Error:
        line = self.text.count("\n", 0, self.pos) + 1
        column = self.pos - (self.text.rfind("\n", 0, self.pos) + 1) + 1
        found = self.text[self.pos : self.pos + 12]
        shown = repr(found) if found else "the end"
        return _Error(f"line {line}, column {column}: expected {expected}, found {shown}")

    def line(self) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, self.pos) + 1

    def skip(self, newlines: bool) -> None:
        """Skip spaces, tabs and comments (and newlines when they are insignificant)."""
        found = (_BLANKS_AND_NEWLINES if newlines else _BLANKS).match(self.text, self.pos)
        self.pos = found.end() if found is not None else self.pos
        if self.text.startswith("/*", self.pos):  # a comment that is not closed
            raise self.fail("the end of a /* comment */")

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def accept(self, token: str, newlines: bool) -> bool:
        self.skip(newlines)
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str, newlines: bool) -> None:
        if not self.accept(token, newlines):
            raise self.fail(repr(token))

    def ident(self, newlines: bool) -> str | None:
        self.skip(newlines)
        match = _IDENT.match(self.text, self.pos)
        if not match:
            return None
        self.pos = match.end()
        return match.group(0)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail(f"at most {_MAX_DEPTH} levels of nesting")

    # --------------------------------------------------------------------------- expressions
    def expression(self, nl: bool) -> Expr:
        """One expression; ``nl``: newlines are insignificant (inside brackets/parentheses)."""
        self.enter()
        try:
            condition = self.binary(0, nl)
            if self.accept("?", nl):
                then = self.expression(nl)
                self.expect(":", nl)
                otherwise = self.expression(nl)
                return Conditional(condition, then, otherwise)
            return condition
        finally:
            self.depth -= 1

    def binary(self, level: int, nl: bool) -> Expr:
        """Operands joined by operators of ``level`` or tighter (precedence climbing: every
        operator is left-associative, a higher level binds tighter)."""
        left = self.unary(nl)
        while True:
            found = self.binary_operator(nl)
            if found is None or found[1] < level:
                return left
            op, op_level = found
            self.pos += len(op)
            right = self.binary(op_level + 1, nl)
            left = Binary(op, left, right)

    def binary_operator(self, nl: bool) -> tuple[str, int] | None:
        """The binary operator at the position (after blanks), not consumed; None when there is none."""
        self.skip(nl)
        text, pos = self.text, self.pos
        if pos >= len(text) or text[pos] not in _OPERATOR_START:
            return None
        for op, level in _BINARY_OPERATORS:
            if text.startswith(op, pos):
                # "=>" (for expressions) and a lone "=" are no operators; nor are "<<" / ">>"
                # (a heredoc), nor the "*" of a "[*]" splat
                if op in ("<", ">") and text.startswith(op + op, pos):
                    return None
                if op == "*" and text.startswith("*]", pos):
                    return None
                return op, level
        return None

    def unary(self, nl: bool) -> Expr:
        self.skip(nl)
        for op in ("!", "-"):
            if self.peek(op) and not self.peek("!="):
                self.pos += 1
                self.enter()
                try:
                    return Unary(op, self.unary(nl))
                finally:
                    self.depth -= 1
        return self.postfix(self.primary(nl), nl)

    def postfix(self, expr: Expr, nl: bool) -> Expr:
        while True:
            self.skip(nl)
            if self.peek(".*"):
                self.pos += 2
                expr = Splat(expr, self.splat_chain(SplatAnchor(), nl, attr_only=True))
                continue  # an index after an attribute-only splat indexes its result
            if self.peek("[*]") or _FULL_SPLAT.match(self.text, self.pos):
                self.pos = self.text.index("]", self.pos) + 1
                expr = Splat(expr, self.splat_chain(SplatAnchor(), nl, attr_only=False))
                continue
            step = self.traversal_step(expr, nl)
            if step is None:
                return expr
            expr = step

    def traversal_step(self, expr: Expr, nl: bool) -> Expr | None:
        if self.peek(".") and not self.peek("..."):
            self.pos += 1
            self.skip(nl)
            number = re.match(r"[0-9]+", self.text[self.pos :])
            if number:  # legacy index: x.0
                self.pos += number.end()
                return Index(expr, Literal(int(number.group(0))))
            name = self.ident(nl)
            if name is None:
                raise self.fail("an attribute name after '.'")
            return GetAttr(expr, name)
        if self.peek("["):
            self.pos += 1
            key = self.expression(True)
            self.expect("]", True)
            return Index(expr, key)
        return None

    def splat_chain(self, anchor: Expr, nl: bool, attr_only: bool) -> Expr:
        expr = anchor
        while True:
            self.skip(nl)
            if attr_only and self.peek("["):
                return expr
            if self.peek(".*") or self.peek("[*]"):
                return expr  # a second splat applies to the result of the first
            step = self.traversal_step(expr, nl)
            if step is None:
                return expr
            expr = step

    def primary(self, nl: bool) -> Expr:
        self.skip(nl)
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise self.fail("an expression")
        char = text[pos]
        if char == '"':
            self.pos += 1
            return Template(self.template_parts(quoted=True, end=None))
        if text.startswith("<<", pos):
            return self.heredoc()
        if char == "(":
            self.pos += 1
            inner = self.expression(True)
            self.expect(")", True)
            return Parens(inner)
        if char == "[":
            self.pos += 1
            return self.tuple_or_for()
        if char == "{":
            self.pos += 1
            return self.object_or_for()
        number = _NUMBER.match(text, pos)
        if number:
            self.pos = number.end()
            raw = number.group(0)
            value: int | float = int(raw) if re.fullmatch(r"[0-9]+", raw) else float(raw)
            return Literal(value)
        name = self.ident(nl)
        if name is None:
            raise self.fail("an expression")
        if name in ("true", "false"):
            return Literal(name == "true")
        if name == "null":
            return Literal(None)
        full = name
        while self.peek("::"):  # provider functions: provider::aws::arn_parse(...)
            self.pos += 2
            part = self.ident(False)
            if part is None:
                raise self.fail("a name after '::'")
            full += "::" + part
        if self.peek("("):
            self.pos += 1
            return self.call(full)
        if full != name:
            raise self.fail("'(' after a provider function name")
        return Variable(name)

    def call(self, name: str) -> Expr:
        args: list[Expr] = []
        expand = False
        self.enter()
        try:
            while not self.accept(")", True):
                if args and not expand:
                    self.expect(",", True)
                    if self.accept(")", True):
                        break
                elif expand:
                    raise self.fail("')' after an expanded argument '...'")
                args.append(self.expression(True))
                if self.accept("...", True):
                    expand = True
            return Call(name, tuple(args), expand)
        finally:
            self.depth -= 1

    def for_head(self) -> tuple[str | None, str, Expr]:
        """A ``for`` expression's head up to and with its ``:`` (the directive's head has none)."""
        head = self.for_head_template()
        self.expect(":", True)
        return head

    def for_keyword(self) -> bool:
        self.skip(True)
        match = _IDENT.match(self.text, self.pos)
        if match and match.group(0) == "for":
            after = self.text[match.end() : match.end() + 1]
            if after in (" ", "\t", "\n", "\r"):
                self.pos = match.end()
                return True
        return False

    def tuple_or_for(self) -> Expr:
        self.enter()
        try:
            if self.for_keyword():
                key_var, value_var, collection = self.for_head()
                value = self.expression(True)
                condition = self.expression(True) if self.keyword("if") else None
                self.expect("]", True)
                return ForExpr(key_var, value_var, collection, value, None, False, condition)
            items: list[Expr] = []
            while not self.accept("]", True):
                if items:
                    self.expect(",", True)
                    if self.accept("]", True):
                        break
                items.append(self.expression(True))
            return TupleCons(tuple(items))
        finally:
            self.depth -= 1

    def keyword(self, word: str) -> bool:
        self.skip(True)
        match = _IDENT.match(self.text, self.pos)
        if match and match.group(0) == word:
            self.pos = match.end()
            return True
        return False

    def object_or_for(self) -> Expr:
        self.enter()
        try:
            if self.for_keyword():
                key_var, value_var, collection = self.for_head()
                key = self.expression(True)
                self.expect("=>", True)
                value = self.expression(True)
                group = self.accept("...", True)
                condition = self.expression(True) if self.keyword("if") else None
                self.expect("}", True)
                return ForExpr(key_var, value_var, collection, value, key, group, condition)
            items: list[tuple[Expr, Expr]] = []
            while True:
                self.skip(True)
                if self.accept("}", True):
                    break
                key = self.object_key()
                self.skip(False)
                if not (self.accept("=", False) or self.accept(":", False)):
                    raise self.fail("'=' or ':' after an object key")
                value = self.expression(False)
                items.append((key, value))
                self.skip(False)
                if self.accept(",", False) or self.accept("\n", False):
                    continue
                if self.accept("}", True):
                    break
                raise self.fail("',', a newline or '}' after an object item")
            return ObjectCons(tuple(items))
        finally:
            self.depth -= 1

    def object_key(self) -> Expr:
        match = _IDENT.match(self.text, self.pos)
        if match:
            after = _KEY_END.match(self.text, match.end())
            if after and after.group(1) in ("=", ":"):
                self.pos = match.end()
                return Template((match.group(0),))
        return self.expression(False)

    # ----------------------------------------------------------------------------- templates
    def heredoc(self) -> Template:
        match = _HEREDOC.match(self.text, self.pos)
        if not match:
            raise self.fail("a heredoc marker such as <<EOT")
        indent, marker = match.group(1) == "-", match.group(2)
        start = match.end()
        lines: list[str] = []
        pos = start
        while True:
            end = self.text.find("\n", pos)
            line = self.text[pos:] if end < 0 else self.text[pos:end]
            if line.strip() == marker:
                self.pos = len(self.text) if end < 0 else end
                break
            if end < 0:
                raise self.fail(f"the heredoc's closing {marker}")
            lines.append(line + "\n")
            pos = end + 1
        if indent:
            widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
            cut = min(widths) if widths else 0
            lines = [line[cut:] if line.strip() else line.lstrip(" \t") for line in lines]
        body = "".join(lines).replace("\r\n", "\n")
        inner = _Parser(body)
        inner.depth = self.depth
        return Template(inner.template_parts(quoted=False, end=None))

    def template_parts(self, quoted: bool, end: tuple[str, ...] | None) -> tuple[TemplatePart, ...]:
        """Template content up to the closing quote (quoted), the end of text, or a directive
        keyword in ``end`` (``else``/``endif``/``endfor``, left for the caller to consume)."""
        self.enter()
        try:
            text = self.text
            if quoted:
                simple = _PLAIN_STRING.match(text, self.pos)
                if simple is not None:  # the common case: plain text up to the closing quote
                    self.pos = simple.end()
                    return (simple.group(1),) if simple.group(1) else ()
            parts: list[TemplatePart] = []
            literal: list[str] = []
            strip_next = False

            def flush() -> None:
                nonlocal strip_next
                if literal:
                    chunk = "".join(literal)
                    if strip_next:
                        chunk = chunk.lstrip(" \t\r\n")
                    if chunk:
                        parts.append(chunk)
                    literal.clear()
                strip_next = False

            while True:
                if self.pos >= len(text):
                    if quoted:
                        raise self.fail("the closing '\"' of a string")
                    if end is not None:
                        raise self.fail("%{ " + " or ".join(end) + " }")
                    break
                char = text[self.pos]
                if quoted and char == '"':
                    self.pos += 1
                    break
                if quoted and char == "\n":
                    raise self.fail("the closing '\"' before the end of the line")
                if quoted and char == "\\":
                    literal.append(self.escape())
                    continue
                if text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                    literal.append(text[self.pos + 1 : self.pos + 3])
                    self.pos += 3
                    continue
                if text.startswith("${", self.pos):
                    self.pos += 2
                    strip_left = self.accept("~", True)
                    if strip_left and literal:
                        literal[:] = ["".join(literal).rstrip(" \t\r\n")]
                    flush()
                    expr = self.expression(True)
                    self.skip(True)
                    strip_right = self.accept("~", True)
                    self.expect("}", True)
                    parts.append(Interp(expr))
                    strip_next = strip_right
                    continue
                if text.startswith("%{", self.pos):
                    saved = self.pos
                    self.pos += 2
                    strip_left = self.accept("~", True)
                    word = self.ident(True)
                    if end is not None and word in end:
                        if strip_left and literal:
                            literal[:] = ["".join(literal).rstrip(" \t\r\n")]
                        flush()
                        self.pos = saved
                        return tuple(parts)
                    if strip_left and literal:
                        literal[:] = ["".join(literal).rstrip(" \t\r\n")]
                    flush()
                    directive, strip_right = self.directive(word, quoted)
                    parts.append(directive)
                    strip_next = strip_right
                    continue
                plain = (_PLAIN_QUOTED if quoted else _PLAIN_BARE).match(text, self.pos)
                if plain is not None:  # a run of ordinary text at once
                    literal.append(plain.group(0))
                    self.pos = plain.end()
                    continue
                literal.append(char)
                self.pos += 1
            flush()
            return tuple(parts)
        finally:
            self.depth -= 1

    def directive_close(self) -> bool:
        """Consume the rest of ``%{ word ~}``; returns whether it strips what follows."""
        strip = self.accept("~", True)
        self.expect("}", True)
        return strip

    def end_directive(self, words: tuple[str, ...]) -> tuple[str, bool]:
        self.expect("%{", False)
        self.accept("~", True)
        word = self.ident(True)
        if word not in words:
            raise self.fail("%{ " + " or ".join(words) + " }")
        return word, self.directive_close()

    def directive(self, word: str | None, quoted: bool) -> tuple[TemplatePart, bool]:
        if word == "if":
            condition = self.expression(True)
            strip = self.directive_close()
            then = self.nested(quoted, ("else", "endif"), strip)
            closing, strip = self.end_directive(("else", "endif"))
            otherwise: tuple[TemplatePart, ...] = ()
            if closing == "else":
                otherwise = self.nested(quoted, ("endif",), strip)
                _, strip = self.end_directive(("endif",))
            return IfDirective(condition, then, otherwise), strip
        if word == "for":
            key_var, value_var, collection = self.for_head_template()
            strip = self.directive_close()
            body = self.nested(quoted, ("endfor",), strip)
            _, strip = self.end_directive(("endfor",))
            return ForDirective(key_var, value_var, collection, body), strip
        raise self.fail("'if' or 'for' in a template directive")

    def nested(self, quoted: bool, end: tuple[str, ...], strip_first: bool) -> tuple[TemplatePart, ...]:
        parts = list(self.template_parts(quoted, end))
        if strip_first and parts and isinstance(parts[0], str):
            parts[0] = parts[0].lstrip(" \t\r\n")
            if not parts[0]:
                parts.pop(0)
        # a "~" on the closing directive strips the end of the body (handled in template_parts)
        return tuple(parts)

    def for_head_template(self) -> tuple[str | None, str, Expr]:
        """``k, v in collection`` (or ``v in collection``) after ``for``: (key var or None, value var, collection)."""
        first = self.ident(True)
        if first is None:
            raise self.fail("a variable name after 'for'")
        second = None
        if self.accept(",", True):
            second = self.ident(True)
            if second is None:
                raise self.fail("a second variable name")
        if self.ident(True) != "in":
            raise self.fail("'in'")
        collection = self.expression(True)
        return (first, second, collection) if second is not None else (None, first, collection)

    def escape(self) -> str:
        text = self.text
        nxt = text[self.pos + 1 : self.pos + 2]
        if nxt in _ESCAPES:
            self.pos += 2
            return _ESCAPES[nxt]
        for letter, width in (("u", 4), ("U", 8)):
            if nxt == letter:
                digits = text[self.pos + 2 : self.pos + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    self.pos += 2 + width
                    code = int(digits, 16)
                    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                        raise self.fail("a valid unicode escape")
                    return chr(code)
        raise self.fail('a valid escape sequence (\\n, \\t, \\", \\\\, \\uNNNN)')

    # ---------------------------------------------------------------------------------- bodies
    def body(self, closing: bool) -> Body:
        items: list[Attribute | Block] = []
        while True:
            self.skip(True)
            if closing and self.accept("}", True):
                return Body(tuple(items))
            if self.pos >= len(self.text):
                if closing:
                    raise self.fail("'}' closing a block")
                return Body(tuple(items))
            line = self.line()
            name = self.ident(False)
            if name is None:
                raise self.fail("an attribute or block name")
            self.skip(False)
            if self.peek("=") and not self.peek("=="):
                self.pos += 1
                expr = self.expression(False)
                items.append(Attribute(name, expr, line))
                self.end_of_item(closing)
                continue
            labels: list[str] = []
            while True:
                self.skip(False)
                if self.peek('"'):
                    self.pos += 1
                    parts = self.template_parts(quoted=True, end=None)
                    if any(not isinstance(p, str) for p in parts):
                        raise self.fail("a block label without interpolation")
                    labels.append("".join(p for p in parts if isinstance(p, str)))
                    continue
                label = self.ident(False)
                if label is None:
                    break
                labels.append(label)
            self.expect("{", False)
            self.enter()
            try:
                inner = self.body(closing=True)
            finally:
                self.depth -= 1
            items.append(Block(name, tuple(labels), inner, line, self.line()))
            self.end_of_item(closing)

    def end_of_item(self, closing: bool) -> None:
        self.skip(False)
        if self.pos >= len(self.text) or self.accept("\n", False):
            return
        if closing and self.peek("}"):
            return
        raise self.fail("a newline after an attribute or block")


def _run(text: str, what: str, action: str) -> object:
    parser = _Parser(text)
    try:
        if action == "expression":
            result: object = parser.expression(True)
            parser.skip(True)
            if parser.pos != len(text):
                raise parser.fail(f"the end of {what}")
            return result
        if action == "template":
            return Template(parser.template_parts(quoted=False, end=None))
        return parser.body(closing=False)
    except _Error as error:
        return SyntaxProblem(f"{what} is not valid HCL ({error})")
    except RecursionError:
        return SyntaxProblem(f"{what} is nested too deeply to read")


def parse_expression(text: str) -> Expr | SyntaxProblem:
    """One HCL expression (newlines allowed anywhere), or why it is not one."""
    result = _run(text, "the expression", "expression")
    return result  # type: ignore[return-value]


def parse_template(text: str) -> Template | SyntaxProblem:
    """A bare template (a ``templatefile`` file): literal text with ``${}`` and ``%{}``."""
    result = _run(text, "the template", "template")
    return result  # type: ignore[return-value]


def parse_body(text: str, what: str = "the file") -> Body | SyntaxProblem:
    """A configuration file's body: attributes and blocks."""
    result = _run(text.replace("\r\n", "\n").lstrip("\ufeff"), what, "body")
    return result  # type: ignore[return-value]


def subjects(expr: Expr) -> set[str]:
    """What an expression refers to, as Terraform's plan JSON lists it but without instance keys:
    ``var.x``, ``local.y``, ``module.m``, ``aws_iam_user.alice``, ``data.aws_iam_role.r``.

    ``each``, ``count``, ``path``, ``terraform``, ``self`` and names bound by ``for`` expressions
    are left out (they are not references to other objects).
    """
    found: set[str] = set()
    pending: list[tuple[object, frozenset[str]]] = [(expr, frozenset())]
    while pending:
        item, bound = pending.pop()
        if isinstance(item, GetAttr | Index):
            chain: list[str] = []
            current: object = item
            while isinstance(current, GetAttr | Index):
                if isinstance(current, GetAttr):
                    chain.append(current.name)
                else:
                    pending.append((current.key, bound))
                current = current.source
            if isinstance(current, Variable):
                chain.append(current.name)
                chain.reverse()
                subject = _subject(chain, bound)
                if subject:
                    found.add(subject)
            else:
                pending.append((current, bound))
            continue
        if isinstance(item, Variable):
            subject = _subject([item.name], bound)
            if subject:
                found.add(subject)
            continue
        if isinstance(item, ForExpr):
            names = frozenset(n for n in (item.key_var, item.value_var) if n)
            pending.append((item.collection, bound))
            for part in (item.value, item.key, item.condition):
                if part is not None:
                    pending.append((part, bound | names))
            continue
        if isinstance(item, ForDirective):
            names = frozenset(n for n in (item.key_var, item.value_var) if n)
            pending.append((item.collection, bound))
            pending.extend((part, bound | names) for part in item.body)
            continue
        if isinstance(item, tuple):
            pending.extend((part, bound) for part in item)
        elif hasattr(item, "__dataclass_fields__"):
            pending.extend((getattr(item, name), bound) for name in item.__dataclass_fields__)
    return found


def _subject(chain: list[str], bound: frozenset[str]) -> str | None:
    root = chain[0]
    if root in bound or root in ("each", "count", "path", "terraform", "self"):
        return None
    if root in ("var", "local", "module"):
        return f"{root}.{chain[1]}" if len(chain) > 1 else None
    if root == "data":
        return f"data.{chain[1]}.{chain[2]}" if len(chain) > 2 else None
    return f"{root}.{chain[1]}" if len(chain) > 1 else None
