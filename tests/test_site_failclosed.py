"""Publication fails closed (spec 4): every route by which a file of docs_dir
could reach the site, tried on real sites built by real MkDocs.

Each route plants a canary (one lower-case token) in every field and file it
can: title, summary, body, systems, tags, factor summaries, file, asset and
folder names. The whole output is then searched for it, gzip members
included. A control build of the same docs without our plugin shows the
canary does reach a site when nothing withholds it, so each test can fail.

Routes that are errors (links, leftovers, `.MD`) stop the build; for those
the same site is also built in-process with the errors made non-fatal, to
prove the build's allowlist drops them by itself, exactly the files lint
reports.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import postmortem_text, run_cli
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs_postmortems import Settings, load_library
from mkdocs_postmortems.adapters import plugin as adapter
from mkdocs_postmortems.adapters.plugin import PostmortemsPlugin
from mkdocs_postmortems.check.publication import LINKED
from sitekit import TAXONOMY, all_files, build, factors, page, run_mkdocs, write_site_at

PUBLIC = "INC-2025-001"
PUBLIC_FILE = f"2025/{PUBLIC}-public-incident.md"
FINDING = re.compile(r"(\S+):\d+:\d+: (error|warning) ([a-z-]+):")


def secret(pm_id: str, token: str, **overrides: object) -> str:
    """A complete postmortem with the token in every field that takes text."""
    fields: dict[str, object] = {
        "id": pm_id,
        "title": f"Title {token}",
        "summary": f"Summary {token}",
        "systems": f"[shared-bot, {token}-system]",
        "tags": f"[{token}-tag]",
        "factors": factors(("model", "hallucination", f"Factor {token}")),
        "visibility": "restricted",
    }
    fields.update(overrides)
    return postmortem_text(**fields) + f"\nBody text {token}.\n"


def public_files() -> dict[str, str]:
    return {
        PUBLIC_FILE: postmortem_text(id=PUBLIC, title="Public incident", systems="[shared-bot]")
    }


def leaks(site: Path, token: str) -> list[str]:
    """Output files whose path or bytes (gzip decompressed) hold the token."""
    assert site.is_dir(), f"no site at {site}"
    needle = token.lower()
    return [
        path.relative_to(site).as_posix()
        for path, data in all_files(site)
        if needle in path.relative_to(site).as_posix().lower() or needle.encode() in data.lower()
    ]


def control_leaks(root: Path, token: str) -> list[str]:
    """What a build of the same docs without our plugin publishes of the token."""
    (root / "plain.yml").write_text(
        "site_name: Plain\ndocs_dir: docs\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n",
        encoding="utf-8",
    )
    out = root / "site-plain"
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "plain.yml"), "-d", str(out)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return leaks(out, token)


def findings_in(text: str) -> set[tuple[str, str]]:
    """(path, rule) of every finding printed in a lint report or a build log."""
    return {(m[1], m[3]) for m in FINDING.finditer(text)}


def lint_and_build_findings(root: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Findings of `postmortems lint` and of `mkdocs build`, which must fail."""
    lint = run_cli("lint", "--no-hints", cwd=root)
    built = run_mkdocs(root, out=root / "site")
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert built.returncode != 0, built.stdout + built.stderr
    assert not (root / "site").exists() or not any((root / "site").rglob("*.html"))
    return findings_in(lint.stdout), findings_in(built.stdout + built.stderr)


def build_despite_errors(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, set[str]]:
    """Build in-process with findings logged but not fatal; return the site
    and the src_uris the plugin dropped from what MkDocs found."""
    dropped: set[str] = set()
    withhold = adapter.withhold_unplaced

    def recording(files: object, config: object, decision: object) -> None:
        before = {f.src_uri for f in files}  # type: ignore[attr-defined]
        withhold(files, config, decision)  # type: ignore[arg-type]
        dropped.update(before - {f.src_uri for f in files})  # type: ignore[attr-defined]

    monkeypatch.setattr(PostmortemsPlugin, "_report", lambda self, findings: None)
    monkeypatch.setattr(adapter, "withhold_unplaced", recording)
    monkeypatch.chdir(root)
    out = root / "site-anyway"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(out))
    config.plugins.on_startup(command="build", dirty=False)
    mkdocs_build(config)
    config.plugins.on_shutdown()
    return out, dropped


def mkdocs_sees(docs: Path) -> Iterator[str]:
    """Every src_uri MkDocs' own walk finds (it follows links, and keeps
    hidden files as excluded ones)."""
    for root, _dirs, names in os.walk(docs, followlinks=True):
        for name in names:
            yield Path(os.path.relpath(Path(root, name), docs)).as_posix()


def expected_drops(root: Path) -> set[str]:
    """What lint's core withholds, plus everything under a link it reports."""
    docs = root / "docs"
    library = load_library(docs, Settings(taxonomy=str(TAXONOMY)), root, root)
    withheld = library.publication(False).withheld
    seen = set(mkdocs_sees(docs))
    linked = tuple(u for u, why in withheld.items() if why == LINKED and u.endswith("/"))
    return {u for u in seen if u in withheld or u.startswith(linked)}


# --- Markdown in every extension MkDocs renders ------------------------------------


def test_restricted_postmortems_in_every_extension_are_read_and_withheld(tmp_path: Path) -> None:
    """A restricted postmortem as .markdown/.mdown/.mkdn/.mkd reaches no output file."""
    token = "canaryextension"
    files = public_files()
    for n, ext in enumerate((".markdown", ".mdown", ".mkdn", ".mkd"), start=101):
        files[f"2025/INC-2025-{n}-{token}{ext}"] = secret(f"INC-2025-{n}", token)
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, token)
    site = build(root)
    assert leaks(site, token) == []
    lint = run_cli("lint", "--no-hints", "--format", "json", cwd=root)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_every_extension_is_checked_like_md(tmp_path: Path) -> None:
    """A broken postmortem in .mdown or .mkd fails lint and the build with the same findings."""
    files = public_files()
    files["2025/INC-2025-102-broken.mdown"] = secret("INC-2025-102", "x", severity="SEV9")
    files["2025/INC-2025-103-broken.mkd"] = secret("INC-2025-103", "x", status="whenever")
    root = write_site_at(tmp_path, files)
    lint, built = lint_and_build_findings(root)
    expected = {
        ("docs/2025/INC-2025-102-broken.mdown", "invalid-value"),
        ("docs/2025/INC-2025-103-broken.mkd", "invalid-value"),
    }
    assert expected <= lint
    assert lint == built


def test_published_postmortem_in_mdown_is_an_incident_page(tmp_path: Path) -> None:
    """A final, internal postmortem saved as .mdown is published at incidents/<id>/."""
    files = {"2025/INC-2025-104-other.mdown": postmortem_text(id="INC-2025-104", title="Mdown")}
    site = build(write_site_at(tmp_path, files))
    assert page(site, "incidents/INC-2025-104/").find("h1").text.strip().startswith("Mdown")


def test_upper_case_extension_is_checked_reported_and_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.MD` and `.Mdown` are read and checked, reported alike by lint and build, not published."""
    token = "canaryuppercase"
    files = public_files()
    files[f"2025/INC-2025-105-{token}.MD"] = secret("INC-2025-105", token, severity="SEV9")
    files[f"notes-{token}.Mdown"] = f"---\ntitle: Notes {token}\n---\n\nText {token}.\n"
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, token)
    lint, built = lint_and_build_findings(root)
    assert {
        (f"docs/2025/INC-2025-105-{token}.MD", "markdown-extension-case"),
        # Read and checked like .md: its schema error is reported too.
        (f"docs/2025/INC-2025-105-{token}.MD", "invalid-value"),
        (f"docs/notes-{token}.Mdown", "markdown-extension-case"),
    } <= lint
    assert lint == built
    site, dropped = build_despite_errors(root, monkeypatch)
    assert leaks(site, token) == []
    assert dropped == expected_drops(root)


# --- symbolic links -------------------------------------------------------------


def test_linked_folder_outside_docs_is_reported_and_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of restricted postmortems linked from outside docs_dir: an error, not published."""
    token = "canarylinkedfolder"
    root = write_site_at(tmp_path, public_files())
    outside = tmp_path / "elsewhere" / f"folder-{token}"
    outside.mkdir(parents=True)
    (outside / f"INC-2025-106-{token}.md").write_text(secret("INC-2025-106", token))
    (outside / f"picture-{token}.png").write_bytes(b"png " + token.encode())
    (root / "docs" / "restricted").symlink_to(outside, target_is_directory=True)
    assert control_leaks(root, token)
    lint, built = lint_and_build_findings(root)
    assert ("docs/restricted", "symlink-outside") in lint
    assert lint == built
    site, dropped = build_despite_errors(root, monkeypatch)
    assert leaks(site, token) == []
    assert dropped == expected_drops(root)
    assert {f"restricted/INC-2025-106-{token}.md", f"restricted/picture-{token}.png"} <= dropped


def test_mirror_link_reaching_a_folder_twice_is_reported_and_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mirror -> 2025` republishes nothing: restricted ones stay out, public ones appear once."""
    token = "canarymirror"
    files = public_files()
    files[f"2025/INC-2025-107-{token}.md"] = secret("INC-2025-107", token)
    files["2025/notes.md"] = "# Public notes\n\nText of the notes.\n"
    root = write_site_at(tmp_path, files)
    (root / "docs" / "mirror").symlink_to("2025", target_is_directory=True)
    assert control_leaks(root, token)
    lint, built = lint_and_build_findings(root)
    assert ("docs/mirror", "symlink-twice") in lint
    assert lint == built
    site, dropped = build_despite_errors(root, monkeypatch)
    assert leaks(site, token) == []
    assert dropped == expected_drops(root)
    assert (site / "2025" / "notes" / "index.html").is_file()
    assert not (site / "mirror").exists()


def test_link_to_a_secret_file_outside_docs_is_reported_and_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file linked to something like /etc/passwd (a secret outside docs_dir) is never copied."""
    token = "canarysecretfile"
    root = write_site_at(tmp_path, public_files())
    secret_file = tmp_path / "outside" / "environ"
    secret_file.parent.mkdir()
    secret_file.write_text(f"CI_TOKEN={token}\n")
    (root / "docs" / "environ.txt").symlink_to(secret_file)
    assert control_leaks(root, token)
    # After the control build: a dangling link stops a plain build's copy.
    (root / "docs" / "nowhere.txt").symlink_to(tmp_path / "missing")
    lint, built = lint_and_build_findings(root)
    assert {
        ("docs/environ.txt", "symlink-outside"),
        ("docs/nowhere.txt", "symlink-outside"),
    } <= lint
    assert lint == built
    site, dropped = build_despite_errors(root, monkeypatch)
    assert leaks(site, token) == []
    assert {"environ.txt", "nowhere.txt"} <= dropped == expected_drops(root)


# --- asset folders of unpublished postmortems ----------------------------------


@pytest.mark.parametrize("kind", ["restricted", "draft"])
@pytest.mark.parametrize("named_by", ["stem", "id"])
def test_asset_folder_of_unpublished_postmortem_is_withheld(
    tmp_path: Path, kind: str, named_by: str
) -> None:
    """Files in a folder named after an unpublished postmortem's stem or id reach no output."""
    token = f"canaryasset{kind}{named_by}"
    pm_id = "INC-2025-108"
    stem = f"{pm_id}-{token}"
    overrides = (
        {"visibility": "restricted"}
        if kind == "restricted"
        else {
            "visibility": "internal",
            "status": "draft",
        }
    )
    folder = stem if named_by == "stem" else pm_id
    files = public_files()
    files[f"2025/{stem}.md"] = secret(pm_id, token, **overrides)
    files[f"2025/{folder}/diagram-{token}.svg"] = f"<svg><title>{token}</title></svg>"
    files[f"2025/{folder}/deeper/notes-{token}.txt"] = f"notes {token}"
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, token)
    site = build(root)
    assert leaks(site, token) == []


def test_published_postmortem_keeps_its_assets_and_links(tmp_path: Path) -> None:
    """A published incident's images and links beside it still resolve after it moves."""
    pm_id = "INC-2025-109"
    stem = f"{pm_id}-with-assets"
    body = postmortem_text(id=pm_id, title="With assets")
    body += f"\n![Diagram]({stem}/diagram.svg)\n\n[Notes]({pm_id}/notes.txt)\n"
    files = {
        f"2025/{stem}.md": body,
        f"2025/{stem}/diagram.svg": "<svg></svg>",
        f"2025/{pm_id}/notes.txt": "notes",
    }
    site = build(write_site_at(tmp_path, files))
    article = page(site, f"incidents/{pm_id}/").find("article")
    srcs = [img.attrs["src"] for img in article.find_all("img")]
    hrefs = article.hrefs()
    target = site / "incidents" / pm_id
    assert any((target / s).resolve() == (site / "2025" / stem / "diagram.svg") for s in srcs)
    assert any((target / h).resolve() == (site / "2025" / pm_id / "notes.txt") for h in hrefs)


def test_draft_assets_show_with_include_drafts(tmp_path: Path) -> None:
    """With include_drafts the draft is published, and so are its assets."""
    pm_id = "INC-2025-110"
    files = {
        f"2025/{pm_id}-draft.md": postmortem_text(id=pm_id, status="draft"),
        f"2025/{pm_id}/diagram.svg": "<svg></svg>",
    }
    site = build(write_site_at(tmp_path, files, "include_drafts: true"))
    assert (site / "2025" / pm_id / "diagram.svg").is_file()
    assert (site / "incidents" / pm_id / "index.html").is_file()


# --- merge and editor leftovers ----------------------------------------------------


def test_merge_and_editor_leftovers_are_reported_and_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """*.orig, *.rej, *.bak, *~, .#*, *.swp, *.tmp in any case: errors, never published."""
    token = "canaryleftover"
    text = secret("INC-2025-111", token)
    names = [
        f"INC-2025-111-{token}.md.orig",
        f"INC-2025-111-{token}.md.rej",
        f"INC-2025-111-{token}.md.BAK",
        f"INC-2025-111-{token}.md~",
        f".#INC-2025-111-{token}.md",
        f"INC-2025-111-{token}.md.swp",
        f"INC-2025-111-{token}.TMP",
    ]
    files = public_files()
    files.update({f"2025/{n}": text for n in names})
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, token)
    lint, built = lint_and_build_findings(root)
    assert {(f"docs/2025/{n}", "leftover-file") for n in names} <= lint
    assert lint == built
    site, dropped = build_despite_errors(root, monkeypatch)
    assert leaks(site, token) == []
    assert dropped == expected_drops(root)


# --- pages that are not postmortems ------------------------------------------------


def test_restricted_ordinary_page_is_never_published(tmp_path: Path) -> None:
    """A page that is not a postmortem but says visibility: restricted reaches no output or nav."""
    token = "canaryrestrictedpage"
    files = public_files()
    files[f"team/{token}.md"] = (
        f"---\ntitle: Salaries {token}\nvisibility: restricted\n---\n\n# Salaries\n\n{token}\n"
    )
    files[f"team/multimarkdown-{token}.md"] = (
        f"Title: Plans {token}\nVisibility: Restricted\n\n{token}\n"
    )
    files["team/open.md"] = "---\ntitle: Open page\nvisibility: internal\n---\n\nOpen text.\n"
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, token)
    site = build(root)
    assert leaks(site, token) == []
    assert (site / "team" / "open" / "index.html").is_file()


def test_hostile_title_of_an_ordinary_page_is_escaped(tmp_path: Path) -> None:
    """A `<script>` title in an ordinary page's front matter is text in <title> and the nav."""
    hostile = "<script>alert('canarytitle')</script>"
    files = public_files()
    files["about.md"] = f'---\ntitle: "{hostile}"\nowner: site-team\n---\n\nAbout us.\n'
    files["index.md"] = '---\ntitle: "Home & <b>bold</b>"\n---\n\nWelcome.\n'
    root = write_site_at(tmp_path, files)
    site = build(root)
    raw = [rel for rel in leaks(site, "<script>alert('canarytitle')") if rel.endswith(".html")]
    assert raw == []
    about = page(site, "about/")
    assert about.find("title").text.startswith(hostile)
    nav_texts = [a.text.strip() for a in page(site, "").find_all("a")]
    assert hostile in nav_texts
    assert "<b>bold</b>" not in (site / "index.html").read_text(encoding="utf-8")


def test_files_other_plugins_add_are_left_alone(tmp_path: Path) -> None:
    """Files a hook generates or takes from another folder stay: only docs_dir is vetted."""
    root = write_site_at(tmp_path, public_files(), extra_config="hooks:\n  - hook.py\n")
    (root / "other").mkdir()
    (root / "other" / "from-elsewhere.txt").write_text("elsewhere")
    (root / "hook.py").write_text(
        "import os\n\nfrom mkdocs.structure.files import File\n\n\n"
        "def on_files(files, config):\n"
        "    files.append(File.generated(config, 'extra/generated.txt', content='made'))\n"
        "    other = os.path.join(os.path.dirname(config.config_file_path), 'other')\n"
        "    files.append(File('from-elsewhere.txt', other, config.site_dir, True))\n"
        "    return files\n"
    )
    site = build(root)
    assert (site / "extra" / "generated.txt").read_text() == "made"
    assert (site / "from-elsewhere.txt").read_text() == "elsewhere"


# --- the finder's rows file --------------------------------------------------------


def test_finder_rows_file_carries_published_text_only(tmp_path: Path) -> None:
    """incidents/finder.json, the Find box's rows, is read by the canary search (a
    published postmortem's token is found in it) and holds nothing of a
    restricted or a draft one."""
    token, shown = "canaryfinder", "canaryshown"
    files = {
        PUBLIC_FILE: postmortem_text(
            id=PUBLIC,
            title=f"Public {shown}",
            summary=f"Summary {shown}",
            systems=f"[shared-bot, {shown}-system]",
        ),
        f"2025/INC-2025-101-{token}.md": secret("INC-2025-101", token),
        f"2025/INC-2025-102-{token}.md": secret(
            "INC-2025-102", token, visibility="internal", status="draft"
        ),
    }
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, token)
    site = build(root)
    assert "incidents/finder.json" in leaks(site, shown)
    assert leaks(site, token) == []
