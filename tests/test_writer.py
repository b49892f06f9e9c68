"""The one safe writer: lock, validate the whole books, write atomically, nothing on refusal."""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from beancount.core import data

from connect_books.books import load
from connect_books.closing import plan_closing
from connect_books.fiscal import FiscalYear
from connect_books.writer import LOCK_NAME, TEMP_SUFFIX, WriteRefused, append

MAIN = textwrap.dedent(
    """\
    option "operating_currency" "JPY"
    option "account_previous_balances" "3900-期首残高"
    option "account_previous_earnings" "3100-前期繰越正味財産"
    option "account_current_earnings" "3200-当期正味財産増減額"
    plugin "connect_books.plugins.hygiene"
    plugin "connect_books.plugins.no_distribution"
    plugin "connect_books.plugins.dues"
    plugin "connect_books.plugins.funds"
    plugin "connect_books.plugins.budget"
    plugin "connect_books.plugins.withholding"
    plugin "connect_books.plugins.settlement"

    include "accounts.beancount"
    include "2026.beancount"
    """
)
ACCOUNTS = textwrap.dedent(
    """\
    2025-06-28 open Assets:1110-現金 JPY
      role: "cash"
    2025-06-28 open Equity:3010-引継正味財産 JPY
      role: "opening-equity"
    2025-06-28 open Equity:3100-前期繰越正味財産 JPY
    2025-06-28 open Equity:3200-当期正味財産増減額 JPY
    2025-06-28 open Equity:3900-期首残高 JPY
    2025-06-28 open Expenses:5213-通信運搬費 JPY
    """
)
JOURNAL = textwrap.dedent(
    """\
    ; 2026年度の仕訳帳

    2025-06-28 * "引継"
      opening: TRUE
      Assets:1110-現金           50000 JPY
      Equity:3010-引継正味財産  -50000 JPY

    2026-04-01 balance Assets:1110-現金  50000 JPY
    """
)


def payment(day: str, narration: str, amount: int = 500) -> str:
    return (
        f'{day} * "郵便局" "{narration}"\n'
        f"  Expenses:5213-通信運搬費   {amount} JPY\n"
        f"  Assets:1110-現金          -{amount} JPY\n"
    )


@pytest.fixture
def books(tmp_path: Path) -> Path:
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "main.beancount").write_text(MAIN)
    (folder / "accounts.beancount").write_text(ACCOUNTS)
    (folder / "2026.beancount").write_text(JOURNAL)
    return folder / "main.beancount"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the folder (but the lock file), by name."""
    return {
        p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != LOCK_NAME
    }


def narrations(main_file: Path) -> list[str]:
    loaded = load(main_file)
    assert loaded.errors == []
    return [e.narration for e in loaded.entries if isinstance(e, data.Transaction)]


def test_append_lands_at_the_end_and_a_following_load_sees_it(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    assert narrations(books) == ["引継"]
    written = append(
        books, journal, payment("2026-05-01", "切手"), message="Add stamps"
    )
    assert journal.read_text() == JOURNAL + "\n" + payment("2026-05-01", "切手")
    assert written.first_line == JOURNAL.count("\n") + 2
    assert (
        journal.read_text()
        .splitlines()[written.first_line - 1]
        .startswith("2026-05-01")
    )
    assert not written.include_added and not written.committed
    assert narrations(books) == ["引継", "切手"]


def test_a_new_file_is_created_and_included(books: Path) -> None:
    target = books.parent / "2027.beancount"
    written = append(books, target, payment("2026-05-02", "はがき"), message="x")
    assert written.include_added and written.first_line == 1
    assert target.read_text() == payment("2026-05-02", "はがき")
    assert books.read_text() == MAIN + 'include "2027.beancount"\n'
    assert narrations(books) == ["引継", "はがき"]
    # a second append to it does not include it twice
    append(books, target, payment("2026-05-03", "封筒"), message="x")
    assert books.read_text().count('include "2027.beancount"') == 1
    assert narrations(books) == ["引継", "はがき", "封筒"]


def test_a_file_left_without_its_include_is_validated_and_included(books: Path) -> None:
    # as a writer killed between its two writes leaves it
    orphan = books.parent / "2027.beancount"
    orphan.write_text(payment("2026-05-02", "はがき"))
    append(books, orphan, payment("2026-05-03", "封筒"), message="x")
    assert narrations(books) == ["引継", "はがき", "封筒"]


def test_a_new_error_refuses_and_changes_nothing(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    before = snapshot(books.parent)
    bad = (
        payment("2026-05-01", "切手")
        + "\n"
        + '2026-05-02 * "文具"\n  Expenses:5214-事務用品費  300 JPY\n  Assets:1110-現金  -300 JPY\n'
    )
    with pytest.raises(WriteRefused) as refused:
        append(books, journal, bad, message="x")
    message = str(refused.value)
    assert message.startswith("書き込みをやめました: 追記すると帳簿に新しいエラーが")
    line = JOURNAL.count("\n") + 2 + 4  # the second entry of the text
    assert (
        f"2026.beancount:{line}: 科目 Expenses:5214-事務用品費 は開かれていません"
        in message
    )
    assert snapshot(books.parent) == before


def test_existing_errors_do_not_block_other_writes(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    journal.write_text(
        JOURNAL
        + "\n"
        + payment("2026-04-02", "未登録の科目").replace(
            "Expenses:5213-通信運搬費", "Expenses:9999-不明"
        )
    )
    append(books, journal, payment("2026-05-01", "切手"), message="x")
    assert journal.read_text().endswith(payment("2026-05-01", "切手"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '2026-05-01 * "郵便局" "切手\x1b[2J"\n',
            "追記する内容の1行目に制御文字 (U+001B) があります。",
        ),
        (
            "\n" + payment("2026-05-01", "切手\r"),
            "追記する内容の2行目に制御文字 (U+000D) があります。",
        ),
        (payment("2026-05-01", "切手\u2028x"), "制御文字 (U+2028)"),
        (payment("2026-05-01", "切手\u202e"), "制御文字 (U+202E)"),
        ('plugin "evil"\n', "'plugin' の行があります"),
        ('include "/etc/passwd"\n', "'include' の行があります"),
        ("   \n", "追記する内容が空です。"),
    ],
)
def test_unsafe_text_is_refused(books: Path, text: str, message: str) -> None:
    before = snapshot(books.parent)
    with pytest.raises(WriteRefused, match=re.escape(message)):
        append(books, books.parent / "2026.beancount", text, message="x")
    assert snapshot(books.parent) == before


def test_targets_outside_the_books_are_refused(books: Path, tmp_path: Path) -> None:
    before = snapshot(books.parent)
    for target, message in [
        (tmp_path / "elsewhere.beancount", "帳簿のフォルダ"),
        (books.parent / "notes.txt", ".beancount のファイルではありません"),
        (books, "main.beancount には追記できません"),
    ]:
        with pytest.raises(WriteRefused, match=message):
            append(books, target, payment("2026-05-01", "切手"), message="x")
    assert snapshot(books.parent) == before
    assert not (tmp_path / "elsewhere.beancount").exists()


def test_an_entry_in_a_settled_year_is_refused_at_its_future_line(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    loaded = load(books)
    closing = plan_closing(
        loaded.entries,
        loaded.errors,
        loaded.options,
        FiscalYear(2025),
        approved=datetime.date(2026, 6, 20),
        audited=datetime.date(2026, 5, 23),
        today=datetime.date(2026, 7, 1),
    )
    append(
        books, books.parent / "settlements.beancount", closing.directive(), message="x"
    )
    before = snapshot(books.parent)
    with pytest.raises(WriteRefused) as refused:
        append(books, journal, payment("2026-03-30", "切手"), message="x")
    assert (
        f"2026.beancount:{JOURNAL.count(chr(10)) + 2}: 確定済み (2026-06-20 総会承認) の2025年度の記録が"
        "追加または変更されています。"
    ) in str(refused.value)
    assert snapshot(books.parent) == before
    # the next 年度 is open
    append(books, journal, payment("2026-04-30", "切手"), message="x")


def test_no_cache_is_written_or_read_in_the_ledger_folder(books: Path) -> None:
    # Beancount's pickle cache would be code the books' editors control: never used.
    stale = books.parent / ".main.beancount.picklecache"
    stale.write_bytes(b"not a pickle")
    assert narrations(books) == ["引継"]
    append(
        books,
        books.parent / "2026.beancount",
        payment("2026-05-01", "切手"),
        message="x",
    )
    assert narrations(books) == ["引継", "切手"]
    assert stale.read_bytes() == b"not a pickle"
    assert not [
        p for p in books.parent.iterdir() if p.suffix == ".picklecache" and p != stale
    ]


WRITER = textwrap.dedent(
    """\
    import sys
    from pathlib import Path
    from connect_books.writer import append

    main, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for i in range(count):
        text = (
            f'2026-05-{i + 1:02d} * "郵便局" "{tag}-{i}"\\n'
            "  Expenses:5213-通信運搬費   10 JPY\\n"
            "  Assets:1110-現金          -10 JPY\\n"
        )
        append(main, main.parent / "2026.beancount", text, message=f"{tag} {i}")
    """
)


def test_two_processes_writing_at_once_both_land_intact(books: Path) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(books), tag, "8"], stderr=subprocess.PIPE
        )
        for tag in ("A", "B")
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    found = narrations(books)
    assert sorted(found[1:]) == sorted(f"{tag}-{i}" for tag in "AB" for i in range(8))
    text = (books.parent / "2026.beancount").read_text()
    assert text.startswith(JOURNAL)
    assert not list(books.parent.glob(f".*{TEMP_SUFFIX}"))


KILLED_MID_WRITE = textwrap.dedent(
    """\
    import os, sys, time
    from pathlib import Path
    from connect_books import atomic, writer

    def stall(source, destination):
        marker = Path(sys.argv[2])
        marker.with_suffix(".part").write_text(str(source))  # the temp file is synced
        os.rename(marker.with_suffix(".part"), marker)  # the marker appears whole
        time.sleep(120)

    atomic.os.replace = stall
    main = Path(sys.argv[1])
    text = '2026-05-01 * "郵便局" "途中で止まる"\\n  Expenses:5213-通信運搬費  10 JPY\\n  Assets:1110-現金  -10 JPY\\n'
    writer.append(main, main.parent / "2026.beancount", text, message="x")
    """
)


def wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_kill_9_mid_write_leaves_the_old_file(books: Path, tmp_path: Path) -> None:
    journal = books.parent / "2026.beancount"
    before = snapshot(books.parent)
    marker = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_WRITE, str(books), str(marker)]
    )
    try:
        wait_for(marker)
        temp = Path(marker.read_text())
        assert temp.exists() and temp.parent == books.parent
        assert temp.read_text().endswith(
            '途中で止まる"\n  Expenses:5213-通信運搬費  10 JPY\n  Assets:1110-現金  -10 JPY\n'
        )
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert journal.read_bytes() == before["2026.beancount"]
    assert narrations(books) == ["引継"]
    # the lock died with the process, and the next writer clears the debris
    append(books, journal, payment("2026-05-02", "切手"), message="x", timeout=5)
    assert not temp.exists()
    assert journal.read_text() == JOURNAL + "\n" + payment("2026-05-02", "切手")


HOLDER = textwrap.dedent(
    """\
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def lock_holder(books: Path) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(books.parent / LOCK_NAME)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "locked\n"
    yield child
    if child.poll() is None:
        child.kill()
        child.wait()


def test_a_held_lock_makes_the_writer_wait_then_refuse(
    books: Path, lock_holder: subprocess.Popen[str]
) -> None:
    before = snapshot(books.parent)
    start = time.monotonic()
    with pytest.raises(
        WriteRefused,
        match=re.escape("ほかの処理が帳簿に書き込み中です (0.5秒待ちました)"),
    ):
        append(
            books,
            books.parent / "2026.beancount",
            payment("2026-05-01", "切手"),
            message="x",
            timeout=0.5,
        )
    assert time.monotonic() - start >= 0.5
    assert snapshot(books.parent) == before
    os.kill(lock_holder.pid, signal.SIGKILL)  # killed while holding the lock
    lock_holder.wait()
    append(
        books,
        books.parent / "2026.beancount",
        payment("2026-05-01", "切手"),
        message="x",
        timeout=5,
    )
    assert narrations(books) == ["引継", "切手"]


def test_git_commit_in_the_books_repository(
    books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "会計担当")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "t@example.org")
    git = ["git", "-C", str(books.parent)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Books"], check=True)
    written = append(
        books,
        books.parent / "2027.beancount",
        payment("2026-05-01", "切手"),
        message="Add stamps",
        git_commit=True,
    )
    assert written.committed
    log = subprocess.run(
        [*git, "log", "-1", "--format=%s", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.split() == ["Add", "stamps", "2027.beancount", "main.beancount"]


def test_git_commit_outside_a_repository_is_refused_first(
    books: Path, tmp_path: Path
) -> None:
    if (
        subprocess.run(
            ["git", "-C", str(tmp_path), "rev-parse"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        pytest.skip("the temporary folder is inside a git repository")
    before = snapshot(books.parent)
    with pytest.raises(WriteRefused, match="git のリポジトリの中にありません"):
        append(
            books,
            books.parent / "2026.beancount",
            payment("2026-05-01", "切手"),
            message="x",
            git_commit=True,
        )
    assert snapshot(books.parent) == before


KILLED_BETWEEN_REPLACEMENTS = textwrap.dedent(
    """\
    import os, sys, time
    from pathlib import Path
    from connect_books import atomic, writer

    real_replace = os.replace
    calls = []

    def replace(source, destination):
        calls.append(destination)
        if len(calls) == 3:  # the intent, then the first file: stop before the second
            Path(sys.argv[2]).write_text("between")
            time.sleep(120)
        real_replace(source, destination)

    atomic.os.replace = replace
    main = Path(sys.argv[1])
    text = '2026-05-01 * "郵便局" "新しい年度"\\n  Expenses:5213-通信運搬費  10 JPY\\n  Assets:1110-現金  -10 JPY\\n'
    writer.append(main, main.parent / "2027.beancount", text, message="x")
    """
)


def test_kill_between_two_file_replacements_is_finished_by_the_next_load(
    books: Path, tmp_path: Path
) -> None:
    # A new journal file needs two files written: the file and the include line.
    marker = tmp_path / "between"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_BETWEEN_REPLACEMENTS, str(books), str(marker)]
    )
    try:
        wait_for(marker)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    # one of the two files is replaced, the other not yet: the write was decided
    assert (books.parent / ".connect-books-intent").exists()
    assert narrations(books) == ["引継", "新しい年度"]  # the load finished the write
    assert 'include "2027.beancount"' in books.read_text()
    assert not (books.parent / ".connect-books-intent").exists()
    assert not list(books.parent.glob(f".*{TEMP_SUFFIX}"))


@pytest.mark.parametrize(
    "intent",
    [
        '[["{victim}.x", "{victim}"]]',  # a file outside the books
        '[["{outside}", "{victim}"]]',  # named as the writer names them, outside
        '[["{ledger}/other.txt", "{ledger}/2026.beancount"]]',  # not a temporary file
        '[["x"]]',  # malformed
        '{{"a": 1}}',
        "[[1, 2]]",
        "not json",
    ],
)
def test_an_intent_the_writer_did_not_write_moves_nothing(
    sample_path: Path, tmp_path: Path, intent: str
) -> None:
    """A ``.connect-books-intent`` put in the ledger folder by hand: every command still
    works, no file outside the books (nor any file of the books) is moved or replaced."""
    import shutil

    from click.testing import CliRunner

    from connect_books.cli import main

    ledger = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, ledger)
    victim = tmp_path / "victim" / "important.txt"
    victim.parent.mkdir()
    victim.write_text("大事なファイル")
    victim.with_name("important.txt.x").write_text("attacker")
    outside = victim.with_name(".important.txt.abc.connect-books-tmp")
    outside.write_text("attacker")
    (ledger / "other.txt").write_text("attacker")
    before = (ledger / "2026.beancount").read_bytes()
    (ledger / ".connect-books-intent").write_text(
        intent.format(victim=victim, ledger=ledger, outside=outside)
    )
    result = CliRunner().invoke(main, ["check", str(ledger / "main.beancount")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert victim.read_text() == "大事なファイル"
    assert victim.with_name("important.txt.x").read_text() == "attacker"
    assert (ledger / "2026.beancount").read_bytes() == before
    assert not (ledger / ".connect-books-intent").exists()


def test_debris_is_looked_for_inside_the_books_only(
    sample_path: Path, tmp_path: Path
) -> None:
    """A link in the ledger folder to another folder: its files are not the books'."""
    import shutil

    from click.testing import CliRunner

    from connect_books.cli import main

    ledger = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, ledger)
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / ".precious.connect-books-tmp"
    precious.write_text("keep")
    (ledger / "linkdir").symlink_to(outside)
    debris = ledger / ".2026.beancount.x.connect-books-tmp"
    debris.write_text("left by a killed writer")
    (ledger / ".connect-books-intent").write_text("[]")
    result = CliRunner().invoke(main, ["check", str(ledger / "main.beancount")])
    assert result.exit_code == 0, result.output
    assert precious.read_text() == "keep"
    assert not debris.exists()


def test_an_intent_that_is_a_folder_is_named(sample_path: Path, tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from connect_books.cli import main

    ledger = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, ledger)
    (ledger / ".connect-books-intent").mkdir()
    books = str(ledger / "main.beancount")
    checked = CliRunner().invoke(main, ["check", books])
    assert checked.exit_code == 0, checked.output  # (reading does not need it)
    before = (ledger / "2026.beancount").read_bytes()
    written = CliRunner().invoke(
        main,
        [
            "add", books, "--date", "2026-11-20", "--payee", "郵便局",
            "--narration", "切手", "--posting", "管理費 通信 84", "--posting", "現金",
            "--yes",
        ],
    )  # fmt: skip
    assert written.exit_code == 1
    assert "Traceback" not in written.output
    assert ".connect-books-intent というフォルダがあります" in written.output
    assert (ledger / "2026.beancount").read_bytes() == before


def test_a_file_that_cannot_be_replaced_is_named_and_no_copy_is_left(
    books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(as with ``chattr +i``: the temporary copy is written, the replacement fails)"""
    from connect_books import atomic

    journal = books.parent / "2026.beancount"
    before = journal.read_bytes()

    def refused(source: str, destination: str) -> None:
        raise PermissionError(1, "Operation not permitted", source, None, destination)

    monkeypatch.setattr(atomic.os, "replace", refused)
    with pytest.raises(WriteRefused) as error:
        append(books, journal, payment("2026-05-01", "切手"), message="x")
    assert str(error.value).startswith(f"{journal} に書き込めませんでした")
    assert journal.read_bytes() == before
    assert not list(books.parent.glob(f".*{TEMP_SUFFIX}"))


def test_an_error_that_only_moves_down_is_not_new(books: Path) -> None:
    """Books with an error already (a failed balance): an edit above it shifts its line,
    which does not make it a new error; a second failed balance still is one."""
    from connect_books.writer import replace

    journal = books.parent / "2026.beancount"
    journal.write_text(
        JOURNAL + "\n2026-05-01 balance Assets:1110-現金  1 JPY\n", encoding="utf-8"
    )
    text = journal.read_text(encoding="utf-8")
    replace(books, journal, "; 一行のメモを足しました\n" + text)
    assert journal.read_text(encoding="utf-8").startswith("; 一行のメモを足しました")
    with pytest.raises(WriteRefused, match="新しいエラーが1件"):
        append(
            books,
            journal,
            "2026-05-02 balance Assets:1110-現金  2 JPY\n",
            message="x",
        )
