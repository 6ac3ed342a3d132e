"""Keyword alerts: what a reader's "theo dõi sạt lở" means, and whether a story answers it.

Pure matching. An alert's words are one phrase of whole syllables, compared folded (no
diacritics, đ→d), that must appear consecutively in the title, lead or body, never across
a sentence or clause break: "sat lo" is in "sạt lở đất", not in "giám sát … quốc lộ".
`-word` (or `-"two words"`) excludes a story that has it. The store keeps each alert under
its `term` (the phrase's first two syllables, or its one syllable), and a story is matched
by looking up the terms it contains (`StoryText.terms`), never by walking every chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bot.core.text import fold, syllables

MAX_ALERTS = 20
MAX_ALERT_CHARS = 100
MAX_ALERT_SYLLABLES = 8
TERM_SYLLABLES = 2

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
# Where a phrase may not run on: the end of a sentence or clause, a line, brackets, quotes.
_BREAK = re.compile(r"[.,;:!?…]+(?=\s|$)|\n|[()\[\]{}“”«»\"|]")


class AlertError(ValueError):
    """An alert that cannot be kept; `reason` is "empty", "too_long" or "only_excluded"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _folded_syllables(text: str) -> tuple[str, ...]:
    return tuple(fold(word) for word in syllables(text))


@dataclass(frozen=True, slots=True)
class AlertRule:
    phrase: tuple[str, ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    @property
    def folded(self) -> str:
        """One spelling per meaning ("Sạt  lở" and "sat lo" are the same alert)."""
        minus = " ".join(f'-"{" ".join(words)}"' for words in self.excluded)
        return " ".join(self.phrase) + (f" {minus}" if minus else "")

    @property
    def term(self) -> str:
        """The key the store indexes this alert under; a story containing it is a candidate."""
        return " ".join(self.phrase[:TERM_SYLLABLES])


def parse_alert(text: str) -> AlertRule:
    """The alert a reader typed; raises AlertError when there is nothing to look for."""
    text = text.strip()
    if len(text) > MAX_ALERT_CHARS:
        raise AlertError("too_long")
    phrase: list[str] = []
    excluded: list[tuple[str, ...]] = []
    for token in _TOKEN.findall(text):
        if token.startswith("-") and len(token) > 1:
            words = _folded_syllables(token[1:].strip('"'))
            if words:
                excluded.append(words)
            continue
        phrase.extend(_folded_syllables(token.strip('"')))
    if not phrase:
        raise AlertError("only_excluded" if excluded else "empty")
    if len(phrase) > MAX_ALERT_SYLLABLES:
        raise AlertError("too_long")
    return AlertRule(tuple(phrase), tuple(dict.fromkeys(excluded)))


def rule_from_folded(folded: str) -> AlertRule:
    """An alert as stored (`AlertRule.folded`) back to its rule."""
    return parse_alert(folded)


class StoryText:
    """A story folded once for matching: its runs of syllables, and the terms it holds."""

    __slots__ = ("_padded", "terms")

    def __init__(self, *parts: str) -> None:
        runs: list[list[str]] = []
        for part in parts:
            for piece in _BREAK.split(part or ""):
                words = [fold(word) for word in syllables(piece)]
                if words:
                    runs.append(words)
        # " a b | c d ": a phrase is found as " a b " and never spans the "|".
        self._padded = " " + " | ".join(" ".join(run) for run in runs) + " "
        terms: set[str] = set()
        for run in runs:
            terms.update(run)
            terms.update(f"{a} {b}" for a, b in pairwise(run))
        self.terms = terms

    def has(self, words: tuple[str, ...]) -> bool:
        return f" {' '.join(words)} " in self._padded


def matches(rule: AlertRule, story: StoryText) -> bool:
    return story.has(rule.phrase) and not any(story.has(words) for words in rule.excluded)


def section_slug(name: str | None) -> str | None:
    """A section as stored and searched: "Thời sự" → "thoi-su", "thoi-su" stays."""
    if not name:
        return None
    slug = "-".join(fold(word) for word in syllables(name))
    return slug[:60] or None
