"""The sentence scorer's weights: a linear model over `FEATURES`, shipped as JSON.

`bench/train_summary.py` writes `weights.json` from VietNews training stories and checks
that it reproduces the shipped file exactly; nothing is learned at run time.
"""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from feeds.summary.features import FEATURES


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

    def scores(self, rows: list[list[float]]) -> list[float]:
        out = []
        for row in rows:
            z = self.bias + sum(map(operator.mul, self.weights, row))
            out.append(1.0 / (1.0 + math.exp(-z)) if self.logistic else z)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        weights = data["weights"]
        if tuple(weights) != FEATURES:
            missing = sorted(set(FEATURES) - set(weights))
            extra = sorted(set(weights) - set(FEATURES))
            raise ValueError(f"weights for other features: missing {missing}, extra {extra}")
        selection = data["selection"]
        return cls(
            weights=tuple(float(weights[name]) for name in FEATURES),
            bias=float(data["bias"]),
            logistic=data["link"] == "logistic",
            redundancy=float(selection["redundancy"]),
            max_overlap=float(selection["max_overlap"]),
            fill=float(selection["fill"]),
            lead_facts=float(selection["lead_facts"]),
        )

    @classmethod
    def load(cls, path: Path) -> Model:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def shipped() -> Model:
    """The trained weights that ship with the package."""
    text = resources.files("feeds.summary").joinpath("weights.json").read_text(encoding="utf-8")
    return Model.from_json(json.loads(text))
