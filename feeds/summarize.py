"""Vietnamese extractive summaries: the story's own words, within a character budget.

Pure and deterministic, so the same story always gets the same summary, offline and in a
few milliseconds. Sentences are scored on what an editor looks for in a lead: position
(Vietnamese news puts the key facts first), centrality (how much of the story a sentence
speaks for), the title's words, figures and names; redundancy is held back while picking,
and the picked sentences are read back in story order.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text import collapse_spaces, normalize, split_sentences, syllables

ELLIPSIS = "…"

# --- cleaning --------------------------------------------------------------------------

# "(Lamdongtv.vn) -", "(LĐTV) -", "(Dân trí) -", "(NLĐO)-", "(Chinhphu.vn) –"
_DATELINE_PAREN = re.compile(r"^\s*\([^()]{2,40}\)\s*[-–—:]+\s*")
# "LTV -", "TTO -", "VOV.VN -", "VTV.vn -", "Vietnamplus.vn -", "TP.HCM -", "HÀ NỘI -":
# an outlet or place in capitals or a domain, then a dash.
_DATELINE_BARE = re.compile(
    r"^\s*(?:[A-ZĐ][A-ZĐ0-9.&]{1,14}(?:\s[A-ZĐÀ-Ỹ]{2,8}){0,2}"
    r"|[A-ZĐ]?[\w-]{2,30}\.(?:vn|VN|com|net|org))\s*[-–—]+\s+"
)
# A line that is only the page's date stamp: "Thứ bảy, 25/02/2023 - 08:54".
_DATE_LINE = re.compile(
    r"^\s*(?:(?:Thứ\s+\w+|Chủ\s+nhật)\s*,?\s*)?\d{1,2}[/-]\d{1,2}[/-]\d{2,4}"
    r"(?:\s*[-–,]?\s*\d{1,2}[:h]\d{2}(?:\s*(?:\(?GMT[+-]\d+\)?|AM|PM))?)?\s*$",
    re.IGNORECASE,
)
# Credits and pointers that are not the story: "Ảnh: PV", "(Ảnh minh họa)", "Nguồn: TTXVN".
_INLINE_CREDIT = re.compile(
    r"\s*[(\[]\s*(?:[Ảả]nh|[Nn]guồn|[Vv]ideo|[Cc]lip|[Đđ]ồ\s+họa)(?:\s*minh\s+họa)?"
    r"(?:\s*[:.-][^()\[\]]{0,60})?\s*[)\]]"
    r"|\s*(?<![\w])(?:[Ảả]nh|[Đđ]ồ\s+họa|[Vv]ideo|[Cc]lip)(?:\s*,\s*\w+)?\s*:\s*"
    r"(?:[A-ZĐ][\w.]*\.?\s?){1,5}(?:\s*[-–/]\s*(?:[A-ZĐ][\w.]*\s?){1,4})?\s*$"
)
# Paragraphs that point elsewhere or credit someone: dropped whole.
_NOT_STORY = re.compile(
    r"^\s*[*•>+-]?\s*(?:xem\s+thêm|đọc\s+thêm|tin\s+liên\s+quan|xem\s+video|xem\s+clip|bài\s+liên\s+quan"
    r"|nguồn\s*:|ảnh\s*:|video\s*:|clip\s*:|tin\s*,?\s*ảnh\s*:|bài\s*(?:và|,)\s*ảnh\s*:"
    r"|\(?\s*theo\s+(?:[^\s.]+\s*){1,6}\)?\s*\.?\s*$|\(?\s*ảnh\s+minh\s+họa\s*\)?\s*\.?\s*$)",
    re.IGNORECASE,
)
# "(còn nữa)", "(còn tiếp)", "(hết)": series markers, not story.
_SERIES_MARK = re.compile(r"\s*\((?:còn\s+nữa|còn\s+tiếp|hết|kỳ\s+sau[^)]{0,40})\)", re.IGNORECASE)
# A pointer to other stories runs to the end of its line: "… * Xem thêm: TP HCM sau 40 năm".
_POINTER_TAIL = re.compile(r"\s*[*•>]?\s*(?:xem|đọc)\s+thêm\s*:.*$", re.IGNORECASE)
# A caption glued to the next sentence: "Khẩu súng thu giữ - Ảnh: CAKHChiều 17-11, ...".
_GLUED_CAPTION = re.compile(
    r"^.{0,240}?\s[-–]\s*(?:Ảnh|Clip|Video)\s*:\s*[A-ZĐ][A-ZĐ.]+(?:\s+|(?=[A-ZĐ][a-zà-ỹ]))"
)
_BYLINE_JOINERS = frozenset({"theo", "và", "-", "–", "&", "+", "/", "dịch", "lược"})
_BYLINE_TAILS = frozenset({"tổng hợp", "lược dịch", "biên dịch", "thực hiện", "ghi chép"})


def _is_byline(sentence: str) -> bool:
    """A name on its own: "Mạnh Thành", "Huyền Lê (Theo SCMP)", "Theo Vietnam +", "Nhóm PV".

    No end mark, a handful of words, each a capitalized name part or a joiner.
    """
    text = sentence.strip()
    if _NOT_STORY.match(text):
        return True
    ends_sentence = text.endswith((".", "!", "?", "…", ":", ";", '"', "”"))
    ends_initial = len(text) > 1 and text[-2].isupper() and text.endswith(".")  # "Duy T."
    if ends_sentence and not ends_initial and not text.endswith("./."):
        return False
    words = [w for w in re.split(r"[\s()\[\]]+", text.rstrip("./")) if w]
    if not words or len(words) > 8:
        return False
    lowered = [w.lower() for w in words]
    if "theo" in lowered:  # the source after "Theo" may be any name: "Times of India"
        source = len(words) - lowered.index("theo") - 1
        words = words[: lowered.index("theo")]
        if not 0 < source <= 6:
            return False
        if not words:
            return True
    names = [w for w in words if w.lower() not in _BYLINE_JOINERS]
    if len(names) > 1 and " ".join(names[-2:]).lower() in _BYLINE_TAILS:
        names = names[:-2]  # "Phong Linh (tổng hợp)"
    if not names or not all(w[:1].isupper() or w[:1].isdigit() for w in names):
        return False
    return len(names) <= 5


def _strip_dateline(text: str) -> str:
    for pattern in (_DATELINE_PAREN, _DATELINE_BARE):
        stripped = pattern.sub("", text, count=1)
        if stripped != text:
            return stripped
    return text


def clean_lead(text: str) -> str:
    """The story's lead as a reader should get it: no dateline, byline or credit.

    Newsrooms open the sapo with their mark ("(Lamdongtv.vn) -", "TTO -") and hang credits
    on it ("Ảnh: PV", "(Ảnh minh họa)"); none of that belongs in a summary.
    """
    lines = []
    for line in normalize(text).splitlines():
        line = collapse_spaces(line)
        if not line or _DATE_LINE.match(line) or _NOT_STORY.match(line):
            continue
        line = collapse_spaces(_INLINE_CREDIT.sub("", _strip_dateline(line)))
        if line and not _is_byline(line):
            lines.append(line)
    return _tidy(" ".join(lines))


# Connectives that tie a sentence to the one before it; lifted out, they dangle.
_CONNECTIVE = re.compile(
    r"^(?:Tuy nhiên|Ngoài ra|Bên cạnh đó|Đồng thời|Mặt khác|Hơn nữa"
    r"|Thêm vào đó|Cụ thể|Được biết),\s+(?=\S)"
)


def _drop_connective(sentence: str) -> str:
    stripped = _CONNECTIVE.sub("", sentence, count=1)
    if stripped == sentence or not stripped[:1].isalpha():
        return sentence
    return stripped[0].upper() + stripped[1:]


def _tidy(text: str) -> str:
    """Official end marks ("./.") and stray separators are not for readers; a sentence the
    page left open (a lead, a last line) gets its full stop, so summaries read as prose."""
    text = re.sub(r"\s*\./\.\s*$", ".", text)
    text = re.sub(r"\s*/\.\s*$", ".", text)
    text = text.strip(" -–—,;")
    if text and text[-1].isalnum():
        text += "."
    return text


def _story_sentences(paragraphs: Sequence[str]) -> list[str]:
    """Body sentences without datelines, credits, bylines or pointers."""
    out: list[str] = []
    for paragraph in paragraphs:
        for line in normalize(paragraph).splitlines():
            line = collapse_spaces(line)
            if not line or _DATE_LINE.match(line) or _NOT_STORY.match(line):
                continue
            line = _POINTER_TAIL.sub("", _SERIES_MARK.sub("", _strip_dateline(line)))
            for sentence in split_sentences(line):
                sentence = _GLUED_CAPTION.sub("", sentence)
                sentence = collapse_spaces(_INLINE_CREDIT.sub("", sentence))
                if sentence and not _is_byline(sentence) and not _NOT_STORY.match(sentence):
                    out.append(_tidy(_drop_connective(sentence)))
    return out


# --- scoring ---------------------------------------------------------------------------

# Function syllables that say nothing about what a story is about.
# fmt: off
_STOPWORDS = frozenset({
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
class _Sentence:
    index: int
    text: str
    words: Counter[str]
    n_tokens: int
    facts: int


def _features(tokens: list[str]) -> Counter[str]:
    """Content syllables and the bigrams that make Vietnamese words ("dân vận")."""
    lower = [t.lower() for t in tokens]
    grams = Counter(t for t in lower if t not in _STOPWORDS)
    grams.update(
        f"{a} {b}"
        for a, b in itertools.pairwise(lower)
        if a not in _STOPWORDS or b not in _STOPWORDS
    )
    return grams


def _facts(tokens: list[str]) -> int:
    """Figures (counted twice) and name syllables: what a reader wants from a summary."""
    count = 0
    for i, token in enumerate(tokens):
        if token[0].isdigit():
            count += 2
        elif i > 0 and token[0].isupper():
            count += 1
    return count


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    if not dot:
        return 0.0
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb)


def _prepare(sentences: Sequence[str]) -> list[_Sentence]:
    prepared = []
    for i, text in enumerate(sentences):
        tokens = syllables(text)
        prepared.append(_Sentence(i, text, _features(tokens), len(tokens), _facts(tokens)))
    return prepared


# Weights of the sentence score: a linear fit of each sentence's ROUGE-1 against the
# human lead on the first half of VietNews dev, rounded and then checked on the second
# half through the whole pipeline (bench/summary_eval.py). Centrality weighs most; the
# title's words next; position adds a little for the first few sentences. A sentence
# worth less than `fill` times the first pick is not added just because there is room.
_W = {
    "central": 2.0,
    "title": 2.0,
    "title_words": 1.15,
    "short": 0.25,
    "long": 0.15,
    "caption": 0.2,
    "redundancy": 1.5,
    "fill": 0.4,
    "max_overlap": 0.6,
}
# With a lead, the body is read for what the lead lacks: figures and names weigh more.
_LEAD_FACTS = 3.0
_POSITION = (0.35, 0.22, 0.24, 0.13, 0.05, 0.05, 0.05)


def _scores(title: str, sentences: list[_Sentence], facts: float = 0.0) -> list[float]:
    """One score per sentence; higher is more lead-like. `facts` weighs figures and names,
    which is what a lead's reader still lacks."""
    w = _W
    centroid: Counter[str] = Counter()
    for s in sentences:
        centroid.update({k: 1 for k in s.words})  # in how many sentences a word appears
    title_words = _features(syllables(title))
    title_total = sum(title_words.values()) or 1
    title_unigrams = {k for k in title_words if " " not in k}
    scores = []
    for s in sentences:
        title_cover = sum(min(v, s.words[k]) for k, v in title_words.items()) / title_total
        title_share = len(title_unigrams & s.words.keys()) / (len(title_unigrams) or 1)
        score = (
            (_POSITION[s.index] if s.index < len(_POSITION) else 0.0)
            + w["central"] * _cosine(s.words, centroid)
            + w["title"] * title_cover
            + w["title_words"] * title_share
        )
        score += facts * min(s.facts / 6.0, 1.0)
        if s.n_tokens < 8:
            score -= w["short"]  # captions and fragments
        elif s.n_tokens > 50:
            score -= w["long"]
        if s.index == 0 and s.n_tokens < 16:
            score -= w["caption"]  # a photo caption often opens the body
        scores.append(score)
    return scores


# --- fitting ---------------------------------------------------------------------------


def _cut_at_word(text: str, budget: int) -> str:
    """The longest run of whole words that fits with an ellipsis; never half a word."""
    if len(text) <= budget:
        return text
    if budget <= len(ELLIPSIS):
        return ""
    room = text[: budget - len(ELLIPSIS) + 1]
    cut = room.rsplit(" ", 1)[0] if " " in room else ""
    cut = cut.rstrip(" ,;:-–—(“\"'")
    return f"{cut}{ELLIPSIS}" if cut else ""


def _pick(
    candidates: list[_Sentence],
    scores: list[float],
    budget: int,
    used: int,
    limit: int,
    chosen: list[_Sentence],
    max_overlap: float,
) -> list[_Sentence]:
    """Greedy choice by score less redundancy with what is already said."""
    picked: list[_Sentence] = []
    first_value = 0.0
    remaining = sorted(candidates, key=lambda s: (-scores[s.index], s.index))
    while remaining and len(picked) < limit:
        best: _Sentence | None = None
        best_value = -math.inf
        for s in remaining:
            cost = len(s.text) + (1 if used else 0)
            if used + cost > budget:
                continue
            overlap = max((_cosine(s.words, c.words) for c in chosen + picked), default=0.0)
            value = scores[s.index] - _W["redundancy"] * overlap
            if value > best_value:
                best, best_value = s, value
        if best is None or (picked and best_value < _W["fill"] * first_value):
            break
        if not picked:
            first_value = best_value
        if picked or chosen:
            overlap = max(_cosine(best.words, c.words) for c in chosen + picked)
            if overlap > max_overlap:
                remaining.remove(best)
                continue
        picked.append(best)
        used += len(best.text) + (1 if used else 0)
        remaining.remove(best)
    return picked


def summarize(
    title: str, paragraphs: Sequence[str], *, lead: str | None = None, budget: int = 600
) -> str:
    """A summary of at most `budget` characters, ending on a sentence boundary.

    With a lead (sapo), the summary is that lead, cleaned, plus at most two key facts from
    the body that the lead does not already say. Without one, the best-scoring body
    sentences are read back in story order. If not even one sentence fits, the best one is
    cut at a word boundary with "…".
    """
    if budget <= 0:
        return ""
    sentences = _prepare(_story_sentences(paragraphs))
    cleaned_lead = clean_lead(lead) if lead else ""
    scores = _scores(title, sentences, facts=_LEAD_FACTS if cleaned_lead else 0.0)
    if cleaned_lead:
        lead_sentences = _prepare(split_sentences(cleaned_lead))
        kept: list[str] = []
        for s in lead_sentences:
            if len(" ".join([*kept, s.text])) > budget:
                break
            kept.append(s.text)
        if not kept:
            return _cut_at_word(cleaned_lead, budget)
        lead_text = " ".join(kept)
        if len(kept) < len(lead_sentences):
            return lead_text
        lead_words: Counter[str] = Counter()
        for s in lead_sentences:
            lead_words.update(s.words)
        said = [_Sentence(-1, lead_text, lead_words, 0, 0)]
        fresh = [s for s in sentences if s.n_tokens >= 8 and _novelty(s.words, lead_words) >= 0.5]
        # Novelty is already required of each candidate; a fact may restate the lead's
        # subject as long as it brings its own figures.
        facts = _pick(fresh, scores, budget, len(lead_text), 2, said, 0.85)
        return " ".join([lead_text, *(s.text for s in sorted(facts, key=lambda s: s.index))])
    if not sentences:
        return _cut_at_word(collapse_spaces(normalize(title)), budget)
    picked = _pick(sentences, scores, budget, 0, len(sentences), [], _W["max_overlap"])
    if not picked:
        best = max(sentences, key=lambda s: (scores[s.index], -s.index))
        return _cut_at_word(best.text, budget)
    return " ".join(s.text for s in sorted(picked, key=lambda s: s.index))


def _novelty(words: Counter[str], known: Counter[str]) -> float:
    """Share of a sentence's content syllables the lead does not have yet."""
    unigrams = [k for k in words if " " not in k]
    if not unigrams:
        return 0.0
    return sum(1 for k in unigrams if k not in known) / len(unigrams)
