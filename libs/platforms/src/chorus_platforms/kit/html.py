"""HTML → plain text, safely: no scripts or styles, entities decoded, whitespace normalized.

Built on the stdlib tokenizer (no tree, no network, no entity expansion beyond HTML's named
and numeric references). Link text is kept as written, so mentions, hashtags and URLs shown
in the markup survive; Mastodon's ``invisible``/``ellipsis`` spans concatenate back into the
full URL.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title", "iframe", "object"})
_VOID_SKIP = frozenset({"img", "input", "meta", "link", "source", "track", "wbr"})
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "figure", "figcaption", "address", "main", "nav", "details", "summary",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
_MAX_INPUT = 2_000_000
_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# Not html-text or inscriptis: both split inline markup, so `@<span>brand</span>` and Mastodon's
# link spans lose their text (measured in docs/connectors-feeds.md).
class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping.append(tag)
        elif self.skipping or tag in _VOID_SKIP:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag == "p" else "\n")
        elif tag in _CELL:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.skipping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
        elif not self.skipping and tag in _BLOCK:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, with paragraphs as blank lines and runs of spaces collapsed."""
    parser = _Extractor()
    parser.feed(markup[:_MAX_INPUT])
    parser.close()
    return normalize_space("".join(parser.parts))


def normalize_space(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_TAGGY = re.compile(
    r"<(?:br|a|b|i|p|s|u|em|strong|span|div)\b[^>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.I
)


def looks_like_html(text: str) -> bool:
    """Whether a field of unknown format (e.g. YouTube ``textDisplay``) carries markup."""
    return bool(_TAGGY.search(text))
