"""Vietnamese text tools shared by the summarizer and search.

Everything stored or compared goes through `normalize` first, so that "hoà" and
"hòa", or a decomposed and a precomposed "ộ", are the same string. Pure functions,
no I/O: the summarizer runs them on every story and search on every query.
"""

from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# Old-style placement puts the tone on the second vowel of an open "oa", "oe", "uy"
# ("hoà", "khoẻ", "thuỷ"); we keep the new style ("hòa", "khỏe", "thủy"). After "q" the
# "u" belongs to the consonant ("quý"), so it is left alone.
_OLD_STYLE_TONE = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONE_MARKS}])(?![\w\u0300-\u036f])")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFC with one tone-mark convention; white space is kept as it is."""
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _OLD_STYLE_TONE.sub(r"\1\3\2", decomposed)
    return unicodedata.normalize("NFC", decomposed)


def collapse_spaces(text: str) -> str:
    """Runs of white space (including non-breaking spaces) become one space."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


# --- folding ---------------------------------------------------------------------------

# How many characters outside the prefilled ranges `fold` remembers; past it, an unseen
# character is folded the slow way each time (text from readers cannot grow it forever).
_FOLD_MEMO_LIMIT = 1 << 16


def _fold_char(code: int) -> str:
    """One lowercase character's search form: its canonical decomposition without the
    combining marks ("ộ" → "o", "é" → "e", "ﬁ" stays, a Hangul syllable → its jamo), đ→d."""
    char = chr(code)
    if char == "đ":
        return "d"
    return "".join(
        part for part in unicodedata.normalize("NFD", char) if not unicodedata.combining(part)
    )


class _FoldTable(dict[int, str]):
    """`str.translate` table for `fold`: code point → folded text, filled as text is seen.

    Decomposition works character by character (canonical reordering only moves combining
    marks, which folding drops), so looking each character up gives the same result as
    decomposing the whole text, at the speed of one `translate`.
    """

    def __missing__(self, code: int) -> str:
        folded = _fold_char(code)
        if len(self) < _FOLD_MEMO_LIMIT:
            self[code] = folded
        return folded


# Prefilled: ASCII, every Latin letter Vietnamese (and its neighbours) uses, the combining
# diacritics; anything else is filled on first sight.
_FOLD = _FoldTable()
for _code in (*range(0x0000, 0x0250), *range(0x0300, 0x0370), *range(0x1E00, 0x1F00)):
    _FOLD[_code] = _fold_char(_code)
del _code


def fold(text: str) -> str:
    """The search form: lowercase, no diacritics, đ→d ("Đà Lạt" → "da lat").

    The same as lowercasing, decomposing (NFD), dropping combining marks and mapping đ to
    d, for any text (normalized or not), but one table lookup per character.
    """
    if text.isascii():
        return text.lower()
    return text.lower().translate(_FOLD)


# --- words -----------------------------------------------------------------------------

# A number keeps its separators ("17.200", "98,66", "25/02/2023", "142/142", "8:30"), so a
# figure is one token; anything else is a run of letters and digits. Punctuation, "%" and
# dashes fall away: "COVID-19" is two tokens, as a reader would type it into search.
_TOKEN = re.compile(r"\d+(?:[.,/:]\d+)+|[^\W_]+")


def syllables(text: str) -> list[str]:
    """Split into syllables and figures, case kept, punctuation dropped.

    Vietnamese writes one syllable per space-separated unit, so this is the word unit
    for search and for ROUGE alike; callers lowercase or `fold` as they need.
    """
    return _TOKEN.findall(normalize(text))


# --- sentences -------------------------------------------------------------------------

# Titles and units written with a dot that never end a sentence in news text: "TP. HCM",
# "TS. Lê", "PGS.TS. Nguyễn", "ThS. BS.", "Mr. Smith". Each dot-separated part is checked,
# so compounds like "PGS.TS" or "TS.BS" need no entry of their own.
# fmt: off
_ABBREVIATIONS = frozenset({
    "TP", "Tp", "tp", "TS", "Ts", "ThS", "Ths", "Th.S", "PGS", "GS", "BS", "Bs", "KS", "CN",
    "BSCKI", "BSCKII", "CKI", "CKII", "NCS", "TX", "Tx", "tx", "TT", "NXB", "Cty", "CTy",
    "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "tr", "q", "p", "h", "x",
})
# fmt: on
# Administrative units written as one letter: "Q. 1" (quận), "P. Bến Nghé" (phường),
# "H. Bắc Trà My" (huyện), "X. Tà Xùa" (xã). Right after a capitalized word the same letter
# is the initial of a withheld name ("Phùng Văn Q."), see `_is_boundary`.
_PLACE_LETTERS = frozenset("QPHX")
# The initial of a withheld name: one capital, or a Vietnamese consonant digraph ("Th.",
# "Ng."), possibly a chain ("N.Q.T.", "L.H. L."). "An.", "La.", "Vy." are real syllables.
_INITIAL = re.compile(r"(?:[A-ZĐ](?:h|r|g|gh|i|u)?\.)*[A-ZĐ](?:h|r|g|gh|i|u)?")
_INITIAL_DIGRAPHS = frozenset({"Th", "Tr", "Ph", "Ch", "Nh", "Ng", "Ngh", "Kh", "Gh", "Gi", "Qu"})
# Words after which a capital letter stands for a withheld name, not an abbreviation:
# "anh Q.", "xã X.", "bé C.".
# fmt: off
_NAME_CUES = frozenset({
    "ông", "bà", "anh", "chị", "em", "cháu", "bé", "cô", "chú", "bác", "cụ", "tên", "họ",
    "nữ", "nam", "tượng", "xã", "phường", "quận", "huyện", "thôn", "ấp", "tỉnh",
})
# fmt: on
# Letters no Vietnamese syllable starts with: "Donald J. Trump", "John F. Kennedy". A
# middle initial between two names that cannot be Vietnamese syllables is foreign too.
_FOREIGN_INITIALS = frozenset("FJWZ")
# An end mark, then closing quotes or brackets, then a space.
_END = re.compile(r"(?:[.!?…]+|\.\.\.)[”’\"')\]»]*(?=\s)")
_INITIAL_AHEAD = re.compile(r"[A-ZĐ](?:h|r|g|gh|i|u)?\.(?:\s|$|[A-ZĐ])")
_VIET_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_ORDINAL = re.compile(r"^(?:\d{1,2}|[IVX]{1,4}|[a-zđ])$")
_OPENING = "“\"'‘«"
_MAX_QUOTE = 320


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Where quoted speech lies, so that a short quote of two sentences stays whole.

    Curly quotes pair by nesting; straight quotes only when they are balanced, since
    an odd count means we cannot tell openers from closers.
    """
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == "“":
            opened.append(i)
        elif ch == "”" and opened:
            spans.append((opened.pop(), i))
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if len(straight) % 2 == 0:
        spans.extend(zip(straight[::2], straight[1::2], strict=True))
    return [(a, b) for a, b in spans if b - a <= _MAX_QUOTE]


def _looks_vietnamese(word: str) -> bool:
    """Could this capitalized word be a Vietnamese syllable (rather than "William")?"""
    word = word.strip(".,;:()\"'“”")
    if not word.isascii():
        return True
    return bool(_VIET_SYLLABLE.fullmatch(word.lower()))


def _word_at(text: str, i: int) -> str:
    end = text.find(" ", i)
    return text[i : end if end >= 0 else len(text)]


def _next_starts_sentence(text: str, i: int) -> bool:
    """Does the text at `i` look like a sentence start: a capital or a figure."""
    if i < len(text) and text[i] in _OPENING:
        i += 1
        while i < len(text) and text[i] == " ":
            i += 1
    if i >= len(text):
        return False
    ch = text[i]
    return ch.isupper() or ch.isdigit()


def _is_boundary(text: str, start: int, mark: str, mark_at: int, next_at: int) -> bool:
    """Decide whether the end mark at `mark_at` ends the sentence that began at `start`."""
    if not _next_starts_sentence(text, next_at):
        return False
    if mark != ".":
        return True
    before = text[start:mark_at]
    token = before.rsplit(" ", 1)[-1].lstrip("(“\"'[")
    if not token:
        return True
    if before.strip() == token and _ORDINAL.match(token):
        return False  # "1. Nội dung", "II. Kết luận"
    if token in _ABBREVIATIONS or all(p in _ABBREVIATIONS for p in token.split(".")):
        return False
    if _INITIAL.fullmatch(token) and (
        len(token) == 1 or "." in token or token in _INITIAL_DIGRAPHS
    ):
        if _INITIAL_AHEAD.match(text, next_at):
            return False  # "L.H. L." is one name
        words = before[: len(before) - len(token)].split()
        last = words[-1] if words else ""
        capitalized = last[:1].isupper() and last[1:].isalpha() and last[1:].islower()
        after_name = capitalized or last.lower() in _NAME_CUES
        if token in _PLACE_LETTERS and not after_name:
            return False  # "tại Q. 3", "(P. Bến Nghé"
        if after_name and (
            token[-1] in _FOREIGN_INITIALS
            or (not _looks_vietnamese(last) and not _looks_vietnamese(_word_at(text, next_at)))
        ):
            return False  # "George W. Bush", "Eliot L. Engel"
    return True


def _split_paragraph(text: str) -> list[str]:
    spans = _quote_spans(text)
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        mark_at = match.start()
        if any(a < mark_at and match.end() <= b for a, b in spans):
            continue
        next_at = match.end()
        while next_at < len(text) and text[next_at] == " ":
            next_at += 1
        mark = match.group(0).rstrip("”’\"')]»")
        if _is_boundary(text, start, mark, mark_at, next_at):
            sentence = text[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = next_at
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split Vietnamese news text into sentences, normalized and with spaces collapsed.

    A line break always ends a sentence (paragraphs, bylines and captions have none of
    their own). Within a line, an end mark ends a sentence only before a capital or a
    figure, and not after a title ("TP.", "PGS.TS."), a unit letter ("Q. 1"), or inside
    a short quotation. Dots and commas inside figures ("17.200", "98,66%") never split,
    since no space follows them. After a withheld name's initial ("Nguyễn Văn T.") a
    capital does start a new sentence: that is how Vietnamese news writes it.
    """
    sentences: list[str] = []
    for line in normalize(text).splitlines():
        line = collapse_spaces(line)
        if line:
            sentences.extend(_split_paragraph(line))
    return sentences
