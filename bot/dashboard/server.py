"""The dashboard's web server, on aiohttp beside the bot in `bantin run`.

Pages live under the path of `[dashboard] public_url` (so a reverse proxy forwards that
path as it is). Only the sign-in pages and the stylesheet answer without a session;
everything else answers 401 with the page that says how to sign in. Every POST checks its
CSRF token first. Actions go through the admin room, as the chat commands do, and are
audited there with the editor's name.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.core.admin_ports import AdminPort
from bot.core.dashboard import Session
from bot.core.ports import StorePort
from bot.core.records import AdminReply
from bot.core.settings import Config, parse_listen
from bot.dashboard import pages
from bot.dashboard.auth import (
    FLASH_COOKIE,
    LANGUAGE_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Sessions,
    SignInLinks,
    csrf_token,
    new_token,
    same,
)
from bot.dashboard.overview import overview
from bot.dashboard.stories import stories_page
from bot.dashboard.texts import LANGUAGES, tr
from bot.platforms.listener import start_site
from handlers.base import Context

log = logging.getLogger(__name__)

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the sign-in link's token never leaves in a Referer
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class DashboardServer:
    """Serves the pages on `[dashboard] listen`; `start`/`stop` as the platforms do."""

    def __init__(
        self,
        config: Config,
        store: StorePort,
        admin: AdminPort,
        admins: Mapping[str, frozenset[str]],
    ) -> None:
        settings = config.dashboard
        self.host, self.port = parse_listen(settings.listen)
        base = urlsplit(settings.base_url)
        self.prefix = base.path.rstrip("/")
        self.secure = base.scheme == "https"
        self.store = store
        self.admin = admin
        self.config = config
        self.zone = ZoneInfo(config.timezone)
        self.sessions = Sessions(store, admins, hours=settings.session_hours)
        self._runner: web.AppRunner | None = None
        self.links: SignInLinks | None = None  # told the bound port when listen says ":0"
        self._public = bool(settings.public_url)

    # ---- running ---------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024, middlewares=[self._guard])
        p = self.prefix
        app.router.add_get(p + "/style.css", self._style)
        app.router.add_get(p + "/login", self._login_form)
        app.router.add_post(p + "/login", self._login)
        app.router.add_get(p + "/lang/{code}", self._language)
        app.router.add_route("*", p + "/{path:.*}", self._signed_in)
        if p:
            app.router.add_get(p, self._to_root)
        return app

    async def start(self) -> None:
        self._runner, self.port = await start_site(self.application(), self.host, self.port)
        if self.links is not None and not self._public:
            host = f"[{self.host}]" if ":" in self.host else self.host
            self.links.base_url = f"http://{host}:{self.port}{self.prefix}"
        log.info("dashboard: listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # ---- what every answer shares ------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # aiohttp's own 404/405/413: the same headers
            for name, value in HEADERS.items():
                exc.headers.setdefault(name, value)
            raise
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def language(self, request: web.Request) -> str:
        chosen = request.cookies.get(LANGUAGE_COOKIE, "")
        return chosen if chosen in LANGUAGES else self.config.language

    def view(self, request: web.Request, **extra: object) -> pages.View:
        path = request.path[len(self.prefix) :] or "/"
        return pages.View(
            language=self.language(request),
            zone=self.zone,
            name=self.config.bot_name,
            prefix=self.prefix,
            path=path,
            **extra,  # type: ignore[arg-type]
        )

    def html(self, text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")

    def cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=self.prefix or "/",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )

    def refuse(self, request: web.Request, problem: str | None = None) -> web.Response:
        status = 401 if problem is None else 410
        return self.html(pages.signin_page(self.view(request), problem), status)

    def go(self, path: str, flash: AdminReply | None = None) -> web.Response:
        response = redirect(self.prefix + path)
        if flash is not None:
            value = quote(("1" if flash.ok else "0") + flash.headline[:300])
            self.cookie(response, FLASH_COOKIE, value, 60)
        return response

    # ---- the public pages --------------------------------------------------------------

    async def _style(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.STYLE, content_type="text/css", charset="utf-8")

    async def _to_root(self, request: web.Request) -> web.Response:
        return redirect(self.prefix + "/")

    async def _language(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        target = request.query.get("next", "")
        if not target.startswith(self.prefix + "/") or target.startswith("//") or "\\" in target:
            target = self.prefix + "/"
        response = redirect(target)
        if code in LANGUAGES:
            self.cookie(response, LANGUAGE_COOKIE, code, 365 * 86400)
        return response

    async def _login_form(self, request: web.Request) -> web.Response:
        token = request.query.get("t", "")
        redeemed = await self.sessions.peek(token) if token else None
        if redeemed is None or redeemed.outcome != "ok":
            return self.refuse(request, redeemed.outcome if redeemed else None)
        nonce = new_token()
        page = pages.login_page(self.view(request), redeemed.actor, token, nonce)
        response = self.html(page)
        self.cookie(response, LOGIN_COOKIE, nonce, 900)
        return response

    async def _login(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not same(str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")):
            return self.html(
                pages.message_page(self.view(request), tr(self.language(request), "csrf")), 403
            )
        redeemed, session = await self.sessions.open(str(form.get("t", "")))
        if redeemed.outcome != "ok":
            return self.refuse(request, redeemed.outcome)
        response = redirect(self.prefix + "/")
        self.cookie(response, SESSION_COOKIE, session, int(self.sessions.seconds))
        response.del_cookie(LOGIN_COOKIE, path=self.prefix or "/")
        return response

    # ---- behind the session -------------------------------------------------------------

    async def _signed_in(self, request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(SESSION_COOKIE, "")
        session = await self.sessions.current(token)
        if session is None:
            return self.refuse(request)
        view = self.view(request)
        if not self.sessions.still_admin(session):
            return self.html(pages.message_page(view, view.t("no_longer_admin")), 403)
        if request.method == "POST":
            form = await request.post()
            if not same(str(form.get("csrf", "")), csrf_token(token)):
                log.warning("dashboard: %s sent a form without a valid CSRF token", session.actor)
                return self.html(pages.message_page(view, view.t("csrf"), signed_in=False), 403)
            return await self._act(request, session, token, {k: str(v) for k, v in form.items()})
        if request.method != "GET":
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        flash_raw = unquote(request.cookies.get(FLASH_COOKIE, ""))
        flash = (flash_raw[:1] == "1", flash_raw[1:]) if flash_raw else None
        view = self.view(request, csrf=csrf_token(token), actor=session.actor, flash=flash)
        path = view.path.rstrip("/") or "/"
        if path == "/":
            page = await overview(view, self.store)
        elif path == "/stories":
            page = await self._stories(view)
        elif path == "/feeds":
            page = pages.feeds_page(view, await self.store.feeds.all())
        elif path == "/audit":
            page = pages.audit_page(view, await self.store.audit.recent(200))
        else:
            return self.html(pages.message_page(view, view.t("not_found"), signed_in=True), 404)
        response = self.html(page)
        if flash is not None:
            response.del_cookie(FLASH_COOKIE, path=self.prefix or "/")
        return response

    async def _stories(self, view: pages.View) -> str:
        waiting = []
        for item in await self.store.review.waiting(50):
            waiting.append((item, await self.store.articles.get(item.article_id)))
        latest = await self.store.dashboard.stories(30)
        return stories_page(view, waiting, latest, review_on=self.config.publish.review)

    async def _act(
        self, request: web.Request, session: Session, token: str, form: dict[str, str]
    ) -> web.StreamResponse:
        """A form's action, through the admin room as the chat desk does it."""
        parts = request.path[len(self.prefix) :].strip("/").split("/")
        caller = Sessions.caller(session)
        if parts == ["logout"]:
            await self.sessions.close(token)
            await self.store.audit.record(session.actor, "dashboard.signout", "", "ok")
            response = self.refuse(request)
            response.set_status(200)
            response.del_cookie(SESSION_COOKIE, path=self.prefix or "/")
            return response
        if len(parts) == 3 and parts[0] == "stories" and parts[1].isdigit():
            ref, action = parts[1], parts[2]
            if action == "publish":
                return self.go("/stories", await self.admin.review.approve(caller, ref))
            if action == "drop":
                return self.go("/stories", await self.admin.review.drop(caller, ref))
            if action == "edit":
                text = form.get("summary", "")
                return self.go("/stories", await self.admin.review.edit(caller, ref, text))
        if len(parts) == 3 and parts[0] == "feeds" and parts[2] in ("pause", "resume"):
            answer = await self.admin.feeds.set_paused(caller, parts[1], parts[2] == "pause")
            return self.go("/feeds", answer)
        return self.html(
            pages.message_page(self.view(request), tr(self.language(request), "not_found")), 404
        )


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def make_dashboard(
    config: Config, store: StorePort, admin: AdminPort, context: Context
) -> DashboardServer | None:
    """The server when `[dashboard] listen` is set; `/dashboard` then answers with links."""
    if not config.dashboard.listen:
        return None
    links = SignInLinks(store, config.dashboard.base_url)
    context.dashboard = links
    server = DashboardServer(config, store, admin, context.admins)
    server.links = links
    return server
