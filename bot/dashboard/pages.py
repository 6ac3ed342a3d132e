"""The dashboard's HTML: one layout, the sign-in pages, the overview, feeds and audit log.

Every value from the store or the request goes through `escape` (`e`) on its way into a
page. No script anywhere; forms POST with the session's CSRF token; the viewport and
`style.css` keep it usable on a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from bot.core.records import AuditEntry, Feed
from bot.dashboard.texts import clock, tr

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1f2328;background:#f6f8fa}
header{background:#0b3d91;color:#fff;padding:10px 14px}
header a{color:#fff;text-decoration:none;margin-right:14px;display:inline-block;padding:4px 0}
header a.here{border-bottom:2px solid #fff}
header .who{font-size:13px;opacity:.85;white-space:nowrap}
header form{display:inline}
header button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:2px 8px}
main{max-width:980px;margin:0 auto;padding:14px}
h1{font-size:20px;margin:8px 0 12px}
h2{font-size:17px;margin:18px 0 8px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px;margin:0 0 12px}
.figures{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:12px}
.figure{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;
flex:1 1 140px}
.figure b{display:block;font-size:22px}
.charts{display:grid;grid-template-columns:1fr;gap:12px}
@media(min-width:900px){.charts{grid-template-columns:1fr 1fr}}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
th{font-size:13px;color:#57606a}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.flash{padding:10px 12px;border-radius:6px;margin-bottom:12px}
.flash.ok{background:#dafbe1;border:1px solid #2f9e44}
.flash.no{background:#ffebe9;border:1px solid #cf222e}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px;align-items:flex-start}
.actions form{margin:0}
button{font:inherit;padding:6px 12px;border-radius:6px;border:1px solid #8c959f;
background:#fff;cursor:pointer}
button.go{background:#1f883d;color:#fff;border-color:#1f883d}
textarea{width:100%;min-height:110px;font:inherit}
.muted{color:#57606a;font-size:13px}
.bad{color:#cf222e}
.summary{white-space:pre-wrap}
svg.chart{background:#fff;border:1px solid #d0d7de;border-radius:8px;display:block}
""".strip()

NAV = (
    ("/", "nav.overview"),
    ("/stories", "nav.stories"),
    ("/feeds", "nav.feeds"),
    ("/audit", "nav.audit"),
)


def e(value: object) -> str:
    """Escape for HTML text and attribute values alike."""
    return escape(str(value), quote=True)


@dataclass(frozen=True, slots=True)
class View:
    """What every page needs: language, clock, the newsroom, where the pages live, who."""

    language: str
    zone: ZoneInfo
    name: str
    prefix: str
    path: str = ""
    csrf: str = ""
    actor: str = ""
    flash: tuple[bool, str] | None = None

    def t(self, key: str, **values: object) -> str:
        return tr(self.language, key, **values)

    def clock(self, at: float | None) -> str:
        return clock(at, self.zone, self.language)

    def url(self, path: str) -> str:
        return e(self.prefix + path)

    def form(self, action: str, label: str, *, css: str = "", fields: str = "") -> str:
        """A POST button carrying the CSRF token."""
        klass = f' class="{css}"' if css else ""
        return (
            f'<form method="post" action="{self.url(action)}">'
            f'<input type="hidden" name="csrf" value="{e(self.csrf)}">{fields}'
            f"<button{klass}>{e(label)}</button></form>"
        )


def layout(view: View, title: str, body: str, *, signed_in: bool = True) -> str:
    other = "en" if view.language == "vi" else "vi"
    lang_link = (
        f'<a href="{view.url("/lang/" + other)}?next={e(view.prefix + view.path)}">'
        f"{e(view.t('nav.other_language'))}</a>"
    )
    links = ""
    if signed_in:
        links = "".join(
            f'<a href="{view.url(path)}"{" class=here" if view.path == path else ""}>'
            f"{e(view.t(key))}</a>"
            for path, key in NAV
        )
        links += (
            f'<span class="who">{e(view.t("signed_in", actor=view.actor))}</span> '
            + view.form("/logout", view.t("nav.signout"))
        )
    flash = ""
    if view.flash is not None:
        ok, message = view.flash
        flash = f'<div class="flash {"ok" if ok else "no"}" role="status">{e(message)}</div>'
    return (
        "<!doctype html>"
        f'<html lang="{e(view.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · {e(view.t('title', name=view.name))}</title>"
        f'<link rel="stylesheet" href="{view.url("/style.css")}"></head><body>'
        f"<header><nav>{links} {lang_link}</nav></header>"
        f"<main><h1>{e(title)}</h1>{flash}{body}</main></body></html>"
    )


def signin_page(view: View, problem: str | None = None) -> str:
    """What anyone without a session sees: how to sign in (and why a link was refused)."""
    body = ""
    if problem:
        body += f'<p class="bad" id="problem">{e(view.t("link." + problem))}</p>'
        body += f"<p>{e(view.t('link.again'))}</p>"
    body += f'<div class="card"><p id="how">{e(view.t("signin.how", name=view.name))}</p></div>'
    return layout(view, view.t("signin.title"), body, signed_in=False)


def message_page(view: View, text: str, *, signed_in: bool = False) -> str:
    return layout(view, view.t("title", name=view.name), f"<p>{e(text)}</p>", signed_in=signed_in)


def login_page(view: View, actor: str, token: str, nonce: str) -> str:
    """The button that spends the link (a GET alone never does)."""
    body = (
        f'<div class="card"><p>{e(view.t("signin.as", actor=actor))}</p>'
        f'<form method="post" action="{view.url("/login")}">'
        f'<input type="hidden" name="t" value="{e(token)}">'
        f'<input type="hidden" name="csrf" value="{e(nonce)}">'
        f'<button class="go" id="signin">{e(view.t("signin.button"))}</button></form></div>'
    )
    return layout(view, view.t("signin.title"), body, signed_in=False)


def overview_page(view: View, figures: Sequence[tuple[str, str]], charts: Sequence[str]) -> str:
    cards = "".join(
        f'<div class="figure"><span class="muted">{e(label)}</span><b>{e(value)}</b></div>'
        for label, value in figures
    )
    drawn = "".join(f'<div class="plot">{chart}</div>' for chart in charts)  # built escaped
    body = f'<div class="figures">{cards}</div><div class="charts">{drawn}</div>'
    return layout(view, view.t("nav.overview"), body)


def feeds_page(view: View, feeds: Sequence[Feed]) -> str:
    rows = []
    for feed in feeds:
        if feed.paused:
            state = view.t("feed.paused")
        elif feed.failures:
            state = view.t("feed.failing", n=feed.failures)
        else:
            state = view.t("feed.ok")
        action = "resume" if feed.paused else "pause"
        # 0: due at the next tick (a new feed); a paused feed has no next check.
        next_check = view.clock(feed.next_check_at) if feed.next_check_at > 0 else "—"
        next_check = "—" if feed.paused else next_check
        rows.append(
            f'<tr id="feed-{feed.id}"><td><a href="{e(feed.url)}" rel="noreferrer">'
            f"{e(feed.name)}</a><div class=muted>#{feed.id} · {e(feed.kind)}</div></td>"
            f'<td class="{"bad" if feed.failures else ""}">{e(state)}</td>'
            f"<td>{e(view.clock(feed.last_success_at))}</td>"
            f"<td>{e(next_check)}</td>"
            f'<td class="muted">{e(feed.last_error or "")}</td>'
            f"<td>{view.form(f'/feeds/{feed.id}/{action}', view.t('action.' + action))}</td></tr>"
        )
    head = "".join(
        f"<th>{e(view.t(k))}</th>"
        for k in ("col.feed", "col.state", "col.last_poll", "col.next_poll", "col.last_error")
    )
    table = f'<div class="scroll"><table><tr>{head}<th></th></tr>{"".join(rows)}</table></div>'
    return layout(view, view.t("nav.feeds"), table)


def audit_page(view: View, entries: Sequence[AuditEntry]) -> str:
    rows = "".join(
        f"<tr><td>{e(view.clock(entry.at))}</td><td>{e(entry.actor)}</td>"
        f"<td>{e(entry.action)}</td><td>{e(entry.detail)}</td>"
        f'<td class="{"" if entry.result == "ok" else "bad"}">{e(entry.result)}</td></tr>'
        for entry in reversed(entries)  # newest first
    )
    head = "".join(
        f"<th>{e(view.t(k))}</th>"
        for k in ("col.time", "col.who", "col.action", "col.detail", "col.result")
    )
    table = f'<div class="scroll"><table id="audit"><tr>{head}</tr>{rows}</table></div>'
    return layout(view, view.t("nav.audit"), table)
