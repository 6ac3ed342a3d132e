"""The schema, as an ordered list of migrations; `PRAGMA user_version` says how far a file is.

Append new steps; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: feeds, articles, the search index, chats, subscriptions, the delivery outbox.
    """
    CREATE TABLE feeds (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        url             TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL DEFAULT 'rss' CHECK (kind IN ('rss', 'html')),
        section         TEXT,
        selectors       TEXT,
        origin          TEXT NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'admin')),
        paused          INTEGER NOT NULL DEFAULT 0,
        primed          INTEGER NOT NULL DEFAULT 0,
        etag            TEXT,
        last_modified   TEXT,
        failures        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        failing_since   REAL,
        alerted         INTEGER NOT NULL DEFAULT 0,
        last_success_at REAL,
        next_check_at   REAL NOT NULL DEFAULT 0,
        created_at      REAL NOT NULL
    );

    CREATE TABLE articles (
        id           INTEGER PRIMARY KEY,
        key          TEXT NOT NULL UNIQUE,
        feed_id      INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        url          TEXT NOT NULL,
        title        TEXT NOT NULL,
        lead         TEXT NOT NULL DEFAULT '',
        body         TEXT NOT NULL DEFAULT '',
        summary      TEXT NOT NULL DEFAULT '',
        image        TEXT,
        section      TEXT,
        published_at REAL,
        fetched_at   REAL NOT NULL,
        updated_at   REAL
    );
    CREATE INDEX articles_feed_time ON articles(feed_id, fetched_at);
    CREATE INDEX articles_published ON articles(published_at);

    -- Folded text (lowercase, no diacritics, đ→d), rowid = articles.id.
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, lead, body, content='', tokenize='unicode61 remove_diacritics 0'
    );

    -- Stories a feed announced whose page could not be fetched or extracted yet.
    CREATE TABLE pending_pages (
        id          INTEGER PRIMARY KEY,
        feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key         TEXT NOT NULL UNIQUE,
        entry       TEXT NOT NULL,
        push        INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        next_try_at REAL NOT NULL
    );

    CREATE TABLE chats (
        id            INTEGER PRIMARY KEY,
        platform      TEXT NOT NULL CHECK (platform IN ('telegram', 'zalo')),
        chat_id       TEXT NOT NULL,
        kind          TEXT NOT NULL DEFAULT 'private',
        title         TEXT,
        language      TEXT NOT NULL DEFAULT 'vi',
        active        INTEGER NOT NULL DEFAULT 1,
        is_channel    INTEGER NOT NULL DEFAULT 0,
        mode          TEXT NOT NULL DEFAULT 'instant' CHECK (mode IN ('instant', 'digest')),
        digest_hour   INTEGER NOT NULL DEFAULT 7,
        quiet_start   INTEGER,
        quiet_end     INTEGER,
        created_at    REAL NOT NULL,
        changed_at    REAL NOT NULL,
        inactive_reason TEXT,
        UNIQUE (platform, chat_id)
    );

    -- feed_id NULL: every feed.
    CREATE TABLE subscriptions (
        id         INTEGER PRIMARY KEY,
        chat_ref   INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        feed_id    INTEGER REFERENCES feeds(id) ON DELETE CASCADE,
        created_at REAL NOT NULL
    );
    CREATE UNIQUE INDEX subscriptions_unique ON subscriptions(chat_ref, IFNULL(feed_id, 0));
    CREATE INDEX subscriptions_feed ON subscriptions(feed_id);

    CREATE TABLE broadcasts (
        id         INTEGER PRIMARY KEY,
        text       TEXT NOT NULL,
        author     TEXT NOT NULL,
        created_at REAL NOT NULL
    );

    -- The outbox: one row per (article, chat) or (broadcast, chat).
    CREATE TABLE deliveries (
        id           INTEGER PRIMARY KEY,
        article_id   INTEGER REFERENCES articles(id) ON DELETE CASCADE,
        broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE CASCADE,
        chat_ref     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        status       TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
        attempts     INTEGER NOT NULL DEFAULT 0,
        due_at       REAL NOT NULL,
        created_at   REAL NOT NULL,
        claimed_at   REAL,
        sent_at      REAL,
        message_id   TEXT,
        last_error   TEXT,
        CHECK ((article_id IS NULL) <> (broadcast_id IS NULL))
    );
    CREATE UNIQUE INDEX deliveries_article_chat ON deliveries(article_id, chat_ref)
        WHERE article_id IS NOT NULL;
    CREATE UNIQUE INDEX deliveries_broadcast_chat ON deliveries(broadcast_id, chat_ref)
        WHERE broadcast_id IS NOT NULL;
    CREATE INDEX deliveries_due ON deliveries(status, due_at);
    CREATE INDEX deliveries_chat ON deliveries(chat_ref, status);

    CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      REAL NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT '',
        result  TEXT NOT NULL
    );
    """,
    # 2: search v2. The folded index is rebuilt with prefix indexes (a reader's half-typed
    # last word) and no column sizes (ranking reads title and lead itself); titles get an
    # index of their own, small enough that "these words in the title" is cheap at a
    # million stories. Both are filled from `articles` by bot.store.search on first open
    # (folding needs Python). Long queries keep their text server-side for page buttons.
    """
    DROP TABLE IF EXISTS articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, lead, body, content='', columnsize=0, prefix='2 3',
        tokenize='unicode61 remove_diacritics 0'
    );
    CREATE VIRTUAL TABLE titles_fts USING fts5(
        title, content='', columnsize=0, prefix='2 3',
        tokenize='unicode61 remove_diacritics 0'
    );
    CREATE INDEX IF NOT EXISTS articles_fetched ON articles(fetched_at);
    CREATE TABLE search_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO search_state (key, value) VALUES ('rebuild', '1');
    CREATE TABLE search_queries (
        id      INTEGER PRIMARY KEY,
        query   TEXT NOT NULL UNIQUE,
        used_at REAL NOT NULL
    );
    -- Each chat's last search and page, for Zalo's «xem thêm» (no buttons there).
    CREATE TABLE search_last (
        platform TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        query    TEXT NOT NULL,
        page     INTEGER NOT NULL,
        at       REAL NOT NULL,
        PRIMARY KEY (platform, chat_id)
    );
    """,
    # 3: indexes for the newest stories (/latest, inline mode) and for what was sent in the
    # last day (/stats), so neither reads a whole table.
    """
    CREATE INDEX articles_time ON articles(COALESCE(published_at, fetched_at), id);
    CREATE INDEX deliveries_sent ON deliveries(status, sent_at);
    """,
    # 4 (issue 13): when each platform last answered, for `bantin health`.
    """
    CREATE TABLE platform_heartbeats (
        platform    TEXT PRIMARY KEY,
        answered_at REAL NOT NULL
    );
    """,
    # 5: what a restart must know of a send whose outcome was unknown (a read timeout, a
    # reset mid-answer, a 5xx after the request): how many times, since when. Such a row
    # is retried, not failed, until it has been unknown for `[delivery] give_up_after_hours`.
    """
    ALTER TABLE deliveries ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN ambiguous_since REAL;
    """,
    # 6 (issue 15): keyword alerts (one row per alert, keyed by its first folded syllables:
    # the matcher's index), what a chat receives (everything or its alerts only), quiet hours
    # held or silent, chosen sections, breaking news (a feed's priority, a story's mark,
    # a delivery's priority, claimed first) and the alert a delivery answers.
    """
    ALTER TABLE chats ADD COLUMN receive TEXT NOT NULL DEFAULT 'all'
        CHECK (receive IN ('all', 'alerts'));
    ALTER TABLE chats ADD COLUMN quiet_style TEXT NOT NULL DEFAULT 'hold'
        CHECK (quiet_style IN ('hold', 'silent'));
    ALTER TABLE feeds ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
        CHECK (priority IN ('normal', 'breaking'));
    ALTER TABLE articles ADD COLUMN breaking INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN alert TEXT;
    CREATE TABLE alerts (
        id         INTEGER PRIMARY KEY,
        chat_ref   INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        words      TEXT NOT NULL,
        folded     TEXT NOT NULL,
        term       TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (chat_ref, folded)
    );
    -- The matcher's index: each distinct alert once, under its term, however many chats
    -- share it; then the chats of the alerts a story answers (covering: no table reads).
    CREATE TABLE alert_rules (
        folded TEXT PRIMARY KEY,
        term   TEXT NOT NULL
    );
    CREATE INDEX alert_rules_term ON alert_rules(term);
    CREATE INDEX alerts_folded ON alerts(folded, chat_ref, id, words);
    CREATE TABLE chat_sections (
        chat_ref INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        section  TEXT NOT NULL,
        PRIMARY KEY (chat_ref, section)
    );
    CREATE INDEX articles_section ON articles(section);
    CREATE INDEX deliveries_claim ON deliveries(status, priority DESC, due_at, id);
    """,
    # 7: the editors' desk. Stories held for review until an editor decides, and which
    # editor's next message is whose summary; a story's video and photos (JSON).
    """
    CREATE TABLE reviews (
        article_id   INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        status       TEXT NOT NULL DEFAULT 'waiting',
        summary      TEXT,
        created_at   REAL NOT NULL,
        announced_at REAL,
        decided_at   REAL,
        decided_by   TEXT
    );
    CREATE INDEX reviews_status ON reviews(status, created_at);
    CREATE TABLE review_edits (
        platform   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        at         REAL NOT NULL,
        PRIMARY KEY (platform, chat_id, user_id)
    );
    ALTER TABLE articles ADD COLUMN media TEXT;
    """,
    # 8: a fleet. A claimed delivery names the process holding it and until when, so a
    # start re-queues only rows whose holder stopped renewing; a feed's poll is leased the
    # same way; the chat's next allowed send and each bot token's send pace are shared by
    # every sender (`processes` lists who is running, for `bantin stats`).
    """
    ALTER TABLE deliveries ADD COLUMN holder TEXT;
    ALTER TABLE deliveries ADD COLUMN lease_until REAL;
    CREATE INDEX deliveries_leases ON deliveries(lease_until) WHERE status = 'sending';
    ALTER TABLE feeds ADD COLUMN poll_holder TEXT;
    ALTER TABLE feeds ADD COLUMN poll_lease_until REAL;
    ALTER TABLE chats ADD COLUMN pace_until REAL;
    CREATE TABLE processes (
        holder     TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        host       TEXT NOT NULL,
        pid        INTEGER NOT NULL,
        started_at REAL NOT NULL,
        seen_at    REAL NOT NULL
    );
    CREATE TABLE send_pace (
        lane         TEXT PRIMARY KEY,
        next_slot    REAL NOT NULL DEFAULT 0,
        paused_until REAL NOT NULL DEFAULT 0
    );
    """,
    # 9 (the dashboard): one-time sign-in links and browser sessions, each kept
    # only as the SHA-256 of its token; a link is used once, within its ten minutes.
    """
    CREATE TABLE dashboard_links (
        token_hash TEXT PRIMARY KEY,
        actor      TEXT NOT NULL,
        platform   TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        used_at    REAL
    );
    CREATE TABLE dashboard_sessions (
        session_hash TEXT PRIMARY KEY,
        actor        TEXT NOT NULL,
        platform     TEXT NOT NULL,
        user_id      TEXT NOT NULL,
        created_at   REAL NOT NULL,
        expires_at   REAL NOT NULL
    );
    """,
    # 10: forum topics, a forum chat's routes, which feeds go to which of its topics (threads).
    """
    CREATE TABLE topic_routes (
        id              INTEGER PRIMARY KEY,
        chat_ref        INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        thread_id       INTEGER NOT NULL,
        feed_id         INTEGER REFERENCES feeds(id) ON DELETE CASCADE,
        active          INTEGER NOT NULL DEFAULT 1,
        inactive_reason TEXT,
        created_at      REAL NOT NULL,
        changed_at      REAL
    );
    CREATE UNIQUE INDEX topic_routes_feed ON topic_routes(chat_ref, COALESCE(feed_id, 0));
    """,
    # 11: WebSub, feeds' subscriptions at their WebSub hubs (our secret, the hub's lease).
    """
    CREATE TABLE websub (
        feed_id      INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
        hub          TEXT NOT NULL,
        topic        TEXT NOT NULL,
        secret       TEXT NOT NULL,
        state        TEXT NOT NULL DEFAULT 'requested',
        requested_at REAL NOT NULL,
        lease_until  REAL,
        renew_at     REAL,
        last_error   TEXT,
        pushes       INTEGER NOT NULL DEFAULT 0,
        last_push_at REAL
    );
    """,
    # 12: paid broadcast: messages sent with allow_paid_broadcast per local day,
    # shared by every sending process so the day's Stars budget holds across restarts.
    """
    CREATE TABLE paid_broadcast_days (
        day      TEXT PRIMARY KEY,
        messages INTEGER NOT NULL DEFAULT 0
    );
    """,
]
