"""Every sentence the bot says, in Vietnamese and English, in one table.

One table so a translator (or a reviewer) sees the two languages side by side, and so a
missing English string falls back to Vietnamese instead of a crash in front of a reader.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from string import Formatter
from typing import Final

from handlers.i18n_alerts import ALERT_STRINGS
from handlers.i18n_dashboard import DASHBOARD_STRINGS
from handlers.i18n_topics import TOPIC_STRINGS

log = logging.getLogger(__name__)

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"

# key → language → text; `{name}` placeholders are filled by `t`.
STRINGS: Final[dict[str, dict[str, str]]] = {
    # --- commands, as Telegram lists them (setMyCommands) --------------------------------
    "cmd.start": {"vi": "Nhận tin mới", "en": "Get new stories"},
    "cmd.stop": {"vi": "Ngừng nhận tin", "en": "Stop the stories"},
    "cmd.latest": {"vi": "Tin mới nhất", "en": "Latest stories"},
    "cmd.search": {"vi": "Tìm tin: /search đà lạt", "en": "Search: /search da lat"},
    "cmd.settings": {
        "vi": "Chuyên mục, bản tin hằng ngày, giờ không làm phiền",
        "en": "Sections, daily digest, do-not-disturb hours",
    },
    "cmd.lang": {"vi": "Ngôn ngữ / Language", "en": "Language / Ngôn ngữ"},
    "cmd.help": {"vi": "Hướng dẫn", "en": "Help"},
    # --- /start, /stop ---------------------------------------------------------------------
    "start.welcome": {
        "vi": "Chào mừng bạn đến với {name}!",
        "en": "Welcome to {name}!",
    },
    "start.again": {
        "vi": "Bạn đã đăng ký nhận tin rồi.",
        "en": "You are subscribed already.",
    },
    "start.group_welcome": {
        "vi": "Nhóm này đã đăng ký nhận tin.",
        "en": "This group is subscribed.",
    },
    "start.receive_instant": {
        "vi": "Bạn sẽ nhận mỗi tin mới của {feeds} ngay khi được đăng, kèm tóm tắt và liên kết.",
        "en": "You will get every new story from {feeds} as soon as it is published, "
        "with a summary and the link.",
    },
    "start.receive_digest": {
        "vi": "Bạn sẽ nhận bản tin của {feeds} mỗi ngày lúc {hour}.",
        "en": "You will get a daily digest of {feeds} at {hour}.",
    },
    "start.how_to_stop": {
        "vi": "Để ngừng nhận tin, gõ /stop. Cài đặt: /settings. Tìm tin: /search <từ khóa>.",
        "en": "To stop, send /stop. Settings: /settings. Search: /search <words>.",
    },
    "start.how_to_stop_words": {
        "vi": "Để ngừng nhận tin, gõ “hủy”. Xem tin mới: “tin mới”. Tìm tin: “tìm <từ khóa>”.",
        "en": "To stop, type “hủy” (or /stop). Latest: /latest. Search: /search <words>.",
    },
    "start.no_feeds": {"vi": "các nguồn tin", "en": "our sources"},
    "stop.done": {
        "vi": "Đã ngừng gửi tin. Khi muốn nhận lại, mời bạn gõ /start.",
        "en": "Stopped. Send /start whenever you want the stories back.",
    },
    "stop.done_words": {
        "vi": "Đã ngừng gửi tin. Khi muốn nhận lại, mời bạn gõ “đăng ký”.",
        "en": "Stopped. Type “đăng ký” (or /start) whenever you want the stories back.",
    },
    "stop.not_subscribed": {
        "vi": "Bạn chưa đăng ký nhận tin. Gõ /start để đăng ký.",
        "en": "You are not subscribed. Send /start to subscribe.",
    },
    "group.admins_only": {
        "vi": "Chỉ quản trị viên của nhóm mới được bật hoặc tắt tin cho nhóm.",
        "en": "Only the group's admins can turn the stories on or off for the group.",
    },
    "group.admins_only_settings": {
        "vi": "Chỉ quản trị viên của nhóm mới được đổi cài đặt của nhóm.",
        "en": "Only the group's admins can change the group's settings.",
    },
    # --- /help ---------------------------------------------------------------------------
    "help.title": {"vi": "{name} — tin tức tóm tắt", "en": "{name} — news, summarized"},
    "help.commands": {"vi": "Các lệnh:", "en": "Commands:"},
    "help.words": {
        "vi": "Hoặc gõ: “đăng ký”, “hủy”, “tin mới”, “tìm đà lạt”, “trợ giúp”.",
        "en": "Or type (in Vietnamese): “đăng ký”, “hủy”, “tin mới”, “tìm đà lạt”.",
    },
    "help.latest_arg": {
        "vi": "/latest 10 — 10 tin mới nhất (tối đa {max})",
        "en": "/latest 10 — the 10 newest stories (at most {max})",
    },
    # --- /latest, story cards --------------------------------------------------------------
    "latest.none": {
        "vi": "Chưa có tin nào. Tin mới sẽ có ở đây ngay khi được đăng.",
        "en": "No stories yet. New ones appear here as soon as they are published.",
    },
    "card.read_more": {"vi": "Đọc tiếp", "en": "Read more"},
    "card.share": {"vi": "Chia sẻ", "en": "Share"},
    "card.watch": {"vi": "▶ Xem video", "en": "▶ Watch the video"},
    "review.publish": {"vi": "✅ Đăng", "en": "✅ Publish"},
    "review.edit": {"vi": "✏️ Sửa tóm tắt", "en": "✏️ Edit summary"},
    "review.drop": {"vi": "🗑 Bỏ", "en": "🗑 Drop"},
    "time.today": {"vi": "{clock} hôm nay", "en": "{clock} today"},
    "time.yesterday": {"vi": "hôm qua {clock}", "en": "yesterday {clock}"},
    "card.not_found": {
        "vi": "Không tìm thấy tin này; có thể tin đã bị gỡ. Xem tin mới: /latest",
        "en": "That story cannot be found; it may have been removed. Latest: /latest",
    },
    "digest.title": {"vi": "Bản tin {date}", "en": "Digest, {date}"},
    "digest.more": {"vi": "… và {count} tin khác", "en": "… and {count} more"},
    "digest.empty": {
        "vi": "Không có tin mới từ bản tin trước.",
        "en": "No new stories since the last digest.",
    },
    # --- /settings ---------------------------------------------------------------------------
    "settings.title": {"vi": "Cài đặt", "en": "Settings"},
    "settings.status": {"vi": "Trạng thái: {value}", "en": "Status: {value}"},
    "settings.active": {"vi": "đang nhận tin", "en": "receiving stories"},
    "settings.inactive": {
        "vi": "đã ngừng (gõ /start để nhận tin)",
        "en": "stopped (send /start to get stories)",
    },
    "settings.feeds": {"vi": "Chuyên mục: {value}", "en": "Sections: {value}"},
    "settings.feeds_all": {"vi": "tất cả", "en": "all"},
    "settings.mode": {"vi": "Cách nhận: {value}", "en": "Delivery: {value}"},
    "settings.mode_instant": {"vi": "ngay khi có tin", "en": "as soon as published"},
    "settings.mode_digest": {
        "vi": "bản tin hằng ngày lúc {hour}",
        "en": "a daily digest at {hour}",
    },
    "settings.quiet": {"vi": "Giờ không làm phiền: {value}", "en": "Do not disturb: {value}"},
    "settings.quiet_none": {"vi": "không", "en": "none"},
    "settings.quiet_range": {
        "vi": "{start}–{end} (tin đến trong giờ này sẽ được gửi sau)",
        "en": "{start}–{end} (stories arriving then wait until after)",
    },
    "settings.hint": {
        "vi": "Bấm các nút dưới đây để thay đổi.",
        "en": "Use the buttons below to change them.",
    },
    "settings.hint_words": {
        "vi": "Đổi bằng lệnh: /settings feed <số> (bật/tắt một chuyên mục), /settings feed all, "
        "/settings mode instant, /settings mode digest, /settings hour 7, "
        "/settings quiet 22-6, /settings quiet off",
        "en": "Change with: /settings feed <number> (toggle a section), /settings feed all, "
        "/settings mode instant, /settings mode digest, /settings hour 7, "
        "/settings quiet 22-6, /settings quiet off",
    },
    "settings.feed_numbered": {"vi": "{id}. {name}", "en": "{id}. {name}"},
    "settings.all_feeds": {"vi": "Tất cả chuyên mục", "en": "All sections"},
    "settings.instant": {"vi": "⚡ Ngay khi có tin", "en": "⚡ Instant"},
    "settings.digest": {"vi": "🗞 Bản tin hằng ngày", "en": "🗞 Daily digest"},
    "settings.quiet_off": {"vi": "Tắt giờ không làm phiền", "en": "No do-not-disturb hours"},
    "settings.quiet_button": {"vi": "🌙 {start}–{end}", "en": "🌙 {start}–{end}"},
    "settings.saved": {"vi": "Đã lưu.", "en": "Saved."},
    "settings.invalid": {
        "vi": "Lựa chọn không hợp lệ; cài đặt của bạn được giữ nguyên.",
        "en": "Not a valid choice; nothing changed.",
    },
    "settings.keep_one": {
        "vi": "Cần giữ ít nhất một chuyên mục. Nếu muốn ngừng nhận tin hẳn, mời bạn gõ /stop.",
        "en": "Keep at least one section. To stop entirely: /stop",
    },
    # --- /lang -----------------------------------------------------------------------------
    "lang.choose": {
        "vi": "Chọn ngôn ngữ / Choose a language:",
        "en": "Choose a language / Chọn ngôn ngữ:",
    },
    "lang.choose_words": {
        "vi": "Gõ /lang vi (tiếng Việt) hoặc /lang en (English).",
        "en": "Send /lang en (English) or /lang vi (tiếng Việt).",
    },
    "lang.set": {
        "vi": "Đã chuyển sang tiếng Việt.",
        "en": "The bot now speaks English.",
    },
    "lang.unknown": {
        "vi": "Chưa hỗ trợ ngôn ngữ này. Bạn có thể chọn: vi (tiếng Việt), en (English).",
        "en": "That language is not available. Choose vi or en.",
    },
    "search.none": {
        "vi": "Không tìm thấy tin nào cho “{query}”.",
        "en": "No stories found for “{query}”.",
    },
    # --- /search (handlers/search.py) ---------------------------------------------------
    "search.how_to": {
        "vi": "Tìm tin đã đăng: /search từ khóa\n"
        "Ví dụ: /search sạt lở đèo Prenn (gõ không dấu cũng được: /search sat lo deo prenn)\n"
        "Chỉ tin 7 ngày qua: /search 7d sạt lở · Một nguồn: /search sạt lở feed:tên-nguồn",
        "en": "Search past stories: /search words\n"
        "Example: /search sạt lở đèo Prenn (diacritics are optional: /search sat lo deo prenn)\n"
        "Last 7 days only: /search 7d sạt lở · One source: /search sạt lở feed:source-name",
    },
    "search.header": {"vi": "🔎 “{query}” · trang {page}", "en": "🔎 “{query}” · page {page}"},
    "search.header_window": {
        "vi": "🔎 “{query}” · {window} · trang {page}",
        "en": "🔎 “{query}” · {window} · page {page}",
    },
    "search.window_days": {"vi": "{count} ngày qua", "en": "last {count} days"},
    "search.window_hours": {"vi": "{count} giờ qua", "en": "last {count} hours"},
    "search.no_more": {"vi": "Không còn kết quả nào nữa.", "en": "No more results."},
    "search.try": {"vi": "Thử {tips}.", "en": "Try {tips}."},
    "search.try_other": {"vi": "Thử từ khác.", "en": "Try other words."},
    "search.tip_folded": {
        "vi": "gõ không dấu (“{folded}”)",
        "en": "without diacritics (“{folded}”)",
    },
    "search.tip_fewer": {"vi": "bớt từ", "en": "fewer words"},
    "search.tip_no_window": {"vi": "bỏ giới hạn thời gian", "en": "without the time limit"},
    "search.tip_or": {"vi": "hoặc", "en": "or"},
    "search.next": {"vi": "Trang sau »", "en": "Next page »"},
    "search.previous": {"vi": "« Trang trước", "en": "« Previous page"},
    "search.page_command": {
        "vi": "/search {query} trang {page}",
        "en": "/search {query} page {page}",
    },
    "search.other_pages": {"vi": "Trang khác: {pages}", "en": "Other pages: {pages}"},
    "search.or_more": {"vi": " (hoặc gõ “xem thêm”)", "en": " (or type “xem thêm”, or /more)"},
    "search.story_gone": {"vi": "Không còn tin này.", "en": "That story is no longer here."},
    "search.expired": {
        "vi": "Kết quả tìm kiếm này đã hết hạn. Mời bạn gõ lại /search và từ khóa.",
        "en": "That search has expired; send /search with your words again.",
    },
    # --- the greeting ("xin chào") ----------------------------------------------------------
    "greet.hello": {
        "vi": "Xin chào! {name} xin gửi tới bạn những tin mới nhất, kèm tóm tắt ngắn gọn.",
        "en": "Hello! {name} brings you the latest stories, each with a short summary.",
    },
    "greet.subscribed": {
        "vi": "Bạn đang nhận tin. Xem tin mới: {latest} · Tìm tin: {search} · Hướng dẫn: {help}",
        "en": "You are subscribed. Latest: {latest} · Search: {search} · Help: {help}",
    },
    "greet.not_subscribed": {
        "vi": "Để nhận tin, mời bạn gõ {start}. Xem tin mới: {latest} · Hướng dẫn: {help}",
        "en": "To get the stories, send {start}. Latest: {latest} · Help: {help}",
    },
    # --- /stats and the admin room (handlers/stats.py, handlers/admin.py) ------------------
    "stats.title": {"vi": "📊 {name} lúc {at}", "en": "📊 {name} at {at}"},
    "stats.active": {"vi": "Người nhận đang hoạt động: {count}", "en": "Active readers: {count}"},
    "stats.week": {
        "vi": "Tuần này: +{new} mới, −{lost} rời đi",
        "en": "This week: +{new} new, −{lost} left",
    },
    "stats.today": {
        "vi": "Tin hôm nay: {today} ({feeds} nguồn, {paused} tạm dừng; tổng {total} tin)",
        "en": "Stories today: {today} ({feeds} feeds, {paused} paused; {total} in all)",
    },
    "stats.deliveries": {
        "vi": "Gửi 24 giờ qua: {sent} đã gửi, {pending} đang chờ, {failed} lỗi",
        "en": "Last 24 hours: {sent} sent, {pending} waiting, {failed} failed",
    },
    "stats.paid": {
        "vi": "Phát tin trả phí hôm nay: {spent} / {budget} Sao",
        "en": "Paid broadcast today: {spent} / {budget} Stars",
    },
    "stats.paid_off": {
        "vi": "Phát tin trả phí: tắt ({spent} Sao hôm nay)",
        "en": "Paid broadcast: off ({spent} Stars today)",
    },
    "stats.drain": {
        "vi": "Hàng đợi Telegram gửi hết sau khoảng {eta}",
        "en": "Telegram queue drained in about {eta}",
    },
    "stats.latency": {
        "vi": "Từ lúc đăng đến lúc gửi: p50 {p50}, p95 {p95} ({samples} lượt)",
        "en": "Publication to delivery: p50 {p50}, p95 {p95} ({samples} deliveries)",
    },
    "stats.failing": {"vi": "Nguồn đang lỗi: {count}", "en": "Failing feeds: {count}"},
    "stats.failing_feed": {
        "vi": "• “{name}” từ {since}, {failures} lần: {error}",
        "en": "• “{name}” since {since}, {failures} times: {error}",
    },
    "stats.none_failing": {"vi": "Không nguồn nào đang lỗi.", "en": "No feed is failing."},
    "stats.queue": {
        "vi": "Hàng đợi gửi: {queue}; tin chờ lâu nhất: {oldest}",
        "en": "Send queue: {queue}; oldest pending: {oldest}",
    },
    "stats.fleet": {"vi": "Tiến trình đang chạy: {count}", "en": "Processes running: {count}"},
    "stats.process": {
        "vi": "• {role} {host} (pid {pid}): giữ {held} tin, báo cách đây {ago}",
        "en": "• {role} {host} (pid {pid}): holds {held}, last seen {ago} ago",
    },
    "stats.seconds": {"vi": "{value} giây", "en": "{value} s"},
    "stats.minutes": {"vi": "{value} phút", "en": "{value} min"},
    "stats.hours": {"vi": "{value} giờ", "en": "{value} h"},
    "admin.menu": {
        "vi": "Quản trị {name}:\n"
        "/feeds — các nguồn tin · /addfeed URL [tên] · /removefeed · /pausefeed · /resumefeed\n"
        "/channels — các kênh · /addchannel @kenh · /removechannel @kenh · "
        "/route @kenh nguồn… (hoặc all)\n"
        "/broadcast NỘI DUNG — thông báo tới mọi người (cần xác nhận)\n"
        "/post MÃ_TIN — gửi lại · /correct MÃ_TIN — sửa tin đã gửi · /retract MÃ_TIN — gỡ tin\n"
        "/breaking MÃ_TIN — tin nóng: gửi trước mọi tin khác\n"
        "/stats — thống kê · /review — tin chờ duyệt",
        "en": "Managing {name}:\n"
        "/feeds — the feeds · /addfeed URL [name] · /removefeed · /pausefeed · /resumefeed\n"
        "/channels — the channels · /addchannel @channel · /removechannel @channel · "
        "/route @channel feed… (or all)\n"
        "/broadcast TEXT — an announcement to everyone (asks for confirmation)\n"
        "/post ID — send again · /correct ID — correct a sent story · /retract ID — remove it\n"
        "/breaking ID — breaking news: sent before every other story\n"
        "/stats — figures · /review — stories waiting for an editor",
    },
    "admin.feeds": {"vi": "Nguồn tin", "en": "Feeds"},
    "admin.channels": {"vi": "Kênh", "en": "Channels"},
    "admin.stats": {"vi": "Thống kê", "en": "Figures"},
    "admin.unknown": {
        "vi": "Không có lệnh quản trị “{command}”. Mời gõ /admin.",
        "en": "There is no admin command “{command}”. Send /admin.",
    },
    "admin.not_admin": {
        "vi": "Bạn không phải quản trị viên của {name}.",
        "en": "You are not an admin of {name}.",
    },
    "admin.usage": {"vi": "Cách dùng: {usage}.", "en": "Usage: {usage}."},
    # --- keyword alerts, sections, quiet style (handlers/i18n_alerts.py) -------------------
    **ALERT_STRINGS,
    **DASHBOARD_STRINGS,  # /dashboard (handlers/i18n_dashboard.py)
    # --- forum topics (handlers/i18n_topics.py) ----------------------------------------
    **TOPIC_STRINGS,
    # --- fallbacks -------------------------------------------------------------------------
    "unknown.command": {
        "vi": "Xin lỗi, chưa có lệnh /{command}. Mời bạn gõ /help để xem các lệnh.",
        "en": "Sorry, there is no /{command} command. Please send /help for the commands.",
    },
    "unknown.text": {
        "vi": "Xin lỗi, chúng tôi chưa hiểu ý bạn. Mời bạn gõ /help để xem hướng dẫn, "
        "hoặc “tìm {example}” để tìm tin.",
        "en": "Sorry, I didn't get that. Send /help, or /search {example} to search.",
    },
    "unknown.text_words": {
        "vi": "Xin lỗi, chúng tôi chưa hiểu ý bạn. Mời bạn gõ “trợ giúp” để xem hướng dẫn, "
        "hoặc “tìm {example}” để tìm tin.",
        "en": "Sorry, I didn't get that. Type “help”, or “tìm {example}” to search.",
    },
    "unknown.button": {
        "vi": "Nút này đã hết hiệu lực. Mời bạn gõ /help để bắt đầu lại.",
        "en": "That button is out of date. Send /help to start over.",
    },
    "error.internal": {
        "vi": "Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.",
        "en": "Sorry, something went wrong. Please try again later.",
    },
}


def resolve_language(language: str | None) -> str:
    """A language we speak: "en-US" → "en"; anything unknown → Vietnamese."""
    if not language:
        return DEFAULT_LANGUAGE
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def t(language: str | None, key: str, **kwargs: object) -> str:
    """The text for `key` in `language`, placeholders filled; never raises in front of a reader.

    A missing translation falls back to Vietnamese, a missing key to the key itself, and a
    missing placeholder leaves the template as it is (logged: it is our bug, not the reader's).
    """
    return text_in(STRINGS, language, key, **kwargs)


def text_in(
    table: Mapping[str, Mapping[str, str]], language: str | None, key: str, **kwargs: object
) -> str:
    """`t` over another table of texts (the dashboard's pages keep their own)."""
    entry = table.get(key)
    if entry is None:
        log.error("i18n: no string %r", key)
        return key
    template = entry.get(resolve_language(language)) or entry[DEFAULT_LANGUAGE]
    if not kwargs:
        return template
    try:
        return template.format_map(kwargs)
    except (KeyError, IndexError, ValueError):
        log.error("i18n: cannot fill %r with %s", key, sorted(kwargs))
        return template


def placeholders(key: str, language: str) -> set[str]:
    """The names a string expects; tests use it to keep vi and en in step."""
    return {name for _, name, _, _ in Formatter().parse(STRINGS[key][language]) if name}


# --- issue 13: a search that would stall the bot ----------------------------------------
STRINGS.update(
    {
        "search.too_long": {
            "vi": "Câu tìm dài quá: tối đa {words} từ và {chars} ký tự. Hãy gõ vài từ chính.",
            "en": "That search is too long: at most {words} words and {chars} characters. "
            "Type a few key words.",
        },
        "search.too_slow": {
            "vi": "Tìm lâu quá nên đã dừng. Hãy thử ít từ hơn hoặc từ cụ thể hơn.",
            "en": "That search took too long and was stopped. Try fewer or more specific words.",
        },
    }
)
