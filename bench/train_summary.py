"""Train the summarizer's sentence scorer on VietNews and write `feeds/summary/weights.json`.

    .venv/bin/python bench/train_summary.py            # train, write the weights
    .venv/bin/python bench/train_summary.py --check    # exit 1 unless it reproduces them

Stories come from `../shared/vietnews/train.jsonl` (never `dev.jsonl`), in file order.
The last 2,000 are held out for choosing the selection constants; the scorer is fit on
the others. Targets come from the human-written lead (sapo): each body sentence, as our
own splitter cuts it, is worth its own ROUGE-1 F1 against the sapo, plus a bonus if the
greedy oracle (the eval's: up to two sentences that maximize ROUGE-1 + ROUGE-2) picks it.
A second model decides whether a second sentence joins the first (see `SELECTION`).
How rare each syllable is (IDF over the fitting stories' bodies) is computed first and
ships in the weights file, for the `idf_*` features; then what leads keep (per-syllable
rates and the syllable model of `feeds/summary/lexicon.py`, cross-fitted over five folds),
for the `lead_*` and `expect_*` features.
The models are ridge regression, solved in closed form in float64 (numpy, from the `bench`
extra); weights are rounded to six decimals, so the file is the same on every machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from bench.summary_eval import Story, paragraphs_of, read_stories, rouge, rouge_n, rouge_tokens  # noqa: E402
from feeds.summarize import extension_choice, summarize  # noqa: E402
from feeds.summary.clean import story_sentences  # noqa: E402
from feeds.summary.features import EXTEND_FEATURES, FEATURES, rows  # noqa: E402
from feeds.summary.lexicon import KEEP_FEATURES, LeadRates, keep_rows  # noqa: E402
from feeds.summary.model import Model  # noqa: E402
from feeds.summary.sentences import prepare  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "vietnews" / "train.jsonl"
WEIGHTS = REPO / "feeds" / "summary" / "weights.json"
HOLDOUT = 2000
BUDGET = 350  # the eval's budget: about Lead-2's length
L2 = 1.0
ORACLE_BONUS = 0.08  # chosen on the held-out stories (0.05: -0.08 R1, 0.10: -0.04)
ROUND = 6
# Syllable rarity (the `idf_*` features): log(N / df) / log(N) over the fitting stories'
# bodies, for syllables in at least IDF_MIN_DF of them; rarer ones count as 1 at run time.
IDF_MIN_DF = 5
IDF_ROUND = 3
# Lead rates (the `lead_*` features): for syllables in at least LEAD_MIN_DF fitting bodies,
# (stories whose lead has it + LEAD_PRIOR × the overall rate) / (bodies with it +
# LEAD_PRIOR); rarer syllables share one pooled rate. The scorer and the extension model
# are fit on rates cross-fitted over LEAD_FOLDS folds of the fitting stories (each fold's
# rows read rates from the other folds), so no story's own lead leaks into its features;
# the shipped rates come from every fitting story.
LEAD_MIN_DF = 20
LEAD_PRIOR = 10
LEAD_FOLDS = 5
# The syllable model (`keep_chances`): fit on every KEEP_EVERY-th fitting story.
KEEP_EVERY = 4
KEEP_NEWTON_STEPS = 8
# Selection constants. Without a lead, the first pick is the best-scoring sentence and a
# second is added only when the extension model (ridge regression on the change in each
# fitting story's ROUGE-1 when the second candidate is added) expects a gain above the
# threshold, which is chosen on the held-out stories. The length guard keeps summaries at
# least as long as the story's own first sentence on average (Lead-1; the human sapo is
# about as long), so they are not won by saying less.
REDUNDANCY = 0.5
FILL = 0.65  # the `fill` rule, for a model without an extension model
GRID_THRESHOLD = (-0.01, -0.005, 0.0, 0.005, 0.01, 0.015, 0.02)
MAX_OVERLAP = 0.42
LEAD_FACTS = 0.1
MIN_LENGTH_SHARE = 1.0  # of Lead-1's mean length on the held-out stories
SELECTION = {
    "redundancy": REDUNDANCY,
    "max_overlap": MAX_OVERLAP,
    "fill": FILL,
    "lead_facts": LEAD_FACTS,
}


def oracle_labels(sentences: Sequence[str], sapo: str, size: int = 2) -> list[int]:
    """1 for each sentence the greedy R1+R2 oracle picks, else 0."""
    ref = rouge_tokens(sapo)
    tokens = [rouge_tokens(s) for s in sentences]
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < size:
        best_i = None
        for i in range(len(sentences)):
            if i in chosen:
                continue
            cand = [t for j in sorted([*chosen, i]) for t in tokens[j]]
            score = rouge_n(cand, ref, 1) + rouge_n(cand, ref, 2)
            if score > best:
                best_i, best = i, score
        if best_i is None:
            break
        chosen.append(best_i)
    return [int(i in chosen) for i in range(len(sentences))]


def corpus_idf(stories: Sequence[Story]) -> dict[str, float]:
    """How rare each content syllable is across the stories' bodies, in [0, 1]."""
    df: Counter[str] = Counter()
    for story in stories:
        seen: set[str] = set()
        for s in prepare(story_sentences(paragraphs_of(story.body))):
            seen.update(k for k in s.words if " " not in k)
        df.update(seen)
    top = math.log(len(stories))
    return {
        k: round(math.log(len(stories) / c) / top, IDF_ROUND)
        for k, c in sorted(df.items())
        if c >= IDF_MIN_DF
    }


def lead_rates(stories: Sequence[Story]) -> LeadRates:
    """How often a syllable in a story's body is in its lead too, by syllable."""
    bodies: Counter[str] = Counter()
    leads: Counter[str] = Counter()
    for story in stories:
        body: set[str] = set()
        for s in prepare(story_sentences(paragraphs_of(story.body))):
            body.update(s.tokens)
        bodies.update(body)
        leads.update(body & set(rouge_tokens(story.sapo)))
    overall = sum(leads.values()) / max(sum(bodies.values()), 1)
    rare = [k for k, c in bodies.items() if c < LEAD_MIN_DF]
    other = sum(leads[k] for k in rare) / max(sum(bodies[k] for k in rare), 1)
    rates = {
        k: round((leads[k] + LEAD_PRIOR * overall) / (c + LEAD_PRIOR), IDF_ROUND)
        for k, c in sorted(bodies.items())
        if c >= LEAD_MIN_DF
    }
    return LeadRates(rates, round(other, IDF_ROUND))


def folds(stories: Sequence[Story]) -> list[tuple[list[Story], LeadRates]]:
    """The fitting stories in LEAD_FOLDS runs, each with the lead rates of the others."""
    size = math.ceil(len(stories) / LEAD_FOLDS)
    runs = [list(stories[i : i + size]) for i in range(0, len(stories), size)]
    return [
        (run, lead_rates([s for j, other in enumerate(runs) if j != i for s in other]))
        for i, run in enumerate(runs)
    ]


_IDF: dict[str, float] = {}
_RATES = LeadRates({}, 0.0)


def _init_idf(idf: dict[str, float], rates: LeadRates) -> None:
    global _IDF, _RATES
    _IDF, _RATES = idf, rates


def story_rows(story: Story) -> tuple[list[list[float]], list[float]]:
    """Each sentence's features and its worth: ROUGE-1 F1, plus a bonus if the oracle
    picks it."""
    sentences = story_sentences(paragraphs_of(story.body))
    ref = rouge_tokens(story.sapo)
    picked = oracle_labels(sentences, story.sapo)
    targets = [
        rouge_n(rouge_tokens(s), ref, 1) + ORACLE_BONUS * p
        for s, p in zip(sentences, picked, strict=True)
    ]
    return rows(story.title, prepare(sentences), _IDF, _RATES), targets


def _keep_story(story: Story) -> tuple[list[list[float]], list[float]]:
    sentences = prepare(story_sentences(paragraphs_of(story.body)))
    lead = set(rouge_tokens(story.sapo))
    keyed = keep_rows(story.title, sentences, _IDF, _RATES)
    return list(keyed.values()), [float(t in lead) for t in keyed]


def fit_keep(runs: Sequence[tuple[list[Story], LeadRates]], idf: dict[str, float]) -> np.ndarray:
    """Logistic regression (Newton's method) of whether a body syllable is in the lead, on
    every KEEP_EVERY-th story of each fold, read with that fold's cross-fitted rates."""
    xs: list[list[float]] = []
    ys: list[float] = []
    for run, rates in runs:
        with Pool(2, initializer=_init_idf, initargs=(idf, rates)) as pool:
            for x, y in pool.imap(_keep_story, run[::KEEP_EVERY], chunksize=32):
                xs.extend(x)
                ys.extend(y)
    design = np.hstack([np.array(xs), np.ones((len(xs), 1))])
    labels = np.array(ys)
    print(f"  {len(ys)} syllables, {labels.mean():.3f} of them in the lead", file=sys.stderr)
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], L2)
    penalty[-1] = 0.0
    for _ in range(KEEP_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (p - labels) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        w -= np.linalg.solve(hessian, gradient)
    p = 1.0 / (1.0 + np.exp(-(design @ w)))
    loss = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    print(f"  log loss {loss:.4f}", file=sys.stderr)
    return np.round(w, ROUND)


def with_keep(rates: LeadRates, w: np.ndarray) -> LeadRates:
    return dataclasses.replace(
        rates, keep_weights=tuple(float(v) for v in w[:-1]), keep_bias=float(w[-1])
    )


def table(
    stories: Sequence[Story], what: str, idf: dict[str, float], rates: LeadRates
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every sentence, in story order (two processes)."""
    xs: list[list[float]] = []
    ys: list[float] = []
    started = time.monotonic()
    with Pool(2, initializer=_init_idf, initargs=(idf, rates)) as pool:
        for n, (x, y) in enumerate(pool.imap(story_rows, stories, chunksize=64), 1):
            xs.extend(x)
            ys.extend(y)
            if n % 1000 == 0 or n == len(stories):
                print(
                    f"\r{what}: {n}/{len(stories)} stories, {len(ys)} sentences, "
                    f"{time.monotonic() - started:.0f} s",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
    print(file=sys.stderr)
    return np.array(xs, dtype=np.float64), np.array(ys, dtype=np.float64)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> np.ndarray:
    """Ridge regression in closed form; the intercept (last) is not penalized."""
    design = np.hstack([x, np.ones((len(x), 1))])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    w = np.linalg.solve(design.T @ design + np.diag(penalty), design.T @ y)
    residual = y - design @ w
    print(f"  mean squared error {np.mean(residual**2):.5f}", file=sys.stderr)
    return np.asarray(w)


def weights_file(
    w: np.ndarray,
    selection: dict[str, float],
    about: str,
    idf: dict[str, float],
    rates: LeadRates,
) -> dict[str, Any]:
    return {
        "about": about,
        "link": "identity",
        "bias": round(float(w[-1]), ROUND),
        "weights": {name: round(float(v), ROUND) for name, v in zip(FEATURES, w[:-1], strict=True)},
        "selection": selection,
        "idf": idf,
        "lead_rate_other": rates.other,
        "lead_rates": dict(rates.rates),
        "keep": {
            "bias": rates.keep_bias,
            "weights": dict(zip(KEEP_FEATURES, rates.keep_weights, strict=True)),
        },
    }


def score(model: Model, stories: Sequence[Story]) -> tuple[float, float, float]:
    """Mean R1, RL (×100) and characters of our summaries at the eval's budget."""
    r1: list[float] = []
    rl: list[float] = []
    lengths: list[int] = []
    for story in stories:
        summary = summarize(story.title, paragraphs_of(story.body), budget=BUDGET, model=model)
        one, _, lcs = rouge(summary, story.sapo)
        r1.append(one)
        rl.append(lcs)
        lengths.append(len(summary))
    return 100 * statistics.fmean(r1), 100 * statistics.fmean(rl), statistics.fmean(lengths)


def _score_job(job: tuple[dict[str, Any], list[Story]]) -> tuple[float, float, float]:
    data, stories = job
    return score(Model.from_json(data), stories)


_EXTENDING: Model | None = None


def _extension_row(story: Story) -> tuple[list[float], float] | None:
    """The extension row of one story and the ROUGE-1 that adding the second pick adds."""
    assert _EXTENDING is not None
    choice = extension_choice(story.title, paragraphs_of(story.body), BUDGET, _EXTENDING)
    if choice is None:
        return None
    first, both, row = choice
    return row, rouge(both, story.sapo)[0] - rouge(first, story.sapo)[0]


def _init_extending(data: dict[str, Any]) -> None:
    global _EXTENDING
    _EXTENDING = Model.from_json(data)


def extension_table(
    base: dict[str, Any], stories: Sequence[Story]
) -> tuple[np.ndarray, np.ndarray]:
    xs: list[list[float]] = []
    ys: list[float] = []
    with Pool(2, initializer=_init_extending, initargs=(base,)) as pool:
        for result in pool.imap(_extension_row, stories, chunksize=64):
            if result is not None:
                xs.append(result[0])
                ys.append(result[1])
    return np.array(xs, dtype=np.float64), np.array(ys, dtype=np.float64)


def choose_threshold(base: dict[str, Any], stories: list[Story]) -> float:
    """The threshold with the best R1 + RL on held-out stories, at Lead-1's length or more."""
    lead1 = statistics.fmean(len(s.body[0]) for s in stories if s.body)
    jobs: list[tuple[dict[str, Any], list[Story]]] = []
    for threshold in GRID_THRESHOLD:
        extend = {**base["extend"], "threshold": threshold}
        jobs.append(({**base, "extend": extend}, stories))
    best: tuple[float, float] | None = None
    with Pool(2) as pool:
        for threshold, (r1, rl, length) in zip(
            GRID_THRESHOLD, pool.imap(_score_job, jobs), strict=True
        ):
            fits = length >= MIN_LENGTH_SHARE * lead1
            print(
                f"  threshold {threshold}: R1 {r1:.2f} RL {rl:.2f} "
                f"{length:.0f} chars (Lead-1 {lead1:.0f}){'' if fits else ' too short'}",
                file=sys.stderr,
            )
            if fits and (best is None or r1 + rl > best[0]):
                best = (r1 + rl, threshold)
    if best is None:
        raise SystemExit("no threshold keeps Lead-1's length")
    return best[1]


def train(data: Path, limit: int | None) -> str:
    stories = list(read_stories(data, limit))
    fitting, held_out = stories[:-HOLDOUT], stories[-HOLDOUT:]
    print(f"{len(fitting)} stories to fit, {len(held_out)} held out, from {data}", file=sys.stderr)
    idf = corpus_idf(fitting)
    print(f"{len(idf)} syllables' rarity from the fitting stories' bodies", file=sys.stderr)
    print(f"lead rates over {LEAD_FOLDS} folds and all", file=sys.stderr)
    runs = folds(fitting)
    print("fitting the syllable model", file=sys.stderr)
    keep = fit_keep(runs, idf)
    runs = [(run, with_keep(r, keep)) for run, r in runs]
    rates = with_keep(lead_rates(fitting), keep)
    parts = [table(run, f"features, fold {i + 1}", idf, r) for i, (run, r) in enumerate(runs)]
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    print(f"fitting {x.shape[1]} features on {len(y)} sentences", file=sys.stderr)
    w = fit(x, y)
    about = (
        "Sentence scorer of feeds/summarize.py, written by bench/train_summary.py: ridge "
        f"regression on {len(fitting)} VietNews training stories (each sentence's ROUGE-1 "
        "against the sapo), and an extension model (ridge regression on the ROUGE-1 a "
        "second sentence adds); its threshold chosen on the "
        f"{len(held_out)} held out."
    )
    base = weights_file(w, dict(SELECTION), about, idf, rates)
    print("fitting the extension model on the same stories", file=sys.stderr)
    extension_parts = [
        extension_table(weights_file(w, dict(SELECTION), about, idf, r), run) for run, r in runs
    ]
    ex = np.vstack([p[0] for p in extension_parts])
    ey = np.concatenate([p[1] for p in extension_parts])
    print(f"fitting {ex.shape[1]} extension features on {len(ey)} stories", file=sys.stderr)
    we = fit(ex, ey)
    base["extend"] = {
        "bias": round(float(we[-1]), ROUND),
        "weights": {
            name: round(float(v), ROUND) for name, v in zip(EXTEND_FEATURES, we[:-1], strict=True)
        },
        "threshold": 0.0,
    }
    print("choosing the extension threshold on the held-out stories", file=sys.stderr)
    base["extend"]["threshold"] = choose_threshold(base, held_out)
    return json.dumps(base, ensure_ascii=False, indent=1) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="VietNews JSON lines")
    parser.add_argument("--limit", type=int, default=None, help="only the first N stories")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    parser.add_argument(
        "--check", action="store_true", help="compare with the shipped weights, write nothing"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    text = train(args.data, args.limit)
    if args.check:
        same = args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'reproduced exactly' if same else 'DIFFERS from training'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
