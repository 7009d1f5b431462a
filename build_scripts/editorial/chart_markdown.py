"""A chart as Markdown: its images with their text alternative, its downloads and "Embed this chart".

Each chart has four images: the text column's width and a phone's, each in light and dark. Material's
`#only-light` / `#only-dark` suffixes swap the themes with CSS alone, and the classes `chart-wide` and
`chart-narrow` swap the widths (docs/stylesheets/site.css); the others are `display: none` and, being lazy,
are never fetched, so a reader downloads one image per chart. Plain Markdown images, not `<picture>`: the
engine then writes each image's address relative to its page, however deep the page is, tabs included.
"""

from __future__ import annotations

import html

from build_scripts.editorial.formatting import md_text
from build_scripts.project import GENERATED

WIDTHS = {"": "chart-wide", ".narrow": "chart-narrow"}  # file-name infix: class (see chart_figure.WIDTHS)
# Characters Markdown would read inside a paragraph (a chart in a tab is one), written as entities instead.
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]|~!"})


def chart_markdown(record: dict, prefix: str = "") -> str:
    """The chart's images, downloads and embed snippet, linking through `prefix` (the page's path to charts/)."""
    stem = f"{prefix}charts/{record['name']}"
    alt = md_text(record["description"])
    sizes = _sizes(record)
    images = []
    for infix, css in WIDTHS.items():
        width, height = sizes.get(infix, ("", ""))
        size = f" width={width} height={height}" if width else ""
        images += [f"![{alt}]({stem}{infix}-{theme}.svg#only-{theme}){{ .{css} loading=lazy{size} }}"
                   for theme in record["themes"].split()]
    downloads = (f"Download [the data with its metadata and citation (ZIP)]({stem}.zip){{ download }}, "
                 f"[the data (CSV)]({stem}.csv){{ download }}, [the chart (SVG)]({stem}-light.svg){{ download }} "
                 f"or [the chart (PNG)]({stem}.png){{ download }}.")
    if record.get("note"):
        downloads = f"{md_text(record['note'])} {downloads}"
    return "\n".join(images) + "\n{ .chart }\n\n" + downloads + "\n{ .chart-downloads }\n\n" + embed_block(record)


def embed_html(record: dict) -> str:
    """The HTML another site pastes to show the chart: its PNG at an absolute address, its text alternative and
    a link back to the chart's page; every value escaped. Empty without the site's address (mkdocs.yml site_url)."""
    site = str(record.get("site_url") or "")
    if not site:
        return ""
    root = site.rstrip("/") + "/"
    page = html.escape(root + record["page"])
    image = html.escape(f"{root}{GENERATED}/charts/{record['name']}.png")
    width, height = _sizes(record).get("", ("", ""))
    size = f' width="{width}" height="{height}"' if width else ""
    credit = html.escape(record.get("site_name") or root)
    return (f'<figure style="margin:0;max-width:{width or 688}px">\n'
            f'<a href="{page}"><img src="{image}" alt="{html.escape(record["description"])}"{size} '
            'style="width:100%;height:auto"></a>\n'
            f'<figcaption>{html.escape(record["title"])}. Source: <a href="{page}">{credit}</a></figcaption>\n'
            '</figure>')


def embed_block(record: dict) -> str:
    """ "Embed this chart": the snippet in a closed <details>, readable and copyable with no JavaScript.

    Written as HTML whose text is escaped twice over (the snippet's own values, then the snippet as text) and
    whose Markdown characters are entities, so it reads the same at the top of a page, where it is an HTML
    block, and inside a tab, where Markdown sees it as a paragraph."""
    snippet = embed_html(record)
    if not snippet:
        return ""
    code = html_text(snippet)
    return ('<details class="chart-embed">\n<summary>Embed this chart</summary>\n'
            f"<pre><code>{code}</code></pre>\n</details>\n")


def html_text(text: str) -> str:
    """Text to show as itself in hand-written HTML on a page: HTML-escaped, and the characters Markdown (and the
    Jinja of macros, `{`) would read written as entities, so it reads the same in an HTML block at the top of a
    page and inside a tab, where Markdown sees the HTML as a paragraph. (A snippet of HTML shown as code is
    escaped twice: its own values when it is made, then the snippet here.)"""
    return html.escape(text).translate(_MARKDOWN)


def _sizes(record: dict) -> dict[str, tuple[str, str]]:
    """Each image's width and height by file-name infix, from the record's "wide=688x381 .narrow=340x501"."""
    found = {}
    for part in str(record.get("sizes") or "").split():
        name, _, size = part.partition("=")
        width, _, height = size.partition("x")
        if width.isdigit() and height.isdigit():
            found["" if name == "wide" else name] = (width, height)
    return found
