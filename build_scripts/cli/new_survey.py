"""`campaign-site new-survey`: draft a codebook from an export, reusing the earlier wave's, and list its page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from build_scripts.cli.site_nav import add_survey_page, nav_label
from build_scripts.errors import DataError, Problem, relative
from build_scripts.ingest.codebook import PLACEHOLDER
from build_scripts.ingest.draft_codebook import create_survey
from build_scripts.ingest.load import CODEBOOK_NAME
from build_scripts.ingest.wave_match import WaveMatch, earlier_wave, latest_wave, match_wave, wave_preface, year_of
from build_scripts.project import GENERATED, Project
from build_scripts.yaml_schema import read_site_config


def draft_survey(project: Project, export_path: Path, survey_id: str | None, sheet: str | None, force: bool,
                 wave_of: str | None, new_series: bool, say: Callable[[str], None]) -> Path:
    """Write surveys/<id>/survey.yml from the export, add the survey's page to the nav, and say what to do next."""
    _refuse_unusable(export_path, survey_id, wave_of)
    chosen = earlier_wave(project.surveys_dir, wave_of) if wave_of else None
    matches: list[WaveMatch] = []

    def revise(book: dict) -> tuple[dict, str]:
        earlier = chosen or (None if new_series else latest_wave(project.surveys_dir, book["id"]))
        if earlier is None:
            if new_series:
                book["series"] = book["id"]
            return book, ""
        match = match_wave(book, earlier, year_of(book["id"]))
        matches.append(match)
        return match.book, wave_preface(match)

    codebook = create_survey(project.surveys_dir, export_path, survey_id, sheet, force, revise)
    survey = codebook.parent.name
    say(f"Wrote {relative(codebook, Path.cwd())}")
    match = matches[0] if matches else None
    if match:
        how = "chosen with --wave-of" if chosen else "the newest wave of its series; --wave-of chooses another, " \
                                                     "--new-series starts a series of its own"
        say(f"It is the next wave after {match.earlier} ({how}): {len(match.exact)} question(s) and segment(s) "
            f"matched word for word, {len(match.close)} closely, {len(match.new)} new, {len(match.dropped)} dropped.")
        for decision in match.decisions():
            say(f"  - {decision}")
    say(_add_to_nav(project, survey, match))
    todo = "the TODO fields (who ran this wave, how and when)" if match else "every TODO in it"
    say(f"Next: fill in {todo}" + ("" if match else ", check the questions and options") +
        ", then run `campaign-site check`.")
    return codebook


def _refuse_unusable(export_path: Path, survey_id: str | None, wave_of: str | None) -> None:
    """An --id or --wave-of given empty (which would silently mean "not given"), or an export that would be copied
    over the codebook drafted beside it."""
    problems = [Problem("new-survey", option, "is empty", "give a survey id, e.g. professionals-2016, or leave the "
                        "option out", value) for option, value in [("--id", survey_id), ("--wave-of", wave_of)]
                if value is not None and not value.strip()]
    if export_path.name == CODEBOOK_NAME:
        problems.append(Problem(str(export_path), "", f"an export named {CODEBOOK_NAME} would be overwritten by the "
                                "codebook drafted beside it", "rename the export, e.g. to responses.csv"))
    if problems:
        raise DataError(problems)


def _add_to_nav(project: Project, survey: str, match: WaveMatch | None) -> str:
    """Add the survey's page beside the earlier wave's (or the other survey pages), named as they are."""
    earlier_page = f"{GENERATED}/{match.earlier}.md" if match else None
    nav = read_site_config(project.config_file).get("nav")
    label = _label(match.book if match else None, nav_label(nav, earlier_page) if earlier_page else None, survey)
    return add_survey_page(project.config_file, survey, label, earlier_page)


def _label(book: dict | None, earlier_label: str | None, survey: str) -> str:
    """The new page's label in the nav: the earlier wave's with this wave's year, else the survey's title or id."""
    year = year_of(survey)
    if earlier_label and year:
        named = re.search(r"\b(19|20)\d\d\b", earlier_label)
        return earlier_label.replace(named.group(0), year) if named else f"{earlier_label}, {year}"
    title = (book or {}).get("title", "")
    return title if title and not str(title).startswith(PLACEHOLDER) else survey
