"""A chart as Markdown: its light and dark images with their text alternative, and its downloads."""

from __future__ import annotations

from build_scripts.editorial.formatting import md_text


def chart_markdown(record: dict, prefix: str = "") -> str:
    """The chart's two images and its downloads, linking through `prefix` (the page's path to charts/)."""
    stem = f"{prefix}charts/{record['name']}"
    alt = md_text(record["description"])
    images = [f"![{alt}]({stem}-{theme}.svg#only-{theme}){{ loading=lazy }}" for theme in record["themes"].split()]
    downloads = (f"Download [the data (CSV)]({stem}.csv){{ download }}, [the chart (SVG)]({stem}-light.svg){{ download }} "
                 f"or [the chart (PNG)]({stem}.png){{ download }}.")
    if record.get("note"):
        downloads = f"{md_text(record['note'])} {downloads}"
    return "\n".join(images) + "\n{ .chart }\n\n" + downloads + "\n{ .chart-downloads }\n"
