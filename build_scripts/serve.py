"""Live preview: MkDocs' own server, plus a watcher that recomputes figures when survey files change."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mkdocs.commands.serve import serve
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from build_scripts.pipeline import Project


class _OnChange(FileSystemEventHandler):
    def __init__(self, regenerate: Callable[[], None]):
        self.regenerate = regenerate
        self.lock = threading.Lock()

    def on_any_event(self, event) -> None:
        if event.is_directory or event.event_type not in {"created", "modified", "moved", "deleted"}:
            return
        # One regeneration at a time; it writes only changed files, which MkDocs' watcher then picks up.
        with self.lock:
            self.regenerate()


def serve_site(project: Project, dev_addr: str, regenerate: Callable[[], None]) -> None:
    """Serve the site with live reload until interrupted, regenerating data pages on survey changes."""
    observer = Observer()
    observer.schedule(_OnChange(regenerate), str(project.surveys_dir), recursive=True)
    observer.start()
    try:
        serve(config_file=str(project.config_file), dev_addr=dev_addr, livereload=True)
    finally:
        observer.stop()
        observer.join()
