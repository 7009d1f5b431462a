"""The staff guide (guide/*.md) stays true.

- every relative link resolves to a file (and a heading, for links to a guide page's heading);
- every `campaign-site <command>` (with its options) and `make <target>` (with its variables) exists;
- every message troubleshooting.md quotes (the code span opening the first cell of a table row, outside the
  sections about messages "not from campaign-site") occurs in build_scripts/, `…` standing for the parts that vary;
- the most common messages are triggered for real on a copy of the shipped project, and the output holds them;
- writing-copy.md's examples render as it says: each "You write | Readers see" row, and every ```markdown block
  passes the checks (the change rows on the tutorial's 2016 wave, drafted with `new-survey`).
"""

from __future__ import annotations

import ast
import csv
import functools
import re
import shlex
import shutil
from pathlib import Path

import pytest
from conftest import REPO, invoke, shipped_copy

from build_scripts.cli.commands import main
from build_scripts.errors import DataError
from build_scripts.pipeline.compute import compute
from build_scripts.project import Project

GUIDE = REPO / "guide"
PAGES = ["README.md", "tutorial.md", "writing-copy.md", "glossary.md", "troubleshooting.md"]
MINE = ["README.md", "writing-copy.md", "glossary.md", "troubleshooting.md"]
EXAMPLE_EXPORT = GUIDE / "examples" / "professionals-2016.csv"
PLACEHOLDER = "…"  # in a quoted message: the part that varies
UNCHECKED_SECTION = "not from campaign-site"  # messages from make, pip, the shell or click, not from our code

FENCE = re.compile(r"^```.*?^```[ \t]*$", re.DOTALL | re.MULTILINE)
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)\)")


def guide_pages() -> list[Path]:
    return sorted(GUIDE.glob("*.md"))


def text_of(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The text outside fenced blocks and code spans (where links are real links)."""
    text = FENCE.sub("", text)
    return CODE_SPAN.sub("", text)


def code_lines(text: str) -> list[str]:
    """Every line of every fenced block, and every code span: where commands are written."""
    lines = []
    for block in FENCE.findall(text):
        lines += block.splitlines()[1:-1]
    lines += [m.group(2).strip() for m in CODE_SPAN.finditer(FENCE.sub("", text))]
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = LINK.sub(lambda m: m.group(1), heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found = set()
    for line in FENCE.sub("", text_of(page)).splitlines():
        if m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line):
            found.add(github_slug(m.group(1)))
    return found


# --- links ---------------------------------------------------------------------------------------------------


def test_the_guide_has_its_pages_and_the_front_page_links_to_each():
    for name in MINE:
        assert (GUIDE / name).is_file(), name
    front = text_of(GUIDE / "README.md")
    links = {target: words for words, target in LINK.findall(prose(front))}
    assert links.get("tutorial.md") == "Publish the next wave of a survey"
    for name in ["writing-copy.md", "glossary.md", "troubleshooting.md"]:
        assert name in links, f"README.md does not link to {name}"


def test_every_relative_link_in_the_guide_resolves():
    broken = []
    for page in guide_pages():
        for _, target in LINK.findall(prose(text_of(page))):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            path, _, fragment = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if path == "tutorial.md" and not file.exists():
                broken.append(f"{page.name}: {target} (guide/tutorial.md is not written yet)")
                continue
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif fragment and file.parent == GUIDE.resolve() and fragment not in anchors(file):
                broken.append(f"{page.name}: {target} (no heading #{fragment} in {file.name})")
    assert not broken, "\n".join(broken)


# --- commands ------------------------------------------------------------------------------------------------


def makefile_targets() -> tuple[set[str], str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", text, re.MULTILINE)), text


def _tokens(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def test_every_command_the_guide_names_exists_with_its_options():
    targets, makefile = makefile_targets()
    commands = main.commands
    wrong = []
    for page in guide_pages():
        for line in code_lines(text_of(page)):
            for part in re.split(r"&&|;|\|", line):
                words = _tokens(part.strip().removeprefix("$ "))
                if not words:
                    continue
                program, rest = words[0], words[1:]
                if program.endswith("campaign-site") and rest:
                    name = rest[0]
                    if name.startswith("-"):
                        if name not in {"--help", "-h", "--version"}:
                            wrong.append(f"{page.name}: `{part.strip()}`: campaign-site has no option {name}")
                        continue
                    command = commands.get(name)
                    if command is None:
                        wrong.append(f"{page.name}: `{part.strip()}`: no command {name!r}")
                        continue
                    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
                    for word in rest[1:]:
                        if word.startswith("-") and word.split("=")[0] not in options:
                            wrong.append(f"{page.name}: `{part.strip()}`: {name} has no option {word}")
                elif part.split()[0] == "make" and rest:  # not `'make' is not recognized...`
                    for word in rest:
                        if "=" in word:
                            variable = word.split("=")[0]
                            if f"$({variable})" not in makefile and f"$${variable}" not in makefile:
                                wrong.append(f"{page.name}: `{part.strip()}`: the Makefile reads no {variable}")
                        elif not word.startswith("-") and word not in targets:
                            wrong.append(f"{page.name}: `{part.strip()}`: no Makefile target {word!r}")
    assert not wrong, "\n".join(wrong)


# --- troubleshooting: the messages quoted are the code's ----------------------------------------------------


def quoted_messages() -> list[tuple[str, str]]:
    """(section, message) for each table row of troubleshooting.md whose first cell opens with a code span."""
    found, section = [], ""
    for line in FENCE.sub("", text_of(GUIDE / "troubleshooting.md")).splitlines():
        if line.startswith("## "):
            section = line[3:]
        elif line.startswith("|") and UNCHECKED_SECTION not in section:
            first = line.strip("|").split(" | ")[0].strip()
            if m := re.match(r"`([^`]+)`", first):
                found.append((section, m.group(1)))
    return found


@functools.cache
def code_strings() -> str:
    """Every string literal in build_scripts/, an f-string's replacement fields written as NUL."""
    strings = []
    for file in sorted((REPO / "build_scripts").rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                strings.append("".join(v.value if isinstance(v, ast.Constant) else "\0" for v in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.append(node.value)
    return "\n".join(strings)


def fragments(message: str) -> list[str]:
    return [part.strip() for part in message.split(PLACEHOLDER) if part.strip()]


def test_troubleshooting_quotes_many_messages():
    sections = {section for section, _ in quoted_messages()}
    assert len(quoted_messages()) >= 40
    assert len(sections) >= 5


@pytest.mark.parametrize("section, message", quoted_messages())
def test_every_message_troubleshooting_quotes_is_in_the_code(section: str, message: str):
    corpus = code_strings()
    parts = fragments(message)
    assert sum(map(len, parts)) >= 18 and max(map(len, parts)) >= 12, \
        f"quote more of the message, so that it can be found: {message!r}"
    missing = [part for part in parts if part not in corpus]
    assert not missing, f"{section}: {message!r}: not in build_scripts/: {missing}"


# --- the most common messages, triggered for real ------------------------------------------------------------


def guide_message(needle: str) -> str:
    """The message troubleshooting.md quotes that contains `needle`."""
    matches = [message for _, message in quoted_messages() if needle in message]
    assert len(matches) == 1, f"troubleshooting.md should quote one message with {needle!r}: {matches}"
    return matches[0]


def assert_shown(output: str, needle: str) -> None:
    message = guide_message(needle)
    for part in fragments(message):
        assert part in output, f"the guide quotes {message!r}, but the command said:\n{output}"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return shipped_copy(tmp_path_factory.mktemp("guide"))


def test_common_survey_messages_are_the_ones_the_guide_shows(tmp_path: Path, project: Path):
    copy = tmp_path / "surveys-broken"
    shutil.copytree(project, copy)
    book = copy / "surveys" / "professionals-2015" / "survey.yml"
    text = book.read_text(encoding="utf-8")
    book.write_text(re.sub(r"^method: .*$", "method: TODO", text, flags=re.MULTILINE), encoding="utf-8")
    export = copy / "surveys" / "professionals-2015" / "responses.csv"
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("Q4")] = "Rose"  # an answer that is not among the options
    with export.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    # A codebook with a TODO stops its survey before its answers are read: first the TODO, then the answer.
    result = invoke("check", "--project", str(copy))
    assert result.exit_code == 1
    assert_shown(result.output, "draft's placeholder")
    assert "survey.yml, field method" in result.output
    book.write_text(text, encoding="utf-8")
    result = invoke("check", "--project", str(copy))
    assert result.exit_code == 1
    assert_shown(result.output, "not a declared option")
    assert "column 'Q4', row 2" in result.output and "(found: 'Rose')" in result.output


def test_common_copy_messages_are_the_ones_the_guide_shows(tmp_path: Path, project: Path):
    copy = tmp_path / "copy-broken"
    shutil.copytree(project, copy)
    page = copy / "docs" / "early-help.md"
    page.write_text(page.read_text(encoding="utf-8") + (
        "\n\nNearly 41% of social workers have felt powerless.\n\n"
        'Social workers: {{ stat("professionals-2015.powerless.yess") }} have felt powerless.\n\n'
        'Among social workers, {{ claim("more than half", "professionals-2015.powerless.yes") }} have.\n'),
        encoding="utf-8")
    result = invoke("check", "--project", str(copy))
    assert result.exit_code == 1
    assert_shown(result.output, "typed by hand")
    assert_shown(result.output, "statistics table has this key")
    assert_shown(result.output, "a true phrase would be")
    # writing-copy.md shows this message whole
    assert "'more than half' is not true of 41%; a true phrase would be 'more than four in ten'" in result.output


# --- writing-copy.md: its examples render as it says ---------------------------------------------------------


def example_rows() -> list[tuple[str, str]]:
    """(call, what readers see) for each row of the "You write | Readers see" tables."""
    rows, in_table = [], False
    for line in text_of(GUIDE / "writing-copy.md").splitlines():
        if line.startswith("| You write"):
            in_table = True
        elif in_table and line.startswith("| ---"):
            continue
        elif in_table and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows.append((cells[0].strip("`"), cells[1]))
        else:
            in_table = False
    return rows


def markdown_blocks() -> list[tuple[str, str]]:
    """(the paragraph before, the block) for each ```markdown block of writing-copy.md."""
    text = text_of(GUIDE / "writing-copy.md")
    found = []
    for m in re.finditer(r"^```markdown\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        before = text[:m.start()].rstrip().rsplit("\n\n", 1)[-1]
        found.append((before, m.group(1)))
    return found


def fill_disclosure(book: Path) -> None:
    """What the tutorial's officer types over new-survey's TODOs: who ran the 2016 wave, how and when."""
    values = {"commissioned_by": "The child neglect campaign", "conducted_by": "The campaign's research team",
              "method": "Online self-completion questionnaire", "population": "Professionals who work with children",
              "coverage": "United Kingdom"}
    lines, out, skipping = book.read_text(encoding="utf-8").splitlines(), [], False
    for line in lines:
        field = line.split(":", 1)[0]
        if skipping and line.startswith("  ") and not line.strip().startswith(("start", "end")):
            continue  # the rest of a TODO folded over two lines
        skipping = False
        if field in values and "TODO" in line:
            out.append(f"{field}: {values[field]}")
            skipping = True
        elif line.strip().startswith("start:") and "TODO" in line:
            out.append("  start: 2016-09-05")
        elif line.strip().startswith("end:") and "TODO" in line:
            out.append("  end: 2016-09-23")
        else:
            out.append(line)
    book.write_text("\n".join(out) + "\n", encoding="utf-8")


def readers_see(markdown: str) -> str:
    """A rendered line as readers read it: tooltips and print-only text out, links as their words."""
    text = re.sub(r"<span[^>]*>.*?</span>", "", markdown)
    text = re.sub(r"\{ \.figure \}", "", text)
    text = LINK.sub(lambda m: m.group(1), text)
    return re.sub(r"\\(.)", r"\1", text).strip()


def test_writing_copy_examples_render_as_the_guide_says(tmp_path: Path, project: Path):
    copy = tmp_path / "examples"
    shutil.copytree(project, copy)
    drafted = invoke("new-survey", str(EXAMPLE_EXPORT), "--id", "professionals-2016", "--project", str(copy))
    assert drafted.exit_code == 0, drafted.output
    fill_disclosure(copy / "surveys" / "professionals-2016" / "survey.yml")
    rows, blocks = example_rows(), markdown_blocks()
    assert len(rows) >= 12 and len(blocks) >= 5
    page = ["# Examples from the guide", ""]
    page += [f"Example {number}: {call}.\n" for number, (call, _) in enumerate(rows)]
    page += [block for _, block in blocks]
    (copy / "docs" / "guide-examples.md").write_text("\n".join(page), encoding="utf-8")
    try:
        results = compute(Project(copy))  # refuses every problem `check` and `build` refuse
    except DataError as exc:
        pytest.fail("writing-copy.md's examples do not pass the checks:\n" + exc.describe())
    body = results.copy.pages["guide-examples.md"].body
    for number, (call, expected) in enumerate(rows):
        line = next(x for x in body.splitlines() if x.startswith(f"Example {number}: "))
        shown = readers_see(line.removeprefix(f"Example {number}: ")).removesuffix(".")
        assert shown == expected, f"writing-copy.md says {call} prints {expected!r}; it prints {shown!r}"
    # writing-copy.md also lists each honoured exception, as check does
    assert any(e.rule == "typed figure" and "Hansard" in e.reason for e in results.copy.exemptions)


def test_writing_copy_examples_from_the_shipped_pages_are_in_them():
    for before, block in markdown_blocks():
        named = re.findall(r"`(docs/[\w/.-]+\.md)`", before)
        if not named:
            continue
        lines = {line.strip() for line in (REPO / named[-1]).read_text(encoding="utf-8").splitlines()}
        for line in filter(None, (x.strip() for x in block.splitlines())):
            assert line in lines, f"writing-copy.md quotes {named[-1]}, which has no line {line!r}"
