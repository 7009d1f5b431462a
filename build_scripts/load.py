"""Read each survey folder into a codebook and a table of responses, as text, exactly as exported."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from build_scripts.codebook import Codebook, load_codebook
from build_scripts.errors import Problem, relative, rows_text

CODEBOOK_NAME = "survey.yml"


@dataclass(frozen=True)
class Survey:
    """A survey's codebook, its responses (every cell a string, blanks as ""), and where it came from."""

    codebook: Codebook
    responses: pd.DataFrame
    responses_file: str

    @property
    def id(self) -> str:
        """The survey's identifier."""
        return self.codebook.id


def survey_folders(surveys_dir: Path) -> list[Path]:
    """Every folder under surveys/ that holds a codebook, in name order."""
    return sorted(p.parent for p in surveys_dir.glob(f"*/{CODEBOOK_NAME}"))


def load_surveys(surveys_dir: Path, root: Path) -> tuple[list[Survey], list[Problem]]:
    """Load every survey, collecting the problems of all of them rather than stopping at the first."""
    surveys, problems = [], []
    folders = survey_folders(surveys_dir)
    if not folders:
        problems.append(Problem(relative(surveys_dir, root), "", "no survey folders with a survey.yml were found",
                                "add surveys/<survey-id>/survey.yml and its responses file"))
    for folder in folders:
        book, found = load_codebook(folder / CODEBOOK_NAME, relative(folder / CODEBOOK_NAME, root))
        problems += found
        if book is None:
            continue
        path = folder / book.responses
        frame, found = read_responses(path, relative(path, root))
        problems += found
        if frame is not None:
            surveys.append(Survey(book, frame, relative(path, root)))
    return surveys, problems


def read_responses(path: Path, shown_as: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV export with every cell kept as text; blank cells become empty strings."""
    if not path.exists():
        return None, [Problem(shown_as, "", "the responses file named by the codebook does not exist",
                              "put the export here or correct `responses:` in survey.yml")]
    try:
        # Blank lines are kept while reading, then dropped, so row numbers still match the file.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        return None, [Problem(shown_as, "", f"the file cannot be read as CSV: {exc}",
                              "export the responses again as UTF-8 CSV with one header row")]
    except OSError as exc:
        return None, [Problem(shown_as, "", f"the file cannot be read: {exc.strerror}",
                              "point `responses:` in survey.yml at the export file")]
    short = _short_rows(path, len(frame.columns))
    if short:
        return None, [Problem(shown_as, rows_text(short), f"these rows have fewer cells than the {len(frame.columns)} "
                              "columns of the header", "export the file again: it was cut short or edited by hand")]
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    return frame[(frame != "").any(axis=1)], []


def _short_rows(path: Path, width: int) -> list[int]:
    """Line numbers of non-blank rows with fewer cells than the header (pandas would pad them silently)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return [reader.line_num for row in reader if row and len(row) < width]

