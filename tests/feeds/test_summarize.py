"""The extractive summarizer: budget, boundaries, cleaning, lead + facts, quality floor."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench.summary_eval import paragraphs_of, read_stories, rouge, select
from bot.core.text import split_sentences, syllables
from feeds.summarize import _is_speech, _prepare, clean_lead, summarize

TITLE = "Đà Lạt mở rộng đường vành đai phía Nam"
PARAGRAPHS = [
    "(Lamdongtv.vn) - Sáng 3/5, UBND TP. Đà Lạt khởi công dự án mở rộng đường vành đai "
    "phía Nam dài 12,5 km với tổng vốn 1.250 tỷ đồng.",
    "Dự án do Ban quản lý dự án TP. Đà Lạt làm chủ đầu tư. Theo kế hoạch, đường vành đai "
    "sẽ hoàn thành vào tháng 12/2025, giảm ùn tắc cho trung tâm thành phố.",
    "Ảnh: Mạnh Thành",
    "Ông Nguyễn Văn T. (52 tuổi, P. 5) cho biết người dân rất mong con đường sớm xong.",
    "Xem thêm: Đà Lạt quy hoạch lại chợ đêm",
    "Mạnh Thành",
]


def words_of(text: str) -> set[str]:
    return set(syllables(text))


@pytest.mark.parametrize("budget", [40, 80, 120, 200, 300, 600, 1024, 2000])
def test_budget_respected_and_no_word_cut(budget: int) -> None:
    summary = summarize(TITLE, PARAGRAPHS, budget=budget)
    assert 0 < len(summary) <= budget
    source = words_of(" ".join([TITLE, *PARAGRAPHS]))
    assert words_of(summary) <= source  # every syllable is whole


def test_ends_on_a_sentence_boundary() -> None:
    summary = summarize(TITLE, PARAGRAPHS, budget=300)
    sentences = {s for p in PARAGRAPHS for s in split_sentences(p)}
    for sentence in split_sentences(summary):
        assert any(sentence in s or s.startswith(sentence) for s in sentences), sentence
    assert summary.endswith((".", "!", "?", "…", "”", '"'))


def test_one_sentence_too_long_is_cut_at_a_word_with_an_ellipsis() -> None:
    summary = summarize(TITLE, PARAGRAPHS, budget=45)
    assert summary.endswith("…") and len(summary) <= 45
    assert summary[:-1] == summary[:-1].rstrip()
    body = " ".join(PARAGRAPHS)
    assert summary[:-1] in body
    next_char = body[body.index(summary[:-1]) + len(summary) - 1]
    assert next_char in " ,"  # the cut fell between words


def test_no_dateline_byline_credit_or_pointer() -> None:
    summary = summarize(TITLE, PARAGRAPHS, budget=2000)
    for unwanted in ("Lamdongtv", "(", "Ảnh:", "Xem thêm", "Mạnh Thành", "chợ đêm"):
        if unwanted == "(":
            assert not summary.startswith("(")
        else:
            assert unwanted not in summary
    assert "1.250 tỷ đồng" in summary and "12,5 km" in summary
    assert summary != TITLE and not summary.startswith(TITLE)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("(Lamdongtv.vn) - Ủy ban tổ chức hội nghị", "Ủy ban tổ chức hội nghị."),
        ("(LĐTV) - Sáng nay, tỉnh họp.", "Sáng nay, tỉnh họp."),
        ("LTV - Sáng nay, tỉnh họp.", "Sáng nay, tỉnh họp."),
        ("VOV.VN - Chiều 5/6, Quốc hội biểu quyết.", "Chiều 5/6, Quốc hội biểu quyết."),
        ("TTO - Sáng 3/5, trường khai giảng.", "Sáng 3/5, trường khai giảng."),
        ("(Dân trí) - Bão số 9 đổ bộ.", "Bão số 9 đổ bộ."),
        ("Bão số 9 đổ bộ (Ảnh minh họa).", "Bão số 9 đổ bộ."),
        ("Bão số 9 đổ bộ. Ảnh: Mạnh Thành", "Bão số 9 đổ bộ."),
        ("Thứ bảy, 25/02/2023 - 08:54\nTTO - Bão số 9 đổ bộ.\nMạnh Thành", "Bão số 9 đổ bộ."),
        ("Ông Trần Văn Hiệp - Chủ tịch UBND tỉnh phát biểu.", None),
    ],
)
def test_clean_lead(raw: str, clean: str | None) -> None:
    assert clean_lead(raw) == (clean if clean is not None else raw)


def test_with_a_lead_adds_at_most_two_new_facts() -> None:
    lead = "TTO - Đà Lạt khởi công mở rộng đường vành đai phía Nam."
    summary = summarize(TITLE, PARAGRAPHS, lead=lead, budget=600)
    assert summary.startswith("Đà Lạt khởi công mở rộng đường vành đai phía Nam. ")
    facts = split_sentences(summary)[1:]
    assert 1 <= len(facts) <= 2
    assert any("1.250 tỷ" in f or "12/2025" in f for f in facts)


def test_with_a_lead_that_fills_the_budget_the_lead_is_all() -> None:
    lead = "Đà Lạt khởi công mở rộng đường vành đai phía Nam dài 12,5 km, vốn 1.250 tỷ đồng."
    summary = summarize(TITLE, PARAGRAPHS, lead=lead, budget=len(lead) + 20)
    assert summary == lead
    cut = summarize(TITLE, PARAGRAPHS, lead=lead, budget=40)
    assert cut.endswith("…") and len(cut) <= 40 and lead.startswith(cut[:-1])


def test_deterministic_and_empty_inputs() -> None:
    assert summarize(TITLE, PARAGRAPHS) == summarize(TITLE, PARAGRAPHS)
    assert summarize(TITLE, [], budget=200) == "Đà Lạt mở rộng đường vành đai phía Nam"
    assert summarize(TITLE, PARAGRAPHS, budget=0) == ""
    assert len(summarize("", ["Mạnh Thành"], budget=100)) <= 100


def test_seed_story(shared_dir: Path) -> None:
    expected = json.loads(
        (shared_dir / "seed" / "lamdongtv-dan-van.expected.json").read_text(encoding="utf-8")
    )
    title, body, lead = expected["title"], expected["body_paragraphs"], expected["lead"]
    for budget in (200, 600, 1024 - len(title) - 80, 2000):
        summary = summarize(title, body, lead=lead, budget=budget)
        assert len(summary) <= budget
        assert "Lamdongtv" not in summary and "Mạnh Thành" not in summary
        assert "/." not in summary
        assert summary.startswith("Ủy ban Nhân dân tỉnh và Ban dân vận Tỉnh ủy tổ chức Hội nghị")
    full = summarize(title, body, lead=lead, budget=600)
    assert len(split_sentences(full)) == 3  # the lead and two facts it lacks
    no_lead = summarize(title, body, budget=600)
    assert "Mạnh Thành" not in no_lead and no_lead != title
    for unwanted in expected["must_not_be_in_body"]:
        assert unwanted not in no_lead


@pytest.mark.parametrize(
    ("sentence", "speech"),
    [
        ("“Chúng tôi sẽ cấm xe máy trên phố Tràng Tiền”, ông Hùng nói.", True),
        ("Liệu Hà Nội có cấm xe máy trên phố Tràng Tiền từ tháng 5?", True),
        ('"Cấm xe máy là cần thiết", ông nói.', True),
        ("UBND TP Hà Nội quyết định cấm xe máy trên phố Tràng Tiền từ ngày 1/5.", False),
        ("Ông Hùng cho biết: “Sẽ cấm xe máy”.", False),  # reported, with a speaker
    ],
)
def test_quotes_and_questions_are_marked_as_speech(sentence: str, speech: bool) -> None:
    assert _is_speech(_prepare([sentence])[0]) == float(speech)


def test_the_lead_first_prior_decides_between_equals() -> None:
    same = "Hà Nội cấm xe máy trên phố Tràng Tiền từ ngày 1/5 để mở phố đi bộ cuối tuần."
    other = "Hà Nội cấm xe máy trên phố Tràng Tiền từ ngày 1/5 để mở phố đi bộ mỗi tối."
    summary = summarize("Hà Nội cấm xe máy phố Tràng Tiền", [same, other], budget=100)
    assert summary == same


def test_a_short_informative_sentence_beats_a_long_rambling_one() -> None:
    title = "Giá xăng giảm 500 đồng từ chiều nay"
    paragraphs = [
        "Trong bối cảnh thị trường thế giới có nhiều biến động khó lường và người dân cũng như "
        "doanh nghiệp đều mong chờ những tín hiệu tích cực từ cơ quan quản lý, liên Bộ đã họp "
        "nhiều lần để bàn về giá xăng trong kỳ điều hành này với nhiều phương án khác nhau.",
        "Từ 15h chiều nay, giá xăng RON 95 giảm 500 đồng mỗi lít.",
    ]
    summary = summarize(title, paragraphs, budget=200)
    assert summary == "Từ 15h chiều nay, giá xăng RON 95 giảm 500 đồng mỗi lít."


def test_eval_splits_are_disjoint_halves(shared_dir: Path) -> None:
    stories = list(read_stories(shared_dir / "vietnews" / "dev.jsonl", 20))
    even, odd = select(stories, "even"), select(stories, "odd")
    assert [s.id for s in even] == [s.id for s in stories[::2]]
    assert [s.id for s in odd] == [s.id for s in stories[1::2]]
    assert select(stories, "all") == stories


# Measured on these 300 stories: R1 +2.8, RL +1.9 over Lead-2 (on all 1,500 odd-indexed
# stories: +3.1 and +2.2); the floors leave room for small changes elsewhere.
R1_MARGIN = 0.02
RL_MARGIN = 0.015


def test_rouge_floor_and_speed_on_held_out_stories(shared_dir: Path) -> None:
    """Over Lead-2 on real stories the weights were not tuned on (odd-indexed), at
    Lead-2's length, and fast."""
    stories = select(list(read_stories(shared_dir / "vietnews" / "dev.jsonl", 600)), "odd")
    ours = [0.0, 0.0, 0.0]
    lead2 = [0.0, 0.0, 0.0]
    elapsed = 0.0
    length = 0
    for story in stories:
        paragraphs = paragraphs_of(story.body)
        started = time.perf_counter()
        summary = summarize(story.title, paragraphs, budget=350)
        elapsed += time.perf_counter() - started
        length += len(summary) - len(" ".join(story.body[:2]))
        for i, value in enumerate(rouge(summary, story.sapo)):
            ours[i] += value / len(stories)
        for i, value in enumerate(rouge(" ".join(story.body[:2]), story.sapo)):
            lead2[i] += value / len(stories)
    assert abs(length / len(stories)) < 40  # a similar length, not won by brevity
    assert ours[0] > lead2[0] + R1_MARGIN
    assert ours[2] > lead2[2] + RL_MARGIN
    assert ours[0] > 0.30
    assert elapsed / len(stories) < 0.010  # 5 ms budget, with room for a loaded CI box
