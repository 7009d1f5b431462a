"""Issue 15's new doors attacked with hostile inputs: new-survey (the export, --id, --wave-of, mkdocs.yml's nav),
figures WORD, diff BASE, copy exceptions and the preview's keys. Each test keeps an attack closed; those marked
xfail are open in modules outside this review's reach and reported."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO, invoke, shipped_copy

from build_scripts.cli.diff import Comparison, FigureChange, Reading
from build_scripts.cli.diff_report import report
from build_scripts.cli.site_nav import add_survey_page, nav_label, nav_pages
from build_scripts.cli.serve import Preview
from build_scripts.ingest.codebook import load_codebook
from build_scripts.ingest.wave_match import match_wave
from build_scripts.project import Project
from build_scripts.yaml_schema import TagTolerantLoader

EXAMPLE = REPO / "guide" / "examples" / "professionals-2016.csv"
P15, P16 = "data/professionals-2015.md", "data/professionals-2016.md"
SHIPPED_NAV_LINE = "      - Professionals who work with children: data/professionals-2015.md\n"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    return shipped_copy(tmp_path_factory.mktemp("attacks"))


def _project(shipped: Path, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(shipped, project)
    return project


def _config(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=TagTolerantLoader)


def _new_wave(project: Path, *args: str):
    return invoke("new-survey", str(EXAMPLE), "--id", "professionals-2016", "--project", str(project), *args)


# --- new-survey: mkdocs.yml's nav ------------------------------------------------------------------------------


def test_crlf_mkdocs_yml_gains_one_crlf_line_and_keeps_every_other_byte(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    config = project / "mkdocs.yml"
    before = config.read_bytes().replace(b"\n", b"\r\n")
    config.write_bytes(before)
    result = _new_wave(project)
    assert result.exit_code == 0, result.output
    after = config.read_bytes()
    added = b'      - "Professionals who work with children, 2016": data/professionals-2016.md\r\n'
    anchor = SHIPPED_NAV_LINE.replace("\n", "\r\n").encode()
    assert after == before.replace(anchor, anchor + added)  # was: the whole file rewritten with LF line ends


@pytest.mark.parametrize("label, shown", [
    ('"Pros\\N2015\\Lnow"', "Pros 2016 now"),  # U+0085 and U+2028: line breaks to YAML
    ('"Pros \\x7f\\x9b 2015"', "Pros \x7f\x9b 2016"),  # characters YAML refuses unescaped
    ('"Pros \\ud800 2015"', "Pros \ud800 2016"),  # a lone surrogate
])
def test_an_earlier_label_with_line_breaks_or_control_characters_is_written_escaped(shipped, tmp_path, label, shown):
    project = _project(shipped, tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Professionals who work with children:", f"{label}:"),
                      encoding="utf-8")
    result = _new_wave(project)
    assert result.exit_code == 0 and "added data/professionals-2016.md to mkdocs.yml's nav" in result.output
    text = config.read_text(encoding="utf-8")
    assert text.isascii() and len(text.splitlines()) == len(text.split("\n")) - 1  # one real line, no raw breaks
    assert nav_label(_config(config)["nav"], P16) == shown


def test_a_crafted_earlier_label_cannot_add_anything_but_the_page(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    config = project / "mkdocs.yml"
    crafted = "'Pros 2015\": data/x.md\\n- evil: y # {{ config }} !ENV [X]':"
    config.write_text(config.read_text(encoding="utf-8").replace("Professionals who work with children:", crafted),
                      encoding="utf-8")
    before = _config(config)
    assert _new_wave(project).exit_code == 0
    after = _config(config)
    assert {k: v for k, v in after.items() if k != "nav"} == {k: v for k, v in before.items() if k != "nav"}
    pages = nav_pages(after["nav"])
    assert [p for p in pages if p != P16] == nav_pages(before["nav"]) and pages.count(P16) == 1
    assert nav_label(after["nav"], P16) == 'Pros 2016": data/x.md\\n- evil: y # {{ config }} !ENV [X]'


def test_a_tagged_earlier_label_is_not_named_none(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Professionals who work with children:",
                                                                 "!ENV PROS_LABEL:"), encoding="utf-8")
    assert _new_wave(project).exit_code == 0
    # was "None, 2016"
    assert nav_label(_config(config)["nav"], P16) == "Survey of professionals who work with children, 2016"


@pytest.mark.parametrize("nav, said", [
    ("nav: [{Home: index.md}, {Pros 2015: data/professionals-2015.md}]\n", "add the line `"),  # flow style
    ("", "has no `nav`"),
    ("nav:\n  - Home: index.md\n\t- Pros: data/professionals-2015.md\n", "is not valid YAML"),  # a tab: was "no nav"
])
def test_a_nav_that_cannot_take_a_line_is_left_as_it_is_and_said_so(shipped, tmp_path, nav, said):
    project = _project(shipped, tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("nav:")] + nav, encoding="utf-8")
    before = config.read_bytes()
    result = _new_wave(project)
    assert result.exit_code == 0 and said in result.output
    assert config.read_bytes() == before


def test_a_survey_line_outside_the_nav_or_with_a_comment_does_not_stop_the_page_being_added(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(SHIPPED_NAV_LINE, SHIPPED_NAV_LINE[:-1] + "  # first wave\n")
    config.write_text(text + "extra_pages:\n  - Old: data/professionals-2015.md\n", encoding="utf-8")
    result = _new_wave(project)
    assert result.exit_code == 0 and "added" in result.output
    lines = config.read_text(encoding="utf-8").splitlines()
    at = lines.index(SHIPPED_NAV_LINE[:-1] + "  # first wave")
    assert lines[at + 1] == '      - "Professionals who work with children, 2016": data/professionals-2016.md'
    assert _config(config)["extra_pages"] == [{"Old": P15}]


def test_nested_deeper_and_no_final_newline_and_a_very_long_label(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nnav:\n  - Data:\n      - By wave:\n"
                      "          - Pros 2015: data/professionals-2015.md", encoding="utf-8")
    said = add_survey_page(config, "professionals-2016", "L" * 5000 + " 2016", P15)
    assert said.startswith("added")
    lines = config.read_text(encoding="utf-8").split("\n")
    assert lines[-3] == "          - Pros 2015: data/professionals-2015.md" and lines[-1] == ""
    added = lines[-2]
    assert added.startswith('          - "LLL') and added.endswith('...": data/professionals-2016.md')
    assert len(added) < 200


# --- new-survey: ids, the export ------------------------------------------------------------------------------


@pytest.mark.parametrize("args, said", [
    (["--id", "../x"], "a survey id may use only"),
    (["--id", "-rf"], "a survey id may use only"),
    (["--id", ""], "--id: is empty"),  # was: silently the id from the file's name
    (["--id", "x-2016", "--wave-of", "../professionals-2015"], "there is no survey '../professionals-2015'"),
    (["--id", "x-2016", "--wave-of", "-rf"], "there is no survey '-rf'"),
    (["--id", "x-2016", "--wave-of", " "], "--wave-of: is empty"),  # was: silently the newest wave
])
def test_unusable_ids_are_refused_and_nothing_is_written(shipped, tmp_path, args, said):
    project = _project(shipped, tmp_path)
    before = sorted(p.name for p in (project / "surveys").iterdir())
    result = invoke("new-survey", str(EXAMPLE), "--project", str(project), *args)
    assert result.exit_code == 1 and said in result.output, result.output
    assert sorted(p.name for p in (project / "surveys").iterdir()) == before
    assert not (tmp_path / "x").exists()


def test_an_export_named_survey_yml_is_refused_not_overwritten_by_its_codebook(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    export = tmp_path / "survey.yml"
    shutil.copy2(EXAMPLE, export)
    result = invoke("new-survey", str(export), "--id", "zz-2016", "--project", str(project))
    assert result.exit_code == 1 and "would be overwritten by the codebook" in result.output
    assert not (project / "surveys/zz-2016").exists()  # was: the export copied there, then written over


HOSTILE_COLUMNS = [
    "Respondent ID",
    "Region: {{ stat('x') }} <script>alert(1)</script>",
    "Q1. Do you agree?\u2028key: injected\n- evil: data/x.md",
    '=HYPERLINK("http://evil","click")',
    "../../etc/passwd / a\\b",
    "# comment? --> <!-- typed figure: x -->",
    "Long " + "x" * 3000 + "?",
]
HOSTILE_ANSWERS = [
    ["North {% raw %}", "South </td>", "East | pipe", "West *bold*"],
    ["Yes\u2028no", "No: {{ 1+1 }}", "Don't know"],
    ['=HYPERLINK("http://e","x")', "+cmd|' /C calc'!A0", "-2+3"],
    ["a/b", "../c", "d\\e"],
    ["--> x", "<!-- y", "z"],
    ["A" * 3000, "B", "C"],
]


def _write_export(path: Path, columns: list[str], answers: list[list[str]], rows: int = 200) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for i in range(rows):
            cells = [choices[(i // (k + 1)) % len(choices)] for k, choices in enumerate(answers)]
            writer.writerow([str(i + 1), *cells])
    return path


def _drafted_columns(codebook: Path) -> list[str]:
    book = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    items = book["segments"] + book["questions"]
    return [item["column"] for item in items] + [o["column"] for item in items for o in item.get("options", [])
                                                 if "column" in o]


def test_hostile_column_names_and_answers_round_trip_through_the_draft(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    export = _write_export(tmp_path / "hostile.csv", HOSTILE_COLUMNS, HOSTILE_ANSWERS)
    result = invoke("new-survey", str(export), "--id", "hostile-2020", "--project", str(project))
    assert result.exit_code == 0, result.output
    codebook = project / "surveys/hostile-2020/survey.yml"
    text = codebook.read_text(encoding="utf-8")
    head = text[:text.index("\nid: ")]
    assert all(line.startswith("#") for line in head.splitlines())  # no name escapes its comment line
    assert set(_drafted_columns(codebook)) <= set(HOSTILE_COLUMNS)
    labels = {o["label"] for item in yaml.safe_load(text)["questions"] + yaml.safe_load(text)["segments"]
              for o in item.get("options", [])}
    assert {"South </td>", "No: {{ 1+1 }}", '=HYPERLINK("http://e","x")', "../c"} <= labels
    assert sorted(p.name for p in (project / "surveys/hostile-2020").iterdir()) == ["hostile.csv", "survey.yml"]


def test_hostile_new_columns_in_a_repeat_wave_stay_on_their_comment_lines(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    with EXAMPLE.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    rows[0].append("New?\u2028id: evil\x85title: evil\n# x\r- {{ x }}")
    for i, row in enumerate(rows[1:]):
        row.append(["Yes", "No", "Maybe"][i % 3])
    export = tmp_path / "professionals-2016.csv"
    with export.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    result = invoke("new-survey", str(export), "--id", "professionals-2016", "--project", str(project))
    assert result.exit_code == 0, result.output
    text = (project / "surveys/professionals-2016/survey.yml").read_text(encoding="utf-8")
    head = text[:text.index("\nid: ")]
    assert all(line.startswith("#") for line in head.splitlines()) and "new, not in professionals-2015" in head
    assert yaml.safe_load(text)["id"] == "professionals-2016"


def test_a_column_name_with_a_next_line_character_round_trips(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    columns = ["Respondent ID", "Next\x85line?"]
    export = _write_export(tmp_path / "nel.csv", columns, [["Yes", "No", "Maybe"]])
    assert invoke("new-survey", str(export), "--id", "nel-2020", "--project", str(project)).exit_code == 0
    assert _drafted_columns(project / "surveys/nel-2020/survey.yml") == ["Next\x85line?"]


def test_long_wordings_in_a_wide_export_are_matched_or_listed_as_new():
    earlier, problems = load_codebook(REPO / "surveys/professionals-2015/survey.yml", "survey.yml")
    assert problems == []
    words = "child neglect social worker powerless intervene case suspected funding services time".split()
    questions = [{"key": f"q{i}", "title": "Q", "text": " ".join(words[(i * j) % len(words)] for j in range(500)),
                  "type": "single", "column": f"Q{i}",
                  "options": [{"key": k, "label": k.title()} for k in ("yes", "no", "maybe")]} for i in range(60)]
    match = match_wave({"id": "professionals-2016", "title": "T", "segments": [], "questions": questions},
                       earlier, "2016")
    assert len(match.new) == 60


def test_a_repeat_wave_of_fifty_thousand_rows_is_drafted_and_matched(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    with EXAMPLE.open(encoding="utf-8", newline="") as file:
        header, *rows = list(csv.reader(file))
    export = tmp_path / "professionals-2016.csv"
    with export.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows[i % len(rows)] for i in range(50_000))
    result = invoke("new-survey", str(export), "--id", "professionals-2016", "--project", str(project))
    assert result.exit_code == 0 and "4 question(s) and segment(s) matched word for word" in result.output


# --- figures WORD ----------------------------------------------------------------------------------------------


def test_figures_word_is_plain_text_not_a_pattern(shipped):
    for word in ["(.*", ".*", "power[", "\\d", "*"]:
        result = invoke("figures", word, "--project", str(shipped))
        assert result.exit_code == 1 and f"No question matches {word!r}" in result.output
    result = invoke("figures", "POWERLESS", "--project", str(shipped))
    assert result.exit_code == 0 and 'stat("professionals-2015.powerless.yes")' in result.output


# --- diff BASE -------------------------------------------------------------------------------------------------


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=project, check=True,
                   capture_output=True)


def test_diff_of_a_revision_holding_a_link_out_of_the_project_is_a_problem_not_a_traceback(shipped, tmp_path):
    project = _project(shipped, tmp_path)
    _git(project, "init", "-q")
    (project / "docs/pw.md").symlink_to("/etc/passwd")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "a link out")
    (project / "docs/pw.md").unlink()
    result = invoke("diff", "HEAD", "--project", str(project))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # was LinkOutsideDestinationError
    assert "cannot be unpacked safely" in result.output


@pytest.mark.parametrize("base", ["-rf", "--output={tmp}/out", "HEAD; touch {tmp}/out", "$(touch {tmp}/out)"])
def test_diff_base_is_never_an_option_or_a_command(shipped, tmp_path, base):
    result = invoke("diff", "--project", str(shipped), "--", base.format(tmp=tmp_path))
    assert result.exit_code == 1 and "neither a stats.csv file nor a git revision" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("estimate", ["inf", "1e308", "-5"])
def test_diff_base_with_an_impossible_share_is_a_problem_not_a_traceback(built_mini_site, tmp_path, estimate):
    with (built_mini_site / "site/data/stats.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    rows[0]["estimate"] = estimate
    base = tmp_path / "stats.csv"
    with base.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = invoke("diff", str(base), "--project", str(built_mini_site))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # was decimal.InvalidOperation
    assert "a share outside 0 to 1" in result.output


def test_diff_markdown_escapes_page_names():
    page = "a|b<img src=x onerror=alert(1)>`.md"
    change = FigureChange(key="s.q.yes", survey="s", question="q", pages=(page,),
                          before=Reading("10%", "one in ten", 10.0), after=Reading("55%", "a majority", 55.0))
    text = report(Comparison(quoted=[change]), "main", markdown=True)
    assert "<img" not in text and "a\\|b&lt;img" in text
    assert all(line.count(" | ") == 6 for line in text.splitlines() if line.startswith("| `s.q.yes`"))


# --- copy exceptions -------------------------------------------------------------------------------------------


def _mini(tmp_path: Path) -> Path:
    site = tmp_path / "mini-site"
    shutil.copytree(FIXTURES / "mini-site", site)
    return site


def _append(site: Path, text: str, page: str = "docs/index.md") -> None:
    path = site / page
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("reason", ["\u200b", "...", " -- ", "_"])
def test_an_exception_whose_reason_has_no_words_is_refused(tmp_path, reason):
    site = _mini(tmp_path)
    _append(site, f"\n<!-- typed figure: {reason} -->\nThe minister said 45% of councils cut early help.\n")
    (site / "docs/extra.md").write_text(f'---\ntyped_figures: "{reason}"\n---\nOfsted found one in four short.\n',
                                        encoding="utf-8")
    result = invoke("check", "--project", str(site))
    assert result.exit_code == 1
    assert "docs/index.md, line 8: an exception must say why" in result.output
    assert "docs/extra.md, front matter, field typed_figures: an exception must say why" in result.output
    assert "allowed (found" not in result.output


def test_a_line_separator_cannot_shift_an_exception_onto_another_paragraph(tmp_path):
    site = _mini(tmp_path)
    # Python numbers U+2028 as a line end, editors and Markdown do not: the marker (line 12 as counted by new
    # lines) was taken to cover line 12 as splitlines() counts, the typed figure's paragraph.
    _append(site, "\nA\u2028b\u2028c\n\nThe minister said 45% of councils cut early help.\n\n"
                  "<!-- typed figure: quoting the minister --> Nothing typed here.\n")
    result = invoke("check", "--project", str(site))
    assert result.exit_code == 1 and "allowed (found: '45%')" not in result.output
    assert "a line break editors do not show (U+2028)" in result.output
    assert "a figure is typed by hand (found: '45%')" in result.output


def test_a_marker_in_code_or_too_far_away_covers_nothing(tmp_path):
    site = _mini(tmp_path)
    _append(site, "\n```\n<!-- typed figure: in a code block -->\n```\n\nThe minister said 45% of councils.\n\n"
                  "`<!-- typed figure: in code -->` and 30% more.\n\n<!-- typed figure: far away -->\n\nText.\n\n"
                  "Then 20% of them.\n")
    result = invoke("check", "--project", str(site))
    assert result.exit_code == 1 and "allowed (found" not in result.output
    assert all(f"found: '{n}%'" in result.output for n in (45, 30, 20))


def test_a_typed_figure_exception_hides_no_other_problem_in_its_paragraph(tmp_path):
    site = _mini(tmp_path)
    _append(site, '\n<!-- typed figure: quoting the minister -->\nThe minister said 45% of councils cut help. '
                  '{{ stat("mini-2020.support.yes") }} agree, '
                  '{{ claim("more than 90 per cent", "mini-2020.support.yes") }} of them, and '
                  '{{ stat("mini-2020.nope.yes") }} more.\n')
    result = invoke("check", "--project", str(site))
    assert result.exit_code == 1 and "found: '45%'" not in result.output  # the one thing it excuses
    assert "a sentence starts with a figure" in result.output
    assert "'more than 90 per cent' is not true" in result.output and "mini-2020.nope.yes" in result.output


@pytest.mark.xfail(strict=True, reason="open, reported: copy_check scans the page's source, so a figure the template "
                                       "computes ({{ 40 + 5 }}%) is typed by hand unseen")
def test_a_figure_typed_through_template_arithmetic_is_refused(tmp_path):
    site = _mini(tmp_path)
    _append(site, "\nAcross the country, {{ 40 + 5 }}% of councils cut early help.\n")
    assert invoke("check", "--project", str(site)).exit_code == 1


# --- the preview's keys ----------------------------------------------------------------------------------------


def test_keys_shown_in_the_preview_never_reach_a_build_after_a_page_changed(tmp_path):
    site = _mini(tmp_path)
    Preview(Project(site), lambda _: None).regenerate()
    previewed = (site / ".build/docs/index.md").read_text(encoding="utf-8").replace("\\", "")  # Markdown escapes
    assert "Key (shown in the preview only)" in previewed
    _append(site, "\nOne more sentence.\n", "docs/sources.md")  # one page changed, the others as previewed
    built = invoke("build", "--project", str(site))
    assert built.exit_code == 0, built.output
    for folder in (".build", "site"):
        for path in (site / folder).rglob("*"):
            if path.suffix in {".md", ".html", ".xml", ".json", ".txt"}:
                assert "Key (shown" not in path.read_text(encoding="utf-8", errors="replace").replace("\\", ""), path


# --- reported, outside this review's files ---------------------------------------------------------------------


def test_a_net_redefined_between_waves_gets_no_change_row(shipped, tmp_path):
    from build_scripts.pipeline.compute import compute

    project = _project(shipped, tmp_path)
    earlier, later = project / "surveys/professionals-2015", project / "surveys/professionals-2016"
    later.mkdir()
    shutil.copy2(earlier / "responses.csv", later / "responses.csv")
    anchor = "      - {key: dont_know, label: Don't know, kind: dont_know}\n\n  - key: neglect_trend"
    text = (earlier / "survey.yml").read_text(encoding="utf-8")

    def with_net(options: str) -> str:
        net = f"    nets:\n      - {{key: not_harder, label: Not harder, options: [{options}]}}\n"
        return text.replace(anchor, anchor.replace("\n\n", "\n" + net + "\n"))

    (earlier / "survey.yml").write_text(with_net("no_difference, easier"), encoding="utf-8")
    (later / "survey.yml").write_text(with_net("no_difference, easier, dont_know").replace(
        "id: professionals-2015", "id: professionals-2016").replace("2015-09-", "2016-09-"), encoding="utf-8")
    rows = compute(Project(project)).table.changes().of_survey("professionals-2016").frame
    assert not rows["key"].str.contains("not_harder").any()  # the same respondents: any "rise" is the new definition


def test_make_passes_arguments_through_the_environment_only():
    dry = subprocess.run(["make", "-n", "new-survey", 'EXPORT=x"; touch /tmp/pwned; echo "'], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert 'touch /tmp/pwned; echo ""' not in dry.stdout
