"""The published Data Package (site/data/datapackage.json), validated by frictionless-py, the reference tool."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from frictionless import Package, validate

from build_scripts.ingest.releases import read_releases
from build_scripts.statistics.statistics_table import COLUMNS


def _package(site: Path) -> dict:
    return json.loads((site / "site/data/datapackage.json").read_text(encoding="utf-8"))


def test_the_shipped_data_package_is_valid_and_describes_every_published_table(built_shipped_site):
    report = validate(str(built_shipped_site / "site/data/datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = _package(built_shipped_site)
    releases, _ = read_releases(built_shipped_site / "releases", built_shipped_site)
    assert {r["path"] for r in package["resources"]} == {"stats.csv", "professionals-2015.csv", "public-2015.csv"} | {
        f"releases/{release.name}/stats.csv" for release in releases}  # each release's frozen table too
    [stats] = [r for r in package["resources"] if r["path"] == "stats.csv"]
    assert [f["name"] for f in stats["schema"]["fields"]] == COLUMNS  # from the table's declared schema
    assert stats["schema"]["missingValues"] == [""] and package["licenses"][0]["name"] == "CC-BY-4.0"
    ends = [yaml.safe_load(p.read_text(encoding="utf-8"))["fieldwork"]["end"]
            for p in (built_shipped_site / "surveys").glob("*/survey.yml")]
    # The latest release's date, else the newest fieldwork's end: every build alike, whatever the clock says.
    dated = releases[-1].date if releases else max(ends)
    assert package["created"] == f"{dated.isoformat()}T00:00:00Z"
    assert package.get("version") == (releases[-1].name if releases else None)


def test_each_surveys_table_carries_its_codebooks_labels_as_categories(built_shipped_site):
    [survey] = [r for r in _package(built_shipped_site)["resources"] if r["path"] == "professionals-2015.csv"]
    fields = {f["name"]: f for f in survey["schema"]["fields"]}
    assert {"value": "powerless", "label": "Feeling powerless to intervene"} in fields["question"]["categories"]
    assert {"value": "nation", "label": "UK nation"} in fields["segment"]["categories"]
    assert fields["question_text"]["type"] == "string" and fields["suppressed"]["type"] == "boolean"


def test_the_validator_catches_a_table_that_does_not_match_its_description(built_shipped_site, tmp_path):
    """So that the first test can fail: a base that is not a whole number is refused."""
    copy = tmp_path / "data"
    shutil.copytree(built_shipped_site / "site/data", copy, ignore=shutil.ignore_patterns("charts", "share", "*.html"))
    lines = (copy / "stats.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("base")] = "many"
    (copy / "stats.csv").write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    report = Package(str(copy / "datapackage.json")).validate()
    assert not report.valid
    assert any(error.type == "type-error" for task in report.tasks for error in task.errors)
