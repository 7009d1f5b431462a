"""Two site engines, one finished tree: MkDocs and Zensical publish the same pages, text, links, head metadata
(each page's own share card and description) and files, and either fails cleanly on what it refuses."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import invoke, report_module, shipped_copy
from test_serve import _Server, _wait_for


def _report_module():
    return report_module()


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory, built_shipped_site: Path) -> Path:
    """The shipped project built with Zensical, starting from the cache the MkDocs build of it left (the figures and
    charts are the engines' common input; test_a_zensical_build_of_the_same_inputs_is_byte_identical builds cold)."""
    project = shipped_copy(tmp_path_factory.mktemp("zensical"))
    shutil.copytree(built_shipped_site / ".cache", project / ".cache")
    result = invoke("build", "--engine", "zensical", "--project", str(project))
    assert result.exit_code == 0, result.output
    return project


def test_the_shipped_site_is_the_same_under_both_engines(built_shipped_site: Path, zensical_site: Path):
    found = _report_module().compare(built_shipped_site / "site", zensical_site / "site")
    assert found.failures() == [], _report_module().report(built_shipped_site / "site", zensical_site / "site")
    assert len(found.both) >= 9
    home = (zensical_site / "site/index.html").read_text(encoding="utf-8")
    assert 'content="zensical-' in home  # it really was Zensical
    early_help = (zensical_site / "site/early-help/index.html").read_text(encoding="utf-8")
    sources = (zensical_site / "site/sources/index.html").read_text(encoding="utf-8")
    share = [page.split('property="og:image" content="')[1].split('"')[0] for page in (early_help, sources)]
    assert share[0] != share[1], "every page shared the site's card"


def test_both_engines_publish_the_same_feed_bytes_with_every_link_a_page(built_shipped_site: Path,
                                                                        zensical_site: Path):
    from build_scripts.publish.feed import FEED, dead_links

    feeds = [(project / "site" / FEED).read_bytes() for project in (built_shipped_site, zensical_site)]
    assert feeds[0] == feeds[1] and b"<item>" in feeds[0]
    assert feeds[0] == (built_shipped_site / ".build/docs" / FEED).read_bytes()  # ours, copied as it is
    assert dead_links(built_shipped_site / "site") == [] and dead_links(zensical_site / "site") == []
    for project in (built_shipped_site, zensical_site):  # each engine's pages announce it
        home = (project / "site/index.html").read_text(encoding="utf-8")
        assert home.count('rel="alternate" type="application/rss+xml"') == 1 and FEED in home


def test_a_zensical_build_of_the_same_inputs_is_byte_identical(zensical_site: Path, tmp_path: Path):
    again = tmp_path / "again"
    shutil.copytree(zensical_site, again, ignore=shutil.ignore_patterns("site", ".cache", ".build"))
    result = invoke("build", "--engine", "zensical", "--project", str(again))
    assert result.exit_code == 0, result.output
    assert _tree(again / "site") == _tree(zensical_site / "site")


def test_the_engine_is_a_project_setting_and_an_unknown_one_is_a_clear_error(mini_site: Path):
    config = mini_site / "mkdocs.yml"
    written = config.read_text(encoding="utf-8")
    config.write_text(written + "extra:\n  campaign_site:\n    engine: zensical\n", encoding="utf-8")
    result = invoke("build", "--project", str(mini_site))
    assert result.exit_code == 0, result.output
    assert "with zensical" in result.output and 'content="zensical-' in (mini_site / "site/index.html").read_text()
    config.write_text(written + "extra:\n  campaign_site:\n    engine: hugo\n", encoding="utf-8")
    result = invoke("build", "--project", str(mini_site))
    assert result.exit_code == 1 and "no site engine called 'hugo'" in result.output
    assert "mkdocs, zensical" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_what_the_engine_refuses_fails_the_build_naming_the_page(mini_site: Path, engine: str):
    page = mini_site / "docs/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[Support](data/mini-2020.md#no-such-heading)\n",
                    encoding="utf-8")
    result = invoke("build", "--engine", engine, "--project", str(mini_site))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no-such-heading" in result.output and "index.md" in result.output
    assert not (mini_site / "site").exists()


def test_serve_previews_through_zensical_with_the_same_renderer(mini_site: Path):
    server = _Server(mini_site, "--engine", "zensical")
    try:
        _wait_for(server.url, ">55%<")
        responses = mini_site / "surveys/mini-2020/responses.csv"
        responses.write_text(responses.read_text().replace("R001,North,Yes,", "R001,North,No,", 1))
        _wait_for(server.url, ">54%<")
        responses.write_text(responses.read_text().replace("R002,North,Yes,", "R002,North,Perhaps,", 1))
        page = _wait_for(server.url, "This preview has problems")
        assert "Perhaps" in page and server.process.poll() is None
    finally:
        output = server.stop()
    assert "Traceback" not in output
