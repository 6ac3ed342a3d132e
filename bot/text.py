"""Vietnamese text tools shared by the summarizer and search.

Everything stored or compared goes through `normalize` first, so that "hoà" and
"hòa", or a decomposed and a precomposed "ộ", are the same string.
"""

from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# Old-style placement puts the tone on the second vowel of an open "oa", "oe", "uy"
# ("hoà", "khoẻ", "thuỷ"); we keep the new style ("hòa", "khỏe", "thủy"). After "q" the
# "u" belongs to the consonant ("quý"), so it is left alone.
_OLD_STYLE_TONE = re.compile(
    rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONE_MARKS}])(?![\w\u0300-\u036f])"
)
_SPACES = re.compile(r"\s+")
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def normalize(text: str) -> str:
    """NFC with one tone-mark convention; white space is kept as it is."""
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _OLD_STYLE_TONE.sub(r"\1\3\2", decomposed)
    return unicodedata.normalize("NFC", decomposed)


def collapse_spaces(text: str) -> str:
    """Runs of white space (including non-breaking spaces) become one space."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def fold(text: str) -> str:
    """The search form: lowercase, no diacritics, đ→d ("Đà Lạt" → "da lat")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
