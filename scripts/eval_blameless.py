"""Evaluate the blameless review on labelled sentences of public postmortems.

The labels live in `tests/data/blameless-labels.tsv` as pointers, never as
text: source repository, commit, path, and a hash of the sentence, with the
label given by reading the sentence before the review ran on it. This script
reads the sentences again from mirrors of those repositories (bare git
directories, one per repository, named `owner+name/repo` (or its `.git`) or `owner+name`
under the folder given), runs the review on each, and prints precision and
recall per rule and overall, leave-one-source-out: the learned part of the
review (the predicates that make a person's action a slip) is rebuilt for
each source from the other sources' labels only, so no source is scored by
weights it helped build. A source whose mirror is missing is named and
skipped.

    python scripts/eval_blameless.py MIRRORS [--labels FILE] [--list SOURCE]
    python scripts/eval_blameless.py MIRRORS --written tests/data/blameless-written.tsv

`--list owner/name` prints that source's sentences with their hashes, which
is how new labels are written (read each sentence, then label it).
`--only owner/name` (repeatable) scores just those sources, as one batch held
out: the learned part is built from the other sources only, so a batch
labelled before the review ran on it is scored by the review as it stood.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "blameless-labels.tsv"
BLAME = "blame"
NAMED = "named"
FIELDS = ("source", "commit", "path", "sha", "label", "rule", "kind")

# Markdown around the prose, removed before sentences are split: front
# matter, fences, HTML tags, link targets, emphasis, table rules, headings.
_FENCE = re.compile(r"^\s*(```|~~~)")
_TAG = re.compile(r"<[^<>\n]{0,300}>")
_LINK = re.compile(r"!?\[([^\[\]\n]{0,300})\]\([^()\n]{0,500}\)")
_MARKS = re.compile(r"[*_`]{1,3}")
_LEAD = re.compile(r"^\s{0,12}(?:[-*+]\s+|\d{1,3}[.)]\s+|#{1,6}\s+|>\s*)*")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")


@dataclass(frozen=True)
class Label:
    source: str
    commit: str
    path: str
    sha: str
    label: str
    rule: str
    kind: str


def sentence_hash(sentence: str) -> str:
    return hashlib.sha256(" ".join(sentence.split()).encode()).hexdigest()[:16]


def _paragraphs(markdown: str) -> Iterator[str]:
    lines = markdown.split("\n")
    if lines and lines[0].strip() in ("---", "+++"):
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == lines[0].strip()), 0)
        lines = lines[end + 1 :]
    fenced = False
    block: list[str] = []
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or line.startswith(("    ", "\t")) or set(line.strip()) <= set("|-: "):
            if block:
                yield " ".join(block)
            block = []
            continue
        item = _LEAD.sub("", line).strip()
        if line.lstrip().startswith(("-", "*", "+", "#", "|")) or re.match(r"\s*\d+[.)]", line):
            if block:
                yield " ".join(block)
            block = []
        block.append(item.strip("| "))
    if block:
        yield " ".join(block)


def sentences(markdown: str) -> Iterator[str]:
    """The prose sentences of a Markdown file, as plain text."""
    for paragraph in _paragraphs(markdown):
        text = _MARKS.sub("", _LINK.sub(r"\1", _TAG.sub(" ", paragraph)))
        for s in _SPLIT.split(" ".join(text.split())):
            if len(s.split()) >= 3 and re.search(r"[a-z]", s):
                yield s


def _mirror(mirrors: Path, source: str) -> Path | None:
    base = mirrors / source.replace("/", "+")
    # A snapshot fetched with its work tree keeps its git directory in `.git`.
    for candidate in (base / "repo", base / "repo" / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    return None


def _show(git_dir: Path, commit: str, path: str) -> str | None:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def read_labels(path: Path) -> list[Label]:
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(FIELDS) or cells[0] == "source":
            continue
        labels.append(Label(*cells))
    return labels


Prose = dict[tuple[str, str, str], str]
# The Markdown of each file read, without front matter and code: the review
# reads the heading a sentence sits under from it.
_MARKDOWN: dict[tuple[str, str, str], str] = {}


def _outline_text(markdown: str) -> str:
    """`markdown` with its front matter and fenced code emptied, line for line
    (a `#` comment in code is no heading)."""
    lines = markdown.split("\n")
    if lines and lines[0].strip() in ("---", "+++"):
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == lines[0].strip()), 0)
        lines[: end + 1] = [""] * (end + 1)
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            lines[i] = ""
        elif fenced:
            lines[i] = ""
    return "\n".join(lines)


def load(labels: list[Label], mirrors: Path) -> tuple[dict[Label, str], list[str], Prose]:
    """The sentence of each label found, a line for each thing missing, and
    the prose of each file read (the review reads a sentence with its
    document's words, which tell a name from a common word)."""
    found: dict[Label, str] = {}
    missing: list[str] = []
    files: dict[tuple[str, str, str], dict[str, str] | None] = {}
    prose: Prose = {}
    for label in labels:
        key = (label.source, label.commit, label.path)
        if key not in files:
            git_dir = _mirror(mirrors, label.source)
            text = _show(git_dir, label.commit, label.path) if git_dir else None
            if git_dir is None:
                missing.append(f"{label.source}: no mirror under {mirrors}")
            elif text is None:
                missing.append(f"{label.source}: {label.path} at {label.commit[:12]} not found")
            files[key] = None if text is None else {sentence_hash(s): s for s in sentences(text)}
            if text is not None:
                prose[key] = " ".join(sentences(text))
                _MARKDOWN[key] = _outline_text(text)
        by_hash = files[key]
        if by_hash is None:
            continue
        if label.sha in by_hash:
            found[label] = by_hash[label.sha]
        else:
            missing.append(f"{label.source}: sentence {label.sha} not in {label.path}")
    return found, sorted(set(missing)), prose


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def _key(label: Label) -> tuple[str, str, str]:
    return label.source, label.commit, label.path


def held_out_rules(
    found: dict[Label, str], prose: Prose, only: frozenset[str] = frozenset()
) -> dict[Label, set[str]]:
    """The rules the review reports on each sentence, with the learned part
    rebuilt without the sentence's source, and the sentence read with the
    words of its own document, as the review reads it in a postmortem.
    With `only`, just those sources are scored, and the learned part is
    built without any of them (a batch held out as a whole)."""
    sys.path.insert(0, str(ROOT))
    from plugin.check.blameless import sentence_rules
    from plugin.check.blameless_learned import learn_slips
    from plugin.check.blameless_sections import DocumentWords

    rules: dict[Label, set[str]] = {}
    common = {key: DocumentWords(text, _MARKDOWN.get(key)) for key, text in prose.items()}
    if only:
        batch = [(s, lb.label == BLAME) for lb, s in found.items() if lb.source not in only]
        batch_slips = learn_slips(batch)
    for source in sorted({lb.source for lb in found} & only or {lb.source for lb in found}):
        if only:
            slips = batch_slips
        else:
            training = [(s, lb.label == BLAME) for lb, s in found.items() if lb.source != source]
            slips = learn_slips(training)
        for label in (lb for lb in found if lb.source == source):
            rules[label] = sentence_rules(found[label], slips, common.get(_key(label)))
    return rules


def evaluate(
    found: dict[Label, str], prose: Prose | None = None, only: frozenset[str] = frozenset()
) -> tuple[Counter[tuple[str, str]], dict[str, Counter[str]]]:
    """Leave-one-source-out counts, by (rule, outcome) and by source. A flag on
    a sentence labelled `named` is right (spec section 10) and its absence is
    no miss; recall counts only sentences labelled `blame`."""
    flagged = held_out_rules(found, prose or {}, only)
    counts: Counter[tuple[str, str]] = Counter()
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    by_source: dict[str, list[Label]] = defaultdict(list)
    for label in flagged:
        by_source[label.source].append(label)
    for source, held_out in sorted(by_source.items()):
        for label in held_out:
            rules = flagged[label]
            per_source[source][label.label] += 1
            right = label.label in (BLAME, NAMED)
            missed = "fn" if label.label == BLAME else "tn"
            outcome = ("tp" if right else "fp") if rules else missed
            counts[("overall", outcome)] += 1
            per_source[source][outcome] += 1
            per_source[source]["caught"] += label.label == BLAME and bool(rules)
            for rule in rules:
                counts[(rule, "tp" if right else "fp")] += 1
            if label.label == BLAME:
                counts[(label.rule, "gold")] += 1
                counts[(label.rule, "caught")] += label.rule in rules
                counts[(label.kind, "kind-gold")] += 1
                counts[(label.kind, "kind-caught")] += bool(rules)
    return counts, per_source


WRITTEN = ROOT / "tests" / "data" / "blameless-written.tsv"


def read_written(path: Path) -> list[tuple[str, str, str, str]]:
    """(label, kind, genre, sentence) of each row of a written set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if not line.startswith("#") and len(cells) == 4 and cells[0] in (BLAME, "ok"):
            rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


def score_written(path: Path) -> str:
    """Precision and recall of the review on a written set, overall and by
    who is blamed (each sentence read alone, as a one-line document)."""
    sys.path.insert(0, str(ROOT))
    from plugin.check.blameless import sentence_rules

    flags = Counter[str]()
    gold, caught = Counter[str](), Counter[str]()
    for label, kind, _, sentence in read_written(path):
        flagged = bool(sentence_rules(sentence))
        flags[f"{label}-{flagged}"] += 1
        if label == BLAME:
            gold[kind] += 1
            caught[kind] += flagged
    tp, fp = flags[f"{BLAME}-True"], flags["ok-True"]
    blame = sum(gold.values())
    kinds = ", ".join(f"{k} {caught[k]}/{n}" for k, n in sorted(gold.items()))
    return (
        f"Written set {path.name}: {sum(flags.values())} sentences, {blame} blaming; "
        f"precision {_ratio(tp, tp + fp)} ({tp}/{tp + fp}), recall {_ratio(tp, blame)} "
        f"({tp}/{blame}); by kind: {kinds}"
    )


SLIPS_MODULE = ROOT / "plugin" / "check" / "blameless_slips.py"


def write_slips(found: dict[Label, str]) -> str:
    """Learn the slip verbs from every label and write the module that ships them."""
    sys.path.insert(0, str(ROOT))
    from plugin.check.blameless_learned import learn_slips

    slips = sorted(learn_slips((s, lb.label == BLAME) for lb, s in found.items()))
    items = "".join(f'    "{v}",\n' for v in slips)
    SLIPS_MODULE.write_text(
        '"""Generated by `scripts/eval_blameless.py --write-slips`: do not edit.\n\n'
        "Slip verbs learned from every labelled sentence in tests/data/blameless-labels.tsv.\n"
        '"""\n\n'
        f"LEARNED_SLIPS: tuple[str, ...] = ({chr(10) + items if slips else ''})\n",
        encoding="utf-8",
    )
    return f"wrote {len(slips)} learned slip verbs to {SLIPS_MODULE.relative_to(ROOT)}: {slips}"


def mistakes(found: dict[Label, str], prose: Prose, only: frozenset[str] = frozenset()) -> str:
    """Each wrong flag and each miss (held out, as counted), with the
    sentence, to read where the review errs."""
    flagged = held_out_rules(found, prose, only)
    out = []
    for label, rules in flagged.items():
        sentence = found[label]
        if rules and label.label not in (BLAME, NAMED):
            out.append(f"wrong flag {sorted(rules)} {label.source} {label.sha}: {sentence}")
        elif not rules and label.label == BLAME:
            out.append(f"missed {label.rule}/{label.kind} {label.source} {label.sha}: {sentence}")
    return "\n".join(sorted(out))


def report(
    found: dict[Label, str], missing: list[str], prose: Prose, only: frozenset[str] = frozenset()
) -> str:
    counts, per_source = evaluate(found, prose, only)
    out = []
    if missing:
        out.append("Missing (skipped):")
        out += [f"  {m}" for m in missing]
    out.append("Per source (held out): blame named ok | right-flags wrong-flags missed | P R")
    for source, c in sorted(per_source.items()):
        out.append(
            f"  {source:48} {c[BLAME]:3} {c[NAMED]:3} {c['ok']:3} | {c['tp']:3} {c['fp']:3} "
            f"{c['fn']:3} | {_ratio(c['tp'], c['tp'] + c['fp'])} "
            f"{_ratio(c['caught'], c[BLAME])}"
        )
    out.append("Per rule (held out): flags right wrong | precision | blaming caught-by-rule recall")
    rules = sorted({r for r, o in counts if o in ("tp", "fp", "gold")} - {"overall"})
    for rule in rules:
        tp, fp = counts[(rule, "tp")], counts[(rule, "fp")]
        gold, caught = counts[(rule, "gold")], counts[(rule, "caught")]
        out.append(
            f"  {rule:28} {tp + fp:4} {tp:4} {fp:4} | {_ratio(tp, tp + fp)} | "
            f"{gold:4} {caught:4} {_ratio(caught, gold)}"
        )
    out.append("By kind of blame (held out): blaming caught-by-any-rule recall")
    for kind in sorted({k for k, o in counts if o == "kind-gold"}):
        gold, caught = counts[(kind, "kind-gold")], counts[(kind, "kind-caught")]
        out.append(f"  {kind:28} {gold:4} {caught:4} {_ratio(caught, gold)}")
    tp, fp, fn = counts[("overall", "tp")], counts[("overall", "fp")], counts[("overall", "fn")]
    blaming = sum(c[BLAME] for c in per_source.values())
    scored = sum(c[BLAME] + c[NAMED] + c["ok"] for c in per_source.values())
    caught = blaming - fn
    out.append(
        f"Overall (held out): {scored} sentences, {blaming} blaming; "
        f"precision {_ratio(tp, tp + fp)} ({tp}/{tp + fp}), recall {_ratio(caught, blaming)} "
        f"({caught}/{blaming})"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirrors", type=Path, help="folder of bare git mirrors (owner+name)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--list", metavar="SOURCE", help="print a source's sentences to label")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument(
        "--write-slips",
        action="store_true",
        help="learn the slip verbs from every label and write plugin/check/blameless_slips.py",
    )
    parser.add_argument(
        "--show", action="store_true", help="also print each wrong flag and each miss"
    )
    parser.add_argument(
        "--only",
        metavar="SOURCE",
        action="append",
        default=[],
        help="score only this source (repeatable); the learned part is built without any of them",
    )
    parser.add_argument(
        "--written",
        type=Path,
        metavar="FILE",
        help=f"score the review on a written set instead (e.g. {WRITTEN.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    if args.written:
        if not args.written.is_file():
            print(f"no written set at {args.written}", file=sys.stderr)
            return 2
        print(score_written(args.written))
        return 0
    if args.list:
        git_dir = _mirror(args.mirrors, args.list)
        if git_dir is None:
            print(f"{args.list}: no mirror under {args.mirrors}", file=sys.stderr)
            return 2
        for path in args.path:
            text = _show(git_dir, args.commit, path)
            if text is None:
                print(f"{args.list}: {path} at {args.commit} not found", file=sys.stderr)
                continue
            for s in sentences(text):
                print(f"{sentence_hash(s)}\t{path}\t{s}")
        return 0
    if not args.labels.is_file():
        print(f"no labels at {args.labels}", file=sys.stderr)
        return 2
    found, missing, prose = load(read_labels(args.labels), args.mirrors)
    if not found:
        print("\n".join(["No labelled sentence could be read.", *missing]), file=sys.stderr)
        return 2
    only = frozenset(args.only)
    unknown = sorted(only - {lb.source for lb in found})
    if unknown:
        print(f"--only: no readable label for {', '.join(unknown)}", file=sys.stderr)
        return 2
    if only:
        missing = [m for m in missing if m.split(":", 1)[0] in only]
    print(report(found, missing, prose, only))
    if args.write_slips:
        print(write_slips(found))
    if args.show:
        print(mistakes(found, prose, only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
