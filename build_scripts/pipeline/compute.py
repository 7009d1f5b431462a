"""The data half of the build: load, validate, compute, then write generated pages, charts and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from build_scripts.cache import Cache
from build_scripts.statistics.change import waves_by_series
from build_scripts.statistics.wave_comparison import compare_waves
from build_scripts.editorial.copy_check import Reference
from build_scripts.editorial.campaign import Campaign, read_campaign
from build_scripts.editorial.copy_functions import CopyData
from build_scripts.editorial.copy_render import RenderedCopy, render_copy
from build_scripts.errors import DataError, Problem, relative
from build_scripts.ingest.load import Survey
from build_scripts.publish.chart_figure import ChartSite
from build_scripts.publish.page_plan import PagePlan, plan_pages
from build_scripts.project import Project, generated_pages
from build_scripts.publish.project_bounds import boundary_problems, nav_problems, pages_not_in_nav
from build_scripts.ingest.sources import Sources, load_sources
from build_scripts.statistics.table import combined_table
from build_scripts.statistics.survey_figures import SurveyFigures, compute_surveys
from build_scripts.editorial.updates import Post, latest_post
from build_scripts.editorial.revisions import PublicRecord, marked, public_record, unreleased_problems
from build_scripts.ingest.releases import read_releases
from build_scripts.yaml_schema import read_site_config, site_config_problems
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_summary import SurveySummary, summarise

@dataclass
class Results:
    """Everything computed from the inputs, ready to be written out."""

    surveys: list[Survey]  # the surveys read in this run (with a cache, only those that changed)
    sources: Sources
    table: StatisticsTable
    summaries: list[SurveySummary] = field(default_factory=list)
    copy: RenderedCopy = field(default_factory=RenderedCopy)  # every hand-written page rendered
    plan: PagePlan = field(default_factory=PagePlan)  # survey pages and chart records
    warnings: list[Problem] = field(default_factory=list)
    figures: list[SurveyFigures] = field(default_factory=list)  # every survey, read or cached
    latest_post: Post | None = None  # the newest published update
    site_config: dict = field(default_factory=dict)  # mkdocs.yml as plain data
    copy_data: CopyData = field(default_factory=CopyData)  # what the copy's figure functions read
    record: PublicRecord = field(default_factory=PublicRecord)  # the releases, their revisions, what moved since
    unreleased: list[Problem] = field(default_factory=list)  # figures moved since the latest release (warnings)

    @property
    def campaign(self) -> Campaign:
        """The campaign's settings (mkdocs.yml, extra: campaign:)."""
        return self.copy_data.campaign

    @property
    def references(self) -> list[Reference]:
        """The figures and sources the published pages quote, with page and line."""
        return self.copy.references

    def uses(self) -> dict[str, list[dict]]:
        """For each figure or source key, the pages that quote it (for the sources page and for diffs)."""
        return self.copy.uses()


def compute(project: Project, strict: bool = False, copy_must_hold: bool = True, cache: Cache | None = None,
            data_only: bool = False) -> Results:
    """Load and validate every input and compute the statistics table, or raise with every problem.

    With a cache, surveys whose folder is unchanged since a previous run are not read or recomputed.

    Figures typed by hand in the copy (and sentences led by a figure) are problems, unless the page marks them
    as exceptions. Figures that moved since the latest release (releases/) are warnings, and with `strict`
    problems: CI refuses them until a release records why. With `copy_must_hold` off (for `diff`
    and `serve`, which report them), broken claims and keys and typed figures are warnings. A page no `nav`
    entry leads to is a warning. With `data_only` (for `figures`, which a writer runs mid-edit), every problem
    in the copy is a warning: only the data and the settings must hold.
    """
    root = project.root
    cache = cache or Cache(None)
    sources_file = project.surveys_dir / "sources.yml"
    sources, problems = load_sources(sources_file, relative(sources_file, root))
    computed = compute_surveys(project.surveys_dir, root, cache, problems)
    figures = computed.figures
    table = combined_table([f.rows for f in figures], figures)
    config = read_site_config(project.config_file)
    latest, unreadable_posts = newest_post(project.docs_dir)
    campaign, campaign_problems = read_campaign(config)
    record, release_problems = _record(project, table, campaign)
    table = marked(table, record)
    problems += (unreadable_posts + site_config_problems(project.config_file) + boundary_problems(root, config)
                 + campaign_problems + logo_problems(campaign, project.docs_dir) + release_problems)
    unreleased = unreleased_problems(record, fatal=strict)
    series = waves_by_series(figures)
    waves = compare_waves(series)
    problems += waves.problems
    summaries = [summarise(f, series[f.codebook.series_key]) for f in figures]
    site_url = str(read_site_config(project.config_file, environment=True).get("site_url") or "")
    plan = plan_pages(summaries, table, (project.docs_dir / "methodology.md").exists(), cache,
                      glossary=(project.docs_dir / "glossary.md").exists(),
                      site=ChartSite(str(config.get("site_name") or ""), site_url), record=record)
    data = copy_data(table, summaries, sources, plan, latest, campaign, site_url, record)
    copy = render_copy(project.docs_dir, root, data)
    generated = generated_pages(s.id for s in summaries)
    problems += nav_problems(config, set(copy.pages) | generated)
    unlisted = pages_not_in_nav(project.config_file, config, copy, summaries, releases=bool(record.releases))
    typed = copy.rule_problems  # the same problems for `build` and `check`, with or without --strict
    copy_problems = copy.problems + (copy.figure_problems + typed if copy_must_hold else [])
    fatal = problems + ([] if data_only else copy_problems) + (unreleased if strict else [])
    if fatal:
        raise DataError(fatal)
    weights = [w for f in figures for w in f.warnings]  # kept with each survey's figures, cached or not
    warnings = weights + waves.warnings + unlisted + ([] if copy_must_hold else copy.figure_problems + typed) \
        + (copy_problems if data_only else [])
    return Results(computed.loaded, sources, table, summaries, copy, plan, warnings, figures, latest, config, data,
                   record, unreleased)


def _record(project: Project, table: StatisticsTable, campaign: Campaign) -> tuple[PublicRecord, list[Problem]]:
    """The releases recorded under releases/, compared in turn and with this build's table."""
    releases, problems = read_releases(project.releases_dir, project.root)
    try:
        return public_record(releases, table, project.root, campaign.next_release), problems
    except DataError as error:
        return PublicRecord(next_release=campaign.next_release), problems + error.problems


def copy_data(table: StatisticsTable, summaries: list[SurveySummary], sources: Sources, plan: PagePlan,
              latest: Post | None, campaign: Campaign, site_url: str, record: PublicRecord | None = None) -> CopyData:
    """What the copy's figure functions read: table rows by key (NaN as None), survey summaries, sources, charts."""
    return CopyData(figures={row["key"]: row for row in table.records()}, surveys={s.id: s for s in summaries},
                    sources={s.key: s.model_dump(mode="json") for s in sources.sources}, charts=plan.records(),
                    latest_post=latest, campaign=campaign, site_url=site_url, record=record or PublicRecord())


def logo_problems(campaign: Campaign, docs_dir: Path) -> list[Problem]:
    """A logo the settings name that is not a file under docs/."""
    if campaign.logo and not (docs_dir / campaign.logo).is_file():
        return [Problem("mkdocs.yml", "field extra.campaign.logo", f"there is no file docs/{campaign.logo}",
                        "put the logo under docs/ and give its path from there, e.g. images/logo.svg", campaign.logo)]
    return []


def newest_post(docs_dir: Path) -> tuple[Post | None, list[Problem]]:
    """The newest published update, and the updates that cannot be read (so that `check` finds them too)."""
    try:
        return latest_post(docs_dir), []
    except DataError as error:
        return None, error.problems
