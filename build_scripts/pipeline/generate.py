"""The generated half of the finished tree: survey pages, charts, share images and tables under data/.

Everything is written through `GeneratedFolder`, so only files whose content changed are touched,
and through the cache, so an unchanged chart is not redrawn.
"""

from __future__ import annotations

from dataclasses import astuple

import pandas as pd

from build_scripts.editorial import pages
from build_scripts.editorial.copy_render import yaml_fields
from build_scripts.editorial.table_regions import wrap_tables
from build_scripts.publish import share_images
from build_scripts.publish.page_endings import page_description, page_ending
from build_scripts.cache import Cache
from build_scripts.project import GENERATED
from build_scripts.publish.drawing import DrawingPool, drawn
from build_scripts.publish.page_plan import plan_pages
from build_scripts.pipeline.compute import Results
from build_scripts.publish.spreadsheet_safety import spreadsheet_safe
from build_scripts.statistics.statistics_table import StatisticsTable, write_csv
from build_scripts.statistics.survey_summary import SurveySummary
from build_scripts.publish.writer import Subfolder
from build_scripts.publish.data_package import data_package
from build_scripts.publish.chart_zip import chart_zip
from build_scripts.editorial.revisions import REVISIONS_LINK, REVISIONS_PAGE
from build_scripts.editorial.revisions_page import REVISIONS_TITLE, release_folder, release_line, revisions_page


def write_generated(out: Subfolder, results: Results, progress=lambda message: None,
                    cache: Cache | None = None, pool: DrawingPool | None = None) -> dict[str, dict[str, str]]:
    """Write survey pages, charts, share images and tables into the generated folder `out`.

    With a cache, charts whose inputs are unchanged are not drawn again; with a pool, charts are drawn
    in its worker while the rest is made here. Returns each page's share fields (share_image,
    share_alt) by its path under docs/, and the site's own under "".
    """
    cache, pool = cache or Cache(None), pool or DrawingPool(in_worker=False)
    table = results.table
    out.write("stats.csv", stats_csv(table))
    for survey in results.summaries:
        out.write(f"{survey.id}.csv", write_csv(spreadsheet_safe(survey_table_for_download(survey, table))))
    out.write("datapackage.json", data_package(str(results.site_config.get("site_name") or ""),
                                               results.copy_data.site_url, results.summaries, results.record,
                                               results.campaign.licence))
    plan = results.plan
    charts = {name: cache.get("chart", key) for name, (_, key) in plan.charts.items()}
    drawing = []
    if any(files is None for files in charts.values()):
        if not plan.drawable:  # the plan came from the cache, a chart's files did not: make the charts again
            plan = plan_pages(results.summaries, table, plan.methodology, cache, fresh=True, glossary=plan.glossary,
                              site=plan.site, record=plan.record)
        for name, files in charts.items():
            if files is None:
                _, key = plan.charts[name]
                chart = plan.drawable[name]
                drawing.append((chart, key, pool.submit(chart.specs())))  # both widths in one call to the worker
        progress(f"{len(drawing)} of {len(charts)} charts to draw")
    else:
        progress(f"{len(plan.markdown)} survey pages and {len(charts)} charts unchanged")
    share = _share_images(results, cache, out, progress)
    titles = {survey.id: survey.title for survey in results.summaries}
    for survey_id, markdown in plan.markdown.items():
        page = f"{GENERATED}/{survey_id}.md"
        # A link preview leads with the page's first main point, not its note on who carried the survey out.
        fields = share.get(page, share[""]) | {"description": page_description(markdown.split("## Main points", 1)[-1])}
        ending = page_ending(results.campaign, results.copy_data.site_url, page, titles.get(survey_id, survey_id),
                             actions=True)
        out.write(f"{survey_id}.md", wrap_tables(with_fields(markdown, fields)) + ending)
    surveys = {survey.id: survey for survey in results.summaries}
    made = [(name, files) for name, files in charts.items() if files is not None]
    for name, files in made:
        for path, content in files.items():
            out.write(path, content)
    for chart, key, future in drawing:  # drawn in the pool meanwhile
        files = chart.files(drawn(future, chart.specs))
        cache.put("chart", key, files)
        made.append((chart.name, files))
        for path, content in files.items():
            out.write(path, content)
    for name, files in made:  # outside the chart's cache entry: a release dates the zip, not the chart
        record, _ = plan.charts[name]
        out.write(f"charts/{name}.zip", chart_zip(record, files[f"charts/{name}.csv"], surveys[name.partition(".")[0]],
                                                  results.record, results.campaign.licence))
    record = results.record
    data_page = pages.data_page(results.summaries, release_line(record, REVISIONS_LINK), results.campaign.licence)
    fields = share[""] | {"description": page_description(data_page)}
    out.write("index.md", wrap_tables(with_fields(data_page, fields))
              + page_ending(results.campaign, results.copy_data.site_url, f"{GENERATED}/index.md", pages.DATA_PAGE_TITLE))
    _write_record(out, results, share[""])
    return share


def _write_record(out: Subfolder, results: Results, site_card: dict[str, str]) -> None:
    """The Revisions page and each release's statistics table, read back and written as published."""
    page = revisions_page(results.record, results.summaries, results.uses())
    fields = site_card | {"description": page_description(page)}
    out.write(REVISIONS_LINK, wrap_tables(with_fields(page, fields))
              + page_ending(results.campaign, results.copy_data.site_url, REVISIONS_PAGE, REVISIONS_TITLE))
    for entry in results.record.releases:
        if entry.table is not None:
            out.write(release_folder(entry.release.name), stats_csv(entry.table))


def stats_csv(table: StatisticsTable) -> str:
    """The statistics table as published (data/stats.csv) and as each release freezes it (releases/<date>/)."""
    return write_csv(spreadsheet_safe(table.frame))


def with_fields(markdown: str, fields: dict[str, str]) -> str:
    """A generated page (which opens with front matter) with more front-matter fields, as JSON-quoted YAML."""
    head, _, rest = markdown.partition("---\n")
    return f"{head}---\n{yaml_fields(fields)}{rest}" if not head else markdown


def _share_images(results: Results, cache: Cache, out: Subfolder, progress) -> dict[str, dict[str, str]]:
    """Draw (or take from the cache) every share image; returns each page's share fields, the site's under ""."""
    brand = card_brand(results)
    statement = results.campaign.ask or site_identity(results.site_config)[1] or brand.name
    cards, page_cards = share_images.plan_cards(results.table, results.summaries, results.references,
                                                share_images.site_card(statement, brand.address))
    progress(f"{len(cards)} share images")
    for card in cards.values():
        key = cache.key(card.name, card.figure, card.finding, card.source, *astuple(brand))
        out.write(card.path, cache.remember("share", key, lambda card=card: share_images.render_card(card, brand)))
    fields = {page: _share_fields(card) for page, card in sorted(page_cards.items())}
    return {"": _share_fields(cards[share_images.SITE_CARD]), **fields}


def _share_fields(card: share_images.ShareCard) -> dict[str, str]:
    """A page's front-matter fields for its share card (the theme's main.html reads them)."""
    return {"share_image": f"{GENERATED}/{card.path}", "share_alt": card.alt}


def card_brand(results: Results) -> share_images.Brand:
    """The campaign's name, address (host and path, no scheme) and colours, as every share card carries them."""
    name = results.campaign.name or site_identity(results.site_config)[0]
    colours = results.campaign.colours
    return share_images.Brand(name, results.plan.site.address, colours.primary, colours.accent)


def site_identity(config: dict) -> tuple[str, str]:
    """The site's name and description, from mkdocs.yml (for the share image of pages with no figure)."""
    return str(config.get("site_name") or "Survey findings"), str(config.get("site_description") or "")


def survey_table_for_download(survey: SurveySummary, table: StatisticsTable) -> pd.DataFrame:
    """A survey's figures with the question wording beside them, for readers who open it in a spreadsheet."""
    wording = {q.key: q.text for q in survey.questions}
    out = table.of_survey(survey.id).frame.copy()
    out.insert(3, "question_text", out["question"].map(wording))
    return out
