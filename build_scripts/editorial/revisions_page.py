"""The Revisions page (standards rule 18): every release with its note, its table, and the figures it revised.

Modelled on the UK Code of Practice for Statistics and the Department for Education's "Explore education
statistics": each release's date and note, the figures that moved (old and new, as pages printed them, and
whether their words changed), where the copy quotes them, and the statistics table as published that day.
"""

from __future__ import annotations

from build_scripts.editorial.comparisons import EVERYONE_ELSE
from build_scripts.editorial.formatting import md_text
from build_scripts.editorial.pages import FRONT_MATTER, GENERATED_NOTE
from build_scripts.editorial.revisions import PublicRecord, ReleaseRecord, Revision, anchor, date_text
from build_scripts.statistics.statistics_table import REST
from build_scripts.statistics.survey_summary import SurveySummary

REVISIONS_TITLE = "Revisions and releases"


def release_folder(name: str) -> str:
    """Where a release's statistics table is published, under the generated folder: releases/<name>/stats.csv."""
    return f"releases/{name}/stats.csv"


def release_line(record: PublicRecord, revisions_page: str = "") -> str:
    """One sentence for the home and data pages: the latest release, linking to `revisions_page` when given, and
    the next planned one (empty if neither)."""
    parts = []
    latest = record.latest
    if latest:
        link = f" ([every release and revision]({revisions_page}))" if revisions_page else ""
        parts.append(f"Figures last released on {date_text(latest.release.date)}{link}.")
    if record.next_release:
        parts.append(f"Next release planned for {date_text(record.next_release)}.")
    return " ".join(parts)


def revisions_page(record: PublicRecord, summaries: list[SurveySummary], uses: dict[str, list[dict]]) -> str:
    """The page's Markdown: what a release is, every release (newest first), each with the figures it revised."""
    lines = [FRONT_MATTER.format(title=REVISIONS_TITLE), GENERATED_NOTE, f"# {REVISIONS_TITLE}\n",
             ("The figures on this site are published in releases. Each release is recorded with its date and a "
              "note saying why it was made. A figure that changes after it was published is a revision: it is marked "
              "[r] wherever it appears, with the figure before and the reason, and it is listed here. Figures never "
              "change silently.\n")]
    line = release_line(record)
    if line:
        lines.append(line + "\n")
    if not record.releases:
        lines.append("No release has been recorded yet: these figures have not been released.\n")
        return "\n".join(lines)
    titles = {s.id: s for s in summaries}
    lines += ["## Every release { #every-release }\n", "| Release | Why | Figures revised | New figures | Table |",
              "| --- | --- | ---: | ---: | --- |"]
    for entry in reversed(record.releases):
        release = entry.release
        lines.append(f"| [{date_text(release.date)}](#release-{release.name}) | {md_text(release.note)} | "
                     f"{len(entry.revisions):,} | {entry.added:,} | "
                     f"[stats.csv]({release_folder(release.name)}){{ download }} |")
    lines.append("")
    for number, entry in enumerate(reversed(record.releases)):
        lines += _release(entry, titles, uses, latest=number == 0)
    return "\n".join(lines)


def _release(entry: ReleaseRecord, surveys: dict[str, SurveySummary], uses: dict[str, list[dict]],
             latest: bool) -> list[str]:
    release = entry.release
    heading = f"## {date_text(release.date)}{' (latest release)' if latest else ''} {{ #release-{release.name} }}\n"
    lines = [heading, f"{md_text(release.note)}\n",
             f"The statistics table as published that day: [stats.csv]({release_folder(release.name)}){{ download }} "
             f"({entry.figures:,} figures, {entry.added:,} of them new).\n"]
    if not entry.revisions:
        return [*lines, "No published figure was revised.\n"]
    quoted_and_reworded = [r for r in entry.revisions if r.words_changed and uses.get(r.key)]
    if quoted_and_reworded:
        lines.append(f"The words for {len(quoted_and_reworded)} quoted figure"
                     f"{'s' if len(quoted_and_reworded) != 1 else ''} changed with "
                     f"{'them' if len(quoted_and_reworded) != 1 else 'it'} (marked in the table below).\n")
    lines += ["| Figure | Was | Now | Words | Quoted on |", "| --- | ---: | ---: | --- | --- |"]
    lines += [_row(revision, release.name, surveys, uses) for revision in entry.revisions]
    lines.append("")
    return lines


def _row(revision: Revision, release: str, surveys: dict[str, SurveySummary], uses: dict[str, list[dict]]) -> str:
    survey = surveys.get(revision.survey)
    question = survey.question(revision.question) if survey else None
    label = _label(revision, survey)
    what = f"{md_text(question.title)}: {md_text(label)}" if question else md_text(label)
    link = f"[{what}]({revision.survey}.md#{revision.question})" if question else what
    figure = f'<span id="{anchor(release, revision.key)}"></span>{link}'
    if all(not w or w.endswith("%") for w in (revision.old_words, revision.new_words)):
        words = ""  # no words beyond the figure itself
    elif revision.words_changed:
        words = f"**changed**: {md_text(revision.old_words or 'none')} to {md_text(revision.new_words or 'none')}"
    else:
        words = f"unchanged ({md_text(revision.new_words)})"
    pages = uses.get(revision.key, [])
    quoted = ", ".join(f"[{md_text(use.get('title') or use['page'])}](../{use['page']})" for use in pages)
    return f"| {figure} | {md_text(revision.old)} | {md_text(revision.new)} | {words} | {quoted} |"


def _label(revision: Revision, survey: SurveySummary | None) -> str:
    """The answer, with its group's label for a breakdown: "Yes (Social worker)"."""
    segment = survey.segment(revision.segment) if survey and revision.segment else None
    if segment is None:
        return revision.label
    label = f"{revision.label} ({segment.label_of(revision.group)}"
    if ".vs=" in revision.key:  # a difference between groups: against whom
        other = revision.key.rsplit(".vs=", 1)[1]
        label += ", against " + (EVERYONE_ELSE if other == REST else segment.label_of(other))
    return label + ")"
