"""The ``connect-books`` program ends its process as soon as a command is done
(:mod:`connect_books.quickexit`): with the command's status, and with all its output."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from connect_books import quickexit
from connect_books.cli import main

CLI = str(Path(sys.executable).parent / "connect-books")
#: Linux's ``fcntl`` command that sets a pipe's capacity.
F_SETPIPE_SZ = 1031
SAMPLE = Path(__file__).resolve().parent.parent / "ledger"


def _books(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "ledger", ignore=shutil.ignore_patterns(".*"))
    return tmp_path / "ledger" / "main.beancount"


def _cli(*args: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    env = {"CONNECT_BOOKS_CACHE": str(cache), "PATH": "/usr/bin:/bin"}
    return subprocess.run([CLI, *args], capture_output=True, env=env, timeout=120)


def test_the_program_is_the_quick_exit() -> None:
    """The installed script runs :func:`connect_books.cli.run`, not the group alone."""
    assert "from connect_books.cli import run" in Path(CLI).read_text()


def test_statuses_and_output_are_those_of_the_command(tmp_path: Path) -> None:
    books = _books(tmp_path)
    cache = tmp_path / "cache"
    done = _cli("check", str(books), cache=cache)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("✓ エラーはありません")

    missing = _cli("check", str(tmp_path / "none.beancount"), cache=cache)
    assert missing.returncode == 1
    assert "が見つかりません" in missing.stderr.decode()

    usage = _cli("chek", cache=cache)
    assert usage.returncode == 2
    assert usage.stderr.decode().startswith("エラー: ")

    books.with_name("2026.beancount").write_text(
        books.with_name("2026.beancount").read_text() + "\n2099-01-01 open Assets:X\n",
        encoding="utf-8",
    )
    refused = _cli("check", str(books), cache=cache)
    assert refused.returncode == 1
    assert "2026.beancount:" in refused.stdout.decode() + refused.stderr.decode()


def test_a_long_output_through_a_pipe_is_whole(tmp_path: Path) -> None:
    """Standard output is flushed before the process ends: the journal as CSV through a
    pipe is byte for byte what the command group writes under click's runner."""
    books = _books(tmp_path)
    args = ["report", "journal", "--year", "2025", "--format", "csv", str(books)]
    piped = _cli(*args, cache=tmp_path / "cache")
    assert piped.returncode == 0, piped.stderr.decode()
    runner = CliRunner()
    expected = runner.invoke(main, args, env={"CONNECT_BOOKS_CACHE": "off"})
    assert expected.exit_code == 0, expected.output
    assert len(piped.stdout) > 10_000
    assert piped.stdout == expected.stdout_bytes


def test_a_closed_pipe_is_a_failure_not_a_traceback(tmp_path: Path) -> None:
    """``connect-books report … | head``: the reader leaves early; the program fails
    quietly, as Python's own ending would."""
    books = _books(tmp_path)
    env = {"CONNECT_BOOKS_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    command = [CLI, "report", "journal", "--year", "2025", "--format", "csv"]
    with subprocess.Popen(
        [*command, str(books)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        fcntl.fcntl(process.stdout.fileno(), F_SETPIPE_SZ, 4096)
        process.stdout.read(10)
        process.stdout.close()
        errors = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert status != 0
    assert "Traceback" not in errors


def test_a_status_given_as_text_is_printed(tmp_path: Path) -> None:
    script = (
        "import sys\nfrom connect_books import quickexit\n"
        "quickexit.run(lambda: sys.exit('止めました'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "止めました"


def test_nothing_is_held_outside_the_program(tmp_path: Path) -> None:
    """Under click's runner (tests, a library) the loaded books are freed as usual."""
    books = _books(tmp_path)
    result = CliRunner().invoke(
        main, ["check", str(books)], env={"CONNECT_BOOKS_CACHE": "off"}
    )
    assert result.exit_code == 0, result.output
    assert quickexit._held is None


def test_the_collector_stays_off_but_for_a_server() -> None:
    """Turned back on at the end, the collector would walk every object of the loaded
    books once more just before the process ends; ``serve`` (released) has it on."""
    script = (
        "import gc, sys\nfrom connect_books import quickexit\n"
        "def main():\n"
        "    print(gc.isenabled())\n"
        "    quickexit.release()\n"
        "    print(gc.isenabled())\n"
        "    sys.exit(3)\n"
        "quickexit.run(main)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert done.stdout.split() == ["False", "True"]
