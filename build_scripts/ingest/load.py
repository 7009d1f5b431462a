"""Read each survey folder into a codebook and a table of responses, as text, exactly as exported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from build_scripts.ingest.codebook import Codebook, load_codebook
from build_scripts.errors import Problem, relative
from build_scripts.ingest.exports import read_export

CODEBOOK_NAME = "survey.yml"


@dataclass(frozen=True)
class Survey:
    """A survey's codebook, its responses as text (indexed by spreadsheet row), and where they came from."""

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


def missing_surveys(surveys_dir: Path, root: Path, folders: list[Path]) -> list[Problem]:
    """The problem of a surveys folder with no survey in it (none when there are folders)."""
    if folders:
        return []
    return [Problem(relative(surveys_dir, root), "", "no survey folders with a survey.yml were found",
                    "add surveys/<survey-id>/survey.yml and its responses file")]


def load_survey(folder: Path, root: Path) -> tuple[Survey | None, list[Problem]]:
    """Load one survey folder's codebook and responses, or None with the problems found."""
    codebook = folder / CODEBOOK_NAME
    if not resolves_inside(codebook, root):
        return None, [Problem(as_named(codebook, root), "", "the codebook lies outside the project (it, or its "
                              "folder, is a link out of it)",
                              "put the survey's own folder and survey.yml here, not links")]
    shown_as = relative(codebook, root)
    book, problems = load_codebook(codebook, shown_as)
    if book is None:
        return None, problems
    path, refused = responses_path(folder, book, shown_as)
    if path is None:
        return None, refused
    export, found = read_export(path, relative(path, root), book.sheet, book.header_row)
    if export is None:
        return None, problems + found
    return Survey(book, export.frame, relative(path, root)), problems + found


def responses_path(folder: Path, book: Codebook, shown_as: str) -> tuple[Path | None, list[Problem]]:
    """Where the codebook's `responses:` points, resolved, or the problem of a path that leaves the survey's folder.

    Links and `..` are followed first, so that no file outside the folder is ever read (and quoted back).
    """
    named = Path(book.responses)
    if named.is_absolute() or not resolves_inside(folder / named, folder):
        return None, [Problem(shown_as, "field responses", "the responses file must be inside the survey's folder "
                              "(an absolute path, a path out of the folder or a link out of it is refused)",
                              f"copy the export into {folder.name}/ and give its name alone, "
                              "e.g. `responses: responses.csv`", book.responses)]
    return (folder / named).resolve(), []


def resolves_inside(path: Path, folder: Path, must_exist: bool = False) -> bool:
    """Whether path, with links and `..` followed, lies inside folder (and, with `must_exist`, is there)."""
    try:
        return path.resolve(strict=must_exist).is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False  # a link loop, a dangling link where one must exist, or a name the system refuses


def as_named(path: Path, root: Path) -> str:
    """A path as it is named under the project root, without following links (so their targets stay unsaid)."""
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return path.name
