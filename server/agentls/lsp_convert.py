"""The one boundary between the core's values and `lsprotocol.types`.

The core measures columns in code points; the client negotiates UTF-16 (the default), UTF-8 or
UTF-32. Every position crossing the protocol goes through `Converter`, and every core result is
turned into its protocol type here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from .findings import Finding, Severity, code_url
from .text import LineIndex, Position, Span

if TYPE_CHECKING:
    from .actions import CodeAction
    from .completion import CompletionCandidate, CompletionResult
    from .hover import HoverResult
    from .navigation import AgentSymbol, DocumentLink, Place, WorkspaceChange
    from .symbols import DocumentSymbol, FoldingRange, SemanticToken

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _char_units(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    if encoding == types.PositionEncodingKind.Utf8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 2 if code >= 0x10000 else 1


class Converter:
    """Positions and ranges of one document, in one position encoding."""

    __slots__ = ("encoding", "lines")

    def __init__(self, lines: LineIndex, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.lines = lines
        self.encoding = encoding

    def position(self, offset: int) -> types.Position:
        core = self.lines.position(offset)
        line_start = self.lines.line_start(core.line)
        prefix = self.lines.text[line_start : line_start + core.column]
        return types.Position(line=core.line, character=_units(prefix, self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start), end=self.position(span.end))

    def offset(self, position: types.Position) -> int:
        """The offset of a client position; past the end of a line clamps to the line's end, past
        the last line to the end of the document, and inside a surrogate pair to its start."""
        if position.line >= self.lines.line_count:
            return len(self.lines.text)
        start = self.lines.line_start(position.line)
        end = self.lines.line_end(position.line)
        text = self.lines.text
        if self.encoding == types.PositionEncodingKind.Utf32:
            return min(start + position.character, end)
        units = 0
        offset = start
        while offset < end:
            step = _char_units(text[offset], self.encoding)
            if units + step > position.character:
                break
            units += step
            offset += 1
        return offset

    def core_position(self, position: types.Position) -> Position:
        return self.lines.position(self.offset(position))


def severity(value: Severity) -> types.DiagnosticSeverity:
    return _SEVERITY[value]


def diagnostic(
    finding: Finding,
    converter: Converter,
    chosen: Severity,
    related_converter: dict[str, Converter] | None = None,
    uri: str = "",
    encoding: str = types.PositionEncodingKind.Utf16,
    related_info: bool = True,
) -> types.Diagnostic:
    tags: list[types.DiagnosticTag] = []
    if finding.unnecessary:
        tags.append(types.DiagnosticTag.Unnecessary)
    if finding.deprecated:
        tags.append(types.DiagnosticTag.Deprecated)
    related: list[types.DiagnosticRelatedInformation] | None = None
    if related_info and finding.related:
        related = []
        for item in finding.related:
            target_uri = item.uri or uri
            other = Converter(item.lines, encoding)
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=target_uri, range=other.range(item.span)),
                    message=item.message,
                )
            )
    data = dict(finding.data) if finding.data else None
    return types.Diagnostic(
        range=converter.range(finding.span),
        message=finding.message,
        severity=severity(chosen),
        code=finding.code,
        code_description=types.CodeDescription(href=code_url(finding.code)),
        source="agentls",
        tags=tags or None,
        related_information=related,
        data=data,
    )


def diagnostics(
    findings: Iterable[tuple[Finding, Severity]],
    converter: Converter,
    uri: str,
    related_info: bool = True,
) -> list[types.Diagnostic]:
    return [
        diagnostic(f, converter, chosen, uri=uri, encoding=converter.encoding, related_info=related_info)
        for f, chosen in findings
    ]


_COMPLETION_KINDS = {
    "key": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.Value,
    "tool": types.CompletionItemKind.Function,
    "agent": types.CompletionItemKind.Class,
    "skill": types.CompletionItemKind.Module,
    "snippet": types.CompletionItemKind.Snippet,
    "mcp": types.CompletionItemKind.Interface,
}


@dataclass(frozen=True)
class CompletionSupport:
    """What the client's completion capabilities allow (read once per request by the handler)."""

    snippets: bool = False
    documentation: str | None = None  # "markdown", "plaintext", or None for a bare string
    insert_replace: bool = False
    deprecated_tag: bool = False
    deprecated_flag: bool = False


def _documentation(text: str | None, kind: str | None) -> str | types.MarkupContent | None:
    if not text:
        return None
    if kind == types.MarkupKind.Markdown:
        return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
    if kind == types.MarkupKind.PlainText:
        return types.MarkupContent(kind=types.MarkupKind.PlainText, value=text)
    return text


def _edit_ranges(
    span: Span | None, converter: Converter, cursor: int
) -> tuple[types.Range, types.Range] | None:
    """(insert, replace) ranges of an item's span, or None when the span cannot be an edit: it
    must stay on the cursor's line and contain the cursor."""
    if span is None or not span.start <= cursor <= span.end:
        return None
    if converter.lines.position(span.start).line != converter.lines.position(span.end).line:
        return None
    return converter.range(Span(span.start, cursor)), converter.range(span)


def completion_item(
    candidate: CompletionCandidate,
    converter: Converter,
    cursor: int,
    support: CompletionSupport,
    ranges: dict[Span | None, tuple[types.Range, types.Range] | None] | None = None,
) -> types.CompletionItem:
    snippet = candidate.is_snippet and support.snippets
    text = candidate.insert_text if candidate.insert_text is not None else candidate.label
    edit: types.TextEdit | types.InsertReplaceEdit | None = None
    span = candidate.replace_span
    if ranges is not None and span in ranges:
        found = ranges[span]
    else:
        found = _edit_ranges(span, converter, cursor)
        if ranges is not None:
            ranges[span] = found
    # Without a usable span the client's own idea of the word decides what is replaced.
    if found is not None and span is not None:
        insert, replace = found
        if support.insert_replace and span.end > cursor:
            edit = types.InsertReplaceEdit(new_text=text, insert=insert, replace=replace)
        else:
            edit = types.TextEdit(range=replace, new_text=text)
    deprecated = candidate.deprecated
    return types.CompletionItem(
        label=candidate.label,
        kind=_COMPLETION_KINDS.get(candidate.kind, types.CompletionItemKind.Text),
        detail=candidate.detail,
        documentation=_documentation(candidate.documentation_markdown, support.documentation),
        sort_text=candidate.sort_text,
        filter_text=candidate.filter_text,
        insert_text=None if edit is not None else text,
        insert_text_format=types.InsertTextFormat.Snippet if snippet else types.InsertTextFormat.PlainText,
        text_edit=edit,
        tags=[types.CompletionItemTag.Deprecated] if deprecated and support.deprecated_tag else None,
        deprecated=True if deprecated and support.deprecated_flag and not support.deprecated_tag else None,
    )


def completion_list(
    result: CompletionResult, converter: Converter, cursor: int, support: CompletionSupport
) -> types.CompletionList:
    # Items of one list mostly share one span: convert it once.
    ranges: dict[Span | None, tuple[types.Range, types.Range] | None] = {}
    return types.CompletionList(
        is_incomplete=result.is_incomplete,
        items=[completion_item(item, converter, cursor, support, ranges) for item in result.items],
    )


def hover(result: HoverResult, converter: Converter, markdown: bool) -> types.Hover:
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=result.markdown),
        range=converter.range(result.span),
    )


def location(place: Place, encoding: str) -> types.Location:
    return types.Location(uri=place.uri, range=Converter(place.lines, encoding).range(place.span))


def location_link(origin: types.Range, place: Place, encoding: str) -> types.LocationLink:
    target = Converter(place.lines, encoding).range(place.span)
    return types.LocationLink(
        target_uri=place.uri,
        target_range=target,
        target_selection_range=target,
        origin_selection_range=origin,
    )


def workspace_edit(change: WorkspaceChange, encoding: str, document_changes: bool) -> types.WorkspaceEdit:
    """A core change as a `WorkspaceEdit`: versioned `documentChanges` (text edits, then file
    creations with their content, then renames) where the client takes them, else `changes`
    (text edits only: the caller offers file operations only to clients that apply them)."""
    if not document_changes:
        return types.WorkspaceEdit(
            changes={
                file.uri: [
                    types.TextEdit(range=Converter(file.lines, encoding).range(e.span), new_text=e.new_text)
                    for e in file.edits
                ]
                for file in change.files
            }
        )
    operations: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile] = []
    for file in change.files:
        converter = Converter(file.lines, encoding)
        operations.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=file.uri, version=file.version
                ),
                edits=[
                    types.TextEdit(range=converter.range(e.span), new_text=e.new_text) for e in file.edits
                ],
            )
        )
    start = types.Position(line=0, character=0)
    for created in change.creates:
        operations.append(
            types.CreateFile(
                uri=created.uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
            )
        )
        operations.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=created.uri, version=None),
                edits=[types.TextEdit(range=types.Range(start=start, end=start), new_text=created.text)],
            )
        )
    for moved in change.renames:
        operations.append(
            types.RenameFile(
                old_uri=moved.old_uri,
                new_uri=moved.new_uri,
                options=types.RenameFileOptions(overwrite=False, ignore_if_exists=False),
            )
        )
    return types.WorkspaceEdit(document_changes=operations)


_SYMBOL_KINDS = {
    "key": types.SymbolKind.Property,
    "tool": types.SymbolKind.Function,
    "item": types.SymbolKind.Field,
    "heading": types.SymbolKind.String,
    "agent": types.SymbolKind.Class,
}


def document_symbols(symbols: Iterable[DocumentSymbol], converter: Converter) -> list[types.DocumentSymbol]:
    return [
        types.DocumentSymbol(
            name=symbol.name,
            detail=symbol.detail,
            kind=_SYMBOL_KINDS.get(symbol.kind, types.SymbolKind.Property),
            range=converter.range(symbol.span),
            selection_range=converter.range(symbol.selection),
            children=document_symbols(symbol.children, converter) or None,
        )
        for symbol in symbols
    ]


def symbol_information(
    symbols: Iterable[DocumentSymbol], converter: Converter, uri: str, container: str | None = None
) -> list[types.SymbolInformation]:
    """The flat form, for clients without hierarchical document symbols."""
    flat: list[types.SymbolInformation] = []
    for symbol in symbols:
        flat.append(
            types.SymbolInformation(
                name=symbol.name,
                kind=_SYMBOL_KINDS.get(symbol.kind, types.SymbolKind.Property),
                location=types.Location(uri=uri, range=converter.range(symbol.span)),
                container_name=container,
            )
        )
        flat.extend(symbol_information(symbol.children, converter, uri, symbol.name))
    return flat


def workspace_symbols(symbols: Iterable[AgentSymbol], encoding: str) -> list[types.WorkspaceSymbol]:
    return [
        types.WorkspaceSymbol(
            name=symbol.name,
            kind=types.SymbolKind.Class,
            location=location(symbol.place, encoding),
            container_name=symbol.description or None,
        )
        for symbol in symbols
    ]


def folding_ranges(ranges: Iterable[FoldingRange]) -> list[types.FoldingRange]:
    return [types.FoldingRange(start_line=r.start_line, end_line=r.end_line) for r in ranges]


def semantic_tokens_legend(
    token_types: Iterable[str], modifiers: Iterable[str]
) -> types.SemanticTokensLegend:
    return types.SemanticTokensLegend(token_types=list(token_types), token_modifiers=list(modifiers))


def semantic_tokens(
    tokens: Iterable[SemanticToken], converter: Converter, legend: types.SemanticTokensLegend
) -> types.SemanticTokens:
    """Tokens as the relative integer encoding: line delta, start delta, length, type, modifiers;
    columns and lengths in the negotiated position encoding."""
    type_index = {name: number for number, name in enumerate(legend.token_types)}
    modifier_bit = {name: 1 << number for number, name in enumerate(legend.token_modifiers)}
    data: list[int] = []
    previous_line = 0
    previous_start = 0
    text = converter.lines.text
    for token in tokens:
        if token.type not in type_index:
            continue
        start = converter.position(token.span.start)
        length = _units(text[token.span.start : token.span.end], converter.encoding)
        line_delta = start.line - previous_line
        start_delta = start.character - previous_start if line_delta == 0 else start.character
        bits = 0
        for modifier in token.modifiers:
            bits |= modifier_bit.get(modifier, 0)
        data.extend((line_delta, start_delta, length, type_index[token.type], bits))
        previous_line, previous_start = start.line, start.character
    return types.SemanticTokens(data=data)


def document_links(
    links: Iterable[DocumentLink], converter: Converter, tooltips: bool
) -> list[types.DocumentLink]:
    return [
        types.DocumentLink(
            range=converter.range(link.span), target=link.target, tooltip=link.tooltip if tooltips else None
        )
        for link in links
    ]


def code_action(
    action: CodeAction,
    encoding: str,
    document_changes: bool,
    diagnostics: list[types.Diagnostic] | None,
    preferred_support: bool,
) -> types.CodeAction:
    return types.CodeAction(
        title=action.title,
        kind=action.kind,
        diagnostics=diagnostics or None,
        is_preferred=True if action.preferred and preferred_support else None,
        edit=workspace_edit(action.change, encoding, document_changes),
    )


def reference_lens(span: Span, converter: Converter, count: int) -> types.CodeLens:
    """A label over `name:` with the number of references. Its command is empty on purpose: VS
    Code shows such a lens as plain text, and there is no portable command to show a list."""
    title = f"{count} reference{'s' if count != 1 else ''}"
    return types.CodeLens(range=converter.range(span), command=types.Command(title=title, command=""))
