"""Generate a synthetic survey of any size (respondents x questions x segments) for the scale benchmark.

Writes `<project>/surveys/<survey-id>/survey.yml` (a codebook valid for our schema) and `responses.csv`
beside it. Everything is drawn with numpy from one seed, and the CSV is written by pyarrow, so a
million respondents take seconds: the same arguments always give the same bytes.

The questions mix what real campaign surveys ask: single-choice questions with 3 to 5 options
including "Don't know" (agreement scales with nets, some on an answering base), one routed question,
and a multi-choice question every tenth; segments have 3 to 5 values, some of them small groups.

Run: `.venv/bin/python bench/make_scale_survey.py DIR --respondents 1000000 --questions 30 --segments 4`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

SURVEY_ID = "scale-2024"
DONT_KNOW = {"key": "dont_know", "label": "Don't know", "kind": "dont_know"}

# (key, label, column, [(option key, label, share)]): breakdowns with 3 to 5 values, some groups small.
SEGMENTS = [
    ("age_band", "Age band", "Age", [("18-34", "18 to 34", .27), ("35-44", "35 to 44", .16), ("45-54", "45 to 54", .18),
                                     ("55-64", "55 to 64", .16), ("65-plus", "65 and over", .23)]),
    ("sex", "Sex", "Sex", [("female", "Female", .51), ("male", "Male", .48), ("other", "In another way", .01)]),
    ("nation", "UK nation", "Nation", [("england", "England", .84), ("scotland", "Scotland", .084),
                                       ("wales", "Wales", .048), ("northern_ireland", "Northern Ireland", .028)]),
    ("parent", "Parent of a child under 18", "Parent", [("yes", "Yes", .3), ("no", "No", .66),
                                                        ("prefer_not", "Prefer not to say", .04)]),
]

AGREE = [("strongly_agree", "Strongly agree"), ("agree", "Agree"), ("disagree", "Disagree"),
         ("strongly_disagree", "Strongly disagree")]
YES_NO = [("yes", "Yes"), ("no", "No")]
LIKELY = [("very_likely", "Very likely"), ("fairly_likely", "Fairly likely"), ("not_likely", "Not likely")]
MULTI = [("family", "Family and friends"), ("school", "Schools and nurseries"), ("health", "GPs and health visitors"),
         ("council", "The local council")]


def segment_specs(count: int) -> list[tuple]:
    """The first `count` breakdowns: realistic ones first, then generic ones with 3 to 5 groups."""
    specs = list(SEGMENTS[:count])
    for i in range(len(specs), count):
        size = 3 + i % 3
        shares = np.linspace(2, 1, size) / np.linspace(2, 1, size).sum()
        specs.append((f"segment_{i + 1}", f"Segment {i + 1}", f"Segment {i + 1}",
                      [(f"group_{chr(97 + j)}", f"Group {chr(65 + j)}", float(s)) for j, s in enumerate(shares)]))
    return specs


def question_spec(i: int, segments: list[tuple]) -> dict:
    """The codebook entry of question i (0-based): the kind of question cycles through realistic shapes."""
    number = i + 1
    entry = {"key": f"q{number}", "title": f"Question {number}", "column": f"Q{number}"}
    kind = i % 10
    if kind == 9:
        return entry | {"text": f"Question {number}: who should help families? Choose all that apply.",
                        "type": "multi", "separator": ";",
                        "options": [{"key": k, "label": v} for k, v in MULTI] + [DONT_KNOW]}
    entry |= {"text": f"Question {number}: how far do you agree?", "type": "single"}
    if kind in (0, 3, 6):  # an agreement scale with nets; every other one on an answering base
        entry["options"] = [{"key": k, "label": v} for k, v in AGREE] + [DONT_KNOW]
        entry["nets"] = [{"key": "agree_net", "label": "Agree (net)", "options": ["strongly_agree", "agree"]},
                         {"key": "disagree_net", "label": "Disagree (net)", "options": ["disagree", "strongly_disagree"]}]
        if kind == 3:
            entry["base"] = "answering"
    elif kind in (1, 4, 7):
        entry["options"] = [{"key": k, "label": v} for k, v in YES_NO] + [DONT_KNOW]
    else:
        entry["options"] = [{"key": k, "label": v} for k, v in LIKELY] + [DONT_KNOW]
    if kind == 4 and segments:  # routed: asked of all but the last group of the first segment
        seg = segments[0]
        entry["asked"] = {"segment": seg[0], "values": [k for k, _, _ in seg[3][:-1]],
                          "description": f"respondents not in the group {seg[3][-1][1]}"}
    return entry


STRATA, PSUS_PER_STRATUM = 50, 20  # with --design: a clustered sample of 1,000 areas in 50 strata


def codebook(questions: int, segments: list[tuple], weighted: bool, design: bool = False) -> dict:
    """A complete codebook for the generated responses."""
    book = {
        "id": SURVEY_ID, "title": "Synthetic scale-test survey", "commissioned_by": "The scale benchmark",
        "conducted_by": "bench/make_scale_survey.py (synthetic data)",
        "fieldwork": {"start": "2024-01-08", "end": "2024-01-14"}, "method": "Online panel survey (synthetic)",
        "population": "Adults aged 18 and over in the UK", "coverage": "United Kingdom",
        "notes": "Synthetic responses drawn at random for benchmarking; not findings.",
        "responses": "responses.csv", "id_column": "Respondent ID",
    }
    if weighted:
        book["weighting"] = {"column": "Weight", "variables": ["age band", "sex", "UK nation"],
                             "targets_source": "none: random weights for benchmarking"}
    if design:
        book["design"] = {"strata": "Stratum", "psu": "Area"}
    book["segments"] = [{"key": k, "label": label, "column": column,
                         "options": [{"key": ok, "label": ol} for ok, ol, _ in options]}
                        for k, label, column, options in segments]
    book["questions"] = [question_spec(i, segments) for i in range(questions)]
    return book


def _draw(rng: np.random.Generator, shares, size: int) -> np.ndarray:
    """Indices 0..len(shares)-1 drawn with the given shares, vectorised."""
    cumulative = np.cumsum(np.asarray(shares, dtype=float))
    cumulative /= cumulative[-1]
    return np.searchsorted(cumulative, rng.random(size), side="right").astype(np.int32)


def _cells(labels: list[str], codes: np.ndarray) -> pa.Array:
    """Each respondent's cell: labels[code], with code -1 written as a blank cell."""
    dictionary = pa.array(labels + [None], pa.string())
    return pc.take(dictionary, pa.array(np.where(codes < 0, len(labels), codes)))


def responses(book: dict, segments: list[tuple], respondents: int, seed: int) -> pa.Table:
    """The responses table, one column per codebook column, every cell text."""
    rng = np.random.default_rng(seed)
    n = respondents
    numbers = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
    columns = {book["id_column"]: pc.binary_join_element_wise("R", pc.utf8_lpad(numbers, len(str(n)), "0"), "")}
    codes = {}
    for key, _, column, options in segments:
        codes[key] = _draw(rng, [s for _, _, s in options], n)
        columns[column] = _cells([label for _, label, _ in options], codes[key])
    for q in book["questions"]:
        labels = [o["label"] for o in q["options"]]
        if q["type"] == "multi":
            columns[q["column"]] = _multi_cells(rng, labels, q["separator"], n)
            continue
        shares = rng.dirichlet(np.full(len(labels), 3.0))
        shares[-1] = min(shares[-1], 0.08)  # Don't know: a few per cent, as in real surveys
        answer = _draw(rng, shares, n)
        answer[rng.random(n) < 0.02] = -1  # item non-response: a blank cell
        if "asked" in q:
            seg = next(s for s in segments if s[0] == q["asked"]["segment"])
            allowed = [i for i, (k, _, _) in enumerate(seg[3]) if k in q["asked"]["values"]]
            answer[~np.isin(codes[seg[0]], allowed)] = -1  # not asked: left blank
        columns[q["column"]] = _cells(labels, answer)
    if "design" in book:
        area = rng.integers(0, STRATA * PSUS_PER_STRATUM, n)
        area[:STRATA * PSUS_PER_STRATUM] = np.arange(STRATA * PSUS_PER_STRATUM)  # every area sampled
        columns["Stratum"] = pc.cast(pa.array(area // PSUS_PER_STRATUM), pa.string())
        columns["Area"] = pc.cast(pa.array(area % PSUS_PER_STRATUM), pa.string())
    if "weighting" in book:
        weights = np.clip(rng.lognormal(0.0, 0.35, n), 0.2, 5.0).round(4)
        columns[book["weighting"]["column"]] = pc.cast(pa.array(weights), pa.string())
    return pa.table(columns)


def _multi_cells(rng: np.random.Generator, labels: list[str], separator: str, n: int) -> pa.Array:
    """A multi question: any combination of the answers, joined by the separator; or Don't know; or blank."""
    answers = labels[:-1]
    chosen = rng.random((n, len(answers))) < rng.uniform(0.2, 0.6, len(answers))
    combination = chosen @ (1 << np.arange(len(answers)))
    combos = [f"{separator} ".join(a for j, a in enumerate(answers) if c >> j & 1) or None
              for c in range(1 << len(answers))]
    combination[rng.random(n) < 0.05] = len(combos)  # Don't know, on its own
    dictionary = pa.array(combos + [labels[-1]], pa.string())
    return pc.take(dictionary, pa.array(combination.astype(np.int32)))


def make_survey(project: Path, respondents: int, questions: int = 30, segments: int = 4, seed: int = 7,
                weighted: bool = True, quote_all: bool = False, design: bool = False) -> Path:
    """Write a project's surveys/<id>/survey.yml and responses.csv; returns the responses file.

    Cells are quoted only where needed (none of the generated values needs it), as Excel and pandas
    write CSV; `quote_all` quotes every text cell, as some survey tools do.
    """
    folder = project / "surveys" / SURVEY_ID
    folder.mkdir(parents=True, exist_ok=True)
    specs = segment_specs(segments)
    book = codebook(questions, specs, weighted, design)
    (folder / "survey.yml").write_text(yaml.safe_dump(book, sort_keys=False, allow_unicode=True, width=120))
    table = responses(book, specs, respondents, seed)
    path = folder / "responses.csv"
    quote = '"{}"' if quote_all else "{}"
    with path.open("wb") as out:  # the header as people write it: quoted only when asked to
        out.write((",".join(quote.format(name) for name in table.column_names) + "\n").encode())
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False,
                                                       quoting_style="needed" if quote_all else "none"))
    return path


def main() -> None:
    """Command-line entry: write a synthetic survey of the requested size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="project folder; the survey goes in its surveys/ folder")
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--unweighted", action="store_true", help="leave out the weight column")
    parser.add_argument("--quote-all", action="store_true", help="put every text cell in quotes")
    parser.add_argument("--design", action="store_true", help="a stratified, clustered sample with `design:`")
    args = parser.parse_args()
    started = time.perf_counter()
    path = make_survey(args.project, args.respondents, args.questions, args.segments, args.seed,
                       not args.unweighted, args.quote_all, args.design)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
