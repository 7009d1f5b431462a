"""Share images (1200 x 630 PNG) for social media: a figure in large type, the finding and its source.

Laid out as SVG and rasterised by vl-convert, like the charts' PNGs, in system fonts: making them
needs no web font and no network. (A Vega-Lite text layout drew the same card four times slower.) One per question's headline figure, one for the figure each
page quotes first, and one for the site itself for pages that quote none.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pandas as pd

from build_scripts.publish.drawing import FONT, render_png
from build_scripts.editorial.formatting import percent
from build_scripts.editorial.pages import fieldwork_text
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_summary import SurveySummary

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
    """A figure key as a file name (keys are letters, digits and - _ . =, all safe in file names and URLs)."""
    return re.sub(r"[^A-Za-z0-9_.=-]", "-", key)


def figure_card(row: pd.Series, survey: SurveySummary) -> ShareCard:
    """The card for one published figure (a row of the statistics table) of a survey."""
    question = survey.question(row["question"])
    who = question.respondents
    if row["segment"]:
        segment = survey.segment(row["segment"])
        who += f" ({segment.label}: {segment.label_of(row['segment_value'])})"
    finding = f"of {who} answered '{row['option_label']}' when asked: {question.text}"
    source = (f"{survey.title}. Base: {int(row['base']):,} {question.respondents}. "
              f"Fieldwork {fieldwork_text(survey.fieldwork_start, survey.fieldwork_end)}.")
    if bool(row.get("low_base", False)):  # standards rule 4: the warning goes wherever the figure goes
        source += f" Low base ({int(row['base'])}): treat with caution."
    return ShareCard(file_stem(row["key"]), percent(row["estimate"]), finding, source)


def site_card(site_name: str, description: str) -> ShareCard:
    """The card for pages that quote no figure: the site's name and what it is about."""
    return ShareCard(SITE_CARD, "", site_name, " ".join(description.split()))


def card_svg(card: ShareCard, site_name: str) -> str:
    """The card laid out as a 1200 x 630 SVG: figure, finding and source in system fonts."""
    lines = []
    y = 70
    if card.figure:
        lines.append((y + 120, 150, "bold", TEXT, card.figure))
        y += 190
    finding_size = 34 if card.figure else 56
    wrap = 58 if card.figure else 36
    for line in textwrap.wrap(card.finding, wrap, max_lines=4 if card.figure else 3, placeholder=" …"):
        y += finding_size * 1.25
        lines.append((y, finding_size, "normal", TEXT, line))
    for i, line in enumerate(reversed(textwrap.wrap(card.source, 80, max_lines=2, placeholder=" …"))):
        lines.append((HEIGHT - 90 - i * 30, 22, "normal", TEXT, line))
    lines.append((HEIGHT - 40, 22, "bold", ACCENT_TEXT, site_name))
    texts = "".join(
        f'<text x="70" y="{y:g}" font-size="{size}" font-weight="{weight}" fill="{colour}">{escape(text)}</text>'
        for y, size, weight, colour, text in lines)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{escape(FONT)}">'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>'
            f'<rect width="16" height="{HEIGHT}" fill="{ACCENT}"/>{texts}</svg>')


def plan_cards(table: StatisticsTable, summaries: list[SurveySummary], references: list, site: ShareCard) -> tuple[
        dict[str, ShareCard], dict[str, ShareCard]]:
    """Every card to draw (by name), and each page's card (by page path under docs/).

    A question's headline figure always gets one; a page shows the first figure it quotes, a survey
    page its first question's headline, and any other page the site card.
    """
    published = table.published().by_key()
    by_id = {s.id: s for s in summaries}
    cards = {site.name: site}
    pages: dict[str, ShareCard] = {}
    for survey in summaries:
        for question in survey.questions:
            key = f"{survey.id}.{question.key}.{question.headline}"
            if question.type != "text" and key in published.index:
                card = figure_card(published.loc[key], survey)
                cards.setdefault(card.name, card)
                pages.setdefault(f"data/{survey.id}.md", card)
    for reference in references:
        if reference.page in pages or reference.key not in published.index:
            continue
        row = published.loc[reference.key]
        card = figure_card(row, by_id[row["survey"]])
        pages[reference.page] = cards.setdefault(card.name, card)
    return cards, pages


def render_card(card: ShareCard, site_name: str) -> bytes:
    """The card as a 1200 x 630 PNG, rasterised by vl-convert like the charts' PNGs."""
    return render_png(card_svg(card, site_name))
