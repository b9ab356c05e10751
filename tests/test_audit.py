"""`postmortems audit SITE_DIR` on real builds: a site built with the plugin
is clean; one built without it (as Zensical builds: mkdocs.yml read, our
plugin skipped, everything published) is caught; leaks planted in a clean
site are caught whatever encoding hides them."""

from __future__ import annotations

import gzip
import html
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, postmortem_text, run_cli
from mkdocs_postmortems.web.audit import Matcher, Needles, normalise, phrase_of, streams
from sitekit import build, run_mkdocs, write_site_at

PUBLIC, RESTRICTED, DRAFT, BROKEN = "INC-2025-001", "INC-2025-002", "INC-2025-003", "INC-2025-004"
R_TITLE = "Payroll agent's R&D salary sheet went company-wide"
R_SUMMARY = "The payroll agent attached the R&D salary spreadsheet to a note for every employee."
R_SENTENCE = (
    'Café staff in the Zürich office received the spreadsheet twice because the "all-hands" '
    "alias expanded into itself."
)
R_CUSTOMER = "Northwind Traders account team in the Oslo region"
R_STEM = f"{RESTRICTED}-payroll-leak"
R_ASSET = "salary-heatmap-q3.png"
R_ASSET_BYTES = b"\x89PNG\r\n\x1a\n" + b"restricted heat map pixels 5521" * 10
D_TITLE = "Forecast model quietly dropped the northern region"
D_SUMMARY = "The demand forecast left out every store north of the river for two weeks."
D_SENTENCE = (
    "Store managers in the northern region ordered stock by hand from memory of last winter."
)
D_ASSET = "region-dropout-chart.svg"
B_TITLE = "Board minutes summarised by the meeting assistant"
PAGE_TITLE = "Acquisition talks with the lakeside competitor"
PAGE_SENTENCE = "The acquisition of the lakeside competitor is planned for the spring quarter."
P_SENTENCE = "The chatbot answered opening-hour questions with the times of a closed branch."
COMMON_BODY = "Retrieval returned no policy document."


def pm(pm_id: str, title: str, summary: str, sentence: str, **fields: str) -> str:
    """A valid postmortem whose body has one sentence of its own."""
    text = postmortem_text(id=pm_id, title=json.dumps(title), summary=json.dumps(summary), **fields)
    assert COMMON_BODY in text
    return text.replace(COMMON_BODY, f"{COMMON_BODY}\n\n{sentence}")


LIBRARY = {
    "index.md": "# Incident library\n\nThe team's own home page.\n",
    f"2025/{PUBLIC}-closed-branch.md": pm(
        PUBLIC,
        "Chatbot gave the hours of a closed branch",
        "Customers were sent to a branch that had closed.",
        P_SENTENCE,
        related=f"[{RESTRICTED}, {DRAFT}]",
    ),
    f"2025/{R_STEM}.md": pm(
        RESTRICTED,
        R_TITLE,
        R_SUMMARY,
        R_SENTENCE,
        visibility="restricted",
        **{"x-customer": json.dumps(R_CUSTOMER)},
    ),
    f"2025/{DRAFT}.md": pm(DRAFT, D_TITLE, D_SUMMARY, D_SENTENCE, status="draft"),
}
# Only in the site built without the plugin: the plugin of this version
# still copies asset folders and ordinary restricted pages (issue 8, item 1).
UNPUBLISHED_EXTRAS = {
    "notes/acquisition.md": (
        f"---\ntitle: {PAGE_TITLE}\nvisibility: restricted\n---\n\n# Notes\n\n{PAGE_SENTENCE}\n"
    ),
    # Broken (no summary) and restricted: no build with our checks would publish it.
    f"2025/{BROKEN}-board-minutes.md": pm(
        BROKEN, B_TITLE, "unused", "The assistant mailed the board minutes to a vendor list."
    ).replace('summary: "unused"\n', "visibility: restricted\n"),
}


def _write_assets(docs: Path) -> None:
    (docs / "2025" / R_STEM).mkdir(parents=True)
    (docs / "2025" / R_STEM / R_ASSET).write_bytes(R_ASSET_BYTES)
    (docs / "2025" / DRAFT).mkdir(parents=True)
    (docs / "2025" / DRAFT / D_ASSET).write_text("<svg><text>north</text></svg>\n", "utf-8")


SITE_URL = "site_url: https://docs.example.org/library/\n"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library with the plugin, built: a site that must audit clean."""
    root = write_site_at(tmp_path_factory.mktemp("audit"), LIBRARY, extra_config=SITE_URL)
    build(root)
    return root


@pytest.fixture(scope="module")
def zensical(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library (with assets and a restricted ordinary page) and its
    mkdocs.yml, built without our plugin: every file published."""
    root = write_site_at(
        tmp_path_factory.mktemp("zensical"),
        {**LIBRARY, **UNPUBLISHED_EXTRAS},
        extra_config=SITE_URL,
    )
    _write_assets(root / "docs")
    plain = root / "plain"
    plain.mkdir()
    (plain / "mkdocs.yml").write_text(
        "site_name: Test library\n"
        f"{SITE_URL}docs_dir: {root / 'docs'}\n"
        "theme:\n  name: material\n  font: false\nplugins:\n  - search\n",
        encoding="utf-8",
    )
    result = run_mkdocs(plain, out=root / "site", strict=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def audit(root: Path, *args: str) -> tuple[int, list[str], str]:
    proc = run_cli("audit", *args, cwd=root)
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def kinds(lines: list[str], site_file: str, source: str) -> set[str]:
    """The kinds of leak reported for one site file (as printed) and one source id."""
    found: set[str] = set()
    for line in lines:
        head, _, rest = line.partition(": ")
        if head == site_file and f"/{source}" in rest:
            found |= set(rest.split(" of ")[0].split(", "))
    return found


def assert_nothing_secret_printed(out: str) -> None:
    secrets = (R_TITLE, R_SUMMARY, R_SENTENCE, R_CUSTOMER, D_TITLE, D_SUMMARY, PAGE_TITLE, B_TITLE)
    for text in secrets:
        assert text not in out
        assert html.escape(text) not in out


# --- clean ----------------------------------------------------------------------------


def test_site_built_with_the_plugin_is_clean(library: Path) -> None:
    """The plugin's own build passes, though the restricted and draft ids it cites
    in `related` show as bare ids on the citing page and in the exports."""
    site = library / "site"
    cited = (site / "incidents" / PUBLIC / "index.html").read_text(encoding="utf-8")
    assert RESTRICTED in cited and DRAFT in cited
    assert RESTRICTED in (site / "incidents.json").read_text(encoding="utf-8")
    # The finder's rows file is there to be audited, with the published incident.
    assert PUBLIC in (site / "incidents" / "finder.json").read_text(encoding="utf-8")
    code, lines, err = audit(library, "site")
    assert (code, lines) == (0, []), err
    assert "for 2 unpublished file(s): 0 leak(s) in 0 file(s), 0 not scanned" in err


def test_repository_site_is_clean(tmp_path: Path) -> None:
    """The repository's own library (restricted, draft and review postmortems
    among eleven published ones) audits clean: no false alarm on real text."""
    out = tmp_path / "site"
    result = run_mkdocs(REPO, out=out)
    assert result.returncode == 0, result.stdout + result.stderr
    proc = run_cli("audit", out, cwd=REPO)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr
    assert "for 3 unpublished file(s): 0 leak(s)" in proc.stderr


def test_drafts_are_not_looked_for_when_the_site_includes_them(
    library: Path, tmp_path: Path
) -> None:
    """With include_drafts: true a draft's title is no leak; a restricted one's still is."""
    site = copy_site(library, tmp_path)
    config = library / "mkdocs.yml"
    drafts = tmp_path / "drafts.yml"
    drafts.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - postmortems:\n", "  - postmortems:\n      include_drafts: true\n"
        )
        + f"docs_dir: {library / 'docs'}\n",
        encoding="utf-8",
    )
    plant(site / "index.html", f"<p>{html.escape(D_TITLE)}</p>")
    code, lines, _ = audit(library, "-f", str(drafts), str(site))
    assert (code, lines) == (0, [])
    plant(site / "index.html", f"<p>{html.escape(R_TITLE)}</p>")
    code, lines, _ = audit(library, "-f", str(drafts), str(site))
    assert code == 1
    assert kinds(lines, display(site / "index.html", library), RESTRICTED) == {"title"}


# --- a site built without the plugin ---------------------------------------------------


def test_site_built_without_the_plugin_is_caught(zensical: Path) -> None:
    """Zensical-style build: each unpublished file is named with every kind of hit."""
    code, lines, err = audit(zensical, "site")
    assert code == 1, err
    page = f"site/2025/{R_STEM}/index.html"
    assert {"title", "body text"} <= kinds(lines, page, RESTRICTED)
    assert kinds(lines, f"{page} (file name)", RESTRICTED) == {"id", "id with slug"}
    asset = f"site/2025/{R_STEM}/{R_ASSET}"
    # Its folder is named after the file's stem: the id and the slug.
    assert kinds(lines, f"{asset} (file name)", RESTRICTED) == {"id", "id with slug", "asset name"}
    assert kinds(lines, asset, RESTRICTED) == {"asset file (same bytes)"}
    assert kinds(lines, f"site/2025/{DRAFT}/{D_ASSET} (file name)", DRAFT) == {"id", "asset name"}
    assert {"title", "body text"} <= kinds(lines, f"site/2025/{DRAFT}/index.html", DRAFT)
    # Search index, navigation of every page, and the compressed sitemap.
    index = "site/search/search_index.json"
    assert {"title", "body text"} <= kinds(lines, index, RESTRICTED)
    assert "title" in kinds(lines, "site/index.html", RESTRICTED)
    for source in (RESTRICTED, DRAFT):
        assert "id" in kinds(lines, "site/sitemap.xml.gz (gzip member)", source)
    # An ordinary page marked restricted, and a restricted postmortem lint refuses.
    assert {"title", "body text"} <= kinds(
        lines, "site/notes/acquisition/index.html", "acquisition.md"
    )
    assert any("notes/acquisition.md (restricted page)" in line for line in lines)
    assert {"id", "title", "body text"} <= kinds(
        lines, f"site/2025/{BROKEN}-board-minutes/index.html", BROKEN
    )
    assert f"docs/2025/{R_STEM}.md (restricted)" in "\n".join(lines)
    assert f"docs/2025/{DRAFT}.md (status draft while include_drafts is false)" in "\n".join(lines)
    assert_nothing_secret_printed(proc_text(lines, err))


def test_the_published_postmortem_is_no_leak(zensical: Path) -> None:
    """Only unpublished files are named: the published one's page and text are not."""
    _, lines, _ = audit(zensical, "site")
    assert not [line for line in lines if f"{PUBLIC}-closed-branch.md" in line]
    # Built without the plugin, its link to the restricted file keeps the file's name.
    assert kinds(lines, f"site/2025/{PUBLIC}-closed-branch/index.html", RESTRICTED) <= {
        "id",
        "id with slug",
        "title",
    }


# --- leaks planted in a clean site ----------------------------------------------------


def copy_site(library: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(library / "site", site)
    return site


def plant(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def plant_bytes(path: Path, data: bytes) -> None:
    with path.open("ab") as fh:
        fh.write(data)


def display(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def json_escaped(text: str) -> str:
    """As a JSON encoder that escapes all non-ASCII and slashes writes it."""
    return json.dumps(text, ensure_ascii=True).replace("/", "\\/")


def _search_index_with(site: Path, text: str) -> None:
    index = site / "search" / "search_index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    data["docs"].append({"location": "x/", "title": "x", "text": text})
    raw = json.dumps(data, ensure_ascii=True).replace("/", "\\/")
    index.write_text(raw, encoding="utf-8")


def _finder_with(site: Path, title: str, summary: str) -> None:
    """A row added to the Find box's rows file, written as the plugin writes it."""
    path = site / "incidents" / "finder.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["rows"].append(["INC-2025-900", title, summary, 0, 0, "2025-01-01", [0], [0], [0]])
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _gzip_into(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode("utf-8")))


def _append_gzip_member(path: Path, text: str) -> None:
    with path.open("ab") as fh:
        fh.write(gzip.compress(text.encode("utf-8")))


# Each: what to do to a clean site, the file that then leaks (relative to the
# site), the postmortem it leaks from, and the kind of hit.
PLANTED = {
    "title, HTML-escaped": (
        lambda s: plant(s / "index.html", f"<p>{html.escape(R_TITLE)}</p>"),
        "index.html",
        RESTRICTED,
        "title",
    ),
    "title, escaped twice": (
        lambda s: plant(s / "index.html", html.escape(html.escape(R_TITLE))),
        "index.html",
        RESTRICTED,
        "title",
    ),
    "title, cut by markup and reflowed": (
        lambda s: plant(
            s / "index.html",
            "<li>Payroll agent&#x27;s <em>R&amp;D</em>\n   salary\tsheet "
            "went<br>\ncompany&#8209;wide</li>",
        ),
        "index.html",
        RESTRICTED,
        "title",
    ),
    "title in an attribute": (
        lambda s: plant(s / "index.html", f'<a title="{html.escape(D_TITLE)}" href="#">x</a>'),
        "index.html",
        DRAFT,
        "title",
    ),
    "title as JavaScript escapes": (
        lambda s: plant(
            s / "assets" / "extra.js",
            "var t='Payroll agent\\x27s R\\u0026D salary sheet went company-wide';",
        ),
        "assets/extra.js",
        RESTRICTED,
        "title",
    ),
    "body sentence, JSON-escaped in the search index": (
        lambda s: _search_index_with(s, f"<p>{R_SENTENCE}</p>"),
        "search/search_index.json",
        RESTRICTED,
        "body text",
    ),
    "body sentence, decomposed Unicode and soft hyphens": (
        lambda s: plant(
            s / "index.html",
            R_SENTENCE.replace("é", "e\u0301").replace("spreadsheet", "spread\u00adsheet"),
        ),
        "index.html",
        RESTRICTED,
        "body text",
    ),
    "title in a row of the finder's rows file": (
        lambda s: _finder_with(s, R_TITLE, "An ordinary summary."),
        "incidents/finder.json",
        RESTRICTED,
        "title",
    ),
    "summary in a row of the finder's rows file": (
        lambda s: _finder_with(s, "An ordinary title", D_SUMMARY),
        "incidents/finder.json",
        DRAFT,
        "summary",
    ),
    "summary in a new gzip file": (
        lambda s: _gzip_into(s / "notes" / "summary.txt.gz", R_SUMMARY),
        "notes/summary.txt.gz (gzip member)",
        RESTRICTED,
        "summary",
    ),
    "summary in a second member of the sitemap's gzip": (
        lambda s: _append_gzip_member(s / "sitemap.xml.gz", f"<!-- {D_SUMMARY} -->"),
        "sitemap.xml.gz (gzip member)",
        DRAFT,
        "summary",
    ),
    "summary as plain text after the last gzip member": (
        lambda s: plant_bytes(s / "sitemap.xml.gz", R_SUMMARY.encode()),
        "sitemap.xml.gz (gzip member)",
        RESTRICTED,
        "summary",
    ),
    "id on a page that does not cite it": (
        lambda s: plant(s / "index.html", f"<p>See {RESTRICTED}.</p>"),
        "index.html",
        RESTRICTED,
        "id",
    ),
    "id in the feed, which no related link reaches": (
        lambda s: plant(s / "feed.xml", f"<!-- {DRAFT} -->"),
        "feed.xml",
        DRAFT,
        "id",
    ),
    "title in a UTF-16 text file": (
        lambda s: (s / "notes.txt").write_bytes(R_TITLE.encode("utf-16")),
        "notes.txt",
        RESTRICTED,
        "title",
    ),
    "front-matter text (a team's own x- key) in the feed": (
        lambda s: plant(s / "feed.xml", f"<!-- {R_CUSTOMER} -->"),
        "feed.xml",
        RESTRICTED,
        "front-matter text",
    ),
    "asset name, percent-encoded in a link": (
        lambda s: plant(s / "index.html", '<img src="img/salary%2Dheatmap%2Dq3%2Epng">'),
        "index.html",
        RESTRICTED,
        "asset name",
    ),
}


@pytest.fixture
def library_with_assets(library: Path) -> Iterator[Path]:
    """The clean site's library with asset folders beside the unpublished postmortems."""
    _write_assets(library / "docs")
    yield library
    shutil.rmtree(library / "docs" / "2025" / R_STEM)
    shutil.rmtree(library / "docs" / "2025" / DRAFT)


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_planted_leak_is_caught(case: str, library_with_assets: Path, tmp_path: Path) -> None:
    """One leak planted in a clean site: exit 1, the file and the kind named, no text repeated."""
    action, leaked_file, source, kind = PLANTED[case]
    site = copy_site(library_with_assets, tmp_path)
    (site / "assets").mkdir(exist_ok=True)
    action(site)
    code, lines, err = audit(library_with_assets, str(site))
    assert code == 1, err
    shown = display(site, library_with_assets)
    assert kind in kinds(lines, f"{shown}/{leaked_file}", source), lines
    assert_nothing_secret_printed(proc_text(lines, err))


def test_asset_bytes_under_another_name_are_caught(
    library_with_assets: Path, tmp_path: Path
) -> None:
    """An asset copied under a name of no meaning is found by its bytes."""
    site = copy_site(library_with_assets, tmp_path)
    (site / "img").mkdir()
    (site / "img" / "a1.bin").write_bytes(R_ASSET_BYTES)
    code, lines, _ = audit(library_with_assets, str(site))
    assert code == 1
    leaked = f"{display(site, library_with_assets)}/img/a1.bin"
    assert kinds(lines, leaked, RESTRICTED) == {"asset file (same bytes)"}


def test_a_folder_named_after_an_unpublished_postmortem_is_caught(
    library: Path, tmp_path: Path
) -> None:
    """Folder names are output too: an empty folder named after a restricted
    postmortem's id and slug, or a draft's id (as another plugin or an
    earlier build may leave one), is named with what its name shows; the
    folders around it, which name nothing, are not."""
    site = copy_site(library, tmp_path)
    (site / "archive" / R_STEM).mkdir(parents=True)
    (site / "old" / DRAFT).mkdir(parents=True)
    code, lines, _ = audit(library, str(site))
    assert code == 1
    shown = display(site, library)
    leaked = f"{shown}/archive/{R_STEM} (folder name)"
    assert kinds(lines, leaked, RESTRICTED) == {"id", "id with slug"}
    assert kinds(lines, f"{shown}/old/{DRAFT} (folder name)", DRAFT) == {"id"}
    assert len(lines) == 2, lines


def proc_text(lines: list[str], err: str) -> str:
    return "\n".join(lines) + err


# --- exit codes and limits ------------------------------------------------------------


def test_missing_site_dir_is_a_usage_error(library: Path) -> None:
    """SITE_DIR that does not exist, or is a file, or no SITE_DIR at all: exit 2."""
    for args in (["no-such-site"], ["mkdocs.yml"], []):
        code, lines, err = audit(library, *args)
        assert (code, lines) == (2, []), err
        assert "Error" in err


def test_missing_config_is_a_usage_error(library: Path, tmp_path: Path) -> None:
    """Without mkdocs.yml the library cannot be read: exit 2, not a clean pass."""
    code, _, err = audit(tmp_path, str(library / "site"))
    assert code == 2
    assert "mkdocs.yml" in err


def test_files_over_the_size_limit_fail_the_audit(library: Path, tmp_path: Path) -> None:
    """A file larger than --max-file-size is named as not scanned and the audit fails."""
    site = copy_site(library, tmp_path)
    (site / "big.bin").write_bytes(b"x" * (2 * 2**20 + 1))
    code, lines, _ = audit(library, "--max-file-size", "2", str(site))
    assert code == 1
    assert lines == [f"{display(site, library)}/big.bin: not scanned: larger than 2,097,152 bytes"
                     " (raise --max-file-size to scan it)"]  # fmt: skip
    assert audit(library, "--max-file-size", "3", str(site))[0] == 0


def test_a_gzip_bomb_stops_at_the_limit(library: Path, tmp_path: Path) -> None:
    """A small gzip file that inflates past the limit is not inflated: not scanned, exit 1."""
    site = copy_site(library, tmp_path)
    (site / "bomb.gz").write_bytes(gzip.compress(b"\0" * (3 * 2**20)))
    code, lines, _ = audit(library, "--max-file-size", "2", str(site))
    assert code == 1
    assert lines == [f"{display(site, library)}/bomb.gz: not scanned: a gzip member larger than "
                     "2,097,152 bytes (raise --max-file-size to scan it)"]  # fmt: skip


def test_a_broken_gzip_file_fails_the_audit(library: Path, tmp_path: Path) -> None:
    """A .gz file that cannot be inflated cannot be vouched for: exit 1, named."""
    site = copy_site(library, tmp_path)
    (site / "broken.xml.gz").write_bytes(gzip.compress(R_SUMMARY.encode())[:-12])
    code, lines, _ = audit(library, str(site))
    assert code == 1
    assert [line.split(": not scanned: ")[0] for line in lines] == [
        f"{display(site, library)}/broken.xml.gz"
    ]


# --- linear time ----------------------------------------------------------------------


def _scan_seconds(text: str, matcher: Matcher) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        matcher.scan(streams(normalise(text)))
        best = min(best, time.perf_counter() - start)
    return best


def test_scan_time_grows_linearly_with_hostile_input() -> None:
    """Runs of `<` without `>`, `&`, backslashes and `%`, 10x longer, take about 10x
    (allowed: under 30x), not the 100x of a quadratic scan."""
    needles = Needles()
    for i in range(200):
        needles.add_runs(" ".join(f"w{i}x{j}" for j in range(12)), (i, "body text"))
    matcher = needles.matcher()
    unit = "<a" + "<" * 50 + "&amp" * 20 + "\\" * 20 + "%" * 20 + " word" * 30 + "&#x27;"
    small, large = unit * 200, unit * 2000
    ratio = _scan_seconds(large, matcher) / _scan_seconds(small, matcher)
    assert ratio < 30, f"10x input took {ratio:.1f}x the time"


def test_words_are_read_through_every_encoding() -> None:
    """The same title written five ways reads as the same words."""
    expected = phrase_of("Payroll agent's R&D sheet")
    assert expected == "payroll agent s r d sheet"
    for written in (
        "Payroll agent&#x27;s R&amp;D sheet",
        "Payroll agent\\u0027s R\\u0026D sheet",
        "payroll%20agent%27s%20r%26d%20sheet",
        "<b>PAYROLL</b> agent&amp;#39;s\n R&amp;amp;D\tsheet",
        "Payroll agent\u2019s R\uff06D sh\u00adeet",
        "\u201cPayroll agent\u2019s R&D sheet\u201d",
    ):
        assert f" {expected} " in streams(normalise(written)), written


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # A bare `%` stays; each run of escapes is decoded as UTF-8 bytes.
        ("Cut 12% of caf%C3%A9 %zz 100%", "cut 12% of café %zz 100%"),
        ("%E2%80%9Cquoted%E2%80%9D", "\u201cquoted\u201d"),
        # A broken sequence shows as replacement characters, not as a lost word.
        ("caf%C3x%A9", "caf\ufffdx\ufffd"),
        # A literal `&` is left alone; entities after it still read.
        ("R&D & more &amp;lt;b&amp;gt; &eacute;t&eacute;", "r&d & more <b> été"),
        ("AT&T&#x27;s", "at&t's"),
    ],
)
def test_escapes_are_undone_exactly(written: str, expected: str) -> None:
    assert normalise(written) == expected


def test_a_page_is_cut_into_regions_at_block_tags_only() -> None:
    from mkdocs_postmortems.web.audit import _regions

    page = "<html><head><title>T</title></head><body><p>a <b>b</b></p><pre>c</pre><pa>d"
    assert _regions(page) == [
        "<html><head>",
        "<title>T</title></head><body>",
        "<p>a <b>b</b></p>",
        "<pre>c</pre><pa>d",
    ]
    assert _regions("<p>x") == ["", "<p>x"]
    assert _regions("no tags") == ["no tags"]


def test_a_phrase_across_the_pieces_of_a_large_file_is_found() -> None:
    """A file larger than one piece (a search index) is read in pieces that
    overlap: a withheld phrase written across the boundary is still found,
    once, whatever the escapes around it."""
    from mkdocs_postmortems.web.audit import _PIECE, Auditor, Plan, Unpublished

    needles = Needles()
    needles.add_runs(phrase_of("Payroll agent leaked the salary sheet today"), (0, "body text"))
    plan = Plan([Unpublished("docs/x.md", None, "restricted")], needles, {})
    written = "Payroll agent leaked the salary sheet today".replace(" ", "\\u0020 ")
    for offset in (10, len(written) // 2, len(written) - 3):
        filler = "x " * ((_PIECE - offset) // 2)
        data = (filler + written + " y" * 300_000).encode()
        assert len(data) > _PIECE
        found, _ = Auditor(plan).scan_bytes(data)
        assert Auditor(plan).matcher.hits_of(found) == {(0, "body text")}, offset


def test_regions_read_once_still_find_every_copy_of_a_phrase() -> None:
    """Regions every page repeats are read once, but only when they held
    nothing: a withheld phrase is found in each page that shows it, whether
    in a repeated region or in the page's own."""
    from mkdocs_postmortems.web.audit import Auditor, Plan, Unpublished

    needles = Needles()
    needles.add_runs(phrase_of("Payroll agent leaked the salary sheet today"), (0, "body text"))
    auditor = Auditor(Plan([Unpublished("docs/x.md", None, "restricted")], needles, {}))
    chrome = "<header><nav><ul><li>Home</li><li>Incidents</li></ul></nav></header>"
    clean = f"<html>{chrome}<article><p>Nothing to see.</p></article></html>"
    shown = f"<html>{chrome}<article><p>Payroll agent leaked the salary sheet today</p></article>"
    in_chrome = "<html><footer><p>Payroll agent leaked the <b>salary</b> sheet today</p></footer>"
    for page, expected in [(clean, False), (shown, True), (shown, True), (in_chrome, True)] * 2:
        found, _ = auditor.scan_bytes(page.encode())
        assert bool(found) is expected, page


def test_one_process_or_two_report_the_same_leaks(zensical: Path) -> None:
    """Every other site file is read by a second process where the machine
    allows: the audit says the same, line for line, with one process or two."""
    reports = []
    for jobs in ("1", "2"):
        code, lines, _ = audit(zensical, "site", "--jobs", jobs)
        assert code == 1
        reports.append(lines)
    assert reports[0] == reports[1] and len(reports[0]) > 5


def test_a_phrase_made_of_two_published_fields_side_by_side_is_not_looked_for() -> None:
    """A page sets a category's title beside a factor's summary; a withheld
    draft that happens to say the same run of words holds nothing of its
    own there. A run that goes on into the draft's own words still counts."""
    needles = Needles()
    draft = "It did not fit the risk. Oversight that did not fit slowed the payroll review"
    needles.add_text(draft, (0, "body text"))
    fields = ["Oversight that did not fit the risk", "Oversight that did not fit the process"]
    needles.drop_public(["unrelated published text"], keep_kind="id", fields=fields)
    left = set(needles.phrases)
    assert "not fit the risk oversight that" not in left
    assert "did not fit slowed the payroll" in left


def test_pages_read_while_written_stand_only_for_the_bytes_read(tmp_path: Path) -> None:
    """Pages are read as a build writes them, each once the next exists; at
    the end, a page whose bytes are still those read is not read again, and
    one rewritten since (by a later plugin) is read as it is now."""
    from mkdocs_postmortems.web.audit import Auditor, Plan, Unpublished

    needles = Needles()
    needles.add_runs(phrase_of("Payroll agent leaked the salary sheet today"), (0, "body text"))
    plan = Plan([Unpublished("docs/x.md", None, "restricted")], needles, {})
    site = tmp_path / "site"
    pages = [site / name / "index.html" for name in ("a", "b", "c", "d")]
    asset = site / "assets" / "x.css"
    asset.parent.mkdir(parents=True)
    asset.write_text("body { color: red }", encoding="utf-8")
    leak = "<p>Payroll agent leaked the salary sheet today</p>"
    for page, text in zip(pages[:3], ["<p>clean</p>", leak, "<p>clean</p>"], strict=True):
        page.parent.mkdir(parents=True)
        page.write_text(text, encoding="utf-8")
    stops = iter([False] * 50 + [True] * 1000)
    ahead = Auditor(plan).read_as_written(pages, site, tmp_path, lambda: next(stops), poll=0)
    # d was never written: the wait for it ended at the stop, so c (maybe
    # not whole yet) was not read; what came before was.
    assert sorted(ahead) == ["a/index.html", "assets/x.css", "b/index.html"]
    assert ahead["b/index.html"].found[0].phrases

    # b is clean now, a leaks now: each is read again, as it is.
    pages[1].write_text("<p>clean again</p>", encoding="utf-8")
    pages[0].write_text(leak, encoding="utf-8")
    result = Auditor(plan).audit(site, tmp_path, read_before=ahead)
    assert [leak.rel for leak in result.leaks] == ["a/index.html"]
    assert result.files == 4

    # Unchanged bytes are not read again: only c, never read ahead, is.
    again = Auditor(plan).read_as_written(pages[:3], site, tmp_path, lambda: False, poll=0)
    assert sorted(again) == ["a/index.html", "assets/x.css", "b/index.html"]
    auditor = Auditor(plan)
    scanned: list[bytes] = []
    scan_bytes = auditor.scan_bytes

    def counted(data: bytes) -> tuple[set[int], set[tuple[int, str]]]:
        scanned.append(data)
        return scan_bytes(data)

    auditor.scan_bytes = counted  # type: ignore[method-assign]
    result = auditor.audit(site, tmp_path, read_before=again)
    assert [leak.rel for leak in result.leaks] == ["a/index.html"]
    assert scanned == [b"<p>clean</p>"]


def test_reading_while_written_stops_at_once_when_told(tmp_path: Path) -> None:
    from mkdocs_postmortems.web.audit import Auditor, Plan, Unpublished

    needles = Needles()
    needles.add_runs(phrase_of("Payroll agent leaked the salary sheet today"), (0, "body text"))
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("<p>x</p>", encoding="utf-8")
    auditor = Auditor(Plan([Unpublished("docs/x.md", None, "restricted")], needles, {}))
    pages = [site / "a.html", site / "never.html", site / "later.html"]
    assert auditor.read_as_written(pages, site, tmp_path, lambda: True) == {}


def test_a_page_the_build_skips_holds_up_no_other(tmp_path: Path) -> None:
    """A page listed but never written (excluded, or written elsewhere by
    another plugin) does not stop the reading of those after it."""
    from mkdocs_postmortems.web.audit import Auditor, Plan, Unpublished

    needles = Needles()
    needles.add_runs(phrase_of("Payroll agent leaked the salary sheet today"), (0, "body text"))
    site = tmp_path / "site"
    pages = [site / name / "index.html" for name in ("a", "skipped", "b", "c", "d")]
    for page in (pages[0], *pages[2:]):
        page.parent.mkdir(parents=True)
        page.write_text("<p>clean</p>", encoding="utf-8")
    auditor = Auditor(Plan([Unpublished("docs/x.md", None, "restricted")], needles, {}))
    stops = iter([False] * 200 + [True] * 1000)
    ahead = auditor.read_as_written(pages, site, tmp_path, lambda: next(stops), poll=0)
    # The last page is left: it may still be being written.
    assert sorted(ahead) == ["a/index.html", "b/index.html", "c/index.html"]


def test_a_file_copied_as_it_is_from_an_installed_theme_is_not_read(tmp_path: Path) -> None:
    """A theme's scripts are megabytes a build: one with the very bytes of
    the installed theme's file at its path is left out; the same file
    changed after the copy is read."""
    from mkdocs_postmortems.web.audit import Auditor, Plan, Unpublished

    needles = Needles()
    leak = "Payroll agent leaked the salary sheet today"
    needles.add_runs(phrase_of(leak), (0, "body text"))
    package, site = tmp_path / "theme", tmp_path / "site"
    for folder in (package, site):
        (folder / "assets").mkdir(parents=True)
        (folder / "assets" / "app.js").write_text(f"// {leak}\n", encoding="utf-8")
    unpublished = [Unpublished("docs/x.md", None, "restricted")]
    as_copied = Auditor(Plan(unpublished, needles, {}, (package,))).audit(site, tmp_path)
    assert as_copied.leaks == [] and as_copied.files == 1
    # Without the theme's folder, the same bytes are read (and caught).
    unknown = Auditor(Plan(unpublished, needles, {})).audit(site, tmp_path)
    assert [leak.rel for leak in unknown.leaks] == ["assets/app.js"]
    # Same size, other bytes.
    (site / "assets" / "app.js").write_text(f"// {leak.upper()}\n", encoding="utf-8")
    changed = Auditor(Plan(unpublished, needles, {}, (package,))).audit(site, tmp_path)
    assert [leak.rel for leak in changed.leaks] == ["assets/app.js"]


def test_the_theme_folders_left_unread_are_installed_ones_apart_from_the_site(
    tmp_path: Path,
) -> None:
    """Only the installed theme's folders count as copied as they are, and
    never one the site folder lies in: each file there would equal itself."""
    from mkdocs.config import load_config
    from mkdocs_postmortems.web.audit import packaged_theme_dirs

    (tmp_path / "docs").mkdir()
    (tmp_path / "overrides").mkdir()
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(
        "site_name: t\ntheme:\n  name: material\n  custom_dir: overrides\n", encoding="utf-8"
    )
    config = load_config(str(config_file))
    theme = [Path(d).resolve() for d in config.theme.dirs]
    found = packaged_theme_dirs(config.theme.dirs, config.site_dir)
    assert found and (tmp_path / "overrides").resolve() not in found
    assert set(found) <= set(theme)
    inside = load_config(str(config_file), site_dir=str(found[0] / "site"))
    assert found[0] not in packaged_theme_dirs(inside.theme.dirs, inside.site_dir)


def test_the_published_texts_are_shared_by_size_of_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`jobs` unset: whether a second process reads the published texts
    depends on how many texts there are, not on how many shares they make."""
    from mkdocs_postmortems import parallel
    from mkdocs_postmortems.web import audit

    monkeypatch.setattr(parallel, "_cores", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    processes: list[int] = []

    def recorded(items, work, jobs=None, size=None):  # type: ignore[no-untyped-def]
        processes.append(
            min(parallel.processes(len(items) if size is None else size, jobs), len(items))
        )
        return [work(x) for x in items]

    monkeypatch.setattr(audit, "split_map", recorded)
    needles = Needles()
    needles.add_runs(phrase_of("Payroll agent leaked the salary sheet today"), (0, "body text"))
    texts = [f"published text number {i}" for i in range(500)] + ["the salary sheet today"]
    needles.drop_public([*texts, "payroll agent leaked the salary sheet"], keep_kind="id")
    assert processes == [2]
    assert "payroll agent leaked the salary sheet" not in needles.phrases


def test_the_audit_leaves_unread_only_what_the_installed_theme_holds_as_it_is(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`postmortems audit` reads the config's theme as the build does: the
    theme's scripts copied unchanged are not read, while one of them with a
    withheld title appended is read, and fails the audit."""
    from click.testing import CliRunner
    from mkdocs_postmortems.adapters.cli import cli
    from mkdocs_postmortems.web.audit import Auditor

    site = copy_site(library, tmp_path)
    bundle = next((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    unread: list[str] = []
    copied = Auditor._copied_from_package

    def recording(self: Auditor, rel: str, data: bytes) -> bool:
        if copied(self, rel, data):
            unread.append(rel)
            return True
        return False

    monkeypatch.setattr(Auditor, "_copied_from_package", recording)
    monkeypatch.chdir(library)
    clean = CliRunner().invoke(cli, ["audit", str(site), "--jobs", "1"])
    assert clean.exit_code == 0, clean.output
    rel = bundle.relative_to(site).as_posix()
    assert rel in unread and f"incidents/{PUBLIC}/index.html" not in unread
    plant(bundle, f"\n// {R_TITLE}\n")
    unread.clear()
    leaked = CliRunner().invoke(cli, ["audit", str(site), "--jobs", "1"])
    assert leaked.exit_code == 1, leaked.output
    assert rel not in unread and rel in leaked.output
