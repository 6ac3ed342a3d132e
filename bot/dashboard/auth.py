"""Sign-in without passwords: a one-time link from the bot, then a browser session.

An admin sends /dashboard in a private chat; `SignInLinks.issue` stores the SHA-256 of a
random token (never the token) with ten minutes to live and answers the link. Opening
the link shows a "Sign in" button (a GET spends nothing, so a link preview cannot use it
up); pressing it spends the link and opens a session in one transaction. The session
cookie is HttpOnly and SameSite=Strict (Secure behind https); every form carries a CSRF
token derived from the session's own secret, checked in constant time. A session whose
editor is no longer on the admin list opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Mapping

from bot.core.dashboard import LINK_SECONDS, Redeemed, Session
from bot.core.ports import StorePort
from bot.core.records import Caller

log = logging.getLogger(__name__)

SESSION_COOKIE = "bantin_session"
LOGIN_COOKIE = "bantin_login"  # the sign-in form's own CSRF nonce (no session yet)
LANGUAGE_COOKIE = "bantin_lang"
FLASH_COOKIE = "bantin_flash"


def token_hash(token: str) -> str:
    """What the database keeps of a link's or a session's token."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens (an empty one never matches)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def csrf_token(session_token: str) -> str:
    """The forms' token of this session: only its browser, which holds the cookie, knows it."""
    return hmac.new(session_token.encode(), b"bantin dashboard csrf", hashlib.sha256).hexdigest()


class SignInLinks:
    """`DashboardLinks` for the handlers: a fresh one-time link per /dashboard."""

    def __init__(self, store: StorePort, base_url: str) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")

    async def issue(self, caller: Caller) -> str | None:
        if caller.platform is None or caller.user_id is None:
            return None
        token = new_token()
        await self.store.signin.add_link(
            token_hash(token),
            caller.actor,
            caller.platform,
            caller.user_id,
            time.time() + LINK_SECONDS,
        )
        await self.store.audit.record(caller.actor, "dashboard.link", "", "ok")
        log.info("dashboard: sign-in link sent to %s", caller.actor)
        return f"{self.base_url}/login?t={token}"


class Sessions:
    """Spends links, opens and reads sessions; knows who is an admin right now."""

    def __init__(
        self, store: StorePort, admins: Mapping[str, frozenset[str]], *, hours: int
    ) -> None:
        self.store = store
        self.admins = admins
        self.seconds = hours * 3600.0

    async def peek(self, token: str) -> Redeemed:
        return await self.store.signin.peek_link(token_hash(token), time.time())

    async def open(self, token: str) -> tuple[Redeemed, str]:
        """Spend the link: ("ok", the new session's token) or the reason and ""."""
        session = new_token()
        at = time.time()
        redeemed = await self.store.signin.redeem(
            token_hash(token), token_hash(session), at + self.seconds, at
        )
        if redeemed.outcome != "ok":
            log.warning("dashboard: sign-in refused, the link is %s", redeemed.outcome)
            return redeemed, ""
        await self.store.audit.record(redeemed.actor, "dashboard.signin", "", "ok")
        log.info("dashboard: %s signed in", redeemed.actor)
        return redeemed, session

    async def current(self, session_token: str) -> Session | None:
        if not session_token:
            return None
        return await self.store.signin.session(token_hash(session_token), time.time())

    def still_admin(self, session: Session) -> bool:
        return session.user_id in self.admins.get(session.platform, frozenset())

    async def close(self, session_token: str) -> None:
        await self.store.signin.end_session(token_hash(session_token))

    @staticmethod
    def caller(session: Session) -> Caller:
        """The editor as the admin room knows them: the same actor as in chat."""
        return Caller(actor=session.actor, platform=session.platform, user_id=session.user_id)
