"""The optional LLM summarizer over a real HTTP fake, and its extractive fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from feeds.llm_summary import LLMSummarizer
from feeds.summarize import summarize
from tests.fakes.openai_api import FakeOpenAI, serve_openai

TITLE = "Lâm Đồng khen thưởng 8 tập thể làm tốt công tác dân vận"
PARAGRAPHS = [
    "Ủy ban Nhân dân tỉnh Lâm Đồng tổ chức hội nghị tổng kết công tác dân vận năm 2022. "
    "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn đạt 98,66%.",
    "Dịp này, tỉnh tặng bằng khen cho 8 tập thể có thành tích xuất sắc.",
]
LEAD = "(LĐTV) - Hội nghị tổng kết công tác dân vận năm 2022 diễn ra sáng 24/2."
SECRET = "sk-test-secret-key-123"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with serve_openai() as state:
        yield state


def client(fake: FakeOpenAI, timeout: float = 2.0) -> LLMSummarizer:
    return LLMSummarizer(
        fake.base_url, "vi-news-1", SECRET, timeout_seconds=timeout, max_tokens=300
    )


def extractive(budget: int) -> str:
    return summarize(TITLE, PARAGRAPHS, lead=LEAD, budget=budget)


async def test_returns_the_model_summary_and_sends_a_grounded_vietnamese_prompt(
    fake: FakeOpenAI,
) -> None:
    fake.reply = "  Lâm Đồng tổng kết công tác dân vận năm 2022, khen thưởng 8 tập thể.  "
    async with client(fake) as llm:
        got = await llm.summarize(TITLE, PARAGRAPHS, LEAD, 300)
    assert got == "Lâm Đồng tổng kết công tác dân vận năm 2022, khen thưởng 8 tập thể."
    [request] = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {SECRET}"
    assert request.body["model"] == "vi-news-1"
    assert request.body["max_tokens"] == 300
    system, user = request.body["messages"]
    assert system["role"] == "system"
    assert "Chỉ dùng thông tin có trong bài" in system["content"]
    assert "không thêm sự kiện" in system["content"]
    assert TITLE in user["content"] and "98,66%" in user["content"]
    assert "300 ký tự" in user["content"]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda f: setattr(f, "status", 500), "HTTP 500"),
        (lambda f: setattr(f, "raw", b"{not json at all"), "unreadable answer"),
        (lambda f: setattr(f, "raw", b'{"choices": []}'), "unreadable answer"),
        (lambda f: setattr(f, "reply", "   "), "empty answer"),
        (lambda f: setattr(f, "reply", "Dài quá. " * 100), "over budget"),
    ],
    ids=["500", "garbage-json", "no-choices", "empty", "over-budget"],
)
async def test_falls_back_to_extractive_and_logs_one_line_without_the_key(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture, setup: object, reason: str
) -> None:
    assert callable(setup)
    setup(fake)
    caplog.set_level(logging.WARNING, logger="feeds.llm_summary")
    async with client(fake) as llm:
        got = await llm.summarize(TITLE, PARAGRAPHS, LEAD, 300)
    assert got == extractive(300)
    records = [r for r in caplog.records if r.name == "feeds.llm_summary"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert reason in message and "extractive" in message
    assert SECRET not in caplog.text


async def test_falls_back_on_timeout(fake: FakeOpenAI, caplog: pytest.LogCaptureFixture) -> None:
    fake.delay = 1.0
    caplog.set_level(logging.WARNING, logger="feeds.llm_summary")
    async with client(fake, timeout=0.2) as llm:
        got = await llm.summarize(TITLE, PARAGRAPHS, LEAD, 200)
    assert got == extractive(200)
    assert "timed out" in caplog.text
    assert SECRET not in caplog.text


async def test_falls_back_when_nothing_listens(caplog: pytest.LogCaptureFixture) -> None:
    with serve_openai() as gone:
        url = gone.base_url
    caplog.set_level(logging.WARNING, logger="feeds.llm_summary")
    async with LLMSummarizer(url, "m", SECRET, timeout_seconds=1.0, max_tokens=50) as llm:
        got = await llm.summarize(TITLE, PARAGRAPHS, None, 600)
    assert got == summarize(TITLE, PARAGRAPHS, budget=600)
    assert "request failed" in caplog.text
    assert SECRET not in caplog.text
