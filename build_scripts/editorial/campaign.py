"""The campaign's settings (mkdocs.yml, `extra: campaign:`): its name, colours, logo, the ask and the actions.

Staff edit them like any other setting; the build checks them (colours against WCAG AA, links that
go somewhere) and they become the site's look, the home page's ask and button, and the actions and
share links at the end of every survey and update page.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from typing import Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from build_scripts.editorial.colours import HEX, NON_TEXT_AA, TEXT_AA, WHITE, contrast, mix, readable_on
from build_scripts.editorial.formatting import md_text
from build_scripts.errors import Problem
from build_scripts.yaml_schema import problem_from

SETTINGS = "extra.campaign"
# Open licences a campaign may publish its figures under: SPDX identifier: (name, address).
LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0 (public domain)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "OGL-UK-3.0": ("Open Government Licence 3.0",
                   "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}
DARK_BACKGROUND = "#1e2129"  # Material's slate scheme: hsl(225, 15%, 14%)
# An address is one token of URL characters (no space, quote, bracket or brace that could end the Markdown link
# and start markup); a page of the site is a plain path. Matched whole, so no trailing newline slips through.
_URL_CHARS = r"[A-Za-z0-9._~:/?#@!$&*+,;=%-]"
_SAFE_LINK = re.compile(rf"https://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#]{_URL_CHARS}*)?|mailto:{_URL_CHARS}+"
                        r"|[A-Za-z0-9_][A-Za-z0-9_./#-]*")
# Characters a reader cannot see or that reorder what they see (controls, bidirectional overrides and isolates);
# XML refuses the controls, so the share card could not be drawn either.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Colours(_Settings):
    """The campaign's two colours."""

    primary: str = Field("#12436D", description="the header, buttons and links: a dark colour, as #rrggbb")
    accent: str = Field("#28A197", description="highlights and focus rings, as #rrggbb")

    @field_validator("primary", "accent")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not HEX.fullmatch(value):
            raise ValueError("write the colour as # and six hexadecimal digits, e.g. \"#12436D\" (in quotes)")
        return value.lower()


class Action(_Settings):
    """Something a reader can do: a label, where it goes and one line on why."""

    label: str = Field(min_length=1, max_length=40, description="the button's words, e.g. Write to your MP")
    link: str = Field(min_length=1, description="an https:// address, a mailto: address or a page of the site")
    text: str = Field("", max_length=160, description="one line under the button")

    @field_validator("link")
    @classmethod
    def _safe(cls, value: str) -> str:
        if not _SAFE_LINK.fullmatch(value) or ".." in value:
            raise ValueError("use an https:// address, a mailto: address, or a page of this site such as "
                             "briefing.md (write spaces, quotes, brackets and braces in an address as %20, %22, "
                             "%28 and so on)")
        return value

    @field_validator("label", "text")
    @classmethod
    def _visible(cls, value: str) -> str:
        return visible_text(value)


class Campaign(_Settings):
    """The campaign section of mkdocs.yml."""

    name: str = Field("", max_length=50, description="the campaign's name (default: site_name), on one line of "
                                                     "the share card")
    logo: str = Field("", description="an image under docs/ for the header, e.g. images/logo.svg")
    colours: Colours = Field(default_factory=Colours)
    ask: str = Field("", max_length=240, description="what the campaign asks for, in one sentence")
    actions: list[Action] = Field(default_factory=list, max_length=6,
                                  description="what readers can do; the first is the home page's button")
    next_release: dt.date | None = Field(None, description="the date of the next planned release of the figures, "
                                                           "e.g. 2027-03-01, shown on the home and data pages")
    licence: Literal[tuple(LICENCES)] = Field("CC-BY-4.0", description="the open licence the figures are "  # type: ignore[valid-type]
                                                                       "published under: " + ", ".join(LICENCES))

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: str) -> str:
        if value and (not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*\.(svg|png|webp)", value) or ".." in value):
            raise ValueError("name an .svg, .png or .webp file under docs/, e.g. images/logo.svg")
        return value

    @field_validator("name", "ask")
    @classmethod
    def _visible(cls, value: str) -> str:
        return visible_text(value)


def visible_text(value: str) -> str:
    """The value, refused if it holds a character readers cannot see or that reorders what they see."""
    hidden = _HIDDEN.search(value)
    if hidden:
        raise ValueError(f"the text holds an invisible control character (U+{ord(hidden.group(0)):04X}) at "
                         f"character {hidden.start() + 1}; delete it (retype the words around it)")
    return value


def read_campaign(config: dict) -> tuple[Campaign, list[Problem]]:
    """The campaign settings from mkdocs.yml as plain data, with every problem (defaults when absent)."""
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    raw = extra.get("campaign", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return Campaign(), [Problem("mkdocs.yml", f"field {SETTINGS}", "the campaign settings must be fields",
                                    "write name:, ask:, colours: and actions: indented under campaign:")]
    try:
        campaign = Campaign.model_validate(raw)
    except ValidationError as exc:
        problems = [problem_from(err, "mkdocs.yml", Campaign, None, "campaign settings") for err in exc.errors()]
        return _without(raw, exc), [_under_settings(p) for p in problems]
    return campaign, colour_problems(campaign.colours)


def _without(raw: dict, exc: ValidationError) -> Campaign:
    """The settings without the fields (or actions) that have problems, so that pages calling ask() or actions()
    are not also reported as if the campaign had none."""
    bad = {loc[:2] if len(loc) > 1 and isinstance(loc[1], int) else loc[:1] for loc in (e["loc"] for e in exc.errors())}
    kept = {key: [item for i, item in enumerate(value) if (key, i) not in bad] if isinstance(value, list) else value
            for key, value in raw.items() if (key,) not in bad}
    try:
        return Campaign.model_validate(kept)
    except ValidationError:
        return Campaign()


def _under_settings(problem: Problem) -> Problem:
    where = problem.where.removeprefix("field ")
    return Problem(problem.file, f"field {SETTINGS}.{where}" if where else f"field {SETTINGS}", problem.message,
                   problem.fix, problem.value)


def colour_problems(colours: Colours) -> list[Problem]:
    """Colours that fail WCAG AA where the site uses them, each with a shade that would pass."""
    checks = [("primary", colours.primary, TEXT_AA, f"white text on {colours.primary}",
               "(the header and buttons put white text on it)"),
              ("accent", colours.accent, NON_TEXT_AA, f"{colours.accent} on white", "for focus rings and borders")]
    return [Problem("mkdocs.yml", f"field {SETTINGS}.colours.{name}",
                    f"{pairing} has a contrast of {contrast(colour, WHITE):.1f}:1; WCAG AA needs {ratio}:1 {use}",
                    f"use a darker colour, e.g. \"{readable_on(colour, WHITE, ratio)}\"", colour)
            for name, colour, ratio, pairing, use in checks if contrast(colour, WHITE) < ratio]


def campaign_css(campaign: Campaign) -> str:
    """The site's colours as Material's custom properties, with shades that keep text readable in both schemes."""
    primary, accent = campaign.colours.primary, campaign.colours.accent
    light_link = readable_on(primary, WHITE)
    dark_link = readable_on(mix(primary, WHITE, 0.55), DARK_BACKGROUND)
    dark_accent = readable_on(accent, DARK_BACKGROUND)
    return (
        "/* Written by campaign-site build from mkdocs.yml (extra: campaign: colours:); edits here are lost. */\n"
        ":root, [data-md-color-scheme=default] {\n"
        f"  --md-primary-fg-color: {primary};\n"
        f"  --md-primary-fg-color--light: {mix(primary, WHITE, 0.2)};\n"
        f"  --md-primary-fg-color--dark: {mix(primary, '#000000', 0.2)};\n"
        "  --md-primary-bg-color: #ffffff;\n"
        f"  --md-accent-fg-color: {readable_on(accent, WHITE)};\n"
        f"  --md-typeset-a-color: {light_link};\n"
        f"  --campaign-accent: {accent};\n"
        "}\n"
        "[data-md-color-scheme=slate] {\n"
        f"  --md-primary-fg-color: {primary};\n"
        f"  --md-primary-fg-color--dark: {mix(primary, '#000000', 0.2)};\n"
        f"  --md-accent-fg-color: {dark_accent};\n"
        f"  --md-typeset-a-color: {dark_link};\n"
        f"  --campaign-accent: {dark_accent};\n"
        "}\n"
    )


def actions_markdown(campaign: Campaign, link_to, heading: str = "What you can do") -> str:
    """The campaign's actions as a block of buttons, each with its line; `link_to` makes a site page relative."""
    if not campaign.actions:
        return ""
    items = []
    for i, action in enumerate(campaign.actions):
        href = action.link if _is_address(action.link) else link_to(action.link)
        kind = ".md-button .md-button--primary" if i == 0 else ".md-button"
        line = f" {md_text(action.text)}" if action.text else ""
        items.append(f"- [{md_text(action.label)}]({href}){{ {kind} }}{line}")
    title = f"## {md_text(heading)}\n\n" if heading else ""
    return f'<div class="campaign-actions" markdown>\n\n{title}' + "\n".join(items) + "\n\n</div>\n"


def _is_address(link: str) -> bool:
    return link.startswith(("https://", "mailto:"))


SHARE_SERVICES = (  # plain links: nothing loads from these hosts until a reader clicks
    ("E-mail", "mailto:?subject={title}&body={text}%20{url}"),
    ("WhatsApp", "https://wa.me/?text={text}%20{url}"),
    ("X", "https://x.com/intent/post?text={text}&url={url}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
)


def share_links(url: str, title: str, text: str = "") -> list[tuple[str, str]]:
    """(service, link) for sharing a page's absolute address, with the text (e.g. a finding) where it fits."""
    values = {"url": quote(url, safe=""), "title": quote(title, safe=""), "text": quote(text or title, safe="")}
    return [(name, pattern.format(**values)) for name, pattern in SHARE_SERVICES]


def share_html(url: str, title: str, text: str = "", heading: str = "Share this page") -> str:
    """A row of share links and the page's address to copy, as HTML with no script ("" without an address)."""
    if urlsplit(url).scheme not in {"http", "https"}:
        return ""  # no site_url: there is no address readers could share
    links = " ".join(f'<a class="share-link" href="{escape(link)}" rel="noopener">{escape(name)}</a>'
                     for name, link in share_links(url, title, text))
    return (f'<nav class="share" aria-label="{escape(heading)}">\n'
            f'<p class="share-heading">{escape(heading)}: {links}</p>\n'
            f'<p class="share-address"><label>Link to copy: <input type="text" readonly value="{escape(url)}">'
            "</label></p>\n</nav>\n")


def page_address(site_url: str, page: str) -> str:
    """The address readers share for a page under docs/ (directory URLs: early-help.md -> early-help/)."""
    if not site_url:
        return ""
    path = page.removesuffix(".md")
    path = "" if path in ("index", "") else (path.removesuffix("/index") + "/")
    return site_url.rstrip("/") + "/" + path

