"""Each chart's data with its metadata (issue 16): charts/<name>.zip holds the chart's CSV, a Data Package describing
it and a README citing it, the same bytes from two builds; and the site's Data Package dated by the latest release,
under the campaign's licence. One project is built twice (two folders, no shared cache) for every test here."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from frictionless import validate

from build_scripts.editorial.chart_markdown import chart_markdown
from build_scripts.editorial.citation import Citation, bibtex_key
from build_scripts.editorial.revisions import PublicRecord
from build_scripts.publish.chart_zip import chart_zip
from build_scripts.statistics.survey_summary import SurveySummary
from tests.conftest import invoke, run_cli, shipped_copy

RELEASED = dt.date(2026, 12, 1)
CHART = "professionals-2015.powerless"
_CHART_IMAGE = re.compile(r'src="[^"]*charts/([^"/]+?)(?:\.narrow)?-(?:light|dark)\.svg')
_ZIP_LINK = re.compile(r'href="[^"]*charts/([^"/]+)\.zip"')


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """The shipped project with its own release of 1 December 2026 and the licence set to CC0, copied before
    either is built, and both copies built: (the project, its twin)."""
    project = shipped_copy(tmp_path_factory.mktemp("zipped"))
    shutil.rmtree(project / "releases", ignore_errors=True)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  campaign:\n" in text
    config.write_text(text.replace("\n  campaign:\n", "\n  campaign:\n    licence: CC0-1.0\n", 1), encoding="utf-8")
    recorded = invoke("release", "--project", str(project), "--note", "First release.", "--date", RELEASED.isoformat())
    assert recorded.exit_code == 0, recorded.output
    twin = tmp_path_factory.mktemp("twin") / "campaign"
    shutil.copytree(project, twin, ignore=shutil.ignore_patterns(".cache"))
    for folder in (project, twin):
        built = run_cli("build", cwd=folder)
        assert built.returncode == 0, built.stderr
    return project, twin


@pytest.fixture(scope="module")
def project(builds) -> Path:
    return builds[0]


def _charts(project: Path) -> Path:
    return project / "site" / "data" / "charts"


def _codebook(project: Path, survey: str) -> dict:
    return yaml.safe_load((project / "surveys" / survey / "survey.yml").read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_chart_on_a_survey_page_offers_its_zip_first(project):
    surveys = [project / "site" / "data" / folder.name / "index.html" for folder in (project / "surveys").iterdir()
               if (folder / "survey.yml").is_file()]
    assert len(surveys) == 2
    for page in surveys:
        text = page.read_text(encoding="utf-8")
        shown = set(_CHART_IMAGE.findall(text))
        assert shown and set(_ZIP_LINK.findall(text)) == shown, page
        assert all((_charts(project) / f"{name}.zip").is_file() for name in shown)
        for downloads in re.findall(r'<p class="chart-downloads">(.*?)</p>', text, re.S):
            assert downloads.index(".zip") < downloads.index(".csv")  # the zip first, then the CSV, SVG and PNG
    stems = {suffix: sorted(p.stem for p in _charts(project).glob(f"*{suffix}")) for suffix in (".zip", ".csv")}
    assert stems[".zip"] == stems[".csv"]  # every chart's CSV has its zip


def test_each_zip_holds_the_charts_csv_its_descriptor_and_readme_with_fixed_entries(project):
    zips = sorted(_charts(project).glob("*.zip"))
    assert len(zips) >= 10
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            assert archive.namelist() == [f"{path.stem}.csv", "datapackage.json", "README.txt"]
            assert archive.read(f"{path.stem}.csv") == (_charts(project) / f"{path.stem}.csv").read_bytes()
            for info in archive.infolist():
                assert info.date_time == (2026, 12, 1, 0, 0, 0)  # the release's date, not the clock
                assert info.compress_type == zipfile.ZIP_STORED and info.external_attr >> 16 == 0o100644


def test_two_builds_give_the_same_zip_bytes(builds):
    project, twin = builds
    zips = sorted(p.name for p in _charts(project).glob("*.zip"))
    assert zips == sorted(p.name for p in _charts(twin).glob("*.zip"))
    for name in zips:
        assert (_charts(project) / name).read_bytes() == (_charts(twin) / name).read_bytes(), name


def test_frictionless_validates_each_zips_descriptor_with_its_csv(project, tmp_path):
    for path in sorted(_charts(project).glob("*.zip")):
        folder = tmp_path / path.stem
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder)
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, (path.name, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert package["created"] == "2026-12-01T00:00:00Z" and package["version"] == "2026-12-01"
        assert package["licenses"][0]["name"] == "CC0-1.0"
        assert [r["path"] for r in package["resources"]] == [f"{path.stem}.csv"]
        book = _codebook(project, path.stem.partition(".")[0])
        assert book["commissioned_by"] in package["sources"][0]["title"]


def test_the_readme_cites_the_chart_and_gives_the_licence_and_the_surveys_disclosure(project):
    with zipfile.ZipFile(_charts(project) / f"{CHART}.zip") as archive:
        readme = archive.read("README.txt").decode("utf-8")
        package = json.loads(archive.read("datapackage.json"))
    book = _codebook(project, "professionals-2015")
    page = readme.rstrip().splitlines()[-1]
    assert page.startswith("http") and page.endswith("/data/professionals-2015/#powerless")
    cite = Citation(book["commissioned_by"], RELEASED, package["title"], "Act early on child neglect", page,
                    bibtex_key("professionals-2015", "powerless", "2026"))
    assert cite.apa() in readme.splitlines() and "(2026, December 1)" in cite.apa()
    assert cite.bibtex() in readme
    assert "Creative Commons Zero 1.0 (public domain) (CC0-1.0)" in _flat(readme)
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in readme
    flat = _flat(readme)
    for label, value in [("Commissioned by", book["commissioned_by"]), ("Conducted by", book["conducted_by"]),
                         ("Fieldwork", "1 to 18 September 2015"), ("Method", book["method"]),
                         ("Population", book["population"]), ("Coverage", book["coverage"]),
                         ("Weighting", "Unweighted"), ("Notes", _flat(book["notes"]))]:
        assert f"{label}: {_flat(value)}" in flat, label
    assert re.search(r"Respondents: [\d,]+", flat)
    assert "released on 1 December 2026 (release 2026-12-01)" in flat


def test_the_data_package_is_dated_by_the_latest_release_under_the_campaigns_licence(project):
    path = project / "site" / "data" / "datapackage.json"
    report = validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(path.read_text(encoding="utf-8"))
    assert package["created"] == "2026-12-01T00:00:00Z" and package["version"] == "2026-12-01"
    assert package["licenses"] == [{"name": "CC0-1.0", "title": "Creative Commons Zero 1.0 (public domain)",
                                    "path": "https://creativecommons.org/publicdomain/zero/1.0/"}]
    assert "releases/2026-12-01/stats.csv" in {r["path"] for r in package["resources"]}
    data_page = (project / "site" / "data" / "index.html").read_text(encoding="utf-8")
    assert "Creative Commons Zero 1.0" in data_page and "CC BY 4.0" not in data_page


def test_the_downloads_line_links_the_zip_first():
    record = {"name": "s.q", "description": "Bar chart", "themes": "light dark", "title": "T"}
    text = chart_markdown(record, prefix="data/")
    assert ("Download [the data with its metadata and citation (ZIP)](data/charts/s.q.zip){ download }, "
            "[the data (CSV)](data/charts/s.q.csv){ download }") in text


def _survey(**changes) -> SurveySummary:
    fields = {"id": "s", "title": "S", "commissioned_by": "Org", "conducted_by": "Pollster",
              "fieldwork_start": "2020-01-01", "fieldwork_end": "2020-01-31", "method": "online", "population": "p",
              "coverage": "UK", "notes": None, "respondents": 500, "weighting": None, "series": "s", "wave": "2020",
              "waves": [], "segments": [], "questions": []}
    return SurveySummary.model_validate(fields | changes)


def test_codebook_text_is_plain_text_in_the_readme_never_a_template_or_a_terminal_escape():
    hostile = "{{ 7 * 191 }} {% raw %}\x1b[2J\u202eevil\r\nLicence: none"
    chart = {"name": "s.q", "title": hostile, "description": hostile, "note": "", "source": "",
             "page": "data/s/#q", "site_url": "https://example.org/", "site_name": "Site"}
    data = "answer,estimate,shown_as\n'=cmd,0.5,50%\n"
    made = chart_zip(chart, data, _survey(commissioned_by=hostile, notes=hostile), PublicRecord(), "CC-BY-4.0")
    assert made == chart_zip(chart, data, _survey(commissioned_by=hostile, notes=hostile), PublicRecord(), "CC-BY-4.0")
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        readme = archive.read("README.txt").decode("utf-8")
        package = json.loads(archive.read("datapackage.json"))
        assert archive.read("s.q.csv").decode("utf-8") == data  # as given: already spreadsheet-safe
        assert archive.getinfo("README.txt").date_time == (2020, 1, 31, 0, 0, 0)  # no release: fieldwork's end
    assert "{{ 7 * 191 }}" in readme and "1337" not in readme
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", readme)
    assert "\nLicence: none" not in readme  # a line break in a codebook cannot start a line of its own
    assert package["title"] == "{{ 7 * 191 }} {% raw %} [2J evil Licence: none"
