"""Publishing that readers and other builds can rely on: one build at a time, and site/ swapped whole.

At every instant site/ is the old complete site or the new one: the new tree is built in a staging
folder beside it and exchanged with site/ in one `renameat2(RENAME_EXCHANGE)` call where Linux offers
it. Elsewhere the swap is two renames, and a build killed between them is repaired when the next one
starts (the retired site is put back). A lock file makes a second build in the same project wait.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from build_scripts.errors import CampaignError

LOCK_NAME = ".campaign-site.lock"
STAGING_PREFIX = ".site-build-"
RETIRED_PREFIX = ".site-old-"
WAIT_SECONDS = 600.0  # a cold build of a large project takes minutes; longer than this, something is stuck
_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


class BuildBusy(CampaignError):
    """Another build in the same project held the lock for longer than we waited."""

    def __init__(self, lock: Path, waited: float):
        self.lock, self.waited = lock, waited
        super().__init__(f"another build holds {lock}")

    def describe(self) -> str:
        """Say what holds the project and what to do."""
        return (f"Another campaign-site build or preview is writing this project (it holds {self.lock.name}); "
                f"waited {self.waited:.0f} s for it.\n    fix: let it finish, or stop it, then build again")


@contextmanager
def exclusive(root: Path, say: Callable[[str], None] = lambda message: None,
              wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the project's build lock: a second build waits for the first (saying so), up to `wait` seconds."""
    path = root / LOCK_NAME
    # O_NOFOLLOW: a lock file committed as a link must not make the build open (or create) a file elsewhere.
    handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644), "r+b")
    try:
        if not _try_lock(handle):
            say(f"Waiting for another campaign-site build in {root} to finish...")
            started = time.monotonic()
            while not _try_lock(handle):
                if time.monotonic() - started > wait:
                    raise BuildBusy(path, time.monotonic() - started)
                time.sleep(0.2)
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process dies


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def recover(root: Path, site: Path) -> None:
    """Undo what a killed build left: put a retired site back if site/ is missing, remove staging folders.

    Call only while holding the lock, so that no running build owns the folders removed.
    """
    retired = sorted(root.glob(RETIRED_PREFIX + "*"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not site.exists() and retired:
        retired[0].rename(site)
        retired = retired[1:]
    for leftover in [*retired, *root.glob(STAGING_PREFIX + "*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def swap_in(staging: Path, site: Path) -> None:
    """Make `staging` the published site/ in one step, then delete the site it replaced."""
    if not site.exists():
        staging.rename(site)  # nothing to replace: one rename is atomic already
        return
    if _exchange(staging, site):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old site
        return
    retired = site.with_name(f"{RETIRED_PREFIX}{os.getpid()}")
    site.rename(retired)
    staging.rename(site)  # killed between the renames: `recover` restores the retired site next time
    shutil.rmtree(retired, ignore_errors=True)


@cache
def _renameat2():
    """libc's renameat2, or None where the C library has none."""
    libc_name = ctypes.util.find_library("c")
    return None if libc_name is None else getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2 (Linux 3.15+, glibc 2.28+); False where unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False  # the kernel or file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))
