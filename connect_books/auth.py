"""Who may read the books over the network: the 監事's user names and salted password hashes.

The users file holds one line per 監事, ``NAME:scrypt$n$r$p$SALT$KEY`` (salt and key in
base64), made by ``connect-books auditor-user add NAME``; no password is ever stored or
passed as an argument. It lives outside the ledger folder (and outside the repository
holding it), so it is never shared or committed with the books::

    ~/.config/connect-books/auditors      # or $CONNECT_BOOKS_AUDITORS, or --users FILE

The server side of a login is here too: :class:`Throttle` slows a run of failed logins
(per address and per name, doubling the wait after each failure), :class:`Sessions` keeps
the random session tokens in memory only (a restart logs everyone out).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from connect_books.errors import Refused
from connect_books.output import write_file

#: Environment variable naming the users file.
USERS_ENV = "CONNECT_BOOKS_AUDITORS"
#: scrypt's cost parameters (16 MiB of memory per hash) and the salt and key lengths.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
#: The shortest password accepted.
MIN_PASSWORD = 10
_NAME = re.compile(r"^[\w.@-]{1,64}$")


class AuthRefused(Refused):
    """A users file or a user that cannot be used; the message says why, in Japanese."""


def default_users_file() -> Path:
    """``$CONNECT_BOOKS_AUDITORS``, else ``$XDG_CONFIG_HOME/connect-books/auditors``."""
    named = os.environ.get(USERS_ENV)
    if named:
        return Path(named).expanduser().absolute()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "connect-books" / "auditors"


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The stored form of ``password``: ``scrypt$n$r$p$SALT$KEY`` with a random salt."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(key)]
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (in constant time)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        actual = _scrypt(
            password, base64.b64decode(salt, validate=True), int(n), int(r), int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=KEY_BYTES
    )


@functools.cache
def _dummy() -> str:
    """Checked against when the name is unknown, so that a wrong name costs as much as
    a wrong password (no telling names apart by the time an answer takes)."""
    return hash_password("connect-books: no such user", b"\0" * SALT_BYTES)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_name(name: str) -> str:
    """``name`` if it can be a user name (letters, digits, ``. @ _ -``; up to 64).

    Raises:
      AuthRefused: it cannot.
    """
    if not _NAME.match(name):
        raise AuthRefused(
            f"ユーザー名 '{name}' は使えません。英数字・かな漢字と . @ _ - だけで、64文字までにしてください。"
        )
    return name


def check_password(password: str) -> str:
    """``password`` if it is long enough.

    Raises:
      AuthRefused: it is shorter than :data:`MIN_PASSWORD` characters.
    """
    if len(password) < MIN_PASSWORD:
        raise AuthRefused(f"パスワードは {MIN_PASSWORD} 文字以上にしてください。")
    return password


def _enclosing_repository(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def check_location(users: Path, ledger_dir: Path | None) -> None:
    """Refuse a users file inside the ledger folder or the repository that holds it.

    Raises:
      AuthRefused: it is there (it would be shared or committed with the books).
    """
    if ledger_dir is None:
        return
    target = users.resolve()
    books = ledger_dir.resolve()
    for folder in filter(None, (books, _enclosing_repository(books))):
        if target.is_relative_to(folder):
            raise AuthRefused(
                f"ユーザーのファイル {users} が帳簿のフォルダ ({folder}) の中にあります。"
                "帳簿と一緒に共有・コミットされないよう、帳簿の外 (既定: ~/.config/connect-books/auditors) に置いてください。"
            )


def read_users(path: Path) -> dict[str, str]:
    """User name → stored hash, from the users file (empty when it does not exist).

    Raises:
      AuthRefused: the file can be changed by other users of this machine, or a line is
        not ``NAME:HASH``.
    """
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise AuthRefused(
            f"ユーザーのファイル {path} を読めません ({exc.strerror})。"
        ) from None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise AuthRefused(
            f"ユーザーのファイル {path} はほかの利用者も書き換えられます。"
            f"chmod 600 {path} で本人だけが読み書きできるようにしてください。"
        )
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not _NAME.match(name) or not stored.startswith("scrypt$"):
            raise AuthRefused(
                f"{path}:{number}: 読めない行です。connect-books auditor-user で作り直してください。"
            )
        users[name] = stored
    return users


class UsersFile:
    """The users file as a server reads it: again whenever it changes, so that a user
    removed (or a password changed) with ``connect-books auditor-user`` takes effect at
    the next request, without a restart. A file that can no longer be read lets nobody in.
    """

    def __init__(self, path: Path | None, users: dict[str, str] | None = None) -> None:
        """``path`` None: no file, just ``users`` (a server that needs no login)."""
        self.path = path
        self._stamp: tuple[int, ...] | None = None
        self._users: dict[str, str] = dict(users or {})
        self._lock = threading.Lock()
        if users is not None:
            self._stamp = self._stamp_now()

    def _stamp_now(self) -> tuple[int, ...] | None:
        if self.path is None:
            return None
        try:
            info = self.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)

    def current(self) -> dict[str, str]:
        """User name → stored hash, as the file says now."""
        if self.path is None:
            return self._users
        stamp = self._stamp_now()
        with self._lock:
            if stamp is None:  # (gone: nobody)
                self._users = {}
            elif stamp != self._stamp:
                try:
                    self._users = read_users(self.path)
                except AuthRefused:
                    self._users = {}
            self._stamp = stamp
            return self._users


def write_users(path: Path, users: dict[str, str]) -> None:
    """Write the users file all at once, readable by its owner only (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    path.chmod(0o600)  # write_file keeps the mode of the file it replaces
    lines = [f"{name}:{stored}" for name, stored in sorted(users.items())]
    header = "# connect-books: 監事のユーザー (名前:scrypt のハッシュ)。編集は connect-books auditor-user で\n"
    write_file(path, (header + "".join(f"{line}\n" for line in lines)).encode())


def authenticate(users: dict[str, str], name: str, password: str) -> bool:
    """Whether ``name`` is a user and ``password`` is theirs (same cost either way)."""
    stored = users.get(name)
    matched = verify_password(password, stored if stored is not None else _dummy())
    return matched and stored is not None


@dataclass
class Throttle:
    """Failed logins per key (an address, a name): each failure past ``free`` doubles the wait.

    While a key waits, its logins are refused without looking at the password, so a run
    of guesses costs ``base``, 2·``base``, 4·``base`` … seconds (at most ``cap`` each).
    :meth:`attempt` counts a login as failed before its password is looked at, in one
    step with the check of the wait, so guesses sent all at once are slowed like guesses
    sent one after another; a right password then takes the count back
    (:meth:`succeeded`). A key with no failure for ``forget`` seconds starts again.
    """

    free: int = 3
    base: float = 1.0
    cap: float = 60.0
    forget: float = 15 * 60.0
    clock: Callable[[], float] = time.monotonic
    #: key -> (failures, until when it waits, when it last failed)
    _failures: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _count(self, key: str, now: float) -> int:
        count, _, last = self._failures.get(key, (0, 0.0, 0.0))
        return count if now - last <= self.forget else 0

    def wait(self, *keys: str) -> float:
        """Seconds to wait before any of ``keys`` may try again (0 when they may now)."""
        now = self.clock()
        with self._lock:
            return self._wait(keys, now)

    def _wait(self, keys: tuple[str, ...], now: float) -> float:
        until = [
            self._failures[k][1]
            for k in keys
            if k in self._failures and self._count(k, now)
        ]
        return max((u - now for u in until), default=0.0)

    def attempt(self, *keys: str) -> float:
        """Begin a login: the seconds to wait first (nothing is counted then), else 0,
        and the login counts as failed until :meth:`succeeded` says otherwise."""
        now = self.clock()
        with self._lock:
            wait = self._wait(keys, now)
            if wait > 0:
                return wait
            self._record(keys, now)
            return 0.0

    def failed(self, *keys: str) -> None:
        """Count a failed login for each of ``keys``."""
        now = self.clock()
        with self._lock:
            self._record(keys, now)

    def _record(self, keys: tuple[str, ...], now: float) -> None:
        if len(self._failures) > 10_000:  # forget keys idle for an hour
            self._failures = {
                k: v for k, v in self._failures.items() if v[2] > now - 3600
            }
        for key in keys:
            count = self._count(key, now) + 1
            delay = (
                0.0
                if count < self.free
                else min(self.base * 2 ** (count - self.free), self.cap)
            )
            self._failures[key] = (count, now + delay, now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of ``keys``."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


@dataclass
class Sessions:
    """Logged-in sessions: random tokens kept in memory, ending after ``idle`` seconds unused."""

    idle: float = 2 * 3600
    lifetime: float = 12 * 3600
    clock: Callable[[], float] = time.monotonic
    _tokens: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, name: str) -> str:
        """A new session for ``name``; returns its token."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._tokens[token] = (name, now, now)
        return token

    def user(self, token: str | None) -> str | None:
        """The user of a live session (None when there is none)."""
        if not token:
            return None
        now = self.clock()
        with self._lock:
            found = self._tokens.get(token)
            if found is None:
                return None
            name, started, used = found
            if now - used > self.idle or now - started > self.lifetime:
                del self._tokens[token]
                return None
            self._tokens[token] = (name, started, now)
            return name

    def end(self, token: str | None) -> None:
        """End the session (logout)."""
        if token:
            with self._lock:
                self._tokens.pop(token, None)
