"""The cache's folder, its key and its signed files (for :mod:`connect_books.cache`).

* :func:`folder`: ``$CONNECT_BOOKS_CACHE``, else ``$XDG_CACHE_HOME/connect-books``, else
  ``~/.cache/connect-books``; ``off`` turns the cache off. :func:`usable` refuses a folder
  others may write, or one inside the books' folder (or holding it).
* :func:`key`: the 32 random bytes (``key``, mode ``0600``) that sign every file here.
* :func:`seal` / :func:`unseal`: a file is ``MAGIC``, a keyed BLAKE2b MAC of the rest,
  then length-prefixed parts; anything that does not verify is not read at all.
* :class:`Writing` / :func:`wait`: the lock held while an entry is written.
* :func:`read_memo` / :func:`write_memo`: the settled years' memo
  (:mod:`connect_books.settledmemo`), signed JSON beside the entry.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import struct
from contextlib import suppress
from pathlib import Path
from typing import Any

#: The environment variable naming the cache folder (``off``: no cache).
FOLDER_ENV = "CONNECT_BOOKS_CACHE"
KEY_NAME = "key"
SUFFIX = ".books"
MEMO_SUFFIX = ".memo"
MEMO_MAGIC = b"connect-books memo 1\n"
#: Entries kept; the least recently used beyond this are removed.
MAX_ENTRIES = 32
_LENGTH = struct.Struct(">Q")
_MAC_SIZE = 32


def folder() -> Path | None:
    """The cache folder (not created here), or None when the cache is off."""
    chosen = os.environ.get(FOLDER_ENV, "")
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser().absolute()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    if not os.path.isabs(base):
        return None
    return Path(base) / "connect-books"


def usable(place: Path, books_folder: Path, *, create: bool) -> bool:
    """Whether ``place`` may hold the cache of the books in ``books_folder``."""
    try:
        if create:
            place.mkdir(mode=0o700, parents=True, exist_ok=True)
        real = place.resolve()
        info = real.stat()
    except OSError:
        return False
    books = books_folder.resolve()
    if real.is_relative_to(books) or books.is_relative_to(real):
        return False  # never in the ledger folder (nor the ledger in the cache)
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def key(place: Path, *, create: bool) -> bytes | None:
    """The MAC key of the cache in ``place`` (made on first use), or None."""
    path = place / KEY_NAME
    if create and not path.exists():
        with suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
    try:
        info = path.stat()
        found = path.read_bytes()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or len(found) != 32:
        return None
    return found


def entry_path(place: Path, main: Path) -> Path:
    """Where the entry of the books at ``main`` lives in ``place``."""
    name = hashlib.blake2b(str(main).encode("utf-8"), digest_size=16).hexdigest()
    return place / f"{name}{SUFFIX}"


def seal(key: bytes, magic: bytes, parts: list[bytes]) -> bytes:
    """``parts`` as one signed file."""
    body = b"".join(_LENGTH.pack(len(part)) + part for part in parts)
    mac = hashlib.blake2b(body, key=key, digest_size=_MAC_SIZE).digest()
    return magic + mac + body


def unseal(
    blob: bytes, key: bytes, magic: bytes, count: int
) -> list[memoryview] | None:
    """The ``count`` parts of a file :func:`seal` wrote with ``key``, or None."""
    if not blob.startswith(magic):
        return None
    start = len(magic) + _MAC_SIZE
    mac = blob[len(magic) : start]
    body = memoryview(blob)[start:]
    expected = hashlib.blake2b(body, key=key, digest_size=_MAC_SIZE).digest()
    if not hmac.compare_digest(mac, expected):
        return None
    parts: list[memoryview] = []
    at = 0
    for _ in range(count):
        if at + _LENGTH.size > len(body):
            return None
        (size,) = _LENGTH.unpack_from(body, at)
        at += _LENGTH.size
        if at + size > len(body):
            return None
        parts.append(body[at : at + size])
        at += size
    return parts if at == len(body) else None


def write_file(path: Path, content: bytes) -> bool:
    """Write ``path`` whole (a temporary file, then a rename), mode ``0600``."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(temp, path)
    except OSError:
        discard(temp)
        return False
    return True


def discard(path: Path) -> None:
    """Remove ``path`` if it is there."""
    with suppress(OSError):
        path.unlink()


class Writing:
    """An exclusive lock on ``<entry>.lock`` while the entry is written (:func:`wait`)."""

    def __init__(self, path: Path, *, held: bool = False) -> None:
        self.path = path.with_name(path.name + ".lock")
        self.held = held
        self.fd = -1

    def __enter__(self) -> None:
        if not self.held:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        self.release()

    def take(self) -> bool:
        """Take the lock without waiting; False if another process holds it."""
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.leave()
            return False
        return True

    def release(self) -> None:
        """Unlock and close (for every copy of the descriptor)."""
        if self.fd >= 0:
            with suppress(OSError):
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.leave()

    def leave(self) -> None:
        """Close this process's descriptor, leaving the lock to the other copies (a forked
        writer keeps it until it ends)."""
        if self.fd >= 0:
            with suppress(OSError):
                os.close(self.fd)
            self.fd = -1


def wait(main: Path, place: Path | None = None) -> None:
    """Wait until no process is writing the entry of the books at ``main`` (for benchmarks
    and tests: a background write started by a command that has returned has then
    finished). ``place``: the cache folder (default :func:`folder`)."""
    place = place if place is not None else folder()
    if place is None:
        return
    lock = entry_path(place, main.resolve())
    lock = lock.with_name(lock.name + ".lock")
    if not lock.exists():
        return
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)


def evict(place: Path) -> None:
    """Remove the least recently used entries beyond :data:`MAX_ENTRIES`."""
    entries = sorted(place.glob(f"*{SUFFIX}"), key=_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        for suffix in ("", ".lock"):
            discard(old.with_name(old.name + suffix))
        discard(old.with_suffix(MEMO_SUFFIX))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_memo(main: Path) -> dict[str, Any] | None:
    """The stored memo of the books at ``main`` (JSON values), if there is a valid one."""
    place = folder()
    if place is None or not usable(place, main.parent, create=False):
        return None
    found = key(place, create=False)
    if found is None:
        return None
    try:
        blob = entry_path(place, main).with_suffix(MEMO_SUFFIX).read_bytes()
    except OSError:
        return None
    parts = unseal(blob, found, MEMO_MAGIC, 1)
    if parts is None:
        return None
    try:
        value = json.loads(bytes(parts[0]))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def write_memo(place: Path, signing: bytes, main: Path, value: dict[str, Any]) -> None:
    """Store the memo (JSON values) of the books at ``main``."""
    content = json.dumps(value, ensure_ascii=False).encode("utf-8")
    path = entry_path(place, main).with_suffix(MEMO_SUFFIX)
    write_file(path, seal(signing, MEMO_MAGIC, [content]))
