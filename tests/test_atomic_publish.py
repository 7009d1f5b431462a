"""Publishing that readers and other builds can rely on: site/ swapped whole, one build at a time, a killed
build repaired, a full or read-only disk reported (issue 11)."""

from __future__ import annotations

import errno
import shutil
import threading
from pathlib import Path

import pytest

from build_scripts.publish import atomic_publish
from build_scripts.publish.atomic_publish import BuildBusy, exclusive, recover, swap_in
from conftest import invoke


def test_an_exchange_swap_never_leaves_site_missing(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("0")
    stop, missing = threading.Event(), []

    def read() -> None:
        while not stop.is_set():
            try:
                (site / "index.html").read_text()
            except FileNotFoundError:
                missing.append(1)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(1, 150):
            staging = tmp_path / f".site-build-{n}"
            staging.mkdir()
            (staging / "index.html").write_text(str(n))
            swap_in(staging, site)
    finally:
        stop.set()
        reader.join()
    assert not missing, f"site/index.html was missing {len(missing)} times while sites were swapped"
    assert (site / "index.html").read_text() == "149"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_killed_between_renames_is_repaired_at_the_next_start(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(atomic_publish, "_exchange", lambda a, b: False)  # the two-rename fallback
    site, staging = tmp_path / "site", tmp_path / ".site-build-x"
    for folder, text in ((site, "old"), (staging, "new")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    real_rename = Path.rename

    def killed(self, target):
        if self == staging:
            raise KeyboardInterrupt  # the process dies after retiring site/, before the new one is in place
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", killed)
    with pytest.raises(KeyboardInterrupt):
        swap_in(staging, site)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not site.exists()
    (tmp_path / ".site-build-stale").mkdir()
    recover(tmp_path, site)
    assert (site / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_waits_for_the_first_and_gives_up_with_a_message(tmp_path: Path):
    said: list[str] = []
    with exclusive(tmp_path):
        with pytest.raises(BuildBusy) as raised:
            with exclusive(tmp_path, said.append, wait=0.3):
                pass
    assert said and "Waiting for another campaign-site build" in said[0]
    assert "fix:" in raised.value.describe()
    released = threading.Event()
    with exclusive(tmp_path):
        def second() -> None:
            with exclusive(tmp_path, wait=30):
                released.set()
        thread = threading.Thread(target=second)
        thread.start()
        assert not released.wait(0.3), "the second build ran while the first held the lock"
    thread.join(30)
    assert released.is_set(), "the second build never ran after the first finished"


def test_the_build_command_cleans_up_what_a_killed_build_left(built_mini_site: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(built_mini_site, project, symlinks=True)
    shutil.rmtree(project / "site")
    shutil.copytree(built_mini_site / "site", project / ".site-old-999")  # killed mid-swap
    (project / ".site-build-abc").mkdir()  # a staging folder from a crash
    result = invoke("build", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert (project / "site/index.html").exists()
    assert not list(project.glob(".site-*"))


@pytest.mark.parametrize("code, fix", [(errno.ENOSPC, "free some disk space"), (errno.EROFS, "read-only"),
                                       (errno.EACCES, "writable")])
def test_a_full_or_read_only_disk_is_a_message_and_site_is_unchanged(built_mini_site: Path, tmp_path: Path,
                                                                      monkeypatch, code: int, fix: str):
    project = tmp_path / "project"
    shutil.copytree(built_mini_site, project, symlinks=True)
    (project / "surveys/mini-2020/responses.csv").write_text(
        (project / "surveys/mini-2020/responses.csv").read_text().replace("R001,North,Yes,", "R001,North,No,", 1))
    before = {p.relative_to(project): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}

    def full(self):
        raise OSError(code, "simulated", str(project / "docs/data/stats.csv"))

    monkeypatch.setattr("build_scripts.publish.writer.GeneratedFolder.flush", full)
    result = invoke("build", "--project", str(project))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an OSError escaping
    assert "docs/data/stats.csv" in result.output and fix in result.output
    after = {p.relative_to(project): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before
