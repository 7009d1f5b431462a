"""Live preview: MkDocs' own server, plus a watcher that recomputes figures when survey files change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.serve import serve
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from build_scripts.pipeline import PROBLEMS, Project

SETTLE_SECONDS = 0.5  # a save often fires several events; recompute once they stop


class _Debounced(FileSystemEventHandler):
    """Runs `regenerate` once events stop, one run at a time, ignoring changes under `ignored`."""

    def __init__(self, regenerate: Callable[[], None], ignored: Path):
        self.regenerate = regenerate
        self.ignored = ignored.resolve()
        self.lock = threading.Lock()
        self.running = threading.Lock()  # a run that starts while one is going waits for it
        self.timer: threading.Timer | None = None

    def on_any_event(self, event) -> None:
        if event.is_directory or event.event_type not in {"created", "modified", "moved", "deleted"}:
            return
        paths = [Path(p).resolve() for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        if all(path == self.ignored or self.ignored in path.parents for path in paths):
            return  # the build's own output: reacting to it would loop
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(SETTLE_SECONDS, self._run)
            self.timer.daemon = True
            self.timer.start()

    def _run(self) -> None:
        with self.running:
            self.regenerate()


def show_problems(project: Project, text: str) -> None:
    """Put the build's problems where every previewed page shows them (the next good run removes them)."""
    path = project.generated_dir / PROBLEMS
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError:
        pass  # a full or read-only disk: the terminal has the problems already


def serve_site(project: Project, dev_addr: str, regenerate: Callable[[], None]) -> None:
    """Serve the site with live reload until interrupted, regenerating data pages when surveys or pages change.

    Regeneration rewrites only the generated files whose content changed; MkDocs' own watcher
    then rebuilds and reloads the browser.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)  # it lists its internals
    observer = Observer()
    # Survey files change the figures; pages change which figures are quoted and which claims must
    # hold (and a fixed page clears the problems shown). The generated folder is the build's own.
    watcher = _Debounced(regenerate, ignored=project.generated_dir)
    observer.schedule(watcher, str(project.surveys_dir), recursive=True)
    observer.schedule(watcher, str(project.docs_dir), recursive=True)
    observer.start()
    try:
        serve(config_file=str(project.config_file), dev_addr=dev_addr, livereload=True)
    finally:
        observer.stop()
        observer.join()
        logger.removeHandler(handler)
