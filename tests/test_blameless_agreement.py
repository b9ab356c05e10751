"""scripts/agree_blameless.py: two blind readings of the same sentences
compared, and the review scored against each and against what both say."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_blameless_structure import _mirror

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import agree_blameless  # noqa: E402
import eval_blameless  # noqa: E402


def test_kappa_is_agreement_beyond_chance() -> None:
    # 8 of 10 agree; each reader says yes 5 times: chance agreement is 0.5.
    pairs = [(True, True)] * 4 + [(False, False)] * 4 + [(True, False), (False, True)]
    assert agree_blameless.kappa(pairs) == pytest.approx(0.6)
    assert agree_blameless.kappa([(True, True), (False, False)]) == pytest.approx(1.0)
    assert agree_blameless.kappa([(True, False), (False, True)]) == pytest.approx(-1.0)


def _rows(commit: str, labels: dict[str, str]) -> str:
    return "\n".join(
        f"someone/outages\t{commit}\tpm.md\t{eval_blameless.sentence_hash(s)}\t{label}\t"
        + ("blameless-person\tself" if label == "blame" else "-\t-")
        for s, label in labels.items()
    )


def test_two_readings_are_compared_on_the_sentences_both_labelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors, commit = _mirror(tmp_path)
    forgot, proxy = "I forgot to renew the certificate.", "The proxy then failed."
    first, second = tmp_path / "first.tsv", tmp_path / "second.tsv"
    first.write_text(_rows(commit, {forgot: "blame", proxy: "blame"}), encoding="utf-8")
    # The second reader calls only the confession blame, and labels one
    # sentence the first did not: it is counted apart, not compared.
    second.write_text(
        _rows(commit, {forgot: "blame", proxy: "ok", "Nobody read it.": "blame"}),
        encoding="utf-8",
    )
    argv = ["--first", str(first), "--second", str(second)]
    assert agree_blameless.main([*argv, "--mirrors", str(mirrors)]) == 0
    out = capsys.readouterr().out
    assert "Sentences both readers labelled: 2 from 1 sources (1 of the second" in out
    assert "Blaming by the first: 2; by the second: 1; by both: 1" in out
    assert "Second reader scored against the first: precision 1.00 (1/1), recall 0.50 (1/2)" in out
    assert "First reader scored against the second: precision 0.50 (1/2), recall 1.00 (1/1)" in out
    # The review flags the confession, not the proxy's failure.
    assert "the first reader   precision 1.00 (1/1), recall 0.50 (1/2)" in out
    assert "both readers       precision 1.00 (1/1), recall 1.00 (1/1)" in out
    second.write_text(_rows(commit, {"Nobody read it.": "blame"}), encoding="utf-8")
    assert agree_blameless.main(argv) == 1
    assert "share no sentence" in capsys.readouterr().err


def test_the_shipped_second_reading_is_pointers_into_the_first() -> None:
    """The second reading holds pointers only, to sentences the first labelled."""
    first = {
        (lb.source, lb.commit, lb.path, lb.sha)
        for lb in eval_blameless.read_labels(eval_blameless.LABELS)
    }
    second = eval_blameless.read_labels(agree_blameless.SECOND)
    assert len(second) > 1000
    for lb in second:
        assert lb.label in ("blame", "named", "ok"), lb
        assert (lb.source, lb.commit, lb.path, lb.sha) in first, lb
