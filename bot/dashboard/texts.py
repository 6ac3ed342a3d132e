"""The dashboard's words, Vietnamese first and English by choice (the `lang` cookie).

Numbers follow the language: "4,2" in Vietnamese, "4.2" in English; times are local.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from handlers.i18n import text_in

LANGUAGES: Final = ("vi", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "title": {"vi": "Bảng điều khiển {name}", "en": "{name} dashboard"},
    "nav.overview": {"vi": "Tổng quan", "en": "Overview"},
    "nav.stories": {"vi": "Tin bài", "en": "Stories"},
    "nav.feeds": {"vi": "Nguồn tin", "en": "Feeds"},
    "nav.audit": {"vi": "Nhật ký", "en": "Audit log"},
    "nav.signout": {"vi": "Đăng xuất", "en": "Sign out"},
    "nav.other_language": {"vi": "English", "en": "Tiếng Việt"},
    "signed_in": {"vi": "Đăng nhập: {actor}", "en": "Signed in: {actor}"},
    "empty": {"vi": "Chưa có dữ liệu", "en": "No data yet"},
    "chart.subscribers": {
        "vi": "Người theo dõi theo nền tảng, 30 ngày",
        "en": "Subscribers per platform, 30 days",
    },
    "chart.deliveries": {
        "vi": "Tin gửi đi mỗi giờ, 24 giờ qua",
        "en": "Deliveries per hour, last 24 hours",
    },
    "chart.latency": {
        "vi": "Từ lúc đăng đến lúc tới người đọc (phút), 14 ngày",
        "en": "Publication → delivery (minutes), 14 days",
    },
    "chart.failing": {
        "vi": "Nguồn tin đang lỗi (số lần lỗi liên tiếp)",
        "en": "Failing feeds (consecutive failures)",
    },
    "series.sent": {"vi": "đã gửi", "en": "sent"},
    "series.failed": {"vi": "lỗi", "en": "failed"},
    "figure.subscribers": {"vi": "Người theo dõi", "en": "Subscribers"},
    "figure.articles": {"vi": "Tin trong kho", "en": "Stored stories"},
    "figure.pending": {"vi": "Đang chờ gửi", "en": "Waiting to send"},
    "figure.waiting": {"vi": "Chờ duyệt", "en": "Waiting for review"},
    "signin.title": {"vi": "Đăng nhập", "en": "Sign in"},
    "signin.how": {
        "vi": "Để đăng nhập, hãy nhắn /dashboard cho bot {name} trong chat riêng "
        "(Telegram hoặc Zalo). Bot sẽ gửi một đường dẫn dùng được một lần, trong 10 phút.",
        "en": "To sign in, send /dashboard to the {name} bot in a private chat "
        "(Telegram or Zalo). It answers with a link that works once, within 10 minutes.",
    },
    "signin.as": {"vi": "Đăng nhập với tư cách {actor}.", "en": "Sign in as {actor}."},
    "signin.button": {"vi": "Đăng nhập", "en": "Sign in"},
    "link.used": {"vi": "Đường dẫn này đã được dùng.", "en": "This link has already been used."},
    "link.expired": {"vi": "Đường dẫn này đã hết hạn.", "en": "This link has expired."},
    "link.unknown": {"vi": "Đường dẫn này không hợp lệ.", "en": "This link is not valid."},
    "link.again": {
        "vi": "Mỗi đường dẫn chỉ dùng được một lần, trong 10 phút. "
        "Hãy nhắn /dashboard cho bot để nhận đường dẫn mới.",
        "en": "Each link works once, within 10 minutes. Send /dashboard to the bot for a new one.",
    },
    "csrf": {
        "vi": "Biểu mẫu đã cũ hoặc không hợp lệ; mời bạn tải lại trang rồi thử lại.",
        "en": "This form is stale or not valid; please reload the page and try again.",
    },
    "no_longer_admin": {
        "vi": "Tài khoản này không còn là quản trị viên.",
        "en": "This account is no longer an admin.",
    },
    "not_found": {"vi": "Không có trang này.", "en": "There is no such page."},
    "stories.waiting": {"vi": "Chờ duyệt", "en": "Waiting for review"},
    "stories.none_waiting": {"vi": "Không có tin nào chờ duyệt.", "en": "Nothing is waiting."},
    "stories.review_off": {
        "vi": "Duyệt trước khi đăng đang tắt ([publish] review = false): tin mới được gửi ngay.",
        "en": "Review before push is off ([publish] review = false): new stories go out at once.",
    },
    "stories.latest": {"vi": "Tin mới nhất", "en": "Latest stories"},
    "stories.edited": {"vi": "đã sửa tóm tắt", "en": "summary edited"},
    "stories.since": {"vi": "chờ từ {time}", "en": "waiting since {time}"},
    "col.story": {"vi": "Tin", "en": "Story"},
    "col.feed": {"vi": "Nguồn", "en": "Feed"},
    "col.time": {"vi": "Lúc", "en": "Time"},
    "col.sent": {"vi": "Đã gửi", "en": "Sent"},
    "col.pending": {"vi": "Đang chờ", "en": "Pending"},
    "col.failed": {"vi": "Lỗi", "en": "Failed"},
    "col.state": {"vi": "Tình trạng", "en": "Health"},
    "col.last_poll": {"vi": "Lấy tin tốt gần nhất", "en": "Last good poll"},
    "col.next_poll": {"vi": "Kiểm tra tới", "en": "Next check"},
    "col.last_error": {"vi": "Lỗi gần nhất", "en": "Last error"},
    "col.who": {"vi": "Ai", "en": "Who"},
    "col.action": {"vi": "Việc", "en": "Action"},
    "col.detail": {"vi": "Chi tiết", "en": "Detail"},
    "col.result": {"vi": "Kết quả", "en": "Result"},
    "review.waiting": {"vi": "chờ duyệt", "en": "waiting"},
    "review.published": {"vi": "đã duyệt", "en": "published"},
    "review.dropped": {"vi": "đã bỏ", "en": "dropped"},
    "action.publish": {"vi": "✅ Đăng", "en": "✅ Publish"},
    "action.edit": {"vi": "✏️ Sửa tóm tắt", "en": "✏️ Edit summary"},
    "action.drop": {"vi": "🗑 Bỏ", "en": "🗑 Drop"},
    "action.pause": {"vi": "Tạm dừng", "en": "Pause"},
    "action.resume": {"vi": "Chạy lại", "en": "Resume"},
    "feed.ok": {"vi": "Tốt", "en": "OK"},
    "feed.failing": {"vi": "Lỗi {n} lần liên tiếp", "en": "Failing ({n} in a row)"},
    "feed.paused": {"vi": "Tạm dừng", "en": "Paused"},
    "never": {"vi": "chưa có", "en": "never"},
}


def tr(language: str, key: str, **values: object) -> str:
    """The text in `language` (Vietnamese when it has none), placeholders filled."""
    return text_in(TEXTS, language, key, **values)


def number(value: float, language: str, digits: int = 1) -> str:
    """ "4,2" in Vietnamese, "4.2" in English; whole numbers without decimals."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "." if language == "vi" else ",")
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "vi" else text


def clock(at: float | None, zone: ZoneInfo, language: str) -> str:
    """ "08:15 03/12" in the newsroom's time; "chưa có" / "never" for no time."""
    if at is None:
        return tr(language, "never")
    return datetime.fromtimestamp(at, zone).strftime("%H:%M %d/%m")
