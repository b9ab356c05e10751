"""One configuration for lint and the build: `postmortems lint` reads the
site as `mkdocs build` does (MkDocs' own loader: INHERIT, !ENV, the plugin's
option validation, properdocs.yml), so the two agree on every finding."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO, postmortem_text, run_cli
from sitekit import run_mkdocs
from test_rules import NEGATIVE, POSITIVE, TAXONOMY, Case, prepare

FINDING = re.compile(r"^\S+:\d+:\d+: (error|warning) [a-z0-9-]+: .+$")
# How the build logs a finding: MkDocs' level, then our logger's name.
# Reporting clocks are logged at INFO: a deadline that passes changes no file,
# so it must not fail `mkdocs build --strict` on an unrelated pull request.
BUILD_LINE = re.compile(
    r"^(?:ERROR|WARNING|INFO)\s+-\s+mkdocs_postmortems: "
    r"(?P<finding>[^\s:]+:\d+:\d+: (?:error|warning) .+)$"
)
CASES = {"negative": NEGATIVE, "positive": POSITIVE}


def write_config(root: Path, text: str, name: str = "mkdocs.yml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    return root / name


def site_yaml(options: str = "", top: str = "") -> str:
    """A Material site with our plugin; `options` are its option lines."""
    indented = "".join(f"      {line}\n" for line in options.splitlines())
    return (
        f"site_name: Config test\n{top}"
        "theme:\n  name: material\n  font: false\n"
        f"plugins:\n  - search\n  - postmortems:\n      taxonomy: {TAXONOMY}\n{indented}"
    )


def lint_findings(root: Path, *args: str) -> Counter[str]:
    proc = run_cli("lint", "--no-hints", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return Counter(ln for ln in proc.stdout.splitlines() if FINDING.match(ln))


def build_findings(root: Path, *args: str) -> Counter[str]:
    """Findings as `mkdocs build` (not strict) logs them, run from root."""
    built = run_mkdocs(root, *args, out=root / "built", strict=False)
    assert "Traceback" not in built.stderr, built.stderr
    return Counter(
        m.group("finding") for ln in built.stderr.splitlines() if (m := BUILD_LINE.match(ln))
    )


# What the build logs instead of a finding's message on a restricted file.
WITHHELD_MESSAGE = "(message not logged: this file is withheld from the site;"


def assert_agree(root: Path) -> Counter[str]:
    """Lint's findings, which the build must report line for line: the same
    place, severity and rule, and the same message but on restricted files,
    whose messages the build does not log (spec section 4)."""
    linted = lint_findings(root)
    built = build_findings(root)
    withheld = {_path(ln) for ln in built if WITHHELD_MESSAGE in ln}
    assert built == Counter(
        _without_message(ln) if _path(ln) in withheld else ln for ln in linted.elements()
    )
    return linted


def _path(line: str) -> str:
    return line.split(": ", 1)[0].rsplit(":", 2)[0]


def _without_message(line: str) -> str:
    """`path:line:col: severity rule: message` as the build logs it for a
    restricted file."""
    place, finding, _ = line.split(": ", 2)
    return f"{place}: {finding}: {WITHHELD_MESSAGE} `postmortems lint` shows it)"


def write_cases(docs: Path, cases: list[Case], variant: str) -> dict[str, Case]:
    """Every case in a folder of its own; the case of each written file."""
    written = {}
    for case in cases:
        for rel, raw in case.files().items():
            target = docs / case.rule / case.source.name / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(prepare(raw, variant))
            written[target.relative_to(docs.parent).as_posix()] = case
    return written


@pytest.mark.parametrize("variant", ["lf", "bom-crlf"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_lint_and_build_agree_on_every_example(kind: str, variant: str, tmp_path: Path) -> None:
    """Every example file, in one site: lint and `mkdocs build` report the same lines."""
    written = write_cases(tmp_path / "docs", CASES[kind], variant)
    write_config(tmp_path, site_yaml())
    linted = assert_agree(tmp_path)
    flagged = {line.split(":")[0] for line in linted}
    assert flagged <= set(written)
    if kind == "negative":
        # Each negative case declares a finding: the build saw every file.
        assert {written[p].id for p in flagged} == {c.id for c in NEGATIVE}


def test_inherit_options_apply_to_lint_and_build(tmp_path: Path) -> None:
    """Plugin options from an INHERIT parent file reach lint and the build alike."""
    write_config(tmp_path, site_yaml("required_sections: [What happened, Follow-up]"), "base.yml")
    write_config(tmp_path, "INHERIT: base.yml\nsite_name: Child\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "INC-2025-014.md").write_text(postmortem_text(), encoding="utf-8")
    linted = assert_agree(tmp_path)
    [line] = [ln for ln in linted if " missing-section: " in ln]
    assert "Follow-up" in line


@pytest.mark.parametrize("docs_env", [None, "other"])
def test_env_tag_is_read_as_mkdocs_reads_it(
    docs_env: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`docs_dir: !ENV [PM_DOCS, docs]` follows the variable when set, its default when not."""
    write_config(tmp_path, site_yaml(top="docs_dir: !ENV [PM_DOCS, docs]\n"))
    for folder, title in (("docs", "In docs"), ("other", "In other")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "INC-2025-014.md").write_text(
            postmortem_text(title=f"'{title}'", severity="SEV9"), encoding="utf-8"
        )
    if docs_env is None:
        monkeypatch.delenv("PM_DOCS", raising=False)
    else:
        monkeypatch.setenv("PM_DOCS", docs_env)
    linted = assert_agree(tmp_path)
    assert {ln.split("/")[0] for ln in linted} == {docs_env or "docs"}


def test_unknown_plugin_option_is_refused_by_lint_and_build(tmp_path: Path) -> None:
    """A misspelt option stops `mkdocs build` and is a usage error in lint, with one message."""
    write_config(tmp_path, site_yaml("include_draft: true"))
    (tmp_path / "docs").mkdir()
    proc = run_cli("lint", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    message = "Plugin 'postmortems' option 'include_draft': unknown option"
    assert message in proc.stderr and "did you mean 'include_drafts'?" in proc.stderr
    built = run_mkdocs(tmp_path, out=tmp_path / "built", strict=False)
    assert built.returncode != 0 and message in built.stderr
    assert not (tmp_path / "built").exists()


def test_bad_blameless_phrases_are_refused_at_config_time(tmp_path: Path) -> None:
    """A blameless_phrases entry of an unknown rule stops both, naming the rule and the choices."""
    write_config(tmp_path, site_yaml("blameless_phrases:\n  blameless-judgment: [heedless]"))
    (tmp_path / "docs").mkdir()
    proc = run_cli("lint", cwd=tmp_path)
    assert proc.returncode == 2
    built = run_mkdocs(tmp_path, out=tmp_path / "built", strict=False)
    assert built.returncode != 0
    for output in (proc.stderr, built.stderr):
        assert "option 'blameless_phrases'" in output
        assert "'blameless-judgment' is not a blameless-language rule" in output
        assert "did you mean 'blameless-judgement'?" in output


def test_config_warnings_fail_strict_lint_as_they_fail_strict_builds(tmp_path: Path) -> None:
    """An unknown top-level key warns; `lint --strict` refuses it as `build --strict` does."""
    write_config(tmp_path, site_yaml(top="sitename: typo\n"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "INC-2025-014.md").write_text(postmortem_text(), encoding="utf-8")
    proc = run_cli("lint", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Unrecognised configuration name: sitename" in proc.stderr
    strict = run_cli("lint", "--strict", cwd=tmp_path)
    assert strict.returncode == 2 and "'strict' mode" in strict.stderr
    built = run_mkdocs(tmp_path, out=tmp_path / "built", strict=True)
    assert built.returncode != 0 and "Unrecognised configuration name: sitename" in built.stderr


def test_properdocs_yml_is_read_where_it_is_the_only_config(tmp_path: Path) -> None:
    """With only properdocs.yml, lint reads it (its options apply); mkdocs.yml wins beside it."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "INC-2025-014.md").write_text(postmortem_text(), encoding="utf-8")
    write_config(tmp_path, site_yaml("required_sections: [Follow-up]"), "properdocs.yml")
    proc = run_cli("lint", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1 and '"rule": "missing-section"' in proc.stdout
    write_config(tmp_path, site_yaml())
    assert run_cli("lint", cwd=tmp_path).returncode == 0


def test_config_file_option_overrides_the_one_in_cwd(tmp_path: Path) -> None:
    """`-f` names a config elsewhere: its docs_dir and options are used, not the cwd's."""
    here = tmp_path / "here"
    write_config(here, site_yaml())
    (here / "docs").mkdir()
    there = tmp_path / "there"
    write_config(there, site_yaml("required_sections: [Follow-up]", top="docs_dir: lib\n"))
    (there / "lib").mkdir()
    text = postmortem_text()
    (there / "lib" / "INC-2025-014.md").write_text(text, encoding="utf-8")
    assert run_cli("lint", cwd=here).stderr.startswith("0 postmortem")
    proc = run_cli("lint", "-f", "../there/mkdocs.yml", cwd=here)
    assert proc.returncode == 1
    # The finding points at the first line of the body, after the front matter.
    body_line = text.split("\n").index("---", 1) + 2
    assert f"there/lib/INC-2025-014.md:{body_line}:1: error missing-section: " in proc.stdout
    assert "Follow-up" in proc.stdout


def test_site_without_the_plugin_is_linted_with_defaults(tmp_path: Path) -> None:
    """A site that does not list the plugin yet: lint checks its docs with the default options."""
    write_config(tmp_path, "site_name: Plain\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "INC-2025-014.md").write_text(
        postmortem_text(severity="SEV9"), encoding="utf-8"
    )
    proc = run_cli("lint", cwd=tmp_path)
    assert proc.returncode == 1 and " invalid-value: " in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "mkdocs.yml"], "lint wrote files"


# --- ProperDocs ------------------------------------------------------------------
# The maintained fork of MkDocs 1.6: it loads `mkdocs.plugins` entry points and
# reads properdocs.yml. It must build the library exactly as MkDocs does.

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _properdocs_or_skip() -> None:
    from importlib.util import find_spec

    if find_spec("properdocs") is None:
        reason = "properdocs is not installed: pip install -e '.[test]'"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: this test must not skip)", pytrace=False)
        pytest.skip(reason)


def _library_site(root: Path) -> None:
    """A copy of the repository's own library, configured for both tools."""
    shutil.copytree(REPO / "postmortems", root / "docs")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: postmortems", "docs_dir: docs")
    config = config.replace(
        "taxonomy: schema/taxonomy.yml", f"taxonomy: {REPO / 'schema' / 'taxonomy.yml'}"
    )
    assert f"taxonomy: {REPO}" in config
    write_config(root, config)
    write_config(root, config, "properdocs.yml")


def _files(site: Path) -> dict[str, bytes]:
    """Each output file's bytes, gzip members unpacked, the generator tag blanked."""
    import gzip

    out = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        out[path.relative_to(site).as_posix()] = GENERATOR.sub(b"", raw)
    return out


def test_properdocs_builds_the_library_as_mkdocs_does(tmp_path: Path) -> None:
    """`properdocs build` of the library gives MkDocs' pages, byte for byte but the generator."""
    _properdocs_or_skip()
    _library_site(tmp_path)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    env["SOURCE_DATE_EPOCH"] = "1767225600"
    runs = {
        "mkdocs": [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"],
        "properdocs": [sys.executable, "-m", "properdocs", "build", "--strict"],
    }
    sites = {}
    for tool, cmd in runs.items():
        out = tmp_path / f"site-{tool}"
        proc = subprocess.run(
            [*cmd, "-d", str(out)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{tool}: {proc.stdout}{proc.stderr}"
        sites[tool] = _files(out)
    mkdocs_site, properdocs_site = sites["mkdocs"], sites["properdocs"]
    assert sorted(properdocs_site) == sorted(mkdocs_site)
    incidents = [p for p in mkdocs_site if re.fullmatch(r"incidents/[^/]+/index\.html", p)]
    assert len(incidents) >= 10
    assert b"INC-" in mkdocs_site[incidents[0]]
    assert [p for p in mkdocs_site if properdocs_site[p] != mkdocs_site[p]] == []
