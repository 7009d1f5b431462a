"""The survey pages' plan: each page's Markdown and each chart's record, made once and shared.

The copy renderer needs the charts' records (a page may show any survey chart) before anything is
drawn, and `check` needs them without drawing at all; the plan is cached by its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from build_scripts.cache import Cache
from build_scripts.publish.chart_figure import Chart, ChartSite, published_by
from build_scripts.editorial.revisions import PublicRecord
from build_scripts.statistics.statistics_table import StatisticsTable
from build_scripts.statistics.survey_summary import SurveySummary
from build_scripts.publish.survey_page import survey_page


@dataclass
class PagePlan:
    """Survey pages' Markdown by survey id, and chart records with their cache keys by chart name."""

    markdown: dict[str, str] = field(default_factory=dict)
    charts: dict[str, tuple[dict, str]] = field(default_factory=dict)
    drawable: dict[str, Chart] = field(default_factory=dict)  # the charts themselves, when made in this run
    methodology: bool = False  # whether the pages link to the site's methodology page
    glossary: bool = False  # whether the pages link their terms to the site's glossary page
    site: ChartSite = field(default_factory=ChartSite)  # the site its charts name and link back to
    record: PublicRecord | None = None  # the releases: they date revisions and citations

    def records(self) -> dict[str, dict]:
        """Each chart's record (name, title, text alternative, table) by name."""
        return {name: record for name, (record, _) in self.charts.items()}


def plan_pages(summaries: list[SurveySummary], table: StatisticsTable, methodology: bool, cache: Cache,
               fresh: bool = False, glossary: bool = False, site: ChartSite = ChartSite(),
               record: PublicRecord | None = None) -> PagePlan:
    """The plan from the cache when its inputs are unchanged (unless `fresh`), else made and cached.

    `site` is drawn on every chart and named in each chart's embed snippet, and the latest release (of `record`)
    dates revisions and citations, so both are part of the key."""
    latest = record.latest.release if record and record.latest else None
    key = cache.key("pages", table.to_csv(), *(s.model_dump_json() for s in summaries), str(methodology),
                    str(glossary), site.name, site.url, repr(latest))
    found = None if fresh else cache.get("pages", key)
    if found is not None:
        return PagePlan(found["markdown"], {name: tuple(entry) for name, entry in found["charts"].items()},
                        methodology=methodology, glossary=glossary, site=site, record=record)
    plan = PagePlan(methodology=methodology, glossary=glossary, site=site, record=record)
    for survey in summaries:
        with published_by(site):  # survey pages make their charts without knowing the site
            page = survey_page(survey, table, methodology, glossary, record)
        plan.markdown[survey.id] = page.markdown
        for chart in page.charts:
            entry = chart.record()
            plan.charts[chart.name] = (entry, cache.key(*entry.values(), chart.data.to_csv(index=False)))
            plan.drawable[chart.name] = chart
    cache.put("pages", key, {"markdown": plan.markdown, "charts": plan.charts})
    return plan
