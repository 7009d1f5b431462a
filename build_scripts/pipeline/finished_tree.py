"""The finished tree (.build/): what the site engine publishes, with no template left in it.

It mirrors the project: `.build/mkdocs.yml` is mkdocs.yml as written (so its relative folders point
into .build/), `.build/docs/` holds every hand-written page rendered, with its share card in front
matter, the other files of docs/ as they are, and the generated pages under data/; the theme's
custom_dir is copied beside it, and the updates feed (feed_rss_created.xml) is written into docs/ for the engine
to copy. MkDocs or Zensical then builds it through its own command line.
"""

from __future__ import annotations

import os
from pathlib import Path

from build_scripts.cache import Cache
from build_scripts.editorial.campaign import Campaign, campaign_css
from build_scripts.editorial.copy_check import page_title
from build_scripts.editorial.copy_render import RenderedCopy, problems_banner, with_banner
from build_scripts.editorial.table_regions import wrap_tables
from build_scripts.publish.page_endings import page_description, page_ending
from build_scripts.editorial.revisions_page import release_line
from build_scripts.errors import DataError
from build_scripts.publish.drawing import DrawingPool
from build_scripts.publish.feed import FEED, Blog, blog_posts, post_slugs, rss
from build_scripts.pipeline.generate import write_generated
from build_scripts.pipeline.compute import Results
from build_scripts.project import GENERATED, REVISIONS_PAGE, Project
from build_scripts.publish.site_engine import ENGINE_OUTPUT
from build_scripts.publish.writer import GeneratedFolder, Subfolder
from build_scripts.yaml_schema import read_site_config

COLOURS = "stylesheets/colours.css"  # the campaign's colours, written from mkdocs.yml (extra: campaign: colours:)
ENGINE_OWN = (ENGINE_OUTPUT, ".cache")  # what the engine writes in .build/ (Zensical's output and cache)


def write_finished_tree(project: Project, results: Results, progress=lambda message: None, cache: Cache | None = None,
                        pool: DrawingPool | None = None, problems: str = "") -> GeneratedFolder:
    """Write the finished tree: config, theme, rendered pages, assets and generated files.

    `problems` (for the preview) are shown at the top of every hand-written page.
    """
    out = GeneratedFolder(own_folder(project.build_dir))
    banner = problems_banner(problems) if problems else ""
    share = write_generated(Bannered(out, f"docs/{GENERATED}", banner), results, progress, cache, pool)
    _write_sources(out, project, results.copy, share, results.site_config, results.campaign, banner,
                   home=release_line(results.record, REVISIONS_PAGE))
    out.write(f"docs/{COLOURS}", campaign_css(results.campaign))
    out.prune(keep=ENGINE_OWN)
    return out


def write_preview_pages(project: Project, copy: RenderedCopy, config: dict, problems: str,
                        campaign: Campaign) -> None:
    """For `serve` when the data or copy has problems: pages rendered with the last good figures, the problems
    shown at the top of each; the generated pages of the last good build stay as they are."""
    out = GeneratedFolder(own_folder(project.build_dir))
    banner = problems_banner(problems) if problems else ""
    _write_sources(out, project, copy, {}, config, campaign, banner, feed_must_build=False)
    out.write(f"docs/{COLOURS}", campaign_css(campaign))
    generated = Bannered(out, f"docs/{GENERATED}", banner)
    for path in sorted(project.generated_dir.rglob("*")) if project.generated_dir.is_dir() else []:
        if path.is_file():
            generated.write(path.relative_to(project.generated_dir).as_posix(), path.read_bytes())
    out.prune(keep=ENGINE_OWN)


def own_folder(folder: Path) -> Path:
    """The build's own folder, with no link in it: a link committed as .build (or inside it) would send the
    build's writes anywhere on the machine, so links are removed, never followed."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()
    folder.mkdir(exist_ok=True)
    for parent, folders, files in os.walk(folder, followlinks=False):
        for name in folders + files:
            path = Path(parent) / name
            if path.is_symlink():
                path.unlink()
    return folder


class Bannered(Subfolder):
    """The generated folder, with the preview's problems banner (or none) put at the top of every page."""

    def __init__(self, folder: GeneratedFolder, prefix: str, banner: str):
        super().__init__(folder, prefix)
        self.banner = banner

    def write(self, relative: str, content: str | bytes) -> None:
        """Write the file, with the banner set if it is a page."""
        if relative.endswith(".md"):
            text = content.decode("utf-8") if isinstance(content, bytes) else content
            content = with_banner(text, self.banner)
        super().write(relative, content)


def _write_sources(out: GeneratedFolder, project: Project, copy: RenderedCopy, share: dict[str, dict[str, str]],
                   config: dict, campaign: Campaign, banner: str = "", feed_must_build: bool = True,
                   home: str = "") -> None:
    """mkdocs.yml, the theme's folder, docs/ assets as they are, the rendered pages (each blog post with the `slug:`
    of its address) and the updates feed (left out of a preview that already shows problems, if it cannot be made:
    the problems banner matters more). `home` ends the home page: when the figures were released, and the next."""
    out.write("mkdocs.yml", engine_config(project.config_file.read_text(encoding="utf-8")))
    theme = project.theme_dir(config)
    if theme is not None:
        for path in _files(theme):
            out.write(path.relative_to(project.root.resolve()).as_posix(), path.read_bytes())
    reserved = project.docs_dir / GENERATED
    for path in _files(project.docs_dir):
        if reserved in path.parents or path.suffix == ".md":
            continue
        out.write(f"docs/{path.relative_to(project.docs_dir).as_posix()}", path.read_bytes())
    finished = read_site_config(project.config_file, environment=True)  # site_url as the engine reads it
    blog = Blog.of(finished)
    slugs = post_slugs(copy, blog) if blog else {}
    site_card = share.get("", {})
    posts, unreadable = _published_posts(copy, blog)  # read once: for the posts' addresses and for the feed
    addresses = {post.page: blog.address(post) for post in posts}
    for name, page in copy.pages.items():
        added = share.get(name, site_card) | ({"slug": slugs[name]} if name in slugs else {})
        description = page_description(page.body)
        if description:
            added["description"] = description
        text = wrap_tables(page.markdown(added, banner))
        if name == "index.md" and home:
            text += f"\n\n{home}\n{{ .release-line }}\n"
        if name != "index.md":  # the home page places its own actions and share links
            title = page_title(page.body, page.meta, Path(name))  # the front matter's title first
            text += page_ending(campaign, str(finished.get("site_url") or ""), name, title, addresses.get(name, ""),
                                actions=name in addresses)
        out.write(f"docs/{name}", text)
    if blog is not None:  # the engine copies it into the site as it is, so both engines publish the same bytes
        try:
            if unreadable is not None:
                raise unreadable
            out.write(f"docs/{FEED}", rss(finished, blog, posts))
        except DataError:
            if feed_must_build:
                raise


def _published_posts(copy: RenderedCopy, blog: Blog | None) -> tuple[list, DataError | None]:
    """The blog's published posts, or none and the error saying which cannot be read (the feed reports it; their
    pages still end with share links, to their paths)."""
    if blog is None:
        return [], None
    try:
        return blog_posts(copy, blog), None
    except DataError as error:
        return [], error


def engine_config(text: str) -> str:
    """mkdocs.yml as written, with the output folder set inside .build/ (the last value of a key wins in both
    engines' YAML readers): Zensical takes no output option and refuses a site_dir outside its config's folder."""
    return (text if text.endswith("\n") else text + "\n") + (
        f"\n# Added by campaign-site: the engine writes here, and the build moves it into site/.\n"
        f"site_dir: {ENGINE_OUTPUT}\n")


def _files(folder: Path) -> list[Path]:
    """Ordinary files under a folder, in a fixed order (links were refused by the boundary check)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
