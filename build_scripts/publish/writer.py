"""Write generated files only when their content changes, and remove the ones no longer produced."""

from __future__ import annotations

from pathlib import Path


class GeneratedFolder:
    """A folder the build owns: files are rewritten only if changed, and stale files are pruned.

    Changed files are held until `prune` (or `flush`) and then written together, so a preview
    server watching the folder sees one burst of changes and rebuilds once.
    """

    def __init__(self, root: Path):
        self.root = root
        self.kept: set[Path] = set()
        self.changed: list[Path] = []
        self.pending: dict[Path, bytes] = {}

    def write(self, relative: str, content: str | bytes) -> None:
        """Write a file under the folder unless it already holds exactly this content."""
        path = self.root / relative
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.kept.add(path)
        if path.exists() and path.read_bytes() == data:
            return  # untouched files keep their mtime, so `mkdocs serve` does not rebuild in a loop
        self.pending[path] = data
        self.changed.append(path)

    def flush(self) -> None:
        """Write every changed file held so far."""
        for path, data in self.pending.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.pending.clear()

    def prune(self, keep: tuple[str, ...] = ()) -> list[Path]:
        """Write what changed, then delete files this run did not write (a survey or question removed),
        leaving alone the top-level folders named in `keep`."""
        self.flush()
        removed = []
        kept_folders = [self.root / name for name in keep]
        for path in sorted(self.root.rglob("*"), reverse=True):
            if any(path == folder or folder in path.parents for folder in kept_folders):
                continue
            if path.is_file() and path not in self.kept:
                path.unlink()
                removed.append(path)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return removed


class Subfolder:
    """A folder within a `GeneratedFolder`: writes go to the same folder, under a prefix."""

    def __init__(self, folder: GeneratedFolder, prefix: str):
        self.folder, self.prefix = folder, prefix.strip("/")

    def write(self, relative: str, content: str | bytes) -> None:
        """Write a file under the prefix, as `GeneratedFolder.write` does."""
        self.folder.write(f"{self.prefix}/{relative}", content)
