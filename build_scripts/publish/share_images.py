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

from build_scripts.editorial.colours import readable_on
from build_scripts.publish.drawing import FONT, render_png
from build_scripts.editorial.formatting import percent
from build_scripts.editorial.pages import fieldwork_text, finding_words
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_summary import SurveySummary

WIDTH, HEIGHT = 1200, 630
BACKGROUND, TEXT, ACCENT = "#12436D", "#ffffff", "#28A197"  # government palette; white on #12436D is 10:1
SITE_CARD = "site"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 refuses these


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
        said = " ".join(part for part in (self.figure, self.finding) if part)
        if said and not said.endswith((".", "?", "!")):
            said += "."
        return " ".join(part for part in (said, self.source) if part)


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
    if question.finding_fits(row):
        finding = finding_words(question, row["option_label"])  # the codebook's words for the headline answer
    else:
        finding = f"of {who} answered '{row['option_label']}' when asked: {question.text}"
    source = (f"{survey.title}. Base: {int(row['base']):,} {question.respondents}. "
              f"Fieldwork {fieldwork_text(survey.fieldwork_start, survey.fieldwork_end)}.")
    if bool(row.get("low_base", False)):  # standards rule 4: the warning goes wherever the figure goes
        source += f" Low base ({int(row['base'])}): treat with caution."
    return ShareCard(file_stem(row["key"]), percent(row["estimate"]), finding, source)


def site_card(statement: str, address: str) -> ShareCard:
    """The card for pages that quote no figure: what the campaign asks (or the site is about) and its address."""
    return ShareCard(SITE_CARD, "", " ".join(statement.split()), address)


@dataclass(frozen=True)
class Brand:
    """What every card carries besides its figure: the campaign's name, address and colours."""

    name: str
    address: str = ""
    background: str = BACKGROUND
    accent: str = ACCENT

    @property
    def accent_text(self) -> str:
        """The accent as text on the background: a tint of it that reaches WCAG AA."""
        return readable_on(self.accent, self.background)


def _fitted(text: str, sizes: tuple[int, ...], width: int, height: float, bold: bool = False) -> tuple[int, list[str]]:
    """The largest type size (and its lines) at which the text fits the box, cut short only at the smallest."""
    per_char = 0.6 if bold else 0.53  # a generous average advance of the system sans-serif, in ems
    for size in sizes:
        lines = textwrap.wrap(text, max(12, int(width / (size * per_char))))
        if len(lines) * size * 1.2 <= height:
            return size, lines
    size = sizes[-1]
    return size, textwrap.wrap(text, max(12, int(width / (size * per_char))), max_lines=max(1, int(height / (size * 1.2))),
                               placeholder=" …")


def card_svg(card: ShareCard, brand: Brand) -> str:
    """The card laid out as a 1200 x 630 SVG: figure, finding and source in system fonts, with the brand."""
    lines = []
    text_width = WIDTH - 140
    if card.figure:
        lines.append((190, 150, "bold", TEXT, card.figure))
        size, finding = _fitted(card.finding, (38, 34, 30, 27), text_width, 200)
        y = 260
        for line in finding:
            y += size * 1.25
            lines.append((y, size, "normal", TEXT, line))
        for i, line in enumerate(reversed(textwrap.wrap(card.source, 84, max_lines=2, placeholder=" …"))):
            lines.append((HEIGHT - 100 - i * 30, 22, "normal", TEXT, line))
    else:  # the site's card: the campaign's name, then its ask as large as it fits, then its address
        lines.append((150, 34, "bold", brand.accent_text, brand.name))
        size, statement = _fitted(card.finding, (64, 56, 50, 44, 38, 32), text_width, HEIGHT - 190 - 90, bold=True)
        y = 190
        for line in statement:
            y += size * 1.2
            lines.append((y, size, "bold", TEXT, line))
    footer = brand.name + (f"  ·  {brand.address}" if brand.address else "") if card.figure else brand.address
    lines.append((HEIGHT - 44, 24, "bold", brand.accent_text, footer))
    texts = "".join(  # characters XML refuses (controls, from a codebook or site_name) are left out, not fatal
        f'<text x="70" y="{y:g}" font-size="{size}" font-weight="{weight}" fill="{colour}">'
        f'{escape(_NOT_XML.sub("", text))}</text>' for y, size, weight, colour, text in lines)
    mark = "" if card.figure else _mark(70, 62, brand.accent_text)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{escape(FONT)}">'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{brand.background}"/>'
            f'<rect width="16" height="{HEIGHT}" fill="{brand.accent}"/>{mark}{texts}</svg>')


def _mark(x: int, y: int, colour: str) -> str:
    """The campaign's mark (a house around a heart, as docs/images/logo.svg draws it) at 48 px."""
    return (f'<g transform="translate({x} {y})"><path d="M24 5 4 21h6v20h28V21h6z" fill="none" stroke="{colour}" '
            'stroke-width="3.5" stroke-linejoin="round"/><path d="M24 37s-9-5.6-9-11.2A4.8 4.8 0 0 1 24 23a4.8 4.8 '
            f'0 0 1 9 2.8C33 31.4 24 37 24 37z" fill="{colour}"/></g>')


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


def render_card(card: ShareCard, brand: Brand) -> bytes:
    """The card as a 1200 x 630 PNG, rasterised by vl-convert like the charts' PNGs."""
    return render_png(card_svg(card, brand))
