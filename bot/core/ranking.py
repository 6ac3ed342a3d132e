"""Ranking and snippets, pure: how well a candidate story answers a parsed query.

`bot.store.search` gathers bounded candidate sets and hands them to `rank`; handlers cut
what they show with `snippet`. A story holding every word of the query comes before one
holding only some, whatever else it has; a word typed with diacritics is held only where
the story spells it so ("sầu" is not "sau"), one typed without them wherever it folds to
it. Then titles weigh most, the lead next, the body last; the words side by side as
typed (the phrase) lift a story, and so do words typed with diacritics spelt the same.
Snippets bold the same matches, the phrase rather than its words scattered.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

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

    A substring test, the guess before a story is read: it may find "hà" in "hàng".
    """
    marked = [t for t in terms if t.marked]
    if not marked:
        return 0.0
    return sum(1 for t in marked if t.exact in text) / len(marked)


def read_fields(candidate: Candidate, terms: Sequence[Term]) -> bool:
    """Read title and lead as typed into `seen`; True when only the body can settle it."""
    words, phrase = words_found((candidate.title, candidate.lead), terms)
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


# --- the query's words in a text ----------------------------------------------------------

# What may stand between two words of one phrase: spaces, or a dash ("Jong-un", "Bắc
# Thăng Long - Nội Bài"); between two figures also one of "/.,:" ("25/02/2023", "2,2").
# Never a sentence's end or a comma: "… năm sau. Riêng năm 2023 …" holds no "sau riêng".
_DASHED = re.compile(r"[ \t\u00a0]*[-\u2010\u2011\u2013][ \t\u00a0]*")
_FIGURE_JOINERS = frozenset("/.,:-")


def _joined(gap: str, left: str, right: str) -> bool:
    if (gap.isspace() and "\n" not in gap) or _DASHED.fullmatch(gap):
        return True
    return gap in _FIGURE_JOINERS and left[-1:].isdigit() and right[:1].isdigit()


@lru_cache(maxsize=1)
def _letters() -> dict[str, str]:
    """Each folded letter and every letter, either case, that folds to it ("d": "DdĐđ")."""
    out: dict[str, str] = {}
    for code in (*range(0x41, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold(char)
        if char.isalpha() and len(folded) == 1 and folded.isascii():
            out[folded] = out.get(folded, "") + char
    return out


@lru_cache(maxsize=512)
def _finder(terms: tuple[Term, ...]) -> re.Pattern[str]:
    """Every query word as a whole word of the text, whatever its diacritics or case.

    The text is searched as it is, at C speed, with a class of letters for each folded
    letter ("da": "[DdĐđ][AaÀà…]"): a body is not folded or normalized to be searched.
    """
    letters = _letters()

    def spelt(word: str) -> str:
        return "".join(f"[{re.escape(letters[c])}]" if c in letters else re.escape(c) for c in word)

    whole = sorted({t.folded for t in terms if not t.prefix}, key=len, reverse=True)
    begun = sorted({t.folded for t in terms if t.prefix}, key=len, reverse=True)
    options = []
    if whole:
        options.append("(?:" + "|".join(map(spelt, whole)) + r")(?![^\W_])")
    if begun:
        options.append("(?:" + "|".join(map(spelt, begun)) + r")[^\W_]*")
    return re.compile(r"(?<![^\W_])(?:" + "|".join(options) + ")")


def _word_matches(word: str, term: Term) -> bool:
    """Is this text word the query word? Typed with diacritics, they must agree."""
    lower = word.lower()
    if term.marked:
        if not (lower == term.exact or (term.prefix and lower.startswith(term.exact))):
            lower = normalize(lower)  # the other tone convention ("hoà")
        return lower == term.exact or (term.prefix and lower.startswith(term.exact))
    return _matches(fold_word(lower), term)


def _words(text: str, terms: tuple[Term, ...]) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, end, which query words) for every text word that is a query word.

    `text` in NFC (composed letters), as stored and as `normalize` leaves it.
    """
    by_word, begun = _by_word(terms)
    out = []
    for match in _finder(terms).finditer(text):
        word = match.group(0)
        folded = fold_word(word.lower())
        which = by_word.get(folded, ())
        if begun:
            which += tuple(i for i in begun if folded.startswith(terms[i].folded))
        if any(terms[i].marked for i in which):
            which = tuple(i for i in which if _word_matches(word, terms[i]))
        if which:
            out.append((match.start(), match.end(), which))
    return out


@lru_cache(maxsize=512)
def _by_word(terms: tuple[Term, ...]) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Folded word → the whole query words it is; and the query words that may be begun."""
    by_word: dict[str, tuple[int, ...]] = {}
    for i, term in enumerate(terms):
        if not term.prefix:
            by_word[term.folded] = (*by_word.get(term.folded, ()), i)
    return by_word, tuple(i for i, t in enumerate(terms) if t.prefix)


@dataclass(frozen=True, slots=True)
class Run:
    """Query words `first` … `first + size - 1` side by side at text[start:end]."""

    start: int
    end: int
    first: int
    size: int


def find_runs(text: str, terms: Sequence[Term]) -> list[Run]:
    """The query's words in a text, each in the longest run of the query it starts.

    Left to right, never overlapping: "Đà Lạt" for "da lat" is one run of two, a lone
    "đã" a run of one.
    """
    query = tuple(terms)
    words = _words(text, query)
    runs: list[Run] = []
    i = 0
    while i < len(words):
        start, _, which = words[i]
        best, size = which[0], 1
        for first in which:
            n = 1
            while (
                i + n < len(words)
                and first + n < len(query)
                and first + n in words[i + n][2]
                and _joined(
                    text[words[i + n - 1][1] : words[i + n][0]],
                    text[words[i + n - 1][0] : words[i + n - 1][1]],
                    text[words[i + n][0] : words[i + n][1]],
                )
            ):
                n += 1
            if n > size:
                best, size = first, n
        runs.append(Run(start, words[i + size - 1][1], best, size))
        i += size
    return runs


def words_found(texts: Iterable[str], terms: Sequence[Term]) -> tuple[frozenset[int], bool]:
    """Which query words the texts hold, and whether one holds them all side by side.

    Stored text is composed (NFC) but not always in our tone convention ("hoà"): the
    words found are compared in that convention (`_word_matches`).
    """
    found: set[int] = set()
    phrase = False
    for text in texts:
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        for run in find_runs(text, terms):
            found.update(range(run.first, run.first + run.size))
            phrase = phrase or (run.size == len(terms) > 1)
    return frozenset(found), phrase


def _paired(runs: Iterable[Run]) -> frozenset[int]:
    """Query words seen side by side with a neighbour of the query somewhere."""
    return frozenset(i for r in runs if r.size > 1 for i in range(r.first, r.first + r.size))


def _shown(runs: Iterable[Run], paired: frozenset[int]) -> list[Run]:
    """The runs to bold: a word alone only when it is never seen in a run.

    "da lat": where "Đà Lạt" occurs, a lone "đã" is some other word that folds alike.
    """
    return [r for r in runs if r.size > 1 or r.first not in paired]


# --- snippets ---------------------------------------------------------------------------


def highlight(
    text: str, terms: Sequence[Term], paired: frozenset[int] | None = None
) -> list[tuple[str, bool]]:
    """The text cut into (piece, matched) runs; matched pieces are whole words.

    `paired`: the query words seen in a run in the whole story (by default in `text`).
    """
    text = normalize(text)
    runs = find_runs(text, terms)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for run in _shown(runs, _paired(runs) if paired is None else paired):
        if run.start > at:
            pieces.append((text[at : run.start], False))
        pieces.append((text[run.start : run.end], True))
        at = run.end
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
    """The window of about `width` characters that shows the most query words.

    Words count as they will be bolded (`_shown`); between equals, the longer run (the
    phrase), then the earlier text, then the earlier window. `texts` in order of
    preference (lead, then body). Cut at word boundaries, "…" where text was left out.
    """
    cleaned = [" ".join(normalize(raw).split()) for raw in texts]
    found = [find_runs(text, terms) for text in cleaned]
    paired = _paired(r for runs in found for r in runs)
    best: tuple[int, int, int, int, str] | None = None  # (-words, -run, text, start, text)
    for index, (text, runs) in enumerate(zip(cleaned, found, strict=True)):
        if not text:
            continue
        shown = _shown(runs, paired)
        if not shown and best is None:
            best = (0, 0, index, 0, text)
        for run in shown:
            begin = max(0, run.start - width // 4)
            inside = [r for r in shown if begin <= r.start and r.end <= begin + width]
            words = len({i for r in inside for i in range(r.first, r.first + r.size)})
            key = (-words, -max((r.size for r in inside), default=0), index, begin, text)
            if best is None or key[:4] < best[:4]:
                best = key
    if best is None:
        return []
    begin, text = best[3], best[4]
    if begin > 0:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 and begin - space < 30 else begin
    end = begin + width
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    piece = text[begin:end].strip()
    pieces = highlight(piece, terms, paired)
    if begin > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return _merge(pieces)
