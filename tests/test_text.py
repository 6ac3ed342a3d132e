"""Vietnamese text tools: normalization, folding, sentences, syllables."""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.core.text import collapse_spaces, fold, normalize, split_sentences, syllables


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("ma tuý", "ma túy"),
        ("HOÀ", "HÒA"),
    ],
)
def test_normalize_moves_old_style_tone_marks(old: str, new: str) -> None:
    assert normalize(old) == new


@pytest.mark.parametrize("word", ["quý", "hoàng", "khuỷu", "thuyền", "hòa"])
def test_normalize_leaves_other_words_alone(word: str) -> None:
    assert normalize(word) == word


def test_normalize_composes_decomposed_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Đà Lạt mộng mơ")
    assert decomposed != "Đà Lạt mộng mơ"
    assert normalize(decomposed) == "Đà Lạt mộng mơ"


def test_fold_strips_marks_and_maps_d() -> None:
    assert fold("Đà Lạt") == "da lat"
    assert fold("đường") == "duong"
    assert fold(normalize("hoà")) == fold("hòa") == "hoa"
    assert fold(normalize("thuỷ")) == fold("thủy") == "thuy"


def slow_fold(text: str) -> str:
    """The definition `fold` must keep: đ→d, lowercase, NFD, combining marks dropped."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_fold_agrees_with_the_slow_reference() -> None:
    text = normalize("ĐÀ LẠT, Thuỷ điện Hoà Bình; Ặ ặ Ữ ữ Ỵ ỵ ơ Ơ ư Ư â Â ê Ê ô Ô ñ ç Straße")
    assert fold(text) == slow_fold(text)
    decomposed = unicodedata.normalize("NFD", text)
    assert fold(decomposed) == slow_fold(decomposed) == fold(text)


def test_fold_agrees_with_the_slow_reference_on_vietnews(shared_dir: Path) -> None:
    with (shared_dir / "vietnews" / "dev.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            for text in (row["title"], row["sapo"], "\n".join(row["body_sents"])):
                assert fold(text) == slow_fold(text), text[:80]
                assert fold(normalize(text)) == slow_fold(normalize(text)), text[:80]


def test_fold_agrees_with_the_slow_reference_on_any_unicode() -> None:
    # Every code point once (outside the prefilled table: the fallback), then random
    # strings where context matters: final sigma, marks on marks, "İ", decomposed đ-less text.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert fold(every) == slow_fold(every)
    rng = random.Random(4)
    tricky = "aĐđΣσ\u0301\u0323\u0309 ÀẠộİẞǅﬁ가"
    for _ in range(2000):
        text = "".join(
            chr(rng.randrange(sys.maxunicode + 1)) if rng.random() < 0.3 else rng.choice(tricky)
            for _ in range(rng.randrange(1, 40))
        )
        assert fold(text) == slow_fold(text), ascii(text)


def test_collapse_spaces() -> None:
    assert collapse_spaces("  Chủ \u00a0 tịch\n\tUBND ") == "Chủ tịch UBND"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # titles and administrative abbreviations
        (
            "Sáng 3/5, tại TP. Đà Lạt, ông Học làm việc. Hai bên thống nhất.",
            ["Sáng 3/5, tại TP. Đà Lạt, ông Học làm việc.", "Hai bên thống nhất."],
        ),
        (
            "PGS.TS. Nguyễn Văn Huy đề nghị. TS. Lê Hà và ThS. Mai đồng ý. GS. Vũ cũng vậy.",
            [
                "PGS.TS. Nguyễn Văn Huy đề nghị.",
                "TS. Lê Hà và ThS. Mai đồng ý.",
                "GS. Vũ cũng vậy.",
            ],
        ),
        (
            "Vụ việc xảy ra tại Q. 3, P. Bến Nghé. UBND Q. Bình Thạnh đã vào cuộc.",
            ["Vụ việc xảy ra tại Q. 3, P. Bến Nghé.", "UBND Q. Bình Thạnh đã vào cuộc."],
        ),
        # initials of withheld names
        (
            "Ông Bảo Th. cho biết đã về. Nạn nhân là chị Nguyễn Thị Th. (32 tuổi).",
            ["Ông Bảo Th. cho biết đã về.", "Nạn nhân là chị Nguyễn Thị Th. (32 tuổi)."],
        ),
        (
            "Nghi can là Nguyễn Tấn T. Sau đó T. bỏ trốn.",
            ["Nghi can là Nguyễn Tấn T.", "Sau đó T. bỏ trốn."],
        ),
        ("Cháu L.H. L. là con duy nhất.", ["Cháu L.H. L. là con duy nhất."]),
        ("Nghi can Đ. Th. (36 tuổi) bị bắt.", ["Nghi can Đ. Th. (36 tuổi) bị bắt."]),
        (
            "Bắt ông Phùng Văn Q. Ngoài ra còn xã X. Hết.",
            ["Bắt ông Phùng Văn Q.", "Ngoài ra còn xã X.", "Hết."],
        ),
        # syllables that look short are still sentence ends
        (
            "Hỏa hoạn ở Hội An. Khoảng 15h, lửa bùng lên.",
            ["Hỏa hoạn ở Hội An.", "Khoảng 15h, lửa bùng lên."],
        ),
        # foreign middle initials
        (
            "Ông Donald J. Trump và Eliot L. Engel gặp nhau. Họ bàn về Iran.",
            ["Ông Donald J. Trump và Eliot L. Engel gặp nhau.", "Họ bàn về Iran."],
        ),
        # figures: decimal commas, thousands dots, ratios, dates
        (
            "Tỷ lệ đạt 98,66%. Vốn 17.200 tỷ đồng. 142/142 xã đạt chuẩn ngày 25/02/2023 và 3/5.",
            [
                "Tỷ lệ đạt 98,66%.",
                "Vốn 17.200 tỷ đồng.",
                "142/142 xã đạt chuẩn ngày 25/02/2023 và 3/5.",
            ],
        ),
        # quotes stay whole, ellipses end a sentence only before a capital
        (
            "Ông nói: “Tôi rất vui. Chúng tôi sẽ cố gắng”. Sau đó ông về.",
            ["Ông nói: “Tôi rất vui. Chúng tôi sẽ cố gắng”.", "Sau đó ông về."],
        ),
        (
            '" Tôi rất vui. Chúng tôi sẽ cố gắng ", ông nói. Rồi ông về.',
            ['" Tôi rất vui. Chúng tôi sẽ cố gắng ", ông nói.', "Rồi ông về."],
        ),
        (
            "Anh hỏi: “Ai đến?” Không ai trả lời.",
            ["Anh hỏi: “Ai đến?”", "Không ai trả lời."],
        ),
        (
            "Giảm nghèo, bảo vệ rừng… và nhiều việc khác. Mọi người đi... Rồi về.",
            ["Giảm nghèo, bảo vệ rừng… và nhiều việc khác.", "Mọi người đi...", "Rồi về."],
        ),
        # numbered items, line breaks, old-style tone marks
        ("1. Nội dung chính. 2. Kết luận.", ["1. Nội dung chính.", "2. Kết luận."]),
        ("Khen thưởng 5 tập thể./.\nMạnh Thành", ["Khen thưởng 5 tập thể./.", "Mạnh Thành"]),
        ("Hoà  bình.   Thuỷ điện.", ["Hòa bình.", "Thủy điện."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_sentences_keeps_ubnd_and_titles_in_one_sentence() -> None:
    text = (
        "Chủ trì có ông Trần Văn Hiệp - Phó Bí thư Tỉnh ủy - Chủ tịch UBND tỉnh; bà Phạm Thị "
        "Phúc, Ủy viên BTV. Hội nghị có 13 điểm cầu."
    )
    assert len(split_sentences(text)) == 2


def test_split_sentences_on_empty_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n \n") == []


def test_syllables_keep_figures_whole_and_drop_punctuation() -> None:
    assert syllables("Tỷ lệ đạt 98,66%, vốn 17.200 tỷ (25/02/2023).") == [
        "Tỷ",
        "lệ",
        "đạt",
        "98,66",
        "vốn",
        "17.200",
        "tỷ",
        "25/02/2023",
    ]
    assert syllables("UBND TP. HCM – COVID-19") == ["UBND", "TP", "HCM", "COVID", "19"]
    assert syllables("hoà") == ["hòa"]
