"""The Fava 記帳 page through Flask's test client on a copy of the sample books.

Each form is previewed (nothing written), then confirmed (written by the safe writer into
the open 年度's file, and shown as Fava has it); bad values are refused in Japanese beside
the form, with the books byte-for-byte as they were; the auditor's Fava has no such page.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
import shutil
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from ledgertools import query, query_total

from connect_books.books import load
from connect_books.cli import main
from connect_books.fava_ext import entry_page
from connect_books.serve import make_app
from connect_books.writer import LOCK_NAME

TODAY = datetime.date(2026, 12, 10)
CASH_BALANCE = "2026-12-01 balance Assets:1110-現金"
EXPENSE = {
    "date": "2026-12-03",
    "line": "Expenses:5210-管理費:5213-通信運搬費",
    "amount": "840",
    "paid_from": "Assets:1110-現金",
    "payee": "郵便局",
    "narration": "切手 12月",
}
#: One good submission of each form, and a text the entry written must hold.
GOOD: dict[str, tuple[dict[str, str], str]] = {
    "dues": (
        {"date": "2026-12-03", "member": "CS-MACHIDESIGN", "year": "", "amount": ""},
        'member: "CS-MACHIDESIGN"',
    ),
    "donation": (
        {"date": "2026-12-04", "supporter": "S0002", "amount": "5,000", "fund": ""},
        'supporter: "S0002"',
    ),
    "grant": (
        {
            "date": "2026-12-05",
            "payee": "公益財団法人みらい協同基金",
            "amount": "100000",
            "narration": "研修事業助成金",
            "restricted": "1",
            "purpose": "人材育成研修",
        },
        "restricted: TRUE",
    ),
    "expense": (EXPENSE, '"郵便局" "切手 12月"'),
    "grant-payment": (
        {"date": "2026-12-07", "decision": "IF-2026-02", "amount": ""},
        "150000 JPY",
    ),
    "transfer": (
        {
            "date": "2026-12-08",
            "source": "Assets:1110-現金",
            "destination": "Assets:1120-普通預金-ろうきん",
            "amount": "50000",
        },
        "振替 (現金 → 普通預金-ろうきん)",
    ),
    "balance": (
        {"month": "2026-11", "account": "Assets:1110-現金", "passbook": "251860"},
        "2026-12-01 balance Assets:1110-現金",
    ),
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entry_page, "today", lambda: TODAY)


@pytest.fixture
def books(sample_path: Path, tmp_path: Path) -> Path:
    """A copy of the sample books without the November cash balance (for the balance form)."""
    folder = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, folder)
    journal = folder / "2026.beancount"
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    journal.write_text(
        "".join(line for line in lines if not line.startswith(CASH_BALANCE)),
        encoding="utf-8",
    )
    return folder / "main.beancount"


def snapshot(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file under the ledger folder (the writer's lock aside)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != LOCK_NAME
    }


class Page:
    """The 記帳 page of one app, as a browser would use it."""

    def __init__(self, books: Path, *, auditor: bool = False) -> None:
        app = make_app(books, host="127.0.0.1", auditor=auditor)
        app.testing = True
        self.client: FlaskClient = app.test_client()
        location = self.client.get("/").headers["Location"]
        self.base = f"/{location.strip('/').split('/')[0]}/extension/Kicho/"
        self.token = ""

    def open(self, form: str = "dues", **args: str) -> str:
        response = self.client.get(self.base, query_string={"form": form, **args})
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        self.token = token_of(text)
        return text

    def post(self, endpoint: str, form: str, values: dict[str, Any]) -> Any:
        if not self.token:
            self.open(form)
        data = {"token": self.token, "form": form, **values}
        return self.client.post(
            self.base + endpoint, data=data, content_type="multipart/form-data"
        )

    def preview(self, form: str, values: dict[str, Any]) -> str:
        response = self.post("preview", form, values)
        assert response.status_code == 200
        return str(response.get_data(as_text=True))

    def write(self, form: str, values: dict[str, Any]) -> Any:
        return self.post("write", form, values)


def token_of(text: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', text)
    assert match, "the page has no form token"
    return match.group(1)


def shown(text: str, element: str) -> str:
    """The text of the element with ``id`` ``element`` (tags removed, unescaped)."""
    match = re.search(rf'id="{element}"[^>]*>(.*?)</(?:pre|p|section)>', text, re.S)
    assert match, f"#{element} is not on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def field_value(text: str, name: str) -> str:
    """What the input ``name`` of the form shows."""
    match = re.search(rf'id="kc-{name}" name="{name}" value="([^"]*)"', text)
    assert match, name
    return html.unescape(match.group(1))


def error_of(text: str) -> str:
    return shown(text, "kc-error")


@pytest.mark.parametrize("form", list(GOOD))
def test_each_form_previews_then_writes_into_the_open_year(
    books: Path, form: str
) -> None:
    values, expected = GOOD[form]
    page = Page(books)
    before = snapshot(books.parent)
    preview = page.preview(form, values)
    text = shown(preview, "kc-text")
    assert expected in text
    assert "ledger/2026.beancount" in preview
    assert snapshot(books.parent) == before  # a preview writes nothing

    response = page.write(form, values)
    assert response.status_code == 303, response.get_data(as_text=True)
    landed = page.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "書き込みました" in landed
    assert expected in shown(landed, "kc-landed")  # Fava has loaded the new entry
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert journal.endswith(text)
    changed = {
        k for k in snapshot(books.parent) if before.get(k) != snapshot(books.parent)[k]
    }
    assert changed == {"2026.beancount"}
    assert not load(books).errors
    result = CliRunner().invoke(main, ["check", str(books)])
    assert result.exit_code == 0, result.output


def test_the_expense_voucher_is_uploaded_placed_and_linked(books: Path) -> None:
    page = Page(books)
    voucher = (BytesIO(b"%PDF-1.4 receipt\n"), "領収書 12月.pdf")
    preview = page.preview("expense", {**EXPENSE, "voucher_file": voucher})
    text = shown(preview, "kc-text")
    assert '"documents/2026-12-03.領収書-12月.pdf"' in text
    assert not (books.parent / "documents" / "2026-12-03.領収書-12月.pdf").exists()
    key = re.search(r'name="voucher" value="([^"]+)"', preview)
    assert key
    response = page.write("expense", {**EXPENSE, "voucher": key.group(1)})
    assert response.status_code == 303
    placed = books.parent / "documents" / "2026-12-03.領収書-12月.pdf"
    assert placed.read_bytes() == b"%PDF-1.4 receipt\n"
    after = load(books)
    assert not after.errors
    rows = query(after, "SELECT filename FROM #documents WHERE date = 2026-12-03")
    assert [Path(r[0]).name for r in rows] == [placed.name]
    landed = page.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "document Expenses:5210-管理費:5213-通信運搬費" in shown(landed, "kc-landed")


def test_the_confirm_step_builds_the_entry_again_from_the_values(books: Path) -> None:
    """Posted Beancount text is never written: only the form's values count."""
    page = Page(books)
    injected = '2026-12-03 * "x" "y"\n  Assets:1110-現金 1 JPY\n  Equity:3900-期首残高'
    response = page.write("expense", {**EXPENSE, "text": injected, "amount": "900"})
    assert response.status_code == 303
    journal = (books.parent / "2026.beancount").read_text(encoding="utf-8")
    assert '"x" "y"' not in journal
    total = query_total(
        load(books), "SELECT sum(number) WHERE account ~ '5213' AND date = 2026-12-03"
    )
    assert total == 900


BAD: list[tuple[str, dict[str, str], str, str]] = [
    ("expense", {"amount": "840.5"}, "amount", "端数"),
    ("expense", {"amount": "８４０"}, "amount", "全角"),
    ("expense", {"date": "2026-02-30"}, "date", "実在しません"),
    ("expense", {"date": "2025-12-01"}, "date", "決算済み"),
    ("expense", {"date": "2027-06-01"}, "date", "日より先"),
    ("expense", {"narration": "切手\n2026-12-03 open Assets:X"}, "narration", "改行"),
    ("expense", {"payee": 'include "evil.beancount"'}, "payee", "'include'"),
    ("expense", {"payee": ""}, "payee", "支払先を書いてください"),
    ("expense", {"line": "Expenses:9999-ない科目"}, "line", "科目表にありません"),
    ("dues", {"member": "NO-SUCH-MEMBER"}, "member", "NO-SUCH-MEMBER"),
    ("dues", {"amount": "20000"}, "", "多すぎます"),
    ("donation", {"supporter": "S9999"}, "", "S9999"),
    ("grant-payment", {"amount": "999999"}, "", "払えません"),
    ("transfer", {"destination": "Assets:1110-現金"}, "", "同じ科目"),
    ("balance", {"month": "2026-13"}, "month", "月 '2026-13'"),
    ("balance", {"passbook": "25万"}, "passbook", "読めません"),
]


@pytest.mark.parametrize(("form", "change", "field", "message"), BAD)
def test_a_bad_value_is_refused_beside_the_form_and_nothing_changes(
    books: Path, form: str, change: dict[str, str], field: str, message: str
) -> None:
    page = Page(books)
    values = {**GOOD[form][0], **change}
    before = snapshot(books.parent)
    for endpoint in ("preview", "write"):  # the write checks everything again
        response = page.post(endpoint, form, values)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert message in error_of(text)
        assert "帳簿は変わっていません" in text
        if field:
            row = re.search(rf'<div class="kc-row kc-bad" data-field="{field}">', text)
            assert row, f"the error is not beside {field}"
        for name, value in values.items():  # the form keeps what was typed
            if "\n" not in value and name in ("amount", "payee", "date", "passbook"):
                assert field_value(text, name) == value
    assert snapshot(books.parent) == before


def test_a_passbook_that_differs_shows_the_difference_and_is_not_written(
    books: Path,
) -> None:
    page = Page(books)
    values = {**GOOD["balance"][0], "passbook": "251000"}
    before = snapshot(books.parent)
    preview = page.preview("balance", values)
    assert "▲860円" in shown(preview, "kc-preview-panel")
    assert "差額があるので、書きません" in shown(preview, "kc-problem")
    assert 'id="kc-write"' not in preview
    refused = page.write("balance", values).get_data(as_text=True)
    assert "残高が合いません" in error_of(refused)
    assert snapshot(books.parent) == before


def test_posts_from_elsewhere_are_refused(books: Path) -> None:
    page = Page(books)
    page.open("expense")
    before = snapshot(books.parent)
    data = {"form": "expense", **EXPENSE}
    assert page.client.post(page.base + "write", data=data).status_code == 403
    wrong = {**data, "token": "guessed"}
    assert page.client.post(page.base + "write", data=wrong).status_code == 403
    signed = {**data, "token": page.token}
    other = {"Origin": "http://evil.example"}
    response = page.client.post(page.base + "write", data=signed, headers=other)
    assert response.status_code == 403
    site = {"Sec-Fetch-Site": "cross-site"}
    response = page.client.post(page.base + "write", data=signed, headers=site)
    assert response.status_code == 403
    assert page.client.get(page.base + "write").status_code == 302  # back to the form
    assert snapshot(books.parent) == before


def test_the_auditor_has_no_entry_page(books: Path) -> None:
    treasurer = Page(books)
    assert "記帳" in sidebar(treasurer.client, treasurer.base)
    auditor = Page(books, auditor=True)
    titles = sidebar(auditor.client, auditor.base)
    assert "計算書・監査" in titles
    assert "記帳" not in titles
    before = snapshot(books.parent)
    for path in ("", "?form=expense", "preview", "write"):
        assert auditor.client.get(auditor.base + path).status_code == 403
    data = {"form": "expense", "token": "x", **EXPENSE}
    for path in ("preview", "write"):
        response = auditor.client.post(auditor.base + path, data=data)
        assert response.status_code in (401, 403)
    assert snapshot(books.parent) == before


def sidebar(client: FlaskClient, base: str) -> list[str]:
    """The extension pages in the sidebar of Fava's pages (from its ledger data)."""
    page = client.get(base.replace("extension/Kicho/", "income_statement/"))
    text = page.get_data(as_text=True)
    match = re.search(r'id="ledger-data">(.*?)</script>', text, re.S)
    assert match
    data = json.loads(match.group(1))
    return [e["report_title"] for e in data["extensions"] if e["report_title"]]


def test_the_page_offers_the_books_own_choices(books: Path) -> None:
    page = Page(books)
    dues = page.open("dues")
    assert 'value="10000"' in dues  # the rate
    assert "エコメッセ" in dues
    expense = page.open("expense")
    assert '<optgroup label="事業3 広報">' in expense
    assert '<optgroup label="管理費">' in expense
    assert "支払助成金" not in expense  # grants are paid on a decision
    grants = page.open("grant-payment")
    assert "IF-2026-02 労働者協同組合まちのたね (残り 150,000円)" in grants
    assert "MZ-2026-01" not in grants  # paid in full
    balance = page.open("balance")
    assert '<option value="2026-11" selected>2026年11月末</option>' in balance


def test_the_tabs_keep_fava_s_time_filter(books: Path) -> None:
    page = Page(books)
    text = page.open("dues", time="FY2026")
    tabs = re.findall(r'<nav class="kc-tabs".*?</nav>', text, re.S)[0]
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', tabs)]
    assert len(links) == 7
    for link in links:
        assert link.count("?") == 1 and "time=FY2026" in link and "form=" in link
