"""Body sentences as the summarizer reads them: content syllables, bigrams and figures."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Function syllables that say nothing about what a story is about.
# fmt: off
STOPWORDS = frozenset({
    "và", "của", "là", "có", "được", "các", "những", "trong", "cho", "với", "đã", "này",
    "không", "một", "để", "khi", "thì", "từ", "theo", "về", "tại", "ra", "đến", "cũng", "nhưng",
    "như", "sẽ", "nên", "vì", "đó", "bị", "do", "mà", "hay", "hoặc", "nhiều", "rất", "lại",
    "vào", "trên", "dưới", "sau", "trước", "đang", "vẫn", "còn", "nữa", "chỉ", "đều", "kia",
    "ấy", "nào", "gì", "ai", "đây", "thế", "vậy", "rằng", "nếu", "tuy", "nhiên", "ngoài",
    "cùng", "qua", "bằng", "lên", "xuống", "hơn", "nhất", "mới", "hiện", "việc", "điều",
    "người", "năm", "ngày", "tháng", "ông", "bà", "anh", "chị", "cô", "em", "họ", "chúng",
    "tôi", "ta", "mình", "thể", "cần", "phải", "làm", "biết", "nói", "số", "nay", "hôm",
    "khoảng", "gần",
})
# fmt: on


@dataclass(frozen=True)
class Sentence:
    """A body sentence with what scoring and redundancy checks need of it."""

    index: int
    text: str
    words: Counter[str]  # content syllables and syllable bigrams
    norm: float
    n_tokens: int
    facts: int
    tokens: tuple[str, ...] = ()  # every syllable, lowercased


def grams(tokens: list[str]) -> Counter[str]:
    """Content syllables and the bigrams that make Vietnamese words ("dân vận")."""
    lower = [t.lower() for t in tokens]
    counts = Counter(t for t in lower if t not in STOPWORDS)
    counts.update(
        f"{a} {b}" for a, b in itertools.pairwise(lower) if a not in STOPWORDS or b not in STOPWORDS
    )
    return counts


def _count_facts(tokens: list[str]) -> int:
    """Figures (counted twice) and name syllables: what a reader wants from a summary."""
    count = 0
    for i, token in enumerate(tokens):
        if token[0].isdigit():
            count += 2
        elif i > 0 and token[0].isupper():
            count += 1
    return count


def vector_norm(vector: Mapping[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


def cosine(a: Sentence, b: Sentence) -> float:
    """Cosine of two sentences' syllable and bigram counts."""
    x, y = (a.words, b.words) if len(a.words) <= len(b.words) else (b.words, a.words)
    dot = sum(v * y[k] for k, v in x.items() if k in y)
    return dot / (a.norm * b.norm) if dot else 0.0


# `syllables` without its `normalize`: body sentences are normalized once, on the way in.
_TOKEN = re.compile(r"\d+(?:[.,/:]\d+)+|[^\W_]+")


def prepare(sentences: Sequence[str]) -> list[Sentence]:
    """Sentences as `story_sentences`, `split_sentences` or `clean_lead` give them
    (normalized)."""
    prepared = []
    for i, text in enumerate(sentences):
        tokens = _TOKEN.findall(text)
        words = grams(tokens)
        prepared.append(
            Sentence(
                i,
                text,
                words,
                vector_norm(words),
                len(tokens),
                _count_facts(tokens),
                tuple(t.lower() for t in tokens),
            )
        )
    return prepared
