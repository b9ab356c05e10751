"""Every lint rule, proven by example files that declare their own findings.

`tests/examples/negative/<rule-id>/` holds postmortems that break the rule;
`tests/examples/positive/<rule-id>/` holds edge cases that must not trip it.
A case is one Markdown file, or a folder of them for rules that need a
library (duplicate ids, related links). Each file says what it expects:

    <!-- expect: rule=invalid-value line=5 -->
    <!-- expect: rule=missing-section line=16 severity=warning -->

and the real checks must report exactly those (path, rule, line, severity)
findings and no other error. Two directives shape the bytes the test writes:
`<!-- pad-to-bytes: N -->` grows the file to N bytes (for the size limit) and
`<!-- write-as: latin-1 -->` re-encodes it (the repository keeps every
example UTF-8, so editors and formatters can read them). Every case also
runs with Windows line endings and with a byte-order mark: neither may
change a finding.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mkdocs_postmortems import LibraryLoader, Settings
from mkdocs_postmortems.model import Finding, Severity
from mkdocs_postmortems.rules import RULES

EXAMPLES = Path(__file__).resolve().parent / "examples"
TAXONOMY = EXAMPLES / "taxonomy.yml"

# Layered-analysis warnings fire on most examples of other rules (written
# before the rules, with one factor layer and no ruled_out): they count only
# in the examples of their own rule.
OWN_EXAMPLES_ONLY = frozenset(("layer-not-considered", "unaddressed-layer", "systemic-fix"))

# Registered rules proven somewhere else, and where.
PROVEN_ELSEWHERE: dict[str, str] = {
    "taxonomy": "test_schema.py: broken taxonomy files through the CLI",
    "taxonomy-duplicate-id": "test_schema.py: a taxonomy with a category id twice",
    "unreadable": "needs a file the OS refuses to read; the suite runs as any user",
    "schema": "fallback for JSON Schema keywords the postmortem schema does not use",
    "related-hint": "an advisory warning over the whole library, tested with hints.py",
    "regimes": "test_reporting.py: broken regimes files through lint and the build",
    "symlink-outside": "test_site_failclosed.py: links leave docs_dir in real builds",
    "symlink-twice": "test_site_failclosed.py: `mirror -> 2025` in a real build",
    "leftover-file": "test_site_failclosed.py: merge and editor leftovers in a real build",
    "markdown-extension-case": "test_site_failclosed.py: `.MD` files in a real build",
    "meta-file": "test_withheld_routes.py: a .meta.yml with a typo or broken YAML in real builds",
}
ADVISORY_PREFIXES = ("blameless-",)  # language warnings: tested with blameless.py

# The rules this suite proves by example: every registered rule not proven
# elsewhere, so a new rule fails here until it has examples.
RULE_IDS: tuple[str, ...] = tuple(
    rule
    for rule in RULES
    if rule not in PROVEN_ELSEWHERE and not rule.startswith(ADVISORY_PREFIXES)
)

EXPECT = re.compile(r"<!--\s*expect:\s*(?P<fields>[^>]*?)\s*-->")
PAD = re.compile(r"<!--\s*pad-to-bytes:\s*(?P<size>\d+)\s*-->")
WRITE_AS = re.compile(r"<!--\s*write-as:\s*(?P<encoding>[\w-]+)\s*-->")
FILLER = b"Filler text that makes this postmortem as large as the case needs.\n"


@dataclass(frozen=True)
class Expected:
    path: str
    rule: str
    line: int
    severity: str


@dataclass(frozen=True)
class Case:
    kind: str  # "negative" or "positive"
    rule: str
    source: Path  # a file, or a folder of files

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.rule}/{self.source.name}"

    def files(self) -> dict[str, bytes]:
        """The case's files by path relative to the docs folder."""
        if self.source.is_file():
            return {self.source.name: self.source.read_bytes()}
        return {
            p.relative_to(self.source).as_posix(): p.read_bytes()
            for p in sorted(self.source.rglob("*"))
            if p.is_file()
        }


def discover(kind: str) -> list[Case]:
    root = EXAMPLES / kind
    return [
        Case(kind, rule_dir.name, entry)
        for rule_dir in sorted(p for p in root.iterdir() if p.is_dir())
        for entry in sorted(rule_dir.iterdir())
    ]


NEGATIVE = discover("negative")
POSITIVE = discover("positive")


def expectations(files: dict[str, bytes]) -> Counter[Expected]:
    """What the files declare, read as Latin-1 so that any bytes parse."""
    found: Counter[Expected] = Counter()
    for rel, raw in files.items():
        for m in EXPECT.finditer(raw.decode("latin-1")):
            fields = dict(part.split("=", 1) for part in m.group("fields").split())
            found[
                Expected(rel, fields["rule"], int(fields["line"]), fields.get("severity", "error"))
            ] += 1
    return found


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def _bom(raw: bytes) -> bytes:
    return b"\xef\xbb\xbf" + raw


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "lf": lambda raw: raw,
    "crlf": _crlf,
    "bom": _bom,
    "bom-crlf": lambda raw: _bom(_crlf(raw)),
}


def prepare(raw: bytes, variant: str) -> bytes:
    """The bytes written for one variant, re-encoded and grown as declared."""
    text = raw.decode("latin-1")
    write_as = WRITE_AS.search(text)
    if write_as:
        raw = raw.decode("utf-8").encode(write_as.group("encoding"))
    out = VARIANTS[variant](raw)
    pad = PAD.search(text)
    if pad:
        size = int(pad.group("size"))
        filler = VARIANTS["crlf"](FILLER) if "crlf" in variant else FILLER
        out += filler * ((size - len(out)) // len(filler))
        out += b"." * (size - len(out))
        assert len(out) == size
    return out


def lint_case(case: Case, variant: str, tmp_path: Path) -> list[Finding]:
    """Write the case as a docs folder and run the real library checks on it."""
    docs = tmp_path / "docs"
    for rel, raw in case.files().items():
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(prepare(raw, variant))
    docs.mkdir(exist_ok=True)
    library = LibraryLoader().load(docs, Settings(taxonomy=str(TAXONOMY)), tmp_path, docs)
    return library.findings


def relevant(findings: list[Finding], rule: str | None = None) -> Counter[Expected]:
    """Every error, and warnings of the rules proven here: advisory warnings
    (language, related hints) have their own tests, and layered-analysis
    warnings count only in examples of `rule`."""
    return Counter(
        Expected(f.path, f.rule, f.line, str(f.severity))
        for f in findings
        if f.severity is Severity.ERROR
        or (f.rule in RULE_IDS and (f.rule not in OWN_EXAMPLES_ONLY or f.rule == rule))
    )


def _show(findings: list[Finding]) -> str:
    return "\n".join(
        f"  {f.path}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}" for f in findings
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: c.id)
def test_negative_example_gives_exactly_its_declared_findings(
    case: Case, variant: str, tmp_path: Path
) -> None:
    """A negative example yields exactly the findings it declares, its rule among them."""
    expected = expectations(case.files())
    assert any(e.rule == case.rule for e in expected), f"{case.id} declares no {case.rule} finding"
    findings = lint_case(case, variant, tmp_path)
    assert relevant(findings, case.rule) == expected, (
        f"{case.id} ({variant}) reported:\n{_show(findings)}"
    )
    assert [f for f in findings if f.severity not in RULES[f.rule].severities] == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("case", POSITIVE, ids=lambda c: c.id)
def test_positive_example_does_not_trip_its_rule(case: Case, variant: str, tmp_path: Path) -> None:
    """A positive example yields no finding of its rule, and no error at all."""
    expected = expectations(case.files())
    assert not any(e.rule == case.rule for e in expected), f"{case.id} expects its own rule"
    findings = lint_case(case, variant, tmp_path)
    assert relevant(findings, case.rule) == expected, (
        f"{case.id} ({variant}) reported:\n{_show(findings)}"
    )
    assert [f for f in findings if f.severity not in RULES[f.rule].severities] == []
    assert case.rule not in {f.rule for f in findings}


@pytest.mark.parametrize("rule", RULE_IDS)
def test_every_rule_has_a_negative_and_a_positive_example(rule: str) -> None:
    """Each lint rule has at least one example that trips it and one that must not."""
    assert any(c.rule == rule for c in NEGATIVE), f"no tests/examples/negative/{rule}/ case"
    assert any(c.rule == rule for c in POSITIVE), f"no tests/examples/positive/{rule}/ case"


def test_example_folders_are_named_after_known_rules() -> None:
    """Every example folder names a rule of this suite, so a typo cannot hide a case."""
    names = {c.rule for c in NEGATIVE} | {c.rule for c in POSITIVE}
    assert names, "no examples found"
    assert names <= set(RULE_IDS), f"unknown rule folders: {sorted(names - set(RULE_IDS))}"


def test_every_registered_rule_is_proven() -> None:
    """A rule added to the registry fails here until it has examples (or a stated home)."""
    unproven = {
        rule
        for rule in RULES
        if rule not in RULE_IDS
        and rule not in PROVEN_ELSEWHERE
        and not rule.startswith(ADVISORY_PREFIXES)
    }
    assert not unproven, f"rules without examples: {sorted(unproven)}"
    assert set(RULE_IDS) <= set(RULES), f"not registered: {sorted(set(RULE_IDS) - set(RULES))}"


def _rule_ids_in(case_list: list[Case]) -> Iterator[str]:
    for case in case_list:
        for e in expectations(case.files()):
            yield e.rule


def test_declared_severities_are_the_registrys() -> None:
    """Every `expect:` severity is one its rule can have (an override stated in rules.py)."""
    declared = Counter(_expected_in(NEGATIVE)) + Counter(_expected_in(POSITIVE))
    assert declared, "no expectations found"
    wrong = [e for e in declared if e.severity not in {str(s) for s in RULES[e.rule].severities}]
    assert wrong == []
    assert any(e.severity == "warning" and e.rule == "missing-section" for e in declared)


def _expected_in(case_list: list[Case]) -> Iterator[Expected]:
    for case in case_list:
        yield from expectations(case.files())


def test_declared_rules_are_real_rule_ids() -> None:
    """Every `expect: rule=...` names a registered rule, so a misspelt expectation cannot pass."""
    declared = set(_rule_ids_in(NEGATIVE)) | set(_rule_ids_in(POSITIVE))
    assert declared, "no expectations found"
    assert declared <= set(RULES), f"unknown rules in expectations: {sorted(declared - set(RULES))}"
