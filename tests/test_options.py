"""The plugin's options are declared once (`options.PostmortemsConfig`),
typed, documented, validated by MkDocs, and become the core's `Settings`."""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import fields
from typing import Any

import pytest
from conftest import REPO
from mkdocs_postmortems.adapters import options
from mkdocs_postmortems.adapters.options import PostmortemsConfig, settings_of
from mkdocs_postmortems.settings import Settings

OPTION_NAMES = [name for name, _ in PostmortemsConfig._schema]


def validated(values: dict[str, Any]) -> tuple[PostmortemsConfig, list[str]]:
    """The options as MkDocs validates a plugin's config; error messages."""
    config = PostmortemsConfig()
    config.load_dict(values)
    errors, _ = config.validate()
    return config, [f"{key}: {error}" for key, error in errors]


def test_every_option_has_a_docstring() -> None:
    """Each option of the Config class is followed by its docstring, as MkDocs plugins document."""
    tree = ast.parse(inspect.getsource(options))
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "PostmortemsConfig"]
    documented = [
        stmt.targets[0].id
        for stmt, after in zip(cls.body, cls.body[1:], strict=False)
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
        and after.value.value.strip()
    ]
    assert documented == OPTION_NAMES


def test_settings_has_one_field_per_option_and_the_same_defaults() -> None:
    """`Settings` and the Config declare the same names; unset options give `Settings()`."""
    assert [f.name for f in fields(Settings)] == OPTION_NAMES
    config, errors = validated({})
    assert errors == []
    assert settings_of(config) == Settings()


def test_every_option_reaches_settings() -> None:
    """A value given to each option arrives, typed, in the settings the core reads."""
    given = {
        "taxonomy": "vocab/taxonomy.yml",
        "required_sections": ["Impact", "Follow-up"],
        "include_drafts": True,
        "id_prefix": "AI",
        "blameless_phrases": {"blameless-judgement": ["heedless"]},
        "related_hints": False,
        "search_narrative_limit": 12,
        "prefix": "library/",
        "home_dashboard": False,
        "regimes": "vocab/regimes.yml",
        "jobs": 2,
    }
    assert sorted(given) == sorted(OPTION_NAMES)
    config, errors = validated(given)
    assert errors == []
    settings = settings_of(config)
    assert settings == Settings(**{**given, "required_sections": ("Impact", "Follow-up")})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"blameless_phrases": ["reckless"]}, "must map rule ids to lists of phrases"),
        ({"prefix": "../elsewhere"}, "must be folder names"),
        ({"prefix": 3}, "must be a path inside the site"),
        (
            {"blameless_phrases": {"blameless-judgment": ["x"]}},
            "'blameless-judgment' is not a blameless-language rule "
            "(did you mean 'blameless-judgement'?)",
        ),
        ({"blameless_phrases": {"blameless-judgement": "x"}}, "must be a list of phrases"),
        ({"id_prefix": "ml-"}, "id_prefix 'ml-' must be capital letters"),
        ({"id_prefix": 42}, "id_prefix '42' must be capital letters"),
        ({"taxonomy": 5}, "Expected type: <class 'str'>"),
        ({"required_sections": "Impact"}, "Expected a list of items"),
        ({"jobs": 0}, "must be a whole number from 1, got 0"),
        ({"taxonmy": "x.yml"}, "taxonmy: unknown option (did you mean 'taxonomy'?)"),
    ],
)
def test_bad_values_are_refused_with_a_message(values: dict[str, Any], message: str) -> None:
    """Wrong types, unknown blameless rules, bad prefixes and unknown names are errors."""
    _, errors = validated(values)
    assert len(errors) == 1 and message in errors[0], errors


def test_options_page_example_shows_every_option() -> None:
    """The example plugin configuration on the options page lists every option."""
    page = (REPO / "docs" / "options.md").read_text(encoding="utf-8")
    start = page.index("# Plugin options")
    block = page[start : page.index("```\n", page.index("```yaml", start) + 7)]
    shown = re.findall(r"^ {6}(\w+):", block, flags=re.MULTILINE)
    assert sorted(shown) == sorted(OPTION_NAMES)
