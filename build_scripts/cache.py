"""A content-hash cache under .cache/campaign-site/: results keyed by their inputs and the code's version.

An unchanged rebuild then computes no statistics and renders no charts; a changed survey, codebook,
chart or library version changes the key, so stale results are never reused. Values are pickled:
the cache holds only what this project's own build wrote on this machine.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).parent
LIBRARIES = ["pandas", "numpy", "pyarrow", "altair", "vl-convert-python", "pydantic",
             "python-calamine", "pyreadstat", "pyyaml"]


@cache
def code_version() -> str:
    """A hash of this package's source, every subpackage included, and the versions of the libraries that
    shape its output."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(package_versions(LIBRARIES).encode())
    return digest.hexdigest()


def package_versions(names: list[str]) -> str:
    """The installed version of each package, in order ("absent" for one not installed), as one text."""
    versions = []
    for name in names:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return "\0".join(versions)


def folder_digest(folder: Path) -> str:
    """A hash of every file under a folder: names and bytes, in a fixed order; a link by where it points."""
    digest = hashlib.sha256()
    for path in sorted(_files(folder)):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_symlink():  # never followed: it may lead out of the project (loading refuses such a file)
            digest.update(b"link:" + os.fsencode(os.readlink(path)))
        elif path.is_file():
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    """Files and links under a folder, not descending into linked folders."""
    found = []
    for parent, folders, files in os.walk(folder, followlinks=False):
        found += [Path(parent) / name for name in files]
        found += [Path(parent) / name for name in folders if (Path(parent) / name).is_symlink()]
    return found


class Cache:
    """Pickled values by kind and key, each stored with a checksum.

    `read` off recomputes everything but still stores the results (`build --no-cache`, which so
    also refreshes the cache); `write` off only reads (`check` and `diff` write nothing); a cache
    with no root does neither.
    """

    def __init__(self, root: Path | None, read: bool = True, write: bool = True):
        self.root = root
        self.read, self.write = read and root is not None, write and root is not None
        self.used: set[Path] = set()
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}

    def key(self, *parts: str | bytes) -> str:
        """The key for a value made from these inputs by the current code."""
        digest = hashlib.sha256(code_version().encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value, or None when there is none (or it is damaged: it is then recomputed)."""
        value = None
        if self.read:
            path = self._path(kind, key)
            try:
                stored = path.read_bytes()
                if hashlib.sha256(stored[32:]).digest() == stored[:32]:
                    value = pickle.loads(stored[32:])
            except Exception:  # noqa: BLE001 - whatever is wrong with an entry, recomputing is the cure
                value = None
        if value is None:
            self.misses[kind] = self.misses.get(kind, 0) + 1
            return None
        self.used.add(path)
        self.hits[kind] = self.hits.get(kind, 0) + 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a value atomically (a half-written entry is never read); a cache it cannot write is skipped."""
        if not self.write:
            return
        path = self._path(kind, key)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, path)
        except OSError:
            return  # a read-only project still builds, just without the cache
        self.used.add(path)

    def remember(self, kind: str, key: str, make: Callable[[], Any]) -> Any:
        """The stored value for the key, or `make()` stored under it."""
        value = self.get(kind, key)
        if value is None:
            value = make()
            self.put(kind, key, value)
        return value

    def is_empty(self, kind: str) -> bool:
        """Whether nothing of this kind can be read (a first build, or reading is off)."""
        return not self.read or not any((self.root / kind).glob("*"))

    def prune(self, kinds: list[str]) -> int:
        """Delete entries of these kinds that this run did not use; returns how many."""
        removed = 0
        for kind in kinds if self.write else []:
            for path in (self.root / kind).glob("*"):
                if path.is_file() and path not in self.used:
                    path.unlink()
                    removed += 1
        return removed

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key
