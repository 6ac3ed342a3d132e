"""Search queries, pure: parse what a reader typed, build FTS5 expressions, rank, snippet.

No I/O here. `bot.store.search` asks SQLite for bounded candidate sets with the
expressions built here and ranks them with `score`; handlers use `parse_query` and
`snippet` for what they show.

Words are compared in two forms: *exact* (NFC, one tone convention, lowercase) and
*folded* (no diacritics, đ→d, see `bot.text.fold`). A token is a run of letters and
digits, the way SQLite's unicode61 tokenizer cuts text, so "25/02/2023" is three tokens
in the index and in a query alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.core.text import fold, normalize

_TOKEN = re.compile(r"[^\W_]+")

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
    return _TOKEN.findall(normalize(text).lower())


def folded_tokens(text: str) -> list[str]:
    """The index's form of a text: folded tokens, as unicode61 cuts the folded string."""
    return _TOKEN.findall(fold(normalize(text)))


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
        parts = [folded] if folded.isalnum() else _TOKEN.findall(folded)
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
            section = section_match.group(1)
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


def split_candidates(word: str) -> list[tuple[str, str]]:
    """Ways to cut a run-together word in two syllables ("dalat" → "da" + "lat")."""
    return [(word[:i], word[i:]) for i in range(1, len(word)) if not word.isdigit()]


# --- ranking ----------------------------------------------------------------------------

TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 1.5
BODY_WEIGHT = 1.0
PHRASE_WEIGHT = 2.5
EXACT_WEIGHT = 2.5
TITLE_RUN_WEIGHT = 3.0  # every word, in order, side by side in the title
WHOLE_RUN_WEIGHT = 1.0  # ... and the last word whole, not only its beginning


@dataclass(slots=True)
class Candidate:
    """One story under consideration, with what the candidate queries told about it."""

    id: int
    title: str
    lead: str
    time: float
    title_phrase: bool = False
    any_phrase: bool = False
    all_terms: bool = False
    body_exact: float = 0.0
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


def idf_weights(terms: Sequence[Term], doc_freq: Mapping[str, int], total: int) -> list[float]:
    """Each word's share of the query by inverse document frequency (sums to 1)."""
    if not terms:
        return []
    raw = [math.log(1.0 + (total + 1.0) / (doc_freq.get(t.folded, 0) + 1.0)) for t in terms]
    norm = sum(raw) or 1.0
    return [r / norm for r in raw]


def _matches(token: str, term: Term) -> bool:
    return token == term.folded or (term.prefix and token.startswith(term.folded))


def _field_features(
    tokens: Sequence[str], terms: Sequence[Term], weights: Sequence[float]
) -> tuple[float, float]:
    """(weighted share of words present, share of query neighbours present as neighbours)."""
    whole = {t.folded for t in terms if not t.prefix}
    prefixes = tuple(t.folded for t in terms if t.prefix)
    hits = [
        (i, tok)
        for i, tok in enumerate(tokens)
        if tok in whole or (prefixes and tok.startswith(prefixes))
    ]
    present = 0.0
    positions: list[set[int]] = []
    for term, weight in zip(terms, weights, strict=True):
        where = {i for i, tok in hits if _matches(tok, term)} if hits else set()
        if where:
            present += weight
        positions.append(where)
    if len(terms) < 2:
        return present, present
    pairs = 0
    for i in range(len(terms) - 1):
        following = positions[i + 1]
        if following and any(p + 1 in following for p in positions[i]):
            pairs += 1
    return present, pairs / (len(terms) - 1)


def title_run(tokens: Sequence[str], terms: Sequence[Term]) -> tuple[float, float]:
    """(run, whole) for the query's words as one contiguous run in the title.

    `run` 1.0 when every word is there, in order, side by side (the last one possibly
    only begun); `whole` 1.0 when such a run ends in the last word whole ("bao so" in
    "Bão số 9" rather than in "Bão sớm"). A title's share of the run (shorter titles
    first) was tried and left out: it overrules recency between equal matches.
    """
    size = len(terms)
    run = whole = 0.0
    last = terms[-1] if terms else None
    for start in range(len(tokens) - size + 1 if size else 0):
        if all(_matches(tokens[start + j], terms[j]) for j in range(size)):
            run = 1.0
            if last is not None and tokens[start + size - 1] == last.folded:
                whole = 1.0
                break
    return run, whole


def exact_share(text: str, terms: Sequence[Term]) -> float:
    """Share of the marked query words found with the same diacritics in lowercase text.

    A substring test: a word typed with its diacritics rarely sits inside another.
    """
    marked = [t for t in terms if t.marked]
    if not marked:
        return 0.0
    return sum(1 for t in marked if t.exact in text) / len(marked)


def score(candidate: Candidate, terms: Sequence[Term], weights: Sequence[float]) -> float:
    """Title > lead > body; neighbours beat scattered words; exact diacritics win.

    The body is seen through the candidate queries only: whether all words (and the
    phrase) occur somewhere. Title and lead are read here; they are stored normalized,
    so only case is folded before comparing exact words.
    """
    title = candidate.title.lower()
    lead = candidate.lead.lower()
    title_tokens = _TOKEN.findall(fold(title))
    t_present, t_pairs = _field_features(title_tokens, terms, weights)
    l_present, l_pairs = _field_features(_TOKEN.findall(fold(lead)), terms, weights)
    value = TITLE_WEIGHT * (t_present + t_pairs) + LEAD_WEIGHT * (l_present + l_pairs)
    run, whole = title_run(title_tokens, terms) if len(terms) > 1 else (0.0, 0.0)
    value += TITLE_RUN_WEIGHT * run + WHOLE_RUN_WEIGHT * whole
    if candidate.title_phrase:
        value += TITLE_WEIGHT * 0.5
    if candidate.all_terms:
        value += BODY_WEIGHT
    if candidate.any_phrase:
        value += PHRASE_WEIGHT
    exact = 0.0
    if any(t.marked for t in terms):
        exact = max(exact_share(title + "\n" + lead, terms), candidate.body_exact)
        value += EXACT_WEIGHT * exact
    candidate.features = {
        "title": t_present,
        "title_pairs": t_pairs,
        "lead": l_present,
        "lead_pairs": l_pairs,
        "title_run": run,
        "title_whole": whole,
        "exact": exact,
    }
    candidate.score = value
    return value


def order(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Best score first; equal scores go to the more recent story."""
    return sorted(candidates, key=lambda c: (round(c.score, 6), c.time, c.id), reverse=True)


def rank(
    candidates: Sequence[Candidate], terms: Sequence[Term], weights: Sequence[float]
) -> list[Candidate]:
    """Best first; equal scores go to the more recent story."""
    for candidate in candidates:
        score(candidate, terms, weights)
    return order(candidates)


# --- snippets ---------------------------------------------------------------------------


def _word_matches(word: str, term: Term) -> bool:
    """Is this text word the query word? Typed with diacritics, they must agree."""
    lower = word.lower()
    if term.marked:
        return lower == term.exact or (term.prefix and lower.startswith(term.exact))
    return _matches(fold_word(lower), term)


def _is_match(word: str, terms: Sequence[Term]) -> bool:
    return any(_word_matches(word, t) for t in terms)


def highlight(text: str, terms: Sequence[Term]) -> list[tuple[str, bool]]:
    """The text cut into (piece, matched) runs; matched words are whole tokens."""
    text = normalize(text)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _TOKEN.finditer(text):
        if _is_match(match.group(0), terms):
            if match.start() > at:
                pieces.append((text[at : match.start()], False))
            if pieces and pieces[-1][1] and text[at : match.start()] == "":
                pieces[-1] = (pieces[-1][0] + match.group(0), True)
            else:
                pieces.append((match.group(0), True))
            at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return _merge(pieces)


def _merge(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Join neighbouring matched words separated by one space into one bold run."""
    out: list[tuple[str, bool]] = []
    for piece in pieces:
        if len(out) >= 2 and piece[1] and out[-1] == (" ", False) and out[-2][1]:
            out.pop()
            out[-1] = (out[-1][0] + " " + piece[0], True)
        elif out and out[-1][1] == piece[1] and not piece[1]:
            out[-1] = (out[-1][0] + piece[0], False)
        else:
            out.append(piece)
    return out


def snippet(
    texts: Sequence[str], terms: Sequence[Term], width: int = 180
) -> list[tuple[str, bool]]:
    """The window of about `width` characters with the most distinct query words.

    `texts` in order of preference (lead, then body); ties go to the earlier text and
    the earlier window. Cut at word boundaries, "…" where text was left out.
    """
    best: tuple[int, int, int, str] | None = None  # (-distinct, text index, start, text)
    for index, raw in enumerate(texts):
        text = " ".join(normalize(raw).split())
        if not text:
            continue
        tokens = list(_TOKEN.finditer(text))
        hits = [
            (m.start(), i)
            for m in tokens
            for i, t in enumerate(terms)
            if _word_matches(m.group(0), t)
        ]
        if not hits:
            if best is None:
                best = (0, index, 0, text)
            continue
        for start, _ in hits:
            begin = max(0, start - width // 4)
            distinct = len({i for s, i in hits if begin <= s < begin + width})
            key = (-distinct, index, begin, text)
            if best is None or key[:3] < best[:3]:
                best = key
    if best is None:
        return []
    _, _, begin, text = best
    if begin > 0:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 and begin - space < 30 else begin
    end = begin + width
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    piece = text[begin:end].strip()
    runs = highlight(piece, terms)
    if begin > 0:
        runs.insert(0, ("…", False))
    if end < len(text):
        runs.append(("…", False))
    return _merge(runs)
