"""A safe YAML node tree with the exact span of every key, value and list item.

Frontmatter of the usual shapes (`key: value` lines, lists of values) is read directly into the
tree the parser would give (`_simple_tree`); anything else goes to PyYAML's composer (the libyaml
C parser where present), imported only then, which builds the node graph; nothing is ever
constructed from a tag, so `!!python/object` and friends stay inert text. Aliases are kept as
references to the node they name and are only expanded by `to_python`, under a budget, so a
"billion laughs" frontmatter costs a few microseconds and an error instead of gigabytes.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

from .text import Span

if TYPE_CHECKING:
    import yaml


def _yaml() -> Any:
    """PyYAML, imported on first use: most frontmatter is read without it (`_simple_tree`), and
    importing it costs ~17 ms of every start of `check` and of the server."""
    import yaml

    return yaml


def loader() -> type[Any]:
    """The safe loader to compose with: libyaml's where PyYAML was built with it."""
    yaml = _yaml()
    return getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # type: ignore[no-any-return]


# How many nodes `to_python` may produce from one document before giving up: aliases can make a
# tiny file describe an exponentially large value.
EXPANSION_BUDGET = 100_000
# Nesting deeper than this is refused before parsing: both parsers recurse per level.
MAX_DEPTH = 200
# Scalars up to this many characters are interned: keys, models, colours and tool names recur in
# nearly every file of a workspace, and the index keeps every file's tree. Longer values (most
# descriptions) are seldom shared, and interning them would only grow the interned table.
INTERN_UP_TO = 48

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_STANDARD_TAG = re.compile(r"tag:yaml\.org,2002:(str|int|float|bool|null|seq|map|timestamp|binary|merge)$")


class ExpansionError(ValueError):
    """Raised by `to_python` when aliases would expand beyond the budget."""


# The node classes have `__slots__`: the index keeps a tree for every file, and a node without a
# `__dict__` is about 40 bytes smaller. Each keeps its offsets and makes its `span` when asked:
# a `Span` per node cost the index 48 bytes a node, for the few nodes a request looks at. Nodes
# compare by identity. (Plain classes, not dataclasses: `check` would import `dataclasses`, and
# build each class's methods, before reading a file.)
class ScalarNode:
    __slots__ = ("end", "start", "style", "tag", "value")

    def __init__(self, value: str, start: int, end: int, tag: str, style: str | None) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.tag = tag
        self.style = style  # None (plain), "'", '"', "|" or ">"

    def __repr__(self) -> str:
        return f"ScalarNode({self.value!r}, {self.start}, {self.end}, {self.tag!r}, {self.style!r})"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    @property
    def is_quoted(self) -> bool:
        return self.style in ("'", '"')


class SequenceNode:
    __slots__ = ("end", "flow", "items", "start", "tag")

    def __init__(self, items: tuple[Node, ...], start: int, end: int, tag: str, flow: bool) -> None:
        self.items = items
        self.start = start
        self.end = end
        self.tag = tag
        self.flow = flow

    def __repr__(self) -> str:
        return f"SequenceNode({self.items!r}, {self.start}, {self.end}, {self.tag!r}, {self.flow!r})"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


class MappingNode:
    __slots__ = ("end", "flow", "pairs", "start", "tag")

    def __init__(
        self, pairs: tuple[tuple[Node, Node], ...], start: int, end: int, tag: str, flow: bool
    ) -> None:
        self.pairs = pairs
        self.start = start
        self.end = end
        self.tag = tag
        self.flow = flow

    def __repr__(self) -> str:
        return f"MappingNode({self.pairs!r}, {self.start}, {self.end}, {self.tag!r}, {self.flow!r})"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def get(self, key: str) -> tuple[ScalarNode, Node] | None:
        """The first pair whose key is the scalar `key`."""
        for k, v in self.pairs:
            if isinstance(k, ScalarNode) and k.value == key:
                return k, v
        return None


class AliasNode:
    """`*name`: a reference to an earlier anchored node, expanded only on demand."""

    __slots__ = ("end", "start", "tag", "target")

    def __init__(self, target: Node, start: int, end: int, tag: str = "") -> None:
        self.target = target
        self.start = start
        self.end = end
        self.tag = tag

    def __repr__(self) -> str:
        return f"AliasNode(<{type(self.target).__name__}>, {self.start}, {self.end}, {self.tag!r})"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


Node = ScalarNode | SequenceNode | MappingNode | AliasNode


class YamlError(NamedTuple):
    message: str
    offset: int  # where PyYAML reports the problem, in document offsets
    context_offset: int | None


def _nesting_too_deep(text: str) -> int | None:
    """Offset where flow, block or mixed nesting passes MAX_DEPTH, checked before composing.

    The depth is counted on the parser's event stream, which is produced without recursion, so
    it is exact for every way of nesting (guessing block depth from indentation let a few hundred
    `k:` levels holding a flow list through to a RecursionError). Invalid YAML is left for
    `compose` to report.
    """
    # Every collection opens at an indicator character of its own (`-`, `:` or `?` in block
    # style, `[` or `{` in flow style), so text with no more of them than MAX_DEPTH cannot nest
    # too deep. That is nearly every frontmatter, and it spares them a second pass of the parser.
    if sum(map(text.count, "-:?[{")) <= MAX_DEPTH:
        return None
    depth = 0
    yaml = _yaml()
    try:
        for event in yaml.parse(text, Loader=loader()):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.index if event.start_mark is not None else 0
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except (yaml.YAMLError, ValueError):  # ValueError: lone surrogates cannot be encoded
        return None
    return None


def _interned(value: str) -> str:
    return sys.intern(value) if len(value) <= INTERN_UP_TO else value


def _convert(node: yaml.Node, base: int, seen: dict[int, Node]) -> Node:
    yaml = sys.modules["yaml"]  # imported: it made the node
    known = seen.get(id(node))
    if known is not None:
        return AliasNode(known, base + node.start_mark.index, base + node.end_mark.index)
    start = base + node.start_mark.index
    end = base + node.end_mark.index
    result: Node
    if isinstance(node, yaml.ScalarNode):
        result = ScalarNode(_interned(str(node.value)), start, end, node.tag, node.style)
        seen[id(node)] = result
    elif isinstance(node, yaml.SequenceNode):
        sequence = SequenceNode((), start, end, node.tag, bool(getattr(node, "flow_style", False)))
        seen[id(node)] = sequence
        sequence.items = tuple([_convert(item, base, seen) for item in node.value])
        result = sequence
    else:
        mapping = MappingNode((), start, end, node.tag, bool(getattr(node, "flow_style", False)))
        seen[id(node)] = mapping
        mapping.pairs = tuple([(_convert(k, base, seen), _convert(v, base, seen)) for k, v in node.value])
        result = mapping
    return result


# The shapes of line `_simple_tree` reads: `key: value` or `key:` at the margin, and a list item.
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +([^\r\n]*))?\r?\n")
_ITEM_LINE = re.compile(r"( *)- ([^\r\n]*)\r?\n")
# Characters for which `_simple_tree` leaves the text to the parser: those it refuses (controls,
# C1 controls, lone surrogates, U+FFFE and U+FFFF: every character outside YAML's printable set),
# and tabs, the line breaks of YAML 1.1 beyond `\n` and `\r\n` (a CR alone, NEL, LS, PS) and the
# byte order mark.
_UNUSUAL_CHARACTER = re.compile(
    # The surrogates are spelt with chr(): mypyc (hatch_build.py) takes no lone surrogate in a literal.
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
    + chr(0xD800)
    + "-"
    + chr(0xDFFF)
    + "\ufeff\ufffe\uffff]|\r(?!\n)"
)
# What a plain scalar may not start with (an indicator, or a space), or hold (a comment, or a
# colon that makes it a key), in the values `_simple_tree` reads.
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# A quoted value on one line: single-quoted (`''` is a quote), or double-quoted with the escapes
# of `_ESCAPES` only.
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\[nt"\\/])*)"')
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/"}
# The plain scalars starting with a letter that the safe loader does not read as strings: YAML
# 1.1's booleans and null. (Every other type it resolves starts with a digit, a sign, a dot, `~`,
# `<` or `=`; `test_yamltree_simple.py` holds PyYAML to that.)
_LETTER_TAGS = {
    **dict.fromkeys(
        [
            "yes",
            "Yes",
            "YES",
            "no",
            "No",
            "NO",
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
            "on",
            "On",
            "ON",
            "off",
            "Off",
            "OFF",
        ],
        _BOOL,
    ),
    **dict.fromkeys(["null", "Null", "NULL"], _NULL),
}
_OCTAL = frozenset("01234567")
_WHOLE_ONLY = {
    "<": ("<<", "tag:yaml.org,2002:merge"),
    "=": ("=", "tag:yaml.org,2002:value"),
    "~": ("~", _NULL),
}
# The first characters besides letters of the plain scalars that may be typed: those `_plain_tag`
# does not answer itself it asks PyYAML about.
_TYPED_FIRST = frozenset("0123456789+-.~<=")
# The tag of each short plain scalar resolved by PyYAML: they recur in every file.
_PLAIN_TAGS: dict[str, str] = {}


def _plain_tag(value: str) -> str:
    """The tag the safe loader resolves a (non-empty) plain scalar to."""
    first = value[0]
    if first.isalpha() and first.isascii():
        return _LETTER_TAGS.get(value, _STR)
    if value.isdigit() and value.isascii():
        # Decimal (`maxTurns: 30`) or, with a leading zero, octal: `08` is neither, so a string.
        return _INT if first != "0" or _OCTAL.issuperset(value) else _STR
    whole = _WHOLE_ONLY.get(first)
    if whole is not None:
        # `<<`, `=` and `~` have a type alone, and start only strings otherwise (`<target>`).
        return whole[1] if value == whole[0] else _STR
    if first not in _TYPED_FIRST:
        return _STR
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        yaml = _yaml()
        tag = str(yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)))
        if len(value) <= INTERN_UP_TO and len(_PLAIN_TAGS) < 4096:
            _PLAIN_TAGS[value] = tag
    return tag


def _simple_scalar(text: str, start: int) -> ScalarNode | None:
    """The node of a one-line value starting at `start`, or None unless it is a plain scalar or a
    quoted one (see `_DOUBLE_QUOTED`), followed by nothing but spaces."""
    value = text.rstrip(" ")
    if not value:
        return None
    end = start + len(value)
    first = value[0]
    if first == "'" or first == '"':
        quoted = (_SINGLE_QUOTED if first == "'" else _DOUBLE_QUOTED).fullmatch(value)
        if quoted is None:
            return None
        inner = quoted.group(1)
        if first == "'":
            if "''" in inner:
                inner = inner.replace("''", "'")
        elif "\\" in inner:
            inner = _ESCAPE.sub(lambda escape: _ESCAPES[escape.group(1)], inner)
        return ScalarNode(_interned(inner), start, end, _STR, first)
    if first in _PLAIN_FIRST or ": " in value or " #" in value or value[-1] == ":":
        return None
    return ScalarNode(_interned(value), start, end, _plain_tag(value), "")


def _simple_tree(text: str, base: int) -> MappingNode | None:
    """The tree PyYAML's composer gives (see `_convert`) for the frontmatter most agents have,
    read without the parser: lines of `key: value` at the margin, where a value is a plain scalar
    or a quoted one (see `_simple_scalar`) on the same line, or `key:` followed by nothing (null)
    or by a list of such values, one `- item` a line; blank lines between keys; each line ending
    in `\n` or `\r\n`. None for anything else (comments, other indentation, multi-line values,
    flow collections, anchors, tags, other escapes, tabs, other line breaks): the parser reads it.

    Where the composer puts each node is reproduced too: a mapping ends at the end of the text, a
    list at the next key (past blank lines) or there, and a null value is an empty scalar just
    after its key's colon."""
    if not text.endswith("\n") or _UNUSUAL_CHARACTER.search(text):
        return None
    key_line, item_line, scalar = _KEY_LINE.match, _ITEM_LINE.match, _simple_scalar
    pairs: list[tuple[Node, Node]] = []
    size = len(text)
    at = 0
    while at < size:
        if text[at] == "\n":
            at += 1
            continue
        if text.startswith("\r\n", at):
            at += 2
            continue
        line = key_line(text, at)
        if line is None:
            return None
        key_text = line.group(1)
        key_end = line.end(1)
        key = ScalarNode(_interned(key_text), base + at, base + key_end, _plain_tag(key_text), "")
        at = line.end()
        value: Node | None
        if line.group(2) is not None:
            value = scalar(line.group(2), base + line.start(2))
        else:
            items: list[Node] = []
            indent = -1
            first_item = at
            while (item := item_line(text, at)) is not None:
                if indent < 0:
                    indent, first_item = len(item.group(1)), item.end(1)
                elif len(item.group(1)) != indent:
                    return None
                node = scalar(item.group(2), base + item.start(2))
                if node is None:
                    return None
                items.append(node)
                at = item.end()
            if not items:
                value = ScalarNode("", base + key_end + 1, base + key_end + 1, _NULL, "")
            else:
                following = at
                while following < size and text[following] in "\r\n":
                    following += 1
                value = SequenceNode(tuple(items), base + first_item, base + following, _SEQ, False)
        if value is None:
            return None
        pairs.append((key, value))
    if not pairs:
        return None
    return MappingNode(tuple(pairs), pairs[0][0].start, base + size, _MAP, False)


def parse_yaml(text: str, base: int) -> tuple[Node | None, YamlError | None]:
    """Compose `text` (which starts at document offset `base`) into a node tree, safely."""
    simple = _simple_tree(text, base)
    if simple is not None:
        return simple, None
    too_deep = _nesting_too_deep(text)
    if too_deep is not None:
        return None, YamlError(f"the YAML is nested more than {MAX_DEPTH} levels deep", base + too_deep, None)
    yaml = _yaml()
    try:
        root = yaml.compose(text, Loader=loader())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        offset = base + (mark.index if mark is not None else 0)
        context_offset = base + error.context_mark.index if error.context_mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            problem = f"{problem} ({error.context})"
        return None, YamlError(problem, offset, context_offset)
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return None, YamlError(str(error).splitlines()[0] if str(error) else "invalid YAML", base, None)
    if root is None:
        return None, None
    return _convert(root, base, {}), None


def is_unsafe_tag(tag: str) -> bool:
    """A tag that names anything but the YAML core types (e.g. `!!python/object`)."""
    return bool(tag) and tag not in ("?", "!") and not _STANDARD_TAG.match(tag)


def scalar_value(node: ScalarNode) -> Any:
    """The value a YAML 1.1 safe loader would give a scalar, without constructing any object."""
    tag, value = node.tag, node.value
    try:
        if tag == _INT:
            cleaned = value.replace("_", "")
            sign = -1 if cleaned.startswith("-") else 1
            digits = cleaned.lstrip("+-")
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            if digits.startswith("0o"):
                return sign * int(digits[2:], 8)
            if digits.startswith("0b"):
                return sign * int(digits[2:], 2)
            if len(digits) > 1 and digits.startswith("0") and ":" not in digits:
                return sign * int(digits, 8)
            if ":" in digits:
                return value  # sexagesimal: rare, keep the text
            return sign * int(digits)
        if tag == _FLOAT:
            lowered = value.lower().replace("_", "")
            if lowered in (".nan",):
                return float("nan")
            if lowered in (".inf", "+.inf"):
                return float("inf")
            if lowered == "-.inf":
                return float("-inf")
            return float(lowered)
        if tag == _BOOL:
            return value.lower() in ("yes", "true", "on", "y")
        if tag == _NULL:
            return None
    except ValueError:
        return value
    return value


def to_python(node: Node | None, budget: int = EXPANSION_BUDGET) -> Any:
    """Plain Python data for a node, expanding aliases; raises ExpansionError past the budget."""
    remaining = [budget]

    # The tree as written is at most MAX_DEPTH deep, but a chain of anchors, each holding an
    # alias of the previous one, nests deeper with every link: bound the depth too, so that a few
    # hundred links give an ExpansionError instead of a RecursionError.
    def walk(current: Node, depth: int) -> Any:
        remaining[0] -= 1
        if remaining[0] < 0 or depth > MAX_DEPTH:
            raise ExpansionError("aliases expand this YAML beyond what agentls will build")
        if isinstance(current, AliasNode):
            return walk(current.target, depth)
        if isinstance(current, ScalarNode):
            return scalar_value(current)
        if isinstance(current, SequenceNode):
            return [walk(item, depth + 1) for item in current.items]
        result: dict[Any, Any] = {}
        for key, value in current.pairs:
            key_value = walk(key, depth + 1)
            if isinstance(key_value, (list, dict)):
                key_value = str(key_value)
            result[key_value] = walk(value, depth + 1)
        return result

    if node is None:
        return None
    return walk(node, 0)


def resolve(node: Node) -> Node:
    """Follow aliases to the node they name (bounded: aliases can only point backwards)."""
    steps = 0
    while isinstance(node, AliasNode) and steps < 1000:
        node = node.target
        steps += 1
    return node


def remap_spans(root: Node, origin: list[int], base: int) -> None:
    """Move every span of a tree parsed from repaired text back onto the original document.

    `origin[i]` is the original offset of repaired character i (relative to `base`).
    """
    seen: set[int] = set()
    limit = len(origin)

    def move(offset: int) -> int:
        relative = offset - base
        if relative >= limit:
            return base + (origin[-1] + 1 if origin else 0)
        return base + origin[max(relative, 0)]

    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.start, node.end = move(node.start), move(node.end)
        if isinstance(node, SequenceNode):
            stack.extend(node.items)
        elif isinstance(node, MappingNode):
            for key, value in node.pairs:
                stack.append(key)
                stack.append(value)
