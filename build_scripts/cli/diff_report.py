"""`diff`'s report, for the terminal or as a pull request's Markdown: the campaign manager's brief, headline first."""

from __future__ import annotations

from build_scripts.cli.diff import FOLD_BELOW, BrokenClaim, Comparison, FigureChange, Reading, SurveyNews, points
from build_scripts.cli.progress import counted

REVISED_NOTE = ("The same surveys, rebuilt: they share most of their respondents, so a figure that moved is "
                "*revised*, not tested. The tested changes between waves are the `.since=` rows; their words are "
                "what the copy prints.")

TALLIED = {"little change": "showed little change"}


def report(comparison: Comparison, base: str, markdown: bool) -> str:
    """The comparison as terminal text, or as Markdown for a pull request's summary."""
    return (_markdown if markdown else _terminal)(comparison, base)


def headline(c: Comparison) -> str:
    """One sentence: the copy affected, the claims that break, the words that changed."""
    if not c.anything:
        return "No published figure changed."
    changed = [change for change in c.quoted if change.before is not None]
    fresh = [change for change in c.quoted if change.before is None]
    parts = [f"{counted(len(changed), 'quoted figure')} changed{_on(changed)}" if changed or not fresh else ""]
    if fresh:
        parts.append(f"{counted(len(fresh), 'quoted figure')} {'is' if len(fresh) == 1 else 'are'} new{_on(fresh)}")
    parts.append(f"{counted(len(c.broken), 'claim')} {'breaks' if len(c.broken) == 1 else 'break'}"
                 if c.broken else "no claim breaks")
    worded = [change for change in c.quoted if change.words_changed]
    if worded:
        parts.append(f"{counted(len(worded), 'quoted figure')} changed {'its' if len(worded) == 1 else 'their'} words")
    lost = [change for change in c.quoted if change.after is None or change.after.number is None]
    if lost:
        parts.append(f"{len(lost)} quoted {'figure is' if len(lost) == 1 else 'figures are'} no longer published "
                     "(the build will refuse the page)")
    if c.new_surveys:
        parts.append(f"{counted(len(c.new_surveys), 'new survey')}")
    if c.removed_surveys:
        parts.append(f"{counted(len(c.removed_surveys), 'removed survey')}")
    return "; ".join(p for p in parts if p) + "."


def _on(changes: list[FigureChange]) -> str:
    pages = sorted({page for change in changes for page in change.pages})
    return f" on {', '.join(pages)}" if pages else ""


def describe(change: FigureChange) -> str:
    """What happened to one figure, as a page prints it: 'revised 41% -> 43% (+2.1 points)'."""
    was, now = change.before, change.after
    if was is None:
        if change.is_change and now.words:
            return f'new: "{now.words}" ({now.value})'
        return f"new: {now.value}" + (f' ("{now.words}")' if now.words else "") + _why(now)
    if now is None:
        return f"no longer in the figures (was {was.value})"
    if now.number is None:
        return f"now not published: {was.value} -> {now.value}{_why(now)}"
    if was.number is None:
        return f"now published: {was.value} -> {now.value}"
    if change.is_change:
        said = f'"{was.words}" -> "{now.words}"' if change.words_changed else f'still "{now.words}"'
        return f"{said}; revised {was.value} -> {now.value}"
    words = f'; in words "{was.words}" -> "{now.words}"' if change.pages and change.words_changed else ""
    return f"revised {was.value} -> {now.value} ({points(change.moved)}){words}"


def _why(reading: Reading | None) -> str:
    return f" ({reading.why})" if reading and reading.why else ""


def survey_line(news: SurveyNews, new: bool) -> str:
    """A new or removed survey in one line."""
    if not new:
        quoted = f"; {news.quoted} of them still quoted in the copy" if news.quoted else ""
        return (f"Removed survey {news.survey}: {counted(news.figures, 'figure')} of "
                f"{counted(news.questions, 'question')} no longer published{quoted}")
    facts = ([counted(news.respondents, "respondent")] if news.respondents is not None else []) + [
        counted(news.questions, "question"), counted(news.figures, "figure")]
    for earlier, tally in news.change_rows.items():
        said = ", ".join(f"{n} {TALLIED.get(words, words)}"
                         for words, n in sorted(tally.items(), key=lambda t: (-t[1], t[0])))
        facts[-1] += f" ({counted(sum(tally.values()), 'change row')} since {earlier}: {said})"
    if news.differences:
        facts.append(f"{counted(news.differences, 'difference')} between groups tested, {news.clear_differences} clear")
    quoted = f"; {news.quoted} quoted in the copy" if news.quoted else ""
    return f"New survey {news.survey}: {', '.join(facts)}{quoted}"


def folded_line(c: Comparison) -> str:
    """What is folded away, counted."""
    parts = [f"{counted(len(c.small), 'other figure')} moved by less than {FOLD_BELOW:g} point" if c.small else "",
             f"{counted(c.suppressed, 'suppressed figure')} not shown" if c.suppressed else "",
             f"{counted(c.unchanged, 'figure')} unchanged" if c.unchanged else ""]
    return ", ".join(p for p in parts if p) or "nothing else"


def _figure_lines(c: Comparison) -> list[str]:
    return ([f"New figures for {name}: {n}" for name, n in c.new_figures.items()]
            + [f"Figures no longer published for {name}: {n}" for name, n in c.gone_figures.items()])


def _held(claim: BrokenClaim) -> str:
    return " (it held in the earlier build)" if claim.held_before else ""


def _terminal(c: Comparison, base: str) -> str:
    lines = [f"Since {base}: {headline(c)}"]
    if not c.anything:
        return lines[0] + "\n"
    if c.quoted or c.broken:
        lines += ["", "Quoted in the copy:"]
        lines += [f"  {change.key} ({', '.join(change.pages)}): {describe(change)}" for change in c.quoted]
        lines += [f"  BROKEN {claim.describe()}{_held(claim)}" for claim in c.broken]
    if c.new_surveys or c.removed_surveys:
        lines += ["", *(survey_line(n, True) for n in c.new_surveys)]
        lines += [survey_line(n, False) for n in c.removed_surveys]
    if c.revisions or c.new_figures or c.gone_figures:
        lines += ["", "Revised (the same surveys rebuilt: not tested):"]
        lines += [f"  {change.key}: {describe(change)}" for change in c.revisions]
        lines += [f"  {line}" for line in _figure_lines(c)]
    lines += ["", f"Also: {folded_line(c)}."]
    return "\n".join(lines) + "\n"


def _markdown(c: Comparison, base: str) -> str:
    lines = [f"## Figures since `{_md(base)}`: the brief", "", f"**{_md(headline(c))}**", ""]
    if not c.anything:
        return "\n".join(lines)
    news = [_word_news(x) for x in c.quoted if x.words_changed]
    news += [f"- **Claim breaks:** {_md(claim.describe())}{_held(claim)}" for claim in c.broken]
    lines += news + ([""] if news else [])
    if c.quoted:
        lines += ["### Figures quoted in the copy", "",
                  "| Figure | Quoted on | Before | After | In words before | In words after | What happened |",
                  "| --- | --- | ---: | ---: | --- | --- | --- |"]
        lines += [f"| `{x.key}` | {_pages(x)} | {_value(x.before)} | {_value(x.after)} | {_words(x.before)} | "
                  f"{_words(x.after)} | {_md(_happened(x))} |" for x in c.quoted] + [""]
    if c.new_surveys or c.removed_surveys:
        lines += ["### New and removed surveys", ""]
        lines += [f"- {_md(survey_line(n, True))}" for n in c.new_surveys]
        lines += [f"- {_md(survey_line(n, False))}" for n in c.removed_surveys] + [""]
    whole = [x for x in c.revisions if not x.segment]
    groups = [x for x in c.revisions if x.segment]
    if whole or c.new_figures or c.gone_figures:
        lines += ["### Revisions", "", REVISED_NOTE, ""] + (_table(whole) if whole else [])
        lines += [f"- {_md(line)}" for line in _figure_lines(c)] + ([""] if c.new_figures or c.gone_figures else [])
    if groups:
        lines += _details(f"{counted(len(groups), 'figure')} for groups (breakdowns) revised by {FOLD_BELOW:g} point "
                          "or more", _table(groups))
    lines += _details(folded_line(c), _table(c.small) if c.small else ["No other figure moved.", ""])
    return "\n".join(lines)


def _word_news(x: FigureChange) -> str:
    if x.is_change:  # stat() prints a change as its tested words
        return f"- On {_pages(x)}, `{x.key}` now reads **{_md(x.after.words)}** (was *{_md(x.before.words)}*)"
    return (f"- On {_pages(x)}, `{x.key}` is now **{_md(x.after.value)}** (was {_md(x.before.value)}); "
            f"in words **{_md(x.after.words)}** (was *{_md(x.before.words)}*)")


def _pages(change: FigureChange) -> str:
    """The pages quoting a figure, their names made literal (a file may be named `a|b<i>.md`)."""
    return _md(", ".join(change.pages))


def _happened(change: FigureChange) -> str:
    if change.before is None or change.after is None or None in (change.before.number, change.after.number):
        return describe(change)
    if change.is_change:
        return ("words changed; " if change.words_changed else "") + f"revised {points(change.moved)}"
    return f"revised {points(change.moved)}"


def _details(summary: str, body: list[str]) -> list[str]:
    return [f"<details><summary>{_md(summary)}</summary>", "", *body, "</details>", ""]


def _table(changes: list[FigureChange]) -> list[str]:
    rows = ["| Figure | Before | After | Revised |", "| --- | ---: | ---: | --- |"]
    rows += [f"| `{x.key}` | {_value(x.before)} | {_value(x.after)} | {_md(_revised(x))} |" for x in changes]
    return rows + [""]


def _revised(change: FigureChange) -> str:
    if change.is_change and change.words_changed:
        return f'"{change.before.words}" -> "{change.after.words}" ({points(change.moved)})'
    return points(change.moved) if change.moved is not None else describe(change)


def _value(reading: Reading | None) -> str:
    return "—" if reading is None else _md(reading.value)


def _words(reading: Reading | None) -> str:
    return _md(reading.words) if reading and reading.words else "—"


def _md(text: str) -> str:
    """Text safe in a Markdown table cell or a summary: pipes and angle brackets literal."""
    text = str(text).replace(" -> ", " → ")
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
