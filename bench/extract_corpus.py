"""Public corpora of real news pages with their true body text, for `extract_eval.py --corpus`.

`--corpus` takes a name or a path. Names read the public benchmarks where the search tool's
`fetch` puts them (`$BANTIN_MIRROR`, default /work/.mirror), straight from their bare git
directories; nothing of them is copied into this repository:

- `scrapinghub`: scrapinghub/article-extraction-benchmark, 181 news pages; the truth is
  `articleBody` in ground-truth.json (body without headline, captions mostly out).
- `l3s-gn1`: L3S-GN1 (Google News, 2008, 621 pages of 408 sites) as mirrored in
  j-szulc/html-cleaning-dataset-merged (page-signal-master/); the truth is the text whose
  nearest annotated ancestor is `x-nc-sel2` ("full text": headline, supplemental,
  related links and comments are not body).
- `dragnet`: the Dragnet news and blog pages (1,381) from the same mirror (dragnet_data/);
  the truth is the hand-corrected content text up to Dragnet's comments separator (it
  keeps headline, dateline and captions, which no extractor here returns as body, so
  every column loses a little on it).

A path is a folder (or bare git directory) laid out as article-extraction-benchmark is:
`ground-truth.json` mapping a page id to `{"url": ..., "articleBody": ...}`, and the page
as `html/<id>.html.gz` or `html/<id>.html`. `NAME:K` takes every K-th page only, for quick
development runs (the pages kept are fixed, so runs compare).

The scorer (`shingle_prf`, the scrapinghub benchmark's own): text is split into tokens with
the regex `\\w+` (Unicode, case kept), tokens are joined into overlapping 4-token
shingles counted as a multiset, and each page gets precision = shared / extracted
shingles, recall = shared / truth shingles and their F1 (both sides identical scores 1,
including both empty; an extractor that returns nothing for a page with a body scores 0).
We print the per-page F1 averaged over pages (the headline figure), the mean precision and
recall, the F1 of those means (the benchmark's own headline), the worst page, the pages
that came back empty or raised, and `ms/page`: wall time per call on one core, averaged
over all calls.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

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


MIRROR = Path(os.environ.get("BANTIN_MIRROR", "/work/.mirror"))
_MERGED = "j-szulc+html-cleaning-dataset-merged/repo"
NAMED = {
    "scrapinghub": ("scrapinghub+article-extraction-benchmark/repo", "benchmark"),
    "l3s-gn1": (_MERGED, "l3s"),
    "dragnet": (_MERGED, "dragnet"),
}


class Files:
    """Read-only files of a folder or of a bare git directory's HEAD, by relative path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git = not (root / "ground-truth.json").exists() and (root / "HEAD").is_file()
        self._blobs: dict[str, str] = {}
        if self.git:
            listing = subprocess.run(
                ["git", f"--git-dir={root}", "ls-tree", "-r", "HEAD"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for line in listing.splitlines():
                meta, _, path = line.partition("\t")
                self._blobs[path] = meta.split()[2]

    def names(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        if self.git:
            found = [p[len(prefix) :] for p in self._blobs if p.startswith(prefix)]
        else:
            base = self.root / folder
            found = [p.name for p in base.iterdir()] if base.is_dir() else []
        return sorted(n for n in found if "/" not in n)

    def read_many(self, paths: list[str]) -> dict[str, bytes]:
        """Many files at once: one `git cat-file --batch` instead of a process per file."""
        if not self.git:
            return {p: (self.root / p).read_bytes() for p in paths if (self.root / p).is_file()}
        wanted = [p for p in paths if p in self._blobs]
        request = "".join(self._blobs[p] + "\n" for p in wanted).encode()
        out = subprocess.run(
            ["git", f"--git-dir={self.root}", "cat-file", "--batch"],
            input=request,
            check=True,
            capture_output=True,
        ).stdout
        found: dict[str, bytes] = {}
        at = 0
        for path in wanted:
            header_end = out.index(b"\n", at)
            size = int(out[at:header_end].split()[2])
            found[path] = out[header_end + 1 : header_end + 1 + size]
            at = header_end + 1 + size + 1
        return found


def resolve(spec: str) -> tuple[str, Path, str, int]:
    """`NAME`, `NAME:K`, `PATH` or `PATH:K` → (label, root, layout, every K-th page)."""
    name, _, every = spec.partition(":")
    step = int(every) if every.isdigit() and int(every) > 0 else 1
    if not every.isdigit():
        name = spec
    if name in NAMED:
        folder, layout = NAMED[name]
        return name, MIRROR / folder, layout, step
    return name, Path(name), "benchmark", step


def load_corpus(spec: str | Path) -> list[Page]:
    """The pages of a named corpus or of a folder/bare git dir (see the module docstring)."""
    _label, root, layout, step = resolve(str(spec))
    if not root.exists():
        return []
    files = Files(root)
    if layout == "benchmark":
        pages = _benchmark(files)
    elif layout == "l3s":
        pages = _paired(files, "page-signal-master", ".html", _l3s_truth)
    else:
        pages = _paired(files, "dragnet_data", ".html", _dragnet_truth)
    return pages[::step]


def _benchmark(files: Files) -> list[Page]:
    raw = files.read_many(["ground-truth.json"]).get("ground-truth.json")
    if raw is None:
        return []
    truth = json.loads(raw.decode("utf-8"))
    names = set(files.names("html"))
    chosen = {}
    for page_id in sorted(truth):
        for name in (f"{page_id}.html.gz", f"{page_id}.html"):
            if name in names:
                chosen[page_id] = f"html/{name}"
                break
    blobs = files.read_many(list(chosen.values()))
    pages = []
    for page_id, path in chosen.items():
        html = blobs[path]
        if path.endswith(".gz"):
            html = gzip.decompress(html)
        item = truth[page_id]
        pages.append(Page(page_id, str(item.get("url") or ""), html, item.get("articleBody", "")))
    return pages


def _paired(files: Files, folder: str, ext: str, truth_of: Callable[[bytes], str]) -> list[Page]:
    """`folder/input/ID.html` with its truth in `folder/GoldStandard/ID.txt`."""
    ids = [n[: -len(ext)] for n in files.names(f"{folder}/input") if n.endswith(ext)]
    gold = set(files.names(f"{folder}/GoldStandard"))
    ids = [i for i in ids if f"{i}.txt" in gold]
    paths = [f"{folder}/input/{i}{ext}" for i in ids]
    paths += [f"{folder}/GoldStandard/{i}.txt" for i in ids]
    blobs = files.read_many(paths)
    pages = []
    for page_id in ids:
        truth = truth_of(blobs[f"{folder}/GoldStandard/{page_id}.txt"])
        url = f"https://example.com/{page_id}.html"  # the mirror keeps no URLs
        pages.append(Page(page_id, url, blobs[f"{folder}/input/{page_id}{ext}"], truth))
    return pages


def _l3s_truth(annotated: bytes) -> str:
    """Text whose nearest `x-nc-sel*` ancestor is `x-nc-sel2`, the annotators' full text."""
    root = lxml.html.document_fromstring(annotated)
    parts: list[str] = []

    def walk(el: lxml.html.HtmlElement, inside: bool) -> None:
        cls = (el.get("class") or "") if isinstance(el.tag, str) else ""
        mark = re.search(r"x-nc-sel(\d)", cls)
        here = inside if mark is None else mark.group(1) == "2"
        if isinstance(el.tag, str) and el.tag in ("script", "style"):
            return
        if here and el.text:
            parts.append(el.text)
        for child in el:
            walk(child, here)
            if here and child.tail:
                parts.append(child.tail)

    walk(root, False)
    return " ".join(" ".join(parts).split())


def _dragnet_truth(corrected: bytes) -> str:
    """The corrected content before Dragnet's `!@#$%^&*()  COMMENTS` separator: the
    comments the annotators kept after it are not the story's body."""
    text = corrected.decode("utf-8", errors="replace")
    return text.split("!@#$%^&*()", 1)[0]


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


def corpus_table(results: dict[str, CorpusScore], corpus: str) -> str:
    lines = [
        f"## Body extraction on {corpus} (4-token shingle F1)\n",
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
