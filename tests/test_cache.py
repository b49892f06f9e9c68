"""The cache of loads: the same books as a load, keyed to every input, never running code."""

from __future__ import annotations

import datetime
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connect_books import cache, cachefolder, cachekey, safepickle, trusted
from connect_books.books import Books, load

BIN = Path(sys.executable).parent


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own (outside the books)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.FOLDER_ENV, str(folder))
    monkeypatch.setenv(cache.WRITE_ENV, "inline")
    return folder


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    return folder / "main.beancount"


def cached(main: Path) -> Books:
    """Load cold, cache, and load again (from the cache)."""
    assert cache.store(trusted.load_books(main.resolve())) is not None
    again = load(main)
    assert again.cached
    return again


def error_keys(errors: list[Any]) -> list[tuple[str, Any, str]]:
    return [(type(e).__name__, e.source, e.message) for e in errors]


def same_books(left: Books, right: Books) -> None:
    assert left.entries == right.entries
    assert error_keys(left.errors) == error_keys(right.errors)
    assert left.stamp == right.stamp
    assert str(left.options.pop("dcontext")) == str(right.options.pop("dcontext"))
    assert left.options == right.options
    assert left.counts == right.counts
    assert left.basis is not None and right.basis is not None
    assert left.basis.booked == right.basis.booked
    assert left.basis.rules == right.basis.rules
    assert left.basis.local == right.basis.local


BROKEN = """
2026-11-20 * "郵便局" "切手"
  Expenses:5213-通信運搬費  100.5 JPY
  Assets:1110-現金
2026-11-21 * "郵便局" "合わない"
  Expenses:5213-通信運搬費  100 JPY
  Assets:1110-現金         -90 JPY
2026-11-22 custom "decision" "X
2026-11-23 note Assets:9999-どこか "メモ"
"""


@pytest.mark.parametrize("broken", [False, True])
def test_a_cached_load_is_the_load(place: Path, books: Path, broken: bool) -> None:
    if broken:  # errors of every stage: the rules, Beancount's checks, the parser
        journal = books.parent / "2026.beancount"
        journal.write_text(journal.read_text() + BROKEN)
    cold = load(books)
    assert not cold.cached and bool(cold.errors) == broken
    same_books(cached(books), cold)


def test_generated_books_come_back_whole(place: Path, tmp_path: Path) -> None:
    from bench.generate import generate

    main = generate(1000, tmp_path / "generated")
    same_books(cached(main), _cold(main))


def _cold(main: Path) -> Books:
    loading = trusted.load_books(main.resolve())
    from connect_books.books import Basis

    return Books(
        main.resolve(),
        loading.entries,
        loading.errors,
        loading.options,
        loading.options[trusted.STAMP],
        basis=Basis(loading.booked, loading.rules, loading.local),
    )


WARM_CHECK = """
import sys
from connect_books.cli import main
try:
    main(["check", sys.argv[1]])
except SystemExit as done:
    print("exit", done.code)
print("beancount imported:", "beancount" in sys.modules)
"""


def test_check_from_the_cache_reads_only_the_errors(place: Path, books: Path) -> None:
    """A warm ``check`` needs neither Beancount nor the entries: only errors and counts."""
    first = subprocess.run(
        [sys.executable, "-c", WARM_CHECK, str(books)],
        capture_output=True,
        text=True,
        check=True,
    )
    second = subprocess.run(
        [sys.executable, "-c", WARM_CHECK, str(books)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "beancount imported: True" in first.stdout
    assert second.stdout.replace("False", "True") == first.stdout
    assert "✓ エラーはありません" in second.stdout and "exit 0" in second.stdout
    assert "beancount imported: False" in second.stdout


def change_a_byte(main: Path) -> None:
    """A comment added: the entries stay the same, but the bytes differ."""
    journal = main.parent / "2026.beancount"
    journal.write_text(journal.read_text() + "; 追記\n")


def add_a_stray(main: Path) -> None:
    (main.parent / "memo.beancount").write_text("; 下書き\n")


def retarget_an_include(main: Path) -> None:
    """``budgets.beancount`` is a link; it is pointed at a copy with the same bytes."""
    journal = main.parent / "budgets.beancount"
    real = main.parent / "journals" / "budgets.beancount"
    real.parent.mkdir(exist_ok=True)
    os.replace(journal, real)
    journal.symlink_to(real)
    cached(main)
    copy = main.parent / "journals" / "copy.beancount"
    shutil.copyfile(real, copy)
    journal.unlink()
    journal.symlink_to(copy)
    real.unlink()


def remove_a_document(main: Path) -> None:
    (main.parent / "documents" / "2026-11-16.invoice-machi-web.pdf").unlink()


def move_the_documents(main: Path) -> None:
    documents = main.parent / "documents"
    elsewhere = main.parent.parent / "elsewhere"
    os.replace(documents, elsewhere)
    documents.symlink_to(elsewhere)


CHANGES = {
    "a byte of a file": change_a_byte,
    "a stray .beancount file": add_a_stray,
    "where an include leads": retarget_an_include,
    "a document removed": remove_a_document,
    "the documents folder moved away": move_the_documents,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_of_an_input_is_a_miss(
    place: Path, books: Path, change: str
) -> None:
    cached(books)
    CHANGES[change](books)
    after = load(books)
    assert not after.cached
    cold = _cold(books)
    assert error_keys(after.errors) == error_keys(cold.errors)
    assert after.entries == cold.entries
    assert bool(after.errors) == (
        change
        in (
            "a stray .beancount file",
            "a document removed",
            "the documents folder moved away",  # (a link out of the books: outside)
        )
    )


def test_a_touched_file_is_still_a_hit(place: Path, books: Path) -> None:
    cached(books)
    journal = books.parent / "2026.beancount"
    os.utime(journal, ns=(1, 1))
    again = load(books)
    assert again.cached
    assert (str(journal.resolve()), 1, journal.stat().st_size) in again.stamp


def test_another_day_or_other_code_is_a_miss(
    place: Path, books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loading = trusted.load_books(books.resolve())
    disk = cachekey.disk_after(loading)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    cache.store(loading, disk.__class__(**{**disk.__dict__, "today": str(yesterday)}))
    assert not load(books).cached
    cache.store(loading)
    assert load(books).cached
    monkeypatch.setattr(cachekey, "_code", "other code")
    assert not load(books).cached


class RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def forge(place: Path, main: Path, head: bytes) -> Path:
    """An entry for ``main``, signed with the cache's key, with ``head`` as its errors."""
    path = cache.store(trusted.load_books(main.resolve()))
    assert path is not None
    key = (place / cache.KEY_NAME).read_bytes()
    blob = path.read_bytes()
    parts = cachefolder.unseal(blob, key, cache.MAGIC, 3)
    assert parts is not None
    header, _, rest = parts
    path.write_bytes(
        cachefolder.seal(key, cache.MAGIC, [bytes(header), head, bytes(rest)])
    )
    return path


@pytest.mark.parametrize("what", ["runs code", "names another class"])
def test_a_crafted_entry_is_refused_never_run(
    place: Path, books: Path, tmp_path: Path, what: str
) -> None:
    marker = tmp_path / "ran"
    payload: Any = RunsCode(marker) if what == "runs code" else (Path("/etc"), {})
    path = forge(place, books, pickle.dumps(payload))
    loaded = load(books)
    assert not marker.exists()
    assert not loaded.cached and loaded.errors == []
    assert not path.exists()  # the refused entry is removed


def test_an_entry_not_signed_with_the_key_is_ignored(place: Path, books: Path) -> None:
    path = cache.store(trusted.load_books(books.resolve()))
    assert path is not None
    blob = bytearray(path.read_bytes())
    blob[-10] ^= 1
    path.write_bytes(bytes(blob))
    assert not load(books).cached
    path.write_bytes(bytes(blob[: len(blob) // 2]))
    assert not load(books).cached


@pytest.mark.parametrize(
    "payload",
    [
        b"cos\nsystem\n(S'true'\ntR.",
        b"cbuiltins\neval\n(S'1'\ntR.",
        b"cbuiltins\ngetattr\n(cos\nenviron\nS'copy'\ntR.",
        b"cconnect_books.cli\nmain\n.",
        b"cconnect_books.errors\nwhere\n.",
    ],
)
def test_the_unpickler_admits_only_data(payload: bytes) -> None:
    with pytest.raises(pickle.UnpicklingError):
        safepickle.loads(payload)


def test_the_unpickler_reads_back_books_and_our_errors(sample_books: Books) -> None:
    from connect_books.gate import GateError

    error = GateError({"filename": "x", "lineno": 1}, "メッセージ", None)
    value = (sample_books.entries, [error], sample_books.options["operating_currency"])
    assert safepickle.loads(safepickle.dumps(value)) == value


def test_never_in_the_ledger_folder(
    books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = books.parent / ".cache"
    monkeypatch.setenv(cache.FOLDER_ENV, str(inside))
    assert cache.store(trusted.load_books(books.resolve())) is None
    assert not inside.exists() or not any(inside.iterdir())
    assert not load(books).cached


def test_a_folder_others_may_write_is_not_used(place: Path, books: Path) -> None:
    cached(books)
    place.chmod(0o777)
    assert not load(books).cached
    place.chmod(0o700)
    (place / cache.KEY_NAME).chmod(0o644)
    assert not load(books).cached


def test_off_writes_nothing(
    books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.FOLDER_ENV, "off")
    assert cache.store(trusted.load_books(books.resolve())) is None
    assert not load(books).cached


def test_the_command_leaves_the_writing_to_a_background_process(
    tmp_path: Path, books: Path
) -> None:
    env = {**os.environ, cache.FOLDER_ENV: str(tmp_path / "bg")}
    env.pop(cache.WRITE_ENV, None)
    command = [str(BIN / "connect-books"), "check", str(books)]
    first = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120
    )
    assert first.returncode == 0, first.stderr
    os.environ[cache.FOLDER_ENV] = env[cache.FOLDER_ENV]
    try:
        cache.wait(books)
        entry = cache.entry_path(tmp_path / "bg", books.resolve())
        assert entry.exists()
        os.utime(entry, (0, 0))
        second = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=120
        )
        assert second.stdout == first.stdout and second.returncode == 0
        assert entry.stat().st_mtime > 0  # read (and marked used) by the second run
    finally:
        del os.environ[cache.FOLDER_ENV]


def test_old_entries_are_removed(
    place: Path, books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cachefolder, "MAX_ENTRIES", 2)
    others = []
    for name in ("a", "b", "c"):
        folder = tmp_path / name
        shutil.copytree(books.parent, folder)
        others.append(
            cache.store(trusted.load_books((folder / "main.beancount").resolve()))
        )
        os.utime(others[-1], (len(others), len(others)))  # type: ignore[arg-type]
    cache.store(trusted.load_books(books.resolve()))
    left = sorted(place.glob(f"*{cache.SUFFIX}"))
    assert len(left) == 2 and others[0] not in left


def test_a_load_outside_a_command_holds_nothing(place: Path, books: Path) -> None:
    """Only a command of the command group leaves its load to be cached when it ends."""
    load(books)
    assert cache._kept == []
    with cache.collecting():
        load(books)
        assert len(cache._kept) == 1
    cache.flush()  # (inline here)
    assert cache._kept == [] and load(books).cached
