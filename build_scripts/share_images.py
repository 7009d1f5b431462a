"""Share images (1200 x 630 PNG) for social media: a figure in large type, the finding and its source.

Drawn with the chart stack (an Altair text layout rendered by vl-convert) in system fonts, so making
them needs no web font and no network. One per question's headline figure, one for the figure each
page quotes first, and one for the site itself for pages that quote none.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import altair as alt
import pandas as pd
import vl_convert as vlc

from build_scripts.charts import FONT
from build_scripts.formatting import percent
from build_scripts.pages import fieldwork_text

WIDTH, HEIGHT = 1200, 630
BACKGROUND, TEXT, ACCENT = "#12436D", "#ffffff", "#28A197"  # government palette; white on #12436D is 10:1
ACCENT_TEXT = "#9FE3DB"  # a light tint of the accent: text needs 4.5:1 on the background, #28A197 has only 2.4
SITE_CARD = "site"


@dataclass(frozen=True)
class ShareCard:
    """What one share image says: the figure, the finding in words and the source line."""

    name: str  # file stem under share/
    figure: str
    finding: str
    source: str

    @property
    def path(self) -> str:
        """Where the image lives under the generated folder."""
        return f"share/{self.name}.png"

    @property
    def alt(self) -> str:
        """The image's text alternative: everything it says."""
        return " ".join(part for part in (self.figure, self.finding, self.source) if part)


def file_stem(key: str) -> str:
    """A figure key as a file name: letters, digits, '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")


def figure_card(row: pd.Series, meta: dict) -> ShareCard:
    """The card for one published figure (a row of the statistics table) of a survey."""
    question = next(q for q in meta["questions"] if q["key"] == row["question"])
    who = question["respondents"]
    if row["segment"]:
        segment = next(s for s in meta["segments"] if s["key"] == row["segment"])
        value = next((v["label"] for v in segment["values"] if v["key"] == row["segment_value"]), row["segment_value"])
        who += f" ({segment['label']}: {value})"
    finding = f"of {who} answered '{row['option_label']}' when asked: {question['text']}"
    source = (f"{meta['title']}. Base: {int(row['base']):,} {question['respondents']}. "
              f"Fieldwork {fieldwork_text(meta['fieldwork_start'], meta['fieldwork_end'])}.")
    return ShareCard(file_stem(row["key"]), percent(row["estimate"]), finding, source)


def site_card(site_name: str, description: str) -> ShareCard:
    """The card for pages that quote no figure: the site's name and what it is about."""
    return ShareCard(SITE_CARD, "", site_name, " ".join(description.split()))


def card_spec(card: ShareCard, site_name: str) -> dict:
    """A 1200 x 630 layout of the card's text, as a Vega-Lite spec."""
    lines = []
    y = 70
    if card.figure:
        lines.append({"text": card.figure, "y": y + 120, "size": 150, "weight": "bold", "colour": TEXT})
        y += 190
    finding_size = 34 if card.figure else 56
    wrap = 58 if card.figure else 36
    for line in textwrap.wrap(card.finding, wrap, max_lines=4 if card.figure else 3, placeholder=" …"):
        y += finding_size * 1.25
        lines.append({"text": line, "y": y, "size": finding_size, "weight": "normal", "colour": TEXT})
    for i, line in enumerate(reversed(textwrap.wrap(card.source, 80, max_lines=2, placeholder=" …"))):
        lines.append({"text": line, "y": HEIGHT - 90 - i * 30, "size": 22, "weight": "normal", "colour": TEXT})
    lines.append({"text": site_name, "y": HEIGHT - 40, "size": 22, "weight": "bold", "colour": ACCENT_TEXT})
    layers = [alt.Chart(pd.DataFrame({"text": [line["text"]]})).mark_text(
        align="left", baseline="alphabetic", x=70, y=line["y"], fontSize=line["size"], fontWeight=line["weight"],
        color=line["colour"], font=FONT).encode(text="text:N") for line in lines]
    band = alt.Chart(pd.DataFrame({"x": [0]})).mark_rect(color=ACCENT, x=0, x2=16, y=0, y2=HEIGHT)
    spec = alt.layer(band, *layers).properties(width=WIDTH, height=HEIGHT).configure(
        background=BACKGROUND, padding=0, autosize="none").configure_view(stroke=None).to_dict(validate=False)
    spec.pop("$schema", None)
    return spec


def plan_cards(table: pd.DataFrame, metas: list[dict], references: list, site: ShareCard) -> tuple[
        dict[str, ShareCard], dict[str, ShareCard]]:
    """Every card to draw (by name), and each page's card (by page path under docs/).

    A question's headline figure always gets one; a page shows the first figure it quotes, a survey
    page its first question's headline, and any other page the site card.
    """
    published = table[(table["compare_to"] == "") & ~table["suppressed"].astype(bool)].set_index("key", drop=False)
    by_id = {m["id"]: m for m in metas}
    cards = {site.name: site}
    pages: dict[str, ShareCard] = {}
    for meta in metas:
        for question in meta["questions"]:
            key = f"{meta['id']}.{question['key']}.{question['headline']}"
            if question["type"] != "text" and key in published.index:
                card = figure_card(published.loc[key], meta)
                cards.setdefault(card.name, card)
                pages.setdefault(f"data/{meta['id']}.md", card)
    for reference in references:
        if reference.page in pages or reference.key not in published.index:
            continue
        row = published.loc[reference.key]
        card = figure_card(row, by_id[row["survey"]])
        pages[reference.page] = cards.setdefault(card.name, card)
    return cards, pages


def render_card(card: ShareCard, site_name: str) -> bytes:
    """The card as a 1200 x 630 PNG."""
    return vlc.vegalite_to_png(card_spec(card, site_name), scale=1)
