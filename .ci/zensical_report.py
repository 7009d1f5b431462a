#!/usr/bin/env python3
"""Compare the site MkDocs built with the one Zensical built from the same mkdocs.yml; print Markdown.

    python .ci/zensical_report.py MKDOCS_SITE ZENSICAL_SITE \
        [--mkdocs-log FILE] [--zensical-log FILE] [--zensical-exit CODE] >> "$GITHUB_STEP_SUMMARY"

Reports pages present in one site and not the other, pages whose main text (the article, without
the theme around it) differs, pages whose metadata differs (title, description, canonical address,
feed links, share cards), template syntax Zensical left unrendered, links in the main text that
lead nowhere, published files (charts, downloads, feeds) present in one site only or different in
the two, and the warnings and errors in each build's log. Theme files (assets/, the search index,
the sitemap) are expected to differ and are not compared. Standard library only. Exits 0 once its
arguments are valid, unless `--strict` is given (as CI does): then anything that differs fails it.
"""

from __future__ import annotations

import argparse
import difflib
import email.utils
import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from datetime import timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

# Files each generator writes for its theme and search; not content, expected to differ.
THEME_PREFIXES = ("assets/", "search/")
THEME_FILES = {"search.json", "sitemap.xml", "sitemap.xml.gz", "objects.inv"}

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
SKIP_TAGS = {"script", "style", "template", "noscript"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
IGNORED_META = {"generator", "viewport"}  # which generator built the page, and theme layout
METADATA_LINKS = {"canonical", "alternate", "prev", "next"}
UNRENDERED = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_DIFF_LINES = 40
RFC822_DATES = {"pubDate", "lastBuildDate"}
MAX_LIST = 50


class Page(HTMLParser):
    """What a built Material page says: its main text (the element of class `md-content__inner`, one
    block a line; heading permalinks left out, images by their alt text), the links and images in that
    text (for the link check) and its metadata (title, meta tags, canonical, feed and prev/next links).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open elements inside the main content, its own element included
        self.skip_depth = 0  # >0 while inside an element whose text is not content
        self.lines: list[str] = []
        self.current: list[str] = []
        self.targets: list[str] = []
        self.metadata: list[str] = []  # title, description, canonical, feeds, Open Graph and Twitter cards
        self.in_title = False

    def _break(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title" and not self.depth:
            self.in_title = True
            self.metadata.append("title: ")
        elif tag == "meta" and (attributes.get("name") or attributes.get("property")) and "content" in attributes:
            key = attributes.get("name") or attributes.get("property")
            if key not in IGNORED_META:
                self.metadata.append(f"meta {key}: {attributes['content']}")
        elif tag == "link" and set(attributes.get("rel", "").split()) & METADATA_LINKS:
            kind = f" {attributes['type']}" if attributes.get("type") else ""
            href = attributes.get("href", "")
            while href.startswith("./"):  # `./early-help/` and `early-help/` are the same address
                href = href[2:]
            self.metadata.append(f"link {attributes['rel']}{kind}: {href}")
        if not self.depth:
            if "md-content__inner" in attributes.get("class", "").split():
                self.depth = 1
            return
        if tag in ("a", "link") and attributes.get("href"):
            self.targets.append(attributes["href"])
        if tag in ("img", "source", "script") and attributes.get("src"):
            self.targets.append(attributes["src"])
        if tag == "img" and not self.skip_depth:
            self._break()
            self.current.append(f"[image: {attributes.get('alt', '')}]")
            self._break()
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS:
                self._break()
            return
        self.depth += 1
        if self.skip_depth:
            self.skip_depth += 1
        elif tag in SKIP_TAGS or (tag == "a" and "headerlink" in attributes.get("class", "").split()):
            self.skip_depth = 1
        if tag in BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if not self.depth or tag in VOID_TAGS:
            return
        self.depth -= 1
        if self.skip_depth:
            self.skip_depth -= 1
        if tag in BLOCK_TAGS or not self.depth:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.metadata[-1] += " ".join(data.split())
        if self.depth and not self.skip_depth:
            self.current.append(data)


def read_page(path: Path) -> Page:
    parser = Page()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    parser._break()
    return parser


def site_files(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def is_theme_file(name: str) -> bool:
    return name.startswith(THEME_PREFIXES) or name in THEME_FILES


def broken_links(root: Path, page: str, targets: list[str], files: set[str]) -> list[str]:
    """Relative links and images in a page's main text that point at no file of the same site."""
    broken = []
    here = posixpath.dirname(page)
    for target in targets:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path or target.startswith(("#", "/")):
            continue  # external, protocol-relative, absolute (site_url dependent) or in-page
        resolved = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
        if resolved.startswith(".."):
            broken.append(target)
            continue
        candidates = {resolved, posixpath.join(resolved, "index.html")} if resolved != "." else {"index.html"}
        if not candidates & files:
            broken.append(target)
    return sorted(set(broken))


def content_lines(path: Path) -> list[str]:
    """A published file as comparable lines: JSON with sorted keys, XML canonicalized (whitespace between
    elements and the <generator> element dropped), other text as it is, binary files by size and bytes."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.dumps(json.loads(data), indent=1, sort_keys=True, ensure_ascii=False).splitlines()
        if suffix in (".xml", ".xsl", ".svg", ".rss", ".atom"):
            return xml_lines(ElementTree.fromstring(data))
        return data.decode("utf-8").splitlines()
    except (ValueError, ElementTree.ParseError):  # not the JSON, XML or UTF-8 text its name says: compare bytes
        return [f"<{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}>"]


def xml_lines(element: ElementTree.Element, depth: int = 0) -> list[str]:
    """An XML tree as indented lines: each element's tag, attributes and text; the children of an element
    whose children all have different tags (an RSS item's fields) in sorted order, since their order carries
    no meaning; repeated children (items) in document order. <generator> is dropped: it names the engine."""
    attributes = " ".join(f"{k}={v!r}" for k, v in sorted(element.attrib.items()))
    text = (element.text or "").strip()
    if element.tag in RFC822_DATES:  # "+0000" and "-0000" are both UTC: compare the instant
        try:
            text = email.utils.parsedate_to_datetime(text).astimezone(timezone.utc).isoformat()
        except (TypeError, ValueError):
            pass
    lines = [f"{'  ' * depth}<{element.tag}{' ' + attributes if attributes else ''}> {text}"]
    children = [child for child in element if child.tag != "generator"]
    blocks = [xml_lines(child, depth + 1) for child in children]
    if len({child.tag for child in children}) == len(children):
        blocks.sort()
    return lines + [line for block in blocks for line in block]


def log_findings(text: str) -> list[str]:
    """Warnings and errors from a build log: MkDocs' `WARNING -`/`ERROR -` lines, campaign-site's
    `warning:` lines, Zensical's `Warning:`/`Error:` diagnostics with their file and line, Rust
    panics and the last line of a Python traceback."""
    lines = [ANSI.sub("", line).rstrip() for line in text.splitlines()]
    found: list[str] = []
    in_traceback = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("Traceback (most recent call last)"):
            in_traceback = True
            continue
        if in_traceback:
            if line and not line.startswith(" "):  # the exception line closes the traceback
                found.append(stripped)
                in_traceback = False
            continue
        match = re.match(r"(?i)^(warning|error|info)\s*(?:-|:)\s*(.*)$", stripped)
        if match and match.group(1).lower() != "info":
            message = f"{match.group(1).capitalize()}: {match.group(2)}"
            for follow in lines[i + 1:i + 3]:  # Zensical puts the location on the next line: ╭─[ file:line:col ]
                where = re.search(r"\[\s*([^\]\s]+:\d+(?::\d+)?)\s*\]", follow)
                if where:
                    message = f"{where.group(1)}: {message}"
                    break
            found.append(message)
        elif "panicked at" in stripped or re.match(r"^\d+ issues? found$", stripped):
            found.append(stripped)
    return found


def fenced(lines: list[str], language: str = "") -> list[str]:
    return [f"```{language}", *lines, "```"]


def listing(items: list[str]) -> list[str]:
    shown = [f"- `{item}`" for item in items[:MAX_LIST]]
    if len(items) > MAX_LIST:
        shown.append(f"- ... and {len(items) - MAX_LIST} more")
    return shown


@dataclass
class Comparison:
    """What differs between the two builds, by kind."""

    mk_pages: set[str] = field(default_factory=set)
    zs_pages: set[str] = field(default_factory=set)
    both: list[str] = field(default_factory=list)
    differing: list[tuple[str, list[str]]] = field(default_factory=list)
    metadata_differing: list[tuple[str, list[str]]] = field(default_factory=list)
    unrendered: list[str] = field(default_factory=list)
    broken: dict[str, list[tuple[str, list[str]]]] = field(default_factory=lambda: {"MkDocs": [], "Zensical": []})
    only_in_mkdocs: list[str] = field(default_factory=list)  # other published files
    only_in_zensical: list[str] = field(default_factory=list)
    files_differing: list[tuple[str, list[str]]] = field(default_factory=list)

    def failures(self) -> list[str]:
        """Each kind of difference found, with its count: what makes `--strict` fail."""
        kinds = {
            "pages only one engine built": len(self.mk_pages ^ self.zs_pages),
            "pages whose main text differs": len(self.differing),
            "pages whose metadata differs": len(self.metadata_differing),
            "pages with template syntax left unrendered": len(self.unrendered),
            "pages with links that lead nowhere": len(self.broken["MkDocs"]) + len(self.broken["Zensical"]),
            "published files only one engine wrote": len(self.only_in_mkdocs) + len(self.only_in_zensical),
            "published files whose content differs": len(self.files_differing),
        }
        missing = ["no pages to compare"] if not self.mk_pages or not self.zs_pages else []
        return missing + [f"{count} {kind}" for kind, count in kinds.items() if count]


def compare(mkdocs_site: Path, zensical_site: Path) -> Comparison:
    """Compare the two builds page by page (main text, head metadata, links) and file by file."""
    found = Comparison()
    mk_files, zs_files = site_files(mkdocs_site), site_files(zensical_site)
    mk_pages = found.mk_pages = {f for f in mk_files if f.endswith(".html") and not is_theme_file(f)}
    zs_pages = found.zs_pages = {f for f in zs_files if f.endswith(".html") and not is_theme_file(f)}
    both = found.both = sorted(mk_pages & zs_pages)
    differing, metadata_differing, unrendered, broken = (found.differing, found.metadata_differing,
                                                         found.unrendered, found.broken)
    for page in both:
        mk, zs = read_page(mkdocs_site / page), read_page(zensical_site / page)
        if mk.lines != zs.lines:
            diff = list(difflib.unified_diff(mk.lines, zs.lines, "MkDocs", "Zensical", n=1, lineterm=""))
            differing.append((page, diff))
        if sorted(mk.metadata) != sorted(zs.metadata):
            diff = list(difflib.unified_diff(sorted(mk.metadata), sorted(zs.metadata), "MkDocs", "Zensical",
                                             n=0, lineterm=""))
            metadata_differing.append((page, diff))
        leftovers = sorted({m for line in zs.lines for m in UNRENDERED.findall(line)} -
                           {m for line in mk.lines for m in UNRENDERED.findall(line)})
        if leftovers:
            unrendered.append(f"{page}: {', '.join(leftovers[:5])}")
    for name, root, pages, files in (("MkDocs", mkdocs_site, mk_pages, mk_files),
                                     ("Zensical", zensical_site, zs_pages, zs_files)):
        for page in sorted(pages):
            bad = broken_links(root, page, read_page(root / page).targets, files)
            if bad:
                broken[name].append((page, bad))
    mk_other = {f for f in mk_files - mk_pages if not is_theme_file(f)}
    zs_other = {f for f in zs_files - zs_pages if not is_theme_file(f)}
    found.only_in_mkdocs = sorted(mk_other - zs_other)
    found.only_in_zensical = sorted(zs_other - mk_other)
    for name in sorted(mk_other & zs_other):
        if (mkdocs_site / name).read_bytes() == (zensical_site / name).read_bytes():
            continue
        before, after = content_lines(mkdocs_site / name), content_lines(zensical_site / name)
        if before != after:
            found.files_differing.append((name, list(difflib.unified_diff(before, after, "MkDocs", "Zensical", n=0,
                                                                          lineterm=""))))
    return found


def report(mkdocs_site: Path, zensical_site: Path, mkdocs_log: str | None = None,
           zensical_log: str | None = None, zensical_exit: int | None = None) -> str:
    """The comparison as Markdown for a run summary, with each build's warnings and errors."""
    found = compare(mkdocs_site, zensical_site)
    out: list[str] = ["## Zensical compared with MkDocs", ""]
    mk_pages, zs_pages, both = found.mk_pages, found.zs_pages, found.both
    differing, metadata_differing, unrendered, broken = (found.differing, found.metadata_differing,
                                                         found.unrendered, found.broken)
    files_differing = found.files_differing
    only_mk, only_zs = sorted(mk_pages - zs_pages), sorted(zs_pages - mk_pages)
    if zensical_exit:
        out += [f"**The Zensical build failed (exit code {zensical_exit}).**", ""]
    if not mk_pages:
        out += [f"**No MkDocs site to compare in `{mkdocs_site}`.**", ""]
    if not zs_pages:
        out += [f"**Zensical produced no pages in `{zensical_site}`.**", ""]
    same = len(both) - len(differing)
    out += [
        "| | count |",
        "| --- | --- |",
        f"| pages in both builds | {len(both)} |",
        f"| ... with the same main text | {same} |",
        f"| ... whose main text differs | {len(differing)} |",
        f"| ... whose metadata differs (title, description, canonical, feeds, share cards) | {len(metadata_differing)} |",
        f"| pages only MkDocs built | {len(only_mk)} |",
        f"| pages only Zensical built | {len(only_zs)} |",
        f"| pages with template syntax Zensical left unrendered | {len(unrendered)} |",
        f"| pages with broken links (MkDocs / Zensical) | {len(broken['MkDocs'])} / {len(broken['Zensical'])} |",
        f"| other published files only in MkDocs / only in Zensical | {len(found.only_in_mkdocs)} / {len(found.only_in_zensical)} |",
        f"| other published files in both whose content differs (feeds, data, charts) | {len(files_differing)} |",
        "",
    ]
    one_side_empty = not mk_pages or not zs_pages  # a failed build: lists of everything would say nothing
    if only_mk and not one_side_empty:
        out += ["### Pages only MkDocs built", "", *listing(only_mk), ""]
    if only_zs and not one_side_empty:
        out += ["### Pages only Zensical built", "", *listing(only_zs), ""]
    if differing:
        out += ["### Pages whose main text differs", ""]
        for page, diff in differing:
            changed = sum(1 for line in diff[2:] if line[:1] in "+-")
            body = diff[:MAX_DIFF_LINES] + (["... (diff cut)"] if len(diff) > MAX_DIFF_LINES else [])
            out += ["<details>", f"<summary><code>{page}</code>: {changed} line(s) differ</summary>", "",
                    *fenced(body, "diff"), "", "</details>", ""]
    if metadata_differing:
        out += ["### Pages whose metadata differs", "",
                "The `<head>`: title, description, canonical address, feed links, Open Graph and Twitter cards.", ""]
        for page, diff in metadata_differing:
            changed = sum(1 for line in diff[2:] if line[:1] in "+-")
            body = [line for line in diff if not line.startswith("@@")]
            body = body[:MAX_DIFF_LINES] + (["... (diff cut)"] if len(body) > MAX_DIFF_LINES else [])
            out += ["<details>", f"<summary><code>{page}</code>: {changed} line(s) differ</summary>", "",
                    *fenced(body, "diff"), "", "</details>", ""]
    if unrendered:
        out += ["### Template syntax left unrendered by Zensical", "", *listing(unrendered), ""]
    for name in ("MkDocs", "Zensical"):
        if broken[name]:
            items = [f"{page} -> {', '.join(targets[:5])}" for page, targets in broken[name]]
            out += [f"### Links in the main text that lead nowhere ({name})", "", *listing(items), ""]
    if found.only_in_mkdocs and not one_side_empty:
        out += ["### Published files only in the MkDocs site", "", *listing(found.only_in_mkdocs), ""]
    if found.only_in_zensical and not one_side_empty:
        out += ["### Published files only in the Zensical site", "", *listing(found.only_in_zensical), ""]

    if files_differing:
        out += ["### Published files whose content differs", ""]
        for name, diff in files_differing:
            body = [line for line in diff if not line.startswith("@@")]
            body = body[:MAX_DIFF_LINES] + (["... (diff cut)"] if len(body) > MAX_DIFF_LINES else [])
            out += ["<details>", f"<summary><code>{name}</code></summary>", "", *fenced(body, "diff"), "",
                    "</details>", ""]

    for name, log in (("MkDocs", mkdocs_log), ("Zensical", zensical_log)):
        if log is None:
            continue
        findings = log_findings(log)
        out += [f"### {name} build warnings and errors", ""]
        if findings:
            out += fenced(findings[:MAX_LIST] + ([f"... and {len(findings) - MAX_LIST} more"]
                                                 if len(findings) > MAX_LIST else []))
        else:
            out.append("None.")
        out.append("")
    if zensical_exit and zensical_log:
        tail = [ANSI.sub("", line) for line in zensical_log.splitlines()[-25:]]
        out += ["<details>", "<summary>The end of Zensical's log</summary>", "", *fenced(tail), "", "</details>", ""]

    failures = found.failures() + ([f"the Zensical build failed (exit code {zensical_exit})"] if zensical_exit else [])
    out += ["**Result: " + ("the builds differ: " + "; ".join(failures) if failures else
                            "the same pages, text, links, metadata and files") + ".**", ""]
    out += ["Theme files (`assets/`, the search index, the sitemap) are expected to differ and are not compared.", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mkdocs_site", type=Path, help="the site MkDocs built (campaign-site build)")
    parser.add_argument("zensical_site", type=Path, help="the site Zensical built from the same mkdocs.yml")
    parser.add_argument("--mkdocs-log", type=Path, help="the MkDocs build's output, for its warnings")
    parser.add_argument("--zensical-log", type=Path, help="the Zensical build's output, for its warnings")
    parser.add_argument("--zensical-exit", type=int, help="the Zensical build's exit code")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when anything differs (or the Zensical build failed): the CI job's pass/fail")
    args = parser.parse_args(argv)

    def read(path: Path | None) -> str | None:
        if path is None:
            return None
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    print(report(args.mkdocs_site, args.zensical_site, read(args.mkdocs_log), read(args.zensical_log),
                 args.zensical_exit))
    if args.strict and (args.zensical_exit or compare(args.mkdocs_site, args.zensical_site).failures()):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
