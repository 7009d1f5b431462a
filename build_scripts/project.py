"""Where a campaign site's parts live: the project's folders and files, by convention, from its root.

Kept free of the data stack so that commands can find their way around a project quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GENERATED = "data"  # the generated pages' folder in the finished docs tree: data/stats.csv, data/<survey>.md
REVISIONS_PAGE = f"{GENERATED}/revisions.md"  # the public record: every release and the figures it revised
FINISHED = ".build"  # the finished tree the site engine publishes: mkdocs.yml, docs/ rendered, the theme folder


@dataclass(frozen=True)
class Project:
    """Where a campaign site's parts live, by convention, relative to its root."""

    root: Path

    @property
    def surveys_dir(self) -> Path:
        return self.root / "surveys"

    @property
    def releases_dir(self) -> Path:
        """The public record: each release's note and frozen statistics table, releases/<date>/."""
        return self.root / "releases"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def build_dir(self) -> Path:
        """The finished tree: what the site engine (MkDocs or Zensical) builds, written by the pipeline."""
        return self.root / FINISHED

    @property
    def finished_docs_dir(self) -> Path:
        return self.build_dir / "docs"

    @property
    def generated_dir(self) -> Path:
        return self.finished_docs_dir / GENERATED

    @property
    def engine_config(self) -> Path:
        return self.build_dir / "mkdocs.yml"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache" / "campaign-site"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    def theme_dir(self, config: dict) -> Path | None:
        """The theme's custom_dir that mkdocs.yml (as plain data) names, when it is a folder inside the project."""
        theme = config.get("theme")
        folder = theme.get("custom_dir") if isinstance(theme, dict) else None
        if not isinstance(folder, str):
            return None
        path = (self.root / folder).resolve()
        return path if path.is_dir() and self.root.resolve() in path.parents else None

    def input_folders(self, config: dict) -> list[Path]:
        """The folders the site is made from, resolved: docs/, surveys/, releases/ and the theme's custom_dir, as
        they exist."""
        folders = [self.docs_dir.resolve(), self.surveys_dir.resolve(), self.releases_dir.resolve(),
                   self.theme_dir(config)]
        return [folder for folder in folders if folder is not None and folder.is_dir()]


def generated_pages(survey_ids) -> set[str]:
    """The pages the build writes under the generated folder: downloads, revisions and a page per survey."""
    return {f"{GENERATED}/index.md", REVISIONS_PAGE} | {f"{GENERATED}/{survey}.md" for survey in survey_ids}


def chart_name(survey: str, question: str, by: str = "", trend: bool = False) -> str:
    """A chart's file stem, made here only: survey, question and segment keys (letters, digits, - and _, never a
    dot) joined by dots, with `by` and `trend` as their own parts, so no two charts can share a name."""
    return ".".join([survey, question, *(["by", by] if by else []), *(["trend"] if trend else [])])
