"""Optional summaries from an OpenAI-compatible chat-completions endpoint.

The extractive summary is always the floor: any failure, timeout, empty or over-budget
answer falls back to it, with one log line that says why (never the key). The prompt
asks for Vietnamese and forbids facts that are not in the story.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx

from bot.core.text import collapse_spaces, normalize
from feeds.summarize import summarize as extractive_summary

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "Bạn là biên tập viên của một tòa soạn Việt Nam. Hãy tóm tắt bài báo được cung cấp "
    "bằng tiếng Việt, văn phong báo chí, ngắn gọn, khách quan. Chỉ dùng thông tin có trong "
    "bài: không thêm sự kiện, con số, tên người, địa danh, ngày tháng hay nhận định nào "
    "không có trong bài. Không nhắc lại nguyên văn tiêu đề, không ghi tên tác giả, nguồn "
    "hay chú thích ảnh. Chỉ trả về đoạn tóm tắt, không lời dẫn."
)
# The story is cut to this many characters before it is sent: enough for any lead and
# its key facts, and a bound on what one summary can cost.
MAX_STORY_CHARS = 6000


class LLMSummarizer:
    """Summaries from a chat-completions endpoint, falling back to the extractive one."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_seconds: float = 20.0,
        max_tokens: int = 400,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self._max_tokens = max_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> LLMSummarizer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _messages(
        self, title: str, paragraphs: Sequence[str], lead: str | None, budget: int
    ) -> list[dict[str, str]]:
        body = "\n\n".join(p.strip() for p in paragraphs if p.strip())[:MAX_STORY_CHARS]
        parts = [f"Tiêu đề: {title.strip()}"]
        if lead:
            parts.append(f"Sapo: {lead.strip()}")
        parts.append(f"Nội dung:\n{body}")
        instruction = (
            f"Tóm tắt bài báo trên trong tối đa {budget} ký tự (khoảng {max(budget // 6, 10)} "
            "chữ), kết thúc bằng một câu trọn vẹn."
        )
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "\n\n".join([*parts, instruction])},
        ]

    async def _complete(self, messages: list[dict[str, str]]) -> str:
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "max_tokens": self._max_tokens,
            "temperature": 0.2,
        }
        response = await self._client.post("chat/completions", json=payload)
        response.raise_for_status()
        data = response.json()
        content = data["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise ValueError("no text in the answer")
        return content

    async def summarize(
        self, title: str, paragraphs: Sequence[str], lead: str | None, budget: int
    ) -> str:
        """The model's summary when it is usable, else the extractive one."""
        try:
            answer = await self._complete(self._messages(title, paragraphs, lead, budget))
        except httpx.TimeoutException:
            return self._fallback("timed out", title, paragraphs, lead, budget)
        except httpx.HTTPStatusError as exc:
            reason = f"HTTP {exc.response.status_code}"
            return self._fallback(reason, title, paragraphs, lead, budget)
        except httpx.HTTPError as exc:
            reason = f"request failed ({type(exc).__name__})"
            return self._fallback(reason, title, paragraphs, lead, budget)
        except (ValueError, KeyError, IndexError, TypeError):
            return self._fallback("unreadable answer", title, paragraphs, lead, budget)
        summary = collapse_spaces(normalize(answer)).strip('"“” ')
        if not summary:
            return self._fallback("empty answer", title, paragraphs, lead, budget)
        if len(summary) > budget:
            reason = f"answer over budget ({len(summary)} > {budget} chars)"
            return self._fallback(reason, title, paragraphs, lead, budget)
        return summary

    def _fallback(
        self,
        reason: str,
        title: str,
        paragraphs: Sequence[str],
        lead: str | None,
        budget: int,
    ) -> str:
        log.warning("LLM summary (%s): %s; using the extractive summary", self._model, reason)
        return extractive_summary(title, paragraphs, lead=lead, budget=budget)
