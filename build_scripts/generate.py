"""The writing half of the build: survey pages, charts, share images and tables into docs/data/.

Everything is written through `GeneratedFolder`, so only files whose content changed are touched,
and through the cache, so an unchanged survey page or chart is neither remade nor redrawn.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from build_scripts import pages, share_images
from build_scripts.cache import Cache
from build_scripts.drawing import DrawingPool, drawn
from build_scripts.pipeline import GENERATED, Project, Results
from build_scripts.spreadsheet_safety import spreadsheet_safe
from build_scripts.stats import write_csv
from build_scripts.survey_page import survey_page
from build_scripts.writer import GeneratedFolder


def write_generated(project: Project, results: Results, progress=lambda message: None,
                    cache: Cache | None = None, pool: DrawingPool | None = None) -> GeneratedFolder:
    """Write pages, charts and tables into docs/data/, touching only files whose content changed.

    With a cache, survey pages and charts whose inputs are unchanged are not made or drawn again;
    with a pool, charts are drawn in its worker while the rest is made here.
    """
    cache, pool = cache or Cache(None), pool or DrawingPool(in_worker=False)
    out = GeneratedFolder(project.generated_dir)
    table = results.table
    stats_csv = write_csv(spreadsheet_safe(table))
    out.write("stats.csv", stats_csv)
    for meta in results.metas:
        survey_rows = table[table["survey"] == meta["id"]]
        out.write(f"{meta['id']}.csv", write_csv(spreadsheet_safe(survey_table_for_download(meta, survey_rows))))
    methodology = (project.docs_dir / "methodology.md").exists()
    plan_key = cache.key("pages", stats_csv, json.dumps(results.metas, sort_keys=True), str(methodology))
    plan = cache.get("pages", plan_key)
    charts = plan and {name: cache.get("chart", key) for name, (_, key) in plan["charts"].items()}
    if plan is None or any(files is None for files in charts.values()):
        plan, charts, drawing = _survey_pages(results, methodology, cache, pool, progress, looked_up=charts or {})
        cache.put("pages", plan_key, plan)
    else:
        drawing = []
        progress(f"{len(plan['markdown'])} survey pages and {len(charts)} charts unchanged")
    for name, markdown in plan["markdown"].items():
        out.write(f"{name}.md", markdown)
    for files in charts.values():
        for path, content in files.items():
            out.write(path, content)
    cards, page_cards = _share_images(project, results, cache, out, progress)
    for chart, key, future in drawing:  # drawn in the pool meanwhile
        files = chart.files(drawn(future, lambda chart=chart: chart.spec("light")))
        cache.put("chart", key, files)
        for path, content in files.items():
            out.write(path, content)
    out.write("site-data.json", json.dumps({
        "surveys": results.metas,
        "sources": [s.model_dump(mode="json") for s in results.sources.sources],
        "uses": results.uses(),
        "charts": {name: record for name, (record, _) in plan["charts"].items()},
        "share": {"default": _share_record(cards[share_images.SITE_CARD]),
                  "pages": {page: _share_record(card) for page, card in sorted(page_cards.items())}},
    }, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    out.write("index.md", pages.data_page(results.metas))
    out.prune()
    return out


def _survey_pages(results: Results, methodology: bool, cache: Cache, pool: DrawingPool, progress,
                  looked_up: dict) -> tuple[dict, dict, list]:
    """Each survey page's Markdown and its charts (record and cache key), the drawn charts' files by
    name, and the charts still to draw (chart, key, future)."""
    plan: dict = {"markdown": {}, "charts": {}}
    cached, drawing = {}, []
    for meta in results.metas:
        page = survey_page(meta, results.table, methodology)
        plan["markdown"][meta["id"]] = page.markdown
        progress(f"{meta['id']}: {len(page.charts)} charts")
        for chart in page.charts:
            record = chart.record()
            key = cache.key(*record.values(), chart.data.to_csv(index=False))
            plan["charts"][chart.name] = (record, key)
            files = looked_up[chart.name] if chart.name in looked_up else cache.get("chart", key)
            if files is None:
                drawing.append((chart, key, pool.submit(chart.spec("light"))))
            else:
                cached[chart.name] = files
    return plan, cached, drawing


def _share_images(project: Project, results: Results, cache: Cache, out: GeneratedFolder, progress):
    """Draw (or take from the cache) every share image; returns the cards and each page's card."""
    name, description = site_identity(results.site_config)
    cards, page_cards = share_images.plan_cards(results.table, results.metas, results.references,
                                                share_images.site_card(name, description))
    progress(f"{len(cards)} share images")
    for card in cards.values():
        key = cache.key(card.name, card.figure, card.finding, card.source, name)
        out.write(card.path, cache.remember("share", key, lambda card=card: share_images.render_card(card, name)))
    return cards, page_cards


def _share_record(card: share_images.ShareCard) -> dict:
    return {"image": f"{GENERATED}/{card.path}", "alt": card.alt}


def site_identity(config: dict) -> tuple[str, str]:
    """The site's name and description, from mkdocs.yml (for the share image of pages with no figure)."""
    return str(config.get("site_name") or "Survey findings"), str(config.get("site_description") or "")


def survey_table_for_download(meta: dict, rows: pd.DataFrame) -> pd.DataFrame:
    """A survey's figures with the question wording beside them, for readers who open it in a spreadsheet."""
    wording = {q["key"]: q["text"] for q in meta["questions"]}
    out = rows.copy()
    out.insert(3, "question_text", out["question"].map(wording))
    return out
