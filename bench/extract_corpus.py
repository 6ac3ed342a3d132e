"""Body extraction scored on a public corpus of real news pages (for `extract_eval.py --corpus`).

The corpus is a folder laid out as the article-extraction-benchmark publishes it:
`ground-truth.json` maps a page id to `{"url": ..., "articleBody": ...}` and the page is
`html/<id>.html.gz` (or `html/<id>.html`).

Scorer (the benchmark's own): text is split into tokens with the regex `\\w+` (Unicode, case
kept), tokens are joined into overlapping 4-token shingles counted as a multiset, and each
page gets precision = shared / extracted shingles, recall = shared / truth shingles and
their F1 (a page with neither side empty-handed and no difference scores 1, an extractor
that returns nothing scores 0). We print the per-page F1 averaged over pages, the mean
precision and recall, and the benchmark's headline F1 (harmonic mean of the mean precision
and mean recall). `ms/page` is wall time per call on one core, averaged over all calls.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.UNICODE)

TextExtractor = Callable[[bytes, str], str]


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def shingle_prf(found: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of 4-token shingles, as the benchmark counts them."""
    want, got = shingles(truth), shingles(found)
    tp = sum((want & got).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    if fp == fn == 0:
        return 1.0, 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str
    url: str
    html: bytes
    truth: str


@dataclass(slots=True)
class CorpusScore:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        n = max(1, len(self.f1))
        p, r = sum(self.precision) / n, sum(self.recall) / n
        return {
            "pages": len(self.f1),
            "f1_mean": sum(self.f1) / n,
            "precision": p,
            "recall": r,
            "f1_of_means": 2 * p * r / (p + r) if p + r else 0.0,
            "f1_min": min(self.f1, default=0.0),
            "empty": len(self.empty),
            "ms": 1000 * sum(self.seconds) / max(1, len(self.seconds)),
        }


def load_corpus(folder: Path) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, item in sorted(truth.items()):
        gz, plain = folder / "html" / f"{page_id}.html.gz", folder / "html" / f"{page_id}.html"
        if gz.is_file():
            html = gzip.decompress(gz.read_bytes())
        elif plain.is_file():
            html = plain.read_bytes()
        else:
            continue
        pages.append(Page(page_id, str(item.get("url") or ""), html, item.get("articleBody", "")))
    return pages


def score_corpus(extractor: TextExtractor, pages: list[Page], repeat: int) -> CorpusScore:
    """A crash or an empty answer is that page's score of 0, noted in `empty`."""
    score = CorpusScore()
    for page in pages:
        text = ""
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                text = extractor(page.html, page.url)
            except Exception:  # a crash is a data point: the page scores 0
                text = ""
            score.seconds.append(time.perf_counter() - start)
        if not text.strip():
            score.empty.append(page.page_id)
        p, r, f = shingle_prf(text, page.truth)
        score.precision.append(p)
        score.recall.append(r)
        score.f1.append(f)
    return score


def corpus_table(results: dict[str, CorpusScore], folder: Path) -> str:
    lines = [
        f"## Body extraction on {folder} (4-token shingle F1)\n",
        "| extractor | pages | F1 per page, mean | precision | recall | F1 of means "
        "| F1 min | empty or crashed | ms/page |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, score in results.items():
        s = score.summary()
        lines.append(
            f"| {name} | {s['pages']:.0f} | {s['f1_mean']:.3f} | {s['precision']:.3f} | "
            f"{s['recall']:.3f} | {s['f1_of_means']:.3f} | {s['f1_min']:.3f} | "
            f"{s['empty']:.0f} | {s['ms']:.1f} |"
        )
    return "\n".join(lines)
