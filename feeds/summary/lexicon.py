"""What training stories teach about syllables: how often a lead keeps each one.

`LeadRates` and the syllable model ship in `weights.json` (from `bench/train_summary.py`);
`keep_chances` turns them into each body syllable's chance of being in this story's lead,
and `expected_f1` into the ROUGE-1 a choice of sentences would get if those chances held:
the measure the summaries are scored by, estimated without the lead.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.text import syllables
from feeds.summary.sentences import STOPWORDS, Sentence


@dataclass(frozen=True)
class LeadRates:
    """For each syllable, the share of training stories whose lead has it among those whose
    body has it; `other` for the syllables too rare to have their own rate."""

    rates: Mapping[str, float]
    other: float
    # The syllable model of `keep_chances` (logistic, over `KEEP_FEATURES`); empty: a
    # syllable's chance is its rate.
    keep_weights: tuple[float, ...] = ()
    keep_bias: float = 0.0


KEEP_FEATURES = (
    "rate",
    "rate_logit",
    "count",  # log(1 + times in the body) / 3
    "spread",  # share of sentences that have it
    "in_title",
    "first_at_0",  # where it first appears
    "first_at_1",
    "first_at_2",
    "first_relpos",
    "rarity",  # corpus IDF
    "figure",
    "stopword",
    "rate*in_title",
    "rate*count",
    "count*in_title",
    "rate*first_at_0",
)


def keep_rows(
    title: str,
    sentences: Sequence[Sentence],
    idf: Mapping[str, float],
    rates: LeadRates,
) -> dict[str, list[float]]:
    """One row of `KEEP_FEATURES` for each distinct syllable of the body."""
    counts: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    first: dict[str, int] = {}
    for s in sentences:
        counts.update(s.tokens)
        spread.update(set(s.tokens))
        for t in s.tokens:
            first.setdefault(t, s.index)
    in_title = {t.lower() for t in syllables(title)}
    n = max(len(sentences), 1)
    last = max(n - 1, 1)
    out = {}
    for t, c in counts.items():
        r = rates.rates.get(t, rates.other)
        clipped = min(max(r, 0.01), 0.99)
        count = math.log1p(c) / 3
        titled = float(t in in_title)
        at = first[t]
        out[t] = [
            r,
            math.log(clipped / (1 - clipped)) / 4,
            count,
            spread[t] / n,
            titled,
            float(at == 0),
            float(at == 1),
            float(at == 2),
            at / last,
            idf.get(t, 1.0),
            float(t[0].isdigit()),
            float(t in STOPWORDS),
            r * titled,
            r * count,
            count * titled,
            r * float(at == 0),
        ]
    return out


def keep_chances(
    title: str, sentences: Sequence[Sentence], idf: Mapping[str, float], rates: LeadRates
) -> dict[str, float]:
    """Each body syllable's chance of being in the story's lead."""
    if not rates.keep_weights:
        return {t: rates.rates.get(t, rates.other) for s in sentences for t in s.tokens}
    chances = {}
    for t, row in keep_rows(title, sentences, idf, rates).items():
        z = rates.keep_bias + sum(map(operator.mul, rates.keep_weights, row))
        chances[t] = 1.0 / (1.0 + math.exp(-z))
    return chances


def expected_f1(sentences: Sequence[Sentence], chances: Mapping[str, float]) -> float:
    """ROUGE-1 F1 of these sentences together if each syllable were in the lead with its
    chance (the lead's length: the chances' sum)."""
    tokens = [t for s in sentences for t in s.tokens]
    if not tokens:
        return 0.0
    overlap = sum(chances.get(t, 0.0) for t in set(tokens))
    return 2 * overlap / (len(tokens) + sum(chances.values()))
