"""The Markdown block parser agentls uses for agent bodies (markdown-it-py, CommonMark rules).

Only the block structure is needed (headings, fences, paragraphs with their line maps), so inline
parsing is switched off entirely: with only its rules disabled, the core `inline` step still walks
every character of every paragraph (seconds on a 10 MB body).
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark")
    parser.disable(parser.get_active_rules()["inline"])
    parser.disable(parser.get_active_rules()["inline2"])
    parser.disable(["inline", "text_join"])
    return parser


def block_tokens(text: str) -> list[Token]:
    return _parser().parse(text)
