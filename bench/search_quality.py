"""Search quality on the VietNews dev sample: recall@5, MRR, nDCG@10, by kind of query.

    .venv/bin/python bench/search_quality.py [--shared ../shared] [--misses]

The queries and the stories they must find are tests/search/queries.toml; the corpus
(the first 400 dev stories) is built in a temporary database, as the test does.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.store import Store  # noqa: E402
from tests.search.quality import build_corpus, evaluate, load_queries, summary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--misses", action="store_true", help="list queries not answered fully")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "quality.sqlite3")
        try:
            ids = build_corpus(store, Path(args.shared))
            outcomes = evaluate(store, ids, load_queries())
        finally:
            store.close()
    by_kind = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.query.kind].append(outcome)
    report = {
        "corpus": len(ids),
        **summary(outcomes),
        "by_kind": {kind: summary(items) for kind, items in sorted(by_kind.items())},
        "reproduce": ".venv/bin/python bench/search_quality.py",
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.misses:
        for outcome in outcomes:
            if outcome.recall_at_5 < 1.0:
                print(f"✗ {outcome.query.q!r} want {outcome.query.ids} got {outcome.found[:5]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
