"""Fava's editor and forms write through the project's writer: lock, rules, atomic."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from connect_books import writer
from connect_books.serve import make_app
from connect_books.writer import WriteRefused


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample_path.parent, tmp_path / "ledger")
    return tmp_path / "ledger" / "main.beancount"


def client(books: Path) -> FlaskClient:
    app = make_app(books, host="127.0.0.1", auditor=False)
    app.testing = True
    return app.test_client()


def slug(test: FlaskClient) -> str:
    response = test.get("/", follow_redirects=False)
    return response.headers["Location"].strip("/").split("/")[0]


def put_source(test: FlaskClient, path: Path, source: str) -> tuple[int, str]:
    old = path.read_text(encoding="utf-8")
    response = test.put(
        f"/{slug(test)}/api/source",
        json={
            "file_path": str(path),
            "source": source,
            "sha256sum": hashlib.sha256(old.encode()).hexdigest(),
        },
    )
    payload = response.get_json()
    return response.status_code, str(payload.get("error") or payload.get("data"))


PAYMENT = (
    '\n2026-11-20 * "郵便局" "切手"\n'
    "  Expenses:5210-管理費:5213-通信運搬費  84 JPY\n"
    "  Liabilities:2110-未払金  -84 JPY\n"
)


def test_an_editor_save_that_keeps_the_books_valid_lands(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    test = client(books)
    status, body = put_source(
        test, journal, journal.read_text(encoding="utf-8") + PAYMENT
    )
    assert status == 200, body
    assert journal.read_text(encoding="utf-8").endswith(PAYMENT)


def test_an_editor_save_into_a_settled_year_is_refused_and_changes_nothing(
    books: Path,
) -> None:
    journal = books.parent / "2025.beancount"
    before = journal.read_bytes()
    test = client(books)
    edited = before.decode().replace("10000 JPY", "1000 JPY", 1)
    status, body = put_source(test, journal, edited)
    assert status != 200
    assert "書き込みをやめました" in body and "確定済み" in body
    assert journal.read_bytes() == before


def test_the_add_form_writes_into_the_years_journal_never_main(books: Path) -> None:
    main_before = books.read_bytes()
    test = client(books)
    response = test.put(
        f"/{slug(test)}/api/add_entries",
        json={
            "entries": [
                {
                    "t": "Transaction",
                    "date": "2026-11-21",
                    "flag": "*",
                    "payee": "郵便局",
                    "narration": "はがき",
                    "tags": [],
                    "links": [],
                    "meta": {},
                    "postings": [
                        {
                            "account": "Expenses:5210-管理費:5213-通信運搬費",
                            "amount": "85 JPY",
                        },
                        {"account": "Liabilities:2110-未払金", "amount": "-85 JPY"},
                    ],
                }
            ]
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert books.read_bytes() == main_before
    assert "はがき" in (books.parent / "2026.beancount").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("narration", "はがき\n2026-12-06 open Assets:Evil", "摘要"),
        ("payee", "郵便局\r", "支払先"),
        ("meta", {"memo": "a\tb"}, "memo"),
        ("meta", {"memo": "\u202eevil"}, "memo"),
    ],
)
def test_the_add_form_refuses_text_spanning_lines(
    books: Path, field: str, value: object, what: str
) -> None:
    before = {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")}
    test = client(books)
    entry: dict[str, object] = {
        "t": "Transaction",
        "date": "2026-11-21",
        "flag": "*",
        "payee": "郵便局",
        "narration": "はがき",
        "tags": [],
        "links": [],
        "meta": {},
        "postings": [
            {"account": "Expenses:5210-管理費:5213-通信運搬費", "amount": "85 JPY"},
            {"account": "Liabilities:2110-未払金", "amount": "-85 JPY"},
        ],
    }
    entry[field] = value
    response = test.put(f"/{slug(test)}/api/add_entries", json={"entries": [entry]})
    assert response.status_code != 200
    assert f"{what}に改行や制御文字" in response.get_json()["error"]
    assert {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")} == before


def test_an_account_name_cannot_carry_other_entries(books: Path) -> None:
    """A line break in an account name would write any text (a settled year's entry
    posing as another file's); the add form refuses it, and so would the writer."""
    before = {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")}
    test = client(books)
    injected = (
        'Assets:1110-現金 "a"\n\n2025-07-20 * "誰か" "注入"\n  filename: "<x>"\n'
        "  Expenses:5110-まちづくり支援:5111-委託費     100000 JPY\n"
        "  Expenses:5210-管理費:5214-事務用品費  -100000 JPY\n\n"
        "2026-11-20 note Assets:1110-現金"
    )
    note = {"t": "Note", "date": "2026-11-20", "account": injected, "comment": "メモ"}
    response = test.put(
        f"/{slug(test)}/api/add_entries", json={"entries": [{**note, "meta": {}}]}
    )
    assert response.status_code != 200
    assert "科目名として読めません" in response.get_json()["error"]
    assert {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")} == before
    with pytest.raises(WriteRefused, match="メタデータの名前 filename: は使えません"):
        writer.append(
            books,
            books.parent / "2026.beancount",
            '2026-11-20 note Assets:1110-現金 "x"\n  filename: "<x>"\n',
            message="x",
        )
    assert {p.name: p.read_bytes() for p in books.parent.glob("*.beancount")} == before


HOLD_LOCK = textwrap.dedent(
    """\
    import sys, time
    from pathlib import Path
    from connect_books import atomic
    with atomic.locked(Path(sys.argv[1])):
        Path(sys.argv[2]).write_text("held")
        time.sleep(float(sys.argv[3]))
    """
)


def test_a_fava_write_waits_for_the_lock_and_is_not_lost(
    books: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "held"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(books.parent), str(marker), "1.5"]
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        journal = books.parent / "2026.beancount"
        test = client(books)
        start = time.monotonic()
        status, body = put_source(
            test, journal, journal.read_text(encoding="utf-8") + PAYMENT
        )
        waited = time.monotonic() - start
    finally:
        holder.wait(timeout=30)
    assert status == 200, body
    assert waited >= 0.5  # it waited for the other writer
    assert journal.read_text(encoding="utf-8").endswith(PAYMENT)


def test_a_voucher_cannot_be_deleted_from_fava(books: Path) -> None:
    voucher = next((books.parent / "documents").glob("2025-*"))
    test = client(books)
    response = test.delete(
        f"/{slug(test)}/api/document", query_string={"filename": str(voucher)}
    )
    assert response.status_code == 403
    assert "証憑のファイルは Fava から消せません" in response.get_json()["error"]
    assert voucher.exists()
