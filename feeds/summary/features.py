"""What the sentence scorer reads: one row of features per body sentence, in [0, 1].

The same code computes the rows at run time and in `bench/train_summary.py`, so the
shipped weights always meet the features they were trained on. Each feature is one reason
a sentence belongs in the lead an editor would write (or does not).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

from bot.core.text import syllables
from feeds.summary.clean import starts_inside_clause
from feeds.summary.lexicon import LeadRates, expected_f1, keep_chances
from feeds.summary.sentences import Sentence, cosine, grams, vector_norm

_BASE = (
    "pos0",  # the first sentence
    "pos1",
    "pos2",
    "pos3",
    "pos4_6",
    "pos7_12",
    "lead_prior",  # 0.6 ** index: the lead-first prior of the hand-tuned scorer
    "relpos",  # index / (n - 1): how far into the story
    "central",  # TF-IDF cosine with the story's centroid
    "first_like",  # cosine with the first sentence (0 for the first itself)
    "title_words",  # share of the title's content syllables the sentence has
    "title_bigrams",  # share of the title's syllable bigrams
    "title_share",  # share of the sentence's content syllables that are in the title
    "facts",  # figures (twice) and names, saturating at six
    "figures",  # share of syllables that are figures
    "speech",  # a quotation or a question
    "quoted",  # has quotation marks inside
    "reported",  # "cho biết", "nói": someone's account
    "wordy",  # length in syllables, saturating at 80
    "short",  # fewer than 8 syllables: captions, fragments
    "long",  # more than 50 syllables: run-ons
    "time_open",  # opens on when it happened: "Sáng 3/5,", "Ngày 10-4,"
    "outcome",  # what happened: deaths, arrests, fines, decisions
    "background",  # what came before: "trước đó", "năm ngoái", "theo thống kê"
    "inside_clause",  # opens on a bracket, a lowercase word or a conjunction
    "colon_end",  # ends on a colon: introduces a list it does not hold
    "few_sentences",  # the story has five sentences or fewer
    # Weighted by how rare a syllable is across VietNews bodies (IDF from training, shipped
    # with the weights), so "của" counts for nothing and a name for much.
    "idf_mean",  # mean rarity of the sentence's content syllables
    "idf_title",  # IDF-weighted share of the title's content syllables
    "idf_top",  # IDF-weighted share of the story's ten heaviest syllables
    "idf_central",  # cosine with the story's centroid, weighted by corpus IDF
    # How often each syllable found in a training story's body is also in its lead
    # (`LeadRates`, learned from the training stories and shipped with the weights): a
    # sentence made of syllables leads tend to keep is more of what a lead says.
    "lead_mean",  # mean rate over every syllable of the sentence
    "lead_content",  # mean rate over its distinct content syllables
    "lead_sum",  # summed rate over its content syllables, saturating at 20
    # From `keep_chances`: each syllable's chance of being in this story's lead, and what
    # ROUGE-1 would make of the sentence if those chances held.
    "expect_precision",  # mean chance over the sentence's syllables
    "expect_overlap",  # summed chance over its distinct syllables / 30, saturating
    "expect_f1",  # 2 × expected overlap / (its syllables + the lead's expected syllables)
)
# Products of two graded features, so a linear model can weigh one reason by another
# (centrality counts for more near the top, title words for more in a short sentence).
_GRADED = (
    "central",
    "first_like",
    "title_words",
    "title_bigrams",
    "title_share",
    "facts",
    "wordy",
    "lead_prior",
    "relpos",
    "figures",
    "idf_mean",
    "idf_title",
    "idf_top",
    "idf_central",
    "lead_mean",
    "lead_content",
    "lead_sum",
    "expect_precision",
    "expect_overlap",
    "expect_f1",
)
_PAIRS = tuple((_BASE.index(a), _BASE.index(b)) for i, a in enumerate(_GRADED) for b in _GRADED[i:])
FEATURES: tuple[str, ...] = (
    *_BASE,
    *(f"{a}*{b}" for i, a in enumerate(_GRADED) for b in _GRADED[i:]),
)

_SPEECH_START = re.compile(r"^[“\"'‘«]")
_QUOTE_MARKS = re.compile(r"[“”\"«»]")
_REPORTED = re.compile(
    r"\b(?:cho biết|cho hay|nói|khẳng định|chia sẻ|nhấn mạnh|phát biểu|thông tin|bày tỏ|kể)\b"
)
_TIME_OPEN = re.compile(
    r"^(?:(?:Sáng|Trưa|Chiều|Tối|Đêm|Rạng sáng|Khuya|Ngày|Hôm|Từ|Đầu|Cuối|Giữa)\b[^,]{0,24}"
    r"\d|(?:Sáng|Trưa|Chiều|Tối|Đêm)\s+(?:nay|qua|mai)\b)"
)
_OUTCOME = re.compile(
    r"\b(?:tử vong|thiệt mạng|chết|bị thương|thương vong|thiệt hại|mất tích|khởi tố|bắt giữ"
    r"|bắt giam|tạm giữ|tạm giam|truy nã|xử phạt|phạt tiền|tuyên án|án tù|kỷ luật|đình chỉ"
    r"|cách chức|bãi nhiệm|thu giữ|phát hiện|quyết định|thông qua|phê duyệt|khánh thành"
    r"|khởi công|ký kết|công bố|giành|vô địch|chiến thắng|thắng|thua|tăng|giảm|đạt)\b"
)
_BACKGROUND = re.compile(
    r"\b(?:trước đó|trước đây|năm ngoái|năm trước|từng|như đã đưa tin|như .{0,12}đã đưa tin"
    r"|theo thống kê|được biết|được thành lập|lịch sử|trước khi)\b"
)


def is_speech(sentence: Sentence) -> float:
    """A quotation or a question: someone's words, not the story's facts."""
    text = sentence.text
    return 1.0 if _SPEECH_START.match(text) or text.rstrip("”\"'’»)").endswith("?") else 0.0


def _position(index: int) -> tuple[float, ...]:
    return (
        float(index == 0),
        float(index == 1),
        float(index == 2),
        float(index == 3),
        float(4 <= index <= 6),
        float(7 <= index <= 12),
        0.6**index,
    )


def rows(
    title: str,
    sentences: list[Sentence],
    idf: Mapping[str, float] | None = None,
    lead_rates: LeadRates | None = None,
    chances: Mapping[str, float] | None = None,
) -> list[list[float]]:
    """One row of `FEATURES` per sentence; `idf` maps syllables to their rarity in [0, 1]
    (unknown syllables count as 1); without `lead_rates` every syllable's rate is 0.
    `chances`: `keep_chances` of the same story, when the caller has them already."""
    idf = idf or {}
    lead_rates = lead_rates or LeadRates({}, 0.0)
    if chances is None:
        chances = keep_chances(title, sentences, idf, lead_rates)
    out = _base_rows(title, sentences, idf, lead_rates, chances)
    for row in out:
        row.extend([row[a] * row[b] for a, b in _PAIRS])
    return out


def _base_rows(
    title: str,
    sentences: list[Sentence],
    corpus_idf: Mapping[str, float],
    lead_rates: LeadRates,
    chance: Mapping[str, float],
) -> list[list[float]]:
    df: Counter[str] = Counter()
    for s in sentences:
        df.update(s.words.keys())
    n = len(sentences)
    idf = {k: math.log((n + 1) / c) + 1.0 for k, c in df.items()}
    centroid: dict[str, float] = {}
    for s in sentences:
        for k, v in s.words.items():
            centroid[k] = centroid.get(k, 0.0) + v * idf[k]
    centroid_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    title_grams = grams(syllables(title))
    title_words = {k for k in title_grams if " " not in k}
    title_bigrams = {k for k in title_grams if " " in k}
    few = float(n <= 5)
    rarity = {k: corpus_idf.get(k, 1.0) for k in df if " " not in k}
    title_rare = sum(corpus_idf.get(k, 1.0) for k in title_words) or 1.0
    heavy: dict[str, float] = {}
    for s in sentences:
        for k, v in s.words.items():
            if " " not in k:
                heavy[k] = heavy.get(k, 0.0) + v * rarity[k]
    top = sorted(heavy.items(), key=lambda t: -t[1])[:10]
    top_total = sum(v for _, v in top) or 1.0
    top_weight = dict(top)
    heavy_norm = vector_norm(heavy) or 1.0
    expected = sum(chance.values())
    out = []
    for s in sentences:
        dot = norm = 0.0
        for k, v in s.words.items():
            weighted = v * idf[k]
            norm += weighted * weighted
            dot += weighted * centroid[k]
        central = dot / (math.sqrt(norm) * centroid_norm) if dot else 0.0
        keys = s.words.keys()
        unigrams = [k for k in keys if " " not in k]
        text = s.text
        lower = text.lower()
        figures = sum(1 for k in unigrams if k[0].isdigit())
        rare = [rarity[k] for k in unigrams]
        weighted_words = {k: v * rarity[k] for k, v in s.words.items() if " " not in k}
        weighted_norm = vector_norm(weighted_words)
        idf_dot = sum(v * heavy[k] for k, v in weighted_words.items())
        rate, other = lead_rates.rates, lead_rates.other
        every = [rate.get(t, other) for t in s.tokens]
        content = [rate.get(k, other) for k in unigrams]
        kept = [chance[t] for t in s.tokens]
        overlap = sum(chance[t] for t in set(s.tokens))
        out.append(
            [
                *_position(s.index),
                s.index / (n - 1) if n > 1 else 0.0,
                central,
                cosine(s, sentences[0]) if s.index else 0.0,
                len(title_words & keys) / len(title_words) if title_words else 0.0,
                len(title_bigrams & keys) / len(title_bigrams) if title_bigrams else 0.0,
                sum(1 for k in unigrams if k in title_words) / len(unigrams) if unigrams else 0.0,
                min(s.facts / 6.0, 1.0),
                min(figures / max(s.n_tokens, 1) * 5, 1.0),
                is_speech(s),
                1.0 if _QUOTE_MARKS.search(text) else 0.0,
                1.0 if _REPORTED.search(lower) else 0.0,
                min(s.n_tokens / 80, 1.0),
                float(s.n_tokens < 8),
                float(s.n_tokens > 50),
                1.0 if _TIME_OPEN.match(text) else 0.0,
                1.0 if _OUTCOME.search(lower) else 0.0,
                1.0 if _BACKGROUND.search(lower) else 0.0,
                float(starts_inside_clause(text)),
                float(text.endswith(":")),
                few,
                sum(rare) / len(rare) if rare else 0.0,
                sum(corpus_idf.get(k, 1.0) for k in title_words & keys) / title_rare,
                sum(top_weight.get(k, 0.0) for k in unigrams) / top_total,
                idf_dot / (weighted_norm * heavy_norm) if idf_dot else 0.0,
                sum(every) / len(every) if every else 0.0,
                sum(content) / len(content) if content else 0.0,
                min(sum(content) / 20, 1.0),
                sum(kept) / len(kept) if kept else 0.0,
                min(overlap / 30, 1.0),
                2 * overlap / (len(kept) + expected) if kept else 0.0,
            ]
        )
    return out


# --- whether a second sentence earns its place ------------------------------------------

_EXTEND_SECOND = (
    "central",
    "title_words",
    "title_bigrams",
    "facts",
    "speech",
    "short",
    "time_open",
    "first_like",
)
_EXTEND_FIRST = ("central", "title_words", "title_bigrams")
_EXTEND_SECOND_AT = tuple(_BASE.index(name) for name in _EXTEND_SECOND)
_EXTEND_FIRST_AT = tuple(_BASE.index(name) for name in _EXTEND_FIRST)

# What decides whether adding the next pick raises the summary's overlap with a lead an
# editor would write: how long the first pick already is, how the two score, how alike
# they are and what the second one says. ROUGE F1 falls when a summary runs long, so a
# long first pick seldom wants company.
EXTEND_FEATURES: tuple[str, ...] = (
    "first_chars",  # characters of the first pick / 200
    "second_chars",
    "both_chars",  # the two together / 400
    "first_chars_sq",
    "first_score",
    "second_score",
    "score_gap",  # second less first
    "score_ratio",
    "alike",  # cosine of the two
    "second_before",  # the second comes earlier in the story
    "sentences",  # sentences in the story / 40, saturating
    "second_relpos",
    "first_relpos",
    *(f"second_{name}" for name in _EXTEND_SECOND),
    *(f"first_{name}" for name in _EXTEND_FIRST),
    # ROUGE-1 F1 the summary would have if `keep_chances` held: of the first pick alone,
    # of the two together, and what the second adds.
    "expect_first",
    "expect_both",
    "expect_gain",
)


def extend_row(
    first: Sentence,
    second: Sentence,
    scores: tuple[float, float],
    rows: tuple[list[float], list[float]],
    n: int,
    chances: Mapping[str, float],
) -> list[float]:
    """One row of `EXTEND_FEATURES` for adding `second` to a summary of `first`."""
    a, b = len(first.text) / 200, len(second.text) / 200
    score_a, score_b = scores
    last = max(n - 1, 1)
    alone, both = expected_f1([first], chances), expected_f1([first, second], chances)
    return [
        a,
        b,
        (a + b) / 2,
        a * a,
        score_a,
        score_b,
        score_b - score_a,
        score_b / max(score_a, 1e-3),
        cosine(first, second),
        float(second.index < first.index),
        min(n / 40, 1.0),
        second.index / last,
        first.index / last,
        *(rows[1][i] for i in _EXTEND_SECOND_AT),
        *(rows[0][i] for i in _EXTEND_FIRST_AT),
        alone,
        both,
        both - alone,
    ]
