"""Reuse an earlier wave's codebook for a draft: each column matched to its question by wording and answers.

A repeat wave asks the same questions, so its draft should carry the earlier wave's keys, titles,
options and their order, nets, routing, base and findings: then its figures line up with the earlier
wave's and change rows appear. Columns are matched on the question's wording (exactly, then closely)
or, for a column whose wording changed, on its answers; everything that did not match is listed for
the officer to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from build_scripts.errors import DataError, Problem
from build_scripts.ingest.codebook import (PLACEHOLDER, Codebook, Option, Question, Segment, load_codebook,
                                           series_of)
from build_scripts.ingest.draft_codebook import DISCLOSURE
from build_scripts.ingest.draft_words import untaken
from build_scripts.ingest.load import CODEBOOK_NAME

CLOSE_WORDING = 0.8  # difflib's ratio above which two wordings are one question lightly edited
CLOSE_ANSWERS = 0.8  # share of a column's answers the earlier question had, above which it is that question


@dataclass
class WaveMatch:
    """The draft rewritten from the earlier wave, and what the officer must decide."""

    book: dict
    earlier: str
    exact: list[str] = field(default_factory=list)  # earlier keys found word for word
    close: list[str] = field(default_factory=list)  # "key: why" for matches the officer should confirm
    new: list[str] = field(default_factory=list)  # columns that match no earlier question
    dropped: list[str] = field(default_factory=list)  # earlier keys this export does not have
    notes: list[str] = field(default_factory=list)  # new options, changed wording, routing to check

    def decisions(self) -> list[str]:
        """Everything the officer should look at, one line each."""
        return ([f"check the match: {line}" for line in self.close]
                + [f"new, not in {self.earlier}: {line}" for line in self.new]
                + [f"not in this export (dropped?): {key}" for key in self.dropped] + self.notes)


def match_wave(book: dict, earlier: Codebook, new_year: str | None) -> WaveMatch:
    """The draft `book` with every item that matches one of the `earlier` codebook's taken from it."""
    result = WaveMatch(book=dict(book), earlier=earlier.id)
    drafted = [("segment", item) for item in book.get("segments", [])] + \
              [("question", item) for item in book.get("questions", [])]
    known = [("segment", s) for s in earlier.segments] + [("question", q) for q in earlier.questions]
    pairs = _pairs(drafted, known)
    segments, questions = [], []
    for index, (_, item) in enumerate(drafted):
        if index not in pairs:
            continue
        kind, old, how = pairs[index]
        reused = _reuse(item, old, result)
        if how != "exact":
            result.close.append(f"{old.key} <- column {item['column']!r} ({how})")
        else:
            result.exact.append(old.key)
        (segments if kind == "segment" else questions).append((old, reused))
    ordered_segments = [reused for _, reused in sorted(segments, key=lambda p: earlier.segments.index(p[0]))]
    taken = {item.key for _, item in known}
    for index, (kind, item) in enumerate(drafted):
        if index in pairs:
            continue
        item = dict(item, key=untaken(item["key"], taken))
        result.new.append(f"{item['key']} (column {item['column']!r})")
        if kind == "segment":
            ordered_segments.append(item)
        else:
            questions.append((None, item))
    found = {old.key for old, _ in segments} | {old.key for old, _ in questions if old}
    result.dropped = [item.key for _, item in known if item.key not in found]
    for _, item in questions:
        routing = item.get("asked")
        if routing and routing.get("segment") not in {s["key"] for s in ordered_segments}:
            item.pop("asked")
            result.notes.append(f"routing of {item['key']!r} left out: its segment {routing['segment']!r} is not "
                                "in this export; add `asked:` if only some people were asked")
    result.book["segments"] = ordered_segments
    result.book["questions"] = [item for _, item in questions]
    _carry_survey_fields(result.book, earlier, new_year)
    return result


def _pairs(drafted: list[tuple[str, dict]], known: list[tuple[str, Segment | Question]]) -> dict:
    """Draft index -> (earlier kind, earlier item, how matched), best matches first, each item used once."""
    scored = []
    answers_alike: dict[int, list[int]] = {}
    for i, (_, item) in enumerate(drafted):
        for j, (kind, old) in enumerate(known):
            if not _same_shape(item, old):
                continue
            wording = max(_similarity(item.get("text") or item.get("label", ""), text) for text in _texts(old))
            answers = _answers_in_common(item, old)
            if wording == 1.0:
                scored.append((3 + answers, i, j, "exact"))
            elif wording >= CLOSE_WORDING:
                scored.append((2 + wording, i, j, f"wording {round(wording * 100)}% alike"))
            elif answers >= CLOSE_ANSWERS:
                answers_alike.setdefault(i, []).append(j)
                scored.append((1 + answers, i, j, "same answers, different wording"))
    by_known: dict[int, int] = {}
    for i, js in answers_alike.items():
        for j in js:
            by_known[j] = by_known.get(j, 0) + 1
    pairs, used = {}, set()
    for score, i, j, how in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if how.startswith("same answers") and (len(answers_alike[i]) > 1 or by_known[j] > 1):
            continue  # answers like Yes / No fit many questions: only a match of one to one says anything
        if i not in pairs and j not in used:
            pairs[i] = (*known[j][:2], how)
            used.add(j)
    return pairs


def _same_shape(item: dict, old: Segment | Question) -> bool:
    kind = getattr(old, "type", "single")
    drafted = item.get("type", "single")
    return drafted == kind or (kind == "single" and drafted == "multi" and "separator" in item)


def _texts(old: Segment | Question) -> list[str]:
    return [old.text, old.title, old.column or ""] if isinstance(old, Question) else [old.label, old.column]


def _normal(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^\w'%]+", " ", text).split())


def _similarity(a: str, b: str) -> float:
    a, b = _normal(a), _normal(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # Upper bounds first (by length, then by letters in common): the full ratio takes time growing with the
    # product of the lengths, which long wordings in a wide export made minutes. Only a close ratio is used.
    if matcher.real_quick_ratio() < CLOSE_WORDING or matcher.quick_ratio() < CLOSE_WORDING:
        return 0.0
    return matcher.ratio()


def _answers_in_common(item: dict, old: Segment | Question) -> float:
    new = {_normal(o["label"]) for o in item.get("options", [])}
    before = {_normal(o.export_value) for o in old.options} | {_normal(o.label) for o in old.options}
    common = new & before
    return len(common) / len(new) if len(common) >= 2 else 0.0


def _reuse(item: dict, old: Segment | Question, result: WaveMatch) -> dict:
    """The earlier item as plain data, reading this export's column(s) and answers."""
    reused = old.model_dump(mode="json", exclude_defaults=True)
    if isinstance(old, Question):
        reused["type"] = old.type  # required, so kept even where it equals a default
        if _normal(item.get("text", "")) != _normal(old.text):
            result.notes.append(f"wording of {old.key!r} changed: was {old.text!r}, now {item['text']!r}; the "
                                "new wording is kept (the page shows what respondents saw)")
            reused["text"] = item["text"]
        if "separator" in item:
            reused["separator"] = item["separator"]
    drafted = {_normal(o["label"]): o for o in item.get("options", [])}
    options = []
    for option in old.options:
        match = drafted.pop(_normal(option.export_value), None) or drafted.pop(_normal(option.label), None)
        options.append(_option(option, match))
    taken = {o["key"] for o in options}
    for extra in drafted.values():
        extra = dict(extra, key=untaken(extra["key"], taken))
        options.append(extra)
        result.notes.append(f"new answer in {old.key!r}: {extra['label']!r} (key {extra['key']}); a question whose "
                            "options changed has no change rows")
    reused["options"] = options
    if "column" in item:
        reused["column"] = item["column"]
    return reused


def _option(option: Option, drafted: dict | None) -> dict:
    """An earlier option, pointed at this export's spelling and column of it."""
    kept = option.model_dump(mode="json", exclude_defaults=True)
    if drafted is None:
        return kept
    spelt = drafted.get("value") or drafted["label"]
    kept.pop("value", None)
    if spelt != option.label:
        kept["value"] = spelt
    if drafted.get("column"):
        kept["column"] = drafted["column"]
    return kept


def _carry_survey_fields(book: dict, earlier: Codebook, new_year: str | None) -> None:
    """The survey's own fields: the earlier title for the new year, disclosure left for a person to confirm."""
    old_year = str(earlier.fieldwork.start.year)
    if new_year and old_year in earlier.title:
        book["title"] = earlier.title.replace(old_year, new_year)
    for name in DISCLOSURE:
        book[name] = f"{PLACEHOLDER}: in {earlier.id}, {getattr(earlier, name)!r}"
    if series_of(book["id"]) != earlier.series_key:
        book["series"] = earlier.series_key
    if earlier.weighting and (earlier.weighting.targets or book.get("weighting")):
        weighting = earlier.weighting.model_dump(mode="json", exclude_defaults=True)
        if earlier.weighting.column:
            weighting["column"] = book["weighting"]["column"]
        book["weighting"] = weighting
    order = ["id", "title", *DISCLOSURE, "series", "fieldwork", "responses", "sheet", "header_row", "id_column",
             "weighting", "segments", "questions"]
    reordered = {name: book[name] for name in order if name in book}
    rest = {name: value for name, value in book.items() if name not in reordered}
    book.clear()
    book.update(reordered | rest)


def year_of(survey_id: str) -> str | None:
    """The year a survey's id ends with, if it does."""
    found = re.search(r"-(\d{4})$", survey_id)
    return found.group(1) if found else None


def earlier_wave(surveys_dir: Path, wave_of: str) -> Codebook:
    """The codebook of the survey `--wave-of` names, or a problem saying which surveys there are."""
    path = surveys_dir / wave_of / CODEBOOK_NAME
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", wave_of) or not path.is_file():
        there = sorted(p.parent.name for p in surveys_dir.glob(f"*/{CODEBOOK_NAME}"))
        raise DataError([Problem("--wave-of", "", f"there is no survey {wave_of!r} in {surveys_dir.name}/",
                                 f"name one of: {', '.join(there) or '(none yet)'}", wave_of)])
    book, problems = load_codebook(path, f"{surveys_dir.name}/{wave_of}/{CODEBOOK_NAME}")
    if book is None:
        raise DataError(problems)
    return book


def latest_wave(surveys_dir: Path, survey_id: str) -> Codebook | None:
    """The newest readable codebook of the series `survey_id` joins by its id, other than its own."""
    found = []
    for path in sorted(surveys_dir.glob(f"*/{CODEBOOK_NAME}")):
        if path.parent.name == survey_id:
            continue
        book, _ = load_codebook(path, str(path))
        if book is not None and book.series_key == series_of(survey_id):
            found.append(book)
    return max(found, key=lambda b: (b.fieldwork.start, b.id), default=None)


def wave_preface(match: WaveMatch) -> str:
    """Comment lines for the top of the draft: what was reused and what the officer must decide."""
    lines = [f"# Reused from {match.earlier}'s codebook: {len(match.exact)} item(s) matched word for word"
             f"{f', {len(match.close)} closely' if match.close else ''}.",
             f"# Keys, options, routing and findings are {match.earlier}'s, so the two waves' figures line up",
             "# and change rows appear.",
             "# Fill in the TODO fields (who ran this wave, how and when) and check anything listed here:"]
    lines += [f"#   {_one_line(decision)}" for decision in match.decisions()] or ["#   (nothing: every column matched)"]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."
