r"""Score article extraction: ours against trafilatura and readability-lxml, side by side.

Two scorers, both printed by one run:

1. The 60 shared Vietnamese pages (`../shared/pages/`, truth in meta.json): per layout and
   overall, body F1 on tokens (`\w+` after NFC and casefolding, counted as a multiset;
   precision = shared / extracted tokens, recall = shared / truth tokens), whether the sapo
   was recovered as the lead (the truth's sapo is in our lead, or token F1 >= 0.9 against
   it), whether related titles or comments leaked into the body, pages with no body, and
   ms per page. Baselines have the sapo taken out of their text before F1, since they
   return sapo and body as one text.
2. With `--corpus NAME` (repeatable: scrapinghub, l3s-gn1, dragnet, `NAME:K` for every
   K-th page, or a folder laid out as article-extraction-benchmark), the public corpora of
   real news pages that `bench/extract_corpus.py` reads: 4-token shingle F1 as the
   scrapinghub benchmark scores it (`\w+` tokens, case kept, overlapping 4-token shingles
   as a multiset; per page precision, recall and F1; a page both sides empty scores 1, an
   empty or crashed extraction of a page with a body scores 0), averaged over pages; also
   the F1 of the mean precision and recall, the worst page, the pages that came back empty
   or raised, and ms per call. Our text there is what we show as page text: the lead when
   the page shows it (a lead that only the meta description carries is left out), then the
   body. trafilatura runs with its defaults, readability-lxml's summary is read as text.

Run from the checkout (the public corpora where the search tool's `fetch` put them, see
bench/extract_corpus.py; `--worst N` lists our N worst pages of each corpus):

    .venv/bin/python bench/extract_eval.py [--shared PATH] [--corpus NAME ...] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.extract_corpus import corpus_table, load_corpus, score_corpus  # noqa: E402
from bot.core.text import collapse_spaces, normalize  # noqa: E402
from feeds.extract import ExtractionError, extract_article, extract_generic  # noqa: E402

LAYOUTS = ("vnexpress", "broadcaster", "tuoitre")
PAGE_URL = "https://example.vn/tin-tuc/{page_id}.html"


@dataclass(frozen=True, slots=True)
class Output:
    """What one extractor gave for one page: the lead it found (if any) and the body."""

    lead: str
    body: str


Extractor = Callable[[bytes, str], Output]


@dataclass(slots=True)
class Score:
    f1: list[float] = field(default_factory=list)
    sapo: int = 0
    leaks: int = 0
    failures: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.f1 += other.f1
        self.sapo += other.sapo
        self.leaks += other.leaks
        self.failures += other.failures
        self.seconds += other.seconds


def clean(text: str) -> str:
    return collapse_spaces(normalize(text))


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", clean(text).casefold()))


def token_f1(found: str, truth: str) -> float:
    got, want = tokens(found), tokens(truth)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def sapo_recovered(lead: str, sapo: str) -> bool:
    """The page's sapo is in what the extractor calls the lead (a dateline prefix is fine)."""
    lead_c, sapo_c = clean(lead).casefold(), clean(sapo).casefold()
    return bool(sapo_c) and (sapo_c in lead_c or token_f1(lead_c, sapo_c) >= 0.9)


def ours(html: bytes, url: str) -> Output:
    article = extract_article(html, url)
    return Output(article.lead, article.body)


def ours_generic(html: bytes, url: str) -> Output:
    article = extract_generic(html, url)
    return Output(article.lead, article.body)


_CLASS_ID = re.compile(rb"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*')""")


def ours_unknown_layout(html: bytes, url: str) -> Output:
    """A site we have never seen: no rules, and no class or id names to recognise."""
    return ours_generic(_CLASS_ID.sub(b"", html), url)


def ours_page_text(html: bytes, url: str) -> str:
    """What we show as page text: the lead when the page shows it, then the body."""
    article = extract_article(html, url)
    lead = article.lead if article.lead and not article.lead_from_meta else ""
    return f"{lead}\n\n{article.body}" if lead else article.body


def baseline_texts() -> dict[str, Callable[[bytes, str], str]]:
    """trafilatura and readability-lxml with their defaults: the body text each returns."""
    found: dict[str, Callable[[bytes, str], str]] = {}
    try:
        import trafilatura

        def trafilatura_text(html: bytes, url: str) -> str:
            return str(trafilatura.extract(html, url=url) or "")

        found[f"trafilatura {trafilatura.__version__}"] = trafilatura_text
    except ImportError:
        pass
    try:
        import lxml.html
        from readability import Document

        def readability_text(html: bytes, url: str) -> str:
            summary = Document(html, url=url).summary(html_partial=True)
            root = lxml.html.fragment_fromstring(summary, create_parent="div")
            return " ".join(root.itertext())

        found["readability-lxml"] = readability_text
    except ImportError:
        pass
    return found


def load_baselines() -> tuple[dict[str, Extractor], list[str]]:
    """trafilatura and readability are in the `bench` extra; a missing one is noted, not fatal."""
    found: dict[str, Extractor] = {}
    notes: list[str] = []
    try:
        import trafilatura

        def run_trafilatura(html: bytes, url: str) -> Output:
            doc = trafilatura.bare_extraction(
                html, url=url, with_metadata=True, include_comments=False
            )
            if doc is None:
                return Output("", "")
            text = str(getattr(doc, "text", "") or "")
            description = str(getattr(doc, "description", "") or "")
            return Output(description + "\n" + text, text)

        found[f"trafilatura {trafilatura.__version__}"] = run_trafilatura
    except ImportError:
        notes.append("trafilatura not importable: column skipped (pip install -e '.[bench]')")
    try:
        import lxml.html
        from readability import Document

        def run_readability(html: bytes, url: str) -> Output:
            summary = Document(html, url=url).summary(html_partial=True)
            text = " ".join(lxml.html.fragment_fromstring(summary, create_parent="div").itertext())
            return Output(text, text)

        found["readability-lxml"] = run_readability
    except ImportError:
        notes.append("readability-lxml not importable: column skipped (pip install -e '.[bench]')")
    return found, notes


def evaluate(
    extractor: Extractor,
    pages: dict[str, dict[str, object]],
    folder: Path,
    repeat: int,
    *,
    strip_sapo: bool,
) -> dict[str, Score]:
    """Baselines put the sapo inside their text (`strip_sapo`): it is taken out before F1."""
    scores = {layout: Score() for layout in LAYOUTS}
    for page_id, truth in pages.items():
        layout = page_id.split("_", 1)[0]
        html = (folder / f"{page_id}.html").read_bytes()
        url = PAGE_URL.format(page_id=page_id)
        score = scores.setdefault(layout, Score())
        output = Output("", "")
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                output = extractor(html, url)
            except ExtractionError:
                output = Output("", "")
            except Exception:  # a baseline crashing is a data point, not a bench failure
                output = Output("", "")
            score.seconds.append(time.perf_counter() - start)
        if not output.body:
            score.failures += 1
        sapo = str(truth["sapo"])
        body = output.body
        if strip_sapo:
            body = clean(body).replace(clean(sapo), " ")
        score.f1.append(token_f1(body, str(truth["body"])))
        score.sapo += sapo_recovered(output.lead, sapo)
        chrome = [*truth.get("related", []), *truth.get("comments", [])]  # type: ignore[misc]
        body_c = clean(output.body)
        score.leaks += any(clean(str(c)) and clean(str(c)) in body_c for c in chrome)
    return scores


def row(name: str, layout: str, score: Score) -> str:
    n = len(score.f1)
    f1 = sum(score.f1) / n if n else 0.0
    ms = 1000 * sum(score.seconds) / len(score.seconds) if score.seconds else 0.0
    return (
        f"| {layout} | {name} | {n} | {f1:.3f} | {min(score.f1, default=0):.3f} | "
        f"{score.sapo}/{n} | {score.leaks}/{n} | {score.failures} | {ms:.2f} |"
    )


def seed_check(shared: Path) -> str:
    seed = shared / "seed" / "lamdongtv-dan-van.html"
    expected_path = shared / "seed" / "lamdongtv-dan-van.expected.json"
    if not seed.is_file() or not expected_path.is_file():
        return "seed page: not found"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    article = extract_article(seed.read_bytes(), expected["url"])
    problems = []
    if clean(article.title) != clean(expected["title"]):
        problems.append("title")
    if clean(article.lead) != clean(expected["lead"]):
        problems.append("lead")
    if [clean(p) for p in article.paragraphs] != [clean(p) for p in expected["body_paragraphs"]]:
        problems.append("paragraphs")
    if article.image != expected["image"]:
        problems.append("image")
    if article.published is None or article.published.isoformat() != expected["published"]:
        problems.append("published")
    leaked = [s for s in expected["must_not_be_in_body"] if clean(s) in clean(article.body)]
    if leaked:
        problems.append(f"chrome in body: {leaked}")
    return "seed page: exact match" if not problems else f"seed page: MISMATCH in {problems}"


def corpus_section(spec: str, args: argparse.Namespace) -> bool:
    """One public corpus: every extractor on its pages, the table, and our misses."""
    pages = load_corpus(spec)
    if not pages:
        print(f"no pages for --corpus {spec}: see bench/extract_corpus.py", file=sys.stderr)
        return False
    texts = {"ours": ours_page_text, **baseline_texts()}
    if args.only:
        wanted = tuple(args.only.split(","))
        texts = {name: fn for name, fn in texts.items() if name.startswith(wanted)}
    results = {name: score_corpus(fn, pages, max(1, args.repeat)) for name, fn in texts.items()}
    print()
    print(corpus_table(results, spec))
    for name, score in results.items():
        if score.empty:
            print(f"\n{name} empty or raised on: {', '.join(score.empty)}")
    if args.worst and "ours" in results:
        ranked = sorted(zip(results["ours"].f1, pages, strict=True), key=lambda fp: fp[0])
        print(f"\nour {args.worst} worst pages (F1, precision, recall, id):")
        score = results["ours"]
        for f1, page in ranked[: args.worst]:
            i = pages.index(page)
            print(f"  {f1:.3f} p={score.precision[i]:.3f} r={score.recall[i]:.3f} {page.page_id}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("BANTIN_SHARED", REPO.parent / "shared")),
        help="the shared data directory (default: ../shared beside the repo, or $BANTIN_SHARED)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per page for the timing")
    parser.add_argument(
        "--corpus",
        action="append",
        default=[],
        help="a public corpus to score as well: scrapinghub, l3s-gn1, dragnet (NAME:K for "
        "every K-th page) or a folder laid out as article-extraction-benchmark; repeatable",
    )
    parser.add_argument(
        "--worst", type=int, default=0, help="list our N worst pages of each corpus"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated extractor names (prefixes) to run"
    )
    args = parser.parse_args(argv)
    folder = args.shared / "pages"
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        print(f"no pages at {folder}; pass --shared PATH or set BANTIN_SHARED", file=sys.stderr)
        return 2
    pages: dict[str, dict[str, object]] = json.loads(meta_path.read_text(encoding="utf-8"))

    extractors: dict[str, Extractor] = {
        "ours (rules, then generic)": ours,
        "ours, generic only": ours_generic,
        "ours, generic, class/id stripped": ours_unknown_layout,
    }
    baselines, notes = load_baselines()
    extractors.update(baselines)
    if args.only:
        wanted = tuple(args.only.split(","))
        extractors = {name: fn for name, fn in extractors.items() if name.startswith(wanted)}

    results = {
        name: evaluate(fn, pages, folder, max(1, args.repeat), strip_sapo=name in baselines)
        for name, fn in extractors.items()
    }

    print(f"## Article extraction on {len(pages)} pages ({args.shared / 'pages'})\n")
    print(
        "| layout | extractor | pages | body F1 mean | body F1 min | sapo recovered "
        "| chrome leaked | no body | ms/page |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for layout in LAYOUTS:
        for name, scores in results.items():
            print(row(name, layout, scores[layout]))
    print("\n### Overall\n")
    print(
        "| extractor | pages | body F1 mean | body F1 min | sapo recovered | chrome leaked "
        "| no body | ms/page |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, scores in results.items():
        total = Score()
        for score in scores.values():
            total.add(score)
        print(row(name, "all", total).replace("| all ", "", 1))
    print()
    for note in notes:
        print(f"note: {note}")
    print(seed_check(args.shared))
    for spec in args.corpus:
        if not corpus_section(spec, args):
            return 2
    print(
        "\nBody F1: token (\\w+, NFC, casefolded) F1 of the body against meta.json `body`; "
        "the truth keeps trailing bylines that we move to `byline` by design. "
        "Baselines have the sapo removed from their text before scoring; for them 'sapo "
        "recovered' means the sapo is in their description or text."
    )
    corpus = "".join(f" --corpus {spec}" for spec in args.corpus)
    print(
        "\nReproduce: .venv/bin/python bench/extract_eval.py "
        f"--shared {args.shared}{corpus} --repeat {args.repeat}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
