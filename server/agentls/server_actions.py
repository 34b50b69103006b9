"""`textDocument/codeAction`: the quick fixes for the findings under the cursor, and
`source.fixAll.agentls` for every safe fix in the file.

The findings are the ones the client is shown (the user's severity settings applied, codes
turned off left out); each action carries the diagnostic it fixes, converted exactly as the
published or pulled diagnostic was, so the editor ties the two together.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from . import actions, lsp_convert
from .server_navigation import edit_support, wire_value
from .text import Span
from .workspace import FileKind

if TYPE_CHECKING:
    from .server import AgentServer

logger = logging.getLogger(__name__)

KINDS: list[types.CodeActionKind | str] = [types.CodeActionKind.QuickFix, actions.FIX_ALL]


def _wanted(kind: str, only: list[str] | None) -> bool:
    """The request's `only` filter: a kind matches itself and the kinds under it (`source`
    matches `source.fixAll.agentls`)."""
    if not only:
        return True
    return any(kind == prefix or kind.startswith(prefix + ".") for prefix in only)


def register(server: AgentServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=False),
    )
    async def text_document_code_action(
        ls: AgentServer, params: types.CodeActionParams
    ) -> list[types.Command | types.CodeAction] | None:
        capabilities = ls.client_capabilities
        if (
            get_capability(capabilities, "text_document.code_action.code_action_literal_support", None)
            is None
        ):
            return None  # a client that takes only commands: agentls has no command to offer
        # Actions fix findings, and findings from a half-built index include false "unknown
        # agent"s: their fixes would create a file for an agent that exists, and fix-all on save
        # would apply them. The client sees no diagnostics before the first scan ends either.
        await ls.index_ready.wait()
        uri = params.text_document.uri
        only = [wire_value(kind) for kind in params.context.only] if params.context.only else None
        document_changes, rename_files, create_files = edit_support(ls)
        support = actions.EditSupport(
            rename_files=rename_files and document_changes, create_files=create_files and document_changes
        )
        preferred = bool(
            get_capability(capabilities, "text_document.code_action.is_preferred_support", False)
        )
        related = bool(
            get_capability(capabilities, "text_document.publish_diagnostics.related_information", True)
        )
        with ls.lock:
            entry = ls.index.files.get(uri)
            if entry is None or entry.kind is not FileKind.AGENT:
                return None
            converter = ls.converter(entry)
            span = Span(converter.offset(params.range.start), converter.offset(params.range.end))
            chosen = ls.findings(uri)
            severities = {id(finding): severity for finding, severity in chosen}
            try:
                found = actions.code_actions(ls.index, entry, [f for f, _s in chosen], span, support)
            except Exception:  # a bug in one fix must not cost the user the others, or the session
                logger.exception("code actions failed for %s", uri)
                return None
            result: list[types.Command | types.CodeAction] = []
            for action in found:
                if not _wanted(action.kind, only):
                    continue
                diagnostics = None
                if action.finding is not None and id(action.finding) in severities:
                    diagnostics = [
                        lsp_convert.diagnostic(
                            action.finding,
                            converter,
                            severities[id(action.finding)],
                            uri=uri,
                            encoding=ls.encoding,
                            related_info=related,
                        )
                    ]
                result.append(
                    lsp_convert.code_action(action, ls.encoding, document_changes, diagnostics, preferred)
                )
        return result
