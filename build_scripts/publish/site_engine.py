"""The site engines: MkDocs or Zensical, run through their own command line on the finished tree.

Nothing of this project runs inside the engine's process (no plugin, no hook), so the engine imports
none of the data stack, and either engine can publish the same finished tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from build_scripts.errors import SiteBuildError

DEFAULT_ENGINE = "mkdocs"
ENGINE_OUTPUT = "site"  # Zensical has no output option: it writes the config's site_dir, which must lie in .build/
_LOG_LINE = re.compile(r"^(?i:(warning|error|critical))\s*(?:-|:)\s*(.*)$")
_WHERE = re.compile(r"\[\s*([^\]\s:]+):(\d+)(?::\d+)?\s*\]")  # Zensical's ╭─[ page.md:12:5 ] under a warning
_EXCERPT = re.compile(r"^(\d+)\s*│\s?(.*)$")  # and the page's line itself: 12 │ [Read more](nowhere.md)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LEVEL = re.compile(r"^(?i:debug|info|warning|error|critical)\b")


@dataclass(frozen=True)
class Engine:
    """One engine: its name, the module that runs it, and how to ask it to build or serve."""

    name: str
    module: str  # run as `python -m <module>`, from this environment
    package: str  # the distribution that provides it, for the message when it is missing

    def build_command(self, config_file: Path, site_dir: Path) -> list[str]:
        """The command that builds the finished tree into site_dir, failing on any warning."""
        if self.name == "zensical":  # it writes the config's site_dir; `run_build` moves that into site_dir
            return [sys.executable, "-m", self.module, "build", "--strict", "--config-file", str(config_file)]
        return [sys.executable, "-m", self.module, "build", "--strict", "--clean",  # not --quiet: it hides warnings from --strict
                "--config-file", str(config_file), "--site-dir", str(site_dir)]

    def serve_command(self, config_file: Path, dev_addr: str) -> list[str]:
        """The command that serves the finished tree with live reload on dev_addr."""
        if self.name == "zensical":
            return [sys.executable, "-m", self.module, "serve", "--config-file", str(config_file),
                    "--dev-addr", dev_addr]
        return [sys.executable, "-m", self.module, "serve", "--config-file", str(config_file),
                "--dev-addr", dev_addr, "--livereload"]

    def installed(self) -> bool:
        """Whether this environment can run the engine."""
        import importlib.util

        return importlib.util.find_spec(self.module) is not None


ENGINES = {
    "mkdocs": Engine("mkdocs", "mkdocs", "mkdocs-material"),
    "zensical": Engine("zensical", "zensical", "zensical"),
}


def engine_named(name: str) -> Engine:
    """The engine of this name; SiteBuildError naming the choices if there is none, or it is not installed."""
    engine = ENGINES.get(name)
    if engine is None:
        raise SiteBuildError([f"there is no site engine called {name!r}; fix: use one of {', '.join(ENGINES)}"])
    if not engine.installed():
        raise SiteBuildError([f"the {name} engine is not installed in this environment; fix: "
                              f"`.venv/bin/python -m pip install {engine.package}` (or `make install`)"])
    return engine


def project_engine(config: dict) -> str:
    """The engine the project asks for in mkdocs.yml (extra: campaign_site: engine:), or MkDocs."""
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    settings = extra.get("campaign_site") if isinstance(extra.get("campaign_site"), dict) else {}
    return str(settings.get("engine") or DEFAULT_ENGINE)


def run_build(engine: Engine, config_file: Path, site_dir: Path, epoch: str) -> None:
    """Build the finished tree into site_dir; SiteBuildError with the engine's warnings and errors if it fails."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", epoch), "NO_COLOR": "1",
           "NO_MKDOCS_2_WARNING": "1"}  # MkDocs 1.6 otherwise prints a page about MkDocs 2 on every build
    env.pop("PYTHONSTARTUP", None)
    command = engine.build_command(config_file, site_dir)
    try:
        done = subprocess.run(command, cwd=config_file.parent, env=env, capture_output=True, text=True,
                              errors="replace", timeout=1800)
    except subprocess.TimeoutExpired:
        raise SiteBuildError([f"{engine.name} did not finish building within 30 minutes"]) from None
    messages = engine_messages(done.stdout + "\n" + done.stderr)
    if done.returncode != 0 or messages:
        tail = [line for line in _ANSI.sub("", done.stderr).strip().splitlines()[-3:] if line.strip()]
        raise SiteBuildError(messages or tail or [f"{engine.name} stopped (exit status {done.returncode})"])
    if engine.name == "zensical":
        _collect_zensical_output(config_file, site_dir)


def engine_messages(log: str) -> list[str]:
    """The warnings and errors in an engine's log, one line each: MkDocs' `WARNING -  ...` lines (with the lines
    that continue them), and Zensical's `Warning: ...` with the page and line it gives on the lines below; no
    colours, no strict-mode summary."""
    lines = [_ANSI.sub("", line).strip() for line in log.splitlines()]
    found = []
    for i, line in enumerate(lines):
        match = _LOG_LINE.match(line)
        if not match or match.group(2).startswith(("Aborted with", "Aborted because")):
            continue
        message = match.group(2).strip()
        where = next((m for follow in lines[i + 1:i + 3] if (m := _WHERE.search(follow))), None)
        if where:
            excerpt = next((m.group(2).strip() for follow in lines[i + 2:i + 6] if (m := _EXCERPT.match(follow))), "")
            found.append(f".build/docs/{where.group(1)}, line {where.group(2)} of the finished page: {message}"
                         + (f" (the line reads: {excerpt[:120]})" if excerpt else ""))
            continue
        for follow in lines[i + 1:i + 3]:  # MkDocs continues a message on the next lines: the reason
            if not follow or _LEVEL.match(follow) or follow.startswith(("Traceback", "File ")):
                break
            message += " " + follow
        found.append(message)
    return found


def _collect_zensical_output(config_file: Path, site_dir: Path) -> None:
    """Zensical wrote the config's site_dir (inside .build/); move what it wrote into the staging folder."""
    built = config_file.parent / ENGINE_OUTPUT
    if not built.is_dir():
        raise SiteBuildError([f"Zensical reported success but wrote no {built}"])
    for entry in site_dir.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for entry in built.iterdir():
        shutil.move(str(entry), site_dir / entry.name)
    built.rmdir()
