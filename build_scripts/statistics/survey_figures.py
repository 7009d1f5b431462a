"""Each survey's figures: loaded, validated, weighted and computed, or taken whole from the cache.

A survey's cache key is its folder's bytes plus the code's version, so editing one survey's responses
or codebook recomputes that survey alone; change rows between waves are cheap and always redone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from build_scripts.cache import Cache, folder_digest
from build_scripts.ingest.codebook import Codebook
from build_scripts.errors import DataError, Problem
from build_scripts.statistics.estimates import kish_effective_base
from build_scripts.statistics.exposed_groups import exposed_small_groups
from build_scripts.ingest.load import Survey, load_survey, missing_surveys, survey_folders
from build_scripts.statistics.table import survey_table
from build_scripts.ingest.sample_design import design_units
from build_scripts.ingest.validate import validate_survey
from build_scripts.statistics.weighting import extreme_weights, survey_weights


@dataclass(frozen=True)
class SurveyFigures:
    """One survey's codebook and figures (the rows of the statistics table), with its sample size."""

    codebook: Codebook
    rows: pd.DataFrame
    respondents: int
    effective_base: float | None  # Kish effective base of the weights; None when unweighted
    warnings: tuple[Problem, ...] = ()  # e.g. extreme weights: kept, so a cached survey still warns
    design_units: tuple[int, int] | None = None  # with a sample design: its strata and PSUs in the sample

    @property
    def id(self) -> str:
        """The survey's identifier."""
        return self.codebook.id


@dataclass
class Computed:
    """Every survey's figures, and the surveys this run had to read (the others came from the cache)."""

    figures: list[SurveyFigures]
    loaded: list[Survey]


def compute_surveys(surveys_dir: Path, root: Path, cache: Cache, extra_problems: list[Problem]) -> Computed:
    """Figures for every survey under surveys_dir, or DataError with every problem (and `extra_problems`)."""
    folders = survey_folders(surveys_dir)
    problems = list(extra_problems) + missing_surveys(surveys_dir, root, folders)
    keys = {folder: cache.key("survey", folder.name, folder_digest(folder)) for folder in folders}
    cached = {folder: cache.get("survey", keys[folder]) for folder in folders}
    loaded: dict[Path, Survey] = {}
    for folder in folders:
        if cached[folder] is None:
            survey, found = load_survey(folder, root)
            problems += found
            if survey is not None:
                found = validate_survey(survey)
                # Only responses that fit their codebook can be counted into groups.
                problems += found or exposed_small_groups(survey.codebook, survey.responses, survey.responses_file)
                loaded[folder] = survey
    if problems:
        raise DataError(problems)
    weights = {}
    for folder, survey in loaded.items():
        weights[folder], found = survey_weights(survey.codebook, survey.responses, survey.responses_file)
        problems += found
    if problems:
        raise DataError(problems)
    for folder, survey in loaded.items():
        w = weights[folder]
        cached[folder] = SurveyFigures(survey.codebook, survey_table(survey, w), len(survey.responses),
                                       None if w is None else kish_effective_base(w),
                                       tuple(extreme_weights(survey.codebook, w, survey.responses_file)),
                                       design_units(survey.codebook, survey.responses))
        cache.put("survey", keys[folder], cached[folder])
    return Computed([cached[folder] for folder in folders], list(loaded.values()))
