"""Search queries, pure: parse what a reader typed and build the engines' expressions.

No I/O here. `bot.store.search` asks the store for bounded candidate sets with the
expressions built here and ranks them with `bot.core.ranking`; handlers use
`parse_query` for what the reader asked.

Words are compared in two forms: *exact* (NFC, one tone convention, lowercase) and
*folded* (no diacritics, đ→d, see `bot.text.fold`). A token is a run of letters and
digits, the way SQLite's unicode61 tokenizer cuts text, so "25/02/2023" is three tokens
in the index and in a query alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.alerts import section_slug
from bot.core.text import fold, normalize

TOKEN = re.compile(r"[^\W_]+")

# A time window: "7d", "24h", "2w", "3m" anywhere as one token; "7 ngày", "2 tuần",
# "1 tháng", "12 giờ" as the first words. Values are seconds.
_UNIT_SECONDS = {
    "h": 3600.0,
    "gio": 3600.0,
    "d": 86400.0,
    "ngay": 86400.0,
    "w": 7 * 86400.0,
    "tuan": 7 * 86400.0,
    "m": 30 * 86400.0,
    "thang": 30 * 86400.0,
    "y": 365 * 86400.0,
}
_COMPACT_WINDOW = re.compile(r"^(\d{1,4})(h|d|w|m|y)$")
_WORD_WINDOW = re.compile(r"^(\d{1,4})\s+(gio|ngay|tuan|thang)\b\s*")
_FEED = re.compile(r"^(?:feed|nguon|nguồn|source):(\S+)$", re.IGNORECASE)
_SECTION = re.compile(r"^(?:section|muc|mục|chuyenmuc|chuyên_mục):(\S+)$", re.IGNORECASE)
_PAGE = re.compile(r"\s+(?:trang|page)\s+(\d{1,3})\s*$", re.IGNORECASE)


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """`fold` of one word, memoized: ranking folds the same words over and over."""
    return fold(word)


def exact_tokens(text: str) -> list[str]:
    """Lowercased normalized tokens, diacritics kept."""
    return TOKEN.findall(normalize(text).lower())


def folded_tokens(text: str) -> list[str]:
    """The index's form of a text: folded tokens, as unicode61 cuts the folded string."""
    return TOKEN.findall(fold(normalize(text)))


def index_form(text: str) -> str:
    """What is written into the FTS table for a text."""
    return " ".join(folded_tokens(text))


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a query: folded, exact (as typed), and whether it may be a prefix."""

    folded: str
    exact: str
    prefix: bool = False

    @property
    def marked(self) -> bool:
        """Did the reader type diacritics on this word."""
        return self.exact != self.folded


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    raw: str
    terms: tuple[Term, ...]
    window_seconds: float | None = None
    feed: str | None = None
    section: str | None = None
    page: int | None = None
    # The words as the search found them in the index (run-together syllables cut,
    # unknown words left out), once a search has run: what a snippet should bold.
    found_as: tuple[Term, ...] = ()

    @property
    def text(self) -> str:
        """The words only (no window, filter or page), as typed."""
        return " ".join(t.exact for t in self.terms)

    @property
    def marked(self) -> bool:
        return any(t.marked for t in self.terms)

    @property
    def folded_text(self) -> str:
        return " ".join(t.folded for t in self.terms)


def _terms(words: str, *, prefix_last: bool) -> tuple[Term, ...]:
    terms: list[Term] = []
    for word in exact_tokens(words):
        folded = fold_word(word)
        parts = [folded] if folded.isalnum() else TOKEN.findall(folded)
        for part in parts:
            terms.append(Term(part, word if len(parts) == 1 else part))
    if prefix_last and terms and len(terms[-1].folded) >= 2 and not terms[-1].folded.isdigit():
        last = terms[-1]
        terms[-1] = Term(last.folded, last.exact, prefix=True)
    return tuple(terms)


def parse_query(raw: str, *, prefix_last: bool = True) -> ParsedQuery:
    """Split a reader's query into words, a time window, a feed or section, a page.

    `/search 7d sạt lở`, `/search 30 ngày sạt lở`, `/search sạt lở feed:lamdong`,
    `/search sạt lở trang 2` (Zalo has no buttons). The last word may be a prefix:
    readers stop typing half-way ("festival hoa da la").
    """
    text = normalize(raw).strip()
    page: int | None = None
    match = _PAGE.search(" " + text)
    if match:
        page = max(1, int(match.group(1)))
        text = (" " + text)[: match.start()].strip()
    window: float | None = None
    folded_head = fold(text.lower())
    word_window = _WORD_WINDOW.match(folded_head)
    if word_window:
        window = int(word_window.group(1)) * _UNIT_SECONDS[word_window.group(2)]
        consumed = len(word_window.group(0))
        text = text[consumed:]
    feed: str | None = None
    section: str | None = None
    kept: list[str] = []
    for word in text.split():
        compact = _COMPACT_WINDOW.match(word.lower())
        if compact and window is None:
            window = int(compact.group(1)) * _UNIT_SECONDS[compact.group(2)]
            continue
        feed_match = _FEED.match(word)
        if feed_match:
            feed = feed_match.group(1)
            continue
        section_match = _SECTION.match(word)
        if section_match:
            section = section_slug(section_match.group(1)) or section_match.group(1)
            continue
        kept.append(word)
    words = " ".join(kept)
    ends_in_space = raw.endswith((" ", "\u00a0"))
    return ParsedQuery(
        raw=raw,
        terms=_terms(words, prefix_last=prefix_last and not ends_in_space),
        window_seconds=window,
        feed=feed,
        section=section,
        page=page,
    )


# --- FTS5 expressions -------------------------------------------------------------------


def _quote(term: Term) -> str:
    # Terms are folded runs of letters and digits: nothing to escape, quotes keep
    # words like "and", "or", "not", "near" from being read as operators.
    return f'"{term.folded}"' + ("*" if term.prefix else "")


def phrase_expression(terms: Sequence[Term]) -> str:
    """All words as neighbours, in order; the last one may be a prefix."""
    body = " ".join(t.folded for t in terms)
    return f'"{body}"' + ("*" if terms and terms[-1].prefix else "")


def all_expression(terms: Sequence[Term]) -> str:
    """Every word somewhere."""
    return " AND ".join(_quote(t) for t in terms)


# Two Vietnamese syllables run together are at most ~14 letters ("nghiengnghieng"); a
# longer "word" is no such pair, and cutting it every way costs its length squared.
RUN_TOGETHER_MAX = 24


def split_candidates(word: str) -> list[tuple[str, str]]:
    """Ways to cut a run-together word in two syllables ("dalat" → "da" + "lat")."""
    if word.isdigit() or len(word) > RUN_TOGETHER_MAX:
        return []
    return [(word[:i], word[i:]) for i in range(1, len(word))]
