"""Tables that fit a phone: every Markdown table wrapped in a scroll region a keyboard can reach.

A table wider than the screen scrolls inside its region, with its first column kept in view by the
stylesheet; the region takes focus (tabindex) and is named, so keyboard and screen reader users can
scroll it too, with or without JavaScript.
"""

from __future__ import annotations

import re

_ROW = re.compile(r"^(?P<indent>[ \t]*)\|.*\|[ \t]*$")
_RULE = re.compile(r"^[ \t]*\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


def wrap_tables(markdown: str) -> str:
    """The Markdown with each pipe table inside a focusable, labelled scroll region (code blocks untouched)."""
    lines = markdown.split("\n")
    out: list[str] = []
    i, fenced = 0, None
    if lines[0] == "---" and "---" in lines[1:]:  # front matter is YAML, not Markdown: its values stay as written
        i = lines.index("---", 1) + 1
        out += lines[:i]
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            fenced = None if fenced == fence.group(1) else (fenced or fence.group(1))
        row = _ROW.match(line)
        starts_table = (not fenced and row and i + 1 < len(lines) and _RULE.match(lines[i + 1])
                        and (i == 0 or not lines[i - 1].strip()))  # Python-Markdown's tables start a block
        if not starts_table:
            out.append(line)
            i += 1
            continue
        indent = row.group("indent")
        end = i + 2
        while end < len(lines) and _ROW.match(lines[end]) and _ROW.match(lines[end]).group("indent") == indent:
            end += 1
        label = _label(line)
        out += [f'{indent}<div class="table-region" role="region" tabindex="0" aria-label="{label}" markdown>', "",
                *lines[i:end], "", f"{indent}</div>"]
        if end < len(lines) and lines[end].strip():
            out.append("")
        i = end
    return "\n".join(out)


def _label(header: str) -> str:
    """A name for the region from the table's first header cell, e.g. "Table: Answer"."""
    first = header.strip().strip("|").split("|")[0]
    words = re.sub(r"[^\w\s%'’-]", "", re.sub(r"<[^>]*>|[*_`\\]", "", first)).strip()
    return f"Table: {words}" if words else "Table"
