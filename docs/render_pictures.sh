#!/bin/sh
# Render the README pictures: one printed page of each workbook, as PNG.
#
#   docs/render_pictures.sh          (from the repository root)
#
# Needs LibreOffice, poppler and a Japanese font (Debian):
#   apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk
# Not run by the tests. Writes docs/board-pack.png, docs/audit-pack.png and docs/activity.png, activity-2.png.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.venv/bin"
LEDGER="$ROOT/ledger/main.beancount"
DOCS="$ROOT/docs"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN/connect-books" board-pack --year 2026 --as-of 2026-11-30 -o "$WORK/board-pack.xlsx" "$LEDGER" >/dev/null
"$BIN/connect-books" audit-pack --year 2025 -o "$WORK/audit-pack.xlsx" "$LEDGER" >/dev/null

# A private LibreOffice profile, so a running LibreOffice does not get in the way.
soffice -env:UserInstallation="file://$WORK/profile" --headless \
    --convert-to pdf --outdir "$WORK" "$WORK/board-pack.xlsx" "$WORK/audit-pack.xlsx" >/dev/null

# render NAME TITLE [OUT]: the first page whose text contains TITLE (the sheet's statement
# title) as docs/OUT.png (OUT defaults to NAME).
render() {
    out=${3:-$1}
    pages=$(pdfinfo "$WORK/$1.pdf" | awk '/^Pages:/ {print $2}')
    page=1
    while [ "$page" -le "$pages" ]; do
        if pdftotext -f "$page" -l "$page" "$WORK/$1.pdf" - | grep -q "$2"; then
            pdftoppm -png -r 80 -f "$page" -l "$page" -singlefile "$WORK/$1.pdf" "$DOCS/$out"
            echo "$DOCS/$out.png (page $page of $pages)"
            return 0
        fi
        page=$((page + 1))
    done
    echo "no page of $1.pdf contains '$2'" >&2
    return 1
}

render board-pack "月次推移"
render audit-pack "監事の照合"
render audit-pack "一般正味財産増減の部" activity
render audit-pack "指定正味財産増減の部" activity-2
