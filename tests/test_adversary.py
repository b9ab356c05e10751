"""Adversarial QA of the routes added today: restricted and draft postmortems
through related links, reporting obligations, ruled_out reasons, action items
with `closed`, recurrences and per-layer counts; hostile strings in the new
fields; `postmortems audit`; CLI robustness on hostile regimes and dates.

Every site is built by the real MkDocs and its whole output is searched,
gzip members included. Each test named for a bug failed before its fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POSTMORTEMS, REPO, postmortem_text, run_cli
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from sitekit import all_files, build, content, factors, page, run_mkdocs, write_site_at
from test_site_failclosed import control_leaks, leaks

PUBLIC, RESTRICTED, DRAFT = "INC-2025-001", "INC-2025-002", "INC-2025-003"
# One lower-case token per unpublished postmortem, planted in every field it can take.
R_TOKEN, D_TOKEN = "zqrestrictedcanary", "zqdraftcanary"
RULED_OUT = {
    "data": "The policy index held the current policy.",
    "human-in-the-loop": "No person reviewed answers before they were sent, by design.",
    "process": "The release followed the evaluation process in place.",
}


def ruled_out(reasons: dict[str, str]) -> str:
    return "".join(
        f"\n  - layer: {layer}\n    reason: {json.dumps(r)}" for layer, r in reasons.items()
    )


def reporting_block(aware: str, decided_by: str, reference: str, filed: str) -> str:
    return (
        f"\n  aware: {aware}\n  obligations:\n    - regime: gdpr-art33\n"
        "      trigger: personal-data-breach\n      decision: reportable\n"
        f"      decided_by: {json.dumps(decided_by)}\n      reports:\n"
        f"        - stage: notification\n          filed: {filed}\n"
        f"          reference: {json.dumps(reference)}"
    )


def restricted_text(token: str = R_TOKEN) -> str:
    """A restricted incident, earlier than the published one, of the same
    category, whose prevent item was done (so it would be the earlier
    incident of a recurrence), with an open overdue prevent item (so it would
    count on layer pages), reporting obligations, and the token everywhere."""
    items = (
        f"\n  - title: Prevent {token} with a guard in the pipeline\n    layer: model\n"
        f"    type: prevent\n    owner: {token}-team\n    due: 2025-02-01\n"
        "    status: done\n    closed: 2025-01-20"
        f"\n  - title: Block {token} answers in the pipeline\n    layer: model\n"
        f"    type: prevent\n    owner: {token}-team\n    due: 2025-02-01\n    status: open"
    )
    reasons = {layer: f"{text} {token} examined" for layer, text in RULED_OUT.items()}
    fields: dict[str, object] = {
        "id": RESTRICTED,
        "title": f"Title {token}",
        "summary": f"Summary {token}",
        "date": "2025-01-10",
        "detected": "2025-01-10",
        "resolved": "2025-01-11",
        "systems": f"[shared-bot, {token}-bot]",
        "tags": f"[{token}-tag]",
        "visibility": "restricted",
        "related": f"[{PUBLIC}]",
        "factors": factors(("model", "hallucination", f"Factor {token}")),
        "ruled_out": ruled_out(reasons),
        "action_items": items,
        "reporting": reporting_block(
            "2025-01-10T10:00:00Z", f"{token}-legal", f"{token}-REF-0042", "2025-01-12T09:00:00Z"
        ),
    }
    return postmortem_text(**fields) + f"\nBody text {token}.\n"


def draft_text(token: str = D_TOKEN) -> str:
    return (
        postmortem_text(
            id=DRAFT,
            title=f"Draft {token}",
            summary=f"Summary {token}",
            status="draft",
            date="2025-02-10",
            detected="2025-02-10",
            resolved="2025-02-11",
            systems=f"[shared-bot, {token}-bot]",
            related=f"[{PUBLIC}]",
            factors=factors(("model", "hallucination", f"Factor {token}")),
            # A fix done before the published incident began: a recurrence
            # source only where drafts are published.
            action_items=(
                f"\n  - title: Guard {token} answers in the pipeline\n    layer: model\n"
                "    type: prevent\n    owner: bot-team\n    due: 2025-03-01\n"
                "    status: done\n    closed: 2025-02-20"
            ),
            reporting=reporting_block(
                "2025-02-10T10:00:00Z",
                f"{token}-legal",
                f"{token}-REF-0043",
                "2025-02-11T09:00:00Z",
            ),
        )
        + f"\nBody text {token}.\n"
    )


def public_text() -> str:
    """The published incident: same category, later, related to both."""
    return postmortem_text(
        id=PUBLIC,
        title="Public incident",
        date="2025-03-14",
        systems="[shared-bot]",
        related=f"[{RESTRICTED}, {DRAFT}]",
        reporting=reporting_block(
            "2025-03-15T10:00:00Z", "legal-team", "PUB-REF-0001", "2025-03-16T09:00:00Z"
        ),
    )


def library_files() -> dict[str, str]:
    return {
        "index.md": "# Home\n\nThe team's own home page.\n",
        f"2025/{PUBLIC}-public.md": public_text(),
        f"2025/{RESTRICTED}-{R_TOKEN}.md": restricted_text(),
        f"2025/{RESTRICTED}-{R_TOKEN}/diagram-{R_TOKEN}.txt": f"asset {R_TOKEN}\n",
        f"2025/{DRAFT}-{D_TOKEN}.md": draft_text(),
    }


def all_text(site: Path) -> str:
    return "\n".join(data.decode("utf-8", "replace") for _, data in all_files(site))


# --- restricted and drafts through every new route ----------------------------------

CONFIGS = {
    "default": ("", ""),
    "prefix-no-dashboard-files": (
        "prefix: library/\nhome_dashboard: false",
        "use_directory_urls: false\n",
    ),
    "tags-meta-macros": ("", ""),
}


def write_library(root: Path, name: str, options: str = "", extra: str = "") -> Path:
    plugin_options, extra_config = CONFIGS[name]
    options = "\n".join(o for o in (plugin_options, options) if o)
    write_site_at(root, library_files(), options, extra_config + extra)
    if name == "tags-meta-macros":
        cfg = root / "mkdocs.yml"
        text = cfg.read_text(encoding="utf-8")
        cfg.write_text(text.replace("  - search\n", "  - search\n  - tags\n  - meta\n  - macros\n"))
    return root


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def library_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if request.param == "tags-meta-macros":
        pytest.importorskip("mkdocs_macros")
    root = write_library(tmp_path_factory.mktemp(request.param), request.param)
    build(root)
    return root


def test_control_build_without_the_plugin_publishes_the_tokens(tmp_path: Path) -> None:
    """Without our plugin both tokens reach the site: the leak tests can fail."""
    root = write_library(tmp_path, "default")
    assert control_leaks(root, R_TOKEN)
    assert control_leaks(root, D_TOKEN)


def test_no_restricted_or_draft_token_anywhere_in_the_output(library_site: Path) -> None:
    """No file of the built site (gzip included, names included) holds a token
    of the restricted incident or of the draft: pages, reporting page, cards,
    incidents.json, incidents/index.json, CSV, feed, search index, sitemap."""
    site = library_site / "site"
    assert leaks(site, R_TOKEN) == []
    assert leaks(site, D_TOKEN) == []
    names = {p.relative_to(site).as_posix() for p, _ in all_files(site)}
    assert any(n.endswith("reporting/index.html") for n in names), sorted(names)[:40]
    assert "sitemap.xml.gz" in names and "search/search_index.json" in names


def test_restricted_id_shows_only_as_a_bare_id_on_the_citing_page(library_site: Path) -> None:
    """The restricted id appears nowhere but as unlinked text on the page of
    the incident that names it in `related` (and the exports carrying it)."""
    site = library_site / "site"
    allowed = ("incidents.json", "incidents.csv", "search_index.json")
    found = []
    for path, data in all_files(site):
        rel = path.relative_to(site).as_posix()
        if RESTRICTED.encode() in data and not rel.endswith(allowed):
            found.append(rel)
    assert len(found) == 1 and f"incidents/{PUBLIC}/" in found[0], found
    html_text = (site / found[0]).read_text(encoding="utf-8")
    # Once, from its own `related`: never again as a "cited by" backlink.
    assert html_text.count(RESTRICTED) == 1
    assert f'<span class="pm-bare-id">{RESTRICTED}</span>' in html_text
    assert f"incidents/{RESTRICTED}" not in html_text


def test_category_page_names_no_unpublished_earlier_incident(library_site: Path) -> None:
    """The restricted earlier incident's prevent item was done before the
    published one began: the category page shows no recurrence and no id of it."""
    site = library_site / "site"
    prefix = "library/" if "prefix" in library_site.name else ""
    category = site / f"{prefix}layers/model/hallucination/index.html"
    text = category.read_text(encoding="utf-8")
    assert PUBLIC in text
    assert RESTRICTED not in text and DRAFT not in text
    section = content(site, category.parent.relative_to(site).as_posix() + "/")
    recurrences = section.find("section", cls="pm-recurrences")
    assert "None so far." in recurrences.text and not recurrences.find_all("table")


def test_recurrence_shows_when_the_earlier_incident_is_published(tmp_path: Path) -> None:
    """Control: the same library with the earlier incident internal shows the
    recurrence, linking it, and counts its open prevent item."""
    files = library_files()
    key = f"2025/{RESTRICTED}-{R_TOKEN}.md"
    files[key] = files[key].replace("visibility: restricted\n", "")
    site = build(write_site_at(tmp_path, files))
    recurrences = content(site, "layers/model/hallucination/").find("section", cls="pm-recurrences")
    assert RESTRICTED in {h.rstrip("/").rsplit("/", 1)[-1] for h in recurrences.hrefs()}
    layer = (site / "layers/model/index.html").read_text(encoding="utf-8")
    assert '<td data-pm-type="prevent">1 open, <strong class="pm-overdue">1 overdue' in layer


def test_per_layer_counts_leave_restricted_items_out(library_site: Path) -> None:
    """The restricted incident's open prevent item of layer model is not
    counted on the model layer page or the home dashboard: 0 open prevent
    items (a count is not text, but it would reveal an unpublished incident)."""
    site = library_site / "site"
    prefix = "library/" if "prefix" in library_site.name else ""
    layer = (site / f"{prefix}layers/model/index.html").read_text(encoding="utf-8")
    assert '<td data-pm-type="prevent">0 open, 0 overdue</td>' in layer, layer[:2000]
    if "prefix" not in library_site.name:
        home = (site / "index.html").read_text(encoding="utf-8")
        assert 'data-pm-type="prevent">1 open' not in home
        assert '<td data-pm-type="prevent">0 open, 0 overdue</td>' in home


def test_reporting_page_lists_only_the_published_obligation(library_site: Path) -> None:
    """reporting/ lists the published incident's stage and no other."""
    site = library_site / "site"
    prefix = "library/" if "prefix" in library_site.name else ""
    text = (site / f"{prefix}reporting/index.html").read_text(encoding="utf-8")
    assert "PUB-REF-0001" in text
    assert text.count('<tr data-state="') == 1


def test_build_with_drafts_shows_the_draft_but_never_the_restricted(tmp_path: Path) -> None:
    """include_drafts: true publishes the draft (positive control) and still
    nothing of the restricted incident; the draft's backlink and obligation show."""
    root = write_library(tmp_path, "default", "include_drafts: true")
    site = build(root)
    assert leaks(site, D_TOKEN)
    assert leaks(site, R_TOKEN) == []
    reporting = (site / "reporting/index.html").read_text(encoding="utf-8")
    assert f"{D_TOKEN}-REF-0043" in reporting and f"{R_TOKEN}" not in reporting
    recurrences = content(site, "layers/model/hallucination/").find("section", cls="pm-recurrences")
    linked = {h.rstrip("/").rsplit("/", 1)[-1] for h in recurrences.hrefs()}
    assert linked == {PUBLIC, DRAFT}
    assert RESTRICTED not in recurrences.text


def serve_like_build(root: Path, out: Path) -> None:
    """A build in-process through the plugin's serve path (`on_startup(command="serve")`)."""
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(out))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        mkdocs_build(config, serve_url="http://127.0.0.1:8000/")
    finally:
        config.plugins.on_shutdown()


def test_serve_shows_drafts_never_restricted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under serve semantics drafts show (with their banner) and the
    restricted incident does not, even with include_drafts false."""
    root = write_library(tmp_path, "default")
    monkeypatch.chdir(root)
    out = root / "served"
    serve_like_build(root, out)
    assert leaks(out, D_TOKEN)
    assert leaks(out, R_TOKEN) == []
    draft_page = (out / f"incidents/{DRAFT}/index.html").read_text(encoding="utf-8")
    assert "pm-banner" in draft_page


# --- hostile strings in the new fields -----------------------------------------------

HOSTILE = "<script>alert(1)</script> </script><img src=x onerror=alert(2)> {{ 7*7 }} {% raw %}"
LINK = "[click](javascript:alert(3))"
RTL = "\u202ereverse"


def test_hostile_strings_in_new_fields_are_escaped(tmp_path: Path) -> None:
    """A hostile ruled_out reason, decided_by, reference and action-item owner
    show as text on the incident page, the layer page and the reporting page:
    no element, no executed Jinja, no Markdown link."""
    evil = f"{HOSTILE} {LINK} {RTL}"
    text = postmortem_text(
        id=PUBLIC,
        title=json.dumps(f"Title {evil}"),
        ruled_out=ruled_out({**RULED_OUT, "data": f"Reason {evil}"}),
        reporting=reporting_block(
            "2025-03-15T10:00:00Z", f"by {evil}", f"ref {evil}", "2025-03-16T09:00:00Z"
        ),
    )
    root = write_site_at(tmp_path, {f"{PUBLIC}.md": text})
    site = build(root)
    for address in (f"incidents/{PUBLIC}/", "layers/data/", "reporting/", "incidents/", ""):
        html_text = (site / address / "index.html").read_text(encoding="utf-8")
        tree = content(site, address)
        assert not tree.find_all("script"), address
        assert not [n for n in tree.find_all("img") if "onerror" in n.attrs], address
        assert 'href="javascript:' not in html_text, address
        assert "<script>alert(1)" not in html_text, address
        assert "{{ 7*7 }}" in tree.text or address in ("incidents/", ""), address
    reporting = content(site, "reporting/").text
    assert f"ref {HOSTILE}" in reporting and f"by {HOSTILE}" in reporting
    assert f"Reason {HOSTILE}" in content(site, f"incidents/{PUBLIC}/").text
    assert f"Reason {HOSTILE}" in content(site, "layers/data/").text


def test_hostile_taxonomy_titles_are_escaped_on_generated_pages(tmp_path: Path) -> None:
    """Layer and category titles with markup show as text on the layer,
    category, guide and home pages and in <title>."""
    taxonomy = (REPO / "schema" / "taxonomy.yml").read_text(encoding="utf-8")
    assert "title: Model\n" in taxonomy and "title: Hallucination\n" in taxonomy
    evil_layer = "Model <img src=x onerror=alert(1)> [x](javascript:alert(2))"
    taxonomy = taxonomy.replace("title: Model\n", f"title: {json.dumps(evil_layer)}\n", 1)
    taxonomy = taxonomy.replace(
        "title: Hallucination\n", f"title: {json.dumps('Hallu </script><b>x</b>')}\n", 1
    )
    (tmp_path / "taxonomy.yml").write_text(taxonomy, encoding="utf-8")
    root = write_site_at(tmp_path, {f"{PUBLIC}.md": postmortem_text(id=PUBLIC)})
    cfg = root / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            str(REPO / "schema" / "taxonomy.yml"), str(tmp_path / "taxonomy.yml")
        ),
        encoding="utf-8",
    )
    site = build(root)
    for html_file in sorted(site.rglob("*.html")):
        text = html_file.read_text(encoding="utf-8")
        where = html_file.relative_to(site).as_posix()
        assert "<img src=x" not in text, where
        assert "<b>x</b>" not in text, where
        assert 'href="javascript:' not in text, where


# --- postmortems audit on the new fields ----------------------------------------------


@pytest.mark.parametrize("config", ["default", "prefix-no-dashboard-files"])
def test_audit_is_clean_on_the_plugin_built_site(tmp_path: Path, config: str) -> None:
    """The site our plugin built (related, obligations, ruled_out, recurrences;
    with prefix and file URLs too) passes `postmortems audit`."""
    root = write_library(tmp_path, config)
    build(root)
    result = run_cli("audit", "site", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_audit_catches_a_site_built_without_the_plugin(tmp_path: Path) -> None:
    """A site built without our plugin holds the restricted incident: audit exits 1
    and names its source file."""
    root = write_library(tmp_path, "default")
    control_leaks(root, R_TOKEN)
    result = run_cli("audit", "site-plain", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{RESTRICTED}-{R_TOKEN}.md" in result.stdout


def plant(root: Path, text: str) -> None:
    """Add one page to the plugin-built site, as a theme override or a hook might."""
    target = root / "site" / "extra" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"<html><body><p>{text}</p></body></html>", encoding="utf-8")


def test_audit_catches_a_planted_ruled_out_reason(tmp_path: Path) -> None:
    """A restricted incident's ruled_out reason (a sentence) planted in a page is a leak."""
    root = write_library(tmp_path, "default")
    build(root)
    plant(root, f"{RULED_OUT['process']} {R_TOKEN} examined")
    result = run_cli("audit", "site", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "extra/index.html" in result.stdout


def test_audit_catches_a_planted_regulator_reference(tmp_path: Path) -> None:
    """A restricted incident's filing reference (MSA-2026-0042 style, distinctive
    like an id) planted in a page is a leak."""
    root = write_library(tmp_path, "default")
    build(root)
    plant(root, f"Case {R_TOKEN}-REF-0042 was filed.")
    result = run_cli("audit", "site", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr


# --- CLI robustness: hostile regimes and dates ----------------------------------------


def run_cli_bounded(*args: str, cwd: Path, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """The console script, killed (and reported as a hang) after `timeout` seconds."""
    try:
        proc = subprocess.run(
            [str(POSTMORTEMS), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"postmortems {' '.join(args)} hung for {timeout}s")
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def regimes_site(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_site_at(tmp_path, files, "regimes: regimes.yml")


@pytest.mark.parametrize("command", [["lint"], ["reporting"]])
def test_fifo_as_regimes_file_is_a_finding(tmp_path: Path, command: list[str]) -> None:
    """A FIFO named as the regimes file gives a `regimes` finding, not a hang."""
    root = regimes_site(tmp_path, {f"{PUBLIC}.md": postmortem_text(id=PUBLIC)})
    os.mkfifo(root / "regimes.yml")
    proc = run_cli_bounded(*command, cwd=root, timeout=10)
    assert proc.returncode == 1
    assert "regimes" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "regimes",
    [
        "regimes: [ {id: x\n",
        "regimes:\n  - id: x\n    title: X\n    source: https://example.org\n"
        "    triggers:\n      - id: t\n        title: T\n        deadlines:\n"
        "          - {stage: s, within: P99999999999Y}\n",
        "regimes:\n  - id: x\n    title: X\n    source: https://example.org\n"
        "    triggers:\n      - id: t\n        title: T\n        deadlines:\n"
        "          - {stage: s, within: P" + "9" * 5000 + "D}\n",
        "\x00\x01binary",
        "regimes: !!python/object/apply:os.system [echo pwned]\n",
    ],
    ids=["broken-yaml", "huge-years", "thousands-of-digits", "binary", "yaml-tag"],
)
def test_hostile_regimes_file_is_a_finding(tmp_path: Path, regimes: str) -> None:
    """A broken regimes file gives a `regimes` error in lint and reporting, and
    `new --regime` a usage error: never a traceback."""
    root = regimes_site(tmp_path, {f"{PUBLIC}.md": postmortem_text(id=PUBLIC)})
    (root / "regimes.yml").write_text(regimes, encoding="utf-8")
    lint = run_cli_bounded("lint", "--format", "json", cwd=root)
    assert lint.returncode == 1
    assert any(
        f["rule"] in ("regimes", "yaml-syntax", "yaml-tag", "encoding")
        for f in json.loads(lint.stdout)
    )
    assert run_cli_bounded("reporting", cwd=root).returncode == 1
    new = run_cli_bounded(
        "new", "--regime", "x:t", "--severity", "SEV2", "--system", "a", "T", cwd=root
    )
    assert new.returncode == 2


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "json", "github"])
def test_report_formats_on_hostile_input(tmp_path: Path, fmt: str) -> None:
    """Each report format is written for a library of broken files (binary,
    hostile text, a huge duration in front matter) without a traceback."""
    files = {
        f"{PUBLIC}.md": postmortem_text(id=PUBLIC, title=json.dumps(HOSTILE + RTL)),
        "INC-2025-010.md": "\x00\x01\x02binary",
        "INC-2025-011.md": "---\nid: [unclosed\n---\n",
        "INC-2025-012.md": postmortem_text(
            id="INC-2025-012", reporting=reporting_block("P99999999999Y", "x", "y", "9999-12-31")
        ),
    }
    root = write_site_at(tmp_path, files)
    proc = run_cli_bounded("lint", "--format", fmt, cwd=root)
    assert proc.returncode == 1
    if fmt in ("sarif", "gitlab", "json"):
        json.loads(proc.stdout)


@pytest.mark.parametrize(
    ("aware", "filed"),
    [
        ("9999-12-31T23:00:00-05:00", "2025-01-01T00:00:00Z"),
        ("2025-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00"),
    ],
    ids=["aware-past-9999-in-utc", "filed-before-year-1-in-utc"],
)
@pytest.mark.parametrize("command", ["lint", "reporting"])
def test_reporting_instants_out_of_range_are_findings(
    tmp_path: Path, aware: str, filed: str, command: str
) -> None:
    """An `aware` or `filed` instant whose UTC time falls outside years 1-9999
    is a finding in lint and reporting, not a traceback."""
    text = postmortem_text(id=PUBLIC, reporting=reporting_block(aware, "legal", "R-1", filed))
    root = write_site_at(tmp_path, {f"{PUBLIC}.md": text})
    proc = run_cli_bounded(command, cwd=root)
    assert proc.returncode in (0, 1)


def test_date_past_9999_in_utc_builds_or_is_a_lint_error(tmp_path: Path) -> None:
    """A date-time that is year 10000 in UTC is either a lint error that fails
    the build with the same finding, or builds: never a traceback."""
    text = postmortem_text(
        id=PUBLIC, date="9999-12-31T23:00:00-05:00", detected=None, resolved=None
    )
    root = write_site_at(tmp_path, {f"{PUBLIC}.md": text})
    lint = run_cli_bounded("lint", cwd=root)
    built = run_mkdocs(root)
    assert "Traceback" not in built.stdout + built.stderr, built.stderr[-2000:]
    assert (lint.returncode == 0) == (built.returncode == 0)


def test_year_9999_dates_and_durations_hold(tmp_path: Path) -> None:
    """Dates at year 9999 (plain and UTC) and a P1M clock from 9999-12-15 run to
    the end of time without a traceback in lint, reporting and the build."""
    text = postmortem_text(
        id=PUBLIC,
        date="9999-12-30",
        detected="9999-12-31",
        resolved="9999-12-31T23:59:59Z",
        reporting=reporting_block("9999-12-31T23:00:00Z", "legal", "R-1", "9999-12-31T23:30:00Z"),
    )
    root = write_site_at(tmp_path, {f"{PUBLIC}.md": text})
    assert run_cli_bounded("lint", cwd=root).returncode in (0, 1)
    assert run_cli_bounded("reporting", "--today", "9999-12-31", cwd=root).returncode in (0, 1)
    built = run_mkdocs(root, strict=False)
    assert "Traceback" not in built.stdout + built.stderr, built.stderr[-2000:]


def test_new_with_regime_and_layer_on_hostile_values(tmp_path: Path) -> None:
    """`new --layer` and `--regime` with markup or unknown ids are usage errors;
    a valid pair writes a file that lints; nothing is overwritten."""
    root = write_site_at(tmp_path, {f"{PUBLIC}.md": postmortem_text(id=PUBLIC)})
    base = ["new", "--severity", "SEV2", "--system", "bot"]
    assert (
        run_cli_bounded(*base, "--layer", "<script>", "--no-reporting", "T", cwd=root).returncode
        == 2
    )
    assert run_cli_bounded(*base, "--regime", "gdpr-art33:{{x}}", "T", cwd=root).returncode == 2
    made = run_cli_bounded(
        *base,
        "--regime",
        "eu-ai-act-art73:death",
        "--layer",
        "model",
        "--date",
        "9999-12-31",
        "Hostile </script> title",
        cwd=root,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    path = root / made.stdout.strip().splitlines()[-1]
    assert path.is_file()
    assert run_cli_bounded("lint", str(path), cwd=root).returncode in (0, 1)


# --- links to restricted postmortems, other plugins, options -------------------------


def test_body_link_to_a_restricted_postmortem_renders_as_its_bare_id(tmp_path: Path) -> None:
    """A published narrative linking to a restricted postmortem's file shows its
    bare id: the restricted file's name (slug) reaches no output file."""
    slug = "zqpayrollslug"
    body = f"\nSee [the earlier one]({RESTRICTED}-{slug}.md) for context.\n"
    files = {
        f"{PUBLIC}.md": postmortem_text(id=PUBLIC) + body,
        f"{RESTRICTED}-{slug}.md": postmortem_text(
            id=RESTRICTED, title="Secret payroll", visibility="restricted"
        ),
    }
    root = write_site_at(tmp_path, files)
    built = run_mkdocs(root, strict=False)
    assert built.returncode == 0, built.stderr
    assert leaks(root / "site", slug) == []


def test_i18n_and_macros_keep_restricted_out_and_jinja_inert(tmp_path: Path) -> None:
    """With mkdocs-static-i18n (suffix, fallback) and mkdocs-macros, restricted
    postmortems (a translation among them) reach no file, and Jinja written in a
    published title is shown, not run."""
    pytest.importorskip("mkdocs_static_i18n")
    pytest.importorskip("mkdocs_macros")
    files = {
        "index.md": "# Home\n",
        "index.fr.md": "# Accueil\n",
        f"{PUBLIC}.md": postmortem_text(
            id=PUBLIC,
            title=json.dumps("Title {{ config.site_name }} {{ 6*7 }}"),
            related=f"[{RESTRICTED}]",
        ),
        f"{RESTRICTED}-{R_TOKEN}.md": restricted_text(),
        f"INC-2025-004-{R_TOKEN}.fr.md": postmortem_text(
            id="INC-2025-004", title=f"Secret {R_TOKEN}", visibility="restricted"
        ),
    }
    root = write_site_at(
        tmp_path,
        files,
        extra_config="  - macros\n  - i18n:\n      docs_structure: suffix\n"
        "      fallback_to_default: true\n      languages:\n"
        "        - {locale: en, default: true, name: English}\n"
        "        - {locale: fr, name: Francais}\n",
    )
    built = run_mkdocs(root, strict=False)
    assert built.returncode == 0, built.stderr
    site = root / "site"
    assert leaks(site, R_TOKEN) == []
    incident = (site / f"incidents/{PUBLIC}/index.html").read_text(encoding="utf-8")
    assert "Title {{ config.site_name }} {{ 6*7 }}" in incident
    assert "Title Test library" not in all_text(site)


@pytest.mark.parametrize(
    "prefix", ['"<script>"', '"../outside"', '"a b"', '"\\u202elib"', '"{{ x }}"']
)
def test_hostile_prefix_is_a_configuration_error(tmp_path: Path, prefix: str) -> None:
    """A prefix that is not folder names fails lint (exit 2) and the build
    with MkDocs' config error, without a traceback."""
    root = write_site_at(
        tmp_path, {f"{PUBLIC}.md": postmortem_text(id=PUBLIC)}, f"prefix: {prefix}"
    )
    lint = run_cli_bounded("lint", cwd=root)
    assert lint.returncode == 2, lint.stdout + lint.stderr
    assert "prefix" in lint.stderr
    built = run_mkdocs(root)
    assert built.returncode != 0
    assert "Traceback" not in built.stdout + built.stderr
    assert "prefix" in built.stdout + built.stderr


def test_hostile_regimes_file_strings_are_escaped(tmp_path: Path) -> None:
    """A regimes file whose title, description, trigger title and source URL
    carry markup: the reporting page and the incident card link the source as
    an attribute value and add no element."""
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    source = 'https://example.org/law?"><script>alert(3)</script>'
    regimes = (
        "regimes:\n  - id: evil-law\n"
        f"    title: {json.dumps('Law ' + evil)}\n"
        f"    description: {json.dumps('About ' + evil)}\n"
        f"    source: {json.dumps(source)}\n"
        "    triggers:\n      - id: any\n"
        f"        title: {json.dumps('Any ' + evil)}\n"
        "        deadlines:\n          - {stage: report, within: P15D}\n"
    )
    block = (
        "\n  aware: 2025-03-15T10:00:00Z\n  obligations:\n    - regime: evil-law\n"
        "      trigger: any\n      decision: reportable\n      decided_by: legal\n"
        "      reports:\n        - {stage: report, filed: 2025-03-16T09:00:00Z}"
    )
    root = regimes_site(tmp_path, {f"{PUBLIC}.md": postmortem_text(id=PUBLIC, reporting=block)})
    (root / "regimes.yml").write_text(regimes, encoding="utf-8")
    site = build(root)
    for address in ("reporting/", f"incidents/{PUBLIC}/"):
        article = content(site, address)
        assert not article.find_all("script") and not article.find_all("img"), address
        hrefs = article.hrefs()
        assert source in hrefs, (address, hrefs)
    for html_file in site.rglob("*.html"):
        assert "<script>alert" not in html_file.read_text(encoding="utf-8"), html_file


@pytest.mark.parametrize("where", ["markdown", "asset", "taxonomy"])
def test_audit_does_not_hang_on_a_fifo_in_the_library(tmp_path: Path, where: str) -> None:
    """A FIFO as a Markdown file, as an asset of a restricted postmortem, or as
    the taxonomy: audit finishes (a finding or an unscanned file), it never blocks."""
    root = write_library(tmp_path, "default")
    build(root)
    if where == "markdown":
        os.mkfifo(root / "docs" / "INC-2025-009.md")
    elif where == "asset":
        os.mkfifo(root / "docs" / "2025" / f"{RESTRICTED}-{R_TOKEN}" / "pipe.png")
    else:
        os.mkfifo(root / "taxonomy.fifo")
        cfg = root / "mkdocs.yml"
        text = cfg.read_text(encoding="utf-8")
        cfg.write_text(text.replace(str(REPO / "schema" / "taxonomy.yml"), "taxonomy.fifo"))
    proc = run_cli_bounded("audit", "site", cwd=root, timeout=10)
    assert proc.returncode in (0, 1)


def test_dates_with_thousands_of_digits_are_findings(tmp_path: Path) -> None:
    """A year, an offset and a fraction of thousands of digits in `aware`,
    `filed` and `date` give findings (or are read), never a traceback, in lint,
    reporting and the build."""
    big = "9" * 5000
    block = (
        f"\n  aware: {big}-01-01\n  obligations:\n    - regime: gdpr-art33\n"
        "      trigger: personal-data-breach\n      decision: reportable\n"
        "      decided_by: legal\n      reports:\n"
        f"        - {{stage: notification, filed: 2025-01-01T00:00:00+{big}:00}}"
    )
    files = {
        f"{PUBLIC}.md": postmortem_text(id=PUBLIC, reporting=block),
        "INC-2025-005.md": postmortem_text(
            id="INC-2025-005", date=f"2025-01-01T00:00:00.{big}Z", detected=None, resolved=None
        ),
    }
    root = write_site_at(tmp_path, files)
    lint = run_cli_bounded("lint", "--format", "json", cwd=root)
    assert lint.returncode == 1
    flagged = {(f["path"], f["rule"]) for f in json.loads(lint.stdout)}
    assert (f"docs/{PUBLIC}.md", "invalid-format") in flagged
    assert run_cli_bounded("reporting", cwd=root).returncode in (0, 1)
    built = run_mkdocs(root)
    assert built.returncode != 0
    assert "Traceback" not in built.stdout + built.stderr


# --- routes to a withheld file that another part of the site opens (issue 20) --------


def test_a_public_page_that_links_a_restricted_asset_publishes_no_byte_of_it(
    tmp_path: Path,
) -> None:
    """A public page embeds a file from a restricted postmortem's asset folder:
    the file is withheld (the page's own link text is the author's, and not
    a leak), so no written file holds the asset's content."""
    files = library_files()
    files["index.md"] += f"\n![chart](2025/{RESTRICTED}-{R_TOKEN}/diagram-{R_TOKEN}.txt)\n"
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, f"asset {R_TOKEN}")
    result = run_mkdocs(root, strict=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leaks(root / "site", f"asset {R_TOKEN}") == []


def test_a_redirect_to_a_restricted_postmortem_publishes_nothing_of_it(tmp_path: Path) -> None:
    """mkdocs-redirects, asked for a redirect to a restricted postmortem, finds
    no such page (the plugin withheld it): nothing of it is written."""
    root = write_library(tmp_path, "default")
    cfg = root / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            "  - search\n",
            "  - search\n  - redirects:\n      redirect_maps:\n"
            f"        old-payroll.md: 2025/{RESTRICTED}-{R_TOKEN}.md\n",
        ),
        encoding="utf-8",
    )
    result = run_mkdocs(root, strict=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leaks(root / "site", R_TOKEN) == []


@pytest.mark.parametrize("blog_first", [True, False], ids=["blog-first", "blog-after"])
def test_material_blog_posts_that_are_withheld_are_not_excerpted(
    tmp_path: Path, blog_first: bool
) -> None:
    """Material's blog plugin gathers its posts in `on_files` and excerpts
    them on its index and archive pages: a restricted postmortem and a
    restricted ordinary post under `blog/posts/`, in either plugin order,
    leave nothing of themselves on any page (a plain build excerpts both)."""
    post = (
        f"---\ndate: 2025-01-12\nvisibility: restricted\n---\n# Post {R_TOKEN}\n\n"
        f"Excerpt {R_TOKEN} before the cut.\n\n<!-- more -->\n\nRest {R_TOKEN}.\n"
    )
    files = {
        "index.md": "# Home\n",
        f"2025/{PUBLIC}-public.md": public_text(),
        "blog/index.md": "# Blog\n",
        "blog/posts/open.md": "---\ndate: 2025-01-13\n---\n# An open post\n\nHello.\n",
        "blog/posts/closed.md": post,
        f"blog/posts/{RESTRICTED}-{R_TOKEN}.md": restricted_text(),
    }
    files[f"2025/{DRAFT}-{D_TOKEN}.md"] = draft_text()
    root = write_site_at(tmp_path, files)
    cfg = root / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert text.count("  - postmortems:\n") == 1 and text.count("      taxonomy: ") == 1
    if blog_first:
        text = text.replace("  - postmortems:\n", "  - blog\n  - postmortems:\n")
    else:
        head, tail = text.split("      taxonomy: ")
        line, rest = tail.split("\n", 1)
        text = f"{head}      taxonomy: {line}\n  - blog\n{rest}"
    cfg.write_text(text, encoding="utf-8")
    assert control_leaks(root, R_TOKEN)
    result = run_mkdocs(root, strict=False)
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site"
    assert (site / "blog" / "index.html").is_file()
    assert "An open post" in (site / "blog" / "index.html").read_text(encoding="utf-8")
    assert leaks(site, R_TOKEN) == []


# --- second reader of s30-34: other plugins' files, copied files, folder meta ---------

FOREIGN_TOKEN = "zqforeigncanary"
RESTRICTED_PAGE = f"---\nvisibility: restricted\n---\n# Board {FOREIGN_TOKEN} minutes\n"


def with_hook(root: Path, hook: str) -> Path:
    (root / "hook.py").write_text(hook, encoding="utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "hooks:\n  - hook.py\n", encoding="utf-8")
    return root


HOOKS = {
    # mkdocs-gen-files does this when a script writes to a page of docs_dir.
    "replaces": f"""
from mkdocs.structure.files import File

def on_files(files, config):
    files.remove(files.get_file_from_path("about.md"))
    files.append(File.generated(config, "about.md", content={RESTRICTED_PAGE!r}))
    return files
""",
    "edits": f"""
def on_files(files, config):
    files.get_file_from_path("about.md").content_string = {RESTRICTED_PAGE!r}
    return files
""",
    "runs-late": f"""
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

@event_priority(-5000)
def on_files(files, config):
    files.append(File.generated(config, "late.md", content={RESTRICTED_PAGE!r}))
    return files
""",
    # Material's meta plugin gives hr/'s pages its .meta.yml: restricted.
    "meta-folder": f"""
from mkdocs.structure.files import File

def on_files(files, config):
    files.append(File.generated(config, "hr/made.md", content="# Made {FOREIGN_TOKEN}a\\n"))
    files.append(File.generated(config, "hr/made.csv", content="n\\n{FOREIGN_TOKEN}b\\n"))
    return files
""",
}


@pytest.mark.parametrize("route", list(HOOKS))
def test_a_restricted_page_another_plugin_makes_never_reaches_the_site(
    tmp_path: Path, route: str
) -> None:
    """A hook that puts restricted text in place of a published page (as
    mkdocs-gen-files does when a script writes to a page of docs_dir), edits
    a published page's text in memory, adds its page after ours, or adds
    files to a folder whose `.meta.yml` is restricted: nothing of it is
    published (spec 4: any file whose front matter or meta says restricted)."""
    files = {
        "index.md": "# Home\n",
        "about.md": "# About\n",
        f"2025/{PUBLIC}.md": postmortem_text(id=PUBLIC),
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/notes.md": "# HR notes\n",
    }
    root = with_hook(write_site_at(tmp_path, files), HOOKS[route])
    site = build(root)
    assert leaks(site, FOREIGN_TOKEN) == []
    assert leaks(site, "HR notes") == []


def test_a_meta_yml_inside_a_published_asset_folder_still_withholds(tmp_path: Path) -> None:
    """A published postmortem's asset folder is exempt from a restricted
    `.meta.yml` above the postmortem (its own visibility won), not from one
    inside the asset folder itself: the nearest `.meta.yml` wins."""
    files = {
        "index.md": "# Home\n",
        f"2025/{PUBLIC}.md": postmortem_text(id=PUBLIC),
        f"2025/{PUBLIC}/chart.csv": "n\nzqkeptasset\n",
        f"2025/{PUBLIC}/hr/.meta.yml": "visibility: restricted\n",
        f"2025/{PUBLIC}/hr/pay.csv": f"n\n{FOREIGN_TOKEN}\n",
    }
    site = build(write_site_at(tmp_path, files))
    assert leaks(site, FOREIGN_TOKEN) == []
    assert leaks(site, "zqkeptasset") == [f"2025/{PUBLIC}/chart.csv"]


def test_a_file_of_a_restricted_folder_that_is_also_published_elsewhere_builds(
    tmp_path: Path,
) -> None:
    """The same logo in a restricted folder and in a public one tells nothing
    of the restricted folder: the build does not fail on the public copy."""
    logo = "PNG zqsharedlogo bytes of a logo that two folders hold\n"
    files = {
        "index.md": "# Home\n\n![logo](img/logo.png)\n",
        "img/logo.png": logo,
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/logo.png": logo,
        "hr/pay.csv": f"n\n{FOREIGN_TOKEN}\n",
    }
    site = build(write_site_at(tmp_path, files))
    assert leaks(site, "zqsharedlogo") == ["img/logo.png"]
    assert leaks(site, FOREIGN_TOKEN) == []


def test_a_copied_file_whose_front_matter_ends_with_dots_is_withheld(tmp_path: Path) -> None:
    """YAML's document end `...` closes a front matter as `---` does (MkDocs
    reads a page's so): a restricted text closed so is withheld."""
    files = {
        "index.md": "# Home\n",
        "notes/minutes.txt": f"---\nvisibility: restricted\n...\n{FOREIGN_TOKEN}\n",
        "notes/open.txt": "---\ntitle: open\n...\nzqkeptdots\n",
    }
    site = build(write_site_at(tmp_path, files))
    assert leaks(site, FOREIGN_TOKEN) == []
    assert leaks(site, "zqkeptdots") == ["notes/open.txt"]


def test_a_plugin_that_copies_a_withheld_file_by_the_real_path_of_docs_dir(
    tmp_path: Path,
) -> None:
    """docs_dir reached through a link, and a hook that adds files of it by
    its real path: a draft postmortem and a restricted one's asset are
    withheld as their sources are, and the build goes on (it failed on the
    output guard, the copies taken for another plugin's own files)."""
    files = {
        "index.md": "# Home\n",
        f"2025/{PUBLIC}.md": postmortem_text(id=PUBLIC),
        f"2025/{RESTRICTED}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
        f"2025/{RESTRICTED}/chart.csv": f"n\n{FOREIGN_TOKEN}a\n",
        f"2025/{DRAFT}.md": postmortem_text(id=DRAFT, status="draft", title=f"{FOREIGN_TOKEN}b"),
    }
    root = write_site_at(tmp_path / "site-root", files)
    (root / "docs").rename(tmp_path / "real-docs")
    (root / "docs").symlink_to(tmp_path / "real-docs")
    with_hook(
        root,
        "import os\nfrom mkdocs.structure.files import File\n\n\n"
        "def on_files(files, config):\n"
        "    real = os.path.realpath(config.docs_dir)\n"
        f"    for uri in ('2025/{RESTRICTED}/chart.csv', '2025/{DRAFT}.md'):\n"
        "        files.append(File(uri, real, config.site_dir, config.use_directory_urls))\n"
        "    return files\n",
    )
    site = build(root, strict=False)
    assert leaks(site, FOREIGN_TOKEN) == []


def test_a_patch_file_that_is_not_utf8_is_copied(tmp_path: Path) -> None:
    """A unified diff starts with `--- a/file`: no front matter opens there,
    so a diff in Latin-1 is copied as it is, not an encoding error that
    stops the build (it was, once `---` began its first line)."""
    root = write_site_at(tmp_path, {"index.md": "# Home\n"})
    patch = b"--- a/menu.txt\n+++ b/menu.txt\n@@ -1 +1 @@\n-caf\xe9\n+cafe zqkeptpatch\n"
    (root / "docs" / "fix.patch").write_bytes(patch)
    site = build(root)
    assert leaks(site, "zqkeptpatch") == ["fix.patch"]


def test_hidden_files_a_site_publishes_are_decided_too(tmp_path: Path) -> None:
    """`exclude_docs: "!.well-known/"` publishes a hidden folder: its copied
    files are decided as any other (a restricted front matter, a folder whose
    `.meta.yml` is restricted), though no finding is reported for them."""
    files = {
        "index.md": "# Home\n",
        ".well-known/security.txt": "Contact: zqkeptsecurity\n",
        ".well-known/notes.txt": f"---\nvisibility: restricted\n---\n{FOREIGN_TOKEN}a\n",
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/.well-known/pay.csv": f"n\n{FOREIGN_TOKEN}b\n",
        ".drafts/broken.txt": "---\nvisibility: [restricted\n---\nnot published\n",
    }
    root = write_site_at(tmp_path, files, extra_config="exclude_docs: |\n  !.well-known/\n")
    site = build(root)
    assert leaks(site, FOREIGN_TOKEN) == []
    assert leaks(site, "zqkeptsecurity") == [".well-known/security.txt"]


LATE_HOOK = f"""
from mkdocs.structure.files import File


def on_env(env, config, files):
    files.append(File.generated(config, "env.txt", content={RESTRICTED_PAGE!r}))
    files.append(File.generated(config, "hr/env.csv", content="n\\n{FOREIGN_TOKEN}b\\n"))
    files.append(File.generated(config, "open.txt", content="zqkeptlate\\n"))
    return env
"""


def test_a_file_another_plugin_adds_as_late_as_on_env_is_decided(tmp_path: Path) -> None:
    """MkDocs copies the files it does not render after `on_env`: one a hook
    adds there with restricted front matter, or in a restricted folder, is
    withheld; an open one is copied."""
    files = {"index.md": "# Home\n", "hr/.meta.yml": "visibility: restricted\n"}
    root = with_hook(write_site_at(tmp_path, files), LATE_HOOK)
    site = build(root)
    assert leaks(site, FOREIGN_TOKEN) == []
    assert leaks(site, "zqkeptlate") == ["open.txt"]


# Past what a file of docs_dir may weigh (`Limits.max_file_bytes`, 2 MiB).
BIG = f"---\nvisibility: restricted\n---\n# Board {FOREIGN_TOKEN}\n" + "word " * 600_000
UNCLASSIFIABLE = {
    # The file, as the build names it; how the hook adds it (from `outside/`,
    # or from `memory/` with the content in memory); what it holds; the finding.
    "fifo-page": ("pipe.md", "outside", "fifo", "1:1: error unreadable"),
    "fifo-copy": ("pipe.txt", "outside", "fifo", "1:1: error unreadable"),
    "too-large-page": ("big.md", "outside", BIG, "1:1: error file-too-large"),
    "too-large-copy": ("big.txt", "outside", BIG, "1:1: error file-too-large"),
    "too-large-generated": ("big.md (hook.py)", "memory", BIG, "1:1: error file-too-large"),
    "broken-front-matter": (
        "minutes.txt (hook.py)",
        "memory",
        f"---\nvisibility: [restricted\n---\n{FOREIGN_TOKEN}\n",
        "2:13: error yaml-syntax",
    ),
}
UNCLASSIFIABLE_HOOK = """
from pathlib import Path
from mkdocs.structure.files import File

HERE = Path(__file__).parent


def on_files(files, config):
    for path in sorted((HERE / "outside").iterdir()):
        files.append(File(path.name, str(HERE / "outside"), config.site_dir, True))
    for path in sorted((HERE / "memory").iterdir()):
        files.append(File.generated(config, path.name, content=path.read_bytes()))
    return files
"""


@pytest.mark.parametrize("case", list(UNCLASSIFIABLE))
def test_a_file_another_plugin_adds_that_cannot_be_read_is_withheld_with_a_finding(
    tmp_path: Path, case: str
) -> None:
    """A page or copied file another plugin adds that cannot be classified
    within the limits a file of docs_dir has (a FIFO, whose read never
    ends; a file past `Limits.max_file_bytes`; front matter that is not
    YAML) is withheld, read no further than the limit, and is an error
    naming file, line and rule, without a traceback or the file's text
    (the FIFO hung the build; the others were dropped without a word)."""
    name, where, made, finding = UNCLASSIFIABLE[case]
    root = with_hook(write_site_at(tmp_path, {"index.md": "# Home\n"}), UNCLASSIFIABLE_HOOK)
    for folder in ("outside", "memory"):
        (root / folder).mkdir()
    path = root / where / name.split(" ")[0]
    if made == "fifo":
        os.mkfifo(path)
    else:
        path.write_text(made, encoding="utf-8")
    result = run_mkdocs(root, out=root / "site", strict=False, timeout=60)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"{name}:{finding}: " in log, log
    # Lint never reads another plugin's files: the build does not send the user there.
    assert "files other plugins added" in log and "run `postmortems lint`" not in log, log
    assert "Traceback" not in log and FOREIGN_TOKEN not in log
    if (root / "site").is_dir():
        assert leaks(root / "site", FOREIGN_TOKEN) == []


@pytest.mark.parametrize("directory_urls", [True, False], ids=["directory-urls", "html-urls"])
def test_a_restricted_folder_holding_files_named_as_the_build_names_its_own_builds(
    tmp_path: Path, directory_urls: bool
) -> None:
    """An `index.html`, a `sitemap.xml`, an `about.html` or a `favicon.png`
    in a restricted folder: withheld, and their names tell nothing, since the
    build (or the theme) writes files so named for every site (it failed,
    every page's `index.html` taken for the withheld file's name)."""
    files = {
        "index.md": "# Home\n",
        "about.md": "# About\n",
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/index.html": f"<p>{FOREIGN_TOKEN}a</p>\n",
        "hr/sitemap.xml": f"<x>{FOREIGN_TOKEN}b</x>\n",
        "hr/about.html": f"<p>{FOREIGN_TOKEN}c</p>\n",
        # Material copies assets/images/favicon.png, and every page links it.
        "hr/favicon.png": f"PNG {FOREIGN_TOKEN}d",
    }
    extra = "" if directory_urls else "use_directory_urls: false\n"
    site = build(write_site_at(tmp_path, files, extra_config=extra))
    assert leaks(site, FOREIGN_TOKEN) == []


def test_a_copied_file_of_its_own_visibility_wins_over_its_folder(tmp_path: Path) -> None:
    """Spec 4: the file's own front matter wins over a `.meta.yml`, for a
    copied file as for a page (it was withheld by its folder)."""
    files = {
        "index.md": "# Home\n",
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/open.md": "---\nvisibility: internal\n---\n# Open zqkeptpage\n",
        "hr/open.txt": "---\nvisibility: internal\n---\nzqkeptcopy\n",
        "hr/pay.csv": f"n\n{FOREIGN_TOKEN}\n",
    }
    site = build(write_site_at(tmp_path, files))
    assert leaks(site, FOREIGN_TOKEN) == []
    assert leaks(site, "zqkeptcopy") == ["hr/open.txt"]
    assert "hr/open/index.html" in leaks(site, "zqkeptpage")


def test_audit_takes_the_theme_files_names_as_the_build_does(tmp_path: Path) -> None:
    """`postmortems audit` of a site built without our plugin names the
    restricted folder's files it finds, not every page that links the
    theme's own `favicon.png` (it did: it knew no theme folder)."""
    files = {
        "index.md": "# Home\n",
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/favicon.png": f"PNG {FOREIGN_TOKEN}",
    }
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, FOREIGN_TOKEN) == ["hr/favicon.png"]
    plain = run_cli("audit", "site-plain", cwd=root)
    assert plain.returncode == 1
    lines = [line for line in plain.stdout.splitlines() if ": " in line]
    named = {line.split(":")[0].split(" (")[0] for line in lines}
    assert named == {"site-plain/hr/favicon.png"}, plain.stdout


# --- routes tried in s31: what other plugins write after the guard --------------------


@pytest.mark.parametrize("priority", ["-(10**9)", "float('-inf')"], ids=["ours", "lowest"])
def test_a_hook_that_writes_after_the_output_guard_at_its_priority_is_read(
    tmp_path: Path, priority: str
) -> None:
    """A hook's `on_post_build` at the guard's own priority (hooks load after
    plugins, so a tie ran it after the guard) or lower wrote a restricted
    summary into the site after the guard had read it, and the build
    passed: the guard runs after every `on_post_build` now, whatever its
    priority, so the file is read, removed, and the build fails."""
    files = {
        "index.md": "# Home\n",
        f"2025/{RESTRICTED}.md": postmortem_text(
            id=RESTRICTED, visibility="restricted", summary=f"The agent wrote {R_TOKEN} lines."
        ),
    }
    hook = (
        "import os\nfrom mkdocs.plugins import event_priority\n\n\n"
        f"@event_priority({priority})\n"
        "def on_post_build(config):\n"
        '    with open(os.path.join(config.site_dir, "late.html"), "w") as fh:\n'
        f'        fh.write("<p>The agent wrote {R_TOKEN} lines.</p>")\n'
    )
    root = with_hook(write_site_at(tmp_path, files), hook)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"late.html: summary of docs/2025/{RESTRICTED}.md (restricted)" in log, log
    assert leaks(root / "site", R_TOKEN) == []


NAV_HOOK = f"""
from mkdocs.structure.files import File, InclusionLevel


def on_nav(nav, config, files):
    out = InclusionLevel.NOT_IN_NAV
    files.append(File.generated(config, "board.md", content={RESTRICTED_PAGE!r}, inclusion=out))
    files.append(File.generated(config, "open.md", content="# Open zqkeptnav\\n", inclusion=out))
    files.get_file_from_path("about.md").content_string = {RESTRICTED_PAGE!r}
    return nav
"""


def test_a_page_another_plugin_adds_or_rewrites_in_on_nav_is_decided(tmp_path: Path) -> None:
    """MkDocs reads the pages after `on_nav`, and renders one a plugin adds
    there out of the navigation: a restricted page added so, or a published
    page whose text a plugin sets there, was published (the passes ran in
    on_files and on_env, the second for copied files only); now decided as
    in on_files, while an open page added so is published."""
    files = {"index.md": "# Home\n", "about.md": "# About\n"}
    site = build(with_hook(write_site_at(tmp_path, files), NAV_HOOK))
    assert leaks(site, FOREIGN_TOKEN) == []
    assert "open/index.html" in leaks(site, "zqkeptnav")


REWRITE_HOOK = """
from mkdocs.structure.files import File


def on_files(files, config):
    files.append(File.generated(config, "made.md", content="# Open zqkeptmade\\n"))
    files.append(File.generated(config, "made.txt", content="open zqkeptmade\\n"))
    return files


def on_{event}(item, config, files):
    files.get_file_from_path({name!r}).content_string = {text!r}
    return item
"""


@pytest.mark.parametrize(("event", "name"), [("nav", "made.md"), ("env", "made.txt")])
def test_a_file_another_plugin_made_and_rewrites_later_in_memory_is_decided_again(
    tmp_path: Path, event: str, name: str
) -> None:
    """A page or copied file another plugin made in memory in `on_files`,
    open then, whose text it sets again in `on_nav` or `on_env` (restricted
    now) is decided by what it now says: a pass noticed only a file read
    from elsewhere, and published it (the page's title in every page's
    navigation too)."""
    hook = REWRITE_HOOK.format(event=event, name=name, text=RESTRICTED_PAGE)
    site = build(with_hook(write_site_at(tmp_path, {"index.md": "# Home\n"}), hook))
    assert leaks(site, FOREIGN_TOKEN) == []
    kept = "made.txt" if event == "nav" else "made/index.html"
    assert kept in leaks(site, "zqkeptmade")


FOLDER_TOKEN = "zqfoldercanary"
# Folders another plugin or hook leaves in the site before the guard runs:
# empty ones named after the restricted postmortem (its id with its slug, its
# bare id), one of them also reached first through a link in the site (read
# once, under the link's name), and a link to a folder outside the site that
# holds one.
FOLDER_HOOK = """
import os
from mkdocs.plugins import event_priority


@event_priority(100)
def on_post_build(config):
    site = config.site_dir
    os.makedirs(os.path.join(site, "archive", {stem!r}))
    os.makedirs(os.path.join(site, "by-id", {pm_id!r}, "empty"))
    os.symlink(os.path.join(site, "by-id"), os.path.join(site, "alias"))
    os.symlink({outside!r}, os.path.join(site, "linked"))
"""


def test_a_folder_named_after_a_withheld_postmortem_fails_the_build(tmp_path: Path) -> None:
    """Folder names are output too: an empty folder another plugin made,
    named after a restricted postmortem's id and slug, was published (the
    guard read files only). Now it fails the build, named with its source,
    and goes; a folder reached through a link goes by its link, and what the
    link points at, outside the site, is left as it was."""
    stem = f"{RESTRICTED}-{FOLDER_TOKEN}"
    files = {
        "index.md": "# Home\n",
        f"2025/{stem}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
    }
    outside = tmp_path / "outside"
    (outside / RESTRICTED).mkdir(parents=True)
    (outside / RESTRICTED / "keep.txt").write_text("a user's own file\n", encoding="utf-8")
    hook = FOLDER_HOOK.format(stem=stem, pm_id=RESTRICTED, outside=str(outside))
    root = with_hook(write_site_at(tmp_path / "root", files), hook)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    source = f"docs/2025/{stem}.md (restricted)"
    assert f"archive/{stem} (folder name): id, id with slug of {source}" in log, log
    assert f"alias/{RESTRICTED} (folder name): id of {source}" in log, log
    site = root / "site"
    left = [
        Path(folder, name).relative_to(site).as_posix()
        for folder, dirs, names in os.walk(site, followlinks=True)
        for name in dirs + names
    ]
    assert [p for p in left if RESTRICTED in p or FOLDER_TOKEN in p or "linked" in p] == []
    assert (site / "archive").is_dir() and (site / "by-id").is_dir()
    assert (outside / RESTRICTED / "keep.txt").read_text(encoding="utf-8") == "a user's own file\n"


DATA_TOKEN = "zqdatacanary"
# A withheld file copied as it is, whose words another plugin puts on a
# published page: a data file of a restricted folder that macros loads, and
# a text asset of a restricted postmortem that include-markdown pulls in.
DATA_ROUTES = {
    "macros include_yaml": (
        {
            "private/.meta.yml": "visibility: restricted\n",
            "private/salaries.yml": f"note: Loaded {DATA_TOKEN} value\n",
            "about.md": "# About\n\n{{ secret.note }}\n",
        },
        "  - macros:\n      include_yaml:\n        - secret: docs/private/salaries.yml\n",
        "docs/private/salaries.yml (restricted file)",
    ),
    "include-markdown of an asset": (
        {
            f"2025/{RESTRICTED}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
            f"2025/{RESTRICTED}/chat-log.txt": f"The bot wrote {DATA_TOKEN} to the customer.\n",
            "about.md": f'# About\n\n{{% include-markdown "2025/{RESTRICTED}/chat-log.txt" %}}\n',
        },
        "  - include-markdown\n",
        f"docs/2025/{RESTRICTED}.md (restricted)",
    ),
}


@pytest.mark.parametrize("route", sorted(DATA_ROUTES))
def test_the_text_of_a_withheld_file_another_plugin_shows_fails_the_build(
    tmp_path: Path, route: str
) -> None:
    """A file MkDocs would copy as it is, withheld (a file of a restricted
    folder, an asset of a restricted postmortem), that another plugin reads
    into a published page: the guard looked for its name and bytes only,
    and the page showed its words; now its text (each string of a data file
    too) is looked for, and the build fails naming it."""
    pytest.importorskip("mkdocs_macros")
    files, plugin, source = DATA_ROUTES[route]
    root = write_site_at(tmp_path, {"index.md": "# Home\n", **files}, extra_config=plugin)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"about/index.html: asset text of {source}" in log, log
    assert leaks(root / "site", DATA_TOKEN) == []


def test_a_nav_title_that_quotes_a_restricted_postmortem_reaches_no_page(tmp_path: Path) -> None:
    """literate-nav's SUMMARY.md, a published page, lists a restricted
    postmortem under its title: the page's own link renders as the bare id,
    but the navigation on that page showed the title and the file's name, and
    the guard took both for published (SUMMARY.md holds them). The words of
    a link to a withheld postmortem are no longer taken for published, and
    the navigation entry is left out (it failed the build until s33), so
    the build passes with nothing of it on any page."""
    pytest.importorskip("mkdocs_literate_nav")
    token = "zqnavcanary"
    title = f"Payroll {token} sheet went company-wide"
    stem = f"{RESTRICTED}-payroll"
    files = {
        "index.md": "# Home\n",
        f"2025/{stem}.md": postmortem_text(
            id=RESTRICTED, title=json.dumps(title), visibility="restricted"
        ),
        "SUMMARY.md": f"* [Home](index.md)\n* [{title}](2025/{stem}.md)\n",
    }
    root = write_site_at(tmp_path, files, extra_config="  - literate-nav\n")
    site = build(root, strict=False)
    assert leaks(site, token) == [] and leaks(site, stem) == []
    shown = (site / "SUMMARY" / "index.html").read_text(encoding="utf-8")
    assert f'<span class="pm-bare-id">{RESTRICTED}</span>' in shown


def test_a_translated_page_that_includes_a_restricted_postmortem_fails_the_build(
    tmp_path: Path,
) -> None:
    """mkdocs-static-i18n builds the other language's pages (`fr/`) in a
    build of its own inside ours: a French page that includes a restricted
    postmortem's text is read by the guard like any other (held; it guards
    that the guard still runs after that build)."""
    pytest.importorskip("mkdocs_static_i18n")
    sentence = f"The payroll agent attached the {R_TOKEN} salary sheet to every note."
    restricted = postmortem_text(id=RESTRICTED, visibility="restricted").replace(
        "## What happened\n", f"## What happened\n\n{sentence}\n", 1
    )
    include = f'{{% include-markdown "{RESTRICTED}.md" start="## What happened" end="## Impact" %}}'
    files = {
        "index.md": "# Home\n",
        "index.fr.md": "# Accueil\n",
        f"{RESTRICTED}.md": restricted,
        "about.md": "# About\n",
        "about.fr.md": f"# Sur\n\n{include}\n",
    }
    root = write_site_at(
        tmp_path,
        files,
        extra_config="  - include-markdown\n  - i18n:\n      docs_structure: suffix\n"
        "      languages:\n        - {locale: en, default: true, name: English}\n"
        "        - {locale: fr, name: Francais}\n",
    )
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"fr/about/index.html: body text of docs/{RESTRICTED}.md (restricted)" in log, log
    assert leaks(root / "site", R_TOKEN) == []


def test_a_redirect_from_a_restricted_postmortems_address_leaves_not_even_its_folder(
    tmp_path: Path,
) -> None:
    """mkdocs-redirects, asked for a redirect from a restricted postmortem's
    own address, writes a page in a folder named after its id and slug: the
    guard removed the page but left the empty folder; now both go, and the
    build fails naming the folder."""
    stem = f"{RESTRICTED}-{FOLDER_TOKEN}"
    files = {
        "index.md": "# Home\n",
        f"2025/{stem}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
    }
    extra = f"  - redirects:\n      redirect_maps:\n        2025/{stem}.md: index.md\n"
    root = write_site_at(tmp_path, files, extra_config=extra)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    # The slug too, since s33: mkdocs.yml's line naming the withheld file
    # (the redirect's) is no longer taken for published text.
    source = f"docs/2025/{stem}.md (restricted)"
    assert f"2025/{stem} (folder name): id, id with slug of {source}" in log, log
    assert [p for p in (root / "site").rglob("*") if FOLDER_TOKEN in p.name] == []


def test_words_a_withheld_data_file_shares_with_a_published_one_are_no_leak(
    tmp_path: Path,
) -> None:
    """A withheld data file's words are looked for, less those a published
    file of its kind holds too: a chart's schema address, in a restricted
    folder's chart and in an open one a page includes, fails no build."""
    schema = '"$schema": "https://vega.github.io/schema/vega-lite/v5.json"'
    files = {
        "index.md": "# Home\n",
        "private/.meta.yml": "visibility: restricted\n",
        "private/chart.json": f'{{{schema}, "title": "Salaries {DATA_TOKEN} by band"}}\n',
        "open/chart.json": f'{{{schema}, "title": "Tickets by week"}}\n',
        "about.md": '# About\n\n```json\n{% include-markdown "open/chart.json" %}\n```\n',
    }
    root = write_site_at(tmp_path, files, extra_config="  - include-markdown\n")
    site = build(root, strict=False)
    assert "vega-lite" in (site / "about" / "index.html").read_text(encoding="utf-8")
    assert leaks(site, DATA_TOKEN) == []


def test_a_leak_inside_a_git_folder_of_the_site_fails_the_build_and_is_left(
    tmp_path: Path,
) -> None:
    """A repository kept in site_dir to deploy from (MkDocs' clean leaves
    its dot-entries) is the user's: a branch named after a restricted
    postmortem fails the build, as any name the guard reads does, but the
    guard does not delete it (it did: a ref of the user's repository)."""
    stem = f"{RESTRICTED}-{FOLDER_TOKEN}"
    files = {
        "index.md": "# Home\n",
        f"2025/{stem}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
    }
    root = write_site_at(tmp_path / "root", files)
    ref = root / "site" / ".git" / "refs" / "heads" / stem
    ref.parent.mkdir(parents=True)
    ref.write_text("0" * 40 + "\n", encoding="utf-8")
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f".git/refs/heads/{stem} (file name)" in log, log
    assert "inside a .git folder" in log, log
    assert ref.read_text(encoding="utf-8") == "0" * 40 + "\n"


# --- s33: what names a withheld page, whatever route wrote it -------------------------

PLAN_TOKEN = "zqplancanary"
# A hook that lists "changed pages" in a file of its own after the build, by
# URL and by source name, as a changelog or a "recently updated" plugin does.
CHANGES_HOOK = """
import os


def on_post_build(config):
    links = "".join(f'<li><a href="{{u}}">{{u}}</a></li>' for u in {urls!r})
    with open(os.path.join(config.site_dir, "changes.html"), "w", encoding="utf-8") as fh:
        fh.write(f"<ul>{{links}}</ul>")
"""


def plan_files(how: str) -> dict[str, str]:
    """A restricted ordinary page with a telling name (by its own front
    matter, or by its folder's `.meta.yml`), restricted pages with generic
    names, and one whose name a published page also has."""
    closed = "---\nvisibility: restricted\n---\n# Board\n\nSecret.\n"
    files = {
        "index.md": "# Home\n",
        "open/roadmap-shared.md": "# Roadmap\n",
        "plans/notes.md": closed,
        "plans/README.md": closed,
        "plans/roadmap-shared.md": closed,
    }
    if how == "front matter":
        files[f"plans/acquire-{PLAN_TOKEN}-corp.md"] = closed
    else:
        files["board/.meta.yml"] = "visibility: restricted\n"
        files[f"board/acquire-{PLAN_TOKEN}-corp.md"] = "# Board\n\nSecret.\n"
    return files


@pytest.mark.parametrize("how", ["front matter", "meta.yml"])
def test_a_restricted_ordinary_pages_name_written_by_another_plugin_fails_the_build(
    tmp_path: Path, how: str
) -> None:
    """A restricted page that is not a postmortem (an acquisition plan) has
    no id: the guard looked for its text only, and a hook that listed its
    address (or its source's name) in a file of its own published the name
    (`acquire-...-corp`), the build passing. Its distinctive file stem is
    looked for now, in every URL form; generic names (`notes`, `README`)
    and one a published page also has tell nothing and are not."""
    files = plan_files(how)
    folder = "plans" if how == "front matter" else "board"
    stem = f"acquire-{PLAN_TOKEN}-corp"
    urls = [
        f"{folder}/{stem}/",
        f"{folder}/{stem}.html",
        f"{folder}/{stem}.md",
        f"https://example.com/docs/{folder}/{stem.replace('-', '%2d')}/",
        "plans/notes/",
        "plans/README.md",
        "plans/roadmap-shared/",
    ]
    root = with_hook(write_site_at(tmp_path, files), CHANGES_HOOK.format(urls=urls))
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    reason = "restricted page"
    assert f"changes.html: page name of docs/{folder}/{stem}.md ({reason})" in log, log
    for generic in ("notes.md", "README.md", "roadmap-shared.md"):
        assert f"of docs/plans/{generic}" not in log, log
    assert leaks(root / "site", PLAN_TOKEN) == []


def test_audit_finds_a_restricted_ordinary_pages_name(tmp_path: Path) -> None:
    """`postmortems audit` looks for the same names: a site built without
    the plugin shows the restricted page's folder (its text is too short to
    tell), and a file planted in the plugin-built site links to it."""
    root = write_site_at(tmp_path, plan_files("front matter"))
    stem = f"acquire-{PLAN_TOKEN}-corp"
    control_leaks(root, PLAN_TOKEN)
    result = run_cli("audit", "site-plain", cwd=root)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    source = f"docs/plans/{stem}.md (restricted page)"
    assert f"site-plain/plans/{stem} (folder name): page name of {source}" in out, out
    for generic in ("notes.md", "README.md", "roadmap-shared.md"):
        assert f"of docs/plans/{generic}" not in out, out
    build(root)
    assert run_cli("audit", "site", cwd=root).returncode == 0
    plant(root, f'<a href="../plans/{stem.replace("-", "%2D")}/">the plan</a>')
    result = run_cli("audit", "site", cwd=root)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert f"site/extra/index.html: page name of {source}" in out, out


PCT_TOKEN = "zqpctcanary"
# A hook that adds a page of its own (as mkdocs-gen-files does) with the text given.
PAGE_HOOK = """
from mkdocs.structure.files import File


def on_files(files, config):
    files.append(File.generated(config, "changes.md", content={text!r}))
    return files
"""


@pytest.mark.parametrize("route", ["published page", "page another plugin adds"])
@pytest.mark.parametrize(
    "written", ["INC-2025-002-Zahlungsausfall%20M%C3%A4rz", "INC-2025-002-Zahlungsausfall%20März"]
)
def test_a_percent_encoded_link_to_a_withheld_postmortem_renders_as_its_bare_id(
    tmp_path: Path, route: str, written: str
) -> None:
    """A link to a restricted postmortem whose file name has a space and a
    non-ASCII letter, written percent-encoded as a URL is (`%20`, `%C3%A4`):
    the quick test of whether a page names a withheld file looked for the
    name as it is only, so the link was left, with the postmortem's title as
    its text, and that title counted as published (the guard passed it).
    Names are looked for decoded too: the link shows the bare id. A page
    another plugin adds is not rewritten (its links are its own): the guard
    finds the title there and fails the build, the page removed (held)."""
    stem = "INC-2025-002-Zahlungsausfall März"
    title = f"Payroll {PCT_TOKEN} sheet went company-wide"
    text = f"# Changes\n\nSee [{title}](2025/{written}.md).\n"
    files = {
        "index.md": "# Home\n",
        f"2025/{stem}.md": postmortem_text(
            id=RESTRICTED, title=json.dumps(title), visibility="restricted"
        ),
    }
    if route == "published page":
        files["changes.md"] = text
        root = write_site_at(tmp_path, files)
    else:
        root = with_hook(write_site_at(tmp_path, files), PAGE_HOOK.format(text=text))
    assert control_leaks(root, PCT_TOKEN)
    if route != "published page":
        result = run_mkdocs(root, out=root / "site", strict=False)
        log = result.stdout + result.stderr
        assert result.returncode == 1, log
        assert f"changes/index.html: id, id with slug, title of docs/2025/{stem}.md" in log, log
        assert leaks(root / "site", PCT_TOKEN) == []
        return
    site = build(root, strict=False)
    assert leaks(site, PCT_TOKEN) == []
    shown = (site / "changes" / "index.html").read_text(encoding="utf-8")
    assert f'<span class="pm-bare-id">{RESTRICTED}</span>' in shown


NAV_TOKEN = "zqnavtitlecanary"
NAV_TITLE = f"Payroll {NAV_TOKEN} sheet went company-wide"
NAV_STEM = f"{RESTRICTED}-payroll"
# Each way a site lists a restricted postmortem by its title: MkDocs' own
# `nav:`, literate-nav's SUMMARY.md, awesome-nav's .nav.yml.
NAV_ROUTES: dict[str, tuple[dict[str, str], str]] = {
    "nav": (
        {},
        "nav:\n  - Home: index.md\n  - Incidents:\n"
        f"    - {NAV_TITLE}: 2025/{NAV_STEM}.md\n    - About: about.md\n",
    ),
    "literate-nav": (
        {
            "SUMMARY.md": "* [Home](index.md)\n* Incidents\n"
            f"    * [{NAV_TITLE}](2025/{NAV_STEM}.md)\n    * [About](about.md)\n"
        },
        "  - literate-nav\n",
    ),
    "awesome-nav": (
        {
            ".nav.yml": "nav:\n  - Home: index.md\n  - Incidents:\n"
            f'    - "{NAV_TITLE}": 2025/{NAV_STEM}.md\n    - About: about.md\n'
        },
        "  - awesome-nav\n",
    ),
}
# Another plugin's edit of the navigation, which must stay.
NAV_EDIT_HOOK = """
from mkdocs.structure.nav import Link


def on_nav(nav, config, files):
    nav.items.append(Link("Status zqkeptlink", "https://status.example.com/"))
    return nav
"""


def nav_site(tmp_path: Path, route: str, hook: str = NAV_EDIT_HOOK) -> Path:
    pytest.importorskip("mkdocs_literate_nav")
    extra, config = NAV_ROUTES[route]
    files = {
        "index.md": "# Home\n",
        "about.md": "# About\n",
        f"2025/{NAV_STEM}.md": postmortem_text(
            id=RESTRICTED, title=json.dumps(NAV_TITLE), visibility="restricted"
        ),
        **extra,
    }
    return with_hook(write_site_at(tmp_path, files, extra_config=config), hook)


@pytest.mark.parametrize("route", sorted(NAV_ROUTES))
def test_a_nav_entry_for_a_restricted_postmortem_is_left_out_and_the_build_succeeds(
    tmp_path: Path, route: str
) -> None:
    """A navigation that lists a restricted postmortem by its title (one
    `nav:` for an internal and a public edition) failed the whole build:
    the entry showed the id, the title and the file's name on every page.
    The entry and its title are left out now, with an INFO line that names
    the file and the rule only (so `--strict` passes: the entry is dropped
    by design, not by mistake); the section around it, the other entries
    and another plugin's edit of the navigation stay. SUMMARY.md is a
    page too, and MkDocs warns of its link as of any page's link to a
    withheld file (so literate-nav's build is not `--strict`)."""
    root = nav_site(tmp_path, route)
    result = run_mkdocs(root, out=root / "site", strict=route != "literate-nav")
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert f"docs/2025/{NAV_STEM}.md: its navigation entry is left out" in log, log
    assert NAV_TOKEN not in log and "'nav' configuration" not in log, log
    site = root / "site"
    assert leaks(site, NAV_TOKEN) == [] and leaks(site, NAV_STEM) == []
    nav = page(site, "about/").find("nav", "md-nav--primary")
    labels = " ".join(nav.text.split())
    assert "Home" in labels and "Incidents" in labels and "About" in labels, labels
    assert "Status zqkeptlink" in labels, labels


@pytest.mark.parametrize("route", ["nav", "literate-nav"])
def test_a_nav_entry_left_out_does_not_make_its_title_published(tmp_path: Path, route: str) -> None:
    """The title the site's `nav:` gives a restricted postmortem was taken
    for published text (mkdocs.yml is the site's own), so a hook that wrote
    it elsewhere passed the guard; the lines of mkdocs.yml that name a
    withheld file are not published text now, and the build fails."""
    hook = (
        "import os\n\n\ndef on_post_build(config):\n"
        '    with open(os.path.join(config.site_dir, "late.html"), "w") as fh:\n'
        f'        fh.write("<p>{NAV_TITLE}</p>")\n'
    )
    root = nav_site(tmp_path, route, hook)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"late.html: title of docs/2025/{NAV_STEM}.md (restricted)" in log, log
    assert leaks(root / "site", NAV_TOKEN) == []


def test_a_redirect_from_a_restricted_ordinary_pages_address_fails_the_build(
    tmp_path: Path,
) -> None:
    """mkdocs-redirects, asked for a redirect from a restricted ordinary
    page's own address (an old URL kept working), writes a page in a folder
    named after it: the name was published, as mkdocs.yml (taken for the
    site's own text) names it. Its name is looked for, and the lines of
    mkdocs.yml naming a withheld file are not published text: the build
    fails naming the folder, which goes."""
    stem = f"acquire-{PLAN_TOKEN}-corp"
    files = {"index.md": "# Home\n", f"plans/{stem}.md": "---\nvisibility: restricted\n---\n# B\n"}
    extra = f"  - redirects:\n      redirect_maps:\n        plans/{stem}.md: index.md\n"
    root = write_site_at(tmp_path, files, extra_config=extra)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    source = f"docs/plans/{stem}.md (restricted page)"
    assert f"plans/{stem} (folder name): page name of {source}" in log, log
    assert leaks(root / "site", PLAN_TOKEN) == []


@pytest.mark.parametrize("form", ["{}.md", "{}/", "./{}.html"])
def test_a_restricted_ordinary_page_the_nav_lists_is_left_out(tmp_path: Path, form: str) -> None:
    """The site's `nav:` lists a restricted page that is not a postmortem:
    MkDocs warned (so `--strict` failed) and showed the entry, the page's
    name in its link, on every page. The entry is left out as a withheld
    postmortem's is, and the strict build passes; so is an entry that names
    the page by the address it would have had (`plans/x/`, a link to MkDocs,
    which the first fix missed: the title and name then showed on every
    page, mkdocs.yml making both look published)."""
    stem = f"acquire-{PLAN_TOKEN}-corp"
    files = {"index.md": "# Home\n", f"plans/{stem}.md": "---\nvisibility: restricted\n---\n# B\n"}
    target = form.format(f"plans/{stem}")
    nav = f"nav:\n  - Home: index.md\n  - Board plan: {target}\n"
    root = write_site_at(tmp_path, files, extra_config=nav)
    result = run_mkdocs(root, out=root / "site", strict=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert f"docs/plans/{stem}.md: its navigation entry is left out" in log, log
    assert leaks(root / "site", PLAN_TOKEN) == [] and leaks(root / "site", "Board plan") == []


MONO_TOKEN = "zqmonocanary"


def test_a_monorepo_sub_site_folder_restricted_by_its_meta_yml_is_withheld(
    tmp_path: Path,
) -> None:
    """mkdocs-monorepo-plugin merges another project's docs (`!include`)
    into the build: a page of it below a `.meta.yml` that restricts its
    folder, out of the included nav (MkDocs still publishes it), reaches no
    file of the site, and `postmortems audit` finds it (by name and text)
    in a site built without the plugin (held)."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    root = write_site_at(tmp_path, {"index.md": "# Home\n"})
    sub = root / "sub"
    (sub / "docs" / "private").mkdir(parents=True)
    (sub / "mkdocs.yml").write_text("site_name: Sub\nnav:\n  - Intro: index.md\n", encoding="utf-8")
    (sub / "docs" / "index.md").write_text("# Sub intro\n", encoding="utf-8")
    (sub / "docs" / "private" / ".meta.yml").write_text(
        "visibility: restricted\n", encoding="utf-8"
    )
    (sub / "docs" / "private" / f"merger-{MONO_TOKEN}.md").write_text(
        "# Merger terms\n\nThe merger terms are secret and must stay inside the board.\n",
        encoding="utf-8",
    )
    cfg = root / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8").replace("  - search\n", "  - search\n  - monorepo\n")
    cfg.write_text(
        text + "nav:\n  - Home: index.md\n  - Sub: '!include ./sub/mkdocs.yml'\n", encoding="utf-8"
    )
    plain = cfg.read_text(encoding="utf-8")
    head, tail = plain.split("  - postmortems:\n")
    (root / "plain.yml").write_text(head + tail.split("\n", 1)[1], encoding="utf-8")
    out = root / "site-plain"
    cmd = ["-m", "mkdocs", "build", "-q", "-f", "plain.yml", "-d", str(out)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    subprocess.run([sys.executable, *cmd], cwd=root, env=env, check=True, timeout=120)
    assert leaks(out, MONO_TOKEN)
    site = build(root)
    assert leaks(site, MONO_TOKEN) == []
    result = run_cli("audit", "site-plain", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"merger-{MONO_TOKEN}.md (restricted page)" in result.stdout


SHUTDOWN_TOKEN = "zqshutdowncanary"
# A hook that writes into the site as `mkdocs build` shuts down, after every
# `on_post_build` (a deploy helper, a stamp file), once fresh and once as a
# copy of a withheld file that keeps its old modification time.
SHUTDOWN_HOOK = """
import os
import shutil

SITE = []


def on_config(config):
    SITE.append((config.site_dir, config.docs_dir))


def on_shutdown():
    site, docs = SITE[-1]
    {write}
"""
SHUTDOWN_WRITES = {
    "written": (
        'with open(os.path.join(site, "late.html"), "w") as fh:\n'
        f'        fh.write("<p>The agent wrote {SHUTDOWN_TOKEN} lines to everyone.</p>")'
    ),
    "copied with its times": (
        f'shutil.copy2(os.path.join(docs, "2025", "{RESTRICTED}.md"), '
        'os.path.join(site, "late.html"))'
    ),
}


@pytest.mark.parametrize("how", sorted(SHUTDOWN_WRITES))
def test_a_file_another_plugin_writes_as_the_build_shuts_down_is_read(
    tmp_path: Path, how: str
) -> None:
    """`on_shutdown` runs after every `on_post_build`, the guard's included:
    a hook that wrote a restricted summary into the site there published it,
    the build passing. The guard reads again, as the build shuts down, every
    file written or changed since it read the site (by its change time too,
    which a copy that keeps the source's modification time cannot set back),
    removes what shows anything withheld, and the build fails."""
    files = {
        "index.md": "# Home\n",
        f"2025/{RESTRICTED}.md": postmortem_text(
            id=RESTRICTED,
            visibility="restricted",
            summary=f"The agent wrote {SHUTDOWN_TOKEN} lines to everyone.",
        ),
    }
    hook = SHUTDOWN_HOOK.format(write=SHUTDOWN_WRITES[how])
    root = with_hook(write_site_at(tmp_path, files), hook)
    # An old file, as a checkout leaves one: its copy keeps this time.
    os.utime(root / "docs" / "2025" / f"{RESTRICTED}.md", (1_000_000_000, 1_000_000_000))
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert "late.html: " in log and f"of docs/2025/{RESTRICTED}.md (restricted)" in log, log
    assert "Traceback" not in log, log
    assert leaks(root / "site", SHUTDOWN_TOKEN) == []


def test_a_restricted_page_without_a_translation_gets_no_fallback_copy(tmp_path: Path) -> None:
    """mkdocs-static-i18n with `fallback_to_default` copies each page that
    has no French version into `fr/`: a restricted page (and a restricted
    postmortem) without one gets no copy there, and nothing of either is in
    the French build or its navigation (held)."""
    pytest.importorskip("mkdocs_static_i18n")
    token = "zqi18ncanary"
    files = {
        "index.md": "# Home\n",
        "index.fr.md": "# Accueil\n",
        f"plans/acquire-{token}.md": (
            "---\nvisibility: restricted\n---\n# Board\n\n"
            f"The acquisition of {token} closes in March for a sum.\n"
        ),
        f"{RESTRICTED}.md": postmortem_text(
            id=RESTRICTED, visibility="restricted", summary=f"The agent wrote {token} lines."
        ),
    }
    extra = (
        "  - i18n:\n      docs_structure: suffix\n      fallback_to_default: true\n"
        "      languages:\n        - {locale: en, default: true, name: English}\n"
        "        - {locale: fr, name: Francais}\n"
    )
    root = write_site_at(tmp_path, files, extra_config=extra)
    site = build(root)
    assert (site / "fr" / "index.html").is_file()
    assert leaks(site, token) == []
    assert [p for p in site.rglob("*") if RESTRICTED in p.name] == []


def test_a_dirty_build_after_an_ordinary_page_becomes_restricted_keeps_nothing_of_it(
    tmp_path: Path,
) -> None:
    """`mkdocs build --dirty` after an open page was marked restricted: the
    page the first build wrote (its folder named after it) is gone, and
    the page's name is in no file (held)."""
    stem = f"acquire-{PLAN_TOKEN}-corp"
    text = "# Board\n\nThe acquisition of the company closes in March for a large sum.\n"
    root = write_site_at(tmp_path, {"index.md": "# Home\n", f"plans/{stem}.md": text})
    site = build(root)
    assert (site / "plans" / stem / "index.html").is_file()
    page_file = root / "docs" / "plans" / f"{stem}.md"
    page_file.write_text("---\nvisibility: restricted\n---\n" + text, encoding="utf-8")
    result = run_mkdocs(root, "--dirty", out=site, strict=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leaks(site, PLAN_TOKEN) == []
    assert not (site / "plans" / stem).exists()


@pytest.mark.parametrize("blog_first", [True, False], ids=["blog-first", "blog-after"])
def test_a_restricted_blog_posts_category_tag_and_slug_make_no_page(
    tmp_path: Path, blog_first: bool
) -> None:
    """Material's blog plugin makes a page for each category (and the tags
    plugin lists each tag): a restricted post's own category, tag and slug,
    used by no other post, make no page, folder or listing (held)."""
    token = "zqcategorycanary"
    files = {
        "index.md": "# Home\n",
        "blog/index.md": "# Blog\n",
        "blog/posts/open.md": "---\ndate: 2025-01-13\ncategories: [News]\n---\n# Open\n\nHi.\n",
        f"blog/posts/closed-{token}.md": (
            f"---\ndate: 2025-01-12\nvisibility: restricted\ncategories: [Deal {token}]\n"
            f"tags: [{token}-tag]\n---\n# Post\n\nExcerpt.\n\n<!-- more -->\n\nRest.\n"
        ),
    }
    root = write_site_at(tmp_path, files)
    cfg = root / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    if blog_first:
        text = text.replace("  - postmortems:\n", "  - tags\n  - blog\n  - postmortems:\n")
    else:
        text = text.replace("  - search\n", "  - search\n  - tags\n") + "  - blog\n"
    cfg.write_text(text, encoding="utf-8")
    site = build(root, strict=False)
    assert (site / "blog" / "category" / "news" / "index.html").is_file()
    assert leaks(site, token) == []


def test_a_percent_encoded_link_to_a_withheld_asset_another_plugin_writes_fails_the_build(
    tmp_path: Path,
) -> None:
    """A hook lists, in a file of its own, a restricted postmortem's asset
    whose name has spaces and letters beyond ASCII, written as a URL
    (`Geh%C3%A4lter%20M%C3%A4rz.csv`, and `&amp;` for `&`): the guard reads
    the file decoded, and fails the build naming the asset (held)."""
    name = "Gehälter & Boni März.csv"
    encoded = "Geh%C3%A4lter%20&amp;%20Boni%20M%C3%A4rz.csv"
    files = {
        "index.md": "# Home\n",
        f"2025/{RESTRICTED}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
        f"2025/{RESTRICTED}/{name}": "band,amount\n",
    }
    hook = (
        "import os\n\n\ndef on_post_build(config):\n"
        '    with open(os.path.join(config.site_dir, "files.html"), "w") as fh:\n'
        f"        fh.write('<a href=\"files/{encoded}\">a file</a>')\n"
    )
    root = with_hook(write_site_at(tmp_path, files), hook)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"files.html: asset name of docs/2025/{RESTRICTED}.md (restricted)" in log, log
    assert not (root / "site" / "files.html").exists()


def test_a_restricted_index_page_is_named_by_its_folder(tmp_path: Path) -> None:
    """A restricted page named `index.md` (or README.md) is named by its
    folder (`plans/acquire-...-corp/` is its address): the generic stem was
    skipped and the folder's name not looked for, so a hook that listed the
    address published it. The folder's name is looked for now, unless a
    published file of the site lies in it too (its name is then published)."""
    stem = f"acquire-{PLAN_TOKEN}-corp"
    closed = "---\nvisibility: restricted\n---\n# Board\n\nSecret.\n"
    files = {
        "index.md": "# Home\n",
        f"plans/{stem}/index.md": closed,
        "shared-zqsharedfolder/README.md": closed,
        "shared-zqsharedfolder/open.md": "# Open\n",
    }
    urls = [f"plans/{stem}/", "shared-zqsharedfolder/"]
    root = with_hook(write_site_at(tmp_path, files), CHANGES_HOOK.format(urls=urls))
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"changes.html: page name of docs/plans/{stem}/index.md (restricted page)" in log, log
    assert "of docs/shared-zqsharedfolder/README.md" not in log, log
    assert leaks(root / "site", PLAN_TOKEN) == []


def test_a_restricted_page_with_a_generic_name_is_named_by_its_path(tmp_path: Path) -> None:
    """`acquisition-.../notes.md`, restricted: its stem (`notes`) tells
    nothing, but its path does, and its address is its path; a hook that
    listed it published the folder's name with it. The path is looked for
    (all of it: a published file in the folder publishes the folder's name,
    not this page's address), unless all its words are generic."""
    files = {
        "index.md": "# Home\n",
        f"acquisition-{PLAN_TOKEN}/.meta.yml": "visibility: restricted\n",
        f"acquisition-{PLAN_TOKEN}/notes.md": "# Notes\n\nSecret.\n",
        "private/notes.md": "---\nvisibility: restricted\n---\n# Notes\n",
    }
    urls = [f"acquisition-{PLAN_TOKEN}/notes/", "private/notes/"]
    root = with_hook(write_site_at(tmp_path, files), CHANGES_HOOK.format(urls=urls))
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    source = f"docs/acquisition-{PLAN_TOKEN}/notes.md (restricted page)"
    assert f"changes.html: page name of {source}" in log, log
    assert "of docs/private/notes.md" not in log, log
    assert leaks(root / "site", PLAN_TOKEN) == []


def test_a_robots_txt_that_disallows_a_restricted_pages_address_fails_the_build(
    tmp_path: Path,
) -> None:
    """A `robots.txt` of docs_dir that tells crawlers to keep away from a
    restricted page's address (`Disallow: /plans/acquire-...-corp/`) lists
    what the site hides for anyone to read, and the page is not published
    anyway: the build fails naming it (since s33, which looks for a page's
    name; a generic one, `Disallow: /private/notes/`, is no leak)."""
    stem = f"acquire-{PLAN_TOKEN}-corp"
    closed = "---\nvisibility: restricted\n---\n# B\n"
    files = {
        "index.md": "# Home\n",
        f"plans/{stem}.md": closed,
        "private/notes.md": closed,
        "robots.txt": f"User-agent: *\nDisallow: /plans/{stem}/\nDisallow: /private/notes/\n",
    }
    root = write_site_at(tmp_path, files)
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"robots.txt: page name of docs/plans/{stem}.md (restricted page)" in log, log
    assert "of docs/private/notes.md" not in log, log
    assert leaks(root / "site", PLAN_TOKEN) == []


def test_a_nav_section_that_held_only_withheld_entries_is_left_out(tmp_path: Path) -> None:
    """A `nav:` section whose only entry is a restricted postmortem would
    render as an empty heading (its own title, often the incident's theme):
    it goes with the entry; an empty section the site wrote stays."""
    files = {
        "index.md": "# Home\n",
        f"2025/{NAV_STEM}.md": postmortem_text(id=RESTRICTED, visibility="restricted"),
    }
    nav = (
        "nav:\n  - Home: index.md\n  - Payroll zqsectioncanary:\n"
        f"    - Payroll: 2025/{NAV_STEM}.md\n  - Kept zqemptysection: []\n"
    )
    root = write_site_at(tmp_path, files, extra_config=nav)
    site = build(root)
    assert leaks(site, "zqsectioncanary") == [] and leaks(site, NAV_STEM) == []
    assert "index.html" in leaks(site, "zqemptysection")


def test_audit_is_clean_on_a_site_whose_nav_listed_a_restricted_postmortem(
    tmp_path: Path,
) -> None:
    """The build leaves the entry out; `postmortems audit` of that site
    (which reads the same mkdocs.yml, the entry's line no longer published
    text) finds nothing, and finds the title in a site built without the
    plugin, where the entry showed it."""
    root = nav_site(tmp_path, "nav", hook="")
    build(root)
    result = run_cli("audit", "site", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    control_leaks(root, NAV_TOKEN)
    result = run_cli("audit", "site-plain", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"title of docs/2025/{NAV_STEM}.md (restricted)" in result.stdout


def test_an_awesome_nav_title_of_a_restricted_folder_shows_nowhere(tmp_path: Path) -> None:
    """awesome-nav titles a folder's section from the folder's own
    `.nav.yml`: a folder restricted by its `.meta.yml`, whose pages are all
    withheld, makes no section, so its `.nav.yml` title shows on no page
    (held)."""
    pytest.importorskip("mkdocs_awesome_nav")
    token = "zqawesometitle"
    files = {
        "index.md": "# Home\n",
        "board/.meta.yml": "visibility: restricted\n",
        "board/.nav.yml": f"title: Project {token}\n",
        "board/plan.md": "# Plan\n\nThe plan.\n",
    }
    root = write_site_at(tmp_path, files, extra_config="  - awesome-nav\n")
    site = build(root)
    assert leaks(site, token) == []
