"""Plain words people type instead of commands ("đăng ký", "tim sau rieng").

Zalo has no command menu and many readers type without diacritics, so phrases are
compared folded ("hủy" = "huy" = "huỷ"), word by word, at the start of the message. The
words after a search phrase are returned as typed, diacritics kept, for the search.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import fold, normalize

# Enough for any real message; a 10,000-character paste is looked at only this far.
MAX_WORDS = 64
_PUNCTUATION = ".,!?;:…\"'«»“”()[]"


@dataclass(frozen=True, slots=True)
class Intent:
    command: str
    args: tuple[str, ...] = ()


# (folded phrase, command, whole message only). Longer phrases are tried first, so
# "hủy đăng ký" is stop, not "hủy" + arguments. Stop must be the whole message: "dừng"
# folds to "dung", which is also "dùng" and the name "Dũng".
_PHRASES: tuple[tuple[str, str, bool], ...] = (
    ("dang ky", "start", False),
    ("dangky", "start", False),
    ("bat dau", "start", False),
    ("huy dang ky", "stop", True),
    ("huy", "stop", True),
    ("dung", "stop", True),
    ("dung nhan tin", "stop", True),
    ("tim kiem", "search", False),
    ("tim", "search", False),
    ("tin moi nhat", "latest", False),
    ("tin moi", "latest", False),
    ("moi nhat", "latest", False),
    ("xem them", "more", True),
    ("theo doi", "alert", False),
    ("bo theo doi", "unalert", False),
    ("huy theo doi", "unalert", False),
    ("tro giup", "help", False),
    ("help", "help", False),
    # A greeting is answered: the whole message, or "xin chào" with anything after it.
    ("xin chao", "greet", False),
    ("chao", "greet", True),
    ("chao ban", "greet", True),
    ("chao bot", "greet", True),
    ("hello", "greet", True),
    ("hi", "greet", True),
    ("alo", "greet", True),
)
_ORDERED = sorted(
    ((tuple(phrase.split()), command, whole) for phrase, command, whole in _PHRASES),
    key=lambda item: -len(item[0]),
)


def _key(word: str) -> str:
    return fold(normalize(word)).strip(_PUNCTUATION)


def match_intent(text: str) -> Intent | None:
    """The command a plain message stands for, or None when it is just talk."""
    words = text.split(maxsplit=MAX_WORDS)[:MAX_WORDS]
    keys = [_key(word) for word in words]
    for phrase, command, whole in _ORDERED:
        size = len(phrase)
        if tuple(keys[:size]) != phrase:
            continue
        rest = tuple(word for word in words[size:] if word.strip(_PUNCTUATION))
        if whole and rest:
            continue
        if command in ("search", "latest", "alert", "unalert"):
            return Intent(command, tuple(normalize(word) for word in rest))
        return Intent(command)
    return None
