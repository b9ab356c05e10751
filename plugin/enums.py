"""The values the postmortem format allows in its enumerated fields, in the
schema's order, read from the JSON Schema: the schema validates them, the
site's filters and dashboard, the charts and `postmortems new` list them
from here, so a value added to the schema reaches every list.
"""

from __future__ import annotations

from typing import Any, Final

from .resources import POSTMORTEM_SCHEMA, load_json_schema

_PROPERTIES: Final = load_json_schema(POSTMORTEM_SCHEMA)["properties"]


def _enum(node: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(value) for value in node["enum"])


# Worst first.
SEVERITIES: Final = _enum(_PROPERTIES["severity"])
# A postmortem's lifecycle, from its first draft to final.
STATUSES: Final = _enum(_PROPERTIES["status"])
VISIBILITIES: Final = _enum(_PROPERTIES["visibility"])
ORIGINS: Final = _enum(_PROPERTIES["origin"])
# Where an action item stands, from open to closed.
_ACTION_ITEM: Final = _PROPERTIES["action_items"]["items"]["properties"]
ACTION_STATUSES: Final = _enum(_ACTION_ITEM["status"])
ACTION_TYPES: Final = _enum(_ACTION_ITEM["type"])
