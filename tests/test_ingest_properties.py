"""Whatever a codebook, an export, sources.yml or a post holds, loading it gives results or problems
(a CampaignError), never any other exception: random YAML trees, random bytes and mutated real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.errors import CampaignError, Problem
from build_scripts.ingest.exports import read_export
from build_scripts.ingest.load import load_survey
from build_scripts.pipeline.compute import Project, compute
from build_scripts.ingest.sources import load_sources
from build_scripts.editorial.updates import latest_post, read_post

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])
MINI = FIXTURES / "mini-site"
CODEBOOK = (MINI / "surveys/mini-2020/survey.yml").read_text(encoding="utf-8")
SOURCES = (MINI / "surveys/sources.yml").read_text(encoding="utf-8")
SHIPPED_CODEBOOK = (REPO / "surveys/public-2015/survey.yml").read_text(encoding="utf-8")
SHIPPED_SOURCES = (REPO / "surveys/sources.yml").read_text(encoding="utf-8")
POST = "---\ndate: 2015-11-02\ndescription: Launch\n---\n\n# Launch\n\nOpening.\n\n<!-- more -->\n\nRest.\n"

# Values an attacker or a slip of the keyboard writes where a field's value goes, as raw YAML.
HOSTILE_YAML = ["2015-02-30", "2015-13-45", "2015-11-31", "0000-00-00", "!!timestamp 2015-02-30", "!!int abc",
                "!!bool maybe", "!!float x", "!!binary '###'", "!!python/object/apply:os.system ['true']", "*nowhere",
                "&a [*a]", "&b {k: *b}", "[[[[[[[[", "{", "'open", "~", "yes", "1e999", "-.inf", "9" * 5000,
                "../../../../etc/passwd", "/etc/passwd", "responses.xlsx", "responses.sav", "TODO", "\x00", "\ufeff",
                "{start: 2015-02-30, end: 2015-13-45}", "[]", "{}", "- a\n- b", "|\n  text", "!!set {a, b}",
                "!!omap [a: 1]", "2015-02-30T25:61:61Z"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                    st.sampled_from(["2015-02-30", "2015-13-45", "../../etc/passwd", "/etc/passwd", "TODO", ""]))
NAMES = st.sampled_from(["id", "title", "fieldwork", "start", "end", "responses", "sheet", "questions", "options",
                         "segments", "key", "label", "column", "type", "sources", "date", "url", "value", "weighting",
                         "targets", "shares", "segments", "draft", "created", "asked", "nets"]) | st.text(max_size=6)
TREES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=5),
                     max_leaves=25)


@st.composite
def mutated(draw, text: str) -> str:
    """A real file with one of its lines' values replaced by a hostile one, or a few characters spliced in."""
    lines = text.splitlines()
    at = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()) and ":" in lines[at]:
        name = lines[at].split(":", 1)[0]
        lines[at] = f"{name}: {draw(st.sampled_from(HOSTILE_YAML))}"
        return "\n".join(lines) + "\n"
    where = draw(st.integers(0, len(text)))
    return text[:where] + draw(st.text(max_size=8)) + text[where + draw(st.integers(0, 8)):]


def yaml_text(valid: str):
    """YAML text: a random tree dumped, a real file mutated, or any text at all."""
    return st.one_of(TREES.map(lambda tree: yaml.safe_dump(tree, allow_unicode=True)), mutated(valid),
                     st.text(max_size=300))


def _problems_are_clear(problems: list[Problem]) -> None:
    assert all(p.file and p.message and p.fix for p in problems)
    assert all(p.value is None or isinstance(p.value, str) for p in problems)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ingest") / "site"
    shutil.copytree(MINI, root)
    return root


@SETTINGS
@given(text=yaml_text(CODEBOOK) | mutated(SHIPPED_CODEBOOK))
def test_any_codebook_gives_a_survey_or_problems(site, text):
    folder = site / "surveys/mini-2020"
    (folder / "survey.yml").write_text(text, encoding="utf-8")
    survey, problems = load_survey(folder, site)
    assert (survey is None) == bool(problems)
    _problems_are_clear(problems)


@SETTINGS
@given(data=st.binary(max_size=3000) | mutated(CODEBOOK).map(str.encode))
def test_any_bytes_as_a_codebook_give_a_survey_or_problems(site, data):
    folder = site / "surveys/mini-2020"
    (folder / "survey.yml").write_bytes(data)
    survey, problems = load_survey(folder, site)
    assert (survey is None) == bool(problems)
    _problems_are_clear(problems)


@SETTINGS
@given(text=yaml_text(SOURCES) | mutated(SHIPPED_SOURCES))
def test_any_sources_file_gives_sources_or_problems(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("sources") / "sources.yml"
    path.write_text(text, encoding="utf-8")
    sources, problems = load_sources(path, "surveys/sources.yml")
    assert sources is not None
    _problems_are_clear(problems)


POST_FRONT = st.one_of(TREES.map(lambda tree: yaml.safe_dump(tree, allow_unicode=True)),
                       st.sampled_from(HOSTILE_YAML).map(lambda value: f"date: {value}\n"),
                       st.sampled_from(HOSTILE_YAML).map(lambda value: f"date:\n  created: {value}\n"),
                       st.text(max_size=100))


@SETTINGS
@given(front=POST_FRONT, body=st.text(max_size=200))
def test_any_post_gives_a_post_nothing_or_problems(tmp_path_factory, front, body):
    docs = tmp_path_factory.mktemp("docs")
    path = docs / "updates/posts/post.md"
    path.parent.mkdir(parents=True)
    path.write_text(f"---\n{front}\n---\n\n{body}", encoding="utf-8")
    for read in (lambda: read_post(path, docs), lambda: latest_post(docs)):
        try:
            read()
        except CampaignError as error:
            _problems_are_clear(error.problems)


WORKBOOK = (FIXTURES / "exports/workbook.xlsx").read_bytes()
SPSS = (FIXTURES / "exports/spss.sav").read_bytes()


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """A real file with a few bytes changed, cut short, or a run of bytes spliced in."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out) - 1))
        out[at:at + draw(st.integers(0, 16))] = draw(st.binary(max_size=16))
    return bytes(out[:draw(st.integers(len(out) // 2, len(out)))] if draw(st.booleans()) else out)


@settings(SETTINGS, max_examples=25)
@given(case=st.one_of(damaged(WORKBOOK).map(lambda b: (".xlsx", b)), damaged(SPSS).map(lambda b: (".sav", b))))
def test_damaged_workbooks_and_spss_files_give_an_export_or_problems(tmp_path_factory, case):
    suffix, data = case
    path = tmp_path_factory.mktemp("export") / f"responses{suffix}"
    path.write_bytes(data)
    export, problems = read_export(path, f"surveys/x/responses{suffix}", "Responses" if suffix == ".xlsx" else None)
    assert (export is None) == bool(problems)
    _problems_are_clear(problems)


@settings(SETTINGS, max_examples=15)
@given(codebook=st.just(CODEBOOK) | mutated(CODEBOOK), sources=st.just(SOURCES) | yaml_text(SOURCES),
       post=st.just(POST) | POST_FRONT.map(lambda front: f"---\n{front}\n---\n\n# Post\n"))
def test_the_pipeline_gives_figures_or_a_campaign_error_for_any_inputs(site, codebook, sources, post):
    (site / "surveys/mini-2020/survey.yml").write_text(codebook, encoding="utf-8")
    (site / "surveys/sources.yml").write_text(sources, encoding="utf-8")
    (site / "docs/updates/posts").mkdir(parents=True, exist_ok=True)
    (site / "docs/updates/posts/post.md").write_text(post, encoding="utf-8")
    try:
        compute(Project(site))
        latest_post(site / "docs")
    except CampaignError as error:
        _problems_are_clear(getattr(error, "problems", []))
