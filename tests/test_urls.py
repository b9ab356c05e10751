"""Addresses between pages, as the templates write them."""

from __future__ import annotations

import pytest
from mkdocs_postmortems.urls import relative_url


@pytest.mark.parametrize(
    ("target", "page", "expected"),
    [
        ("incidents/", "", "incidents/"),
        ("incidents/INC-1/", "incidents/", "INC-1/"),
        ("incidents/", "incidents/INC-1/", "../"),
        ("incidents/INC-1/", "incidents/INC-1/", "./"),
        ("layers/model/hallucination/", "layers/model/", "hallucination/"),
        ("incidents/index.json", "incidents/page/2/", "../../index.json"),
        ("systems/bot/", "layers/model/hallucination/", "../../../systems/bot/"),
        ("layers/model/index.html", "incidents/INC-1/index.html", "../../layers/model/index.html"),
        ("assets/x.css", "404.html", "assets/x.css"),
    ],
)
def test_relative_url(target: str, page: str, expected: str) -> None:
    """A site address seen from a page (directory or file address) is the right relative link."""
    assert relative_url(target, page) == expected
