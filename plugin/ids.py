"""What an incident id, an id prefix and a slug look like, and how long
they may be.

The JSON Schema is the contract; these patterns are the same rules for the
places that read names before or without the schema: a file name that
starts with an id marks a postmortem, `postmortems new` picks the next id
and checks an author's slugs, a chart uses a layer id in a CSS property.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from .resources import POSTMORTEM_SCHEMA, load_json_schema

# The grammar of an id, `<prefix>-<year>-<number>`, written once: the
# patterns below are made of these parts, and the schema's `id` and
# `related` patterns are held to the same by the tests.
PREFIX_PATTERN: Final = "[A-Z][A-Z0-9]*"
YEAR_PATTERN: Final = "[0-9]{4}"
NUMBER_PATTERN: Final = "[0-9]{3,}"
ID_PATTERN: Final = f"{PREFIX_PATTERN}-{YEAR_PATTERN}-{NUMBER_PATTERN}"

# An incident id at the start of a name (`INC-2025-014-title.md`); with
# fullmatch, a whole id. Groups: prefix, year, number.
ID: Final = re.compile(f"^({PREFIX_PATTERN})-({YEAR_PATTERN})-({NUMBER_PATTERN})")
# An incident id anywhere in a text (a link's address, a list of related
# incidents). The look-behind starts a match only where a run of letters and
# digits starts, so a long run costs linear time.
MENTION: Final = re.compile(f"(?<![A-Z0-9]){ID_PATTERN}")
# The prefix alone (`id_prefix: INC`).
ID_PREFIX: Final = re.compile(f"^{PREFIX_PATTERN}$")
# A system or taxonomy id: lowercase letters, digits and hyphens.
SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@cache
def max_length(what: str) -> int:
    """The schema's length limit of an `id`, a `title` or a `system` slug:
    one source for lint and `new`."""
    props = load_json_schema(POSTMORTEM_SCHEMA)["properties"]
    node = props["systems"]["items"] if what == "system" else props[what]
    limit = node["maxLength"]
    assert isinstance(limit, int)
    return limit
