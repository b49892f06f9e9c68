"""``connect-books query``: bean-query's answers, from the trusted load.

On clean books it prints what ``bean-query`` prints; books that carry Python in their
folder and an ``insert_pythonpath`` option (which makes plain Beancount import it in
place of the rules) are refused at that line, and none of it runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from favatools import connect_books_command

BIN = Path(connect_books_command()).parent
QUERY = (
    "SELECT account, sum(number) AS total WHERE year = 2025 "
    "GROUP BY account ORDER BY account"
)
RULES = ("hygiene", "no_distribution", "dues", "funds", "budget", "withholding")


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONNECT_BOOKS_CACHE": "off"}
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_the_answers_are_bean_querys(sample_path: Path) -> None:
    ours = run(connect_books_command(), "query", str(sample_path), QUERY)
    theirs = run(str(BIN / "bean-query"), str(sample_path), QUERY)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert "Income:4110-受取会費" in ours.stdout
    csv = run(connect_books_command(), "query", "-f", "csv", str(sample_path), QUERY)
    assert csv.stdout.splitlines()[0] == "account,total"


def test_code_in_the_ledger_folder_never_runs(
    sample_path: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, ledger)
    marker = tmp_path / "ran"
    package = ledger / "connect_books" / "plugins"
    package.mkdir(parents=True)
    (ledger / "connect_books" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    for rule in (*RULES, "settlement"):
        (package / f"{rule}.py").write_text(
            f"open({str(marker)!r}, 'w').write('x')\n"
            "__plugins__ = ('f',)\n"
            "def f(entries, options, config=None):\n"
            "    return entries, []\n"
        )
    main = ledger / "main.beancount"
    main.write_text(
        'option "insert_pythonpath" "TRUE"\n' + main.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = run(connect_books_command(), "query", str(main), QUERY, cwd=tmp_path)
    assert not marker.exists()
    assert result.returncode == 1 and result.stdout == ""
    assert 'main.beancount:1: option "insert_pythonpath" は使えません' in result.stderr
    assert "Traceback" not in result.stderr


def test_the_ledger_may_be_left_out_and_errors_are_said(
    sample_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "repo"
    shutil.copytree(sample_path.parent, folder / "ledger")
    mine = run(connect_books_command(), "query", QUERY, cwd=folder)
    theirs = run(str(BIN / "bean-query"), str(sample_path), QUERY)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout == theirs.stdout and mine.stderr == ""
    journal = folder / "ledger" / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + '\n2026-11-20 * "x" "y"\n  Assets:1110-現金  1 JPY\n  Assets:1110-現金  -2 JPY\n',
        encoding="utf-8",
    )
    warned = run(connect_books_command(), "query", QUERY, cwd=folder)
    assert warned.returncode == 0
    assert "件のエラーがあります" in warned.stderr


def test_only_statements_that_read_the_books(sample_path: Path) -> None:
    opened = run(
        connect_books_command(),
        "query",
        str(sample_path),
        "CREATE TABLE t (a str) USING 'csv:/etc/passwd'",
    )
    assert opened.returncode == 1
    assert "SELECT・BALANCES・JOURNAL・PRINT だけです" in opened.stderr
    assert "Traceback" not in opened.stderr


def test_fava_query_page_runs_no_file_opening_statement(sample_path: Path) -> None:
    from connect_books.serve import make_app

    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    client = app.test_client()
    local = {"Host": "127.0.0.1:5000"}
    slug = client.get("/", headers=local).headers["Location"].strip("/").split("/")[0]
    for path in ("api/query", "download-query/query_result.csv"):
        refused = client.get(
            f"/{slug}/{path}",
            query_string={
                "query_string": "CREATE TABLE t (a str) USING 'csv:/etc/hosts'"
            },
            headers=local,
        )
        assert refused.status_code == 403
        assert (
            "SELECT・BALANCES・JOURNAL・PRINT だけです" in refused.get_json()["error"]
        )
    fine = client.get(
        f"/{slug}/api/query",
        query_string={"query_string": "SELECT count(*)"},
        headers=local,
    )
    assert fine.status_code == 200
