"""The `campaign-site` command: build, check and serve a campaign site from its surveys and copy."""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from build_scripts import __version__
from build_scripts.publish.atomic_publish import exclusive, recover
from build_scripts.cache import Cache
from build_scripts.errors import CampaignError, relative
from build_scripts.cli.progress import Progress, counted
from build_scripts.project import Project

if TYPE_CHECKING:  # the data stack is imported only by the commands that compute (a no-op build does not)
    from build_scripts.publish.drawing import DrawingPool
    from build_scripts.pipeline.compute import Results
    from build_scripts.publish.writer import GeneratedFolder

PROJECT_OPTION = click.option(
    "--project", "-p", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The campaign site's folder (holding mkdocs.yml, docs/ and surveys/).",
)


def _say(message: str) -> None:
    click.echo(message, err=True)


STRICT_OPTION = click.option("--strict", is_flag=True,
                             help="Also refuse figures that moved since the latest release (releases/) until a new "
                                  "release says why (CI runs check --strict). Figures typed by hand are refused "
                                  "with or without it.")
ENGINE_OPTION = click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default=None,
                             help="The site engine that publishes the finished pages (default: the project's "
                                  "`extra: campaign_site: engine:` in mkdocs.yml, else mkdocs).")


def _project(project_dir: Path) -> Project:
    project = Project(project_dir.resolve())
    if not project.config_file.exists():
        raise click.UsageError(f"no mkdocs.yml in {project.root}: run this from the site's folder or pass --project")
    return project


def _cache(project: Project, read: bool = True, write: bool = True) -> Cache:
    return Cache(project.cache_dir, read=read, write=write)


def _prepare(project: Project, progress: Progress, cache: Cache, strict: bool = False,
             copy_must_hold: bool = True, data_only: bool = False, releasing: bool = False) -> Results:
    from build_scripts.pipeline.compute import compute

    with progress.stage("surveys", "Reading and validating surveys"):
        results = compute(project, strict, copy_must_hold, cache, data_only)
    for warning in results.warnings + ([] if releasing else results.unreleased):
        _say(f"warning: {warning.describe()}")
    figures = results.figures
    cached = cache.hits.get("survey", 0)
    progress.note(f"{counted(len(figures), 'survey')} ({len(results.surveys)} read, {cached} unchanged from the cache), "
                  f"{counted(sum(f.respondents for f in figures), 'respondent')}, "
                  f"{_figures_counted(results)}, {counted(len(results.sources.sources), 'cited source')}")
    return results


def _figures_counted(results: Results) -> str:
    """'411 figures, 86 tested differences': figures and changes between waves, then differences between groups."""
    differences = len(results.table.differences())
    return counted(len(results.table) - differences, "figure") + (
        f", {counted(differences, 'tested difference')}" if differences else "")


def _generate(project: Project, results: Results, progress: Progress, cache: Cache,
              pool: DrawingPool | None = None, problems: str = "") -> GeneratedFolder:
    from build_scripts.pipeline.finished_tree import write_finished_tree

    with progress.stage("pages and charts", "Writing the finished pages, survey pages, charts and tables"):
        out = write_finished_tree(project, results, progress.note, cache, pool, problems)
    drawn = cache.misses.get("chart", 0) + cache.misses.get("share", 0)
    progress.note(f"{counted(len(out.kept), 'generated file')}, {len(out.changed)} changed; "
                  f"{counted(drawn, 'chart or share image', 'charts and share images')} drawn, "
                  f"{cache.hits.get('chart', 0) + cache.hits.get('share', 0)} from the cache")
    return out


def _facts(results: Results, cache: Cache) -> list[str]:
    charts = cache.hits.get("chart", 0) + cache.misses.get("chart", 0)
    return [counted(len(results.figures), "survey"), counted(sum(f.respondents for f in results.figures), "respondent"),
            _figures_counted(results), counted(charts, "chart") + f" ({cache.misses.get('chart', 0)} drawn)",
            counted(len(results.warnings), "warning")]


def _content_dates(results: Results) -> list[str]:
    """Dates the content carries (fieldwork, the newest update): the build's timestamp is the latest."""
    post = results.latest_post
    return [s.fieldwork_end.isoformat() for s in results.summaries] + ([post.date.isoformat()] if post else [])


def _run(action) -> None:
    try:
        action()
    except CampaignError as exc:
        _say(exc.describe())
        sys.exit(1)
    except OSError as exc:  # a full disk, a read-only folder: the environment, not a bug
        _say(file_system_problem(exc))
        sys.exit(1)


def file_system_problem(exc: OSError) -> str:
    """A file-system failure as a problem with its file and a fix, for the terminal (no traceback)."""
    where = exc.filename or "a file"
    fix = {errno.ENOSPC: "free some disk space, then build again",
           errno.EDQUOT: "free some disk space (you are over quota), then build again",
           errno.EACCES: "make the folder writable by you, or build a copy of the project",
           errno.EPERM: "make the folder writable by you, or build a copy of the project",
           errno.EROFS: "the disk is read-only: build a copy of the project on a writable disk"}.get(
        exc.errno, "check the file and folder exist and are writable, then build again")
    return (f"Could not read or write {where}: {exc.strerror or exc}. Nothing was published; site/ is as it was.\n"
            f"    fix: {fix}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="campaign-site")
def main() -> None:
    """Build a campaign microsite whose every figure is computed from survey responses.

    Put survey exports and codebooks in surveys/, write copy in docs/ with
    {{ stat("<key>") }} for figures, then run `campaign-site build`.
    """


@main.command()
@PROJECT_OPTION
@STRICT_OPTION
@ENGINE_OPTION
@click.option("--no-cache", "use_cache", is_flag=True, flag_value=False, default=True,
              help="Recompute every survey and redraw every chart, ignoring (and then refreshing) .cache/.")
def build(project_dir: Path, strict: bool, engine: str | None, use_cache: bool) -> None:
    """Validate the surveys, compute the statistics, render the copy, draw the charts and build site/.

    The finished pages are written to .build/ and published by the site engine (`mkdocs build
    --strict`, or `zensical build`) into a temporary folder, swapped into site/ only when
    everything succeeded: a failed build leaves site/ as it was. It refuses exactly what `check`
    refuses, figures typed by hand included.
    """

    from build_scripts.publish import build_record
    from build_scripts.publish.site_engine import engine_named, project_engine
    from build_scripts.yaml_schema import read_site_config

    def action() -> None:
        project = _project(project_dir)
        with exclusive(project.root, _say):
            recover(project.root, project.site_dir)  # a build killed mid-swap left its folders behind
            config = read_site_config(project.config_file)
            chosen = engine_named(engine or project_engine(config))
            inputs = build_record.inputs_digest(project, config, chosen.name, False)  # --strict changes nothing
            if use_cache and build_record.unchanged(project, inputs):
                _say(f"Nothing changed since the last build: {relative(project.site_dir, Path.cwd())} is up to date "
                     "(`--no-cache` builds it again anyway).")
                return
            build_record.forget(project)
            _build(project, strict, use_cache, chosen)
            build_record.remember(project, inputs)

    _run(action)


def _build(project: Project, strict: bool, use_cache: bool, engine) -> None:
    """The build itself, run while holding the project's lock."""
    from build_scripts.publish.drawing import DrawingPool
    from build_scripts.publish.site_build import build_date_epoch, build_site

    progress, cache = Progress(_say), _cache(project, read=use_cache)
    # A cold build lays charts out in a worker that starts Vega while the surveys are read; a warm one
    # has few charts to draw, if any, and a worker would cost more to start than it saves.
    pool = DrawingPool(in_worker=cache.is_empty("chart"))
    try:
        results = _prepare(project, progress, cache, strict)
        _generate(project, results, progress, cache, pool)
    finally:
        pool.close()
    with progress.stage("site", f"Building the site with {engine.name} and checking it for personal data"):
        site = build_site(project, build_date_epoch(_content_dates(results)), engine)
    cache.prune(["survey", "pages", "chart", "share"])  # entries no input asks for any more
    pages = sum(1 for page in site.rglob("*.html") if page.name != "404.html")
    progress.summary(f"Built {relative(site, Path.cwd())}", [*_facts(results, cache), counted(pages, "page")])


@main.command()
@PROJECT_OPTION
@STRICT_OPTION
def check(project_dir: Path, strict: bool) -> None:
    """Validate the surveys, codebooks, sources and the copy's figures and claims; write nothing.

    Exits non-zero and lists every problem (file, row or field, value, fix) when any is found:
    the same problems `build` refuses, figures typed by hand included. The exceptions pages mark
    (<!-- typed figure: why -->) are listed as notes, with page, line and reason.
    """

    def action() -> None:
        project = _project(project_dir)
        progress = Progress(_say)
        results = _prepare(project, progress, _cache(project, write=False), strict)
        for exemption in results.copy.exemptions:
            _say(f"note: {exemption.describe()}")
        _say("All checks passed.")

    _run(action)


@main.command()
@PROJECT_OPTION
@ENGINE_OPTION
@click.option("--dev-addr", "-a", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(project_dir: Path, engine: str | None, dev_addr: str) -> None:
    """Preview the site with live reload while you edit copy or replace survey files.

    Editing a page re-renders the copy; changing anything under surveys/ recomputes the figures.
    Only the finished files whose content changed are rewritten, and the engine's own server
    reloads the browser. Problems in the data or the copy are printed and shown at the top of
    every page, and the server keeps running.
    """
    from build_scripts.cli.serve import Preview, serve_site
    from build_scripts.publish.site_engine import engine_named, project_engine
    from build_scripts.yaml_schema import read_site_config

    def action() -> None:
        project = _project(project_dir)
        chosen = engine_named(engine or project_engine(read_site_config(project.config_file)))
        preview = Preview(project, _say)
        preview.regenerate()  # a problem is shown on the pages; the server still starts
        serve_site(project, chosen, dev_addr, regenerate=preview.regenerate)

    _run(action)


@main.command("new-survey")
@click.argument("export_path", metavar="EXPORT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PROJECT_OPTION
@click.option("--id", "survey_id", help="The survey's identifier, e.g. professionals-2016 (default: from the file "
                                        "name). An id ending in a year joins the series named by the rest of it.")
@click.option("--wave-of", "wave_of", metavar="EARLIER_ID",
              help="Reuse this earlier wave's codebook (keys, options, routing, findings), matching questions by "
                   "wording and answers (default: the newest wave of the series the id joins, if any).")
@click.option("--new-series", is_flag=True, help="Start a series of its own, even if the id matches earlier waves.")
@click.option("--sheet", help="For an Excel workbook: the sheet with the responses (default: the one that holds a table of responses).")
@click.option("--force", is_flag=True, help="Overwrite an existing survey.yml.")
def new_survey(export_path: Path, project_dir: Path, survey_id: str | None, wave_of: str | None, new_series: bool,
               sheet: str | None, force: bool) -> None:
    """Draft surveys/<id>/survey.yml from an export (CSV, SurveyMonkey, Qualtrics, Google Forms, Excel, SPSS).

    The export is copied beside the draft, and the survey's page is added to `nav` in mkdocs.yml.
    For the next wave of a survey, the earlier wave's codebook is reused: questions are matched by
    their wording (exactly, then closely) and by their answers, and whatever did not match is listed
    for you to decide. Otherwise questions get their wording, an inferred type and the options found
    in the data. The disclosure fields are left as TODO: the build refuses the survey until a person
    has filled them in.
    """
    from build_scripts.cli.new_survey import draft_survey

    if wave_of and new_series:
        raise click.UsageError("--wave-of joins an earlier wave's series and --new-series starts one: give one")

    def action() -> None:
        draft_survey(_project(project_dir), export_path, survey_id, sheet, force, wave_of, new_series, _say)

    _run(action)


@main.command()
@PROJECT_OPTION
@click.option("--note", required=True, help='Why this release was made, in a sentence: "Late responses added", '
                                            '"A coding error in Q3 corrected", "First release".')
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The release's date, YYYY-MM-DD (default: today).")
def release(project_dir: Path, note: str, on) -> None:
    """Record a release: releases/<date>/ with the note and the statistics table as published.

    Every build compares its figures with the latest release. A figure that moved (new responses, a
    correction) is a revision: `check --strict`, and so CI, refuses it until a release records why.
    After the release, revised figures carry [r] with the old value and the note, and the Revisions
    page lists them. Commit the new folder with the change that moved the figures.
    """
    import datetime as dt

    from build_scripts.cli.release import record_release

    def action() -> None:
        project = _project(project_dir)
        progress = Progress(_say)
        results = _prepare(project, progress, _cache(project), releasing=True)
        record_release(project, results, note, on.date() if on else dt.date.today(), _say)

    _run(action)


@main.command("new-update")
@click.argument("title")
@PROJECT_OPTION
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The update's date, YYYY-MM-DD (default: today).")
@click.option("--description", default="", help="One sentence for link previews and the feed (default: none, so "
                                                  "they show the opening paragraph, above <!-- more -->).")
def new_update(title: str, project_dir: Path, on, description: str) -> None:
    """Start a campaign update: docs/updates/posts/<date>-<title>.md, dated, as a draft.

    The draft shows in `campaign-site serve` but is not published until you delete its
    `draft: true` line. Its opening paragraph, above <!-- more -->, is what the home page,
    the updates list, the RSS feed and link previews show.
    """
    import datetime as dt

    from build_scripts.editorial.updates import new_update as write_update

    def action() -> None:
        project = Project(project_dir.resolve())
        if not project.docs_dir.is_dir():
            raise click.UsageError(f"no docs/ folder in {project.root}: run this from the site's folder or pass --project")
        if not title.strip():
            raise click.BadParameter("give the update a title, e.g. \"Ministers respond to our survey\"")
        day = on.date() if on else dt.date.today()
        try:
            path = write_update(project.docs_dir, title.strip(), day, description)
        except FileExistsError as exc:
            raise click.ClickException(f"{exc.args[0]} already exists: pick another title or date") from None
        _say(f"Wrote {path.relative_to(project.root)}\nNext: write the update, preview it with `campaign-site serve`, "
             "then delete its `draft: true` line to publish it.")

    _run(action)


@main.command()
@click.argument("base")
@PROJECT_OPTION
@click.option("--markdown", is_flag=True, help="Write Markdown for a pull request (e.g. >> $GITHUB_STEP_SUMMARY).")
def diff(base: str, project_dir: Path, markdown: bool) -> None:
    """Show what the figures say now against BASE: a stats.csv file, or a git revision (e.g. origin/main).

    Headline first: the figures the copy quotes whose printing changed (pages, old and new value
    and words, e.g. "rose by 11 percentage points" -> "showed little change"), and every claim
    that breaks. Then new and removed surveys, one line each; then figures revised by a point or
    more (the same survey rebuilt: revised, never tested); smaller moves and suppressed figures
    are counted. Writes nothing; exits 0 whatever changed, 1 when BASE or the project cannot be read.
    """
    from build_scripts.cli.diff import compare
    from build_scripts.cli.diff_base import base_table
    from build_scripts.cli.diff_report import report

    def action() -> None:
        project = _project(project_dir)
        results = _prepare(project, Progress(_say), _cache(project, write=False), copy_must_hold=False)
        before = base_table(project, base)
        click.echo(report(compare(before, results), base, markdown), nl=False)

    _run(action)


@main.command()
@click.argument("word", required=False, default="")
@PROJECT_OPTION
@click.option("--segment", "-s", default="", metavar="SEGMENT",
              help="Also list one breakdown's figures, e.g. --segment nation (the codebook's segment key).")
@click.option("--all", "every_segment", is_flag=True, help="Also list every breakdown's figures.")
def figures(word: str, project_dir: Path, segment: str, every_segment: bool) -> None:
    """List each figure's key, value and honest words, ready to paste into the copy; write nothing.

    WORD filters by question: it is looked for, in any case, in each question's key, title,
    wording and finding (`figures powerless`). Without WORD, every question's whole-sample figures
    are listed, grouped by survey and question. Changes between waves are always listed; use
    --segment or --all for breakdowns. Each figure comes with the phrases `claim` accepts for it and
    the exact {{ stat("...") }} and {{ claim("...", "...") }} to paste; a suppressed figure is
    shown as not publishable, with why.

    Exits 0 when something is listed, 1 when no question matches WORD (or the project cannot be read).
    """
    from build_scripts.cli.figures import listing, question_keys

    def action() -> None:
        project = _project(project_dir)
        results = _prepare(project, Progress(lambda _: None), _cache(project, write=False), copy_must_hold=False,
                           data_only=True)  # a page being written may be broken: its keys are what is wanted
        segments = {s.key for summary in results.summaries for s in summary.segments}
        if segment and segment not in segments:
            raise click.BadParameter(f"no survey has a segment {segment!r}; segments: {', '.join(sorted(segments))}",
                                     param_hint="--segment")
        text = listing(results.summaries, results.table.records(), word.strip(), segment, every_segment)
        if not text:
            _say(f"No question matches {word!r}. Try a word from a question's title or wording, or one of: "
                 + ", ".join(question_keys(results.summaries)))
            sys.exit(1)
        click.echo(text, nl=False)

    _run(action)
