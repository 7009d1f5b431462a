"""Benchmark: the home page's weight against the same page with its charts drawn by vega-embed, in one run.

Issue 6's budget: the home page, everything it loads included (HTML, CSS, JS, images; not the search
index), weighs at most 110 KB compressed, and at most half of the same page with each chart drawn in
the browser by vega-embed from its Vega-Lite spec (vega, vega-lite and vega-embed's minified bundles
served from the same local origin, the spec inline, everything else in the page unchanged).

Both pages load in Debian's Chromium (Playwright for Python with the system browser, no download)
from a local server on 127.0.0.1, each in a fresh context, scrolled to the end so lazy images load
(charts drawn, for the variant). Every response is weighed as a static host sends it: gzip level 6
for text (the standard library has no Brotli), images as they are; the server sends exactly that and
the count is checked against what Chromium received. The search index is left out. Then Lighthouse
(npm, same Chromium, no network but localhost) scores the home page's performance and accessibility:
mobile preset with its simulated throttling by default, the median of several runs.

Run: `.venv/bin/python bench/page_weight.py` (builds a copy of the project in a temporary folder),
or with `--site site` to weigh an already built site. The npm packages are installed into
bench/node_modules with `npm ci --prefix bench` when missing. Exits 1 when a budget fails.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
NODE_MODULES = BENCH / "node_modules"
BUNDLES = {  # served from the site's own origin, never a CDN
    "vega.min.js": NODE_MODULES / "vega/build/vega.min.js",
    "vega-lite.min.js": NODE_MODULES / "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": NODE_MODULES / "vega-embed/build/vega-embed.min.js",
}
LIGHTHOUSE = NODE_MODULES / ".bin/lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUDGET_BYTES = 110_000  # 110 KB (issue 14), KB = 1000 bytes
BUDGET_RATIO = 0.5
GZIP_LEVEL = 6
KINDS = ("HTML", "CSS", "JS", "images", "other")
VARIANT = "index-vega-embed.html"  # beside index.html, so every relative link resolves the same
VIEWPORT = {"width": 1280, "height": 800}
# <img ... src="[prefix]charts/<name>-light.svg#only-light" ...> and its dark twin, as Markdown writes them
LIGHT_IMG = re.compile(r'<img\b[^>]*?\bsrc="(?:[^"]*/)?charts/([^"/]+?)-light\.svg#only-light"[^>]*>')
DARK_IMG = re.compile(r'<img\b[^>]*?\bsrc="(?:[^"]*/)?charts/([^"/]+?)-dark\.svg#only-dark"[^>]*>\s*')


@dataclass
class Asset:
    """One response the page loaded: its URL, kind, and body size raw and compressed."""

    url: str
    kind: str
    raw: int
    compressed: int


@dataclass
class Weight:
    """Everything one page loaded, and what was left out of the count (the search index, search worker fetches)."""

    assets: list[Asset]
    excluded: list[Asset]

    def total(self, kind: str | None = None) -> int:
        return sum(a.compressed for a in self.assets if kind is None or a.kind == kind)


# ---------------------------------------------------------------------------------------------- setup


def ensure_npm_packages() -> None:
    """Install bench/node_modules from bench/package-lock.json when a bundle or lighthouse is missing."""
    if all(p.exists() for p in [*BUNDLES.values(), LIGHTHOUSE]):
        return
    print("Installing the benchmark's npm packages (npm ci --prefix bench)...", flush=True)
    subprocess.run(["npm", "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"], cwd=REPO, check=True)


def build_copy(tmp: Path) -> Path:
    """Copy the project (config, copy, surveys; not generated data) into tmp and build it there."""
    project = tmp / "project"
    project.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs", project / "docs", ignore=_ignore_generated(REPO / "docs"))
    shutil.copytree(REPO / "surveys", project / "surveys")
    if (REPO / "overrides").is_dir():
        shutil.copytree(REPO / "overrides", project / "overrides")
    print("Building a copy of the project (python -m build_scripts build)...", flush=True)
    done = subprocess.run([sys.executable, "-m", "build_scripts", "build"], cwd=project,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stdout}{done.stderr}")
    return project


def _ignore_generated(docs: Path):
    def ignore(folder: str, names: list[str]) -> list[str]:
        return ["data"] if Path(folder) == docs and "data" in names else []
    return ignore


def chart_specs(project: Path, theme: str = "light") -> dict[str, dict]:
    """Every survey chart's Vega-Lite spec by name (the file stem under charts/, without -light/-dark)."""
    sys.path.insert(0, str(REPO))
    from build_scripts.pipeline.compute import Project, compute
    from build_scripts.publish.survey_page import survey_page

    results = compute(Project(project), copy_must_hold=False)
    specs = {}
    for survey in results.summaries:
        page = survey_page(survey, results.table, True, True)
        for chart in page.charts:
            specs[chart.name] = chart.spec(theme)
    return specs


def vega_embed_variant(html: str, specs: dict[str, dict], prefix: str = "") -> tuple[str, list[str]]:
    """The same page with each chart's two SVG images replaced by a div that vega-embed draws into."""
    names: list[str] = []

    def to_div(match: re.Match) -> str:
        name = match.group(1)
        if name.endswith(".narrow"):
            return ""  # the phone drawing of a chart: vega-embed lays out one chart for any width
        if name not in specs:
            sys.exit(f"no Vega-Lite spec for the page's chart {name!r} (known: {', '.join(sorted(specs))})")
        names.append(name)
        return f'<div class="vega-chart" data-chart="{name}"></div>'

    html = DARK_IMG.sub("", LIGHT_IMG.sub(to_div, html))
    used = {name: specs[name] for name in dict.fromkeys(names)}
    inline = json.dumps(used, separators=(",", ":")).replace("</", "<\\/")  # no </script> inside the script
    script = "\n".join([
        *(f'<script src="{prefix}assets/vega/{bundle}"></script>' for bundle in BUNDLES),
        "<script>",
        f"const specs = {inline};",
        'document.querySelectorAll("div.vega-chart").forEach(div =>',
        '  vegaEmbed(div, specs[div.dataset.chart], {renderer: "svg", actions: false}));',
        "</script>",
    ])
    if "</body>" not in html:
        sys.exit("the page has no </body>")
    return html.replace("</body>", script + "\n</body>", 1), names


# ---------------------------------------------------------------------------------------------- serving


COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "application/json", "application/xml", "text/xml", "text/plain", "text/csv"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed (level 6) for text types when the browser accepts it, as any static host does.

    Lighthouse times the transfer of what it is sent, so an uncompressed local server would make the
    site look slower on its simulated mobile network than it is when published.
    """

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        content_type = self.guess_type(str(path))
        if (path.is_file() and content_type.split(";")[0] in COMPRESSIBLE
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve root on 127.0.0.1 on a free port, in a background thread."""
    handler = functools.partial(_Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# ---------------------------------------------------------------------------------------------- weighing


def kind_of(resource_type: str, content_type: str, path: str) -> str:
    """HTML, CSS, JS, images or other, from the browser's resource type and the response's content type."""
    content_type = content_type.split(";")[0].strip().lower()
    if resource_type == "document" or content_type == "text/html":
        return "HTML"
    if resource_type == "stylesheet" or content_type == "text/css":
        return "CSS"
    if resource_type == "script" or content_type in ("text/javascript", "application/javascript") or path.endswith(".js"):
        return "JS"
    if resource_type == "image" or content_type.startswith("image/"):
        return "images"
    return "other"


def compressed_size(body: bytes, content_type: str) -> int:
    """The body as a static host sends it: gzip level 6 for text types, as is for images already compressed."""
    if content_type.split(";")[0].strip().lower() not in COMPRESSIBLE:
        return len(body)
    return len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))


def weigh(browser, url: str, charts: int = 0, screenshot: Path | None = None) -> Weight:
    """Load url in a fresh context (empty cache), scroll to the end so lazy images load, and weigh every response.

    With `charts`, wait until that many charts are drawn (an svg inside each vega-embed div) first.
    """
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    responses = []
    worker_urls: set[str] = set()
    page.on("response", lambda response: responses.append(response))
    page.on("worker", lambda worker: worker_urls.add(worker.url))
    page.goto(url, wait_until="load")
    page.evaluate("""async () => {
        for (let y = 0; y <= document.documentElement.scrollHeight; y += innerHeight / 2) {
            scrollTo(0, y);
            await new Promise(done => setTimeout(done, 150));
        }
        scrollTo(0, document.documentElement.scrollHeight);
    }""")
    if charts:
        page.wait_for_function("n => document.querySelectorAll('div.vega-chart svg').length >= n", arg=charts,
                               timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    assets, excluded = [], []
    for response in responses:
        request = response.request
        if request.url.startswith("data:") or 300 <= response.status < 400 or response.status == 204:
            continue  # inline data, redirects (their target is counted) and empty answers carry no body
        if response.status >= 400:
            print(f"warning: {request.url} answered {response.status}: the page asks for a file that is missing")
        try:
            body = response.body()
        except Exception as exc:  # noqa: BLE001 (a response the browser dropped: say so, never skip silently)
            sys.exit(f"could not read the body of {request.url}: {exc}")
        path = urlsplit(request.url).path
        content_type = response.headers.get("content-type", "")
        asset = Asset(request.url, kind_of(request.resource_type, content_type, path),
                      len(body), compressed_size(body, content_type))
        wire = request.sizes()["responseBodySize"]  # 0 where Chromium does not say (a worker's script)
        if wire and wire != asset.compressed:
            print(f"warning: {path}: {wire} bytes on the wire, {asset.compressed} counted")
        if path.endswith("/search/search_index.json") or _from_worker(request, worker_urls):
            excluded.append(asset)
        else:
            assets.append(asset)
    context.close()
    return Weight(assets, excluded)


def _from_worker(request, worker_urls: set[str]) -> bool:
    """A request a web worker made (Material's search worker), not the page; the worker's own script is the page's."""
    if request.url in worker_urls:
        return False
    try:
        request.frame  # noqa: B018 (raises for requests without a frame: those of workers)
    except Exception:  # noqa: BLE001
        return True
    return False


# ---------------------------------------------------------------------------------------------- lighthouse


CATEGORIES = {"performance": "performance", "accessibility": "accessibility", "best-practices": "best practices",
              "seo": "SEO"}


def lighthouse(url: str, out: Path, preset: str) -> dict:
    """One Lighthouse run (performance, accessibility, best practices, SEO) of url in Debian's Chromium."""
    command = [str(LIGHTHOUSE), url, f"--only-categories={','.join(CATEGORIES)}", "--output=json",
               f"--output-path={out}", "--quiet", "--no-enable-error-reporting",
               "--chrome-flags=" + " ".join(["--headless=new", *CHROMIUM_FLAGS[1:]])]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not out.exists():
        sys.exit(f"lighthouse failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        sys.exit(f"lighthouse could not load {url}: {report['runtimeError']}")
    audits = report["audits"]
    return {
        **{CATEGORIES[name]: round(report["categories"][name]["score"] * 100) for name in CATEGORIES},
        **{name: audits[audit]["displayValue"] for name, audit in (
            ("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"),
            ("TBT", "total-blocking-time"), ("CLS", "cumulative-layout-shift"), ("SI", "speed-index"))},
        "failed a11y audits": [a["id"] for a in report["categories"]["accessibility"]["auditRefs"]
                               if audits[a["id"]].get("score") == 0 and a.get("weight", 0) > 0],
        "lighthouse": report["lighthouseVersion"], "user agent": report["environment"]["hostUserAgent"],
        "report": out,
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (Lighthouse's own advice for several runs)."""
    ordered = sorted(runs, key=lambda r: r["performance"])
    return ordered[len(ordered) // 2]


# ---------------------------------------------------------------------------------------------- report


def kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def print_weights(ours: Weight, vega: Weight, names: list[str], verbose: bool) -> None:
    print(f"\nPage weight: every response's body as sent, gzip level {GZIP_LEVEL} for text (the standard library has "
          "no Brotli), images as they are; KB = 1000 bytes")
    print(f"Charts on the page: {len(names)} ({', '.join(names) or 'none'})\n")
    print(f"| {'':8} | {'our page':>10} | {'vega-embed':>10} |")
    print(f"| {'-' * 8} | {'-' * 9}: | {'-' * 9}: |")
    for kind in KINDS:
        print(f"| {kind:8} | {kb(ours.total(kind)):>10} | {kb(vega.total(kind)):>10} |")
    print(f"| {'total':8} | {kb(ours.total()):>10} | {kb(vega.total()):>10} |")
    print(f"| {'requests':8} | {len(ours.assets):>10} | {len(vega.assets):>10} |")
    for label, weight in (("our page", ours), ("vega-embed variant", vega)):
        if verbose:
            print(f"\n{label}: every response, largest first (as sent, raw)")
            for a in sorted(weight.assets, key=lambda a: -a.compressed):
                print(f"  {kb(a.compressed):>10} {kb(a.raw):>10}  {a.kind:7} {urlsplit(a.url).path}")
        for a in weight.excluded:
            print(f"  {label}, not counted (search): {urlsplit(a.url).path} {kb(a.compressed)}")


def print_lighthouse(label: str, runs: list[dict], preset: str) -> None:
    best = median_run(runs)
    throttling = ("simulated slow 4G and 4x CPU slowdown" if preset == "mobile"
                  else "simulated 10 Mbit/s, no CPU slowdown")
    print(f"\nLighthouse {best['lighthouse']}, {label}, {preset} preset ({throttling}), median of {len(runs)} "
          f"(performance {', '.join(str(r['performance']) for r in runs)}):")
    print("  " + ", ".join(f"{label} {best[label]}" for label in CATEGORIES.values()))
    print("  " + ", ".join(f"{m} {best[m]}" for m in ("FCP", "LCP", "TBT", "CLS", "SI")))
    if best["failed a11y audits"]:
        print(f"  failed accessibility audits: {', '.join(best['failed a11y audits'])}")


def machine(browser_version: str) -> str:
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0) if Path("/proc/meminfo").exists() else 0
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"machine: {platform.machine()}, {os.cpu_count()} cores, {round(memory / 1024 ** 2)} GiB, "
            f"Python {platform.python_version()}, node {node}, Chromium {browser_version}, {date.today().isoformat()}")


def main() -> None:
    """Weigh both pages, score the home page with Lighthouse, print the summary; exit 1 if a budget fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="weigh this already built site instead of building a copy")
    parser.add_argument("--project", type=Path, default=REPO,
                        help="with --site: the project whose charts' specs to use (default: this repository)")
    parser.add_argument("--page", default="",
                        help="weigh another page, as a folder of the site (e.g. data/public-2015/; default: home)")
    parser.add_argument("--preset", choices=("mobile", "desktop"), default="mobile",
                        help="Lighthouse preset (default mobile: simulated slow 4G and 4x CPU slowdown)")
    parser.add_argument("--lighthouse-runs", type=int, default=5,
                        help="Lighthouse runs, the median kept (default 5; 0 skips Lighthouse)")
    parser.add_argument("--lighthouse-variant", action="store_true",
                        help="score the vega-embed variant with Lighthouse too, for comparison")
    parser.add_argument("--lighthouse-json", type=Path, help="keep the median Lighthouse run's JSON report here")
    parser.add_argument("--screenshots", type=Path, help="save full-page screenshots of both pages in this folder")
    parser.add_argument("--verbose", action="store_true", help="list every response of both pages")
    args = parser.parse_args()
    ensure_npm_packages()
    from playwright.sync_api import sync_playwright

    folder = args.page.strip("/")
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp_name:
        tmp = Path(tmp_name)
        if args.site:
            project, built = args.project.resolve(), args.site.resolve()
        else:
            project = build_copy(tmp)
            built = project / "site"
        root = tmp / "served"
        shutil.copytree(built, root)
        (root / "assets/vega").mkdir(parents=True, exist_ok=True)
        for name, bundle in BUNDLES.items():
            shutil.copy2(bundle, root / "assets/vega" / name)
        page_dir = root / folder
        html = (page_dir / "index.html").read_text(encoding="utf-8")
        specs = chart_specs(project) if LIGHT_IMG.search(html) else {}
        variant, names = vega_embed_variant(html, specs, prefix="../" * len(Path(folder).parts))
        (page_dir / VARIANT).write_text(variant, encoding="utf-8")
        shots = args.screenshots.resolve() if args.screenshots else None
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
        server, base = serve(root)
        url = base + (folder + "/" if folder else "")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                version = browser.version
                ours = weigh(browser, url, screenshot=shots / "our-page.png" if shots else None)
                vega = weigh(browser, url + VARIANT, charts=len(names),
                             screenshot=shots / "vega-embed.png" if shots else None)
                browser.close()
            runs = [lighthouse(url, tmp / f"lighthouse-{i}.json", args.preset) for i in range(args.lighthouse_runs)]
            variant_runs = [lighthouse(url + VARIANT, tmp / f"lighthouse-vega-{i}.json", args.preset)
                            for i in range(args.lighthouse_runs if args.lighthouse_variant else 0)]
            if runs and args.lighthouse_json:
                shutil.copy2(median_run(runs)["report"], args.lighthouse_json)
        finally:
            server.shutdown()

    print(f"\npage: /{folder + '/' if folder else ''}{'' if folder else ' (the home page)'}")
    print_weights(ours, vega, names, args.verbose)
    ratio = ours.total() / vega.total()
    fits, halves = ours.total() <= BUDGET_BYTES, ratio <= BUDGET_RATIO
    print(f"\nbudget: our page {kb(ours.total())} <= {kb(BUDGET_BYTES)}: {'ok' if fits else 'FAILED'}")
    print(f"budget: our page / vega-embed variant = {kb(ours.total())} / {kb(vega.total())} = {ratio:.2f} "
          f"<= {BUDGET_RATIO}: {'ok' if halves else 'FAILED'}")
    if not names:
        print("note: the page shows no chart, so the variant differs only by the vega bundles it loads")
    if runs:
        print_lighthouse("our page", runs, args.preset)
    if variant_runs:
        print_lighthouse("vega-embed variant", variant_runs, args.preset)
    print(f"\n{machine(version)}")
    if not (fits and halves):
        sys.exit(1)


if __name__ == "__main__":
    main()
