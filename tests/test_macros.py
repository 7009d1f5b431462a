"""The mkdocs-macros module: the names it registers are the ones the copy check knows."""

from __future__ import annotations

from pathlib import Path

from build_scripts import macros
from build_scripts.copy_check import MACROS


class _FakeEnv:
    def __init__(self, docs_dir: Path):
        self.conf = {"docs_dir": str(docs_dir)}
        self.registered: dict[str, object] = {}

    def macro(self, function):
        self.registered[function.__name__] = function
        return function


def test_registered_macros_are_exactly_those_the_copy_check_allows(tmp_path: Path):
    env = _FakeEnv(tmp_path)
    macros.define_env(env)
    assert set(env.registered) == MACROS


def test_a_figure_from_the_table_prints_in_house_style(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "stats.csv").write_text(
        "key,survey,question,estimate,ci_low,ci_high,suppressed,suppression,base,low_base\n"
        "s.q.yes,s,q,0.415,0.35,0.48,false,,200,false\n"
        "s.q.no,s,q,0.6,0.5,0.7,false,,80,true\n"
        "s.q.dk,s,q,,,,true,base under 50,30,false\n"
    )
    (data / "site-data.json").write_text('{"surveys": [], "sources": []}')
    env = _FakeEnv(tmp_path)
    macros.define_env(env)
    stat = env.registered["stat"]
    assert stat("s.q.yes").startswith("[42%<span") and stat("s.q.yes").endswith("{ .figure }")
    assert stat("s.q.yes", form="words").startswith("[more than four in ten<span")
    assert stat("s.q.no").startswith("[60% (low base: 80)<span")
    assert stat("s.q.dk") == macros.UNAVAILABLE
    assert stat("s.q.nothing") == macros.UNAVAILABLE
