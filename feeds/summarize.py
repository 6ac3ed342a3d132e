"""Vietnamese extractive summaries: the story's own words, within a character budget.

Pure and deterministic, so the same story always gets the same summary, offline and in a
few milliseconds. Each body sentence is scored by a linear model trained on VietNews
stories to find what their human-written leads say (`feeds/summary/weights.json`, from
`bench/train_summary.py`; among its features, the ROUGE-1 a sentence would score if each
syllable were in the lead as often as training says), and a second trained model decides
whether a second sentence joins the first; redundancy is held back while picking, no
sentence that starts inside a clause or mostly repeats what is already said is added,
and the picks are read back in story order, without who told them ("…, ông X cho
biết.", "Theo Sở Y tế, …").
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache

from bot.core.text import collapse_spaces, normalize, split_sentences
from feeds.summary.clean import (
    clean_lead,
    drop_attribution,
    starts_inside_clause,
    story_sentences,
)
from feeds.summary.features import EXTEND_FEATURES, FEATURES, extend_row, rows
from feeds.summary.lexicon import keep_chances
from feeds.summary.model import Model, shipped
from feeds.summary.sentences import Sentence, cosine, prepare, vector_norm

__all__ = ["ELLIPSIS", "Model", "clean_lead", "extension_choice", "summarize"]

ELLIPSIS = "…"

# An added sentence repeats what is said when this share of its content syllables, or
# of its syllable pairs, is said already (the lead or an earlier pick).
_SAID_WORDS = 0.5
_SAID_PAIRS = 0.3
# With a lead, a short body sentence is a caption unless it states an outcome
# ("Không có thiệt hại về người."); an outcome also goes ahead of background.
_LEAD_MIN_TOKENS = 8
_OUTCOME_MIN_TOKENS = 4
_OUTCOME_FIRST = 1.0  # a tier: any outcome over any other fact; background never
# Candidates for the second pick the extension model weighs. It is fit on the first of
# them (`extension_choice`); taking the best of three adds +0.07 R1 on the held-out
# training stories and +0.06 on dev.jsonl.
_SECOND_TRIES = 3
_OUTCOME = FEATURES.index("outcome")
_BACKGROUND = FEATURES.index("background")
_FACTS = FEATURES.index("facts")


@cache
def _default_model() -> Model:
    return shipped()


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


def _repeats(sentence: Sentence, said: Counter[str]) -> bool:
    """Whether the sentence mostly says again what the summary already says."""
    words = [k for k in sentence.words if " " not in k]
    pairs = [k for k in sentence.words if " " in k]
    if not words:
        return True
    if sum(1 for k in words if k in said) / len(words) >= _SAID_WORDS:
        return True
    return bool(pairs) and sum(1 for k in pairs if k in said) / len(pairs) >= _SAID_PAIRS


def _pick(
    candidates: list[Sentence],
    scores: list[float],
    budget: int,
    used: int,
    limit: int,
    said: list[Sentence],
    model: Model,
    max_overlap: float,
    fill: float,
    table: list[list[float]] | None = None,
    tries: int = 1,
    chances: Mapping[str, float] | None = None,
) -> list[Sentence]:
    """Greedy choice by score less redundancy with what is already said (MMR).

    Stops at `limit` sentences, when nothing else fits the budget, or when the best
    remaining sentence is worth less than `fill` times the first pick (or less than
    nothing). With the feature `table` and a model that has an extension model, the
    extension model weighs the `tries` best candidates for the second pick (by score less
    redundancy) and the one it expects most of is added if that raises ROUGE-1; it is the
    last.
    A sentence too close to one said, or that mostly repeats what is said, is passed over.
    """
    picked: list[Sentence] = []
    said_words: Counter[str] = Counter()
    for s in said:
        said_words.update(s.words)
    first_value = 0.0
    weighed: list[tuple[float, Sentence]] = []  # (expected gain, candidate second)
    remaining = sorted(candidates, key=lambda s: (-scores[s.index], s.index))
    while remaining and len(picked) < limit:
        best: Sentence | None = None
        best_value = -math.inf
        best_overlap = 0.0
        for s in remaining:
            cost = len(s.text) + (1 if used else 0)
            if used + cost > budget:
                continue
            overlap = max((cosine(s, c) for c in said + picked), default=0.0)
            value = scores[s.index] - model.redundancy * overlap
            if value > best_value:
                best, best_value, best_overlap = s, value, overlap
        extending = bool(picked) and table is not None and model.extend is not None
        if best is None or (not extending and best_value < 0):
            break
        if picked and not extending and best_value < fill * first_value:
            break
        remaining.remove(best)
        if best_overlap > max_overlap or (said_words and _repeats(best, said_words)):
            continue
        if extending and table is not None:
            first = picked[0]
            row = extend_row(
                first,
                best,
                (scores[first.index], scores[best.index]),
                (table[first.index], table[best.index]),
                len(table),
                chances or {},
            )
            weighed.append((model.extend_gain(row), best))
            if len(weighed) < tries and remaining:
                continue  # weigh the next candidate too
            gain, best = max(weighed, key=lambda t: (t[0], -t[1].index))
            if gain > model.extend_threshold:
                picked.append(best)
            break
        if not picked:
            first_value = best_value
        picked.append(best)
        said_words.update(best.words)
        used += len(best.text) + (1 if used else 0)
    return picked


def _with_lead(
    cleaned_lead: str,
    sentences: list[Sentence],
    table: list[list[float]],
    budget: int,
    model: Model,
) -> str:
    """The lead, plus at most two facts from the body that it does not already say."""
    lead_sentences = prepare(split_sentences(cleaned_lead))
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
    said = [Sentence(-1, lead_text, lead_words, vector_norm(lead_words) or 1.0, 0, 0)]
    # The body is read for what the lead lacks: figures and names; an outcome goes ahead
    # of everything else and background (what came before) is not added to a lead.
    scores = [
        score + model.lead_facts * row[_FACTS] + _OUTCOME_FIRST * (row[_OUTCOME] - row[_BACKGROUND])
        for score, row in zip(model.scores(table), table, strict=True)
    ]
    fresh = [
        s
        for s in sentences
        if not starts_inside_clause(s.text)
        and (
            s.n_tokens >= _LEAD_MIN_TOKENS
            or (s.n_tokens >= _OUTCOME_MIN_TOKENS and table[s.index][_OUTCOME])
        )
    ]
    facts = _pick(fresh, scores, budget, len(lead_text), 2, said, model, 0.85, 0.0)
    return " ".join([lead_text, *(s.text for s in sorted(facts, key=lambda s: s.index))])


def summarize(
    title: str,
    paragraphs: Sequence[str],
    *,
    lead: str | None = None,
    budget: int = 600,
    model: Model | None = None,
) -> str:
    """A summary of at most `budget` characters, ending on a sentence boundary.

    With a lead (sapo), the summary is that lead, cleaned, plus at most two key facts from
    the body that the lead does not already say. Without one, the best-scoring body
    sentence, and a second one when the extension model expects it to add to what the
    first says, read back in story order. If not even one sentence fits, the best one is
    cut at a word boundary with "…". `model` replaces the shipped weights (benchmarks).
    """
    if budget <= 0:
        return ""
    model = model or _default_model()
    sentences = prepare(story_sentences(paragraphs))
    chances = keep_chances(title, sentences, model.idf, model.lead_rates)
    table = rows(title, sentences, model.idf, model.lead_rates, chances)
    cleaned_lead = clean_lead(lead) if lead else ""
    if cleaned_lead:
        return _with_lead(cleaned_lead, sentences, table, budget, model)
    if not sentences:
        return _cut_at_word(collapse_spaces(normalize(title)), budget)
    scores = model.scores(table)
    whole = [s for s in sentences if not starts_inside_clause(s.text)] or sentences
    picked = _pick(
        whole,
        scores,
        budget,
        0,
        len(sentences),
        [],
        model,
        model.max_overlap,
        model.fill,
        table,
        _SECOND_TRIES,
        chances,
    )
    if not picked:
        best = max(whole, key=lambda s: (scores[s.index], -s.index))
        return _cut_at_word(drop_attribution(best.text), budget)
    return " ".join(drop_attribution(s.text) for s in sorted(picked, key=lambda s: s.index))


def extension_choice(
    title: str, paragraphs: Sequence[str], budget: int, model: Model
) -> tuple[str, str, list[float]] | None:
    """The first pick, the second that `summarize` would weigh adding, and the row its
    extension model reads: what `bench/train_summary.py` learns that decision from."""
    sentences = prepare(story_sentences(paragraphs))
    if len(sentences) < 2:
        return None
    chances = keep_chances(title, sentences, model.idf, model.lead_rates)
    table = rows(title, sentences, model.idf, model.lead_rates, chances)
    scores = model.scores(table)
    whole = [s for s in sentences if not starts_inside_clause(s.text)] or sentences
    always = dataclasses.replace(
        model, extend=(0.0,) * len(EXTEND_FEATURES), extend_bias=0.0, extend_threshold=-math.inf
    )
    picked = _pick(
        whole, scores, budget, 0, 2, [], always, model.max_overlap, 0.0, table, 1, chances
    )
    if len(picked) < 2:
        return None
    first, second = picked
    row = extend_row(
        first,
        second,
        (scores[first.index], scores[second.index]),
        (table[first.index], table[second.index]),
        len(table),
        chances,
    )
    both = " ".join(s.text for s in sorted(picked, key=lambda s: s.index))
    return first.text, both, row
