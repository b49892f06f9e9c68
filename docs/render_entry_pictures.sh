#!/bin/sh
# Render the README pictures of the treasurer's documents: a 会費請求書 and a 領収書, as PNG.
#
#   docs/render_entry_pictures.sh          (from the repository root)
#
# Needs LibreOffice, poppler and a Japanese font (Debian):
#   apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk
# Not run by the tests. Writes docs/invoice.png and docs/receipt.png from the sample books
# (the supporter's name and address are fictional, written to a temporary file).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.venv/bin"
LEDGER="$ROOT/ledger/main.beancount"
DOCS="$ROOT/docs"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

printf 'ID,氏名,敬称,郵便番号,住所\nS0001,山田 花子 (見本),様,156-0051,東京都世田谷区宮坂1-2-3 (見本)\n' \
    >"$WORK/supporters.csv"
"$BIN/connect-books" dues invoice --year 2026 --date 2026-11-30 --due 2026-12-25 \
    -o "$WORK/out" "$LEDGER" >/dev/null
"$BIN/connect-books" receipt issue S0001 "$LEDGER" --date 2026-07-14 --issued 2026-11-30 \
    --supporters "$WORK/supporters.csv" -o "$WORK/out" >/dev/null

cp "$WORK"/out/*会費請求書*.xlsx "$WORK/invoice.xlsx"
cp "$WORK"/out/R-20260714-S0001_領収書.xlsx "$WORK/receipt.xlsx"
soffice -env:UserInstallation="file://$WORK/profile" --headless \
    --convert-to pdf --outdir "$WORK" "$WORK/invoice.xlsx" "$WORK/receipt.xlsx" >/dev/null

for name in invoice receipt; do
    # the top half of the A4 page: the document itself, without the empty lower half
    pdftoppm -png -r 80 -f 1 -l 1 -singlefile -H 560 "$WORK/$name.pdf" "$DOCS/$name"
    echo "$DOCS/$name.png"
done
