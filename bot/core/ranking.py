"""Ranking, pure: how well a candidate story answers a parsed query.

`bot.store.search` gathers bounded candidate sets and hands them to `rank`. A story
holding every word of the query comes before one holding only some, whatever else it
has; a word typed with diacritics is held only where the story spells it so ("sầu" is
not "sau"), one typed without them wherever it folds to it. Then titles weigh most,
the lead next, the body last; the words side by side as typed (the phrase) lift a
story, and so do words typed with diacritics spelt the same. Where the words are in a
text is `bot.core.matching`'s, which snippets share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.matching import matches, words_found
from bot.core.query import TOKEN, Term
from bot.core.text import fold

TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 1.5
BODY_WEIGHT = 1.0
PHRASE_WEIGHT = 2.5
EXACT_WEIGHT = 2.5
TITLE_RUN_WEIGHT = 3.0  # every word, in order, side by side in the title
WHOLE_RUN_WEIGHT = 1.0  # ... and the last word whole, not only its beginning


@dataclass(slots=True)
class Candidate:
    """One story under consideration, with what the candidate queries told about it.

    `all_terms`, `any_phrase` and `title_phrase` come from the index, which sees folded
    words only and no punctuation. `seen` is what reading the story as typed found
    (`read_fields`, `read_body`): the store reads only the best few. Until then
    `all_words` and `phrase` trust the index, and the exact words are guessed from
    substrings, so reading can only lower a story, save for exact words it finds.
    """

    id: int
    title: str
    lead: str
    time: float
    title_phrase: bool = False
    any_phrase: bool = False
    all_terms: bool = False
    seen: tuple[frozenset[int], bool] | None = None
    all_words: bool = False
    phrase: bool = False
    compound: bool = False  # the query's two syllables side by side: one word
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


def idf_weights(terms: Sequence[Term], doc_freq: Mapping[str, int], total: int) -> list[float]:
    """Each word's share of the query by inverse document frequency (sums to 1)."""
    if not terms:
        return []
    raw = [math.log(1.0 + (total + 1.0) / (doc_freq.get(t.folded, 0) + 1.0)) for t in terms]
    norm = sum(raw) or 1.0
    return [r / norm for r in raw]


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
    at: dict[str, set[int]] = {}
    for i, tok in hits:
        at.setdefault(tok, set()).add(i)
    present = 0.0
    positions: list[set[int]] = []
    for term, weight in zip(terms, weights, strict=True):
        # By the token's own positions: a query of hundreds of words against a long lead
        # was words × matches (21 s for a 900-word query over 2,000 candidates).
        if term.prefix:
            where = {i for i, tok in hits if matches(tok, term)}
        else:
            where = at.get(term.folded, set())
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
        if all(matches(tokens[start + j], terms[j]) for j in range(size)):
            run = 1.0
            if last is not None and tokens[start + size - 1] == last.folded:
                whole = 1.0
                break
    return run, whole


def exact_share(text: str, terms: Sequence[Term]) -> float:
    """Share of the marked query words found with the same diacritics in lowercase text.

    A substring test, the guess before a story is read: it may find "hà" in "hàng".
    """
    marked = [t for t in terms if t.marked]
    if not marked:
        return 0.0
    return sum(1 for t in marked if t.exact in text) / len(marked)


def read_fields(candidate: Candidate, terms: Sequence[Term]) -> bool:
    """Read title and lead as typed into `seen`; True when only the body can settle it.

    The index's word on a phrase in the body is taken for queries of three words or
    more: there the phrase only weighs (`order`), not worth reading a body for.
    """
    words, phrase = words_found((candidate.title, candidate.lead), terms)
    phrase = phrase or (candidate.any_phrase and len(terms) > 2)
    candidate.seen = (words, phrase)
    missing = any(t.marked and i not in words for i, t in enumerate(terms))
    return missing or (candidate.any_phrase and not phrase)


def read_body(candidate: Candidate, body: str, terms: Sequence[Term]) -> None:
    """Add what the body holds as typed to `seen` (after `read_fields`)."""
    words, phrase = candidate.seen or (frozenset(), False)
    more, body_phrase = words_found((body,), terms)
    candidate.seen = (words | more, phrase or body_phrase)


def score(candidate: Candidate, terms: Sequence[Term], weights: Sequence[float]) -> float:
    """Title > lead > body; the phrase beats scattered words; exact diacritics win.

    The story is seen through the candidate queries and folded title and lead (cheap)
    until the store reads it as typed into `candidate.seen`.
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
    marked = [i for i, t in enumerate(terms) if t.marked]
    if candidate.seen is None:
        phrase = candidate.any_phrase or candidate.title_phrase
        phrase = phrase or (len(terms) > 1 and max(t_pairs, l_pairs) == 1.0)
        candidate.all_words = candidate.all_terms
        exact = exact_share(title + "\n" + lead, terms) if marked else 0.0
    else:
        words, phrase = candidate.seen
        # the index holds every word folded; as typed, the marked ones must be there too
        candidate.all_words = candidate.all_terms and all(i in words for i in marked)
        exact = sum(1 for i in marked if i in words) / len(marked) if marked else 0.0
    candidate.phrase = phrase
    candidate.compound = phrase and len(terms) == 2
    if phrase:
        value += PHRASE_WEIGHT
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
    """Every word as typed, then every word folded, before some; then the best score;
    equal scores to the newer story.

    Two syllables side by side are most often one word ("sầu riêng", "Đà Lạt"), apart two
    others: for a two-syllable query the phrase comes first too. Longer queries are
    headlines half remembered, whose words may sit across punctuation: there the phrase
    only weighs. Stories holding only some words (found when the rest are too few) come
    after the others, so later pages go on from earlier ones whether or not they were
    looked for."""
    return sorted(
        candidates,
        key=lambda c: (c.all_words, c.all_terms, c.compound, round(c.score, 6), c.time, c.id),
        reverse=True,
    )


def rank(
    candidates: Sequence[Candidate], terms: Sequence[Term], weights: Sequence[float]
) -> list[Candidate]:
    """Best first; equal scores go to the more recent story."""
    for candidate in candidates:
        score(candidate, terms, weights)
    return order(candidates)
