"""The strings of forum topics (`/route` inside a topic, issue 15); `STRINGS` includes them."""

from __future__ import annotations

from typing import Final

# key → language → text, as in handlers/i18n.py.
TOPIC_STRINGS: Final[dict[str, dict[str, str]]] = {
    "help.route": {
        "vi": "/route NGUỒN… — gõ trong một chủ đề (topic): tin của các nguồn đó vào chủ đề ấy "
        "(/route all: mọi tin; /route off: thôi; /route: xem)",
        "en": "/route FEED… — inside a topic: those feeds' stories go to that topic "
        "(/route all: every story; /route off: stop; /route: list)",
    },
    "topic.routed": {
        "vi": "📌 Chủ đề này sẽ nhận tin của: {feeds}.",
        "en": "📌 This topic now gets the stories of: {feeds}.",
    },
    "topic.routed_all": {
        "vi": "📌 Chủ đề này sẽ nhận mọi tin của nhóm (trừ nguồn đã chuyển sang chủ đề khác).",
        "en": "📌 This topic now gets every story of the group (but feeds routed elsewhere).",
    },
    "topic.off": {
        "vi": "Chủ đề này không nhận tin nữa; tin của nó về lại chủ đề chung.",
        "en": "This topic gets no stories any more; they go back to the general topic.",
    },
    "topic.off_none": {
        "vi": "Chủ đề này chưa nhận nguồn tin nào.",
        "en": "This topic gets no feed yet.",
    },
    "topic.none": {
        "vi": "Nhóm chưa chuyển tin vào chủ đề nào. Gõ /route NGUỒN… (hoặc /route all) "
        "ngay trong chủ đề muốn nhận tin.",
        "en": "No story goes to a topic yet. Send /route FEED… (or /route all) inside the "
        "topic that should get them.",
    },
    "topic.list": {"vi": "Tin được chuyển vào các chủ đề:", "en": "Stories routed to topics:"},
    "topic.line": {"vi": "• chủ đề {thread}: {feeds}", "en": "• topic {thread}: {feeds}"},
    "topic.all_feeds": {"vi": "mọi tin", "en": "every story"},
    "topic.stopped": {"vi": "(đã ngừng: {reason})", "en": "(stopped: {reason})"},
    "topic.here": {"vi": " ← chủ đề này", "en": " ← this topic"},
    "topic.need_topic": {
        "vi": "Hãy gõ lệnh này ngay trong chủ đề (topic) muốn nhận tin.",
        "en": "Send this inside the topic that should get the stories.",
    },
    "topic.groups_only": {
        "vi": "/route dùng trong nhóm có chủ đề (topic): gõ /route NGUỒN… ngay trong chủ đề.",
        "en": "/route works in a group with topics: send /route FEED… inside the topic.",
    },
    "topic.unknown_feed": {
        "vi": "Không có nguồn tin hay chuyên mục “{name}”. Các nguồn: {feeds}.",
        "en": "There is no feed or section “{name}”. Feeds: {feeds}.",
    },
    "topic.closed_alert": {
        "vi": "Chủ đề {thread} của nhóm {chat} đã đóng hoặc bị xóa ({reason}): ngừng chuyển "
        "tin vào đó; tin của nó về lại chủ đề chung. Mở lại chủ đề rồi gõ /route trong đó "
        "để nhận lại.",
        "en": "Topic {thread} of group {chat} is closed or deleted ({reason}): stories no "
        "longer go there and fall back to the general topic. Reopen it and send /route "
        "there to route them again.",
    },
}
