"""Fava's import page through Flask's test client: every refusal in Japanese, nothing changed.

The books are the import tests' repository (:func:`test_import_books.make_repo`). Each
refused upload, extract or save leaves every file of the ledger byte-identical, and a
refused upload leaves nothing in the inbox (``private/import-inbox/``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from test_import_books import DATA, ROUKIN, YUCHO, make_repo, snapshot

from connect_books.fava_import import UNASSIGNED, inbox_of
from connect_books.serve import make_app

YUCHO_CSV = DATA / "yucho-2026-10.csv"


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    return make_repo(sample_path, tmp_path)


def client(books: Path, *, auditor: bool = False) -> tuple[FlaskClient, str]:
    app = make_app(books, host="127.0.0.1", auditor=auditor)
    app.testing = True
    test = app.test_client()
    slug = test.get("/").headers["Location"].strip("/").split("/")[0]
    return test, slug


def upload(test: FlaskClient, slug: str, name: str, content: bytes) -> Any:
    return test.put(
        f"/{slug}/api/upload_import_file",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def extract(test: FlaskClient, slug: str, path: Path, account: str) -> Any:
    bank = "yucho" if account == YUCHO else "roukin"
    return test.get(
        f"/{slug}/api/extract",
        query_string={
            "filename": str(path),
            "importer": f"connect_books.{bank}:{account}",
        },
    )


def error_of(response: Any) -> str:
    assert response.status_code >= 400, response.get_json()
    return str(response.get_json()["error"])


def settled(content: bytes) -> bytes:
    """The statement moved a year back, into the settled 2025年度."""
    return content.replace(b"2026", b"2025")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.csv", b"\x00\x01\x02\x03 data", "CSV ではなく"),
        ("meisai.csv", YUCHO_CSV.read_bytes().replace(b"\x8e\xe6", b"X"), "設定"),
        (
            "utf16.csv",
            YUCHO_CSV.read_bytes().decode("cp932").encode("utf-16"),
            "読める銀行の設定がありません",
        ),
        ("old.csv", settled(YUCHO_CSV.read_bytes()), "決算済み"),
    ],
)
def test_a_refused_upload_says_why_and_keeps_nothing(
    books: Path, name: str, content: bytes, reason: str
) -> None:
    before = snapshot(books)
    test, slug = client(books)
    message = error_of(upload(test, slug, name, content))
    assert reason in message and "帳簿は変わっていません" in message, message
    assert snapshot(books) == before
    inbox = inbox_of(books)
    assert not inbox.exists() or not any(inbox.iterdir())


def test_an_upload_lands_in_the_inbox_outside_the_books(books: Path) -> None:
    test, slug = client(books)
    response = upload(test, slug, "../../yucho.csv", YUCHO_CSV.read_bytes())
    assert response.status_code == 200, response.get_json()
    inbox = inbox_of(books)
    assert inbox == books.parent.parent / "private" / "import-inbox"
    assert [p.name for p in inbox.iterdir()] == ["yucho.csv"]
    listed = test.get(f"/{slug}/api/imports").get_json()["data"]
    assert [f["basename"] for f in listed] == ["yucho.csv"]
    assert [i["account"] for i in listed[0]["importers"]] == [YUCHO]


def test_an_extract_the_plan_refuses_says_why_and_changes_nothing(
    books: Path,
) -> None:
    test, slug = client(books)
    assert upload(test, slug, "r.csv", (DATA / "roukin-2026-10.csv").read_bytes())
    before = snapshot(books)
    other = "Assets:1120-普通預金-ろうきん"  # the statement is of ROUKIN
    message = error_of(extract(test, slug, inbox_of(books) / "r.csv", other))
    assert "残高" in message and "帳簿は変わっていません" in message, message
    outside = books.parent / "2026.beancount"
    message = error_of(extract(test, slug, outside, ROUKIN))
    assert "取込フォルダ" in message
    assert snapshot(books) == before


def proposed(test: FlaskClient, slug: str, books: Path) -> list[dict[str, Any]]:
    assert upload(test, slug, "y.csv", YUCHO_CSV.read_bytes()).status_code == 200
    response = extract(test, slug, inbox_of(books) / "y.csv", YUCHO)
    assert response.status_code == 200, response.get_json()
    entries: list[dict[str, Any]] = response.get_json()["data"]
    return entries


def test_a_save_lands_in_one_append_and_a_second_is_refused(books: Path) -> None:
    test, slug = client(books)
    entries = proposed(test, slug, books)
    assert [e["t"] for e in entries] == ["Transaction"] * 5 + ["Balance"]
    assert not any(e["meta"].get("__duplicate__") for e in entries)
    main_before = books.read_bytes()
    saved = test.put(f"/{slug}/api/add_entries", json={"entries": entries})
    assert saved.status_code == 200, saved.get_json()
    assert books.read_bytes() == main_before
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert journal.count("import-key:") == 5

    before = snapshot(books)  # the same lines again, forced past the dialog
    message = error_of(test.put(f"/{slug}/api/add_entries", json={"entries": entries}))
    assert "二度記帳されています" in message and "帳簿は変わっていません" in message
    assert snapshot(books) == before
    again = extract(test, slug, inbox_of(books) / "y.csv", YUCHO).get_json()["data"]
    assert [e["meta"].get("__duplicate__") for e in again] == [True] * 5


def test_an_unassigned_line_or_two_years_are_refused(books: Path) -> None:
    test, slug = client(books)
    entries = proposed(test, slug, books)
    before = snapshot(books)
    line = dict(entries[0])
    line["flag"] = "!"
    line["postings"] = [line["postings"][0], {"account": UNASSIGNED, "amount": ""}]
    message = error_of(test.put(f"/{slug}/api/add_entries", json={"entries": [line]}))
    assert "未割当" in message and "帳簿は変わっていません" in message
    later = {**entries[2], "date": "2027-04-02"}
    both = {"entries": [entries[2], later]}
    message = error_of(test.put(f"/{slug}/api/add_entries", json=both))
    assert "一度に書けません" in message or "日付 2027-04-02" in message, message
    assert snapshot(books) == before


def test_the_auditor_gets_no_import(books: Path) -> None:
    test, slug = client(books, auditor=True)
    assert test.get(f"/{slug}/api/imports").status_code == 403
    assert test.get(f"/{slug}/import/").status_code == 403
    assert upload(test, slug, "y.csv", YUCHO_CSV.read_bytes()).status_code in (
        401,
        403,
    )
    assert not inbox_of(books).exists()


#: The ゆうちょ statement with its first line from a payer no rule knows.
UNKNOWN_PAYER = YUCHO_CSV.read_bytes().replace(
    "ﾊﾅﾐｽﾞｷｼﾖｳﾃﾝ".encode("cp932"), "ﾅｿﾞﾉｶｲｼﾔ".encode("cp932")
)


def test_an_unmatched_line_is_shown_with_the_account_to_assign(books: Path) -> None:
    test, slug = client(books)
    assert upload(test, slug, "u.csv", UNKNOWN_PAYER).status_code == 200
    response = extract(test, slug, inbox_of(books) / "u.csv", YUCHO)
    entries = response.get_json()["data"]
    first = entries[0]
    assert first["flag"] == "!" and not first["meta"].get("__duplicate__")
    assert [p["account"] for p in first["postings"]] == [YUCHO, UNASSIGNED]
    assert "未割当" in first["meta"]["__source__"]
    assert [e["t"] for e in entries] == ["Transaction"] * 5  # no balance yet


def test_a_statement_is_never_moved_into_the_books(books: Path) -> None:
    test, slug = client(books)
    assert upload(test, slug, "y.csv", YUCHO_CSV.read_bytes()).status_code == 200
    moved = test.put(
        f"/{slug}/api/move",
        json={
            "filename": str(inbox_of(books) / "y.csv"),
            "account": YUCHO,
            "new_name": "y.csv",
        },
    )
    assert "documents/" in error_of(moved)
    assert (inbox_of(books) / "y.csv").is_file()


def test_no_extract_into_books_with_errors(books: Path) -> None:
    journal = books.parent / "2026.beancount"
    journal.write_text(
        journal.read_text(encoding="utf-8")
        + '\n2026-11-20 * "郵便局" "切手"\n  Expenses:5210-管理費:5213-通信運搬費  84 JPY\n'
        "  Liabilities:2110-未払金  -80 JPY\n",
        encoding="utf-8",
    )
    test, slug = client(books)
    assert upload(test, slug, "y.csv", YUCHO_CSV.read_bytes()).status_code == 200
    before = snapshot(books)
    message = error_of(extract(test, slug, inbox_of(books) / "y.csv", YUCHO))
    assert "エラーがあるため" in message and "帳簿は変わっていません" in message
    assert snapshot(books) == before


def test_unreadable_rules_are_named_on_the_import_page(books: Path) -> None:
    rules = books.parent.parent / "import" / "rules.toml"
    rules.write_text("[[member]\n", encoding="utf-8")
    test, slug = client(books)
    message = error_of(test.get(f"/{slug}/api/imports"))
    assert "取込の設定 (import/) が読めません" in message, message
