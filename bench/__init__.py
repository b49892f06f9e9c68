"""Benchmarks: generated books of the organisation's shape; load-time measurements.

Importing this package compiles the project's modules to bytecode first, as installing
a package does: the project is installed editable, and where ``PYTHONDONTWRITEBYTECODE``
is set (as on the development machines) Python would otherwise compile every one of its
modules again in each command it times, about 0.4 s a command that Beancount's and
Fava's installed modules never pay.
"""

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _package in ("connect_books", "plugins", "reports"):
    compileall.compile_dir(ROOT / _package, quiet=1)
