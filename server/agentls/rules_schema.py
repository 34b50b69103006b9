"""Frontmatter against the dialect's JSON Schema: missing, unknown, deprecated and ignored keys,
wrong types and values outside the allowed set, each at the exact key or value, with ranked
"did you mean" fixes.

Everything comes from the schema through `catalog`: required keys and `x-missingEffect`,
`x-keyAliases`, `x-deprecated`, `x-ignoredBy`, `x-hosts`, enums, patterns and bounds. Scalar
values are checked by a small evaluator (type, enum, const, pattern, bounds, anyOf/oneOf)
whose answers are cached per (dialect, key, value); nested values (hooks, MCP servers,
handoffs, OpenCode permissions) go through `jsonschema`, imported the first time one appears.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import yamltree
from .catalog import DialectData, KeyInfo, json_type, load_dialect
from .dialects import Dialect
from .document import AgentDocument
from .findings import Edit, Finding, Fix, Severity
from .rules_common import (
    case_only,
    dialect_data,
    dialect_label,
    file_stem,
    host,
    is_null,
    other_dialects,
    replacement_fixes,
    text_span,
)
from .suggest import EXACT, Suggestion, did_you_mean_text, quoted_list, rank
from .text import Span
from .yamltree import MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from .checks import AnalysisContext, FileUnderCheck

_TAG_TYPES = {
    "tag:yaml.org,2002:str": "string",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:null": "null",
}
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "`true` or `false`",
    "array": "a list",
    "object": "a map of `key: value` entries",
    "null": "empty",
}
# YAML 1.1 booleans that YAML 1.2 parsers (JavaScript hosts) read as text.
_YAML11_ONLY_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})
_RENAMED = re.compile(r"Renamed to `([^`]+)`")


def check_frontmatter(file: FileUnderCheck, context: AnalysisContext) -> Iterable[Finding]:
    document = file.document
    frontmatter = document.frontmatter
    if frontmatter is None or frontmatter.close_span is None:
        return
    data = dialect_data(file, context)
    mapping = document.mapping
    if mapping is None:
        if document.root is None and document.yaml_error is None:
            # `---` then `---`: an empty frontmatter lacks every required key.
            yield from _missing_keys(file, data, {})
        return
    present: dict[str, Node] = {}
    for key, value in mapping.pairs:
        if isinstance(key, ScalarNode) and key.value not in present:
            present[key.value] = value
    yield from _missing_keys(file, data, present)
    for key_node, value_node in mapping.pairs:
        if not isinstance(key_node, ScalarNode) or is_null(key_node):
            continue
        info = data.keys.get(key_node.value)
        if info is None:
            yield from _unknown_key(file, data, key_node, present, context)
            continue
        yield from _key_status(file, data, info, key_node, present)
        yield from _value_findings(file, data, info, key_node, value_node)


def _missing_severity(file: FileUnderCheck) -> Severity:
    """Claude Code skips a project or user agent without its required keys; a plugin agent
    falls back to its file name, and the other hosts load the agent with a gap."""
    if file.dialect is Dialect.CLAUDE and file.scope != "plugin":
        return Severity.ERROR
    return Severity.WARNING


def _missing_keys(file: FileUnderCheck, data: DialectData, present: Mapping[str, Node]) -> Iterable[Finding]:
    document = file.document
    assert document.frontmatter is not None
    missing = [info for info in data.required_keys if info.name not in present]
    missing.extend(
        data.keys[name]
        for name in _conditionally_required(data, present)
        if name in data.keys and data.keys[name] not in missing
    )
    for info in missing:
        effect = info.missing_effect or f"{host(file.dialect)} needs it."
        fixes: tuple[Fix, ...] = ()
        if info.name == "name":
            stem = file_stem(file.file_name)
            fixes = (
                Fix(
                    f"Add `name: {stem}`",
                    (Edit(_insert_point(document), f"name: {stem}{_newline(document)}"),),
                    preferred=True,
                ),
            )
        yield Finding(
            "missing-key",
            f"No `{info.name}` in the frontmatter. {effect}",
            document.frontmatter.open_span,
            severity=_missing_severity(file),
            fixes=fixes,
        )


def _conditionally_required(data: DialectData, present: Mapping[str, Node]) -> list[str]:
    """Keys required by the schema's top-level `allOf` conditions (Copilot: `description`
    unless `target: vscode`)."""
    conditions = data.schema.get("allOf")
    if not conditions:
        return []
    names: set[str] = set()
    for condition in conditions:
        names.update(_condition_keys(condition))
    values: list[tuple[str, Hashable]] = []
    for name in sorted(names):
        node = present.get(name)
        values.append((name, _hashable(_python(node)) if node is not None else _ABSENT))
    return list(_required_by_conditions(data.dialect, tuple(sorted(present)), tuple(values)))


_ABSENT = "\0absent"


def _condition_keys(node: Any) -> set[str]:
    """Every key a condition mentions, so the cache key holds exactly the values it depends on."""
    found: set[str] = set()
    if isinstance(node, dict):
        required = node.get("required")
        if isinstance(required, list):
            found.update(v for v in required if isinstance(v, str))
        properties = node.get("properties")
        if isinstance(properties, dict):
            found.update(properties)
        for value in node.values():
            if isinstance(value, (dict, list)):
                found |= _condition_keys(value)
    elif isinstance(node, list):
        for item in node:
            found |= _condition_keys(item)
    return found


@functools.lru_cache(maxsize=256)
def _required_by_conditions(
    dialect: str, present: tuple[str, ...], values: tuple[tuple[str, Hashable], ...]
) -> tuple[str, ...]:
    import jsonschema

    schema = load_dialect(dialect).schema
    instance: dict[str, Any] = dict.fromkeys(present, "")
    for name, value in values:
        if value != _ABSENT:
            instance[name] = value
    validator = jsonschema.Draft202012Validator({"allOf": schema["allOf"]})
    missing: list[str] = []

    def collect(errors: Iterable[Any]) -> None:
        for error in errors:
            if error.validator == "required" and not error.absolute_path:
                missing.extend(name for name in error.validator_value if name not in instance)
            collect(error.context or ())

    collect(validator.iter_errors(instance))
    return tuple(dict.fromkeys(missing))


def _hashable(value: Any) -> Hashable:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value  # type: ignore[no-any-return]


def _python(node: Node | None) -> Any:
    if node is None:
        return None
    try:
        return yamltree.to_python(node)
    except yamltree.ExpansionError:
        return None


def _newline(document: AgentDocument) -> str:
    frontmatter = document.frontmatter
    if frontmatter is None:
        return "\n"
    end = frontmatter.open_span.end
    after = document.text[end : end + 2]
    if after.startswith("\r\n"):
        return "\r\n"
    if after.startswith("\r"):
        return "\r"
    return "\n"


def _insert_point(document: AgentDocument) -> Span:
    assert document.frontmatter is not None
    start = document.frontmatter.content_span.start
    return Span(start, start)


def _key_fix(
    document: AgentDocument, key_node: ScalarNode, suggestions: Sequence[Suggestion], safe: bool
) -> tuple[Fix, ...]:
    return replacement_fixes(text_span(document, key_node), suggestions, "Rename to `{}`", safe_when=safe)


def _unknown_key(
    file: FileUnderCheck,
    data: DialectData,
    key_node: ScalarNode,
    present: Mapping[str, Node],
    context: AnalysisContext,
) -> Iterable[Finding]:
    name = key_node.value
    alias = data.key_aliases.get(name)
    if alias is None:
        folded = {k.casefold(): v for k, v in data.key_aliases.items()}
        alias = folded.get(name.casefold())
    suggestions = [Suggestion(EXACT, 0, alias)] if alias else rank(name, list(data.keys))
    safe = bool(alias) or (len(suggestions) == 1 and case_only(name, suggestions[0].value))
    strong = [s for s in suggestions if s.strong]
    if data.allows_unknown_keys and not strong:
        # OpenCode hands unknown keys to the model provider; only a near miss is worth a word.
        return
    foreign = [other.dialect for other in other_dialects(file.dialect, context) if name in other.keys]
    clash = [s.value for s in suggestions if s.value in present]
    suggestions = [s for s in suggestions if s.value not in present]
    if data.allows_unknown_keys:
        effect = (
            "OpenCode does not read it as an agent setting: it passes unknown keys to the model "
            "provider as options."
        )
    elif file.dialect is Dialect.COPILOT:
        effect = "VS Code ignores it, and the Copilot CLI refuses agents with keys it does not support."
    else:
        effect = f"{host(file.dialect)} ignores it."
    message = f"Unknown key `{name}`: {effect}"
    if foreign:
        message += f" {' and '.join(dialect_label(d) for d in foreign)} agents use this key."
    if alias and alias in clash:
        message += f" `{alias}` is already set."
    message += did_you_mean_text(suggestions)
    yield Finding(
        "unknown-key",
        message,
        key_node.span,
        severity=Severity.INFORMATION if data.allows_unknown_keys and not alias else None,
        unnecessary=not data.allows_unknown_keys,
        fixes=_key_fix(file.document, key_node, suggestions, safe),
    )


def _key_status(
    file: FileUnderCheck, data: DialectData, info: KeyInfo, key_node: ScalarNode, present: Mapping[str, Node]
) -> Iterable[Finding]:
    name = info.name
    if info.deprecated:
        renamed = _RENAMED.search(info.deprecated)
        fixes: tuple[Fix, ...] = ()
        if renamed and renamed.group(1) not in present:
            target = renamed.group(1)
            fixes = (
                Fix(
                    f"Rename to `{target}`",
                    (Edit(text_span(file.document, key_node), target),),
                    preferred=True,
                    safe=True,
                ),
            )
        yield Finding(
            "deprecated-key",
            f"`{name}` is deprecated: {info.deprecated}",
            key_node.span,
            deprecated=True,
            fixes=fixes,
        )
    ignored_by = info.schema.get("x-ignoredBy")
    if ignored_by and isinstance(ignored_by, Mapping):
        others = [k for k in data.keys if k != name and k not in present]
        suggestions = [s for s in rank(name, others) if s.strong][:1]
        reason = "; ".join(dict.fromkeys(str(v) for v in ignored_by.values()))
        yield Finding(
            "unknown-key",
            f"`{name}` has no effect ({reason}).{did_you_mean_text(suggestions)}",
            key_node.span,
            unnecessary=True,
            fixes=_key_fix(file.document, key_node, suggestions, safe=True),
        )
    if file.dialect is Dialect.CLAUDE and file.scope == "plugin":
        in_plugins = info.hosts.get("claude-code-plugin", "")
        if in_plugins.startswith("ignored"):
            yield Finding(
                "ignored-key",
                f"Claude Code ignores `{name}` in plugin agents; it only takes effect in project "
                "and user agents (`.claude/agents/`).",
                key_node.span,
                unnecessary=True,
            )


def _node_type(node: Node) -> str:
    if isinstance(node, ScalarNode):
        if node.style in _TEXT_STYLES:
            return "string"
        if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() in _YAML11_ONLY_BOOLEANS:
            return "string"
        return _TAG_TYPES.get(node.tag, "string")
    if isinstance(node, SequenceNode):
        return "array"
    if isinstance(node, MappingNode):
        return "object"
    return "string"


# Quoted or block scalars are text whatever they look like.
_TEXT_STYLES = frozenset({"'", '"', "|", ">"})


def _type_allowed(kind: str, types: Sequence[str]) -> bool:
    return not types or kind in types or (kind == "integer" and "number" in types)


def _scalar_python(node: ScalarNode, kind: str) -> Hashable:
    if kind == "string":
        return node.value
    value = yamltree.scalar_value(node)
    return value if isinstance(value, (str, int, float, bool)) or value is None else node.value


def _type_words(types: Sequence[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"]
    return " or ".join(dict.fromkeys(words)) or "a value"


def _value_findings(
    file: FileUnderCheck, data: DialectData, info: KeyInfo, key_node: ScalarNode, value_node: Node
) -> Iterable[Finding]:
    node = yamltree.resolve(value_node)
    name = info.name
    if isinstance(node, ScalarNode) and (is_null(node) or (info.required and not node.value.strip())):
        if info.required:
            effect = info.missing_effect or f"{host(file.dialect)} needs a value."
            yield Finding(
                "missing-key",
                f"`{name}` is empty. {effect}",
                key_node.span if is_null(node) else node.span,
                severity=_missing_severity(file),
            )
        return
    kind = _node_type(node)
    if not _type_allowed(kind, info.types):
        yield _type_finding(file, info, node, value_node.span, kind)
        return
    if isinstance(node, ScalarNode):
        if info.value_kind in ("tools", "skills", "agents"):
            return  # entries are checked by the tool and agent rules
        if info.value_kind == "model" and file.dialect is Dialect.CLAUDE:
            yield from _claude_model(file, info, node)
            return
        rule = _text_rule(data.dialect, name) if kind == "string" else None
        if rule is not None:
            # Answered on the spot, not remembered: every name and description is a value of its own.
            shortest, pattern = rule
            text = node.value
            wrong = len(text) < shortest or (pattern is not None and pattern.search(text) is None)
            problem = _BAD_TEXT if wrong else None
        else:
            problem = _scalar_problem(data.dialect, name, kind, _scalar_python(node, kind))
        if problem is not None:
            yield _problem_finding(file, info, node, problem)
        return
    simple = _simple_list_findings(file, data, info, node)
    if simple is not None:
        yield from simple
        return
    yield from _container_findings(file, data, info, node)


_SIMPLE_ITEM_KEYWORDS = frozenset(
    {"type", "enum", "const", "minLength", "pattern", "description", "x-valueKind"}
)


def _simple_list_findings(
    file: FileUnderCheck, data: DialectData, info: KeyInfo, node: Node
) -> list[Finding] | None:
    """A list of scalars whose items have a plain subschema (`tools`, `skills`, `agents`) is
    checked item by item without `jsonschema`; None when the value needs the full validator."""
    if not isinstance(node, SequenceNode):
        return None
    items = _simple_items(data.dialect, info.name)
    if items is None:
        return None
    findings: list[Finding] = []
    for index, item in enumerate(node.items):
        scalar = yamltree.resolve(item)
        if not isinstance(scalar, ScalarNode):
            return None
        kind = _node_type(scalar)
        problem = _item_problem(data.dialect, info.name, kind, _scalar_python(scalar, kind))
        if problem is None:
            continue
        where = f"`{info.name}` item {index + 1}"
        if problem.kind == "type":
            findings.append(
                Finding(
                    "invalid-type",
                    f"{where} should be {_type_words(_declared_types(items))}, not `{scalar.value}`.",
                    item.span,
                    severity=Severity.WARNING if file.dialect is Dialect.CLAUDE else None,
                )
            )
        else:
            suggestions = rank(scalar.value, problem.allowed) if problem.allowed else []
            findings.append(
                Finding(
                    "invalid-value",
                    f"`{scalar.value}` is not allowed in {where}.{did_you_mean_text(suggestions)}",
                    item.span,
                    fixes=replacement_fixes(text_span(file.document, scalar), suggestions, "Change to `{}`"),
                )
            )
    return findings


@functools.cache
def _simple_items(dialect: str, key: str) -> Mapping[str, Any] | None:
    """The subschema of each item of a list key, when it is plain enough for `_item_problem`."""
    root = load_dialect(dialect).schema
    schema = _deref(root, root["properties"][key])
    items = schema.get("items")
    if not isinstance(items, Mapping) or set(schema) & {"minItems", "maxItems", "uniqueItems", "contains"}:
        return None
    items = _deref(root, items)
    return None if set(items) - _SIMPLE_ITEM_KEYWORDS else items


@functools.lru_cache(maxsize=4096)
def _item_problem(dialect: str, key: str, kind: str, value: Hashable) -> Problem | None:
    root = load_dialect(dialect).schema
    return _evaluate(root, _deref(root, root["properties"][key])["items"], value)


def _type_finding(file: FileUnderCheck, info: KeyInfo, node: Node, span: Span, kind: str) -> Finding:
    expected = _type_words(info.types)
    got = _TYPE_WORDS.get(kind, kind)
    fixes: tuple[Fix, ...] = ()
    if isinstance(node, ScalarNode) and "string" in info.types and kind != "string":
        fixes = (
            Fix(
                "Quote the value",
                (Edit(node.span, json.dumps(node.value, ensure_ascii=False)),),
                preferred=True,
            ),
        )
    severity: Severity | None = None
    if file.dialect is Dialect.CLAUDE and not (info.required and not isinstance(node, ScalarNode)):
        # Claude Code drops a value of the wrong type and still loads the agent.
        severity = Severity.WARNING
    effect = (
        f" {host(file.dialect)} ignores it."
        if severity is Severity.WARNING
        else f" {host(file.dialect)} cannot use it."
    )
    return Finding(
        "invalid-type",
        f"`{info.name}` should be {expected}, not {got}.{effect}",
        span,
        severity=severity,
        fixes=fixes,
    )


class Problem(NamedTuple):
    """Why a scalar does not fit a subschema."""

    kind: str  # "type" (wrong JSON type everywhere) or "value" (right type, value not accepted)
    allowed: tuple[str, ...] = ()  # enum values, spelled as in YAML, for "did you mean"


def _spell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _same(value: object, other: object) -> bool:
    return json_type(value) == json_type(other) and value == other


def _deref(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    merged = dict(_deref(root, target))
    merged.update((k, v) for k, v in node.items() if k != "$ref")
    return merged


def _declared_types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    return [declared] if isinstance(declared, str) else list(declared or [])


def _bounds_fail(schema: Mapping[str, Any], value: float) -> bool:
    low, high, above = schema.get("minimum"), schema.get("maximum"), schema.get("exclusiveMinimum")
    return (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (above is not None and value <= above)
    )


def _evaluate(root: Mapping[str, Any], schema: Mapping[str, Any], value: object) -> Problem | None:
    """None when `value` fits; otherwise whether its type or its value is wrong."""
    schema = _deref(root, schema)
    types = _declared_types(schema)
    if types and not _type_allowed(json_type(value), types):
        return Problem("type")
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        return Problem("value", tuple(dict.fromkeys(_spell(option) for option in schema["enum"])))
    if "const" in schema and not _same(value, schema["const"]):
        return Problem("value", (_spell(schema["const"]),))
    if isinstance(value, str):
        pattern = schema.get("pattern")
        if (isinstance(pattern, str) and not re.search(pattern, value)) or len(value) < int(
            schema.get("minLength", 0)
        ):
            return Problem("value")
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and _bounds_fail(schema, value):
        return Problem("value")
    branches = schema.get("anyOf") or schema.get("oneOf")
    if not branches:
        return None
    problems: list[Problem] = []
    for branch in branches:
        found = _evaluate(root, branch, value)
        if found is None:
            return None
        problems.append(found)
    allowed = tuple(dict.fromkeys(a for p in problems for a in p.allowed))
    return Problem("type" if all(p.kind == "type" for p in problems) else "value", allowed)


_BAD_TEXT = Problem("value")
# What `_evaluate` looks at beyond `type`, `minLength` and `pattern` (once `$ref` is followed).
_TEXT_CONSTRAINTS = frozenset({"enum", "const", "anyOf", "oneOf"})


@functools.cache
def _text_rule(dialect: str, key: str) -> tuple[int, re.Pattern[str] | None] | None:
    """The `minLength` and `pattern` of a key whose schema says nothing else about a text value
    (`name`, `description`): all `_evaluate` would hold text to. None for any other key."""
    root = load_dialect(dialect).schema
    schema = _deref(root, root["properties"][key])
    if _TEXT_CONSTRAINTS & set(schema) or "string" not in _declared_types(schema):
        return None
    pattern = schema.get("pattern")
    return int(schema.get("minLength", 0)), re.compile(pattern) if isinstance(pattern, str) else None


@functools.lru_cache(maxsize=4096)
def _scalar_problem(dialect: str, key: str, kind: str, value: Hashable) -> Problem | None:
    root = load_dialect(dialect).schema
    return _evaluate(root, root["properties"][key], value)


_EXAMPLE = re.compile(r"Example: `[^`:]+:\s*([^`]+)`")


def _example(schema: Mapping[str, Any]) -> str | None:
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return _spell(examples[0])
    match = _EXAMPLE.search(str(schema.get("description", "")))
    return match.group(1).strip() if match else None


def _alternatives(root: Mapping[str, Any], schema: Mapping[str, Any], example: str | None) -> list[str]:
    """What a subschema accepts, in words, one entry per alternative."""
    schema = _deref(root, schema)
    if "enum" in schema:
        return [quoted_list(list(dict.fromkeys(_spell(v) for v in schema["enum"])))]
    if "const" in schema:
        return [f"`{_spell(schema['const'])}`"]
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        found: list[str] = []
        for branch in branches:
            found.extend(_alternatives(root, {"type": schema.get("type"), **branch}, example))
        return list(dict.fromkeys(found))
    words: list[str] = []
    types = _declared_types(schema)
    if "pattern" in schema:
        words.append(f"text like `{example}`" if example else f"text matching `{schema['pattern']}`")
    elif "minimum" in schema and "maximum" in schema:
        words.append(f"a number from {schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema or "exclusiveMinimum" in schema:
        kind = "a whole number" if "integer" in types else "a number"
        words.append(
            f"{kind} of at least {schema['minimum']}"
            if "minimum" in schema
            else f"{kind} above {schema['exclusiveMinimum']}"
        )
    elif types:
        words.append(_type_words(types))
    return words


@functools.lru_cache(maxsize=256)
def _accepted(dialect: str, key: str) -> str:
    root = load_dialect(dialect).schema
    prop = root["properties"][key]
    parts = _alternatives(root, prop, _example(_deref(root, prop)))
    joiner = ", or " if any("," in part for part in parts) else " or "
    return joiner.join(parts)


def _problem_finding(file: FileUnderCheck, info: KeyInfo, node: ScalarNode, problem: Problem) -> Finding:
    value = node.value
    accepted = _accepted(file.dialect.value, info.name)
    if problem.kind == "type":
        return Finding(
            "invalid-type",
            f"`{info.name}` should be {accepted}, not `{value}`.",
            node.span,
            severity=Severity.WARNING if file.dialect is Dialect.CLAUDE else None,
        )
    suggestions = rank(value, problem.allowed) if problem.allowed else []
    if file.dialect is Dialect.CLAUDE:
        lead = f"Claude Code ignores `{info.name}: {value}` without a message"
    else:
        lead = f"`{value}` is not a valid `{info.name}`; {host(file.dialect)} does not accept it"
    message = f"{lead}. Use {accepted}.{did_you_mean_text(suggestions)}"
    safe = len(suggestions) == 1 and case_only(value, suggestions[0].value)
    return Finding(
        "invalid-value",
        message,
        node.span,
        fixes=replacement_fixes(
            text_span(file.document, node), suggestions, "Change to `{}`", safe_when=safe
        ),
    )


def _looks_like_model_id(value: str) -> bool:
    lower = value.lower()
    return (
        any(char.isdigit() for char in value)
        or lower.startswith("claude")
        or any(c in value for c in "/.:[@")
    )


def _claude_model(file: FileUnderCheck, info: KeyInfo, node: ScalarNode) -> Iterable[Finding]:
    value = node.value.strip()
    aliases = [v.value for v in info.values]
    if value.lower() == "inherit" or value in aliases or not value or _looks_like_model_id(value):
        return
    suggestions = rank(value, aliases)
    safe = len(suggestions) == 1 and case_only(value, suggestions[0].value)
    yield Finding(
        "invalid-value",
        f"`{value}` is neither a model alias nor a model ID: Claude Code passes it to the API as it is, "
        f"and the API rejects it when the agent runs. Use {quoted_list(aliases)} or a full model ID such "
        f"as `claude-sonnet-4-20250514`.{did_you_mean_text(suggestions)}",
        node.span,
        fixes=replacement_fixes(
            text_span(file.document, node), suggestions, "Change to `{}`", safe_when=safe
        ),
    )


class _SchemaError(NamedTuple):
    path: tuple[str | int, ...]
    validator: str
    validator_value: Any
    instance: Any
    message: str
    properties: tuple[str, ...]  # the names the failing subschema knows, for "did you mean"


@functools.cache
def _validator(dialect: str, key: str) -> Any:
    import jsonschema

    root = load_dialect(dialect).schema
    schema = dict(root["properties"][key])
    if "$defs" in root:
        schema["$defs"] = root["$defs"]
    return jsonschema.Draft202012Validator(schema)


@functools.lru_cache(maxsize=512)
def _container_errors(dialect: str, key: str, encoded: str) -> tuple[_SchemaError, ...]:
    value = json.loads(encoded)
    found: list[_SchemaError] = []
    for error in _validator(dialect, key).iter_errors(value):
        found.extend(_flatten(error))
    return tuple(found)


def _wrong_type(error: Any) -> bool:
    return bool(error.validator == "type" and not error.relative_path)


def _flatten(error: Any) -> list[_SchemaError]:
    """The errors worth reporting for one failure: for `anyOf`/`oneOf`, every error of the
    branch the value was evidently written for (one whose type it has)."""
    if not error.context:
        return [_record(error)]
    from jsonschema.exceptions import relevance

    branches: dict[object, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else 0, []).append(sub)
    viable = {index: subs for index, subs in branches.items() if not any(_wrong_type(s) for s in subs)}
    if not viable:
        # Every branch wants another type (`text or a map`): one finding naming them all.
        types: list[str] = []
        for sub in error.context:
            if _wrong_type(sub):
                declared = sub.validator_value
                types.extend([declared] if isinstance(declared, str) else declared)
        return [_SchemaError(tuple(error.absolute_path), "type", types, error.instance, "", ())]
    best = max((sub for subs in viable.values() for sub in subs), key=relevance)
    chosen = next(subs for subs in viable.values() if best in subs)
    return [record for sub in chosen for record in _flatten(sub)]


def _record(chosen: Any) -> _SchemaError:
    return _SchemaError(
        tuple(chosen.absolute_path),
        str(chosen.validator),
        chosen.validator_value,
        chosen.instance,
        chosen.message,
        tuple(chosen.schema.get("properties", {})) if isinstance(chosen.schema, dict) else (),
    )


def _child(node: Node, step: str | int) -> tuple[ScalarNode | None, Node] | None:
    node = yamltree.resolve(node)
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.items):
        return None, node.items[step]
    if isinstance(node, MappingNode):
        for key, value in node.pairs:
            if isinstance(key, ScalarNode) and key.value == str(step):
                return key, value
    return None


def _locate(node: Node, path: Sequence[str | int]) -> tuple[ScalarNode | None, Node]:
    key: ScalarNode | None = None
    for step in path:
        found = _child(node, step)
        if found is None:
            break
        key, node = found
    return key, node


def _first_line(document: AgentDocument, span: Span) -> Span:
    line_end = document.lines.line_end(document.lines.position(span.start).line)
    return Span(span.start, max(span.start, min(span.end, line_end)))


def _container_findings(
    file: FileUnderCheck, data: DialectData, info: KeyInfo, node: Node
) -> Iterable[Finding]:
    value = _python(node)
    if value is None:
        return
    try:
        encoded = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return
    document = file.document
    reported_required: set[tuple[str | int, ...]] = set()
    for error in _container_errors(data.dialect, info.name, encoded):
        _key, target = _locate(node, error.path)
        where = _describe_path(info.name, error.path)
        resolved = yamltree.resolve(target)
        if error.validator == "additionalProperties" and isinstance(resolved, MappingNode):
            yield from _unknown_nested_keys(file, resolved, error, where)
        elif error.validator == "required":
            if error.path in reported_required:
                continue  # jsonschema reports each missing property of one object separately
            reported_required.add(error.path)
            missing = [
                n
                for n in error.validator_value
                if not isinstance(error.instance, dict) or n not in error.instance
            ]
            yield Finding(
                "missing-key",
                f"{where} has no {quoted_list(missing, 'and')}; {host(file.dialect)} cannot use it without.",
                _first_line(document, target.span),
                severity=Severity.WARNING,
            )
        elif error.validator in ("enum", "const"):
            options = error.validator_value if error.validator == "enum" else [error.validator_value]
            allowed = [_spell(o) for o in options]
            target_node = yamltree.resolve(target)
            text = target_node.value if isinstance(target_node, ScalarNode) else str(error.instance)
            suggestions = rank(text, allowed)
            fixes: tuple[Fix, ...] = ()
            if isinstance(target_node, ScalarNode):
                safe = len(suggestions) == 1 and case_only(text, suggestions[0].value)
                fixes = replacement_fixes(
                    text_span(document, target_node), suggestions, "Change to `{}`", safe_when=safe
                )
            yield Finding(
                "invalid-value",
                f"`{text}` is not allowed in {where}: use {quoted_list(allowed)}."
                f"{did_you_mean_text(suggestions)}",
                target.span,
                fixes=fixes,
            )
        elif error.validator == "type":
            declared = error.validator_value
            types = [declared] if isinstance(declared, str) else list(declared)
            yield Finding(
                "invalid-type",
                f"{where} should be {_type_words(types)}.",
                target.span,
                severity=Severity.WARNING if file.dialect is Dialect.CLAUDE else None,
            )
        else:
            yield Finding("invalid-value", f"{where}: {error.message}.", target.span)
    yield from _near_miss_keys(file, data, info, node)


def _describe_path(key: str, path: Sequence[str | int]) -> str:
    text = f"`{key}`"
    for step in path:
        text += f" item {step + 1}" if isinstance(step, int) else f" › `{step}`"
    return text


def _unknown_nested_keys(
    file: FileUnderCheck, mapping: MappingNode, error: _SchemaError, where: str
) -> Iterable[Finding]:
    known = list(error.properties)
    for key, _value in mapping.pairs:
        if not isinstance(key, ScalarNode) or key.value in error.properties:
            continue
        suggestions = rank(key.value, known)
        safe = len(suggestions) == 1 and case_only(key.value, suggestions[0].value)
        yield Finding(
            "unknown-key",
            f"`{key.value}` is not a field of {where}; {host(file.dialect)} ignores it."
            f"{did_you_mean_text(suggestions)}",
            key.span,
            unnecessary=True,
            fixes=replacement_fixes(
                text_span(file.document, key), suggestions, "Rename to `{}`", safe_when=safe
            ),
        )


def _near_miss_keys(file: FileUnderCheck, data: DialectData, info: KeyInfo, node: Node) -> Iterable[Finding]:
    """Keys of an open map (hook events, OpenCode permission keys) that are one typo away from
    a key the schema names: the host accepts them but nothing ever matches."""
    mapping = yamltree.resolve(node)
    if not isinstance(mapping, MappingNode):
        return
    schema = _deref(data.schema, info.schema)
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        for branch in schema.get("anyOf", ()) or schema.get("oneOf", ()):
            branch = _deref(data.schema, branch)
            if isinstance(branch.get("properties"), Mapping):
                properties = branch["properties"]
                break
    if not isinstance(properties, Mapping) or schema.get("additionalProperties") is False:
        return
    names = [name for name in properties if name != "*"]
    for key, _value in mapping.pairs:
        if not isinstance(key, ScalarNode) or key.value in properties:
            continue
        suggestions = [s for s in rank(key.value, names) if s.strong]
        if not suggestions:
            continue
        safe = len(suggestions) == 1 and case_only(key.value, suggestions[0].value)
        yield Finding(
            "unknown-key",
            f"`{key.value}` is not a `{info.name}` key {host(file.dialect)} knows, so it never applies."
            f"{did_you_mean_text(suggestions)}",
            key.span,
            fixes=replacement_fixes(
                text_span(file.document, key), suggestions, "Rename to `{}`", safe_when=safe
            ),
        )
