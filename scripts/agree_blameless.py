"""How far two readers agree on which sentences blame, and how the review
scores against each of them and against what both say.

A recall target means little without the ceiling the labels allow: where two
careful readers, each labelling blind with the same guide, disagree on a
third of the blaming sentences, no review can reach both. The second reading
(`tests/data/blameless-labels-second.tsv`, the same pointer format as
`blameless-labels.tsv`) covers some sources of the first; this script
compares the two on the sentences both labelled.

    python scripts/agree_blameless.py [--first FILE] [--second FILE] [--mirrors DIR]

Without `--mirrors` it needs no text: the labels are compared as pointers.
With `--mirrors` (the folder `eval_blameless.py` reads) it also scores the
review, held out as `eval_blameless.py --only` scores a batch, against the
first reader, the second, and the sentences both call blaming.

`named` counts as not blaming here: it marks a sentence whose flag is
right by spec section 10, not one a reader calls blame.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_blameless as ev

SECOND = ev.ROOT / "tests" / "data" / "blameless-labels-second.tsv"
Key = tuple[str, str, str, str]


def _by_key(labels: list[ev.Label]) -> dict[Key, ev.Label]:
    return {(lb.source, lb.commit, lb.path, lb.sha): lb for lb in labels}


def kappa(pairs: list[tuple[bool, bool]]) -> float:
    """Cohen's kappa of two readers' yes/no calls: agreement beyond chance."""
    n = len(pairs)
    if not n:
        return float("nan")
    seen = sum(a == b for a, b in pairs) / n
    first = sum(a for a, _ in pairs) / n
    second = sum(b for _, b in pairs) / n
    chance = first * second + (1 - first) * (1 - second)
    return 1.0 if chance == 1 else (seen - chance) / (1 - chance)


def _pr(called: set[Key], truth: set[Key]) -> str:
    """Precision and recall of `called` against `truth`, with the counts."""
    right = len(called & truth)
    return (
        f"precision {ev._ratio(right, len(called))} ({right}/{len(called)}), "
        f"recall {ev._ratio(right, len(truth))} ({right}/{len(truth)})"
    )


def agreement(first: list[ev.Label], second: list[ev.Label]) -> tuple[str, set[Key]]:
    """The report on the sentences both readers labelled, and those keys."""
    one, two = _by_key(first), _by_key(second)
    both = one.keys() & two.keys()
    blames1 = {k for k in both if one[k].label == ev.BLAME}
    blames2 = {k for k in both if two[k].label == ev.BLAME}
    pairs = [(k in blames1, k in blames2) for k in both]
    kinds = Counter(one[k].kind for k in blames1 & blames2)
    sources = {k[0] for k in both}
    lines = [
        f"Sentences both readers labelled: {len(both)} from {len(sources)} sources "
        f"({len(two.keys() - one.keys())} of the second reading not in the first)",
        f"Blaming by the first: {len(blames1)}; by the second: {len(blames2)}; "
        f"by both: {len(blames1 & blames2)}",
        f"Cohen's kappa (blame or not): {kappa(pairs):.2f}",
        f"Second reader scored against the first: {_pr(blames2, blames1)}",
        f"First reader scored against the second: {_pr(blames1, blames2)}",
        "Kinds of the sentences both call blaming: "
        + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()),
    ]
    return "\n".join(lines), set(both)


def review_against(first: list[ev.Label], second: list[ev.Label], mirrors: Path) -> str:
    """The held-out review's flags on the shared sentences, scored against
    each reader and against the blame both readers agree on."""
    one, two = _by_key(first), _by_key(second)
    both = one.keys() & two.keys()
    sources = frozenset(k[0] for k in both)
    found, missing, prose = ev.load(first, mirrors)
    if missing:
        print(f"missing mirrors: {', '.join(missing)}", file=sys.stderr)
    flagged = ev.held_out_rules(found, prose, sources)
    flags = {
        key
        for lb in found
        if (key := (lb.source, lb.commit, lb.path, lb.sha)) in both and flagged.get(lb)
    }
    truths = {
        "the first reader": {k for k in both if one[k].label == ev.BLAME},
        "the second reader": {k for k in both if two[k].label == ev.BLAME},
        "both readers": {k for k in both if one[k].label == ev.BLAME and two[k].label == ev.BLAME},
        "either reader": {k for k in both if one[k].label == ev.BLAME or two[k].label == ev.BLAME},
    }
    # A flag on a sentence a reader marked `named` is right by spec section
    # 10, as `eval_blameless.py` counts it; the readers' own calls are not
    # given that credit above, since `named` is not a call of blame.
    named = {k for k in both if ev.NAMED in (one[k].label, two[k].label)}
    lines = [f"The review (held out, {len(flags)} flags on the shared sentences), against:"]
    for name, truth in truths.items():
        right = len(flags & (truth | named))
        caught = len(flags & truth)
        lines.append(
            f"  {name:18} precision {ev._ratio(right, len(flags))} ({right}/{len(flags)}), "
            f"recall {ev._ratio(caught, len(truth))} ({caught}/{len(truth)})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", type=Path, default=ev.LABELS)
    parser.add_argument("--second", type=Path, default=SECOND)
    parser.add_argument("--mirrors", type=Path)
    args = parser.parse_args(argv)
    first, second = ev.read_labels(args.first), ev.read_labels(args.second)
    text, both = agreement(first, second)
    if not both:
        print("the two readings share no sentence", file=sys.stderr)
        return 1
    print(text)
    if args.mirrors:
        print(review_against(first, second, args.mirrors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
