"""The full-text index as the search needs it, whatever engine keeps it.

`bot.store.search` decides which words to look for and ranks what comes back in Python
(`bot.core.query`); a backend only answers two questions over folded words, each bounded:
how many stories match (up to a cap), and which are the newest that match. Both engines
index the same Python-folded tokens (`bot.core.query.folded_tokens`), so they agree on
what matches and the rankings are the same:

- SQLite: two contentless FTS5 tables (`bot.store.sqlite.Fts5`);
- PostgreSQL: tsvectors built from those tokens, under GIN indexes
  (`bot.store.postgres.fulltext.TsVectors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.core.query import Term, all_expression, phrase_expression

if TYPE_CHECKING:
    from bot.store.db import Connection

# "titles": titles only, small, so "these words in the title" stays cheap;
# "stories": every word of a story (title, lead, body).
Scope = Literal["titles", "stories"]


@dataclass(frozen=True, slots=True)
class Match:
    """Folded words to find: side by side in this order (`phrase`), or anywhere."""

    terms: tuple[Term, ...]
    phrase: bool = False

    @classmethod
    def word(cls, term: Term) -> Match:
        return cls((term,))

    @property
    def key(self) -> str:
        """One string per match, the same on every backend (for caches)."""
        return phrase_expression(self.terms) if self.phrase else all_expression(self.terms)


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search besides its words; `min_id` is the oldest story id that may come."""

    feed_id: int | None = None
    section: str | None = None
    since: float | None = None
    min_id: int = 0

    @property
    def on_articles(self) -> bool:
        """Whether the articles table must be read to apply them."""
        return self.feed_id is not None or self.section is not None or self.since is not None


class FullText(Protocol):
    def index(self, conn: Connection, article_id: int, title: str, lead: str, body: str) -> None:
        """Add a story (inside the transaction that stores it)."""

    def unindex(self, conn: Connection, article_id: int, title: str, lead: str, body: str) -> None:
        """Forget a story, given the text it was indexed with."""

    def clear(self, conn: Connection) -> None:
        """Empty the index (before a rebuild)."""

    def count(self, conn: Connection, scope: Scope, match: Match, cap: int) -> int:
        """How many stories match, counted up to `cap`."""

    def newest(
        self, conn: Connection, scope: Scope, match: Match, filters: Filters, cap: int
    ) -> Sequence[int]:
        """Ids of the newest `cap` matching stories (highest id first)."""
