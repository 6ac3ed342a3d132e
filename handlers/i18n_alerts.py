"""The strings of keyword alerts, sections and quiet style (issue 15), kept apart from
handlers/i18n.py's table so neither file grows past reading; `STRINGS` includes them."""

from __future__ import annotations

from typing import Final

# key → language → text, as in handlers/i18n.py.
ALERT_STRINGS: Final[dict[str, dict[str, str]]] = {
    # --- keyword alerts (handlers/alerts.py) ------------------------------------------------
    "cmd.alert": {
        "vi": "Theo dõi từ khóa: /alert sạt lở",
        "en": "Keyword alerts: /alert sat lo",
    },
    "alert.added": {
        "vi": "🔔 Đã theo dõi “{words}”. Tin có cụm từ này sẽ đến ngay, "
        "kể cả khi bạn nhận bản tin hằng ngày.",
        "en": "🔔 Now watching “{words}”. Stories with these words arrive at once, "
        "even on the daily digest.",
    },
    "alert.duplicate": {
        "vi": "Bạn đã theo dõi “{words}” rồi.",
        "en": "You are watching “{words}” already.",
    },
    "alert.limit": {
        "vi": "Mỗi chat theo dõi được tối đa {max} cụm từ. Bỏ bớt một cụm trước đã.",
        "en": "A chat can watch at most {max} phrases. Remove one first.",
    },
    "alert.empty": {
        "vi": "Hãy cho biết từ khóa cần theo dõi, ví dụ: /alert sạt lở",
        "en": "Tell me the words to watch, for example: /alert sat lo",
    },
    "alert.empty_words": {
        "vi": "Hãy cho biết từ khóa cần theo dõi, ví dụ: “theo dõi sạt lở”",
        "en": "Tell me the words to watch, for example: “theo dõi sạt lở”",
    },
    "alert.only_excluded": {
        "vi": "Cần ít nhất một từ để theo dõi, không chỉ các từ loại trừ (-từ).",
        "en": "Give at least one word to watch, not only excluded (-word) ones.",
    },
    "alert.too_long": {
        "vi": "Cụm từ theo dõi quá dài (tối đa {syllables} tiếng, {chars} ký tự).",
        "en": "That alert is too long (at most {syllables} words, {chars} characters).",
    },
    "alert.list_title": {"vi": "🔔 Bạn đang theo dõi:", "en": "🔔 Your alerts:"},
    "alert.none": {
        "vi": "Bạn chưa theo dõi từ khóa nào. Thêm: /alert sạt lở (loại trừ: /alert bão -bóng)",
        "en": "You have no alerts yet. Add one: /alert sat lo (exclude: /alert bao -bong)",
    },
    "alert.none_words": {
        "vi": "Bạn chưa theo dõi từ khóa nào. Thêm: “theo dõi sạt lở”",
        "en": "You have no alerts yet. Add one: “theo dõi sạt lở”",
    },
    "alert.remove_hint": {
        "vi": "Bấm ✖ để bỏ một cụm từ.",
        "en": "Tap ✖ to remove one.",
    },
    "alert.remove_hint_words": {
        "vi": "Gõ “bỏ theo dõi N” để bỏ cụm số N.",
        "en": "Type “bỏ theo dõi N” to remove alert number N.",
    },
    "alert.removed": {"vi": "Đã bỏ theo dõi “{words}”.", "en": "Stopped watching “{words}”."},
    "alert.not_found": {
        "vi": "Không có cụm theo dõi số {number}. Gõ /alert để xem danh sách.",
        "en": "There is no alert number {number}. Send /alert for the list.",
    },
    "alert.mode_all": {
        "vi": "Bạn nhận: mọi tin của các nguồn đã chọn, và tin theo dõi ngay lập tức.",
        "en": "You receive: every story of your sources, and your alerts at once.",
    },
    "alert.mode_alerts": {
        "vi": "Bạn nhận: chỉ tin có từ khóa theo dõi.",
        "en": "You receive: only stories matching your alerts.",
    },
    "alert.mode_hint": {
        "vi": "Chỉ nhận tin theo dõi: /alert only · Nhận mọi tin: /alert all",
        "en": "Alerts only: /alert only · Everything: /alert all",
    },
    "alert.only_set": {
        "vi": "Từ giờ bạn chỉ nhận tin có từ khóa theo dõi.",
        "en": "From now on you only get stories matching your alerts.",
    },
    "alert.all_set": {
        "vi": "Từ giờ bạn nhận mọi tin của các nguồn đã chọn.",
        "en": "From now on you get every story of your sources.",
    },
    "alert.only_no_alerts": {
        "vi": "Bạn chưa theo dõi từ khóa nào nên sẽ chưa nhận tin nào. Thêm: /alert sạt lở",
        "en": "You have no alerts yet, so nothing will arrive. Add one: /alert sat lo",
    },
    "alert.only_no_alerts_words": {
        "vi": "Bạn chưa theo dõi từ khóa nào nên sẽ chưa nhận tin nào. Thêm: “theo dõi sạt lở”",
        "en": "You have no alerts yet, so nothing will arrive. Add one: “theo dõi sạt lở”",
    },
    "alert.button_only": {"vi": "Chỉ tin theo dõi", "en": "Alerts only"},
    "alert.button_all": {"vi": "Mọi tin", "en": "Everything"},
    "alert.started": {
        "vi": "Bạn chưa đăng ký nhận tin, nên từ giờ sẽ chỉ nhận tin theo dõi. "
        "Gõ /alert all để nhận mọi tin.",
        "en": "You were not subscribed, so you will get only your alerts. "
        "Send /alert all for everything.",
    },
    "card.alert": {"vi": "🔔 Theo dõi: “{words}”", "en": "🔔 Alert: “{words}”"},
    "card.breaking": {"vi": "🔴 TIN NÓNG", "en": "🔴 BREAKING"},
    # --- /settings: what a chat receives, quiet style, sections -------------------------------
    "settings.receive": {"vi": "Nhận: {value}", "en": "Receive: {value}"},
    "settings.receive_all": {"vi": "mọi tin", "en": "everything"},
    "settings.receive_alerts": {"vi": "chỉ tin theo dõi", "en": "alerts only"},
    "settings.quiet_style": {
        "vi": "Trong giờ không làm phiền: {value}",
        "en": "During do-not-disturb hours: {value}",
    },
    "settings.quiet_hold": {"vi": "để đến sáng", "en": "hold until morning"},
    "settings.quiet_silent": {"vi": "gửi không chuông", "en": "deliver silently"},
    "settings.sections": {"vi": "Mục: {value}", "en": "Sections: {value}"},
    "settings.sections_all": {"vi": "tất cả", "en": "all"},
    "settings.all_sections": {"vi": "Mọi mục", "en": "All sections"},
    "settings.hint_more_words": {
        "vi": "Mục: “/settings section thoi-su” (bỏ chọn: gõ lại; "
        "tất cả: “/settings section all”). "
        "Nhận: “/settings receive alerts” hoặc “all”. "
        "Giờ không làm phiền: “/settings quietstyle silent” hoặc “hold”.",
        "en": "Sections: “/settings section thoi-su” (again to unselect; "
        "“/settings section all”). "
        "Receive: “/settings receive alerts” or “all”. "
        "Do not disturb: “/settings quietstyle silent” or “hold”.",
    },
    "settings.no_alerts_hint": {
        "vi": "Bạn chưa theo dõi từ khóa nào, nên sẽ chưa nhận tin nào. Thêm: /alert sạt lở",
        "en": "You have no alerts yet, so nothing will arrive. Add one: /alert sat lo",
    },
}
