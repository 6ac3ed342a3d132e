"""The strings of `/dashboard` (handlers/dashboard.py); `handlers.i18n.STRINGS` includes them."""

from __future__ import annotations

from typing import Final

DASHBOARD_STRINGS: Final[dict[str, dict[str, str]]] = {
    "dashboard.link": {
        "vi": "Đường dẫn đăng nhập bảng điều khiển {name}:",
        "en": "Your sign-in link to the {name} dashboard:",
    },
    "dashboard.note": {
        "vi": "Đường dẫn dùng được một lần, trong {minutes} phút. Xin đừng chuyển cho người khác.",
        "en": "It works once, within {minutes} minutes. Please do not pass it on.",
    },
    "dashboard.private": {
        "vi": "Vì an toàn, đường dẫn đăng nhập chỉ gửi trong chat riêng với bot. "
        "Mời bạn nhắn /dashboard cho bot.",
        "en": "For safety, sign-in links are sent only in a private chat with the bot. "
        "Please send /dashboard to the bot directly.",
    },
    "dashboard.off": {
        "vi": "Bảng điều khiển chưa bật: cần đặt [dashboard] listen trong config.toml.",
        "en": "The dashboard is not enabled: set [dashboard] listen in config.toml.",
    },
}
