"""The guide teaches the four-layer walk and what a systemic fix looks like."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import REPO, postmortem_text
from mkdocs_postmortems.check.layered import try_harder
from mkdocs_postmortems.parse.taxonomy import Layer, Taxonomy, load_taxonomy
from mkdocs_postmortems.rules import RULES
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web.guide import SYSTEMIC_PAIRS, render_guide
from sitekit import build, page


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    tax, findings = load_taxonomy(REPO / "schema" / "taxonomy.yml", "taxonomy.yml")
    assert tax is not None, findings
    return tax


def section(guide: str, heading: str) -> str:
    return guide.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_walk_lists_every_layer_in_order_with_a_ruled_out_example(taxonomy: Taxonomy) -> None:
    """The walk numbers each taxonomy layer in order and shows ruled_out YAML that parses."""
    walk = section(render_guide(taxonomy, Settings()), "Walk every layer")
    listed = re.findall(r"^\d+\. \*\*.+\*\* \(`([a-z0-9-]+)`\)$", walk, re.M)
    assert listed == [layer.id for layer in taxonomy.layers]
    example = yaml.safe_load(walk.split("```yaml\n", 1)[1].split("```", 1)[0])
    (entry,) = example["ruled_out"]
    assert entry["layer"] in listed and entry["reason"]
    for rule in ("layer-not-considered", "ruled-out-conflict", "unaddressed-layer"):
        assert f"`{rule}`" in walk


def test_walk_follows_a_team_taxonomy() -> None:
    """With a team's own layers, the walk lists those and no others."""
    own = Taxonomy(layers=(Layer("vendor", "Vendor", "", ()), Layer("people", "People", "", ())))
    walk = section(render_guide(own, Settings()), "Walk every layer")
    assert re.findall(r"\(`([a-z-]+)`\)$", walk, re.M) == ["vendor", "people"]
    assert "- layer: people" in walk


def test_systemic_examples_agree_with_the_rule(taxonomy: Taxonomy) -> None:
    """Each 'try harder' example trips systemic-fix and each rewrite does not."""
    fixes = section(render_guide(taxonomy, Settings()), "Fixes that change the system")
    rule = RULES["systemic-fix"]
    for harder, systemic in ((rule.example, rule.rewrite), *SYSTEMIC_PAIRS):
        assert harder in fixes and systemic in fixes
        assert try_harder(harder) is not None, harder
        assert try_harder(systemic) is None, systemic
    assert "`systemic-fix`" in fixes


def test_guide_page_of_a_built_site_has_both_sections(write_site: Callable[..., Path]) -> None:
    """The built guide page carries the walk and the systemic-fix table as HTML."""
    site = build(write_site({"INC-2025-014.md": postmortem_text()}))
    article = page(site, "guide/").find("article")
    headings = [h.text.strip() for h in article.find_all("h2")]
    assert "Walk every layer" in headings and "Fixes that change the system" in headings
    tables = [t for t in article.find_all("table") if t.find_all("th")]
    header_sets = [[th.text.strip() for th in t.find_all("th")] for t in tables]
    assert ["Asks people to try harder", "Changes the system"] in header_sets
