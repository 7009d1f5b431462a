"""The publishing half of the build: the engine builds the finished tree into a temporary folder, whose feed
links are checked and which is scanned for personal data, and swapped in only on success."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from build_scripts.publish.atomic_publish import STAGING_PREFIX, swap_in
from build_scripts.project import GENERATED
from build_scripts.errors import DataError, SiteBuildError
from build_scripts.publish.feed import dead_links
from build_scripts.project import Project
from build_scripts.publish.privacy import scan_site, typed_text
from build_scripts.publish.site_engine import Engine, run_build


def build_date_epoch(dates: list[str]) -> str:
    """A fixed build timestamp from the data (the latest fieldwork day), so rebuilds are byte-identical."""
    latest = max(dates) if dates else "2000-01-01"
    return str(int(datetime.fromisoformat(latest).replace(tzinfo=UTC).timestamp()))


def build_site(project: Project, epoch: str, engine: Engine) -> Path:
    """Build the finished tree with the engine (strict) into a temporary folder, check the feed's links and scan it
    for personal data, then replace site/."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=project.root))
    try:
        run_build(engine, project.engine_config, staging, epoch)
        problems = dead_links(staging)  # the feed's links, against the pages the engine published
        allowed = typed_text(project.docs_dir, project.docs_dir / GENERATED,
                             [project.config_file, project.surveys_dir / "sources.yml"])
        problems += scan_site(staging, allowed)
        if problems:
            raise DataError(problems)
    except SiteBuildError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteBuildError([*error.messages, f"the pages the engine read are the finished ones in "
                              f"{project.build_dir.name}/docs/ (rendered from the same path under docs/)"]) from None
    except BaseException:  # a personal-data find, Ctrl-C or a bug: still leave no half-built folder behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
    swap_in(staging, project.site_dir)
    return project.site_dir
