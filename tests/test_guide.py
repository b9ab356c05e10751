"""The generated guide page and the rule registry it is made from."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest
from conftest import REPO
from mkdocs_postmortems.check.blameless import BLAMELESS_PHRASES
from mkdocs_postmortems.model import Severity
from mkdocs_postmortems.parse.taxonomy import Category, HarmType, Layer, Taxonomy, load_taxonomy
from mkdocs_postmortems.rules import LANGUAGE, RULES
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web.guide import render_guide
from mkdocs_postmortems.web.markdown_text import escape_markdown

EXTENSIONS = ["admonition", "attr_list", "tables", "toc"]
RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    tax, findings = load_taxonomy(REPO / "schema" / "taxonomy.yml", "taxonomy.yml")
    assert tax is not None, findings
    return tax


def test_guide_lists_every_layer_and_category_with_definitions(taxonomy: Taxonomy) -> None:
    """Each layer and category of the taxonomy appears with its title, id and description."""
    guide = render_guide(taxonomy, Settings())
    assert guide.startswith("# How to write a blameless AI postmortem\n")
    for layer in taxonomy.layers:
        assert f"### {escape_markdown(layer.title)} (`{layer.id}`)" in guide
        for cat in layer.categories:
            assert (
                f"- **{escape_markdown(cat.title)}** (`{cat.id}`): "
                f"{escape_markdown(cat.description)}"
            ) in guide


def test_guide_names_the_harm_types_that_need_legal_review(taxonomy: Taxonomy) -> None:
    """The legal-review section lists exactly the harm types marked required."""
    guide = render_guide(taxonomy, Settings())
    section = guide.split("## Harm and legal review")[1].split("Legal review is optional")[0]
    for harm in taxonomy.harm_types:
        assert (f"(`{harm.id}`)" in section) == harm.requires_legal_review, harm.id


def test_guide_tables_every_rule_with_language_examples(taxonomy: Taxonomy) -> None:
    """Every registered rule is listed; language rules with example, rewrite and phrases."""
    guide = render_guide(taxonomy, Settings())
    for rule in RULES.values():
        assert f"| `{rule.id}` | " in guide, rule.id
    for rule in (r for r in RULES.values() if r.group == LANGUAGE):
        assert escape_markdown(rule.example) in guide and escape_markdown(rule.rewrite) in guide
        for phrase in BLAMELESS_PHRASES[rule.id][:3]:
            assert f"“{escape_markdown(phrase)}”" in guide


def test_guide_follows_the_settings(taxonomy: Taxonomy) -> None:
    """Team phrases, required sections and include_drafts show as configured."""
    settings = Settings(
        blameless_phrases={"blameless-judgement": ["heedless"]},
        required_sections=("Summary", "Follow-up"),
        include_drafts=True,
    )
    guide = render_guide(taxonomy, settings)
    assert "added on this site: “heedless”" in guide
    assert "**Summary**, **Follow-up**" in guide
    assert "(on this site it is on)" in guide


def test_guide_without_a_taxonomy_still_renders() -> None:
    """A broken taxonomy (None) leaves out the layer and harm sections only."""
    guide = render_guide(None, Settings())
    assert "## Blameless language" in guide and "## Contributing factors" not in guide


def test_taxonomy_text_cannot_add_markup() -> None:
    """HTML, links, attributes and table pipes in taxonomy text render as plain text."""
    evil = '<script>x()</script> & {: onclick="y"} [a](javascript:z) | *em* `c` # 1. \\'
    tax = Taxonomy(
        (Layer("model", "- " + evil, "1. " + evil, (Category("c", evil, "model", evil),)),),
        (HarmType("h", evil, evil, "required"),),
    )
    guide = render_guide(tax, Settings(blameless_phrases={"blameless-person": [evil]}))
    code_free = re.sub(r"`[^`\n]*`", "", guide.replace(r"\`", ""))
    assert "<" not in code_free
    tags = _Tags()
    tags.feed(markdown.markdown(guide, extensions=EXTENSIONS))
    assert {"script", "a", "em"} & {tag for tag, _ in tags.seen} == set()
    assert "1. <script>" in tags.text and "- <script>" in tags.text
    assert [attrs for _, attrs in tags.seen if any(k == "onclick" for k, _ in attrs)] == []
    assert tags.text.count('<script>x()</script> & {: onclick="y"} [a](javascript:z) | *em*') >= 5


class _Tags(HTMLParser):
    """The tags and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


def test_rule_metadata_is_complete() -> None:
    """Each rule has a one-line summary; language rules have advice, example and rewrite."""
    for rule in RULES.values():
        assert rule.summary and "\n" not in rule.summary and RULE_ID.match(rule.id)
        if rule.group == LANGUAGE:
            assert rule.advice and rule.example and rule.rewrite


def test_an_unregistered_rule_makes_no_finding() -> None:
    """Asking the registry for a rule it does not hold fails, naming the rule."""
    with pytest.raises(KeyError, match="rule 'no-such-rule' is not registered"):
        RULES["no-such-rule"].finding("x.md", 1, 1, "message")


def test_draft_severity_is_the_registrys() -> None:
    """A draft override comes from the registry; rules without one keep their severity."""
    section = RULES["missing-section"]
    assert section.finding("x.md", 1, 1, "m", draft=True).severity is Severity.WARNING
    assert section.finding("x.md", 1, 1, "m").severity is Severity.ERROR
    assert section.severities == (Severity.ERROR, Severity.WARNING)
    assert RULES["required"].finding("x.md", 1, 1, "m", draft=True).severity is Severity.ERROR
    assert [r.id for r in RULES.values() if r.draft_severity] == ["missing-section"]
