"""The sentence scorer's weights: a linear model over `FEATURES`, shipped as JSON.

`bench/train_summary.py` writes `weights.json` from VietNews training stories and checks
that it reproduces the shipped file exactly; nothing is learned at run time.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from feeds.summary.features import EXTEND_FEATURES, FEATURES
from feeds.summary.lexicon import KEEP_FEATURES, LeadRates


@dataclass(frozen=True)
class Model:
    """Weights per feature, and the constants of choosing sentences by their scores.

    `logistic` models score in (0, 1), a sentence's chance of being what the lead says;
    the others score on the raw weighted sum (the hand-tuned weights of old).
    """

    weights: tuple[float, ...]
    bias: float
    logistic: bool
    redundancy: float  # score lost per unit of cosine with what is already picked
    max_overlap: float  # never pick a sentence this close to one already picked
    fill: float  # stop when the next pick is worth less than this share of the first
    lead_facts: float  # with a lead, extra score per unit of figures and names
    # Without a lead: a second linear model over `EXTEND_FEATURES` that predicts how much
    # adding the next pick changes the summary's ROUGE-1; it is added only when that gain
    # is above `extend_threshold`, and nothing after it. `None`: the `fill` rule decides.
    extend: tuple[float, ...] | None = None
    extend_bias: float = 0.0
    extend_threshold: float = 0.0
    # How rare each syllable is across the training stories' bodies, in [0, 1]; a syllable
    # not listed counts as 1 (rarer than any listed).
    idf: Mapping[str, float] = field(default_factory=dict, compare=False)
    lead_rates: LeadRates = field(default_factory=lambda: LeadRates({}, 0.0), compare=False)

    def scores(self, rows: list[list[float]]) -> list[float]:
        out = []
        for row in rows:
            z = self.bias + sum(map(operator.mul, self.weights, row))
            out.append(1.0 / (1.0 + math.exp(-z)) if self.logistic else z)
        return out

    def extend_gain(self, row: list[float]) -> float:
        """The predicted change in ROUGE-1 from adding a second sentence."""
        assert self.extend is not None
        return self.extend_bias + float(sum(map(operator.mul, self.extend, row)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        weights = data["weights"]
        if tuple(weights) != FEATURES:
            missing = sorted(set(FEATURES) - set(weights))
            extra = sorted(set(weights) - set(FEATURES))
            raise ValueError(f"weights for other features: missing {missing}, extra {extra}")
        selection = data["selection"]
        extend = data.get("extend")
        if extend is not None and tuple(extend["weights"]) != EXTEND_FEATURES:
            raise ValueError("extension weights for other features")
        keep = data.get("keep", {"weights": {}, "bias": 0.0})
        if keep["weights"] and tuple(keep["weights"]) != KEEP_FEATURES:
            raise ValueError("syllable model weights for other features")
        return cls(
            weights=tuple(float(weights[name]) for name in FEATURES),
            bias=float(data["bias"]),
            logistic=data["link"] == "logistic",
            redundancy=float(selection["redundancy"]),
            max_overlap=float(selection["max_overlap"]),
            fill=float(selection["fill"]),
            lead_facts=float(selection["lead_facts"]),
            extend=None
            if extend is None
            else tuple(float(extend["weights"][name]) for name in EXTEND_FEATURES),
            extend_bias=0.0 if extend is None else float(extend["bias"]),
            extend_threshold=0.0 if extend is None else float(extend["threshold"]),
            idf={k: float(v) for k, v in data.get("idf", {}).items()},
            lead_rates=LeadRates(
                {k: float(v) for k, v in data.get("lead_rates", {}).items()},
                float(data.get("lead_rate_other", 0.0)),
                tuple(float(keep["weights"][name]) for name in keep["weights"]),
                float(keep["bias"]),
            ),
        )

    @classmethod
    def load(cls, path: Path) -> Model:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def shipped() -> Model:
    """The trained weights that ship with the package."""
    text = resources.files("feeds.summary").joinpath("weights.json").read_text(encoding="utf-8")
    return Model.from_json(json.loads(text))
