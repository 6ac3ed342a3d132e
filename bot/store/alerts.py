"""Keyword alerts and what a chat chose to receive: alerts only, quiet-hour style, sections.

The alerts table is the matcher's index: each alert is stored under its `term` (see
`bot.core.alerts`), so a story is matched by looking up the terms it contains, and only
those candidates are checked in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.alerts import MAX_ALERTS, AlertRule, StoryText, matches, parse_alert
from bot.core.records import Alert, Chat
from bot.store.db import Connection, Database, IntegrityError, now
from bot.store.rows import chat_from_row

# Terms per lookup: well under either engine's limit on parameters.
_TERMS_PER_QUERY = 500


class AlertStore:
    def __init__(self, db: Database, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = db
        self.timezone = timezone

    def add(self, chat_ref: int, words: str) -> str:
        """Keep an alert: "added", "duplicate" or "limit" (MAX_ALERTS a chat).

        A chat that was not receiving anything starts receiving its alerts (only them:
        /alert all brings the rest back).
        """
        rule = parse_alert(words)
        with self.db.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM alerts WHERE chat_ref = ? AND folded = ?", (chat_ref, rule.folded)
            ).fetchone()
            if exists is not None:
                return "duplicate"
            count = conn.execute(
                "SELECT COUNT(*) FROM alerts WHERE chat_ref = ?", (chat_ref,)
            ).fetchone()[0]
            if count >= MAX_ALERTS:
                return "limit"
            try:
                conn.execute(
                    "INSERT INTO alerts (chat_ref, words, folded, term, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (chat_ref, " ".join(words.split()), rule.folded, rule.term, now()),
                )
            except IntegrityError:
                return "duplicate"
            conn.execute(
                "INSERT INTO alert_rules (folded, term) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (rule.folded, rule.term),
            )
            conn.execute(
                "UPDATE chats SET active = 1, receive = 'alerts', inactive_reason = NULL, "
                "changed_at = ? WHERE id = ? AND active = 0",
                (now(), chat_ref),
            )
        return "added"

    def of_chat(self, chat_ref: int) -> list[Alert]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT id, chat_ref, words, folded FROM alerts WHERE chat_ref = ? ORDER BY id",
                (chat_ref,),
            ).fetchall()
        return [Alert(row[0], row[1], row[2], row[3]) for row in rows]

    def remove(self, chat_ref: int, alert_id: int) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "DELETE FROM alerts WHERE chat_ref = ? AND id = ? RETURNING folded",
                (chat_ref, alert_id),
            ).fetchone()
            if row is None:
                return False
            conn.execute(
                "DELETE FROM alert_rules WHERE folded = ? "
                "AND NOT EXISTS (SELECT 1 FROM alerts WHERE folded = ?)",
                (row[0], row[0]),
            )
        return True

    def set_receive(self, chat_ref: int, receive: str) -> Chat:
        """ "all": everything from the chat's feeds and sections; "alerts": its alerts only."""
        if receive not in ("all", "alerts"):
            raise ValueError(f"receive must be 'all' or 'alerts', not {receive!r}")
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE chats SET receive = ?, changed_at = ? WHERE id = ?",
                (receive, now(), chat_ref),
            )
            row = conn.execute("SELECT * FROM chats WHERE id = ?", (chat_ref,)).fetchone()
        return chat_from_row(row)

    def set_quiet_style(self, chat_ref: int, style: str) -> Chat:
        """ "hold": pushes in quiet hours wait for morning; "silent": they arrive without sound."""
        if style not in ("hold", "silent"):
            raise ValueError(f"quiet style must be 'hold' or 'silent', not {style!r}")
        at = now()
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE chats SET quiet_style = ?, changed_at = ? WHERE id = ?",
                (style, at, chat_ref),
            )
            # What waits for the morning goes now, when the chat wants it silent instead.
            if style == "silent":
                conn.execute(
                    "UPDATE deliveries SET due_at = ? WHERE chat_ref = ? AND status = 'pending' "
                    "AND due_at > ? AND chat_ref IN (SELECT id FROM chats WHERE mode = 'instant')",
                    (at, chat_ref, at),
                )
            row = conn.execute("SELECT * FROM chats WHERE id = ?", (chat_ref,)).fetchone()
        return chat_from_row(row)

    def sections(self) -> list[str]:
        """Every section a story or a feed has, for the reader to choose among."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT DISTINCT section FROM articles WHERE section IS NOT NULL "
                "UNION SELECT section FROM feeds WHERE section IS NOT NULL"
            ).fetchall()
        return sorted({row[0] for row in rows if row[0]})

    def section_choice(self, chat_ref: int) -> tuple[list[str], list[str]]:
        """Every known section and the chat's choice among them, read together."""
        with self.db.reading():
            return self.sections(), self.chosen_sections(chat_ref)

    def chosen_sections(self, chat_ref: int) -> list[str]:
        """The sections a chat chose; empty: every section."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT section FROM chat_sections WHERE chat_ref = ? ORDER BY section",
                (chat_ref,),
            ).fetchall()
        return [row[0] for row in rows]

    def set_sections(self, chat_ref: int, sections: Sequence[str]) -> None:
        """Exactly these sections (empty: every section)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM chat_sections WHERE chat_ref = ?", (chat_ref,))
            conn.executemany(
                "INSERT INTO chat_sections (chat_ref, section) VALUES (?, ?)",
                [(chat_ref, section) for section in dict.fromkeys(sections)],
            )

    def matching_chats(self, title: str, lead: str, body: str) -> dict[int, str]:
        """The chats with an alert this story answers, each with its first such alert."""
        with self.db.reading() as conn:
            return match_alerts(conn, StoryText(title, lead, body))


def match_alerts(conn: Connection, story: StoryText) -> dict[int, str]:
    """chat_ref → the alert's words, for every alert the story answers.

    Two index lookups, never a walk over chats: the distinct alerts (`alert_rules`) stored
    under the story's terms, each checked once in Python however many chats share it;
    then the chats of the alerts that matched (a covering index, `alerts_folded`).
    """
    terms = sorted(story.terms)
    candidates: set[str] = set()
    for start in range(0, len(terms), _TERMS_PER_QUERY):
        chunk = terms[start : start + _TERMS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT folded FROM alert_rules WHERE term IN ({marks})", chunk
        ).fetchall()
        candidates.update(row[0] for row in rows)
    matched = sorted(folded for folded in candidates if _answers(folded, story))
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(matched), _TERMS_PER_QUERY):
        chunk = matched[start : start + _TERMS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        for chat_ref, words, alert_id in conn.execute(
            f"SELECT chat_ref, words, id FROM alerts WHERE folded IN ({marks})", chunk
        ):
            held = found.get(chat_ref)
            # The chat's oldest matching alert names the match, whatever the row order.
            if held is None or alert_id < held[0]:
                found[chat_ref] = (alert_id, words)
    return {chat_ref: entry[1] for chat_ref, entry in found.items()}


def _answers(folded: str, story: StoryText) -> bool:
    try:
        rule: AlertRule = parse_alert(folded)
    except ValueError:
        return False
    return matches(rule, story)
