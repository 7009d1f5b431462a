"""Incremental and reproducible builds: the content-hash cache, and byte-identical output from the same inputs."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli, run_here

from build_scripts import cache as cache_module
from build_scripts.cache import Cache, folder_digest


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _summary(stderr: str) -> str:
    return re.search(r"^  \d+ surveys? \(.*$", stderr, re.MULTILINE).group(0)


@pytest.fixture
def waves_site(tmp_path: Path) -> Path:
    target = tmp_path / "waves"
    shutil.copytree(FIXTURES / "waves-site", target)
    return target


@pytest.fixture
def built_waves(built_waves_site: Path, tmp_path: Path) -> Path:
    """A copy of the waves site as its first build left it (site/, .build/ and the cache): the state the tests
    below start from, without each building it from cold again."""
    target = tmp_path / "waves"
    shutil.copytree(built_waves_site, target, symlinks=True)
    return target


def test_an_unchanged_rebuild_reads_no_responses_and_draws_nothing(waves_site: Path):
    first = run_cli("build", cwd=waves_site)
    assert first.returncode == 0, first.stderr
    assert "(2 read, 0 unchanged from the cache)" in _summary(first.stderr)
    written = {p: p.stat().st_mtime_ns for folder in (".build", "site") for p in (waves_site / folder).rglob("*")
               if p.is_file()}
    same = run_cli("build", cwd=waves_site)  # nothing changed: recognised before anything is read
    assert same.returncode == 0 and "Nothing changed since the last build" in same.stderr
    assert {p: p.stat().st_mtime_ns for p in written} == written
    page = waves_site / "docs/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence more.\n", encoding="utf-8")
    again = run_cli("build", cwd=waves_site)  # only the copy changed: no survey read, no chart drawn
    assert again.returncode == 0, again.stderr
    assert "(0 read, 2 unchanged from the cache)" in _summary(again.stderr)
    assert re.search(r"1 changed; 0 charts and share images drawn, \d+ from the cache", again.stderr)
    assert re.search(r"\d+ charts \(0 drawn\)", again.stderr)
    # and it rewrote only the page that changed, so a preview server reloads once
    changed = {p for p in written if p.exists() and p.stat().st_mtime_ns != written[p] and ".build" in p.parts}
    assert changed == {waves_site / ".build/docs/index.md"}


def test_a_changed_survey_is_the_only_one_recomputed_and_gives_what_a_clean_build_gives(built_waves: Path, tmp_path):
    waves_site = built_waves
    responses = waves_site / "surveys/tracker-2020/responses.csv"
    lines = responses.read_text(encoding="utf-8").splitlines(keepends=True)
    responses.write_text("".join(lines[:-5]), encoding="utf-8")  # five fewer respondents
    rebuilt = run_here("build", cwd=waves_site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "(1 read, 1 unchanged from the cache)" in _summary(rebuilt.stderr)
    clean = tmp_path / "clean"
    shutil.copytree(waves_site, clean, ignore=shutil.ignore_patterns(".cache", "site", ".build"))
    assert run_here("build", "--no-cache", cwd=clean).returncode == 0
    assert _tree(waves_site / "site") == _tree(clean / "site")


def test_no_cache_recomputes_and_refreshes_the_cache(built_waves: Path):
    waves_site = built_waves
    responses = waves_site / "surveys/tracker-2019/responses.csv"
    before = (waves_site / "site/data/stats.csv").read_text(encoding="utf-8")
    lines = responses.read_text(encoding="utf-8").splitlines(keepends=True)
    responses.write_text("".join(lines[:-4]), encoding="utf-8")
    fresh = run_here("build", "--no-cache", cwd=waves_site)
    assert "(2 read, 0 unchanged from the cache)" in _summary(fresh.stderr)
    after = (waves_site / "site/data/stats.csv").read_text(encoding="utf-8")
    assert after != before
    shutil.rmtree(waves_site / "site")  # so the build runs rather than finding nothing changed
    again = run_here("build", cwd=waves_site)  # what --no-cache computed is what the cache now holds
    assert "(0 read, 2 unchanged from the cache)" in _summary(again.stderr)
    assert (waves_site / "site/data/stats.csv").read_text(encoding="utf-8") == after


def test_a_responses_file_outside_the_survey_folder_is_refused_even_with_a_warm_cache(waves_site: Path):
    folder = waves_site / "surveys/tracker-2020"
    exports = waves_site / "exports"
    exports.mkdir()
    (folder / "responses.csv").rename(exports / "tracker-2020.csv")
    codebook = folder / "survey.yml"
    codebook.write_text(codebook.read_text(encoding="utf-8").replace(
        "responses: responses.csv", "responses: ../../exports/tracker-2020.csv"), encoding="utf-8")
    refused = run_here("build", cwd=waves_site)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "surveys/tracker-2020/survey.yml" in refused.stderr and "responses" in refused.stderr


def test_check_reads_the_cache_but_writes_nothing(waves_site: Path):
    result = run_here("check", cwd=waves_site)
    assert result.returncode == 0, result.stderr
    assert not (waves_site / ".cache").exists() and not (waves_site / ".build").exists()


def test_a_new_code_version_or_changed_file_changes_the_key(tmp_path: Path, monkeypatch):
    folder = tmp_path / "survey"
    folder.mkdir()
    (folder / "survey.yml").write_text("id: s\n")
    store = Cache(tmp_path / "cache")
    key = store.key("survey", folder_digest(folder))
    store.put("survey", key, {"figures": 1})
    assert store.get("survey", key) == {"figures": 1}
    (folder / "survey.yml").write_text("id: t\n")
    assert store.key("survey", folder_digest(folder)) != key
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version of the code")
    (folder / "survey.yml").write_text("id: s\n")
    assert store.key("survey", folder_digest(folder)) != key  # same inputs, new code: recomputed


def test_a_damaged_cache_entry_is_recomputed_not_trusted(tmp_path: Path):
    store = Cache(tmp_path)
    store.put("chart", "k", {"a": "b"})
    (tmp_path / "chart/k").write_bytes(b"not a pickle")
    assert store.get("chart", "k") is None
    assert store.remember("chart", "k", lambda: {"a": "c"}) == {"a": "c"}
    assert store.misses["chart"] == 2 and Cache(None).get("chart", "k") is None


def test_unused_entries_are_pruned(tmp_path: Path):
    store = Cache(tmp_path)
    store.put("chart", "old", 1)
    fresh = Cache(tmp_path)
    fresh.put("chart", "new", 2)
    assert fresh.prune(["chart"]) == 1
    assert sorted(p.name for p in (tmp_path / "chart").iterdir()) == ["new"]


def test_two_builds_of_the_shipped_site_are_byte_identical(built_shipped_site: Path, tmp_path: Path):
    # A second copy in another folder, built without the cache: same inputs, same bytes, wherever built.
    other = tmp_path / "elsewhere"
    shutil.copytree(built_shipped_site, other, ignore=shutil.ignore_patterns(".cache", "site", "data"))
    result = run_here("build", "--no-cache", cwd=other)
    assert result.returncode == 0, result.stderr
    first, second = _tree(built_shipped_site / "site"), _tree(other / "site")
    assert first == second
    assert any(name.endswith(".png") for name in first) and "feed_rss_created.xml" in first
    assert "sitemap.xml.gz" in first


def test_a_change_to_the_theme_folder_or_a_variable_mkdocs_yml_reads_is_not_a_no_op(built_waves: Path, monkeypatch):
    waves_site = built_waves
    theme = waves_site / "theme"
    theme.mkdir()
    (theme / "main.html").write_text('{% extends "base.html" %}\n')
    config = waves_site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("theme:\n  name: material", "theme:\n  name: material\n  custom_dir: ./theme")
    config.write_text(text + 'extra:\n  contact: !ENV [CAMPAIGN_CONTACT, CAMPAIGN_EMAIL, "none"]\n', encoding="utf-8")
    assert "custom_dir: ./theme" in config.read_text(encoding="utf-8")
    assert run_here("build", cwd=waves_site).returncode == 0
    (theme / "main.html").write_text('{% extends "base.html" %}\n{# edited #}\n')
    assert "Nothing changed" not in run_here("build", cwd=waves_site).stderr
    assert "Nothing changed" in run_here("build", cwd=waves_site).stderr
    monkeypatch.setenv("CAMPAIGN_EMAIL", "press@example.org")
    assert "Nothing changed" not in run_here("build", cwd=waves_site).stderr
