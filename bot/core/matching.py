"""Where a query's words are in a text, as the reader typed them; snippets that show them.

Pure. A word typed with diacritics is found only where the text spells it so ("sầu" is
not "sau"; either tone convention, "hòa"/"hoà"); one typed without them wherever the
text folds to it ("da" is "Đà" and "đã"). Runs of the query's words side by side are
found too, as a reader reads them: not across a sentence's end or a comma. Ranking
(`bot.core.ranking`) asks which words and whether the phrase a story holds; snippets
bold the runs, the phrase rather than its words scattered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.query import Term, fold_word
from bot.core.text import fold, normalize


def matches(token: str, term: Term) -> bool:
    """Is this folded token the (folded) query word, or begun by it when it may be?"""
    return token == term.folded or (term.prefix and token.startswith(term.folded))


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


def _wordmatches(word: str, term: Term) -> bool:
    """Is this text word the query word? Typed with diacritics, they must agree."""
    lower = word.lower()
    if term.marked:
        if not (lower == term.exact or (term.prefix and lower.startswith(term.exact))):
            lower = normalize(lower)  # the other tone convention ("hoà")
        return lower == term.exact or (term.prefix and lower.startswith(term.exact))
    return matches(fold_word(lower), term)


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
            which = tuple(i for i in which if _wordmatches(word, terms[i]))
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
