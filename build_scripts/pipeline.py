"""The data half of the build: load, validate, compute, then write generated pages, charts and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from build_scripts import charts
from build_scripts.cache import Cache
from build_scripts.change import waves_by_series
from build_scripts.copy_check import Reference, check_references, copy_pages, scan_copy, typed_figures
from build_scripts.errors import DataError, Problem, relative
from build_scripts.load import Survey
from build_scripts.project_bounds import boundary_problems
from build_scripts.sources import Sources, load_sources
from build_scripts.stats import combined_table
from build_scripts.survey_figures import SurveyFigures, compute_surveys
from build_scripts.survey_page import chart_rows
from build_scripts.updates import Post, is_draft, latest_post
from build_scripts.yaml_schema import read_site_config

PROBLEMS = ".problems.txt"  # by `serve`, under the generated folder; a dotfile, so MkDocs never copies it
GENERATED = "data"  # docs/data/: everything the build writes into the docs, ignored by git


@dataclass(frozen=True)
class Project:
    """Where a campaign site's parts live, by convention, relative to its root."""

    root: Path

    @property
    def surveys_dir(self) -> Path:
        return self.root / "surveys"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def generated_dir(self) -> Path:
        return self.docs_dir / GENERATED

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache" / "campaign-site"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"


@dataclass
class Results:
    """Everything computed from the inputs, ready to be written out."""

    surveys: list[Survey]  # the surveys read in this run (with a cache, only those that changed)
    sources: Sources
    table: pd.DataFrame
    metas: list[dict] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    figures: list[SurveyFigures] = field(default_factory=list)  # every survey, read or cached
    latest_post: Post | None = None  # the newest published update
    site_config: dict = field(default_factory=dict)  # mkdocs.yml as plain data

    def uses(self) -> dict[str, list[dict]]:
        """For each figure or source key, the pages that quote it (for the sources page and for diffs)."""
        found: dict[str, dict[str, dict]] = {}
        for ref in self.references:
            found.setdefault(ref.key, {})[ref.page] = {"page": ref.page, "title": ref.title}
        return {key: list(by_page.values()) for key, by_page in sorted(found.items())}


def compute(project: Project, strict: bool = False, copy_must_hold: bool = True, cache: Cache | None = None) -> Results:
    """Load and validate every input and compute the statistics table, or raise with every problem.

    With a cache, surveys whose folder is unchanged since a previous run are not read or recomputed.

    Figures typed by hand in the copy are warnings, or problems when `strict` (as CI runs it). With
    `copy_must_hold` off (for `diff`, which reports them), broken claims and keys are warnings too.
    """
    root = project.root
    sources_file = project.surveys_dir / "sources.yml"
    sources, problems = load_sources(sources_file, relative(sources_file, root))
    computed = compute_surveys(project.surveys_dir, root, cache or Cache(None), problems)
    figures = computed.figures
    table = combined_table([f.rows for f in figures], figures)
    pages_ = copy_pages(project.docs_dir, project.generated_dir)
    references, problems = scan_copy(pages_, project.docs_dir, root)
    cited = {s.key: s.model_dump(mode="json") for s in sources.sources}
    broken = check_references(references, table, cited, relative(project.docs_dir, root))
    typed = typed_figures(pages_, root)
    config = read_site_config(project.config_file)
    latest, unreadable_posts = newest_post(project.docs_dir)
    problems += unreadable_posts + boundary_problems(root, config)
    fatal = problems + (broken if copy_must_hold else []) + (typed if strict else [])
    if fatal:
        raise DataError(fatal)
    drafts = {page for page in {ref.page for ref in references} if is_draft(project.docs_dir / page)}
    references = [ref for ref in references if ref.page not in drafts]  # checked above; not published
    series = waves_by_series(figures)
    metas = [survey_meta(f, series[f.codebook.series_key], table) for f in figures]
    weights = [w for f in figures for w in f.warnings]  # kept with each survey's figures, cached or not
    warnings = weights + ([] if copy_must_hold else broken) + ([] if strict else typed)
    return Results(computed.loaded, sources, table, metas, references, warnings, figures, latest, config)


def newest_post(docs_dir: Path) -> tuple[Post | None, list[Problem]]:
    """The newest published update, and the updates that cannot be read (so that `check` finds them too)."""
    try:
        return latest_post(docs_dir), []
    except DataError as error:
        return None, error.problems


def survey_meta(figures: SurveyFigures, waves: list[SurveyFigures], table: pd.DataFrame) -> dict:
    """The survey's disclosure fields, segments, waves and questions, as plain data for pages and macros."""
    book = figures.codebook
    meta = {
        "id": book.id, "title": book.title, "commissioned_by": book.commissioned_by,
        "conducted_by": book.conducted_by, "fieldwork_start": book.fieldwork.start.isoformat(),
        "fieldwork_end": book.fieldwork.end.isoformat(), "method": book.method,
        "population": book.population, "coverage": book.coverage, "notes": book.notes,
        "respondents": figures.respondents, "weighting": None, "questions": [],
        "series": book.series_key, "wave": book.wave_name,
        "waves": [{"id": w.id, "wave": w.codebook.wave_name} for w in waves],
        "segments": [{"key": s.key, "label": s.label, "values": [{"key": o.key, "label": o.label} for o in s.options]}
                     for s in book.segments],
    }
    if book.weighting:
        meta["weighting"] = {
            "variables": book.weighting.variables, "targets_source": book.weighting.targets_source,
            "effective_base": figures.effective_base,
            "method": "supplied" if book.weighting.column else "raking", "cap": book.weighting.cap,
        }
    whole = table[(table["survey"] == book.id) & (table["segment"] == "") & (table["compare_to"] == "")]
    for q in book.questions:
        rows = chart_rows(whole[whole["question"] == q.key], q.base)
        meta["questions"].append({
            "key": q.key, "title": q.title, "text": q.text, "type": q.type, "base": q.base,
            "asked_of": q.asked.description if q.asked else "all respondents",
            "respondents": q.asked.description if q.asked else "respondents",
            "headline": q.headline_key,
            "description": charts.describe(q.title, rows, q.asked.description if q.asked else "respondents"),
        })
    return meta
