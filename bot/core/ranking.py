"""Ranking and snippets, pure: how well a candidate story answers a parsed query.

`bot.store.search` gathers bounded candidate sets and hands them to `rank`; handlers cut
what they show with `snippet`. Titles weigh most, then the lead, then the body; a phrase
or every word side by side in the title lifts a story, and so do words typed with
diacritics that the story spells the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.query import TOKEN, Term, fold_word
from bot.core.text import fold, normalize

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
    title_tokens = TOKEN.findall(fold(title))
    t_present, t_pairs = _field_features(title_tokens, terms, weights)
    l_present, l_pairs = _field_features(TOKEN.findall(fold(lead)), terms, weights)
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
    for match in TOKEN.finditer(text):
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
        tokens = list(TOKEN.finditer(text))
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
