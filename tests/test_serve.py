"""``serve``: the trusted load, Host-header checks, read-only auditor mode, documents."""

from __future__ import annotations

import datetime
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from favatools import http_get, http_request, serving, slug_of, write_users
from flask import Flask

from connect_books.cli import main
from connect_books.serve import ServeRefused, make_app

LOCAL = {"Host": "127.0.0.1:5000"}


def slug(app: Flask, headers: dict[str, str] = LOCAL) -> str:
    return slug_of(app.test_client().get("/", headers=headers).headers["Location"])


def test_foreign_host_header_is_rejected(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=False)
    client = app.test_client()
    assert client.get("/", headers=LOCAL).status_code in (200, 302)
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code in (200, 302)
    assert client.get("/", headers={"Host": "evil.example:5000"}).status_code == 400
    assert client.get("/", headers={"Host": "rebind.attacker.test"}).status_code == 400
    page = f"/{slug(app)}/extension/ConnectBooks/?page=activity"
    assert client.get(page, headers={"Host": "evil.example"}).status_code == 400


def test_treasurer_mode_serves_the_books(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=False)
    client = app.test_client()
    page = client.get("/", headers=LOCAL, follow_redirects=True)
    assert page.status_code == 200
    assert "コネクト機構" in page.get_data(as_text=True)


def test_auditor_mode_refuses_writes(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    client = app.test_client()
    name = slug(app)
    assert client.get(f"/{name}/income_statement/", headers=LOCAL).status_code == 200
    before = sample_path.read_bytes()
    response = client.put(
        f"/{name}/api/source",
        json={"file_path": str(sample_path), "source": "", "sha256sum": ""},
        headers=LOCAL,
    )
    assert response.status_code == 401
    response = client.put(
        f"/{name}/api/add_entries", json={"entries": []}, headers=LOCAL
    )
    assert response.status_code == 401
    response = client.post(
        f"/{name}/extension/ConnectBooks/report?page=activity", headers=LOCAL
    )
    assert response.status_code == 401
    assert sample_path.read_bytes() == before


def test_auditor_mode_refuses_the_raw_files_and_the_editor(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    client = app.test_client()
    name = slug(app)
    for url in (
        f"/{name}/api/source?filename={sample_path}",
        f"/{name}/download-journal/",
        f"/{name}/editor/",
        f"/{name}/import/",
        f"/{name}/api/imports",
    ):
        response = client.get(url, headers=LOCAL)
        assert response.status_code == 403, url
        assert "監事用の Fava では" in response.get_data(as_text=True)
    # Reading the books is what the auditor is there for.
    query = f"/{name}/api/query?query_string=SELECT%20sum(number)%20WHERE%20account%20~%20'受取会費'"
    assert client.get(query, headers=LOCAL).status_code == 200
    assert client.get(f"/{name}/journal/", headers=LOCAL).status_code == 200
    # The treasurer keeps the editor.
    treasurer = make_app(sample_path, host="127.0.0.1", auditor=False).test_client()
    assert treasurer.get(f"/{name}/api/source", headers=LOCAL).status_code == 200


def test_security_headers(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    response = app.test_client().get(f"/{slug(app)}/income_statement/", headers=LOCAL)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_non_loopback_needs_auditor_and_explicit_consent(
    sample_path: Path, tmp_path: Path
) -> None:
    users = write_users(tmp_path / "auditors", {"yamada": "kansa-2025-secret"})
    with pytest.raises(ServeRefused, match="外に公開できません"):
        make_app(sample_path, host="192.0.2.10", auditor=False)
    with pytest.raises(ServeRefused, match="--allow-remote"):
        make_app(sample_path, host="192.0.2.10", auditor=True)
    for everywhere in ("0.0.0.0", "0", "0.0", "::", "[::]"):  # (all read as "any")
        with pytest.raises(ServeRefused, match=r"0\.0\.0\.0"):
            make_app(
                sample_path,
                host=everywhere,
                auditor=True,
                allow_remote=True,
                users_file=users,
            )
    with pytest.raises(
        ServeRefused, match=r"--public-url のときは --host 192\.0\.2\.10"
    ):
        make_app(
            sample_path,
            host="192.0.2.10",
            auditor=True,
            allow_remote=True,
            users_file=users,
            public_url="https://kansa.example.org",
        )
    with pytest.raises(ServeRefused, match="監事のユーザーがいません"):
        make_app(
            sample_path,
            host="192.0.2.10",
            auditor=True,
            allow_remote=True,
            users_file=tmp_path / "nobody",
        )
    app = make_app(
        sample_path,
        host="192.0.2.10",
        auditor=True,
        allow_remote=True,
        users_file=users,
    )
    client = app.test_client()
    assert client.get("/", headers={"Host": "192.0.2.10:5000"}).status_code == 401
    assert client.get("/", headers={"Host": "localhost:5000"}).status_code == 400


def test_a_loopback_server_refuses_what_a_proxy_forwarded(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    client = app.test_client()
    forwarded = {**LOCAL, "X-Forwarded-For": "203.0.113.9"}
    response = client.get(f"/{slug(app)}/income_statement/", headers=forwarded)
    assert response.status_code == 401
    assert "--public-url" in response.get_data(as_text=True)


def test_public_url_behind_a_tls_proxy(sample_path: Path, tmp_path: Path) -> None:
    users = write_users(tmp_path / "auditors", {"yamada": "kansa-2025-secret"})
    with pytest.raises(ServeRefused, match="https://"):
        make_app(
            sample_path,
            host="127.0.0.1",
            auditor=True,
            public_url="http://kansa.example.org",
            users_file=users,
        )
    with pytest.raises(ServeRefused, match="--auditor"):
        make_app(
            sample_path,
            host="127.0.0.1",
            auditor=False,
            public_url="https://kansa.example.org",
        )
    app = make_app(
        sample_path,
        host="127.0.0.1",
        auditor=True,
        public_url="https://kansa.example.org",
        users_file=users,
    )
    client = app.test_client()
    proxied = {
        "Host": "127.0.0.1:5000",
        "X-Forwarded-Host": "kansa.example.org",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    assert client.get("/", headers=proxied).status_code == 401  # a login is required
    assert client.get("/", headers=LOCAL).status_code == 400  # only the public name
    response = client.post(
        "/login",
        data={"name": "yamada", "password": "kansa-2025-secret", "next": "/"},
        headers=proxied,
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-connect-books=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def evil_books(tmp_path: Path, sample_path: Path) -> tuple[Path, Path]:
    """The sample books with code-running lines, and the file their code would write."""
    books = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, books)
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    (books / "evil.py").write_text(code + "__plugins__ = ()\n")
    (books / "flask_babel_evil.py").write_text(code)
    package = books / "connect_books"  # shadowing the project's own package
    package.mkdir()
    (package / "__init__.py").write_text(code)
    (package / "fava_ext.py").write_text(code)
    for lazy in ("openpyxl", "pandas", "cheroot", "watchfiles"):  # imported on demand
        (books / f"{lazy}.py").write_text(code)
    main_file = books / "main.beancount"
    text = main_file.read_text()
    text = text.replace(
        'plugin "connect_books.plugins.hygiene"',
        'plugin "evil"\nplugin "connect_books.plugins.hygiene"',
    )
    text += '\n2026-04-01 custom "fava-extension" "evil"\n'
    text += '2026-04-01 custom "fava-extension" "flask_babel_evil"\n'
    text += '2026-04-01 custom "fava-option" "import-config" "evil.py"\n'
    main_file.write_text(text)
    return main_file, marker


@pytest.mark.parametrize("auditor", [True, False])
def test_code_named_by_the_books_never_runs_in_serve(
    tmp_path: Path, sample_path: Path, auditor: bool
) -> None:
    main_file, marker = evil_books(tmp_path, sample_path)
    path_before = list(sys.path)
    app = make_app(main_file, host="127.0.0.1", auditor=auditor)
    client = app.test_client()
    name = slug(app)
    for url in (
        "income_statement/",
        "api/errors",
        "extension/ConnectBooks/",
        "import/",
    ):
        client.get(f"/{name}/{url}", headers=LOCAL)
    errors = client.get(f"/{name}/api/errors", headers=LOCAL).get_json()["data"]
    messages = "\n".join(e["message"] for e in errors)
    assert "プラグイン evil は使えません" in messages
    assert "Fava 拡張 evil は使えません" in messages
    assert "Fava 拡張 flask_babel_evil は使えません" in messages
    assert '"import-config" は使えません' in messages
    assert not marker.exists()
    assert sys.path == path_before
    assert "evil" not in sys.modules and "flask_babel_evil" not in sys.modules
    ledger = app.config["LEDGERS"].ledgers[0]
    names = [e.name for e in ledger.extensions.extension_details]
    assert names == ["ConnectBooks", "Kicho"]


def test_code_named_by_the_books_never_runs_in_a_real_server(
    tmp_path: Path, sample_path: Path
) -> None:
    main_file, marker = evil_books(tmp_path, sample_path)
    # Started from inside the ledger folder, with modules named like the ones the server
    # imports on demand (Excel, pandas) lying there.
    with serving(main_file, "--auditor", cwd=main_file.parent) as url:
        status, _, headers = http_request(f"{url}/")
        assert status == 302
        base = f"{url}/{slug_of(headers['Location'])}"
        for path in (
            "income_statement/",
            "extension/ConnectBooks/?page=fund-flow&time=FY2025",
            "extension/ConnectBooks/xlsx?page=activity&time=FY2025",
            "extension/ConnectBooks/report?page=tie-out&time=FY2025",
            "api/errors",
        ):
            assert http_get(f"{base}/{path}")[0] == 200, path
        errors = json.loads(http_get(f"{base}/api/errors")[1])["data"]
        assert any("Fava 拡張 evil は使えません" in e["message"] for e in errors)
    assert not marker.exists()


def test_fava_shows_no_prorated_budgets(sample_path: Path) -> None:
    from fava.core import FavaLedger

    fiscal_2025 = (datetime.date(2025, 4, 1), datetime.date(2026, 4, 1))
    fiscal_2027 = (datetime.date(2027, 4, 1), datetime.date(2028, 4, 1))  # 29 February
    # Fava alone prorates the approved 160,000円 by day: wrong in both years.
    plain = FavaLedger(str(sample_path))
    assert (
        -plain.budgets.calculate("Income:4110-受取会費", *fiscal_2025)["JPY"] < 121_425
    )
    assert (
        -plain.budgets.calculate("Income:4110-受取会費", *fiscal_2027)["JPY"] > 160_329
    )
    # Served, its budget figures are none; the 収支計算書 page has the exact ones.
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    ledger = app.config["LEDGERS"].ledgers[0]
    assert ledger.budgets.calculate("Income:4110-受取会費", *fiscal_2025) == {}
    assert ledger.budgets.calculate_children("Income", *fiscal_2025) == {}
    client = app.test_client()
    report = client.get(
        f"/{slug(app)}/api/account_report",
        query_string={"a": "Income:4110-受取会費", "r": "changes", "time": "FY2025"},
        headers=LOCAL,
    ).get_json()["data"]
    budgets = report["budgets"]["Income:4110-受取会費"]
    assert budgets and all(b == {"budget": {}, "budget_children": {}} for b in budgets)
    assert ledger.fava_options.invert_income_liabilities_equity is True
    ledger.load_file()  # a reload (the books changed) keeps them hidden
    assert ledger.budgets.calculate("Income:4110-受取会費", *fiscal_2025) == {}


def test_documents_only_from_the_documents_folder(
    tmp_path: Path, sample_path: Path
) -> None:
    books = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, books)
    outside = tmp_path / "secret.txt"
    outside.write_text("not a voucher")
    inside = books / "documents" / "2026-11-16.invoice-machi-web.pdf"
    with (books / "2026.beancount").open("a") as journal:
        journal.write(
            f'\n2026-11-20 document Assets:1110-現金 "{outside}"\n'
            '2026-11-20 document Assets:1110-現金 "documents/../../secret.txt"\n'
        )
    (books / "documents" / "link.txt").symlink_to(outside)
    for auditor in (True, False):
        app = make_app(books / "main.beancount", host="127.0.0.1", auditor=auditor)
        client = app.test_client()
        name = slug(app)
        ok = client.get(f"/{name}/document/?filename={inside}", headers=LOCAL)
        assert ok.status_code == 200 and ok.data == inside.read_bytes()
        for bad in (
            outside,
            books / "documents/../../secret.txt",
            books / "documents/link.txt",
        ):
            response = client.get(f"/{name}/document/?filename={bad}", headers=LOCAL)
            assert response.status_code == 404, bad
            assert b"not a voucher" not in response.data


def test_no_documents_from_a_documents_folder_linked_elsewhere(
    tmp_path: Path, sample_path: Path
) -> None:
    books = tmp_path / "ledger"
    shutil.copytree(sample_path.parent, books)
    outside = tmp_path / "outside"
    shutil.move(books / "documents", outside)
    (outside / "secret.txt").write_text("not a voucher")
    (books / "documents").symlink_to(outside)
    app = make_app(books / "main.beancount", host="127.0.0.1", auditor=True)
    client = app.test_client()
    name = slug(app)
    for path in (books / "documents" / "secret.txt", outside / "secret.txt"):
        response = client.get(f"/{name}/document/?filename={path}", headers=LOCAL)
        assert response.status_code == 404, path
        assert b"not a voucher" not in response.data


def test_refusals_are_said_in_japanese(sample_path: Path) -> None:
    app = make_app(sample_path, host="127.0.0.1", auditor=True)
    client = app.test_client()
    name = slug(app)
    write = client.put(
        f"/{name}/api/source",
        json={"file_path": str(sample_path), "source": "", "sha256sum": ""},
        headers=LOCAL,
    )
    assert write.status_code == 401
    assert "読み取り専用です" in write.get_data(as_text=True)
    missing = client.get(f"/{name}/document/?filename=/etc/passwd", headers=LOCAL)
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "そのページやファイルはありません" in text and "Not Found" not in text


def test_cli_refuses_public_writable_server(sample_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", str(sample_path), "--host", "192.0.2.10"]
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "エラー: 192.0.2.10 はこの機械の外から届くアドレスです。"
    )
    assert "外に公開できません" in result.output


def test_cli_refuses_a_remote_auditor_without_users(
    sample_path: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "serve",
            str(sample_path),
            "--auditor",
            "--host",
            "192.0.2.10",
            "--allow-remote",
            "--users",
            str(tmp_path / "auditors"),
        ],
    )
    assert result.exit_code == 1
    assert "エラー: 監事のユーザーがいません" in result.output
    assert "connect-books auditor-user add" in result.output


def test_cli_refuses_missing_books(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "none.beancount")])
    assert result.exit_code == 1
    assert result.output.startswith("エラー: 帳簿ファイル")


def test_extensions_are_found_without_the_ledger_folder_on_sys_path(
    tmp_path: Path,
) -> None:
    import fava.core.extensions
    import fava.ext

    from connect_books import fava_compat
    from connect_books.fava_ext import ConnectBooks, Kicho

    fava_compat.install()
    assert fava.core.extensions.find_extensions is fava_compat.project_extensions
    (tmp_path / "cb_probe_module.py").write_text("PROBED = True\n")
    before = list(sys.path)
    found, errors = fava_compat.project_extensions(tmp_path, "cb_probe_module")
    assert found == [] and "cb_probe_module は使えません" in errors[0].message
    assert "cb_probe_module" not in sys.modules
    found, errors = fava_compat.project_extensions(tmp_path, "connect_books.fava_ext")
    assert found == [ConnectBooks, Kicho] and errors == []
    assert sys.path == before
    # Why: Fava's own lookup imports whatever the ledger folder holds by that name.
    fava.ext.find_extensions(tmp_path, "cb_probe_module")
    assert sys.modules.pop("cb_probe_module").PROBED is True
