"""Hostile input costs time linear in its size and ends in findings, never a
hang, a crash or a page the build cannot write.

The linear-time tests lint one hostile file at two sizes, ten times apart,
and compare the best of a few timings: linear work grows about 10x, work that
backtracks or rescans grows about 100x. The bound (30x) is far from both, so
a noisy machine cannot make it flake. Blameless-language review is switched
off in these files (`x-blameless: off`): its own linear-time test lives with
blameless.py.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import POSTMORTEMS, REPO, postmortem_text, run_cli
from mkdocs_postmortems import LibraryLoader, Settings
from mkdocs_postmortems.check.body import MAX_LINE_CHARS, check_body
from mkdocs_postmortems.model import Finding
from mkdocs_postmortems.parse.frontmatter import parse_yaml, split

TAXONOMY = REPO / "schema" / "taxonomy.yml"
MAX_RATIO = 30
RUNS = 3


def _pm(body: str = "", **overrides: object) -> str:
    """A valid postmortem with front-matter overrides and text added to its body."""
    return postmortem_text(**{"x-blameless": "off", **overrides}) + body


def _lint(docs: Path) -> list[Finding]:
    return LibraryLoader().load(docs, Settings(taxonomy=str(TAXONOMY)), docs, docs).findings


# name -> (file text for size n, small n); the large size is 10 n.
HOSTILE: dict[str, tuple[Callable[[int], str], int]] = {
    "summary with a run of spaces": (lambda n: _pm(summary=f"'a{' ' * n}b'"), 20_000),
    "body of '['": (lambda n: _pm("[" * n), 200_000),
    "body of lines of '['": (lambda n: _pm(("[" * 1999 + "\n") * (n // 2000)), 200_000),
    "body of '<a '": (lambda n: _pm("<a " * (n // 3)), 200_000),
    "body of '](' ": (lambda n: _pm("[](" * (n // 3)), 200_000),
    # Small enough that the backtracking regex this replaced fails, not hangs.
    "heading with a run of spaces": (lambda n: _pm(f"\n## a{' ' * n}b\n"), 1_000),
    "system slug of 'a-'": (lambda n: _pm(systems=f"[{'a-' * (n // 2)}a]"), 20_000),
    "id of digits": (lambda n: _pm(id=f"INC-2025-{'1' * n}"), 20_000),
    "unknown key": (lambda n: _pm(**{"k" * n: "v"}), 20_000),
    "title of '=' and '<<' runs": (lambda n: _pm(title=f"'{'=<' * (n // 2)}'"), 20_000),
}


def _best_lint_time(tmp_path: Path, text: str) -> tuple[float, list[Finding]]:
    docs = tmp_path / "docs"
    docs.mkdir(parents=True)
    (docs / "INC-2025-014.md").write_text(text, encoding="utf-8")
    best, findings = float("inf"), []
    for _ in range(RUNS):
        start = time.perf_counter()
        findings = _lint(docs)
        best = min(best, time.perf_counter() - start)
    return best, findings


@pytest.mark.parametrize("name", HOSTILE)
def test_lint_time_grows_linearly_with_hostile_input(name: str, tmp_path: Path) -> None:
    """Ten times the hostile input costs far less than a hundred times the lint time."""
    make, n = HOSTILE[name]
    small, _ = _best_lint_time(tmp_path / "small", make(n))
    large, findings = _best_lint_time(tmp_path / "large", make(10 * n))
    ratio = large / small
    print(f"{name}: {n:,} -> {10 * n:,}: {small:.4f}s -> {large:.4f}s, ratio {ratio:.1f}")
    assert ratio < MAX_RATIO, f"{name}: 10x input took {ratio:.1f}x the time"
    assert all(f.line >= 1 for f in findings)


def test_long_line_of_brackets_is_refused_before_markdown(write_site: Callable[..., Path]) -> None:
    """A 2 MB line of '[' fails lint and the build with findings, in seconds, not hours."""
    site = write_site({"INC-2025-014.md": _pm("[" * 2_000_000)})
    lint = run_cli("lint", cwd=site)
    assert lint.returncode == 1
    assert "error line-too-long:" in lint.stdout
    assert f"limited to {MAX_LINE_CHARS:,} characters" in lint.stdout
    assert "error body-too-complex:" in lint.stdout
    build = _mkdocs_build(site)
    assert build.returncode == 1
    assert "line-too-long" in build.stderr
    assert not (site / "site" / "incidents").exists()


def _mkdocs_build(site: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(POSTMORTEMS.with_name("mkdocs")), "build", "-q"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def _site_with_taxonomy(write_site: Callable[..., Path], taxonomy: str) -> Path:
    site = write_site({"INC-2025-014.md": postmortem_text()})
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(f"taxonomy: {TAXONOMY}", f"taxonomy: {taxonomy}"), encoding="utf-8"
    )
    return site


def test_taxonomy_fifo_is_a_finding_not_a_hang(write_site: Callable[..., Path]) -> None:
    """A FIFO as the taxonomy file gives a `taxonomy` error and exit 1 (a hang times out)."""
    site = _site_with_taxonomy(write_site, "tax.yml")
    os.mkfifo(site / "tax.yml")
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 1
    assert "tax.yml:1:1: error taxonomy: this is not a regular file" in proc.stdout


def test_taxonomy_linked_to_dev_zero_is_a_finding(write_site: Callable[..., Path]) -> None:
    """A taxonomy that links to /dev/zero is refused without reading it (no MemoryError)."""
    site = _site_with_taxonomy(write_site, "tax.yml")
    (site / "tax.yml").symlink_to("/dev/zero")
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 1
    assert "tax.yml:1:1: error taxonomy: this is not a regular file" in proc.stdout
    build = _mkdocs_build(site)
    assert build.returncode == 1
    assert "error taxonomy: this is not a regular file" in build.stderr


def test_oversized_taxonomy_is_refused(write_site: Callable[..., Path]) -> None:
    """A taxonomy file over 2 MiB is a `file-too-large` error naming the taxonomy."""
    site = _site_with_taxonomy(write_site, "tax.yml")
    (site / "tax.yml").write_bytes(b"#" * (2 * 1024 * 1024 + 1))
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 1
    assert "tax.yml:1:1: error file-too-large: the taxonomy file is 2,097,153 bytes" in proc.stdout


@pytest.mark.parametrize(
    "override",
    [{"id": '"INC-2025-014\\n"'}, {"systems": '["support-assistant\\n"]'}],
    ids=["id", "system"],
)
def test_value_ending_in_a_newline_is_refused(
    override: dict[str, str], write_site: Callable[..., Path]
) -> None:
    """An id or slug ending in a line break fails lint and the build: no second page."""
    site = write_site({"INC-2025-014.md": postmortem_text(**override)})
    lint = run_cli("lint", cwd=site)
    assert lint.returncode == 1
    assert "error invalid-format:" in lint.stdout
    build = _mkdocs_build(site)
    assert build.returncode == 1
    assert "invalid-format" in build.stderr
    built = site / "site"
    assert not built.exists() or not [p for p in built.rglob("*") if "\n" in p.name]


def test_300_character_slug_fails_lint_not_the_file_system(
    write_site: Callable[..., Path],
) -> None:
    """A 300-character system slug is a `too-long` error in lint and the build."""
    slug = "a" * 300
    site = write_site({"INC-2025-014.md": postmortem_text(systems=f"[{slug}]")})
    lint = run_cli("lint", cwd=site)
    assert lint.returncode == 1
    assert "error too-long: systems[0] is 300 characters long; the limit is 100" in lint.stdout
    build = _mkdocs_build(site)
    assert build.returncode == 1
    assert "File name too long" not in build.stderr
    assert "too-long" in build.stderr


def test_limits_leave_a_slug_and_id_at_the_limit_buildable(
    write_site: Callable[..., Path],
) -> None:
    """A 100-character slug and a 64-character id build: the limits refuse nothing writable."""
    pm_id = "INC-2025-" + "1" * 55
    slug = "a" * 100
    site = write_site({f"{pm_id}.md": postmortem_text(id=pm_id, systems=f"[{slug}]")})
    assert run_cli("lint", cwd=site).returncode == 0
    build = _mkdocs_build(site)
    assert build.returncode == 0, build.stderr
    assert (site / "site" / "incidents" / pm_id / "index.html").is_file()
    assert (site / "site" / "systems" / slug / "index.html").is_file()


def test_new_beside_an_id_of_5000_digits(write_site: Callable[..., Path]) -> None:
    """`postmortems new` numbers past the library's ids even beside a 5,000-digit one."""
    huge = "INC-2025-" + "9" * 5000
    site = write_site(
        {
            "2025/INC-2025-007.md": postmortem_text(id="INC-2025-007"),
            f"2025/{huge[:200]}.md": postmortem_text(id=huge),
        }
    )
    proc = run_cli(
        "new", "Assistant quoted a stale policy", "--severity", "SEV3", "--system", "bot",
        "--date", "2025-06-01", cwd=site,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (site / "docs" / "2025" / "INC-2025-008-assistant-quoted-a-stale-policy.md").is_file()


MERGED = """\
base: &base
  layer: model
  category: hallucination
  summary: shared
factors:
  - category: wrong-one
    <<: *base
    summary: own
    summary: again
  - <<: *base
    extra: 1
title: =
summary: <<
"""


def test_merge_keys_keep_positions_where_keys_are_written() -> None:
    """A key written beside `<<` keeps its own line; a merged one is placed at its `<<`."""
    parsed = parse_yaml(MERGED, "x.md", line_offset=1)
    assert parsed.data["factors"][0] == {
        "category": "wrong-one",
        "summary": "again",
        "layer": "model",
    }
    assert parsed.keys[("factors", 0, "category")].line == 7
    assert parsed.keys[("factors", 0, "summary")].line == 10
    assert parsed.keys[("factors", 0, "layer")].line == 8
    assert parsed.values[("factors", 0, "layer")].line == 3
    assert parsed.keys[("factors", 1, "layer")].line == 11
    assert parsed.keys[("factors", 1, "extra")].line == 12


def test_duplicate_key_message_names_where_it_was_first_written() -> None:
    """The duplicate-key message names the line of the first `summary` beside the merge."""
    parsed = parse_yaml(MERGED, "x.md", line_offset=1)
    dups = [f for f in parsed.findings if f.rule == "yaml-duplicate-key"]
    assert [(f.line, f.message) for f in dups] == [
        (
            10,
            "key 'summary' is written twice (first written on line 9); keep one, the later "
            "value is used",
        )
    ]


def test_plain_equals_and_merge_sign_values_are_text() -> None:
    """`title: =` and `summary: <<` are strings, not refused YAML tags."""
    parsed = parse_yaml(MERGED, "x.md")
    assert parsed.data["title"] == "="
    assert parsed.data["summary"] == "<<"
    assert not [f for f in parsed.findings if f.rule == "yaml-tag"]


@pytest.mark.parametrize(
    ("name", "raw", "rule"),
    [
        ("empty file", b"", "front-matter-missing"),
        ("one byte over the limit", b"---\n" + b"a" * (2 * 1024 * 1024 - 3), "file-too-large"),
        ("carriage returns only", b"\r" * 10_000, "front-matter-missing"),
        ("BOM then an unclosed ---", b"\xef\xbb\xbf---\n", "front-matter-unclosed"),
        (
            "lists nested 400 deep",
            postmortem_text(**{"x-blameless": "off"}).encode()
            + b"".join(b" " * (4 * i) + b"- a\n" for i in range(400)),
            "body-too-complex",
        ),
    ],
)
def test_hostile_files_end_in_findings(
    name: str, raw: bytes, rule: str, write_site: Callable[..., Path]
) -> None:
    """Odd files named like postmortems give their finding in lint and the build."""
    site = write_site({})
    (site / "docs" / "INC-2025-014.md").write_bytes(raw)
    lint = run_cli("lint", cwd=site)
    assert lint.returncode == 1
    assert f"error {rule}:" in lint.stdout, lint.stdout
    build = _mkdocs_build(site)
    assert build.returncode == 1
    assert rule in build.stderr


def test_folder_named_like_a_postmortem_is_not_a_crash(write_site: Callable[..., Path]) -> None:
    """A folder called INC-2025-014.md is walked as a folder, and lint still runs."""
    site = write_site({"INC-2025-014.md/INC-2025-015.md": postmortem_text(id="INC-2025-015")})
    lint = run_cli("lint", cwd=site)
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize(
    ("layer_id", "message"),
    [
        ('"model\\n"', "must be written like 'model'"),
        ("m" * 101, "is 101 characters long; the limit is 100"),
    ],
    ids=["newline", "101 characters"],
)
def test_taxonomy_ids_are_whole_and_short(
    layer_id: str, message: str, write_site: Callable[..., Path]
) -> None:
    """A layer id ending in a line break, or too long to name a folder, is a taxonomy error."""
    site = _site_with_taxonomy(write_site, "tax.yml")
    (site / "tax.yml").write_text(
        f"layers:\n  - id: {layer_id}\n    title: Model\n    categories: [{{id: a, title: A}}]\n",
        encoding="utf-8",
    )
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 1
    [line] = [x for x in proc.stdout.splitlines() if x.startswith("tax.yml:2:")]
    assert "error taxonomy: taxonomy: layers[0].id" in line and message in line, line


def _body_rules(body: str) -> list[tuple[int, str]]:
    doc = split(_pm(body), "INC-2025-014.md")
    return [(f.line - doc.body_line, f.message.split(";")[0]) for f in check_body(doc)]


def test_nested_text_is_limited_by_levels_times_characters() -> None:
    """Quotes 32 deep pass on 15 full lines and fail on 16: Markdown reads them per level."""
    line = ">" * 32 + " " + "a" * (MAX_LINE_CHARS - 33)
    ending = len(_pm("").split("---\n", 2)[2].split("\n")) - 1
    assert _body_rules("\n".join([line] * 15)) == []
    assert [where for where, _ in _body_rules("\n".join([line] * 16))] == [ending + 15]


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    """A list item 33 levels deep is refused (400 levels made Markdown raise RecursionError)."""
    body = "".join(" " * (4 * i) + "- a\n" for i in range(34))
    [(_, message)] = _body_rules(body)
    assert message == (
        "this line is nested 33 levels deep (indentation of four spaces or '>' each)"
    )
    assert _body_rules("".join(" " * (4 * i) + "- a\n" for i in range(33))) == []
