"""Text from data files and front matter, made safe to put into Markdown.

The guide page and the drafts `postmortems new` writes both put taxonomy
titles and descriptions into Markdown; escaped here, such text cannot add
markup, links, attributes or HTML to a page.
"""

from __future__ import annotations

import re
from typing import Final

# Characters Markdown (and the attr_list and tables extensions) would read
# as markup; each is shown literally when escaped with a backslash.
_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]#|!])")
_LINE_START: Final = re.compile(r"^([+-]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """`text` as literal inline Markdown: one line, no markup, no HTML."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # The text may begin a line, where "- ", "+ " or "1. " would start a list:
    # the sign gets a backslash, or the dot after the digits (digits cannot).
    return _LINE_START.sub(
        lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), text
    )
