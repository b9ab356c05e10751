"""The severity levels of an incident, worst first.

The schema lists them for validation; the site's filters and dashboard,
the charts and `postmortems new` read them from here.
"""

from __future__ import annotations

from typing import Final

SEVERITIES: Final = ("SEV1", "SEV2", "SEV3", "SEV4")
