"""A voucher (証憑) for a new entry: copied into ``ledger/documents/``, linked, committed.

The file is copied to ``documents/<date>.<name>`` (a number is added when another file
already has that name) and written as a ``document`` directive on the expense account,
sharing a link with the transaction, so the 監事's check "支出に証憑があるか" finds it::

    2026-11-16 * "合同会社まちのウェブ工房" "ウェブサイト更新委託" ^voucher-2026-11-16-3f9a0c1d
      Expenses:5130-広報:5133-委託費     22000 JPY
      Assets:1120-普通預金-ろうきん     -22000 JPY
    2026-11-16 document Expenses:5130-広報:5133-委託費 "documents/2026-11-16.invoice.pdf" ^voucher-2026-11-16-3f9a0c1d

With ``--commit``, :func:`require_repository` refuses books outside git before anything
is written, and :func:`commit` commits the voucher after the entry (the writer commits
the journal files under its lock).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from connect_books.errors import Refused
from connect_books.plugins.hygiene import DOCUMENTS

#: The largest voucher accepted (a scan or a PDF), in bytes.
MAX_BYTES = 20 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\-]+")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}[.\-_]")
_REFUSED_SUFFIXES = frozenset({".beancount", ".py", ".pyc", ".sh", ".exe"})


class VoucherRefused(Refused):
    """A voucher that cannot be attached; ``str()`` says why, in Japanese."""


@dataclass(frozen=True)
class Voucher:
    """A voucher file planned for an entry: where it will be, and the link shared."""

    source: Path
    #: Relative to the ledger folder: ``documents/2026-11-16.invoice.pdf``.
    relative: str
    account: str
    link: str
    digest: str

    def directive(self, day: datetime.date) -> str:
        """The ``document`` directive that links the file to the account."""
        return (
            f'{day.isoformat()} document {self.account} "{self.relative}" ^{self.link}'
        )


@dataclass(frozen=True)
class Placed:
    """A voucher copied into the documents folder."""

    path: Path
    #: Whether this copy made the file (False: an identical file was already there).
    created: bool


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()


def plan(root: Path, source: Path, account: str, day: datetime.date) -> Voucher:
    """Where ``source`` will go for an entry of ``day`` on ``account``.

    Raises:
      VoucherRefused: not a readable regular file, too large, or a kind of file that
        does not belong among vouchers.
    """
    source = Path(source)
    if source.is_symlink() or not source.is_file():
        raise VoucherRefused(
            f"証憑のファイル {source} が見つかりません (普通のファイルを指定してください)。"
        )
    if source.suffix.lower() in _REFUSED_SUFFIXES or source.name.startswith("."):
        raise VoucherRefused(
            f"{source.name} は証憑として置けない種類のファイルです (PDF や画像を指定してください)。"
        )
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise VoucherRefused(
            f"証憑のファイル {source.name} が大きすぎます ({size:,} バイト、"
            f"{MAX_BYTES // (1024 * 1024)} MB まで)。"
        )
    try:
        digest = _digest(source)
    except OSError as exc:
        raise VoucherRefused(
            f"証憑のファイル {source} を読めません ({exc.strerror})。"
        ) from None
    stem = _UNSAFE.sub("-", source.stem).strip("-.") or "voucher"
    prefix = f"{day.isoformat()}."
    stem = _DATED.sub("", stem) or "voucher"
    suffix = _UNSAFE.sub("", source.suffix.lower())
    folder = root / DOCUMENTS
    name = f"{prefix}{stem[:60]}{suffix}"
    number = 2
    while (folder / name).exists() and _digest(folder / name) != digest:
        name = f"{prefix}{stem[:60]}-{number}{suffix}"
        number += 1
    return Voucher(
        source=source,
        relative=f"{DOCUMENTS}/{name}",
        account=account,
        link=f"voucher-{day.isoformat()}-{digest[:8]}",
        digest=digest,
    )


def place(root: Path, voucher: Voucher) -> Placed:
    """Copy the voucher into the documents folder (before the entry is written).

    Raises:
      VoucherRefused: the folder cannot be written, or another file took the name.
    """
    target = root / voucher.relative
    if target.exists():
        if _digest(target) == voucher.digest:
            return Placed(target, created=False)
        raise VoucherRefused(
            f"{voucher.relative} にほかのファイルが置かれました。もう一度実行してください。"
        )
    try:
        target.parent.mkdir(exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(voucher.source, temp)
        os.replace(temp, target)
    except OSError as exc:
        raise VoucherRefused(
            f"証憑を {target.parent} にコピーできません ({exc.strerror})。"
        ) from None
    return Placed(target, created=True)


def discard(placed: Placed) -> None:
    """Remove a voucher this write copied (the entry was refused)."""
    if placed.created:
        with contextlib.suppress(OSError):
            placed.path.unlink()


def commit(placed: Placed, message: str, attempts: int = 40) -> None:
    """``git add`` and ``git commit`` the voucher file (waiting for git's own lock).

    Raises:
      Refused: git refused (the entry itself is written and committed).
    """
    folder = str(placed.path.parent)
    name = placed.path.name
    for _ in range(attempts):
        result = subprocess.run(
            ["git", "-C", folder, "add", "--", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            result = subprocess.run(
                ["git", "-C", folder, "commit", "-q", "-m", message, "--", name],
                capture_output=True,
                text=True,
                check=False,
            )
        output = result.stderr + result.stdout
        if result.returncode == 0 or "nothing added to commit" in output:
            return
        if "nothing to commit" in output:
            return
        if "index.lock" not in output:
            break
        time.sleep(0.05)
    raise Refused(
        "仕訳は書き込んで commit しましたが、証憑の git commit に失敗しました: "
        + " ".join(output.split())
    )


def require_repository(folder: Path) -> None:
    """Refuse ``--commit`` for books outside a git repository, before anything is written.

    Raises:
      VoucherRefused: ``folder`` is not in a git work tree.
    """
    result = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or result.stdout.strip() != "true":
        raise VoucherRefused(
            f"帳簿のフォルダ {folder} は git のリポジトリの中にありません。--commit を外すか、"
            "git init してから、もう一度実行してください (帳簿は変わっていません)。"
        )
