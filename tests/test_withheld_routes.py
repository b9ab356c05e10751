"""Every route by which a withheld file reached a built site while lint was
clean and `mkdocs build --strict` green (issue 20), each as a real build of a
small site whose whole output is searched for a canary, gzip members
included. Where a route is a page composed from many places (an include, a
theme override, another plugin), the build's output guard is what stops it:
the build fails, names the written file and the withheld source, and leaves
no file that shows the canary.

A control build without our plugin shows each canary published, so a test
that finds nothing has looked where the canary would be.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import postmortem_text, run_cli
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs_postmortems.check.library import load_library
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web import output_guard
from sitekit import run_mkdocs, write_site_at
from test_site_failclosed import control_leaks, leaks
from test_site_preview import touch

PUBLIC, SECRET, OTHER = "INC-2025-001", "INC-2025-002", "INC-2025-003"
# Lower-case tokens no page of ours says: one per withheld file.
R_TOKEN, PAGE_TOKEN, D_TOKEN = "zqmetacanary", "zqpagecanary", "zqdraftcanary"
# A credential line: five words, far more than 24 characters.
CREDENTIAL = "deploy key zq7f3k9w2m8q4x6c1v5b"
COPY_TOKEN, SHEET_TOKEN = "zqcopycanary", "zqsheetcanary"


def secret_pm(pm_id: str = SECRET, token: str = R_TOKEN, **overrides: object) -> str:
    """A final postmortem with the token in its title, summary and body."""
    text = postmortem_text(
        id=pm_id,
        title=f"Payroll agent leaked {token} salaries",
        summary=f"The payroll agent wrote {token} salary lines into a shared sheet.",
        systems="[payroll-agent]",
        **overrides,
    )
    return text + (
        f"\nThe {token} sheet stayed open to every employee for two days before anyone saw.\n"
        f"\n{CREDENTIAL}\n"
    )


def public_pm(**overrides: object) -> str:
    return postmortem_text(id=PUBLIC, **overrides)


def build_ok(root: Path, strict: bool = True) -> Path:
    out = root / "site"
    result = run_mkdocs(root, out=out, strict=strict)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


# --- one decision: .meta.yml, letter case, values, the first line ---------------------


@pytest.mark.parametrize("meta_plugin", [False, True], ids=["meta-off", "meta-on"])
def test_meta_yml_withholds_its_folder(tmp_path: Path, meta_plugin: bool) -> None:
    """A `.meta.yml` that sets `visibility: restricted` withholds the postmortem
    and the ordinary page below it, whether or not Material's meta plugin is on;
    lint reports nothing, and the audit of the built site is clean."""
    files = {
        "index.md": "# Home\n",
        f"2025/{PUBLIC}.md": public_pm(),
        "hr/.meta.yml": "visibility: restricted\n",
        f"hr/2025/{SECRET}-payroll.md": secret_pm(),
        "hr/notes.md": f"# Notes\n\nThe {PAGE_TOKEN} board met about the payroll sheet.\n",
    }
    root = write_site_at(tmp_path, files)
    if meta_plugin:
        cfg = root / "mkdocs.yml"
        cfg.write_text(cfg.read_text().replace("  - search\n", "  - search\n  - meta\n"))
    assert set(control_leaks(root, R_TOKEN)) and set(control_leaks(root, PAGE_TOKEN))
    site = build_ok(root)
    assert leaks(site, R_TOKEN) == [] and leaks(site, PAGE_TOKEN) == []
    assert (site / f"incidents/{PUBLIC}/index.html").is_file()
    exported = json.loads((site / "incidents.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in exported["incidents"]] == [PUBLIC]
    lint = run_cli("lint", "--no-hints", cwd=root)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = run_cli("audit", "site", cwd=root)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    plain = run_cli("audit", "site-plain", cwd=root)
    assert plain.returncode == 1
    assert f"hr/2025/{SECRET}-payroll.md (restricted)" in plain.stdout
    assert "hr/notes.md (restricted page)" in plain.stdout


def test_a_postmortem_of_its_own_visibility_wins_over_meta(tmp_path: Path) -> None:
    """The file's own front matter wins over its folder's `.meta.yml` (spec 4),
    and its asset folder goes with it, while the folder's other files stay
    withheld."""
    files = {
        "hr/.meta.yml": "visibility: restricted\n",
        f"hr/{PUBLIC}.md": public_pm(visibility="internal"),
        f"hr/{PUBLIC}/chart.txt": "the chart of the public incident\n",
        "hr/salaries.csv": f"name,pay\n{SHEET_TOKEN},100\n",
    }
    site = build_ok(write_site_at(tmp_path, files))
    assert (site / f"incidents/{PUBLIC}/index.html").is_file()
    assert (site / f"hr/{PUBLIC}/chart.txt").is_file()
    assert leaks(site, SHEET_TOKEN) == []


def test_a_site_restricted_by_default_still_publishes_what_says_internal(tmp_path: Path) -> None:
    """A `.meta.yml` at the top of docs_dir that withholds everything (a
    site restricted by default): what says `internal` is published, with a
    published postmortem's assets and a folder whose own `.meta.yml` says
    internal, and the theme's files, in no folder of docs_dir, are copied."""
    files = {
        ".meta.yml": "visibility: restricted\n",
        "index.md": "---\nvisibility: internal\n---\n# Home\n",
        f"2025/{PUBLIC}.md": public_pm(visibility="internal"),
        f"2025/{PUBLIC}/chart.txt": "the chart of the public incident\n",
        "img/.meta.yml": "visibility: internal\n",
        "img/logo.txt": "the team's logo\n",
        "hr/notes.md": f"# Notes\n\nThe {PAGE_TOKEN} board met about the payroll sheet.\n",
    }
    site = build_ok(write_site_at(tmp_path, files))
    for built in ("index.html", f"incidents/{PUBLIC}/index.html", f"2025/{PUBLIC}/chart.txt"):
        assert (site / built).is_file(), built
    assert (site / "img/logo.txt").is_file()
    assert list((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    assert leaks(site, PAGE_TOKEN) == []


@pytest.mark.parametrize(
    ("meta", "line"),
    [
        ("title: People\nvisibility: confidental\n", 2),
        ("visibility: [restricted\n", 1),
    ],
    ids=["typo", "broken-yaml"],
)
def test_unknown_or_unreadable_meta_withholds_and_is_an_error(
    tmp_path: Path, meta: str, line: int
) -> None:
    """A `.meta.yml` with a visibility nobody defined, or one that cannot be
    read, is a lint error at its line (so the build fails), and the one
    decision of what is withheld withholds everything below it: the audit of
    a site built without the plugin names the page."""
    files = {
        f"2025/{PUBLIC}.md": public_pm(),
        "hr/.meta.yml": meta,
        f"hr/{SECRET}-payroll.md": secret_pm(),
        "hr/notes.md": f"# Notes\n\nThe {PAGE_TOKEN} board met about the payroll sheet.\n",
    }
    root = write_site_at(tmp_path, files)
    lint = run_cli("lint", "--no-hints", "--format", "json", cwd=root)
    assert lint.returncode == 1
    found = json.loads(lint.stdout)
    assert {(f["path"], f["line"]) for f in found if f["path"] == "docs/hr/.meta.yml"} >= {
        ("docs/hr/.meta.yml", line)
    }
    assert run_mkdocs(root, out=root / "site").returncode == 1
    withheld = load_library(root / "docs", Settings(), root).publication(True).withheld
    assert {f"hr/{SECRET}-payroll.md", "hr/notes.md"} <= set(withheld)
    assert control_leaks(root, PAGE_TOKEN)
    plain = run_cli("audit", "site-plain", cwd=root)
    assert plain.returncode == 1 and "hr/notes.md (restricted page)" in plain.stdout


# Each page's one line of text is distinctive: six words and more.
MINUTES = "board met about the payroll sheet."
PAGES = {
    "upper-key.md": f"---\nVisibility: restricted\n---\n# A\n\n{PAGE_TOKEN}a {MINUTES}\n",
    "other-value.md": f"---\nvisibility: confidential\n---\n# B\n\n{PAGE_TOKEN}b {MINUTES}\n",
    "as-list.md": f"---\nvisibility: [restricted]\n---\n# C\n\n{PAGE_TOKEN}c {MINUTES}\n",
    "multimarkdown.md": f"Title: D\nVisibility: restricted\n\n# D\n\n{PAGE_TOKEN}d {MINUTES}\n",
}


def test_audit_knows_every_way_a_page_is_withheld(tmp_path: Path) -> None:
    """A site built without the plugin (as Zensical builds today) publishes
    pages the plugin withholds however their visibility is written: the
    audit names each, and does not count their text as published."""
    root = write_site_at(tmp_path, {f"2025/{PUBLIC}.md": public_pm(), **PAGES})
    for suffix in "abcd":
        assert control_leaks(root, PAGE_TOKEN + suffix)
    audit = run_cli("audit", "site-plain", cwd=root)
    assert audit.returncode == 1
    for name in PAGES:
        assert f"docs/{name} (restricted page)" in audit.stdout, audit.stdout
    # The plugin's own build withholds all four; two are errors besides (any
    # value but internal or restricted), and the build fails on them.
    assert run_mkdocs(root, out=root / "site").returncode == 1
    (root / "docs/other-value.md").unlink()
    (root / "docs/as-list.md").unlink()
    site = build_ok(root)
    assert leaks(site, PAGE_TOKEN) == []
    assert run_cli("audit", "site", cwd=root).returncode == 0


def test_front_matter_below_the_first_line_is_an_error_and_withheld(tmp_path: Path) -> None:
    """A restricted postmortem with a blank line before `---` is published whole
    as a plain page by MkDocs; here lint and the build fail, and nothing of it
    is published."""
    files = {f"2025/{PUBLIC}.md": public_pm(), f"2025/{SECRET}.md": "\n" + secret_pm()}
    files[f"2025/{SECRET}.md"] = files[f"2025/{SECRET}.md"].replace(
        "status: final", "status: final\nvisibility: restricted", 1
    )
    root = write_site_at(tmp_path, files)
    assert control_leaks(root, R_TOKEN)
    lint = run_cli("lint", "--no-hints", cwd=root)
    assert lint.returncode == 1
    assert f"docs/2025/{SECRET}.md:2:1: error front-matter-not-first:" in lint.stdout
    strict = run_mkdocs(root, out=root / "site")
    assert strict.returncode == 1 and "front-matter-not-first" in strict.stdout + strict.stderr
    withheld = load_library(root / "docs", Settings(), root).publication(True).withheld
    assert f"2025/{SECRET}.md" in withheld
    plain = run_cli("audit", "site-plain", cwd=root)
    assert plain.returncode == 1 and f"docs/2025/{SECRET}.md" in plain.stdout


def test_a_copied_file_whose_front_matter_is_restricted_is_withheld(tmp_path: Path) -> None:
    """MkDocs copies a `.txt` or `.html` file as it is, front matter and
    all: a restricted postmortem saved under such a name, and a file in a
    folder a `.meta.yml` marks restricted, are withheld (spec 4: any file
    whose front matter says restricted), and a site built without the
    plugin fails the audit on them. A YAML file that opens a document with
    `---`, and a text whose front matter is internal, are still copied."""
    copy = secret_pm(token=COPY_TOKEN, visibility="restricted")
    files = {
        "index.md": "# Home\n",
        f"2025/{PUBLIC}.md": public_pm(),
        f"exports/{SECRET}-payroll.txt": copy,
        f"exports/{SECRET}-payroll.html": copy,
        "hr/.meta.yml": "visibility: restricted\n",
        "hr/salaries.csv": f"name,pay\n{SHEET_TOKEN},100\n",
        "data/systems.yml": "---\nsystems: [zqyamlkept]\n",
        "notes/open.txt": "---\nvisibility: internal\n---\nzqopenkept\n",
    }
    root = write_site_at(tmp_path, files)
    assert len(control_leaks(root, COPY_TOKEN)) >= 2 and control_leaks(root, SHEET_TOKEN)
    site = build_ok(root)
    assert leaks(site, COPY_TOKEN) == [] and leaks(site, SHEET_TOKEN) == []
    assert leaks(site, "zqyamlkept") == ["data/systems.yml"]
    assert leaks(site, "zqopenkept") == ["notes/open.txt"]
    lint = run_cli("lint", "--no-hints", cwd=root)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert run_cli("audit", "site", cwd=root).returncode == 0
    plain = run_cli("audit", "site-plain", cwd=root)
    assert plain.returncode == 1
    for name in (f"exports/{SECRET}-payroll.txt", f"exports/{SECRET}-payroll.html"):
        assert f"docs/{name} (restricted file)" in plain.stdout, plain.stdout
    assert (
        "site-plain/hr/salaries.csv: asset file (same bytes) of docs/hr/salaries.csv"
        in plain.stdout
    )
    assert COPY_TOKEN not in plain.stdout + plain.stderr


def test_a_page_that_includes_a_restricted_copy_fails_the_build(tmp_path: Path) -> None:
    """A public page pulls in the text of a restricted `.txt` through
    snippets: the guard knows that text, and the build fails."""
    files = {
        "index.md": f'# Home\n\n--8<-- "notes/{SECRET}.txt"\n',
        f"notes/{SECRET}.txt": secret_pm(token=COPY_TOKEN, visibility="restricted"),
    }
    root = write_site_at(tmp_path, files, extra_config=INCLUDERS["snippets"][1])
    result = run_mkdocs(root, out=root / "site", strict=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"of docs/notes/{SECRET}.txt (restricted file)" in result.stdout + result.stderr
    assert leaks(root / "site", COPY_TOKEN) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("---\nvisibility: confidental\n---\nzqcopycanary\n", "visibility-value"),
        ("---\nvisibility: [restricted\n---\nzqcopycanary\n", "yaml-syntax"),
    ],
    ids=["typo", "broken-yaml"],
)
def test_a_copied_file_with_a_front_matter_that_cannot_be_told_is_an_error(
    tmp_path: Path, text: str, rule: str
) -> None:
    """A visibility nobody defined, or a block that cannot be parsed, in the
    front matter of a copied file: a lint error at the file, and withheld."""
    root = write_site_at(tmp_path, {"index.md": "# Home\n", "notes/minutes.txt": text})
    lint = run_cli("lint", "--no-hints", "--format", "json", cwd=root)
    assert lint.returncode == 1
    found = {(f["path"], f["rule"]) for f in json.loads(lint.stdout)}
    assert ("docs/notes/minutes.txt", rule) in found
    assert run_mkdocs(root, out=root / "site").returncode == 1
    withheld = load_library(root / "docs", Settings(), root).publication(True).withheld
    assert "notes/minutes.txt" in withheld


GEN_TOKEN = "zqgencanary"

# A hook that adds pages the way mkdocs-gen-files does: from memory, and from
# a folder outside docs_dir.
FOREIGN_HOOK = """
from pathlib import Path
from mkdocs.structure.files import File

HERE = Path(__file__).parent


def on_files(files, config):
    for path in sorted((HERE / "made").iterdir()):
        files.append(File.generated(config, "made/" + path.name, content=path.read_bytes()))
    files.append(File("kept.txt", str(HERE / "outside"), config.site_dir, False))
    return files
"""


def foreign_site(tmp_path: Path, made: dict[str, str], outside: str) -> Path:
    root = write_site_at(tmp_path, {"index.md": "# Home\n", f"2025/{PUBLIC}.md": public_pm()})
    (root / "made").mkdir()
    for name, text in made.items():
        (root / "made" / name).write_text(text, encoding="utf-8")
    (root / "outside").mkdir()
    (root / "outside" / "kept.txt").write_text(outside, encoding="utf-8")
    (root / "hook.py").write_text(FOREIGN_HOOK, encoding="utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "hooks:\n  - hook.py\n", encoding="utf-8")
    return root


def test_pages_other_plugins_add_are_withheld_for_what_they_say(tmp_path: Path) -> None:
    """Pages and files a hook (or mkdocs-gen-files) adds from outside
    docs_dir are decided as a file of docs_dir is (spec 4: any file whose
    front matter says restricted): a restricted page, a restricted
    postmortem, a page with MultiMarkdown `Visibility:` and a copied text
    with restricted front matter are withheld; an open page is published.
    Without our plugin, the same hook publishes all of them."""
    made = {
        "minutes.md": f"---\nvisibility: restricted\n---\n# Minutes {GEN_TOKEN}a\n\nText.\n",
        "pm.md": secret_pm(pm_id=OTHER, token=GEN_TOKEN + "b", visibility="restricted"),
        "mmd.md": f"Title: Board\nVisibility: restricted\n\n# Board {GEN_TOKEN}c\n",
        "open.md": "# Open page zqopenkept\n",
    }
    outside = f"---\nvisibility: restricted\n---\nList {GEN_TOKEN}d\n"
    root = foreign_site(tmp_path, made, outside)
    plain = root / "plain-hook.yml"
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    plain.write_text(text.split("  - postmortems:")[0] + "hooks:\n  - hook.py\n", "utf-8")
    control = run_mkdocs(root, "-f", str(plain), out=root / "site-plain", strict=False)
    assert control.returncode == 0, control.stdout + control.stderr
    for suffix in "abcd":
        assert leaks(root / "site-plain", GEN_TOKEN + suffix), suffix
    site = build_ok(root)
    assert leaks(site, GEN_TOKEN) == []
    assert "made/open/index.html" in leaks(site, "zqopenkept")


# A restricted page another plugin adds, and a public one that quotes it.
QUOTED_MINUTES = {
    "minutes.md": (
        "---\nvisibility: restricted\n---\n# Minutes\n\n"
        f"The {GEN_TOKEN} board agreed to cut the payroll agent's access today.\n"
    ),
    "index-of-minutes.md": (
        f"# All minutes\n\nThe {GEN_TOKEN} board agreed to cut the payroll agent's access.\n"
    ),
}


def test_a_page_that_quotes_a_withheld_page_another_plugin_added_fails_the_build(
    tmp_path: Path,
) -> None:
    """The output guard looks for what other plugins' withheld pages say: a
    generated index that quotes one fails the build, naming both."""
    root = foreign_site(tmp_path, dict(QUOTED_MINUTES), "nothing here\n")
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert "made/index-of-minutes/index.html: " in log
    assert "of made/minutes.md (hook.py) (restricted page another plugin added)" in log, log
    assert leaks(root / "site", GEN_TOKEN) == []
    assert GEN_TOKEN not in log


LATE_TOKEN = "zqlatecanary"
# A hook that adds a withheld file as late as `on_env` (after the output guard
# was first made), and quotes it into the home page as the page is written.
LATE_QUOTE_HOOK = """
from mkdocs.structure.files import File

TEXT = "The {token} board agreed to cut the payroll agent's access today."


def on_env(env, config, files):
    files.append(File.generated(config, {name!r}, content={head!r} + TEXT + "\\n"))
    return env


def on_post_page(output, page, config):
    if page.file.src_uri == "index.md":
        return output.replace("</article>", "<p>" + TEXT + "</p></article>")
    return output
"""


@pytest.mark.parametrize(
    ("name", "head"),
    [("board/minutes.txt", "---\nvisibility: restricted\n---\n"), ("hr/pay.csv", "n\n")],
    ids=["front-matter", "meta-folder"],
)
def test_a_page_that_quotes_a_file_withheld_as_late_as_on_env_fails_the_build(
    tmp_path: Path, name: str, head: str
) -> None:
    """A file another plugin adds in `on_env`, withheld for its front matter
    or its folder's `.meta.yml`, is looked for by the output guard as one
    added in `on_files` is: a page that quotes it fails the build, naming
    both, and is removed (it was published, the guard made before)."""
    files = {"index.md": "# Home\n", "hr/.meta.yml": "visibility: restricted\n"}
    root = write_site_at(tmp_path, files, extra_config="hooks:\n  - hook.py\n")
    hook = LATE_QUOTE_HOOK.format(token=LATE_TOKEN, name=name, head=head)
    (root / "hook.py").write_text(hook, encoding="utf-8")
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert f"index.html: body text of {name} (hook.py) (restricted page another plugin" in log
    assert leaks(root / "site", LATE_TOKEN) == []
    assert LATE_TOKEN not in log


def test_a_page_read_as_written_is_read_again_for_a_file_withheld_as_late_as_on_env(
    tmp_path: Path,
) -> None:
    """With a second core, the guard reads pages as MkDocs writes them, for
    what it looked for then: once a file withheld in `on_env` adds to that,
    those pages are read again, and one that quotes the file fails the build
    (the reading made before was trusted, and missed it)."""
    files = {
        f"2024/INC-2024-{n:03d}.md": postmortem_text(id=f"INC-2024-{n:03d}") for n in range(1, 30)
    }
    files[f"2025/{SECRET}-payroll.md"] = secret_pm(visibility="restricted")
    root = write_site_at(
        tmp_path, files, plugin_options="jobs: 2", extra_config="hooks:\n  - hook.py\n"
    )
    head = "---\nvisibility: restricted\n---\n"
    hook = LATE_QUOTE_HOOK.format(token=LATE_TOKEN, name="board/minutes.txt", head=head)
    hook = hook.replace('page.file.src_uri == "index.md"', '"INC-2024-005" in page.url')
    # Time for the reader to read every page but the last.
    hook += "\n\ndef on_post_build(config):\n    import time\n\n    time.sleep(1.5)\n"
    (root / "hook.py").write_text(hook, encoding="utf-8")
    result = run_mkdocs(root, "--verbose", out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    read = re.search(r"output guard: (\d+) file\(s\) read as they were written", log)
    assert read and int(read.group(1)) > 20, log
    assert "incidents/INC-2024-005/index.html: body text of board/minutes.txt (hook.py)" in log
    assert leaks(root / "site", LATE_TOKEN) == []


def test_the_output_guard_is_planned_once_when_other_plugins_pages_are_withheld(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Pages other plugins add are decided before the guard is planned: one
    plan holds the library's withheld files and theirs (it was made twice,
    the second time with them), and a page that quotes one still fails."""
    root = foreign_site(tmp_path, dict(QUOTED_MINUTES), "nothing here\n")
    (root / f"docs/2025/{SECRET}-payroll.md").write_text(secret_pm(visibility="restricted"))
    cfg = root / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text().replace("  - postmortems:\n", "  - postmortems:\n      jobs: 1\n")
    )
    real = output_guard.plan
    planned: list[int] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        bound = inspect.signature(real).bind(*args, **kwargs)
        foreign = bound.arguments["foreign"] = list(bound.arguments.get("foreign", ()))
        planned.append(len(foreign))
        return real(*bound.args, **bound.kwargs)

    monkeypatch.setattr(output_guard, "plan", spy)
    monkeypatch.chdir(root)
    config = load_config(str(cfg), site_dir=str(root / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(config)
    assert "made/index-of-minutes/index.html: body text of made/minutes.md" in caplog.text
    assert planned == [1]
    assert leaks(root / "site", GEN_TOKEN) == []
    assert leaks(root / "site", R_TOKEN) == []


# --- the output guard: pages composed from many places ------------------------------

INCLUDERS = {
    "snippets": (
        f'--8<-- "2025/{SECRET}-payroll.md"',
        "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: docs\n",
        "",
    ),
    "include-markdown": (
        f'{{% include-markdown "2025/{SECRET}-payroll.md" %}}',
        "",
        "  - include-markdown\n",
    ),
    "macros": (
        f'{{% include "2025/{SECRET}-payroll.md" %}}',
        "",
        "  - macros:\n      include_dir: docs\n",
    ),
}


def with_plugin(root: Path, plugin: str) -> None:
    """Add a plugin after ours in the site's mkdocs.yml."""
    if plugin:
        cfg = root / "mkdocs.yml"
        text = cfg.read_text()
        head, _, tail = text.partition("markdown_extensions:")
        cfg.write_text(
            head.rstrip("\n") + "\n" + plugin + (f"markdown_extensions:{tail}" * bool(_))
        )


@pytest.mark.parametrize("includer", list(INCLUDERS))
def test_a_page_that_includes_a_restricted_postmortem_fails_the_build(
    tmp_path: Path, includer: str
) -> None:
    """A public page that pulls in a restricted postmortem through another
    plugin builds without our guard; with it, the build fails, names the page
    and the source, and no written file holds the canary."""
    directive, extensions, plugin = INCLUDERS[includer]
    files = {
        "index.md": f"# Home\n\nOur incident notes.\n\n{directive}\n",
        f"2025/{PUBLIC}.md": public_pm(),
        f"2025/{SECRET}-payroll.md": secret_pm(visibility="restricted"),
    }
    root = write_site_at(tmp_path, files, extra_config=extensions)
    with_plugin(root, plugin)
    out = root / "site"
    result = run_mkdocs(root, out=out, strict=False)
    assert result.returncode == 1, result.stdout + result.stderr
    log = result.stdout + result.stderr
    assert f"index.html: title, body text of docs/2025/{SECRET}-payroll.md (restricted)" in log or (
        "index.html: " in log and f"of docs/2025/{SECRET}-payroll.md (restricted)" in log
    ), log
    assert leaks(out, R_TOKEN) == []
    assert leaks(out, "zq7f3k9w2m8q4x6c1v5b") == []
    assert R_TOKEN not in log


def test_one_short_credential_line_is_caught(tmp_path: Path) -> None:
    """One line of five words quoted from a restricted postmortem (snippets
    with a line range) is a leak: a line of 24 characters or more."""
    source = secret_pm(visibility="restricted")
    line_no = source.split("\n").index(CREDENTIAL) + 1
    files = {
        "index.md": f'# Home\n\n--8<-- "2025/{SECRET}-payroll.md:{line_no}:{line_no}"\n',
        f"2025/{SECRET}-payroll.md": source,
    }
    root = write_site_at(tmp_path, files, extra_config=INCLUDERS["snippets"][1])
    result = run_mkdocs(root, out=root / "site", strict=False)
    assert result.returncode == 1
    assert leaks(root / "site", "zq7f3k9w2m8q4x6c1v5b") == []
    assert "index.html: body text of docs/2025/" in result.stdout + result.stderr


def test_a_sentence_two_withheld_files_share_is_still_withheld(tmp_path: Path) -> None:
    """A draft quotes a sentence of a restricted postmortem; a public page
    includes that sentence from the draft. Neither withheld file counts as
    published text, so the sentence is a leak."""
    sentence = f"The {R_TOKEN} sheet stayed open to every employee for two days"
    draft = postmortem_text(id=OTHER, title="Draft about sheets", status="draft")
    draft += f"\nQuoted: {sentence}.\n"
    line_no = draft.split("\n").index(f"Quoted: {sentence}.") + 1
    files = {
        "index.md": f'# Home\n\n--8<-- "2025/{OTHER}.md:{line_no}:{line_no}"\n',
        f"2025/{SECRET}-payroll.md": secret_pm(visibility="restricted"),
        f"2025/{OTHER}.md": draft,
    }
    root = write_site_at(tmp_path, files, extra_config=INCLUDERS["snippets"][1])
    result = run_mkdocs(root, out=root / "site", strict=False)
    assert result.returncode == 1
    assert leaks(root / "site", R_TOKEN) == []


def test_a_theme_override_that_lists_every_postmortem_fails_the_build(tmp_path: Path) -> None:
    """A site's own template that reaches into the plugin for the whole
    library prints a restricted title: the guard catches it in every page."""
    files = {
        f"2025/{PUBLIC}.md": public_pm(),
        f"2025/{SECRET}-payroll.md": secret_pm(visibility="restricted"),
    }
    root = write_site_at(tmp_path, files)
    overrides = root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}{% block footer %}'
        "{% for p in config.plugins.postmortems._library.postmortems %}<li>{{ p.title }}</li>"
        "{% endfor %}{% endblock %}",
        encoding="utf-8",
    )
    cfg = root / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text().replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    )
    result = run_mkdocs(root, out=root / "site", strict=False)
    assert result.returncode == 1
    assert f"incidents/{PUBLIC}/index.html: title of docs/2025/{SECRET}-payroll.md" in (
        result.stdout + result.stderr
    )
    assert leaks(root / "site", R_TOKEN) == []


def _with_hook_at_the_end(tmp_path: Path, writes: str) -> Path:
    """A site with a published and a restricted postmortem, and a hook that
    runs `writes` (with `text`, a restricted summary) as the build ends, as
    any plugin may."""
    files = {
        f"2025/{PUBLIC}.md": public_pm(),
        f"2025/{SECRET}-payroll.md": secret_pm(visibility="restricted"),
    }
    root = write_site_at(tmp_path, files, extra_config="hooks:\n  - hooks.py\n")
    text = f"The payroll agent wrote {R_TOKEN} salary lines into a shared sheet."
    body = textwrap.indent(writes, "    ")
    hook = f"import glob, gzip, os\n\n\ndef on_post_build(config):\n    text = {text!r}\n{body}\n"
    (root / "hooks.py").write_text(hook, encoding="utf-8")
    return root


def test_a_gzip_file_another_plugin_writes_is_read(tmp_path: Path) -> None:
    """A hook (like any plugin) writes a gzip file holding a restricted summary
    after the pages: the guard reads gzip members too, and removes the file."""
    root = _with_hook_at_the_end(
        tmp_path,
        'with open(os.path.join(config.site_dir, "extra.xml.gz"), "wb") as fh:\n'
        "    fh.write(gzip.compress(text.encode()))",
    )
    result = run_mkdocs(root, out=root / "site", strict=False)
    assert result.returncode == 1
    assert "extra.xml.gz (gzip member): summary of docs/2025/" in result.stdout + result.stderr
    assert not (root / "site/extra.xml.gz").exists()


def test_a_page_rewritten_after_it_was_read_while_written_is_read_again(tmp_path: Path) -> None:
    """With a second core, a low-priority process reads the pages as MkDocs
    writes them; a page another plugin rewrites after that (a hook at the
    end of the build) is read again as it is, and its leak fails the build."""
    files = {f"2025/INC-2025-{n:03d}.md": postmortem_text(id=f"INC-2025-{n:03d}") for n in (1, 3)}
    files |= {
        f"2024/INC-2024-{n:03d}.md": postmortem_text(id=f"INC-2024-{n:03d}", date="2024-03-01")
        for n in range(1, 30)
    }
    files[f"2025/{SECRET}-payroll.md"] = secret_pm(visibility="restricted")
    root = write_site_at(
        tmp_path, files, plugin_options="jobs: 2", extra_config="hooks:\n  - hooks.py\n"
    )
    (root / "hooks.py").write_text(
        textwrap.dedent(
            f"""
            import os, time

            def on_post_build(config):
                # Time for the reader to read every page but the last.
                time.sleep(1.5)
                page = os.path.join(config.site_dir, "incidents", "INC-2024-005", "index.html")
                text = "The payroll agent wrote {R_TOKEN} salary lines into a shared sheet."
                with open(page, "a", encoding="utf-8") as fh:
                    fh.write(f"<p>{{text}}</p>")
            """
        ),
        encoding="utf-8",
    )
    result = run_mkdocs(root, "--verbose", out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    read = re.search(r"output guard: (\d+) file\(s\) read as they were written", log)
    assert read and int(read.group(1)) > 20, log
    assert "incidents/INC-2024-005/index.html: summary of docs/2025/" in log, log
    assert not (root / "site/incidents/INC-2024-005/index.html").exists()


def test_a_theme_script_another_plugin_rewrites_is_read(tmp_path: Path) -> None:
    """The guard leaves out a theme file copied as it is from the installed
    theme; one a hook rewrote after the copy (its bytes differ) is read,
    and its leak fails the build."""
    root = _with_hook_at_the_end(
        tmp_path,
        'pattern = os.path.join(config.site_dir, "assets", "javascripts", "bundle.*.min.js")\n'
        'with open(sorted(glob.glob(pattern))[0], "a", encoding="utf-8") as fh:\n'
        '    fh.write(f"// {text}\\n")',
    )
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert re.search(r"assets/javascripts/bundle\.\w+\.min\.js: summary of docs/2025/", log), log
    assert list((root / "site/assets/javascripts").glob("bundle.*.min.js")) == []


# --- what other plugins are handed, and what the log says ---------------------------


def test_other_plugins_are_handed_published_postmortems_only(tmp_path: Path) -> None:
    """The library and site objects the plugin exposes (as macros or a hook
    reads them) hold the published postmortem and not the restricted one."""
    files = {
        f"2025/{PUBLIC}.md": public_pm(),
        f"2025/{SECRET}-payroll.md": secret_pm(visibility="restricted"),
    }
    root = write_site_at(tmp_path, files, extra_config="hooks:\n  - hooks.py\n")
    seen = tmp_path / "seen.json"
    (root / "hooks.py").write_text(
        textwrap.dedent(
            f"""
            import json

            def on_post_build(config):
                plugin = config.plugins["postmortems"]
                json.dump(
                    {{
                        "library": [p.id for p in plugin.library.postmortems],
                        "site": [p.id for p in plugin.site.incidents],
                        "site_library": [p.id for p in plugin.site.library.postmortems],
                        "findings": sorted({{f.path for f in plugin.library.findings}}),
                    }},
                    open({str(seen)!r}, "w"),
                )
            """
        ),
        encoding="utf-8",
    )
    build_ok(root)
    exposed = json.loads(seen.read_text(encoding="utf-8"))
    assert exposed["library"] == exposed["site"] == exposed["site_library"] == [PUBLIC]
    assert all(SECRET not in path for path in exposed["findings"])


def test_log_lines_about_a_withheld_file_carry_no_text(tmp_path: Path) -> None:
    """A warning on a restricted postmortem quotes the e-mail address it found
    in lint's output (the author's terminal), never in the build's log."""
    address = "zq.jane.roe@example.org"
    text = secret_pm(visibility="restricted").replace(
        "## Impact", f"## Impact\n\n{address} deleted the sheet by mistake.\n", 1
    )
    root = write_site_at(tmp_path, {f"2025/{PUBLIC}.md": public_pm(), f"2025/{SECRET}.md": text})
    lint = run_cli("lint", "--no-hints", cwd=root)
    assert address in lint.stdout
    result = run_mkdocs(root, out=root / "site", strict=False)
    assert result.returncode == 0
    log = result.stdout + result.stderr
    assert f"docs/2025/{SECRET}.md" in log and "message not logged" in log
    assert address not in log and "zq.jane" not in log


def test_log_lines_about_a_withheld_copied_file_carry_no_text(tmp_path: Path) -> None:
    """A copied file withheld for its front matter: its findings quote what
    it says in lint's output, never in the build's log."""
    text = "---\nvisibility: zqsecretkey\n---\nNotes.\n"
    root = write_site_at(tmp_path, {"index.md": "# Home\n", "notes/minutes.txt": text})
    lint = run_cli("lint", "--no-hints", cwd=root)
    assert lint.returncode == 1 and "zqsecretkey" in lint.stdout
    result = run_mkdocs(root, out=root / "site", strict=False)
    log = result.stdout + result.stderr
    assert "docs/notes/minutes.txt" in log and "message not logged" in log
    assert "zqsecretkey" not in log


# --- rebuilds that keep what they built before --------------------------------------


def dirty_library(tmp_path: Path) -> Path:
    """A public postmortem with an asset folder, cited by another incident, an
    ordinary page and a text file MkDocs copies: all to be made restricted
    by an edit."""
    files = {
        f"2025/{SECRET}-payroll.md": secret_pm(),
        f"2025/{SECRET}-payroll/chart.txt": f"chart data {R_TOKEN} 1 2 3 4 5 6 7\n",
        f"2025/{PUBLIC}.md": public_pm(related=f"[{SECRET}]"),
        "notes.md": f"# Notes\n\nThe {PAGE_TOKEN} board met about the payroll sheet.\n",
        "minutes.txt": f"Minutes of the {COPY_TOKEN} review.\n",
    }
    return write_site_at(tmp_path, files)


def make_restricted(root: Path) -> None:
    pm = root / f"docs/2025/{SECRET}-payroll.md"
    touch(pm, pm.read_text().replace("status: final", "status: final\nvisibility: restricted", 1))
    for name in ("notes.md", "minutes.txt"):
        page = root / "docs" / name
        touch(page, "---\nvisibility: restricted\n---\n" + page.read_text())


def test_build_dirty_after_an_edit_to_restricted_keeps_nothing_of_it(tmp_path: Path) -> None:
    """`mkdocs build --dirty` after a postmortem and a page were edited to
    restricted: no page, asset copy, listing or citing page still shows them."""
    root = dirty_library(tmp_path)
    site = build_ok(root)
    assert leaks(site, R_TOKEN) and leaks(site, PAGE_TOKEN) and leaks(site, COPY_TOKEN)
    make_restricted(root)
    result = run_mkdocs(root, "--dirty", out=site, strict=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leaks(site, R_TOKEN) == [] and leaks(site, PAGE_TOKEN) == []
    assert leaks(site, COPY_TOKEN) == []
    assert "Payroll agent leaked" not in (site / f"incidents/{PUBLIC}/index.html").read_text()


def test_serve_dirty_after_an_edit_to_restricted_serves_nothing_of_it(tmp_path: Path) -> None:
    """`mkdocs serve --dirty`: one plugin object through two rebuilds, as the
    server keeps it; after the edit, nothing of either file is served."""
    root = dirty_library(tmp_path)
    site = root / "site"

    def rebuild() -> None:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=True)
        mkdocs_build(config, serve_url="http://127.0.0.1:8000/", dirty=True)

    try:
        rebuild()
        assert leaks(site, R_TOKEN) and leaks(site, PAGE_TOKEN) and leaks(site, COPY_TOKEN)
        make_restricted(root)
        rebuild()
    finally:
        load_config(str(root / "mkdocs.yml")).plugins.on_startup(command="build", dirty=False)
    assert leaks(site, R_TOKEN) == [] and leaks(site, PAGE_TOKEN) == []
    assert leaks(site, COPY_TOKEN) == []
    assert (site / f"incidents/{PUBLIC}/index.html").is_file()
