"""The one boundary between the core's values and `lsprotocol.types`.

The core measures columns in code points; the client negotiates UTF-16 (the default), UTF-8 or
UTF-32. Every position crossing the protocol goes through `Converter`, and every core result is
turned into its protocol type here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

from .findings import Finding, Severity, code_url
from .text import LineIndex, Position, Span

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
