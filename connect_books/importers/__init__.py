"""Bank statements in, once: CSV import on beangulp (``connect-books import``, Fava's page).

The modules, in the order the data flows:

* :mod:`.decode` — a file's bytes as text (cp932, UTF-8 with or without BOM) or a refusal;
* :mod:`.layout` — a bank's CSV layout, read from ``import/banks/<bank>.toml``;
* :mod:`.statement` — the statement's lines (every cell text, money as ``int``);
* :mod:`.text` — NFKC normalisation, the folded form rules compare, amounts and dates;
* :mod:`.rules` — ``import/rules.toml``: members, supporters and other payees;
* :mod:`.dues` — which 年度 a member's payment pays (arrears, this year, in advance);
* :mod:`.keys` — the ``import-key`` of each line, so a line is imported exactly once;
* :mod:`.importer` — :class:`~.importer.BankImporter`, the ``beangulp.Importer``;
* :mod:`.openyear` — the open 年度 an import may land in, and its journal file;
* :mod:`.plan` — :func:`~.plan.plan_import`: new, already imported, unmatched, the
  closing-balance check, the month-end ``balance`` offered, and the text to append;
* :mod:`.config` — where the data lives, which layout reads a file, the default account.
"""
