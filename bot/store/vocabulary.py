"""What the index knows of words: how rare each is, and how to mend one it never saw.

Document frequencies weigh query words (rarer counts more) and decide whether a typed
word is known at all, so they are asked for several times per search; they are counted
in the small titles index, capped, and cached for a few minutes, because a count stale
by a few stories changes no ranking.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from bot.core.query import Term, split_candidates
from bot.store.db import Connection
from bot.store.fulltext import Match

DF_CAP = 20_000


class _CountCache:
    """Capped document frequencies per folded term; stale by a few stories is fine."""

    def __init__(self, size: int = 4096, ttl: float = 600.0) -> None:
        self.size = size
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> int | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.ttl:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, value: int) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Vocabulary:
    """The words of the stored stories, as one search sees them."""

    def __init__(self) -> None:
        self._counts = _CountCache()
        self._total: tuple[float, int] | None = None

    def forget(self) -> None:
        """Drop every cached count (after the index is rebuilt)."""
        self._counts.clear()

    def doc_freq(self, conn: Connection, match: Match) -> int:
        """How many titles hold a word (capped): the rarity that weighs query words.

        Titles are a fair sample of a story's vocabulary and their index is small, so
        counting there is cheap; a word in no title still counts when the stories hold
        it (`known`).
        """
        cached = self._counts.get(match.key)
        if cached is None:
            cached = conn.dialect.fulltext.count(conn, "titles", match, DF_CAP)
            self._counts.put(match.key, cached)
        return cached

    def known(self, conn: Connection, match: Match) -> bool:
        key = "?" + match.key
        cached = self._counts.get(key)
        if cached is None:
            cached = self.doc_freq(conn, match) or conn.dialect.fulltext.count(
                conn, "stories", match, 1
            )
            self._counts.put(key, cached)
        return cached > 0

    def total(self, conn: Connection) -> int:
        """The number of stored stories, near enough (refreshed every minute)."""
        if self._total is None or time.monotonic() - self._total[0] > 60:
            row = conn.execute("SELECT max(id) FROM articles").fetchone()
            self._total = (time.monotonic(), int(row[0] or 0))
        return self._total[1]

    def resolve(self, conn: Connection, terms: Sequence[Term]) -> list[Term]:
        """Mend words the index has never seen: run-together syllables, half-typed words.

        "dalat" becomes "da" "lat" when both are known; an unknown word of three letters
        or more becomes a prefix; what still finds nothing is dropped (if other words
        remain), so one typo does not empty the answer.
        """
        resolved: list[Term] = []
        pending = list(terms)
        while pending:
            term = pending.pop(0)
            if self.known(conn, Match.word(term)):
                resolved.append(term)
                continue
            if pending:  # "mang khut" → "mangkhut"
                joined = Term(
                    term.folded + pending[0].folded,
                    term.exact + pending[0].exact,
                    prefix=pending[0].prefix,
                )
                if self.known(conn, Match.word(joined)):
                    pending.pop(0)
                    resolved.append(joined)
                    continue
            if resolved and not resolved[-1].prefix:  # "mangk hut" → "mangkhut"
                joined = Term(
                    resolved[-1].folded + term.folded,
                    resolved[-1].exact + term.exact,
                    prefix=term.prefix,
                )
                if self.known(conn, Match.word(joined)):
                    resolved[-1] = joined
                    continue
            split = self._split(conn, term)
            if split:
                resolved.extend(split)
                continue
            if not term.prefix and len(term.folded) >= 3:
                as_prefix = Term(term.folded, term.exact, prefix=True)
                if self.known(conn, Match.word(as_prefix)):
                    resolved.append(as_prefix)
                    continue
            resolved.append(term)  # unknown: kept only if nothing else is left
        known = [t for t in resolved if self.known(conn, Match.word(t))]
        return known or resolved

    def _split(self, conn: Connection, term: Term) -> list[Term] | None:
        if len(term.folded) < 3 or term.folded.isdigit():
            return None
        best: tuple[int, list[Term]] | None = None
        for left, right in split_candidates(term.folded):
            if left[-1].isdigit() != right[0].isdigit():
                pass  # "s400", "landmark81": letters and figures part anyway
            elif len(left) < 2 or len(right) < 2:
                continue
            pair = [Term(left, left), Term(right, right, prefix=term.prefix)]
            both = Match(tuple(pair), phrase=True)
            fulltext = conn.dialect.fulltext
            found = fulltext.count(conn, "titles", both, 1) or fulltext.count(
                conn, "stories", both, 1
            )
            if not found:
                continue
            weight = min(self.doc_freq(conn, Match.word(p)) for p in pair)
            if best is None or weight > best[0]:
                best = (weight, pair)
        return best[1] if best else None
