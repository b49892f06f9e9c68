"""The packs' warm path: the same pack of the same books is copied from the cache, and
anything that changes the pack (the books, the arguments, a tampered entry) rebuilds it.

Each run is a whole process (``python -X importtime``): a pack copied from the cache
imports neither the workbooks module nor openpyxl, which is how the tests tell a copy
from a build without timing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from connect_books import cachefolder, packcache

#: A process running the command line.
PYTHON = [
    sys.executable,
    "-X",
    "importtime",
    "-c",
    "from connect_books.cli import main; main()",
]
#: A module only a build imports.
BUILDER = "connect_books.reports.workbooks"
NOTICE = "注意: 2026年度はまだ終わっていません"


@dataclass(frozen=True)
class Run:
    stdout: str
    stderr: str

    @property
    def built(self) -> bool:
        """Whether the pack was built (the workbooks module and openpyxl imported)."""
        imported = {
            line.rsplit("|", 1)[-1].strip()
            for line in self.stderr.splitlines()
            if line.startswith("import time:")
        }
        built, opened = BUILDER in imported, "openpyxl" in imported
        assert built == opened, self.stderr[-2000:]
        return built


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


@pytest.fixture
def place(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def run(books: Path, place: Path | str, *args: str, cwd: Path | None = None) -> Run:
    """``connect-books ARGS BOOKS`` in a process of its own, the cache at ``place``."""
    env = {
        **os.environ,
        cachefolder.FOLDER_ENV: str(place),
        "CONNECT_BOOKS_CACHE_WRITE": "inline",
    }
    done = subprocess.run(
        [*PYTHON, *args, str(books)],
        env=env,
        cwd=cwd or books.parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Run(done.stdout, done.stderr)


def cells(path: Path) -> list[list[list[object]]]:
    workbook = openpyxl.load_workbook(path)
    return [
        [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    ]


PACKS = {
    "board-pack": ["board-pack", "--year", "2026", "--as-of", "2026-10-31"],
    "audit-pack": ["audit-pack", "--year", "2026", "--as-of", "2026-10-31"],
}


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_the_second_run_copies_the_first(
    books: Path, place: Path, tmp_path: Path, pack: str
) -> None:
    first_out, second_out = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    first = run(books, place, *PACKS[pack], "-o", str(first_out))
    assert first.built
    assert first.stdout == f"{first_out}\n"
    second = run(books, place, *PACKS[pack], "-o", str(second_out))
    assert not second.built
    assert second.stdout == f"{second_out}\n"
    assert second_out.read_bytes() == first_out.read_bytes()
    if pack == "audit-pack":  # the unfinished year's warning, as the build printed it
        assert NOTICE in first.stderr
        assert NOTICE in second.stderr
    assert len(list(place.glob(f"*{packcache.SUFFIX}"))) == 1


def test_without_o_the_copy_goes_where_the_build_would(
    books: Path, place: Path, tmp_path: Path
) -> None:
    args = ["audit-pack", "--year", "2025"]
    here = tmp_path / "work"
    here.mkdir()
    first = run(books, place, *args, cwd=here)
    assert first.built
    built = (here / first.stdout.strip()).read_bytes()
    (here / first.stdout.strip()).unlink()
    second = run(books, place, *args, cwd=here)
    assert not second.built
    assert second.stdout == first.stdout == "out/2025年度_監査資料.xlsx\n"
    assert (here / second.stdout.strip()).read_bytes() == built


def test_a_changed_entry_rebuilds(books: Path, place: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.xlsx"
    assert run(books, place, *PACKS["board-pack"], "-o", str(out)).built
    before = cells(out)
    journal = books.parent / "2026.beancount"
    text = journal.read_text(encoding="utf-8")
    journal.write_text(
        text
        + '\n2026-10-15 * "会議室" "会議室使用料 (翌月払い)"\n'
        + "  Expenses:5210-管理費:5212-会議費   1000 JPY\n"
        + "  Liabilities:2110-未払金          -1000 JPY\n",
        encoding="utf-8",
    )
    again = run(books, place, *PACKS["board-pack"], "-o", str(out))
    assert again.built
    assert cells(out) != before
    journal.write_text(text, encoding="utf-8")  # back as it was: the first pack again
    back = run(books, place, *PACKS["board-pack"], "-o", str(out))
    assert back.built  # (one entry per pack: the changed books' pack replaced it)
    assert cells(out) == before
    assert not run(books, place, *PACKS["board-pack"], "-o", str(out)).built


@pytest.mark.parametrize(
    "other",
    [
        ["board-pack", "--year", "2026", "--as-of", "2026-09-30"],
        ["board-pack", "--year", "2025"],
        ["audit-pack", "--year", "2026", "--as-of", "2026-10-31"],
    ],
)
def test_other_arguments_rebuild(
    books: Path, place: Path, tmp_path: Path, other: list[str]
) -> None:
    out = tmp_path / "pack.xlsx"
    assert run(books, place, *PACKS["board-pack"], "-o", str(out)).built
    first = cells(out)
    assert run(books, place, *other, "-o", str(out)).built
    assert cells(out) != first
    assert not run(books, place, *other, "-o", str(out)).built
    # the first pack is still kept beside the other
    assert not run(books, place, *PACKS["board-pack"], "-o", str(out)).built
    assert cells(out) == first


def test_a_tampered_pack_is_rebuilt_not_copied(
    books: Path, place: Path, tmp_path: Path
) -> None:
    out = tmp_path / "board.xlsx"
    assert run(books, place, *PACKS["board-pack"], "-o", str(out)).built
    good = cells(out)
    (entry,) = place.glob(f"*{packcache.SUFFIX}")
    blob = bytearray(entry.read_bytes())
    blob[-100] ^= 0xFF  # one byte of the workbook, the signature left as it was
    entry.write_bytes(bytes(blob))
    again = run(books, place, *PACKS["board-pack"], "-o", str(out))
    assert again.built
    assert bytes(blob[-200:]) not in out.read_bytes()
    assert cells(out) == good
    assert not run(books, place, *PACKS["board-pack"], "-o", str(out)).built


def test_a_pack_signed_with_another_key_is_not_used(
    books: Path, place: Path, tmp_path: Path
) -> None:
    out = tmp_path / "board.xlsx"
    assert run(books, place, *PACKS["board-pack"], "-o", str(out)).built
    (place / cachefolder.KEY_NAME).write_bytes(os.urandom(32))
    assert run(books, place, *PACKS["board-pack"], "-o", str(out)).built


def test_the_cache_off_always_builds(books: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.xlsx"
    for _ in range(2):
        assert run(books, "off", *PACKS["board-pack"], "-o", str(out)).built
    assert out.is_file()


def test_the_least_recently_used_packs_are_removed(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place.mkdir()
    monkeypatch.setattr(packcache, "MAX_PACKS", 3)
    monkeypatch.setattr(packcache, "MAX_BYTES", 250)
    for age, size in enumerate([100, 100, 100, 10, 10]):
        path = place / f"{age}{packcache.SUFFIX}"
        path.write_bytes(b"x" * size)
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    (place / "other.books").write_bytes(b"x" * 1000)  # (the load cache's: not a pack)
    packcache.evict(place)
    assert sorted(p.name for p in place.iterdir()) == [
        "0.pack",
        "1.pack",
        "other.books",
    ]
    monkeypatch.setattr(packcache, "MAX_BYTES", 10)
    packcache.evict(place)
    assert sorted(p.name for p in place.iterdir()) == ["0.pack", "other.books"]
