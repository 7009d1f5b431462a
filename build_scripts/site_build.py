"""The publishing half of the build: MkDocs into a temporary folder, swapped in only on success."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from build_scripts.atomic_publish import STAGING_PREFIX, swap_in
from build_scripts.errors import DataError, SiteBuildError
from build_scripts.pipeline import Project
from build_scripts.privacy import scan_site, typed_text


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _mkdocs_logging():
    """Keep MkDocs' warnings for the error report (in strict mode any warning fails the build)."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate, logger.level = False, logging.INFO
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = saved


@contextmanager
def _source_date(epoch: str):
    """SOURCE_DATE_EPOCH for this build only (a value the caller set is kept), so one build cannot date the next."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or epoch
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def build_date_epoch(dates: list[str]) -> str:
    """A fixed build timestamp from the data (the latest fieldwork day), so rebuilds are byte-identical."""
    latest = max(dates) if dates else "2000-01-01"
    return str(int(datetime.fromisoformat(latest).replace(tzinfo=UTC).timestamp()))


def build_site(project: Project, epoch: str) -> Path:
    """Run `mkdocs build --strict` into a temporary folder, scan it for personal data, then replace site/ with it."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=project.root))
    with _mkdocs_logging() as log, _source_date(epoch):
        try:
            config = load_config(str(project.config_file), strict=True, site_dir=str(staging))
            config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does; plugins rely on it
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (MkDocsException, SystemExit, OSError) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise SiteBuildError(log.messages or [str(exc)]) from None
        except RecursionError:
            shutil.rmtree(staging, ignore_errors=True)
            raise SiteBuildError([*log.messages, "a page nests quotes, lists or HTML so deeply that Markdown cannot "
                                  "read it; fix: flatten it (`campaign-site check` names the page and line)"]) from None
        except (TypeError, AttributeError, ValueError, KeyError, LookupError, UnicodeError) as exc:
            # MkDocs, its theme and plugins fail like this on input they do not expect (`hide: 5` in a page).
            shutil.rmtree(staging, ignore_errors=True)
            raise SiteBuildError([*log.messages, f"MkDocs stopped on something in a page or mkdocs.yml it could not "
                                  f"read ({type(exc).__name__}: {str(exc)[:120]}); fix: run `campaign-site check`, "
                                  "which names the page and field"]) from None
        except BaseException:  # Ctrl-C or a bug: still leave no half-built folder behind
            shutil.rmtree(staging, ignore_errors=True)
            raise
    allowed = typed_text(project.docs_dir, project.generated_dir, [project.config_file, project.surveys_dir / "sources.yml"])
    problems = scan_site(staging, allowed)
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError(problems)
    staging.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
    swap_in(staging, project.site_dir)
    return project.site_dir
