"""Live preview: the engine's own server on the finished tree, and a watcher that re-renders it on change."""

from __future__ import annotations

import ctypes
import dataclasses
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from build_scripts.publish.atomic_publish import exclusive
from build_scripts.cache import Cache
from build_scripts.editorial.copy_functions import CopyData
from build_scripts.editorial.copy_render import render_copy
from build_scripts.errors import CampaignError, DataError, SiteBuildError
from build_scripts.pipeline.finished_tree import write_finished_tree, write_preview_pages
from build_scripts.pipeline.compute import compute
from build_scripts.project import Project
from build_scripts.cli.progress import Progress, counted
from build_scripts.publish.site_engine import Engine
from build_scripts.yaml_schema import read_site_config

SETTLE_SECONDS = 0.5  # a save often fires several events; recompute once they stop


class Preview:
    """Rewrites the finished tree for `serve`: the figures recomputed (one survey if one changed), the copy
    re-rendered with each figure's key in its tooltip, and any problems shown at the top of every page over the
    last figures that built."""

    def __init__(self, project: Project, say: Callable[[str], None]):
        self.project, self.say = project, say
        self.data = CopyData(preview=True)  # the last good figures the copy read (none before anything built)

    def regenerate(self) -> None:
        """Recompute and re-render; on a problem, say it in the terminal and on every page."""
        from build_scripts.cli.commands import file_system_problem

        project, progress = self.project, Progress(self.say)
        cache = Cache(project.cache_dir)
        try:
            with exclusive(project.root, self.say):  # a `build` in another terminal writes the same files
                try:
                    results = compute(project, copy_must_hold=False, cache=cache)
                except CampaignError as exc:
                    self._show(exc.describe())
                    return
                # Rendered again for the preview (a few milliseconds): the build's own rendering never names keys.
                results.copy_data = dataclasses.replace(results.copy_data, preview=True)
                results.copy = render_copy(project.docs_dir, project.root, results.copy_data)
                # What CI refuses is shown on the pages: broken figures, typed figures, figures moved since a release.
                broken = results.copy.figure_problems + results.copy.rule_problems + results.unreleased
                shown = DataError(broken).describe() if broken else ""
                if broken:
                    self.say(shown)
                cached = cache.hits.get("survey", 0)
                progress.note(f"{counted(len(results.figures), 'survey')} ({len(results.surveys)} read, {cached} "
                              f"unchanged from the cache), {counted(len(results.copy.pages), 'page')} rendered")
                write_finished_tree(project, results, progress.note, cache, problems=shown)
                self.data = results.copy_data
        except OSError as exc:
            self._show(file_system_problem(exc))
        except CampaignError as exc:  # another build held the project too long: keep the pages as they are
            self.say(exc.describe())

    def _show(self, text: str) -> None:
        """Print the problems and re-render the pages over the last good figures (none if nothing built yet)."""
        self.say(text)
        project = self.project
        try:
            copy = render_copy(project.docs_dir, project.root, self.data)
            write_preview_pages(project, copy, read_site_config(project.config_file), text, self.data.campaign)
        except OSError:
            pass  # a full or read-only disk: the terminal has the problems already


class _Debounced(FileSystemEventHandler):
    """Runs `regenerate` once events stop, one run at a time, for changes under the watched inputs."""

    def __init__(self, regenerate: Callable[[], None], relevant: Callable[[Path], bool]):
        self.regenerate = regenerate
        self.relevant = relevant
        self.lock = threading.Lock()
        self.running = threading.Lock()  # a run that starts while one is going waits for it
        self.timer: threading.Timer | None = None

    def on_any_event(self, event) -> None:
        if event.is_directory or event.event_type not in {"created", "modified", "moved", "deleted"}:
            return
        paths = [Path(p).resolve() for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        if not any(self.relevant(path) for path in paths):
            return  # the build's own output, or a file the site is not made from: reacting would loop
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(SETTLE_SECONDS, self._run)
            self.timer.daemon = True
            self.timer.start()

    def _run(self) -> None:
        with self.running:
            self.regenerate()


def watched_inputs(project: Project, folders: list[Path]) -> Callable[[Path], bool]:
    """Whether a changed path is one the site is made from: under one of its input folders, or mkdocs.yml."""
    config = project.config_file.resolve()
    return lambda path: path == config or any(folder == path or folder in path.parents for folder in folders)


try:  # looked up here, not in the child between fork and exec, where only the call itself is safe
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None  # not Linux: the SIGTERM handler in serve_site still stops the server on an interrupt


def _stop_with_parent() -> None:
    """In the engine's server process: end when this process ends, however it ends (Linux's PR_SET_PDEATHSIG)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # 1 is PR_SET_PDEATHSIG


def serve_site(project: Project, engine: Engine, dev_addr: str, regenerate: Callable[[], None]) -> None:
    """Serve the finished tree with the engine's live-reloading server until interrupted, re-rendering it
    whenever an input changes; only changed files are rewritten, and the engine reloads the browser."""
    folders = project.input_folders(read_site_config(project.config_file))
    relevant = watched_inputs(project, folders)
    watcher = _Debounced(regenerate, relevant)
    # `kill` or a test's terminate() sends SIGTERM: stop the engine's server too, rather than orphan it. The
    # server starts before the watcher's threads, so nothing else runs while it forks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = subprocess.Popen(engine.serve_command(project.engine_config, dev_addr), cwd=project.build_dir,
                              preexec_fn=_stop_with_parent)
    observer = Observer()
    observer.schedule(watcher, str(project.root), recursive=False)  # mkdocs.yml
    for folder in folders:
        observer.schedule(watcher, str(folder), recursive=True)
    observer.start()
    try:
        if server.wait() != 0:  # it stopped by itself: it could not start, or failed
            raise SiteBuildError([f"the {engine.name} preview server stopped (exit status {server.returncode}); "
                                  f"fix: if {dev_addr} is already in use, pass another with --dev-addr"])
    finally:
        observer.stop()
        observer.join()
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
